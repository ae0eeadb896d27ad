"""`batch`: several requests in one control message, each answered as if it had been sent alone
(peers/README.md). The op lives in peers/common/channel.py, so every Python peer has it."""

import base64
import time

import pytest

from idls import KEYVALUE, load
from peer_client import PeerProcess, available, measure

PEERS = ["thriftrw-py", "apache-py"] + [n for n in ("apache-py-0.25", "thriftpy2") if available(n)]
#: Values per throughput measurement (one by one, then in one batch).
BENCH_VALUES = 500
#: A struct every peer loads (the tests' ECHO IDL uses `next`, a word thriftpy2 refuses).
BENCH_IDL = """
enum Kind { A = 1, B = 2 }
struct Leaf { 1: required string label, 2: optional list<i64> ns }
struct Bench {
  1: required bool flag, 2: required i32 count, 3: required i64 big, 4: required double ratio,
  5: required string text, 6: required binary blob, 7: optional list<Leaf> leaves,
  8: optional set<string> tags, 9: optional map<string, i32> weights, 10: optional Kind kind
}
"""
BENCH_VALUE = {
    "flag": True, "count": -7, "big": {"$i64": "9007199254740993"}, "ratio": 0.25, "text": "héllo",
    "blob": {"$binary": "AAEC"}, "leaves": [{"label": "a", "ns": [{"$i64": "1"}, {"$i64": "-2"}]}, {"label": "b"}],
    "tags": {"$set": ["x", "y"]}, "weights": {"$map": [["a", 1], ["b", 2]]}, "kind": 2,
}


@pytest.fixture(scope="module", params=PEERS)
def peer(request):
    p = PeerProcess(request.param)
    yield p
    assert p.close() == 0


def alone(resp: dict) -> dict:
    """A single answer as it would appear inside a batch: without `id`."""
    return {k: v for k, v in resp.items() if k != "id"}


def test_batch_answers_each_request_as_if_sent_alone(peer):
    m = load(peer, KEYVALUE, "keyvalue.thrift")
    data = peer.ok("encode", module=m, type="NotFoundError", value={"key": "k"})["bytes"]
    subs = [
        {"op": "encode", "module": m, "type": "NotFoundError", "value": {"key": "k"}},
        {"op": "roundtrip", "module": m, "type": "NotFoundError", "bytes": data},
        {"op": "encode", "module": m, "type": "NotFoundError", "value": {"key": 3}},  # EncodeError
        {"op": "roundtrip", "module": m, "type": "NotFoundError", "bytes": base64.b64encode(b"\x0b\x00\x01\x00\x00").decode()},  # DecodeError
        {"op": "roundtrip", "module": "nope", "type": "X", "bytes": ""},  # UnknownModule
        {"op": "fly"},  # UnknownOp
        {"op": "hello"},
        {"op": "oneway_log"},
    ]
    resp = peer.ok("batch", requests=subs)
    assert set(resp) == {"id", "ok", "responses"}
    got = resp["responses"]
    assert len(got) == len(subs)
    for sub, answer in zip(subs, got):
        single = alone(peer.request(sub["op"], **{k: v for k, v in sub.items() if k != "op"}))
        assert "id" not in answer
        assert answer["ok"] == single["ok"], (sub, answer, single)
        if answer["ok"]:
            if sub["op"] == "hello":  # startupMs grows
                answer, single = dict(answer, startupMs=0), dict(single, startupMs=0)
            assert answer == single, sub
        else:
            assert answer["error"]["type"] == single["error"]["type"], (sub, answer, single)
            assert answer["error"]["message"] == single["error"]["message"]
    assert [a["ok"] for a in got] == [True, True, False, False, False, False, True, True]
    assert [a["error"]["type"] for a in got if not a["ok"]] == ["EncodeError", "DecodeError", "UnknownModule", "UnknownOp"]
    assert got[0]["bytes"] == data and got[1]["value"] == {"key": "k"} and got[1]["trailing"] == 0


def test_batch_runs_in_order_and_sees_earlier_sub_requests(peer):
    # a load_idl inside the batch makes the module the next sub-requests use
    got = peer.ok("batch", requests=[
        {"op": "load_idl", "files": {"b.thrift": "struct B { 1: required i32 a }"}, "entry": "b.thrift"},
        {"op": "encode", "module": "PLACEHOLDER", "type": "B", "value": {"a": 1}},
    ])["responses"]
    assert got[0]["ok"] is True and got[0]["types"] == ["B"]
    assert got[1]["ok"] is False and got[1]["error"]["type"] == "UnknownModule"
    m = got[0]["module"]
    got = peer.ok("batch", requests=[{"op": "encode", "module": m, "type": "B", "value": {"a": i}} for i in range(5)])["responses"]
    assert [base64.b64decode(a["bytes"])[3:7] for a in got] == [i.to_bytes(4, "big") for i in range(5)]


def test_batches_do_not_nest_and_cannot_shut_down(peer):
    got = peer.ok("batch", requests=[{"op": "batch", "requests": []}, {"op": "shutdown"}, {"op": "hello"}, 7, None])["responses"]
    assert [a["ok"] for a in got] == [False, False, True, False, False]
    assert [a["error"]["type"] for a in got if not a["ok"]] == ["BadRequest"] * 4
    assert peer.ok("hello")["ok"] is True  # still running


def test_bad_batches_are_answered(peer):
    for params in ({}, {"requests": {"op": "hello"}}, {"requests": "x"}):
        resp = peer.request("batch", **params)
        assert resp["ok"] is False and resp["error"]["type"] == "BadRequest", resp
    assert peer.ok("batch", requests=[])["responses"] == []


def test_batch_is_faster_than_one_by_one(peer):
    m = load(peer, BENCH_IDL, "bench.thrift")
    data = peer.ok("encode", module=m, type="Bench", value=BENCH_VALUE)["bytes"]
    req = {"op": "roundtrip", "module": m, "type": "Bench", "bytes": data}
    t0 = time.perf_counter()
    for _ in range(BENCH_VALUES):
        peer.ok("roundtrip", **{k: v for k, v in req.items() if k != "op"})
    single = BENCH_VALUES / (time.perf_counter() - t0)
    t0 = time.perf_counter()
    got = peer.ok("batch", requests=[req] * BENCH_VALUES)["responses"]
    batched = BENCH_VALUES / (time.perf_counter() - t0)
    # Values, not bytes: a set's wire order follows Python's hashing, which may differ between
    # two decodes of the same bytes.
    assert all(a["ok"] and a["value"] == BENCH_VALUE for a in got)
    measure(f"{peer.name}: roundtrip of a 10-field struct one by one", single, "values/s")
    measure(f"{peer.name}: roundtrip of a 10-field struct in one batch", batched, "values/s")
