"""encode / roundtrip: the JSON value encoding and each library's bytes, compared across peers."""

import base64

import pytest

from idls import ALL_TYPES_VALUE, ECHO, KEYVALUE, load


@pytest.fixture(scope="module")
def mods(thriftrw, apache):
    return {"thriftrw": (thriftrw, load(thriftrw, ECHO)), "apache": (apache, load(apache, ECHO))}


def b(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hexof(s: str) -> str:
    return base64.b64decode(s).hex()


def test_golden_bytes_of_a_small_exception(thriftrw, apache):
    # NotFoundError{key: "k"}: field 1 string (0b 0001), length 1, "k", stop.
    for p in (thriftrw, apache):
        m = load(p, KEYVALUE, "keyvalue.thrift")
        assert hexof(p.ok("encode", module=m, type="NotFoundError", value={"key": "k"})["bytes"]) == "0b0001000000016b00"


def test_every_base_type_encodes_to_the_same_bytes_in_both(mods):
    (t, mt), (a, ma) = mods["thriftrw"], mods["apache"]
    tb = t.ok("encode", module=mt, type="AllTypes", value=ALL_TYPES_VALUE)["bytes"]
    ab = a.ok("encode", module=ma, type="AllTypes", value=ALL_TYPES_VALUE)["bytes"]
    assert tb == ab
    # and each side decodes the other's bytes to the same JSON value, re-encoding identically
    for p, m in ((t, mt), (a, ma)):
        r = p.ok("roundtrip", module=m, type="AllTypes", bytes=tb)
        assert r["value"] == ALL_TYPES_VALUE
        assert r["bytes"] == tb
        assert r["trailing"] == 0


def test_roundtrip_reports_trailing_bytes(mods):
    for p, m in mods.values():
        r = p.ok("roundtrip", module=m, type="Inner", bytes=b(bytes.fromhex("0b000100000001780000ffff")))
        assert r["value"] == {"name": "x"} and r["trailing"] == 3


@pytest.mark.parametrize(
    "double",
    [{"$double": "NaN"}, {"$double": "Infinity"}, {"$double": "-Infinity"}, {"$double": "-0"}, 0.0, 5e-324, 1.7976931348623157e308, -2.5],
)
def test_doubles_including_special_values(mods, double):
    value = dict(ALL_TYPES_VALUE, aDouble=double)
    outs = set()
    for p, m in mods.values():
        data = p.ok("encode", module=m, type="AllTypes", value=value)["bytes"]
        r = p.ok("roundtrip", module=m, type="AllTypes", bytes=data)
        assert r["value"]["aDouble"] == double
        outs.add(data)
    assert len(outs) == 1


@pytest.mark.parametrize("i64", ["0", "-1", "9223372036854775807", "-9223372036854775808", "4294967296"])
def test_i64_keeps_precision(mods, i64):
    outs = set()
    for p, m in mods.values():
        data = p.ok("encode", module=m, type="AllTypes", value=dict(ALL_TYPES_VALUE, anI64={"$i64": i64}))["bytes"]
        assert p.ok("roundtrip", module=m, type="AllTypes", bytes=data)["value"]["anI64"] == {"$i64": i64}
        outs.add(data)
    assert len(outs) == 1


@pytest.mark.parametrize("field, value", [("anI8", 128), ("anI16", -32769), ("anI32", 2**31), ("anI64", {"$i64": "9223372036854775808"})])
def test_out_of_range_integers_are_encode_errors(mods, field, value):
    for p, m in mods.values():
        resp = p.request("encode", module=m, type="AllTypes", value=dict(ALL_TYPES_VALUE, **{field: value}))
        assert resp["ok"] is False and resp["error"]["type"] == "EncodeError", (p.name, resp)


def test_sets_and_maps_are_sorted_in_json(mods):
    value = dict(ALL_TYPES_VALUE, tags={"$set": ["b", "a", "c"]}, counts={"$map": [["z", {"$i64": "1"}], ["a", {"$i64": "2"}]]})
    for p, m in mods.values():
        data = p.ok("encode", module=m, type="AllTypes", value=value)["bytes"]
        got = p.ok("roundtrip", module=m, type="AllTypes", bytes=data)["value"]
        assert got["tags"] == {"$set": ["a", "b", "c"]}
        assert got["counts"] == {"$map": [["a", {"$i64": "2"}], ["z", {"$i64": "1"}]]}


def test_default_values_fill_unset_fields(mods):
    required_only = {k: ALL_TYPES_VALUE[k] for k in ("aBool", "anI8", "anI16", "anI32", "anI64", "aDouble", "aString", "aBinary")}
    for p, m in mods.values():
        data = p.ok("encode", module=m, type="AllTypes", value=required_only)["bytes"]
        assert p.ok("roundtrip", module=m, type="AllTypes", bytes=data)["value"] == dict(required_only, withDefault="dflt")


def test_union_values(mods):
    for value in ({"text": "t"}, {"number": -5}, {"inner": {"name": "n"}}):
        outs = set()
        for p, m in mods.values():
            data = p.ok("encode", module=m, type="Choice", value=value)["bytes"]
            assert p.ok("roundtrip", module=m, type="Choice", bytes=data)["value"] == value
            outs.add(data)
        assert len(outs) == 1


def test_union_with_two_fields_only_apache_accepts(mods):
    (t, mt), (a, ma) = mods["thriftrw"], mods["apache"]
    two = {"text": "t", "number": 1}
    assert t.request("encode", module=mt, type="Choice", value=two)["error"]["type"] == "EncodeError"
    data = a.ok("encode", module=ma, type="Choice", value=two)["bytes"]
    assert a.ok("roundtrip", module=ma, type="Choice", bytes=data)["value"] == two
    resp = t.request("roundtrip", module=mt, type="Choice", bytes=data)
    assert resp["ok"] is False and resp["error"]["type"] == "DecodeError"
    # an empty union: thriftrw refuses, Apache takes it
    assert t.request("roundtrip", module=mt, type="Choice", bytes=b(b"\x00"))["error"]["type"] == "DecodeError"
    assert a.ok("roundtrip", module=ma, type="Choice", bytes=b(b"\x00"))["value"] == {}


def test_missing_required_field_only_thriftrw_rejects(mods):
    (t, mt), (a, ma) = mods["thriftrw"], mods["apache"]
    empty = b(b"\x00")
    resp = t.request("roundtrip", module=mt, type="Oops", bytes=empty)
    assert resp["ok"] is False and resp["error"]["type"] == "DecodeError"
    assert a.ok("roundtrip", module=ma, type="Oops", bytes=empty)["value"] == {}
    assert t.request("encode", module=mt, type="Oops", value={})["error"]["type"] == "EncodeError"
    assert hexof(a.ok("encode", module=ma, type="Oops", value={})["bytes"]) == "00"


@pytest.mark.parametrize("hexbytes", ["", "0b0001", "0b0001000000056162", "0f00010800000002000000", "ff"])
def test_bad_bytes_are_decode_errors(mods, hexbytes):
    for p, m in mods.values():
        resp = p.request("roundtrip", module=m, type="Inner", bytes=b(bytes.fromhex(hexbytes)))
        assert resp["ok"] is False and resp["error"]["type"] == "DecodeError", (p.name, hexbytes, resp)


def test_request_and_response_structs(mods):
    for p, m in mods.values():
        req = p.ok("encode", module=m, type="Echo.pick.request", value={"n": 1, "first": "a"})["bytes"]
        assert hexof(req) == "080001000000010b00020000000161" + "00"
        assert p.ok("roundtrip", module=m, type="Echo.pick.request", bytes=req)["value"] == {"n": 1, "first": "a"}
        resp = p.ok("encode", module=m, type="Echo.pick.response", value={"oops": {"reason": "r"}})["bytes"]
        assert p.ok("roundtrip", module=m, type="Echo.pick.response", bytes=resp)["value"] == {"oops": {"reason": "r"}}
        assert p.ok("encode", module=m, type="Echo.nothing.response", value={})["bytes"] == "AA=="
        assert p.request("encode", module=m, type="Echo.fire.response", value={})["error"]["type"] == "UnknownType"


def test_compact_protocol_apache_only(mods):
    (t, mt), (a, ma) = mods["thriftrw"], mods["apache"]
    resp = t.request("encode", module=mt, type="AllTypes", value=ALL_TYPES_VALUE, protocol="compact")
    assert resp["ok"] is False and resp["error"]["type"] == "Unsupported"
    data = a.ok("encode", module=ma, type="AllTypes", value=ALL_TYPES_VALUE, protocol="compact")["bytes"]
    r = a.ok("roundtrip", module=ma, type="AllTypes", bytes=data, protocol="compact")
    assert r["value"] == ALL_TYPES_VALUE and r["bytes"] == data
    # Inner{name:"x"} in compact: field header 0x18 (delta 1, binary), varint length 1, "x", stop
    assert hexof(a.ok("encode", module=ma, type="Inner", value={"name": "x"}, protocol="compact")["bytes"]) == "18017800"


def test_apache_accelerated_matches_pure_python(mods):
    a, ma = mods["apache"]
    for protocol in ("binary", "compact"):
        pure = a.ok("encode", module=ma, type="AllTypes", value=ALL_TYPES_VALUE, protocol=protocol)["bytes"]
        fast = a.ok("encode", module=ma, type="AllTypes", value=ALL_TYPES_VALUE, protocol=protocol, accelerated=True)["bytes"]
        assert pure == fast
        assert a.ok("roundtrip", module=ma, type="AllTypes", bytes=pure, protocol=protocol, accelerated=True)["value"] == ALL_TYPES_VALUE
