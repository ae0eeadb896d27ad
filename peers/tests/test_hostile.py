"""The Python peers under hostile control input (issue 9, "Peers"): NaN in a request, a length
prefix of 4 GiB, and includes that climb out of the IDL set. In-process checks of peers/common,
then each Python peer as a process (harness/test/peers/hostile.test.ts drives every peer)."""

import os
import struct
import tempfile
import time

import pytest

from peer_client import PeerProcess, available, common_under_test

channel = common_under_test().channel
peerkit = common_under_test().peerkit

PEERS = ["thriftrw-py", "apache-py"] + [n for n in ("apache-py-0.25", "thriftpy2") if available(n)]


def test_includes_are_found_as_either_lexer_reads_them():
    text = (
        'include "a.thrift" // include "b.thrift"\n'
        '/* include "c.thrift" */ cpp_include "d.h" include\'e.thrift\'\n'
        "const string s = 'x\\'' include \"../f.thrift\" '\n"
    )
    assert peerkit.idl_includes(text) == ["a.thrift", "e.thrift", "../f.thrift"]


@pytest.mark.parametrize(
    "files, entry, error_type, says",
    [
        ({"main.thrift": 'include "../../../../../../../../etc/passwd"'}, "main.thrift", "BadRequest", "climbs out"),
        ({"main.thrift": 'include "/etc/passwd"'}, "main.thrift", "BadRequest", "relative path"),
        ({"main.thrift": 'include "..\\\\x.thrift"'}, "main.thrift", "BadRequest", "backslashes"),
        ({"sub/a.thrift": 'include "../../x.thrift"', "main.thrift": ""}, "main.thrift", "BadRequest", "climbs out"),
        ({"main.thrift": 'include "missing.thrift"'}, "main.thrift", "IdlError", "not one of the files sent"),
    ],
)
def test_includes_outside_the_set_are_refused(files, entry, error_type, says):
    with pytest.raises(channel.PeerError) as e:
        peerkit.check_includes(files, entry)
    assert e.value.type == error_type and says in str(e.value)


def test_includes_inside_the_set_are_kept():
    peerkit.check_includes(
        {"main.thrift": 'include "./sub/a.thrift"', "sub/a.thrift": 'include "../b.thrift"', "b.thrift": ""},
        "main.thrift",
    )
    # thriftpy2 also searches the entry's folder
    peerkit.check_includes({"m/main.thrift": 'include "sub/a.thrift"', "m/sub/a.thrift": 'include "b.thrift"', "m/b.thrift": ""}, "m/main.thrift")


def test_nan_is_not_json_and_an_unencodable_id_is_answered_null():
    resp, _ = channel.handle({"hello": lambda req: {}}, b'{"op":"hello","id":NaN}')
    assert resp["ok"] is False and resp["error"]["type"] == "BadRequest" and "NaN" in resp["error"]["message"]
    data = channel.encode_response({"id": float("nan"), "ok": True})
    assert b'"id":null' in data and b"InternalError" in data


@pytest.mark.parametrize("name", PEERS)
def test_a_peer_answers_nan_and_goes_on(name):
    p = PeerProcess(name)
    try:
        p.send_raw(b'{"op":"hello","id":NaN}')
        resp = p.read()
        assert resp["ok"] is False and resp["error"]["type"] == "BadRequest", resp
        assert p.ok("hello")["ok"] is True
    finally:
        assert p.close() == 0


@pytest.mark.parametrize("name", PEERS)
def test_a_length_prefix_of_4_gib_is_refused_at_once(name):
    p = PeerProcess(name)
    p.ok("hello")
    t0 = time.monotonic()
    p.proc.stdin.write(struct.pack(">I", 0xFFFFFFFF))
    p.proc.stdin.flush()
    resp = p.read()
    assert resp["ok"] is False and resp["error"]["type"] == "BadRequest", resp
    assert "exceeds the limit of 268435456" in resp["error"]["message"]
    assert p.proc.wait(timeout=30) == channel.EXIT_DESYNCED
    assert time.monotonic() - t0 < 30


@pytest.mark.parametrize("name", PEERS)
def test_an_include_cannot_read_outside_the_set(name):
    secret_dir = tempfile.mkdtemp(prefix="tc-secret-")
    secret = os.path.join(secret_dir, "secret.thrift")
    with open(secret, "w") as f:
        f.write("TOPSECRETTOKEN struct {\n")
    climb = "../" * 30 + secret.lstrip("/")
    p = PeerProcess(name)
    try:
        for inc in (climb, secret, "./" + climb):
            resp = p.request("load_idl", files={"main.thrift": f'include "{inc}"\nstruct S {{ 1: optional i32 x }}\n'}, entry="main.thrift")
            assert resp["ok"] is False and resp["error"]["type"] == "BadRequest", resp
            assert "TOPSECRETTOKEN" not in str(resp)
    finally:
        assert p.close() == 0
