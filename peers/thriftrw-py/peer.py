#!/usr/bin/env python3
"""thriftrw-py peer: Python thriftrw (1.9.0) behind the control channel of peers/README.md.

Run as `python peers/thriftrw-py/peer.py`; the harness talks to it over stdin/stdout. thriftrw is
a serializer only (binary protocol, no transports, no server), so the sockets here are plain
Python (peers/common/netio.py) and every byte of Thrift is produced and parsed by thriftrw:
`module.dumps.message` / `module.loads.message` for envelopes, `type_spec.read_from` and
`module.dumps` for bare structs.
"""

from __future__ import annotations

import importlib.util
import os
import platform
import sys
import time

STARTED = time.monotonic()
sys.dont_write_bytecode = True  # no __pycache__ in the work tree (or in a read-only container)
PEER_NAME = "thriftrw-py"
COMMON_MODULE = "_thrift_conform_peer_common"


def load_common() -> None:
    """Imports peers/common under a private name (also found beside this file, for containers)."""
    here = os.path.dirname(os.path.abspath(__file__))
    for cand in (os.path.join(here, "..", "common"), os.path.join(here, "common")):
        init = os.path.join(cand, "__init__.py")
        if os.path.isfile(init):
            spec = importlib.util.spec_from_file_location(COMMON_MODULE, init, submodule_search_locations=[os.path.abspath(cand)])
            mod = importlib.util.module_from_spec(spec)
            sys.modules[COMMON_MODULE] = mod
            spec.loader.exec_module(mod)
            return
    raise SystemExit(f"{PEER_NAME}: cannot find peers/common next to {here}")


load_common()

from _thrift_conform_peer_common import channel, netio, peerkit  # noqa: E402
from _thrift_conform_peer_common import handler as H  # noqa: E402
from _thrift_conform_peer_common import values as V  # noqa: E402
from _thrift_conform_peer_common.channel import PeerError  # noqa: E402

import thriftrw  # noqa: E402
from thriftrw._buffer import ReadBuffer  # noqa: E402
from thriftrw.errors import EndOfInputError, ThriftError, UnknownExceptionError  # noqa: E402
from thriftrw.loader import Loader  # noqa: E402
from thriftrw.protocol import BinaryProtocol  # noqa: E402
from thriftrw.spec import ExceptionTypeSpec, UnionTypeSpec  # noqa: E402
from thriftrw.wire import mtype  # noqa: E402

log = peerkit.make_logger(PEER_NAME)

ABILITIES = {
    "protocols": ["binary"],
    "transports": ["framed", "buffered"],
    # thriftrw reads both envelope forms but writes only the old, non-strict one.
    "envelopes": {"read": ["strict", "nonstrict"], "write": ["nonstrict"]},
    "dialect": "thriftrw",
    "features": {
        "uuid": False,
        "applicationException": False,  # EXCEPTION replies raise UnknownExceptionError; no server of its own
        "unions": True,  # exactly one field, checked on encode and decode
        "oneway": True,
        "serviceInheritance": False,  # service_spec.lookup() does not see the parent's functions
        "includes": True,  # only "./x.thrift" / "../x.thrift" paths
        "requiredFieldsChecked": True,  # decode and encode reject a missing required field
        "setsOfUnhashable": False,  # set<list|set|map|struct> and map<struct,...> cannot be read
        "typedefOfSet": False,  # `typedef set<...> X` fails to link: TypeSpec.surface raises NotImplementedError
        "implicitFieldIds": False,  # 'Field "a" of "S" does not have an explicit field ID'
        "scriptedAnswers": True,  # the answer/received ops (peers/README.md, "Scripted answers")
        "accelerated": False,
    },
}

BINARY = BinaryProtocol()
WORK = peerkit.WorkDir("thriftrw-peer-")
ONEWAY_LOG = H.OnewayLog()

# One Loader for the process (building thriftrw's ply parser takes ~40 ms). Loads never share a
# module: each load_idl writes into a new directory, and the compiler caches modules by path.
LOADER = Loader(protocol=BINARY)

# An empty struct: reading it with thriftrw skips a whole struct of any shape, which measures
# where a message body ends on a buffered (unframed) stream.
_SKIP_SPEC = LOADER.loads("skip", "struct Skip {}").Skip.type_spec


class Loaded:
    """One load_idl: the compiled module and the type descriptions made from it."""

    def __init__(self, handle: str, module):
        self.handle = handle
        self.module = module
        self.structs = {}

    # ---- type descriptions -------------------------------------------------------------------
    _PRIMS = {
        "_BoolTypeSpec": V.BOOL,
        "_ByteTypeSpec": V.I8,
        "_I16TypeSpec": V.I16,
        "_I32TypeSpec": V.I32,
        "_I64TypeSpec": V.I64,
        "_DoubleTypeSpec": V.DOUBLE,
        "_TextTypeSpec": V.STRING,
        "_BinaryTypeSpec": V.BINARY,
    }

    def type_desc(self, spec) -> V.TypeDesc:
        n = type(spec).__name__
        if n in self._PRIMS:
            return V.TypeDesc(self._PRIMS[n])
        if n == "TypedefTypeSpec":
            return self.type_desc(spec.target_spec)
        if n == "ListTypeSpec":
            return V.TypeDesc(V.LIST, elem=self.type_desc(spec.vspec))
        if n == "SetTypeSpec":
            return V.TypeDesc(V.SET, elem=self.type_desc(spec.vspec))
        if n == "MapTypeSpec":
            return V.TypeDesc(V.MAP, key=self.type_desc(spec.kspec), elem=self.type_desc(spec.vspec))
        if n == "EnumTypeSpec":
            return V.TypeDesc(V.ENUM, name=spec.name)
        if hasattr(spec, "fields"):
            return V.TypeDesc(V.STRUCT, struct=self.struct_desc(spec))
        raise PeerError("Unsupported", f"type spec {n} ({spec!r})")

    def struct_desc(self, spec) -> V.StructDesc:
        key = id(spec)
        if key in self.structs:
            return self.structs[key]
        kind = "union" if isinstance(spec, UnionTypeSpec) else "exception" if isinstance(spec, ExceptionTypeSpec) else "struct"
        cls = spec.surface
        mod = getattr(cls, "__thrift_module__", None)
        sd = V.StructDesc(name=spec.name, qualname=f"{getattr(mod, '__name__', '?')}.{spec.name}", kind=kind, cls=cls)
        self.structs[key] = sd  # before the fields: recursive types
        sd.fields = [V.FieldDesc(f.id, f.name, self.type_desc(f.spec)) for f in spec.fields]
        return sd

    # ---- name resolution ---------------------------------------------------------------------
    def resolve(self, dotted: str):
        obj = self.module
        for part in dotted.split("."):
            obj = getattr(obj, part, None)
            if obj is None or part.startswith("_"):
                return None
        return obj

    def service(self, name: str):
        svc = self.resolve(name)
        if svc is None or not hasattr(svc, "service_spec"):
            raise PeerError("UnknownService", f"no service {name!r} in module {self.handle}")
        return svc

    def function(self, svc, name: str):
        fspec = svc.service_spec.lookup(name)
        if fspec is None:
            raise PeerError("UnknownFunction", f"service {svc.service_spec.name} has no function {name!r} (thriftrw does not see inherited functions)")
        return fspec

    def function_info(self, fspec) -> H.FunctionInfo:
        params = self.struct_desc(fspec.args_spec).fields
        returns, exceptions = None, []
        if not fspec.oneway and fspec.result_spec is not None:
            for f in self.struct_desc(fspec.result_spec).fields:
                if f.id == 0:
                    returns = f.type
                else:
                    exceptions.append(f)
        return H.FunctionInfo(fspec.name, params, returns, exceptions, bool(fspec.oneway))

    def struct_type(self, name: str):
        """(class, StructDesc) for "Type", "include.Type" or "Service.fn.request|response"."""
        parts = name.split(".")
        if len(parts) >= 3 and parts[-1] in ("request", "response"):
            svc = self.service(".".join(parts[:-2]))
            fspec = self.function(svc, parts[-2])
            cls = getattr(fspec.surface, parts[-1])
            if cls is None:
                raise PeerError("UnknownType", f"{name}: a oneway function has no response")
            return cls, self.struct_desc(cls.type_spec)
        cls = self.resolve(name)
        spec = getattr(cls, "type_spec", None)
        if spec is None or not hasattr(spec, "fields"):
            raise PeerError("UnknownType", f"no struct, union or exception {name!r} in module {self.handle}")
        return cls, self.struct_desc(spec)


MODULES = {}


def loaded(req) -> Loaded:
    handle = peerkit.param(req, "module", str)
    if handle not in MODULES:
        raise PeerError("UnknownModule", f"no module {handle!r}; load_idl first")
    return MODULES[handle]


def check_protocol(req) -> None:
    p = peerkit.choice(req, "protocol", peerkit.PROTOCOLS, "binary")
    if p != "binary":
        raise PeerError("Unsupported", f"{PEER_NAME} supports only the binary protocol, not {p}")


def check_envelope(req) -> None:
    e = peerkit.choice(req, "envelope", peerkit.ENVELOPES, "nonstrict")
    if e != "nonstrict":
        raise PeerError("Unsupported", f"{PEER_NAME} writes only non-strict envelopes (thriftrw has no strict writer)")


# ---- envelopes on a buffered stream ---------------------------------------------------------


def header_length(buf: bytes):
    """Length of the binary-protocol message header at the start of buf, or None if incomplete."""
    if len(buf) < 4:
        return None
    size = int.from_bytes(buf[:4], "big", signed=True)
    if size < 0:  # strict: versionAndType:4 name~4 seqid:4
        if len(buf) < 8:
            return None
        nlen = int.from_bytes(buf[4:8], "big", signed=True)
        if nlen < 0 or nlen > netio.MAX_MESSAGE_BYTES:
            raise netio.MessageError(f"bad method name length {nlen}")
        return 8 + nlen + 4
    if size > netio.MAX_MESSAGE_BYTES:
        raise netio.MessageError(f"bad method name length {size}")
    return 4 + size + 1 + 4  # non-strict: name~4 type:1 seqid:4


def measure_message(buf: bytes):
    head = header_length(buf)
    if head is None or len(buf) < head:
        return None
    rb = ReadBuffer(bytes(buf[head:]))
    try:
        _SKIP_SPEC.read_from(BINARY.reader(rb))
    except EndOfInputError:
        return None
    except Exception as e:  # noqa: BLE001 - thriftrw cannot read it: the stream is broken
        raise netio.MessageError(f"undecodable message body: {type(e).__name__}: {e}") from e
    return len(buf) - rb.available


# ---- ops ------------------------------------------------------------------------------------


def op_hello(req):
    return {
        "name": PEER_NAME,
        "version": thriftrw.__version__,
        "library": "thriftrw (Python)",
        "python": platform.python_version(),
        "abilities": ABILITIES,
        "startupMs": round((time.monotonic() - STARTED) * 1000, 1),
    }


def op_load_idl(req):
    root = WORK.new("idl")
    entry = peerkit.write_idl_files(root, req)
    name = os.path.splitext(os.path.basename(entry))[0] or "idl"
    try:
        module = LOADER.load(entry, name=name)  # a new path: a new module
    except ThriftError as e:
        raise PeerError("IdlError", str(e)) from e
    except Exception as e:  # noqa: BLE001 - anything the compiler throws is an IDL error to us
        raise PeerError("IdlError", f"{type(e).__name__}: {e}", e) from e
    handle = f"m{len(MODULES) + 1}"
    ld = Loaded(handle, module)
    MODULES[handle] = ld
    types = sorted(t.type_spec.name for t in module.__types__ if hasattr(t, "type_spec"))
    services = [
        {
            "name": s.service_spec.name,
            "functions": [f.name for f in s.service_spec.functions],
            "extends": s.service_spec.parent.name if s.service_spec.parent is not None else None,
        }
        for s in module.__services__
    ]
    return {"module": handle, "types": types, "services": services}


def op_roundtrip(req):
    ld = loaded(req)
    check_protocol(req)
    cls, desc = ld.struct_type(peerkit.param(req, "type", str))
    data = peerkit.b64param(req, "bytes")
    rb = ReadBuffer(data)
    try:
        obj = cls.type_spec.read_from(BINARY.reader(rb))  # what module.loads(cls, data) does
    except Exception as e:  # noqa: BLE001
        raise PeerError("DecodeError", f"{type(e).__name__}: {e}", e) from e
    trailing = rb.available
    try:
        value = V.struct_to_json(desc, obj)
    except V.ValueError_ as e:
        raise PeerError("DecodeError", str(e), e) from e
    try:
        out = ld.module.dumps(obj)
    except Exception as e:  # noqa: BLE001
        raise PeerError("EncodeError", f"{type(e).__name__}: {e}", e) from e
    return {"value": value, "bytes": peerkit.b64(out), "trailing": trailing}


def build(desc: V.StructDesc, value):
    try:
        return V.struct_from_json(desc, value)
    except V.ValueError_ as e:
        raise PeerError("EncodeError", str(e), e) from e


def op_encode(req):
    ld = loaded(req)
    check_protocol(req)
    _, desc = ld.struct_type(peerkit.param(req, "type", str))
    obj = build(desc, req.get("value"))
    try:
        out = ld.module.dumps(obj)
    except Exception as e:  # noqa: BLE001
        raise PeerError("EncodeError", f"{type(e).__name__}: {e}", e) from e
    return {"bytes": peerkit.b64(out)}


def op_serve(req):
    ld = loaded(req)
    check_protocol(req)
    check_envelope(req)
    transport = netio.check_transport(peerkit.param(req, "transport", str, "framed"))
    svc = ld.service(peerkit.param(req, "service", str))
    impl = peerkit.param(req, "impl", str, None)
    dispatcher = H.Dispatcher(svc.service_spec.name, impl, ONEWAY_LOG)

    def serve_conn(sock):
        stream = netio.MessageStream(sock, transport, measure_message)
        while True:
            payload = stream.read()
            try:
                msg = ld.module.loads.message(svc, payload)
            except Exception as e:  # noqa: BLE001 - thriftrw has no error reply: hang up
                log(f"server {server.port}: cannot read request ({type(e).__name__}: {e}); closing the connection")
                return
            fspec = svc.service_spec.lookup(msg.name.decode("utf-8", "replace"))
            fn = ld.function_info(fspec)
            args = {p.name: getattr(msg.body, p.name, None) for p in fn.params}
            outcome = dispatcher.decide(fn, args)
            if fn.oneway or msg.message_type == mtype.ONEWAY:
                continue
            response = fspec.surface.response
            try:
                if outcome.kind == "return":
                    body = response(success=outcome.value)
                elif outcome.kind == "void":
                    body = response()
                elif outcome.kind == "raise":
                    body = response(**{outcome.field.name: H.exception_value(outcome)})
                else:
                    raise H.HandlerFailure(outcome.message)
                reply = ld.module.dumps.message(body, msg.seqid)
            except Exception as e:  # noqa: BLE001 - no TApplicationException in thriftrw: hang up
                log(f"server {server.port}: handler failed for {fn.name} ({type(e).__name__}: {e}); closing the connection")
                return
            stream.write(reply)

    server = netio.ThreadedServer(serve_conn, log)
    dispatcher.port = server.port
    SERVERS[server.port] = server
    log(f"serving {svc.service_spec.name} of {ld.handle} on 127.0.0.1:{server.port} ({transport}, impl={impl})")
    return {"port": server.port}


SERVERS = {}


def call_once(ld, svc, fspec, fn, stream, request_obj, seqid):
    stream.write(ld.module.dumps.message(request_obj, seqid))
    if fn.oneway:
        return {"result": None}
    try:
        raw = stream.read()
    except netio.ConnectionClosed as e:
        raise PeerError("TransportError", f"{fn.name}: the server closed the connection without a reply", e) from e
    try:
        msg = ld.module.loads.message(svc, raw)
    except UnknownExceptionError as e:
        head = header_length(raw) or 0
        hdr = e.thrift_response if hasattr(e, "thrift_response") else None
        return {
            "unknownException": {
                "name": (hdr.name.decode("utf-8", "replace") if hdr is not None else None),
                "seqid": (hdr.seqid if hdr is not None else None),
                "body": peerkit.b64(raw[head:]),
            }
        }
    except Exception as e:  # noqa: BLE001
        raise PeerError("DecodeError", f"reply to {fn.name}: {type(e).__name__}: {e}", e) from e
    resp_desc = ld.struct_desc(fspec.result_spec)
    for f in resp_desc.fields:
        v = getattr(msg.body, f.name, None)
        if v is None:
            continue
        if f.id == 0:
            return {"result": V.to_json(f.type, v, "result")}
        return {"exception": {"type": f.type.struct.name, "field": f.name, "value": V.struct_to_json(f.type.struct, v)}}
    return {"result": None}


def op_call(req):
    ld = loaded(req)
    check_protocol(req)
    check_envelope(req)
    transport = netio.check_transport(peerkit.param(req, "transport", str, "framed"))
    svc = ld.service(peerkit.param(req, "service", str))
    fspec = ld.function(svc, peerkit.param(req, "function", str))
    fn = ld.function_info(fspec)
    request_obj = build(ld.struct_desc(fspec.args_spec), peerkit.param(req, "args", dict, {}))
    seqid = peerkit.param(req, "seqid", int, 0)
    repeat = peerkit.param(req, "repeat", int, 1)
    sock = netio.connect(peerkit.param(req, "host", str, "127.0.0.1"), peerkit.param(req, "port", int))
    try:
        stream = netio.MessageStream(sock, transport, measure_message)
        t0 = time.perf_counter()
        for _ in range(max(1, repeat)):
            result = call_once(ld, svc, fspec, fn, stream, request_obj, seqid)
        elapsed = time.perf_counter() - t0
    except (OSError, netio.MessageError) as e:
        raise PeerError("TransportError", f"{fn.name}: {type(e).__name__}: {e}", e) from e
    finally:
        sock.close()
    if repeat > 1:
        result["repeat"] = repeat
        result["elapsedMs"] = round(elapsed * 1000, 3)
    return result


def op_oneway_log(req):
    return {"calls": ONEWAY_LOG.take(bool(peerkit.param(req, "clear", bool, False)))}


def op_stop(req):
    port = peerkit.param(req, "port", int)
    server = SERVERS.pop(port, None)
    if server is None:
        raise PeerError("BadRequest", f"no server on port {port}")
    server.close()
    return {}


def op_shutdown(req):
    return {}


OPS = {
    "hello": op_hello,
    "load_idl": op_load_idl,
    "serve": op_serve,
    "stop": op_stop,
    "call": op_call,
    "roundtrip": op_roundtrip,
    "encode": op_encode,
    "oneway_log": op_oneway_log,
    "answer": H.op_answer,
    "received": H.op_received,
    "shutdown": op_shutdown,
}


def main() -> int:
    log(f"thriftrw {thriftrw.__version__} on Python {platform.python_version()}; pid {os.getpid()}")
    return channel.run(OPS, log)


if __name__ == "__main__":
    sys.exit(main())
