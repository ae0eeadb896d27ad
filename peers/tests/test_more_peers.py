"""apache-py-0.25 and thriftpy2 (skipped without their virtualenvs), and apache-py's `prepare`:
what each library really does where they differ."""

import base64

import pytest

from idls import KEYVALUE, load
from peer_client import PeerProcess

TRANSPORTS = ["framed", "buffered"]
ECHO_PY2 = """
exception Oops { 1: required string reason }
struct P { 1: required i32 x, 2: optional set<i32> s, 3: optional string t }
service Svc { P echo(1: P p), i32 pick(1: i32 n, 2: string raiseField) throws (1: Oops oops) }
"""


def call(peer, module, port, function, transport="framed", service="KeyValue", **opts):
    args = opts.pop("args", {})
    return peer.request("call", module=module, service=service, function=function, args=args, port=port, transport=transport, **opts)


def ok(resp):
    assert resp["ok"] is True, resp
    return {k: v for k, v in resp.items() if k not in ("id", "ok")}


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_apache_025_server_reads_nonstrict_envelopes(thriftrw, apache25, transport):
    """Fixed since 0.17: readMessageBegin decodes the name of a non-strict envelope."""
    mt, ma = load(thriftrw, KEYVALUE, "keyvalue.thrift"), load(apache25, KEYVALUE, "keyvalue.thrift")
    port = apache25.ok("serve", module=ma, service="KeyValue", transport=transport, impl="keyvalue")["port"]
    assert ok(call(thriftrw, mt, port, "put", transport, args={"key": "k", "value": "v"})) == {"result": None}
    assert ok(call(apache25, ma, port, "get", transport, args={"key": "k"}, envelope="nonstrict")) == {"result": "v"}
    assert apache25.ok("hello")["version"] == "0.25.0"


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("envelope", ["strict", "nonstrict"])
def test_keyvalue_thriftpy2_server_and_client(thriftrw, apache, thriftpy2, transport, envelope):
    mt, ma, mp = (load(p, KEYVALUE, "keyvalue.thrift") for p in (thriftrw, apache, thriftpy2))
    port = thriftpy2.ok("serve", module=mp, service="KeyValue", transport=transport, impl="keyvalue")["port"]
    assert ok(call(apache, ma, port, "put", transport, args={"key": "k", "value": envelope}, envelope=envelope)) == {"result": None}
    assert ok(call(thriftpy2, mp, port, "get", transport, args={"key": "k"}, envelope=envelope)) == {"result": envelope}
    assert ok(call(thriftpy2, mp, port, "get", transport, args={"key": "nope"}, envelope=envelope)) == {
        "exception": {"type": "NotFoundError", "field": "notFound", "value": {"key": "nope"}}
    }
    # thriftpy2's client against thriftrw's server (which writes non-strict replies)
    tport = thriftrw.ok("serve", module=mt, service="KeyValue", transport=transport, impl="keyvalue")["port"]
    assert ok(call(thriftpy2, mp, tport, "put", transport, args={"key": "a", "value": "b"}, envelope=envelope)) == {"result": None}
    assert ok(call(thriftpy2, mp, tport, "get", transport, args={"key": "a"}, envelope=envelope, accelerated=True)) == {"result": "b"}


def test_thriftpy2_generic_rules_and_failures(thriftpy2, apache):
    mp, ma = load(thriftpy2, ECHO_PY2, "e.thrift"), load(apache, ECHO_PY2, "e.thrift")
    port = thriftpy2.ok("serve", module=mp, service="Svc")["port"]
    assert ok(call(apache, ma, port, "echo", service="Svc", args={"p": {"x": 1}})) == {"result": {"x": 1}}
    assert ok(call(apache, ma, port, "pick", service="Svc", args={"n": 3})) == {"result": 3}
    assert ok(call(apache, ma, port, "pick", service="Svc", args={"raiseField": "oops"})) == {
        "exception": {"type": "Oops", "field": "oops", "value": {}}
    }
    # no answer (rule 4): TProcessor re-raises, the server hangs up (no INTERNAL_ERROR)
    assert call(apache, ma, port, "pick", service="Svc", args={"raiseField": "x"})["error"]["type"] == "TransportError"
    # an unknown method: UNKNOWN_METHOD without a message
    big = load(apache, ECHO_PY2.replace("service Svc {", "service Svc { void nope(),"), "e.thrift")
    assert ok(call(apache, big, port, "nope", service="Svc")) == {"applicationException": {"type": 1, "message": None}}
    # strictRead: thriftpy2's own default, refuses non-strict envelopes
    sport = thriftpy2.ok("serve", module=mp, service="Svc", strictRead=True)["port"]
    assert call(apache, ma, sport, "pick", service="Svc", args={"n": 1}, envelope="nonstrict")["error"]["type"] == "TransportError"
    assert ok(call(apache, ma, sport, "pick", service="Svc", args={"n": 1})) == {"result": 1}


@pytest.mark.parametrize("accelerated", [False, True])
def test_thriftpy2_reads_sets_as_lists_and_keeps_bad_utf8(thriftpy2, accelerated):
    m = load(thriftpy2, ECHO_PY2, "e.thrift")
    dup = base64.b64encode(bytes.fromhex("080001000000010e000208000000020000000100000001" + "00")).decode()
    r = thriftpy2.ok("roundtrip", module=m, type="P", bytes=dup, accelerated=accelerated)
    assert r["value"] == {"x": 1, "s": {"$set": [1, 1]}} and r["bytes"] == dup
    bad = base64.b64encode(bytes.fromhex("08000100000001" + "0b000300000002ff41" + "00")).decode()
    r = thriftpy2.ok("roundtrip", module=m, type="P", bytes=bad, accelerated=accelerated)
    assert r["value"] == {"x": 1, "t": {"$binary": "/0E="}} and r["bytes"] == bad


def test_thriftpy2_load_failures_are_idl_errors(thriftpy2):
    for files, entry, words in [
        ({"a.thrift": "struct A { 1: i32 from }"}, "a.thrift", "reserved language keyword"),
        ({"m.thrift": 'include "i.thrift"\nstruct M { 1: i.Alias a }', "i.thrift": "typedef Later Alias\nstruct Later { 1: i32 x }"}, "m.thrift", "No type found"),
        ({"c.thrift": 'struct R { 1: required i32 a = 1, 2: i32 b }\nconst R c = {"b": 1}'}, "c.thrift", "was required"),
    ]:
        resp = thriftpy2.request("load_idl", files=files, entry=entry)
        assert resp["ok"] is False and resp["error"]["type"] == "IdlError" and words in resp["error"]["message"], resp
    # the same forward reference in the main file is fine
    assert thriftpy2.ok("load_idl", files={"f.thrift": "typedef Later Alias\nstruct Later { 1: i32 x }"}, entry="f.thrift")["types"] == ["Later"]


def test_apache_prepare_then_load_answers_like_a_plain_load():
    p = PeerProcess("apache-py")
    try:
        schemas = [{"files": {f"s{i}.thrift": f"struct S{i} {{ 1: i32 a }}\nservice V{i} {{ S{i} get(1: S{i} s) }}"}, "entry": f"s{i}.thrift"} for i in range(4)]
        bad = {"files": {"bad.thrift": "struct {"}, "entry": "bad.thrift"}
        assert p.ok("prepare", schemas=schemas + [bad, 7])["accepted"] == 5
        for i, sch in enumerate(schemas):
            resp = ok(p.request("load_idl", **sch))
            assert resp["types"] == [f"S{i}"] and resp["services"] == [{"name": f"V{i}", "functions": ["get"], "extends": None}]
            assert p.ok("encode", module=resp["module"], type=f"S{i}", value={"a": i})["bytes"]
        resp = p.request("load_idl", **bad)
        assert resp["ok"] is False and resp["error"]["type"] == "IdlError"
        assert p.request("prepare", schemas="x")["error"]["type"] == "BadRequest"
    finally:
        assert p.close() == 0


THRIFT_SPEC_FIELD = "struct S { 1: optional i32 thrift_spec, 2: optional list<i32> l = [] }"
THRIFT_SPEC_LIST = "struct S { 1: optional list<i8> thrift_spec = [], 2: optional i32 x }"


def test_a_field_named_thrift_spec(thriftrw, apache, apache25, thriftpy2):
    """The finding behind corpus apache-py-thrift-spec-field / thriftpy2-thrift-spec-drops-fields:
    the field shadows the spec both libraries read from the instance (thriftrw takes the name)."""
    wire = base64.b64encode(bytes.fromhex("08000100000001" + "0f00020800000001" + "00000002" + "00")).decode()
    mt = load(thriftrw, THRIFT_SPEC_FIELD, "t.thrift")
    assert thriftrw.ok("roundtrip", module=mt, type="S", bytes=wire)["bytes"] == wire
    # Apache: the constructor indexes self.thrift_spec[2][4] after setting it to the field's value
    for peer in (apache, apache25):
        ma = load(peer, THRIFT_SPEC_FIELD, "t.thrift")
        resp = peer.request("roundtrip", module=ma, type="S", bytes=wire)
        assert resp["ok"] is False and "not subscriptable" in resp["error"]["message"], resp
    # thriftpy2: read_struct looks fields up in obj.thrift_spec, here None
    mp = load(thriftpy2, THRIFT_SPEC_FIELD, "t.thrift")
    resp = thriftpy2.request("roundtrip", module=mp, type="S", bytes=wire)
    assert resp["ok"] is False and "is not iterable" in resp["error"]["message"], resp
    # ... and with a list default every field is skipped: the struct comes back empty, no error
    mp = load(thriftpy2, THRIFT_SPEC_LIST, "u.thrift")
    wire = base64.b64encode(bytes.fromhex("0f0001030000000101" + "0800020000000500")).decode()
    r = thriftpy2.ok("roundtrip", module=mp, type="S", bytes=wire)
    assert r["value"] == {"thrift_spec": []} and r["bytes"] == base64.b64encode(b"\x00").decode(), r
