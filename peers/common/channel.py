"""The peer control channel: length-prefixed JSON over stdin/stdout (see peers/README.md).

Each message is a 4-byte big-endian unsigned length followed by that many bytes of UTF-8 JSON
(one object). No Thrift codec is involved, so a codec bug cannot hide itself. stdout carries
nothing else: `run()` points sys.stdout at stderr, where every log line goes.
"""

from __future__ import annotations

import gc
import json
import struct
import sys
import threading
import traceback
from typing import Any, BinaryIO, Callable, Dict, Optional

#: Largest control message accepted or sent (bytes of JSON). A longer length prefix is answered at
#: once with ok:false, type "BadRequest", and the peer then exits with EXIT_DESYNCED: the bytes
#: that follow cannot be told apart from the next message (waiting for 4 GiB that never come
#: would leave the harness waiting forever).
MAX_CONTROL_MESSAGE_BYTES = 256 * 1024 * 1024
#: Exit code after a length prefix over MAX_CONTROL_MESSAGE_BYTES.
EXIT_DESYNCED = 2
_HEADER = struct.Struct(">I")


class PeerError(Exception):
    """An expected failure of an op, answered as ok:false with this `type`."""

    def __init__(self, type_: str, message: str, cause: Optional[BaseException] = None):
        super().__init__(message)
        self.type = type_
        self.cause = cause


class EndOfChannel(Exception):
    """stdin closed (cleanly between messages or in the middle of one)."""


class TooLong(PeerError):
    """A length prefix over MAX_CONTROL_MESSAGE_BYTES: answered, then the channel is closed."""

    def __init__(self, length: int):
        super().__init__(
            "BadRequest",
            f"control message of {length} bytes exceeds the limit of {MAX_CONTROL_MESSAGE_BYTES} bytes "
            f"(MAX_CONTROL_MESSAGE_BYTES; send large values in several requests); the channel cannot "
            f"find the next message, so the peer exits",
        )


def _read_exact(stream: BinaryIO, n: int) -> bytes:
    chunks = []
    while n > 0:
        chunk = stream.read(n)
        if not chunk:
            raise EndOfChannel()
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def read_message(stream: BinaryIO) -> bytes:
    """Reads one framed message. Raises EndOfChannel at EOF, and TooLong at once (without
    reading on) for a length over MAX_CONTROL_MESSAGE_BYTES."""
    (length,) = _HEADER.unpack(_read_exact(stream, 4))
    if length > MAX_CONTROL_MESSAGE_BYTES:
        raise TooLong(length)
    return _read_exact(stream, length)


def _no_constant(name: str) -> Any:
    """json.loads takes NaN and Infinity, which are not JSON (and cannot be answered back)."""
    raise ValueError(f"{name} is not JSON")


def parse_request(raw: bytes) -> Any:
    """Decodes one request's JSON (strict: NaN, Infinity and -Infinity are refused). Raises
    UnicodeDecodeError, ValueError or RecursionError for text that is not JSON."""
    return json.loads(raw.decode("utf-8"), parse_constant=_no_constant)


def encode_message(obj: Any) -> bytes:
    payload = json.dumps(obj, allow_nan=False, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return _HEADER.pack(len(payload)) + payload


def write_message(stream: BinaryIO, obj: Any) -> None:
    stream.write(encode_message(obj))
    stream.flush()


def error_body(type_: str, message: str, exc: Optional[BaseException] = None) -> dict:
    body = {"type": type_, "message": message}
    if exc is not None:
        body["traceback"] = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return body


Op = Callable[[dict], dict]

#: The op that runs several requests in one message (peers/README.md, `batch`).
BATCH_OP = "batch"
#: Ops a batch may not hold: batches do not nest, and a shutdown inside one would be lost.
NOT_IN_BATCH = (BATCH_OP, "shutdown")
#: Largest number of sub-requests in one batch.
MAX_BATCH_REQUESTS = 100_000
#: Allocations between two young-generation garbage collections (CPython's default is 700). A
#: batch keeps thousands of answers alive until it is written, and every young collection walks
#: them again; a peer's objects are mostly acyclic, so fewer collections cost little memory.
GC_YOUNG_THRESHOLD = 50_000


def _known(ops: Dict[str, Op]) -> list:
    return sorted(set(ops) | {BATCH_OP})


def run_op(ops: Dict[str, Op], req: Any) -> dict:
    """Runs one decoded request and returns its answer without `id`: {"ok": true, ...result} or
    {"ok": false, "error": {...}}."""
    if not isinstance(req, dict):
        return {"ok": False, "error": error_body("BadRequest", "a request must be a JSON object")}
    op = req.get("op")
    fn = ops.get(op) if isinstance(op, str) else None
    if fn is None:
        return {"ok": False, "error": error_body("UnknownOp", f"unknown op {op!r}; known: {_known(ops)}")}
    try:
        result = fn(req)
    except PeerError as e:
        cause = e.cause if e.cause is not None else e
        return {"ok": False, "error": error_body(e.type, str(e), cause)}
    except Exception as e:  # noqa: BLE001 - any failure of an op is an answer, never a crash
        return {"ok": False, "error": error_body(type(e).__name__, str(e) or repr(e), e)}
    resp = {"ok": True}
    if result:
        resp.update(result)
    return resp


def run_batch(ops: Dict[str, Op], req: dict) -> dict:
    """`batch`: runs req.requests in order, each answered as if it had been sent alone (without
    `id`); a failing one does not stop the others. Batches do not nest."""
    subs = req.get("requests")
    if not isinstance(subs, list):
        raise PeerError("BadRequest", "batch: parameter 'requests' must be an array of requests")
    if len(subs) > MAX_BATCH_REQUESTS:
        raise PeerError("BadRequest", f"batch: more than {MAX_BATCH_REQUESTS} requests")
    responses = []
    for sub in subs:
        if isinstance(sub, dict) and sub.get("op") in NOT_IN_BATCH:
            responses.append({"ok": False, "error": error_body("BadRequest", f"batch: {sub.get('op')!r} cannot be part of a batch")})
        else:
            responses.append(run_op(ops, sub))
    return {"responses": responses}


def handle(ops: Dict[str, Op], raw: bytes) -> tuple:
    """Runs one request; returns (response, op name)."""
    try:
        req = parse_request(raw)
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        return {"id": None, "ok": False, "error": error_body("BadRequest", f"not JSON: {e}")}, None
    if not isinstance(req, dict):
        return {"id": None, "ok": False, "error": error_body("BadRequest", "a request must be a JSON object")}, None
    rid = req.get("id")
    op = req.get("op")
    if op == BATCH_OP and BATCH_OP not in ops:
        try:
            body = {"ok": True, **run_batch(ops, req)}
        except PeerError as e:
            body = {"ok": False, "error": error_body(e.type, str(e))}
    else:
        body = run_op(ops, req)
    resp = {"id": rid}
    resp.update(body)
    return resp, op


def encode_response(resp: dict) -> bytes:
    """Frames a response; one that cannot be encoded or is too large becomes an InternalError
    answer (with the request's id when that id itself can be encoded, else null). Never raises."""
    try:
        data = encode_message(resp)
    except (TypeError, ValueError, RecursionError) as e:  # a bug: the op returned something not JSON-able
        data = encode_message(_internal(resp.get("id"), f"unencodable response: {e}", e))
    if len(data) - 4 > MAX_CONTROL_MESSAGE_BYTES:
        data = encode_message(_internal(resp.get("id"), "response too large", None))
    return data


def _internal(rid: Any, message: str, exc: Optional[BaseException]) -> dict:
    try:
        json.dumps(rid, allow_nan=False)
    except (TypeError, ValueError, RecursionError):
        rid = None
    return {"id": rid, "ok": False, "error": error_body("InternalError", message, exc)}


def run(ops: Dict[str, Op], log: Callable[[str], None]) -> int:
    """Serves the control channel until `shutdown` or EOF on stdin. Returns the exit code."""
    stdin = sys.stdin.buffer
    stdout = sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing but control messages may reach the real stdout
    gc.freeze()  # the program and its libraries, loaded by now, are never garbage
    gc.set_threshold(GC_YOUNG_THRESHOLD, *gc.get_threshold()[1:])
    lock = threading.Lock()
    while True:
        try:
            raw = read_message(stdin)
        except EndOfChannel:
            log("stdin closed; exiting")
            return 0
        except TooLong as e:
            log(str(e))
            try:
                with lock:
                    write_message(stdout, {"id": None, "ok": False, "error": error_body(e.type, str(e))})
            except OSError:
                pass
            return EXIT_DESYNCED
        resp, op = handle(ops, raw)
        data = encode_response(resp)
        try:
            with lock:
                stdout.write(data)
                stdout.flush()
        except OSError as e:  # the harness went away
            log(f"cannot write to stdout ({e}); exiting")
            return 1
        if op == "shutdown" and resp.get("ok"):
            return 0
