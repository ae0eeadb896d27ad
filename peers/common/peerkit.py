"""Small helpers every peer program uses: request parameters, IDL files, logging, work dirs."""

from __future__ import annotations

import atexit
import base64
import binascii
import os
import posixpath
import re
import shutil
import sys
import tempfile
import threading
import time
from typing import Any, Callable, Dict

from .channel import PeerError

_MISSING = object()

PROTOCOLS = ("binary", "compact")
ENVELOPES = ("strict", "nonstrict")
#: Largest number of IDL files in one load_idl.
MAX_IDL_FILES = 1000


def make_logger(name: str) -> Callable[[str], None]:
    start = time.monotonic()

    def log(msg: str) -> None:
        sys.stderr.write(f"[{name} +{time.monotonic() - start:8.3f}s] {msg}\n")
        sys.stderr.flush()

    return log


def param(req: Dict[str, Any], name: str, types: Any, default: Any = _MISSING) -> Any:
    """A request parameter of the given Python type(s); a missing one is an error unless a
    default is given."""
    if name not in req or req[name] is None:
        if default is _MISSING:
            raise PeerError("BadRequest", f"{req.get('op')}: missing parameter {name!r}")
        return default
    v = req[name]
    if types is int and isinstance(v, bool) or not isinstance(v, types):
        raise PeerError("BadRequest", f"{req.get('op')}: parameter {name!r} has the wrong type ({type(v).__name__})")
    return v


def choice(req: Dict[str, Any], name: str, allowed: tuple, default: Any = _MISSING) -> Any:
    v = param(req, name, str, default)
    if v not in allowed and v is not default:
        raise PeerError("BadRequest", f"{req.get('op')}: {name} must be one of {list(allowed)}, got {v!r}")
    return v


def b64param(req: Dict[str, Any], name: str) -> bytes:
    s = param(req, name, str)
    try:
        return base64.b64decode(s, validate=True)
    except binascii.Error as e:
        raise PeerError("BadRequest", f"{req.get('op')}: {name} is not valid base64") from e


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


class WorkDir:
    """This process's private temporary directory (never a shared disk), removed at exit."""

    def __init__(self, prefix: str):
        self.root = tempfile.mkdtemp(prefix=prefix)
        atexit.register(shutil.rmtree, self.root, True)
        self.count = 0
        self._lock = threading.Lock()  # new() is also called from background threads

    def new(self, label: str) -> str:
        with self._lock:
            self.count += 1
            path = os.path.join(self.root, f"{label}{self.count}")
        os.makedirs(path)
        return path


#: Thrift IDL tokens, as Apache's lexer cuts them (string literals without escapes) and as the
#: Python libraries' lexers do (with backslash escapes): comments, literals, identifiers, others.
_TOKENS = {
    escapes: re.compile(
        r"//[^\n]*|#[^\n]*|/\*.*?\*/|"
        + (r'"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'' if escapes else r'"[^"]*"|\'[^\']*\'')
        + r"|[A-Za-z_][A-Za-z0-9_.]*|\S",
        re.S,
    )
    for escapes in (False, True)
}


def idl_includes(text: str) -> list:
    """The file names of every `include "…"` in an IDL text, as either kind of lexer reads it
    (comments skipped), so that no include a library would follow is missed."""
    found = []
    for pattern in _TOKENS.values():
        tokens = pattern.findall(text)
        for i in range(len(tokens) - 1):
            nxt = tokens[i + 1]
            if tokens[i] == "include" and len(nxt) >= 2 and nxt[0] in "\"'" and nxt[-1] == nxt[0]:
                found.append(nxt[1:-1])
    return list(dict.fromkeys(found))


def check_includes(files: Dict[str, str], entry: str) -> None:
    """Refuses an IDL set whose includes could reach a file the harness did not send: an include
    is resolved from the including file's folder (then the entry's, as thriftpy2 also searches);
    it must be relative, without backslashes, never climb out of the set's root, and name one of
    the files. Raises PeerError BadRequest for an include that is absolute or climbs out, IdlError
    for one that names no file of the set (what the compiler would have said)."""
    names = {posixpath.normpath(k) for k in files}
    entry_dir = posixpath.dirname(posixpath.normpath(entry))
    for rel, text in files.items():
        base = posixpath.dirname(posixpath.normpath(rel))
        for inc in idl_includes(text):
            where = f"load_idl: {rel!r} includes {inc!r}"
            if not inc or "\\" in inc or "\x00" in inc or inc.startswith("/"):
                raise PeerError("BadRequest", f"{where}: an include must be a relative path without backslashes, to one of the files sent")
            for folder in dict.fromkeys([base, entry_dir]):
                target = posixpath.normpath(posixpath.join(folder, inc))
                if target == ".." or target.startswith("../"):
                    raise PeerError("BadRequest", f"{where}, which climbs out of the files sent; an include must name one of them")
                if target in names:
                    break
            else:
                raise PeerError("IdlError", f"{where}, which is not one of the files sent: {', '.join(sorted(names))}")


def write_idl_files(root: str, req: Dict[str, Any]) -> str:
    """Writes req.files under root; returns the absolute path of req.entry. Raises PeerError
    (BadRequest) for a file name that is absolute or climbs out, and for includes that could
    reach outside the files sent (see check_includes)."""
    files = param(req, "files", dict)
    entry = param(req, "entry", str)
    if not files or len(files) > MAX_IDL_FILES:
        raise PeerError("BadRequest", f"load_idl: files must hold 1..{MAX_IDL_FILES} entries")
    if entry not in files:
        raise PeerError("BadRequest", f"load_idl: entry {entry!r} is not one of the files")
    for rel, text in files.items():
        if not isinstance(text, str):
            raise PeerError("BadRequest", f"load_idl: the source of {rel!r} is not a string")
        norm = os.path.normpath(rel)
        if not rel or "\x00" in rel or os.path.isabs(rel) or norm == ".." or norm.startswith(".." + os.sep):
            raise PeerError("BadRequest", f"load_idl: bad relative path {rel!r}")
    check_includes(files, entry)
    for rel, text in files.items():
        path = os.path.join(root, os.path.normpath(rel))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    return os.path.join(root, os.path.normpath(entry))
