"""The control channel itself: hello, bad input, load_idl, process lifecycle."""

import statistics
import struct
import time

import pytest

from idls import ECHO, KEYVALUE, load
from peer_client import PeerProcess, available, measure

#: The peers every generic test here runs against; those with a virtualenv of their own only
#: when their setup.sh has made it.
PEERS = ["thriftrw-py", "apache-py"] + [n for n in ("apache-py-0.25", "thriftpy2") if available(n)]


@pytest.fixture(scope="module", params=PEERS)
def peer(request):
    p = PeerProcess(request.param)
    yield p
    assert p.close() == 0


def test_hello_reports_library_and_abilities(thriftrw, apache):
    t = thriftrw.ok("hello")
    assert t["name"] == "thriftrw-py" and t["version"] == "1.9.0"
    assert t["abilities"]["protocols"] == ["binary"]
    assert t["abilities"]["envelopes"] == {"read": ["strict", "nonstrict"], "write": ["nonstrict"]}
    assert t["abilities"]["dialect"] == "thriftrw"
    assert t["abilities"]["features"]["applicationException"] is False
    a = apache.ok("hello")
    assert a["name"] == "apache-py" and a["version"] == "0.17.0" and a["compiler"] == "0.17.0"
    assert a["abilities"]["protocols"] == ["binary", "compact"]
    assert a["abilities"]["transports"] == ["framed", "buffered"]
    assert a["abilities"]["dialect"] == "apache"
    assert a["abilities"]["features"]["uuid"] is False
    assert a["abilities"]["features"]["applicationException"] is True


@pytest.mark.parametrize("name", PEERS)
def test_start_to_hello_time(name):
    times = []
    for _ in range(3):
        p = PeerProcess(name)
        t0 = time.perf_counter()
        p.ok("hello")
        times.append((time.perf_counter() - t0) * 1000 + (t0 - p.started) * 1000)
        assert p.close() == 0
    measure(f"{name}: process start to hello answer (median of 3)", statistics.median(times), "ms")
    assert statistics.median(times) < 10_000


@pytest.mark.parametrize(
    "raw, error_type",
    [
        (b"{not json", "BadRequest"),
        (b"\xff\xfe", "BadRequest"),
        (b"[1, 2]", "BadRequest"),
        (b'{"id": 5}', "UnknownOp"),
        (b'{"id": 5, "op": "fly"}', "UnknownOp"),
        (b'{"id": 5, "op": "load_idl"}', "BadRequest"),
        (b'{"id": 5, "op": "load_idl", "files": {"../x.thrift": ""}, "entry": "../x.thrift"}', "BadRequest"),
        (b'{"id": 5, "op": "load_idl", "files": {"/etc/x.thrift": ""}, "entry": "/etc/x.thrift"}', "BadRequest"),
        (b'{"id": 5, "op": "load_idl", "files": {"a.thrift": 3}, "entry": "a.thrift"}', "BadRequest"),
        (b'{"id": 5, "op": "roundtrip", "module": "nope", "type": "X", "bytes": ""}', "UnknownModule"),
        (b'{"id": 5, "op": "serve", "module": 7}', "BadRequest"),
        (b'{"id": 5, "op": "call", "module": "m1", "service": "KeyValue", "function": "get", "port": "x"}', "BadRequest"),
        (b'[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[' * 100, "BadRequest"),
    ],
)
def test_bad_control_input_is_answered_never_a_crash(peer, raw, error_type):
    load(peer, KEYVALUE, "keyvalue.thrift")
    peer.send_raw(raw)
    resp = peer.read()
    assert resp["ok"] is False, resp
    assert resp["error"]["type"] == error_type, resp
    assert resp["error"]["message"]
    assert peer.ok("hello")["ok"] is True


def test_bad_parameters_are_answered(peer):
    m = load(peer, KEYVALUE, "keyvalue.thrift")
    bad = [
        ("roundtrip", dict(module=m, type="NotFoundError", bytes="***"), "BadRequest"),
        ("roundtrip", dict(module=m, type="Nope", bytes=""), "UnknownType"),
        ("encode", dict(module=m, type="NotFoundError", value={"key": 3}), "EncodeError"),
        ("encode", dict(module=m, type="NotFoundError", value={"nokey": "x"}), "EncodeError"),
        ("serve", dict(module=m, service="Nope", protocol="binary", transport="framed"), "UnknownService"),
        ("serve", dict(module=m, service="KeyValue", protocol="binary", transport="http"), "Unsupported"),
        ("call", dict(module=m, service="KeyValue", function="nope", args={}, port=1, transport="framed"), "UnknownFunction"),
        ("call", dict(module=m, service="KeyValue", function="get", args={"key": "k"}, host="10.0.0.1", port=1, transport="framed"), "BadRequest"),
        ("call", dict(module=m, service="KeyValue", function="get", args={"key": "k"}, host="example.com", port=1, transport="framed"), "BadRequest"),
    ]
    for op, params, error_type in bad:
        resp = peer.request(op, **params)
        assert resp["ok"] is False and resp["error"]["type"] == error_type, (op, params, resp)


def test_unreachable_port_is_a_transport_error(peer):
    m = load(peer, KEYVALUE, "keyvalue.thrift")
    port = peer.ok("serve", module=m, service="KeyValue", transport="framed")["port"]
    peer.ok("stop", port=port)
    resp = peer.request("call", module=m, service="KeyValue", function="get", args={"key": "k"}, port=port, transport="framed")
    assert resp["ok"] is False and resp["error"]["type"] == "TransportError", resp


@pytest.mark.parametrize("name", PEERS)
def test_eof_on_stdin_exits_zero(name):
    p = PeerProcess(name)
    p.ok("hello")
    p.proc.stdin.write(struct.pack(">I", 100) + b"{")  # a truncated frame, then EOF
    p.proc.stdin.close()
    assert p.proc.wait(timeout=20) == 0


def test_shutdown_answers_then_exits(peer):
    p = PeerProcess(peer.name)
    assert p.ok("shutdown")["ok"] is True
    assert p.proc.wait(timeout=20) == 0


def test_idl_errors_carry_the_compilers_message(peer):
    resp = peer.request("load_idl", files={"bad.thrift": "struct X { 1: required Missing m }"}, entry="bad.thrift")
    assert resp["ok"] is False and resp["error"]["type"] == "IdlError", resp
    assert "Missing" in resp["error"]["message"]
    resp = peer.request("load_idl", files={"bad.thrift": "struct X {"}, entry="bad.thrift")
    assert resp["ok"] is False and resp["error"]["type"] == "IdlError", resp


def test_thriftrw_dialect_requires_requiredness(thriftrw, apache):
    src = "struct X { 1: string s }"
    resp = thriftrw.request("load_idl", files={"x.thrift": src}, entry="x.thrift")
    assert resp["ok"] is False and resp["error"]["type"] == "IdlError"
    assert "required" in resp["error"]["message"] or "optional" in resp["error"]["message"]
    assert apache.ok("load_idl", files={"x.thrift": src}, entry="x.thrift")["types"] == ["X"]


def test_each_load_has_its_own_namespace(peer):
    m1 = load(peer, "struct Same { 1: required i32 a }", "same.thrift")
    m2 = load(peer, "struct Same { 1: required string b }", "same.thrift")
    assert m1 != m2
    assert peer.ok("encode", module=m1, type="Same", value={"a": 1})["bytes"] == "CAABAAAAAQA="
    assert peer.ok("encode", module=m2, type="Same", value={"b": "x"})["bytes"] == "CwABAAAAAXgA"
    # the first load is still intact
    assert peer.ok("encode", module=m1, type="Same", value={"a": 1})["bytes"] == "CAABAAAAAQA="


def test_includes_and_reports_types_and_services(peer):
    files = {
        "main.thrift": 'include "./sub/shared.thrift"\nstruct M { 1: required shared.S s }\nservice Svc extends shared.Base { shared.S get(1: shared.S s) }\n',
        "sub/shared.thrift": "struct S { 1: required i32 x }\nservice Base { i32 ping(1: i32 x) }\n",
    }
    resp = peer.ok("load_idl", files=files, entry="main.thrift")
    assert resp["types"] == ["M"]
    assert resp["services"] == [{"name": "Svc", "functions": ["get"], "extends": "Base"}]
    m = resp["module"]
    assert peer.ok("encode", module=m, type="shared.S", value={"x": 1})["bytes"] == "CAABAAAAAQA="
    assert peer.ok("encode", module=m, type="M", value={"s": {"x": 1}})["bytes"] == "DAABCAABAAAAAQAA"


def test_echo_idl_loads_in_both(thriftrw, apache):
    for p in (thriftrw, apache):
        resp = p.ok("load_idl", files={"echo.thrift": ECHO}, entry="echo.thrift")
        assert resp["types"] == ["AllTypes", "Choice", "Color", "Inner", "Oops"]
        assert [s["name"] for s in resp["services"]] == ["Echo", "Child"]
