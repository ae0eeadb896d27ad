"""The scripted-answer ops (`answer`, `received`; peers/README.md, "Scripted answers") in every
Python peer: a server answers the next call of a function with what it was told (a result, a
declared exception, or nothing), records what it received, and falls back to the generic rules
when nothing is queued."""

import time

import pytest

from idls import load

SCRIPTED = """
exception NotFound {
  1: required string key
  2: optional i64 at
}

struct Item {
  1: required string name
  2: optional list<i32> sizes
}

service Store {
  Item get(1: string key, 2: i32 version) throws (1: NotFound notFound)
  void put(1: string key, 2: Item item)
  oneway void touch(1: string key)
}
"""

PEERS = ["thriftrw", "apache", "thriftpy2"]
#: Seconds to wait for a oneway call to reach the server.
ONEWAY_WAIT_S = 10.0


@pytest.fixture(params=PEERS)
def peer(request):
    return request.getfixturevalue(request.param)


def serve(peer, transport="framed"):
    module = load(peer, SCRIPTED, "scripted.thrift")
    port = peer.ok("serve", module=module, service="Store", protocol="binary", transport=transport)["port"]
    return module, port


def call(peer, module, port, function, args, transport="framed"):
    return peer.ok(
        "call", module=module, service="Store", function=function, args=args,
        host="127.0.0.1", port=port, protocol="binary", transport=transport,
    )


def strip(resp):
    return {k: v for k, v in resp.items() if k not in ("id", "ok")}


@pytest.mark.parametrize("transport", ["framed", "buffered"])
def test_result_is_answered_and_args_recorded(peer, transport):
    module, port = serve(peer, transport)
    item = {"name": "x\u00e9", "sizes": [1, -2147483648]}
    assert strip(peer.ok("answer", port=port, function="get", answer={"result": item})) == {"queued": 1}
    got = call(peer, module, port, "get", {"key": "k1", "version": 7}, transport)
    assert strip(got) == {"result": item}
    calls = peer.ok("received", port=port)["calls"]
    assert calls == [{"function": "get", "args": {"key": "k1", "version": 7}, "oneway": False}]
    # read once: the log is emptied
    assert peer.ok("received", port=port)["calls"] == []


def test_declared_exception_is_raised(peer):
    module, port = serve(peer)
    peer.ok("answer", port=port, function="get",
            answer={"exception": {"field": "notFound", "value": {"key": "gone", "at": {"$i64": "-9223372036854775808"}}}})
    got = strip(call(peer, module, port, "get", {"key": "gone", "version": 0}))
    assert got == {"exception": {"type": "NotFound", "field": "notFound",
                                 "value": {"key": "gone", "at": {"$i64": "-9223372036854775808"}}}}


def test_answers_queue_in_order_per_function(peer):
    module, port = serve(peer)
    peer.ok("answer", port=port, function="get", answer={"result": {"name": "first"}})
    assert peer.ok("answer", port=port, function="get", answer={"result": {"name": "second"}})["queued"] == 2
    peer.ok("answer", port=port, function="put", answer={"none": True})
    assert call(peer, module, port, "put", {"key": "a", "item": {"name": "i"}})["result"] is None
    assert call(peer, module, port, "get", {"key": "a", "version": 1})["result"] == {"name": "first"}
    assert call(peer, module, port, "get", {"key": "b", "version": 2})["result"] == {"name": "second"}
    calls = peer.ok("received", port=port)["calls"]
    assert [c["function"] for c in calls] == ["put", "get", "get"]
    assert calls[0]["args"] == {"key": "a", "item": {"name": "i"}}


def test_oneway_is_received(peer):
    module, port = serve(peer)
    peer.ok("answer", port=port, function="touch", answer={"none": True})
    assert call(peer, module, port, "touch", {"key": "t"})["result"] is None
    deadline = time.monotonic() + ONEWAY_WAIT_S
    calls = []
    while not calls and time.monotonic() < deadline:
        calls = peer.ok("received", port=port)["calls"]
        time.sleep(0.02)
    assert calls == [{"function": "touch", "args": {"key": "t"}, "oneway": True}]


def test_nothing_queued_falls_back_to_the_generic_rules(peer):
    module, port = serve(peer)
    # no scripted answer: the generic rules (void returns nothing)
    assert call(peer, module, port, "put", {"key": "a", "item": {"name": "i"}})["result"] is None
    assert peer.ok("received", port=port)["calls"] == []  # not scripted yet: nothing recorded


PORT = object()  # stands for the port `serve` answered


@pytest.mark.parametrize(
    "params, words",
    [
        ({"port": 1, "function": "get", "answer": {"none": True}}, "no server on port 1"),
        ({"function": "get", "answer": {"none": True}}, "'port'"),
        ({"port": PORT, "function": "", "answer": {"none": True}}, "'function'"),
        ({"port": PORT, "function": "get", "answer": {"bogus": 1}}, "unknown kind"),
        ({"port": PORT, "function": "get", "answer": {"none": True, "result": 1}}, "one of"),
        ({"port": PORT, "function": "get", "answer": {"exception": {"value": {}}}}, '"field"'),
    ],
)
def test_bad_requests_are_refused(peer, params, words):
    _, port = serve(peer)
    resp = peer.request("answer", **{k: port if v is PORT else v for k, v in params.items()})
    assert resp["ok"] is False, resp
    assert resp["error"]["type"] == "BadRequest"
    assert words in resp["error"]["message"]


def test_reset_drops_what_is_still_queued(peer):
    module, port = serve(peer)
    peer.ok("answer", port=port, function="get", answer={"result": {"name": "stale"}})
    assert peer.ok("answer", port=port, function="get", answer={"result": {"name": "fresh"}}, reset=True)["queued"] == 1
    assert call(peer, module, port, "get", {"key": "a", "version": 1})["result"] == {"name": "fresh"}
    resp = peer.request("answer", port=port, function="get", answer={"none": True}, reset="yes")
    assert resp["ok"] is False and "'reset'" in resp["error"]["message"]
