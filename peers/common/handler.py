"""What a peer's server answers: the generic echo handler and the KeyValue implementation.

The rules (peers/README.md, "Server behaviour") are decided here from library-neutral function
descriptions, so every Python peer answers the same call the same way.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from .channel import PeerError
from .values import FieldDesc, STRING, TypeDesc, ValueError_, describe, from_json, same_type, struct_from_json, to_json

#: Name of the argument that asks the generic handler to raise a declared exception.
RAISE_ARG = "raiseField"
#: Largest number of oneway calls kept in the log (older ones are dropped).
MAX_ONEWAY_LOG = 10_000
#: Largest number of scripted answers queued per server and of received calls kept per server.
MAX_SCRIPTED = 10_000


@dataclass(eq=False)
class FunctionInfo:
    name: str
    params: List[FieldDesc]  # in declaration order
    returns: Optional[TypeDesc]  # None for void
    exceptions: List[FieldDesc]  # the throws clause (fields of the response struct but success)
    oneway: bool


@dataclass(eq=False)
class Outcome:
    kind: str  # "return" | "void" | "raise" | "fail"
    value: Any = None  # "return": the library value; "raise": the exception or None
    field: Optional[FieldDesc] = None  # "raise": the exception field of the response
    value_json: Any = None  # "raise": JSON to build the exception from when value is None
    message: str = ""  # "fail": why


class HandlerFailure(Exception):
    """The handler cannot produce an answer (rule 4); the server reports it the library's way."""


def decide(fn: FunctionInfo, args: Dict[str, Any]) -> Outcome:
    """Generic handler rules, in order:

    1. an argument named `raiseField` whose value is the name of one of the function's declared
       exception fields: raise that exception - the first set argument of the exception's type,
       else a default-constructed one (the library's no-argument constructor);
    2. a void or oneway function: return nothing;
    3. return the first set argument whose type equals the return type;
    4. otherwise fail (no answer can be made).
    """
    wanted = args.get(RAISE_ARG)
    if isinstance(wanted, str):
        for exc_field in fn.exceptions:
            if exc_field.name == wanted:
                for p in fn.params:
                    v = args.get(p.name)
                    if v is not None and same_type(p.type, exc_field.type):
                        return Outcome("raise", value=v, field=exc_field)
                return Outcome("raise", value=None, field=exc_field)
    if fn.oneway or fn.returns is None:
        return Outcome("void")
    for p in fn.params:
        v = args.get(p.name)
        if v is not None and same_type(p.type, fn.returns):
            return Outcome("return", value=v)
    return Outcome(
        "fail",
        message=f"{fn.name}: no argument of the return type {describe(fn.returns)} is set, and no {RAISE_ARG} names a declared exception",
    )


def exception_value(o: Outcome) -> Any:
    """The library exception instance for a "raise" outcome (may raise TypeError when the
    library cannot default-construct it, e.g. thriftrw with required fields)."""
    if o.value is not None:
        return o.value
    s = o.field.type.struct
    if o.value_json is not None:
        return struct_from_json(s, o.value_json)
    return s.cls()


class KeyValueStore:
    """The real in-memory KeyValue service (serve option impl: "keyvalue").

    get(key) returns the stored value or raises the function's first declared exception with
    {"key": key}; put(key, value) (also accepted under the name `set`) stores. Other functions
    fall through to the generic rules."""

    SETTERS = ("put", "set", "setValue")

    def __init__(self) -> None:
        self.values: Dict[str, Any] = {}
        self.lock = threading.Lock()

    def decide(self, fn: FunctionInfo, args: Dict[str, Any]) -> Optional[Outcome]:
        names = [p.name for p in fn.params]
        if fn.name == "get" and "key" in names:
            key = args.get("key")
            with self.lock:
                if key in self.values:
                    return Outcome("return", value=self.values[key])
            if fn.exceptions:
                exc_field = fn.exceptions[0]
                key_field = exc_field.type.struct.field_named("key") if exc_field.type.struct else None
                payload = {"key": key} if key is not None and key_field is not None and key_field.type.kind == STRING else {}
                return Outcome("raise", field=exc_field, value_json=payload)
            return Outcome("fail", message=f"get: no value for {key!r} and no exception declared")
        if fn.name in self.SETTERS and "key" in names and "value" in names:
            with self.lock:
                self.values[args.get("key")] = args.get("value")
            return Outcome("void") if fn.returns is None else Outcome("return", value=args.get("value"))
        return None


def args_json(fn: FunctionInfo, args: Dict[str, Any]) -> Dict[str, Any]:
    """The set arguments of a call in the JSON value encoding ({"$error": ...} when one cannot be converted)."""
    try:
        return {p.name: to_json(p.type, args[p.name], p.name) for p in fn.params if args.get(p.name) is not None}
    except Exception as e:  # noqa: BLE001 - record what we can
        return {"$error": f"{type(e).__name__}: {e}"}


@dataclass
class OnewayLog:
    entries: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, port: int, service: str, fn: FunctionInfo, args: Dict[str, Any]) -> None:
        entry = {"port": port, "service": service, "function": fn.name, "args": args_json(fn, args), "time": time.time()}
        with self.lock:
            self.entries.append(entry)
            del self.entries[:-MAX_ONEWAY_LOG]

    def take(self, clear: bool) -> list:
        with self.lock:
            out = list(self.entries)
            if clear:
                self.entries.clear()
            return out


def check_answer(answer: Any) -> Dict[str, Any]:
    """Checks the `answer` parameter of the `answer` op (peers/README.md, "Scripted answers"):
    exactly one of {"result": json}, {"exception": {"field": name, "value": object}} or
    {"none": true}. Raises PeerError("BadRequest") saying what is wrong."""
    if not isinstance(answer, dict) or len(answer) != 1:
        raise PeerError("BadRequest", 'answer: expected one of {"result": v}, {"exception": {"field": f, "value": {...}}}, {"none": true}')
    if "result" in answer:
        return answer
    if "exception" in answer:
        e = answer["exception"]
        if not (isinstance(e, dict) and isinstance(e.get("field"), str) and isinstance(e.get("value", {}), dict)):
            raise PeerError("BadRequest", 'answer.exception: expected {"field": "<name in throws>", "value": {...}}')
        return answer
    if answer.get("none") is True:
        return answer
    raise PeerError("BadRequest", f"answer: unknown kind {next(iter(answer))!r}; expected result, exception or none")


class Dispatcher:
    """One server's handler: a scripted answer (the `answer` op) first, then KeyValue (if asked),
    then the generic rules; logs oneways, and every call once the server has been scripted."""

    def __init__(self, service: str, impl: Optional[str], oneway_log: OnewayLog):
        self.service = service
        self.store = KeyValueStore() if impl == "keyvalue" else None
        self.oneway_log = oneway_log
        self._port = 0
        self.lock = threading.Lock()
        self.answers: Dict[str, List[Dict[str, Any]]] = {}  # function name -> queued answers
        self.received: List[Dict[str, Any]] = []
        self.scripted = False

    @property
    def port(self) -> int:
        return self._port

    @port.setter
    def port(self, port: int) -> None:
        # A server's port is set once it listens: from then on the answer/received ops find it.
        self._port = port
        DISPATCHERS[port] = self

    def queue(self, function: str, answer: Dict[str, Any], reset: bool = False) -> int:
        """Queues one scripted answer for `function` (after dropping those still queued for it
        when `reset`); returns how many are queued for it."""
        with self.lock:
            q = self.answers.setdefault(function, [])
            if reset:
                q.clear()
            if len(q) >= MAX_SCRIPTED:
                raise PeerError("BadRequest", f"answer: {MAX_SCRIPTED} answers already queued for {function} on port {self._port}; call it first")
            q.append(answer)
            self.scripted = True
            return len(q)

    def take_received(self) -> List[Dict[str, Any]]:
        """The calls received since the last read (emptied)."""
        with self.lock:
            out, self.received = self.received, []
            return out

    def scripted_outcome(self, fn: FunctionInfo, args: Dict[str, Any]) -> Optional[Outcome]:
        """Records the call (once scripted) and takes the next queued answer for it, if any."""
        if not self.scripted:
            return None
        entry = {"function": fn.name, "args": args_json(fn, args), "oneway": fn.oneway}
        with self.lock:
            self.received.append(entry)
            del self.received[:-MAX_SCRIPTED]
            q = self.answers.get(fn.name)
            answer = q.pop(0) if q else None
        if answer is None:
            return None
        if "none" in answer:
            return Outcome("void")
        if "result" in answer:
            if fn.returns is None:
                return Outcome("fail", message=f"{fn.name}: a scripted result for a void function")
            try:
                return Outcome("return", value=from_json(fn.returns, answer["result"], "result"))
            except ValueError_ as e:
                return Outcome("fail", message=f"{fn.name}: the scripted result does not fit: {e}")
        name = answer["exception"]["field"]
        for exc_field in fn.exceptions:
            if exc_field.name == name:
                return Outcome("raise", field=exc_field, value_json=answer["exception"].get("value", {}))
        return Outcome("fail", message=f"{fn.name}: the scripted exception {name!r} is not in its throws clause")

    def decide(self, fn: FunctionInfo, args: Dict[str, Any]) -> Outcome:
        if fn.oneway:
            self.oneway_log.record(self.port, self.service, fn, args)
        o = self.scripted_outcome(fn, args)
        if o is not None:
            return o
        if self.store is not None:
            o = self.store.decide(fn, args)
            if o is not None:
                return o
        return decide(fn, args)


#: Every server's dispatcher of this process, by port (the answer/received ops find it here).
DISPATCHERS: Dict[int, Dispatcher] = {}


def _dispatcher(req: Dict[str, Any]) -> Dispatcher:
    port = req.get("port")
    if not isinstance(port, int) or isinstance(port, bool):
        raise PeerError("BadRequest", "parameter 'port' must be an integer (a port `serve` answered)")
    d = DISPATCHERS.get(port)
    if d is None:
        raise PeerError("BadRequest", f"no server on port {port}; `serve` first and use the port it answers")
    return d


def op_answer(req: Dict[str, Any]) -> Dict[str, Any]:
    """`answer {port, function, answer, reset?}`: the server on `port` answers the next call of
    `function` with `answer` (result, exception or none) instead of the generic rules; `reset`
    first drops the answers still queued for that function.
    Returns {"queued": n}; raises PeerError for a bad request."""
    d = _dispatcher(req)
    fn = req.get("function")
    if not isinstance(fn, str) or not fn:
        raise PeerError("BadRequest", "parameter 'function' must be a function name")
    reset = req.get("reset", False)
    if not isinstance(reset, bool):
        raise PeerError("BadRequest", "parameter 'reset' must be true or false")
    return {"queued": d.queue(fn, check_answer(req.get("answer")), reset)}


def op_received(req: Dict[str, Any]) -> Dict[str, Any]:
    """`received {port}`: the calls the server on `port` received since it was first scripted or
    last asked ({"calls": [{"function", "args", "oneway"}]}, args in the JSON value encoding)."""
    return {"calls": _dispatcher(req).take_received()}
