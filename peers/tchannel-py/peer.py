#!/usr/bin/env python3
"""tchannel-py peer: Uber's Python TChannel (PyPI tchannel 2.1.0, on tornado 4.5.3) with its
Thrift arg scheme, behind the control channel of peers/README.md.

Run as `python peers/tchannel-py/peer.py` with the virtualenv that peers/tchannel-py/setup.sh
makes. Thrift over TChannel has no envelope: arg1 is `Service::function`, arg2 the application
headers, arg3 the bare argument or result struct. tchannel-py encodes and decodes arg3 with
thriftrw (1.9.0, its own dependency), so everything that is only thriftrw — load_idl, encode,
roundtrip, the JSON value encoding — is the thriftrw-py peer's code (peers/thriftrw-py/peer.py,
imported here as a module), run against the thriftrw in this peer's virtualenv. What this file
adds is TChannel: `serve` registers one handler per function with `TChannel.thrift.register`,
and `call` sends with `TChannel.thrift(...)`; both run on a tornado IOLoop in a background
thread (threadloop, another tchannel dependency), because the control channel is synchronous.

TChannel has no framed/buffered transports, no envelopes, no TApplicationException and no oneway
calls (`OneWayNotSupportedError`): unknown functions and handler failures are TChannel error
frames, answered to `call` as {"tchannelError": {"code", "type", "message"}}.
"""

from __future__ import annotations

import importlib.util
import os
import platform
import sys
import time

STARTED = time.monotonic()
sys.dont_write_bytecode = True  # no __pycache__ in the work tree (or in a read-only container)
PEER_NAME = os.environ.get("THRIFT_CONFORM_PEER") or "tchannel-py"
THRIFTRW_PEER_MODULE = "_thrift_conform_thriftrw_py_peer"

#: How long `serve` waits for the server to listen, and `stop` for it to close.
SERVER_START_TIMEOUT_S = 10.0
#: The TTL of a call when the request gives no `ttlMs` (tchannel-py's own default is 30 s too).
DEFAULT_TTL_MS = 30_000
#: The caller name (`cn` transport header) of this peer's client.
CALLER_NAME = "thrift-conform-tchannel-py"

# TChannel's error codes (uber/tchannel docs/protocol.md, "Code") and the names the control
# protocol gives them.
ERROR_TYPES = {
    0x01: "Timeout",
    0x02: "Cancelled",
    0x03: "Busy",
    0x04: "Declined",
    0x05: "UnexpectedError",
    0x06: "BadRequest",
    0x07: "NetworkError",
    0x08: "Unhealthy",
    0xFF: "ProtocolError",
}


def load_thriftrw_peer():
    """Imports the thriftrw-py peer's program as a module (it runs nothing when imported): its
    peers/common import, thriftrw loader, type descriptions and the load_idl/encode/roundtrip ops.
    Found beside this folder (the repository and the container keep the same layout)."""
    here = os.path.dirname(os.path.abspath(__file__))
    path = os.path.join(here, "..", "thriftrw-py", "peer.py")
    if not os.path.isfile(path):
        raise SystemExit(f"{PEER_NAME}: cannot find peers/thriftrw-py/peer.py next to {here}")
    spec = importlib.util.spec_from_file_location(THRIFTRW_PEER_MODULE, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[THRIFTRW_PEER_MODULE] = mod
    spec.loader.exec_module(mod)
    return mod


RW = load_thriftrw_peer()

from _thrift_conform_peer_common import channel, peerkit  # noqa: E402
from _thrift_conform_peer_common import handler as H  # noqa: E402
from _thrift_conform_peer_common import values as V  # noqa: E402
from _thrift_conform_peer_common.channel import PeerError  # noqa: E402

import tchannel  # noqa: E402
import thriftrw  # noqa: E402
import tornado  # noqa: E402
from threadloop import ThreadLoop  # noqa: E402
from tchannel import TChannel  # noqa: E402
from tchannel.errors import TChannelError  # noqa: E402
from tchannel.response import Response  # noqa: E402
from tchannel.thrift.rw import ThriftRWRequest, TChannelThriftModule  # noqa: E402
from tornado import gen  # noqa: E402

log = peerkit.make_logger(PEER_NAME)

ABILITIES = {
    "protocols": ["binary"],  # the Thrift arg scheme is binary only
    "transports": ["tchannel"],  # tchannel-py has no framed or buffered Thrift transport
    # No envelope on TChannel: reads and writes are those of the plain struct (thriftrw's).
    "envelopes": {"read": [], "write": []},
    "dialect": "thriftrw",
    "features": {
        "uuid": False,
        "applicationException": False,  # failures are TChannel error frames, not TApplicationException
        "unions": True,  # thriftrw: exactly one field, checked on encode and decode
        "oneway": False,  # OneWayNotSupportedError: TChannel+Thrift has no oneway calls
        "serviceInheritance": True,  # tchannel's Service wraps the parent's functions (Child::parentFn)
        "includes": True,  # only "./x.thrift" / "../x.thrift" paths (thriftrw)
        "requiredFieldsChecked": True,
        "setsOfUnhashable": False,
        "typedefOfSet": False,
        "accelerated": False,
    },
}

LOOP = ThreadLoop()
#: port -> the server's TChannel
SERVERS = {}


def run_on_loop(coro_fn, *args, timeout=None):
    """Runs a tornado coroutine function on the peer's IOLoop thread and waits for its result
    (re-raising what it raised)."""
    if not LOOP.is_ready():
        LOOP.start()
    return LOOP.submit(coro_fn, *args).result(timeout)


def check_protocol(req) -> None:
    """Only the binary protocol (the Thrift arg scheme's); `Unsupported` otherwise."""
    p = peerkit.choice(req, "protocol", peerkit.PROTOCOLS, "binary")
    if p != "binary":
        raise PeerError("Unsupported", f"{PEER_NAME}: TChannel's Thrift arg scheme is binary only, not {p}")


def check_transport(req) -> None:
    """Only `tchannel` (the default here); `Unsupported` for framed/buffered."""
    t = peerkit.param(req, "transport", str, "tchannel")
    if t != "tchannel":
        raise PeerError("Unsupported", f"{PEER_NAME} speaks Thrift only over TChannel, not the {t} transport")


def string_map(req, name: str) -> dict:
    """A parameter that must be an object of strings (application headers)."""
    m = peerkit.param(req, name, dict, {})
    for k, v in m.items():
        if not isinstance(v, str):
            raise PeerError("BadRequest", f"parameter {name!r}: the value of {k!r} must be a string")
    return m


def op_hello(req):
    return {
        "name": PEER_NAME,
        "version": tchannel.__version__,
        "library": "tchannel (Python, PyPI)",
        "thriftrw": thriftrw.__version__,
        "tornado": tornado.version,
        "python": platform.python_version(),
        "abilities": ABILITIES,
        "startupMs": round((time.monotonic() - STARTED) * 1000, 1),
    }


def make_handler(ld, dispatcher, fspec, fn):
    """The handler of one function: the dispatcher's outcome, with the request's application
    headers echoed in the response; a declared exception is raised (tchannel answers it with
    response code 0x01 and no headers); a failure raises HandlerFailure (an UnexpectedError
    error frame)."""

    def handle(request):
        args = {p.name: getattr(request.body, p.name, None) for p in fn.params}
        outcome = dispatcher.decide(fn, args)
        headers = dict(request.headers or {})
        if outcome.kind == "return":
            return Response(body=outcome.value, headers=headers)
        if outcome.kind == "void":
            return Response(body=None, headers=headers)
        if outcome.kind == "raise":
            raise H.exception_value(outcome)
        log(f"server {dispatcher.port}: {outcome.message}")
        raise H.HandlerFailure(outcome.message)

    handle.__name__ = fspec.name
    return handle


def tchannel_target(req):
    """The loaded module, the Thrift service, its name and the TChannel service name of a
    serve/call request (BadRequest/Unsupported/UnknownService as peers/README.md says)."""
    ld = RW.loaded(req)
    check_protocol(req)
    check_transport(req)
    svc = ld.service(peerkit.param(req, "service", str))
    name = svc.service_spec.name
    return ld, svc, name, peerkit.param(req, "tchannelService", str, name)


def op_serve(req):
    ld, svc, name, service_name = tchannel_target(req)
    impl = peerkit.param(req, "impl", str, None)
    dispatcher = H.Dispatcher(name, impl, RW.ONEWAY_LOG)
    wrapped = getattr(TChannelThriftModule(service_name, ld.module), name)

    @gen.coroutine
    def start():
        tch = TChannel(name=service_name, hostport="127.0.0.1:0")
        spec = svc.service_spec
        chain = []
        while spec is not None:  # the service's own functions, then its ancestors'
            chain.append(spec)
            spec = spec.parent
        for s in chain:
            for fspec in s.functions:
                if fspec.oneway:
                    continue  # tchannel refuses to register oneway functions
                fn = ld.function_info(fspec)
                tch.thrift.register(wrapped, method=fspec.name, handler=make_handler(ld, dispatcher, fspec, fn))
        tch.listen()
        raise gen.Return(tch)

    tch = run_on_loop(start, timeout=SERVER_START_TIMEOUT_S)
    port = int(tch.hostport.rsplit(":", 1)[1])
    dispatcher.port = port
    SERVERS[port] = tch
    log(f"serving {name} of {ld.handle} as TChannel service {service_name!r} on {tch.hostport} (impl={impl})")
    return {"port": port}


def error_answer(e: TChannelError) -> dict:
    """A TChannel error (an error frame, a timeout, a lost connection) as the `call` answer."""
    code = e.code if isinstance(e.code, int) else 0
    return {"tchannelError": {"code": code, "type": ERROR_TYPES.get(code, type(e).__name__), "message": str(e.description if hasattr(e, "description") and e.description else e)}}


def op_call(req):
    ld, svc, name, service_name = tchannel_target(req)
    fspec = ld.function(svc, peerkit.param(req, "function", str))
    fn = ld.function_info(fspec)
    if fn.oneway:
        raise PeerError("Unsupported", f"{PEER_NAME}: tchannel has no oneway calls (OneWayNotSupportedError)")
    headers = string_map(req, "headers")
    ttl_ms = peerkit.param(req, "ttlMs", int, DEFAULT_TTL_MS)
    repeat = max(1, peerkit.param(req, "repeat", int, 1))
    host = netio_host(peerkit.param(req, "host", str, "127.0.0.1"))
    port = peerkit.param(req, "port", int)
    call_args = RW.build(ld.struct_desc(fspec.args_spec), peerkit.param(req, "args", dict, {}))
    module = TChannelThriftModule(service_name, ld.module, f"{host}:{port}")
    request = ThriftRWRequest(
        module=module,
        service=service_name,
        endpoint=f"{name}::{fspec.name}",
        result_type=fspec.surface.response,
        call_args=call_args,
        hostport=f"{host}:{port}",
    )
    result_desc = ld.struct_desc(fspec.result_spec)

    @gen.coroutine
    def send():
        tch = TChannel(name=CALLER_NAME)
        answer = None
        t0 = time.perf_counter()
        try:
            for _ in range(repeat):
                try:
                    resp = yield tch.thrift(request, headers=headers, timeout=ttl_ms / 1000.0, retry_limit=0)
                except TChannelError as e:
                    answer = error_answer(e)
                    continue
                except Exception as e:  # noqa: BLE001 - a declared exception is raised by read_body
                    answer = exception_answer(result_desc, fspec.name, e)
                    continue
                answer = {"result": None if fn.returns is None else V.to_json(fn.returns, resp.body, "result"), "headers": dict(resp.headers or {})}
        finally:
            tch.close()
        if repeat > 1:
            answer["repeat"] = repeat
            answer["elapsedMs"] = round((time.perf_counter() - t0) * 1000, 3)
        raise gen.Return(answer)

    return run_on_loop(send)


def exception_answer(result_desc: V.StructDesc, function: str, e: Exception) -> dict:
    """A declared exception raised by the client as the `call` answer. Anything else came from
    reading the reply (thriftrw could not decode it): DecodeError."""
    for f in result_desc.fields:
        if f.id != 0 and f.type.struct is not None and isinstance(e, f.type.struct.cls):
            return {"exception": {"type": f.type.struct.name, "field": f.name, "value": V.struct_to_json(f.type.struct, e)}}
    raise PeerError("DecodeError", f"reply to {function}: {type(e).__name__}: {e}", e) from e


def netio_host(host: str) -> str:
    """The host, which must be a loopback address (BadRequest otherwise)."""
    return RW.netio.check_host(host)


def op_stop(req):
    port = peerkit.param(req, "port", int)
    tch = SERVERS.pop(port, None)
    if tch is None:
        raise PeerError("BadRequest", f"no server on port {port}")

    @gen.coroutine
    def close():
        tch.close()

    run_on_loop(close, timeout=SERVER_START_TIMEOUT_S)
    return {}


OPS = {
    "hello": op_hello,
    "load_idl": RW.op_load_idl,
    "serve": op_serve,
    "stop": op_stop,
    "call": op_call,
    "roundtrip": RW.op_roundtrip,
    "encode": RW.op_encode,
    "oneway_log": RW.op_oneway_log,
    "shutdown": RW.op_shutdown,
}


def main() -> int:
    log(f"tchannel {tchannel.__version__} (thriftrw {thriftrw.__version__}, tornado {tornado.version}) on Python {platform.python_version()}; pid {os.getpid()}")
    return channel.run(OPS, log)


if __name__ == "__main__":
    sys.exit(main())
