#!/usr/bin/env python3
"""thriftpy2 peer: the Python library thriftpy2 (0.7.1, PyPI) behind the control channel of
peers/README.md.

Run as `python peers/thriftpy2/peer.py` with the virtualenv that peers/thriftpy2/setup.sh makes.
thriftpy2 has no code generator: `thriftpy2.load(path, module_name=...)` parses the IDL at run time
into a module of classes (a unique module name per load, so loads never share a module or its
included modules). Everything on the wire is thriftpy2's: its binary protocol (pure Python by
default, the Cython `cybin` with `"accelerated": true`) and compact protocol (pure Python only),
its framed and buffered transports, its TThreadedServer with a TProcessor, and its TClient.
"""

from __future__ import annotations

import importlib.util
import os
import platform
import socket
import sys
import threading
import time

STARTED = time.monotonic()
sys.dont_write_bytecode = True  # no __pycache__ in the work tree (or in a read-only container)
PEER_NAME = os.environ.get("THRIFT_CONFORM_PEER") or "thriftpy2"
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

import thriftpy2  # noqa: E402
from thriftpy2._compat import CYTHON  # noqa: E402
from thriftpy2.parser.exc import ThriftParserError  # noqa: E402
from thriftpy2.protocol.binary import TBinaryProtocol  # noqa: E402  (pure Python)
from thriftpy2.protocol.compact import TCompactProtocol  # noqa: E402  (pure Python; no Cython variant)
from thriftpy2.server import TThreadedServer  # noqa: E402
from thriftpy2.thrift import TApplicationException, TClient, TException, TProcessor, TType, args_to_kwargs  # noqa: E402
from thriftpy2.transport import TServerSocket, TSocket, TTransportException  # noqa: E402
from thriftpy2.transport.buffered import TBufferedTransport  # noqa: E402  (pure Python)
from thriftpy2.transport.framed import TFramedTransport  # noqa: E402  (pure Python)
from thriftpy2.transport.memory import TMemoryBuffer  # noqa: E402  (pure Python)

if CYTHON:
    from thriftpy2.protocol.cybin import TCyBinaryProtocol  # noqa: E402
    from thriftpy2.transport.buffered import TCyBufferedTransport  # noqa: E402
    from thriftpy2.transport.framed import TCyFramedTransport  # noqa: E402
    from thriftpy2.transport.memory import TCyMemoryBuffer  # noqa: E402

log = peerkit.make_logger(PEER_NAME)

#: Peer option default for "accelerated" (the Cython binary protocol and transports). thriftpy2
#: itself uses them by default on CPython; the peer's default is pure Python, like apache-py's.
#: THRIFTPY2_PEER_ACCELERATED=1 makes the Cython path the default (for comparing the two).
ACCELERATED_DEFAULT = os.environ.get("THRIFTPY2_PEER_ACCELERATED") == "1"

ABILITIES = {
    "protocols": ["binary", "compact"],
    "transports": ["framed", "buffered"],
    # Writes both forms; reads both (servers and clients are made with strict_read=False unless
    # the request says "strictRead": true; thriftpy2's own default is strict_read=True).
    "envelopes": {"read": ["strict", "nonstrict"], "write": ["strict", "nonstrict"]},
    "dialect": "apache",  # a field without required/optional is "default" requiredness
    "features": {
        "uuid": False,  # thriftpy2 0.7.1's parser has no uuid type
        "applicationException": True,  # servers answer UNKNOWN_METHOD; clients decode TApplicationException
        "unions": False,  # a union is a plain struct: no exactly-one check on either side
        "oneway": True,
        "serviceInheritance": True,
        "includes": True,
        "requiredFieldsChecked": False,  # neither encode nor decode checks required fields
        "setsOfUnhashable": False,  # sets are read as lists (fine), but a map keyed by a list/set cannot be held
        "typedefOfSet": True,
        "implicitFieldIds": True,  # fields without ids load and get -1, -2, …
        "scriptedAnswers": True,  # the answer/received ops (peers/README.md, "Scripted answers")
        "accelerated": CYTHON,  # option "accelerated": true uses protocol.cybin and the Cython transports
    },
}

WORK = peerkit.WorkDir("thriftpy2-peer-")


def cache_parse_tables() -> bool:
    """thriftpy2 builds its PLY parser anew for every file it parses (yacc.yacc(debug=False,
    write_tables=False) in thriftpy2/parser/parser.py), and computing the LALR tables is ~90% of
    a load. PLY first looks for a table module (here `thriftpy2.parser.parsetab`) and uses it when
    its grammar signature matches. So the tables are computed once, written into this process's
    temp dir and registered under that name: the same parser, built from the same grammar, in
    about a millisecond instead of ~50. Any failure just leaves thriftpy2 computing them."""
    try:
        import ply.yacc
        from thriftpy2.parser import parser as tp2_parser

        outdir = WORK.new("parsetab")
        ply.yacc.yacc(module=tp2_parser, debug=False, write_tables=True, outputdir=outdir, tabmodule="tp2_parsetab",
                      errorlog=ply.yacc.NullLogger())
        spec = importlib.util.spec_from_file_location("thriftpy2.parser.parsetab", os.path.join(outdir, "tp2_parsetab.py"))
        tab = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(tab)
        sys.modules["thriftpy2.parser.parsetab"] = tab
        return True
    except Exception as e:  # noqa: BLE001 - only a cache
        log(f"parser tables not cached ({type(e).__name__}: {e}); every load computes them")
        return False


PARSE_TABLES_CACHED = cache_parse_tables()
ONEWAY_LOG = H.OnewayLog()
LOAD_LOCK = threading.Lock()
SIMPLE_KINDS = {
    TType.BOOL: V.BOOL,
    TType.BYTE: V.I8,
    TType.I16: V.I16,
    TType.I32: V.I32,
    TType.I64: V.I64,
    TType.DOUBLE: V.DOUBLE,
    TType.STRING: V.STRING,
    TType.BINARY: V.BINARY,
}


# ---- protocols and transports ---------------------------------------------------------------


class Wire:
    """The protocol and transport settings of one request, as thriftpy2 objects."""

    def __init__(self, req, with_envelope: bool):
        self.protocol = peerkit.choice(req, "protocol", peerkit.PROTOCOLS, "binary")
        self.accelerated = bool(peerkit.param(req, "accelerated", bool, ACCELERATED_DEFAULT))
        if self.accelerated and not CYTHON:
            raise PeerError("Unsupported", "accelerated: thriftpy2's Cython extensions are not installed")
        if self.accelerated and self.protocol == "compact":
            raise PeerError("Unsupported", "accelerated: thriftpy2 has no Cython compact protocol")
        self.strict_write, self.strict_read = True, False
        self.transport = "framed"
        if with_envelope:
            self.strict_write = peerkit.choice(req, "envelope", peerkit.ENVELOPES, "strict") == "strict"
            self.strict_read = bool(peerkit.param(req, "strictRead", bool, False))
            self.transport = netio.check_transport(peerkit.param(req, "transport", str, "framed"))

    def protocol_for(self, trans):
        if self.protocol == "compact":
            return TCompactProtocol(trans)
        cls = TCyBinaryProtocol if self.accelerated else TBinaryProtocol
        return cls(trans, strict_read=self.strict_read, strict_write=self.strict_write)

    def transport_for(self, sock):
        if self.transport == "framed":
            return (TCyFramedTransport if self.accelerated else TFramedTransport)(sock)
        return (TCyBufferedTransport if self.accelerated else TBufferedTransport)(sock)

    def memory(self, data=None):
        if self.accelerated:
            return TCyMemoryBuffer(data) if data is not None else TCyMemoryBuffer()
        return TMemoryBuffer(data) if data is not None else TMemoryBuffer()

    # thriftpy2's server takes factories
    def get_protocol(self, trans):
        return self.protocol_for(trans)

    def get_transport(self, sock):
        return self.transport_for(sock)


def unread(buf, accelerated: bool) -> int:
    """Bytes of a memory buffer not consumed by the decoder."""
    if accelerated:
        return len(buf.getvalue())  # TCyMemoryBuffer.getvalue() is what is left to read
    return len(buf.getvalue()) - buf._pos


# ---- a loaded IDL ---------------------------------------------------------------------------


class Loaded:
    def __init__(self, handle: str, module):
        self.handle = handle
        self.module = module
        self.structs = {}
        self.unions = set()
        self.functions = {}
        self._collect_unions(module, set())

    def _collect_unions(self, mod, seen) -> None:
        if id(mod) in seen:
            return
        seen.add(id(mod))
        meta = getattr(mod, "__thrift_meta__", {})
        self.unions.update(meta.get("unions", []))
        for inc in meta.get("includes", []):
            self._collect_unions(inc, seen)

    def type_desc(self, ttype, spec) -> V.TypeDesc:
        if ttype == TType.I32 and isinstance(spec, type) and hasattr(spec, "_VALUES_TO_NAMES"):
            return V.TypeDesc(V.ENUM, name=spec.__name__)
        if ttype in SIMPLE_KINDS:
            return V.TypeDesc(SIMPLE_KINDS[ttype])
        if ttype == TType.STRUCT:
            return V.TypeDesc(V.STRUCT, struct=self.struct_desc(spec))
        if ttype in (TType.LIST, TType.SET):
            return V.TypeDesc(V.LIST if ttype == TType.LIST else V.SET, elem=self.spec_desc(spec))
        if ttype == TType.MAP:
            return V.TypeDesc(V.MAP, key=self.spec_desc(spec[0]), elem=self.spec_desc(spec[1]))
        raise PeerError("Unsupported", f"thrift type {ttype}")

    def spec_desc(self, spec) -> V.TypeDesc:
        """A container's element spec: a bare TType or (TType, nested spec)."""
        if isinstance(spec, tuple):
            return self.type_desc(spec[0], spec[1])
        return self.type_desc(spec, None)

    def struct_desc(self, cls) -> V.StructDesc:
        if cls in self.structs:
            return self.structs[cls]
        kind = "exception" if issubclass(cls, TException) else "union" if cls in self.unions else "struct"
        sd = V.StructDesc(name=cls.__name__, qualname=f"{cls.__module__}.{cls.__name__}", kind=kind, cls=cls)
        self.structs[cls] = sd  # before the fields: recursive types
        fields = []
        for fid, spec in cls.thrift_spec.items():
            if len(spec) == 3:
                ttype, name, _req = spec
                sub = None
            else:
                ttype, name, sub, _req = spec
            fields.append(V.FieldDesc(fid, name, self.type_desc(ttype, sub)))
        sd.fields = fields
        return sd

    # ---- names ----
    def resolve(self, dotted: str):
        obj = self.module
        for part in dotted.split("."):
            if part.startswith("_"):
                return None
            obj = getattr(obj, part, None)
            if obj is None:
                return None
        return obj

    def service(self, name: str):
        svc = self.resolve(name)
        if not isinstance(svc, type) or not hasattr(svc, "thrift_services"):
            raise PeerError("UnknownService", f"no service {name!r} in module {self.handle}")
        return svc

    def function_info(self, svc, fname: str) -> H.FunctionInfo:
        key = (svc, fname)
        if key in self.functions:
            return self.functions[key]
        if fname not in svc.thrift_services:
            raise PeerError("UnknownFunction", f"service {svc.__name__} has no function {fname!r}")
        args_cls = getattr(svc, f"{fname}_args")
        result_cls = getattr(svc, f"{fname}_result")
        params = self.struct_desc(args_cls).fields
        returns, exceptions = None, []
        for f in self.struct_desc(result_cls).fields:
            if f.id == 0:
                returns = f.type
            else:
                exceptions.append(f)
        oneway = bool(getattr(result_cls, "oneway", False))
        info = H.FunctionInfo(fname, params, None if oneway else returns, exceptions, oneway)
        info.args_cls = args_cls  # type: ignore[attr-defined]
        info.result_cls = result_cls  # type: ignore[attr-defined]
        self.functions[key] = info
        return info

    def struct_type(self, name: str):
        """(class, StructDesc) for "Type", "include.Type" or "Service.fn.request|response"."""
        parts = name.split(".")
        if len(parts) >= 3 and parts[-1] in ("request", "response"):
            svc = self.service(".".join(parts[:-2]))
            info = self.function_info(svc, parts[-2])
            if parts[-1] == "request":
                return info.args_cls, self.struct_desc(info.args_cls)
            if info.oneway:
                raise PeerError("UnknownType", f"{name}: a oneway function has no response")
            return info.result_cls, self.struct_desc(info.result_cls)
        cls = self.resolve(name)
        if not isinstance(cls, type) or not hasattr(cls, "thrift_spec") or hasattr(cls, "thrift_services"):
            raise PeerError("UnknownType", f"no struct, union or exception {name!r} in module {self.handle}")
        return cls, self.struct_desc(cls)


MODULES = {}
SERVERS = {}


def loaded(req) -> Loaded:
    handle = peerkit.param(req, "module", str)
    if handle not in MODULES:
        raise PeerError("UnknownModule", f"no module {handle!r}; load_idl first")
    return MODULES[handle]


# ---- the generic handler --------------------------------------------------------------------


class GenericHandler:
    """The handler given to thriftpy2's TProcessor: every function goes to the Dispatcher
    (KeyValue / generic rules, peers/README.md). TProcessor passes the arguments positionally,
    in declaration order."""

    def __init__(self, ld: Loaded, svc, dispatcher: H.Dispatcher):
        self._ld = ld
        self._svc = svc
        self._dispatcher = dispatcher

    def __getattr__(self, fname):
        if fname.startswith("_"):
            raise AttributeError(fname)
        info = self._ld.function_info(self._svc, fname)
        names = [p.name for p in info.params]

        def handle(*args):
            outcome = self._dispatcher.decide(info, dict(zip(names, args)))
            if outcome.kind == "return":
                return outcome.value
            if outcome.kind == "void":
                return None
            if outcome.kind == "raise":
                raise H.exception_value(outcome)
            # not a declared exception: TProcessor re-raises it and the server drops the connection
            raise H.HandlerFailure(outcome.message)

        return handle


class _Stopped(BaseException):
    """Ends TThreadedServer.serve(), which logs and swallows every Exception of accept()."""


class ListeningSocket(TServerSocket):
    """thriftpy2's TServerSocket bound to 127.0.0.1:0 before serve(), so the port is known."""

    def __init__(self):
        super().__init__(host="127.0.0.1", port=0, socket_family=socket.AF_INET,
                         client_timeout=int(netio.SERVER_IDLE_TIMEOUT_S * 1000))
        TServerSocket.listen(self)
        self.port = self.sock.getsockname()[1]
        self.stopped = False

    def listen(self):  # serve() calls this; we already listen
        pass

    def accept(self):
        if self.stopped:
            raise _Stopped()
        try:
            return super().accept()
        except OSError:
            if self.stopped:
                raise _Stopped()
            raise

    def stop(self):
        self.stopped = True
        self.close()


def run_server(server, port):
    try:
        server.serve()
    except _Stopped:
        log(f"server {port} stopped")


# ---- ops ------------------------------------------------------------------------------------


def op_hello(req):
    return {
        "name": PEER_NAME,
        "version": thriftpy2.__version__,
        "library": "thriftpy2 (Python)",
        "python": platform.python_version(),
        "cython": CYTHON,
        "parseTablesCached": PARSE_TABLES_CACHED,
        "abilities": ABILITIES,
        "startupMs": round((time.monotonic() - STARTED) * 1000, 1),
    }


def op_load_idl(req):
    root = WORK.new("idl")
    entry = peerkit.write_idl_files(root, req)
    base = os.path.basename(entry)
    stem = base[:-7] if base.endswith(".thrift") else base
    # The module name must end with the file's own "<stem>_thrift": thriftpy2 then prefixes the
    # included modules' names (its cache keys) with "tc<n>_", so no two loads share a module.
    # <n> counts attempts (the work dir's number), not loaded modules: a failed load leaves its
    # included modules in thriftpy2's cache.
    module_name = f"tc{os.path.basename(root)}_{stem}_thrift"
    try:
        with LOAD_LOCK:
            module = thriftpy2.load(entry, module_name=module_name, include_dirs=[os.path.dirname(entry)])
    except ThriftParserError as e:
        raise PeerError("IdlError", str(e)) from e
    except Exception as e:  # noqa: BLE001 - anything the parser throws is an IDL error to us
        raise PeerError("IdlError", f"{type(e).__name__}: {e}", e) from e
    handle = f"m{len(MODULES) + 1}"
    ld = Loaded(handle, module)
    MODULES[handle] = ld
    meta = getattr(module, "__thrift_meta__", {})
    types = sorted({c.__name__ for k in ("structs", "unions", "exceptions", "enums") for c in meta.get(k, [])})
    services = []
    for svc in meta.get("services", []):
        own = [f for f in svc.thrift_services if f"{f}_args" in vars(svc)]
        parent = next((b for b in svc.__bases__ if hasattr(b, "thrift_services")), None)
        services.append({"name": svc.__name__, "functions": own, "extends": parent.__name__ if parent is not None else None})
    return {"module": handle, "types": types, "services": services}


def build(desc: V.StructDesc, value):
    try:
        return V.struct_from_json(desc, value)
    except V.ValueError_ as e:
        raise PeerError("EncodeError", str(e), e) from e


def serialize(obj, wire: Wire) -> bytes:
    buf = wire.memory()
    try:
        wire.protocol_for(buf).write_struct(obj)
    except Exception as e:  # noqa: BLE001
        raise PeerError("EncodeError", f"{type(e).__name__}: {e}", e) from e
    return buf.getvalue()


def op_roundtrip(req):
    ld = loaded(req)
    wire = Wire(req, with_envelope=False)
    cls, desc = ld.struct_type(peerkit.param(req, "type", str))
    data = peerkit.b64param(req, "bytes")
    buf = wire.memory(data)
    obj = cls()
    try:
        wire.protocol_for(buf).read_struct(obj)
    except Exception as e:  # noqa: BLE001
        raise PeerError("DecodeError", f"{type(e).__name__}: {e}", e) from e
    trailing = unread(buf, wire.accelerated)
    try:
        value = V.struct_to_json(desc, obj)
    except V.ValueError_ as e:
        raise PeerError("DecodeError", str(e), e) from e
    return {"value": value, "bytes": peerkit.b64(serialize(obj, wire)), "trailing": trailing}


def op_encode(req):
    ld = loaded(req)
    wire = Wire(req, with_envelope=False)
    _, desc = ld.struct_type(peerkit.param(req, "type", str))
    return {"bytes": peerkit.b64(serialize(build(desc, req.get("value")), wire))}


def op_serve(req):
    ld = loaded(req)
    wire = Wire(req, with_envelope=True)
    name = peerkit.param(req, "service", str)
    svc = ld.service(name)
    impl = peerkit.param(req, "impl", str, None)
    dispatcher = H.Dispatcher(name, impl, ONEWAY_LOG)
    sock = ListeningSocket()
    dispatcher.port = sock.port
    processor = TProcessor(svc, GenericHandler(ld, svc, dispatcher))
    server = TThreadedServer(processor, sock, itrans_factory=wire, iprot_factory=wire, daemon=True)
    threading.Thread(target=run_server, args=(server, sock.port), name=f"server-{sock.port}", daemon=True).start()
    SERVERS[sock.port] = sock
    log(f"serving {name} of {ld.handle} on 127.0.0.1:{sock.port} ({wire.protocol}, {wire.transport}, accelerated={wire.accelerated}, impl={impl})")
    return {"port": sock.port}


def op_stop(req):
    port = peerkit.param(req, "port", int)
    sock = SERVERS.pop(port, None)
    if sock is None:
        raise PeerError("BadRequest", f"no server on port {port}")
    sock.stop()
    return {}


def call_once(client: TClient, info, kwargs):
    """What TClient._req does (argument check, _send, then _recv unless oneway), with the
    failures of each part told apart."""
    try:
        args_to_kwargs(info.args_cls.thrift_spec, **kwargs)
    except ValueError as e:  # TClient refuses a call without a required argument
        raise PeerError("EncodeError", f"{info.name}: thriftpy2's client refuses the call: required argument {e.args[0]!r} is not set", e) from e
    try:
        client._send(info.name, **kwargs)
    except (TTransportException, OSError) as e:
        raise PeerError("TransportError", f"{info.name}: {type(e).__name__}: {e}", e) from e
    except Exception as e:  # noqa: BLE001
        raise PeerError("EncodeError", f"{info.name}: {type(e).__name__}: {e}", e) from e
    if info.oneway:
        return {"result": None}
    try:
        result = client._recv(info.name)
    except TApplicationException as e:
        return {"applicationException": {"type": e.type, "message": e.message}}
    except (TTransportException, OSError, EOFError) as e:
        raise PeerError("TransportError", f"{info.name}: {type(e).__name__}: {e}", e) from e
    except Exception as e:  # noqa: BLE001
        for f in info.exceptions:
            if isinstance(e, f.type.struct.cls):
                return {"exception": {"type": f.type.struct.name, "field": f.name, "value": V.struct_to_json(f.type.struct, e)}}
        raise PeerError("DecodeError", f"reply to {info.name}: {type(e).__name__}: {e}", e) from e
    if info.returns is None:
        return {"result": None}
    return {"result": V.to_json(info.returns, result, "result")}


def op_call(req):
    ld = loaded(req)
    wire = Wire(req, with_envelope=True)
    svc = ld.service(peerkit.param(req, "service", str))
    info = ld.function_info(svc, peerkit.param(req, "function", str))
    args = peerkit.param(req, "args", dict, {})
    by_name = {p.name: p for p in info.params}
    kwargs = {}
    for name, j in args.items():
        if name not in by_name:
            raise PeerError("EncodeError", f"{info.name} has no argument {name!r}")
        try:
            kwargs[name] = V.from_json(by_name[name].type, j, name)
        except V.ValueError_ as e:
            raise PeerError("EncodeError", str(e), e) from e
    repeat = peerkit.param(req, "repeat", int, 1)
    host = netio.check_host(peerkit.param(req, "host", str, "127.0.0.1"))
    port = peerkit.param(req, "port", int)
    if not 0 < port < 65536:
        raise PeerError("BadRequest", f"bad port {port!r}")
    sock = TSocket(host, port, socket_family=socket.AF_INET,
                   connect_timeout=int(netio.CONNECT_TIMEOUT_S * 1000), socket_timeout=int(netio.CALL_IO_TIMEOUT_S * 1000))
    trans = wire.transport_for(sock)
    client = TClient(svc, wire.protocol_for(trans))
    try:
        trans.open()
    except (TTransportException, OSError) as e:
        raise PeerError("TransportError", f"cannot connect to {host}:{port}: {e}", e) from e
    try:
        t0 = time.perf_counter()
        for _ in range(max(1, repeat)):
            result = call_once(client, info, kwargs)
        elapsed = time.perf_counter() - t0
    finally:
        trans.close()
    if repeat > 1:
        result["repeat"] = repeat
        result["elapsedMs"] = round(elapsed * 1000, 3)
    return result


def op_oneway_log(req):
    return {"calls": ONEWAY_LOG.take(bool(peerkit.param(req, "clear", bool, False)))}


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
    log(f"thriftpy2 {thriftpy2.__version__} (cython: {CYTHON}) on Python {platform.python_version()}; pid {os.getpid()}")
    return channel.run(OPS, log)


if __name__ == "__main__":
    sys.exit(main())
