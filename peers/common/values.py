"""Library-neutral type descriptions and the JSON value encoding shared by every Python peer.

Both Python libraries (thriftrw and Apache Thrift) hold Thrift values as the same Python types:
bool, int, float, str (string), bytes (binary), list, set, dict, int (enum) and one class per
struct/union/exception whose fields are attributes (None = unset). So each peer only has to
describe its types as `TypeDesc`s and say how a struct class is built; the conversion to and from
the JSON value encoding of peers/README.md is done here, once, identically for both peers.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

BOOL = "bool"
I8 = "i8"
I16 = "i16"
I32 = "i32"
I64 = "i64"
DOUBLE = "double"
STRING = "string"
BINARY = "binary"
LIST = "list"
SET = "set"
MAP = "map"
ENUM = "enum"
STRUCT = "struct"

INT_RANGES = {
    I8: (-(2**7), 2**7 - 1),
    I16: (-(2**15), 2**15 - 1),
    I32: (-(2**31), 2**31 - 1),
    I64: (-(2**63), 2**63 - 1),
    ENUM: (-(2**31), 2**31 - 1),
}


class ValueError_(Exception):
    """A JSON value does not fit its Thrift type (reported as EncodeError by the peers)."""


@dataclass(eq=False)
class FieldDesc:
    id: int
    name: str
    type: "TypeDesc"


@dataclass(eq=False)
class StructDesc:
    """A struct, union or exception (also a function's request or response struct)."""

    name: str  # the name as declared (unqualified)
    qualname: str  # unique within one loaded IDL: "<module>.<name>"
    kind: str  # "struct" | "union" | "exception" ("struct" when the library cannot tell)
    cls: Any  # the library's class
    fields: list = field(default_factory=list)  # [FieldDesc], declaration order where known
    make: Optional[Callable[[dict], Any]] = None  # kwargs -> instance; default cls(**kwargs)

    def build(self, kwargs: dict) -> Any:
        return self.make(kwargs) if self.make else self.cls(**kwargs)

    def field_named(self, name: str) -> Optional[FieldDesc]:
        for f in self.fields:
            if f.name == name:
                return f
        return None


@dataclass(eq=False)
class TypeDesc:
    kind: str
    elem: Optional["TypeDesc"] = None  # list/set element, map value
    key: Optional["TypeDesc"] = None  # map key
    struct: Optional[StructDesc] = None
    name: Optional[str] = None  # enum name, where the library keeps it

    def __repr__(self) -> str:
        return describe(self)


def describe(t: Optional[TypeDesc]) -> str:
    if t is None:
        return "void"
    if t.kind in (LIST, SET):
        return f"{t.kind}<{describe(t.elem)}>"
    if t.kind == MAP:
        return f"map<{describe(t.key)},{describe(t.elem)}>"
    if t.kind == STRUCT:
        return t.struct.name if t.struct else "struct"
    if t.kind == ENUM:
        return t.name or "enum"
    return t.kind


def same_type(a: Optional[TypeDesc], b: Optional[TypeDesc]) -> bool:
    """Type equality for the generic handlers: typedefs are already resolved; an enum equals i32
    (Apache's generated Python cannot tell them apart); structs compare by qualified name."""
    if a is None or b is None:
        return a is b
    ka = I32 if a.kind == ENUM else a.kind
    kb = I32 if b.kind == ENUM else b.kind
    if ka != kb:
        return False
    if ka in (LIST, SET):
        return same_type(a.elem, b.elem)
    if ka == MAP:
        return same_type(a.key, b.key) and same_type(a.elem, b.elem)
    if ka == STRUCT:
        return a.struct is b.struct or a.struct.qualname == b.struct.qualname
    return True


# ---------------------------------------------------------------------------------------------
# library value -> JSON


#: json.dumps(j, sort_keys=True, separators=(",", ":"), allow_nan=False), without making a new
#: encoder per call (json.dumps does when given options).
_canonical = json.JSONEncoder(sort_keys=True, separators=(",", ":"), allow_nan=False).encode


def double_to_json(v: float) -> Any:
    if math.isnan(v):
        return {"$double": "NaN"}
    if math.isinf(v):
        return {"$double": "Infinity" if v > 0 else "-Infinity"}
    if v == 0.0 and math.copysign(1.0, v) < 0:
        return {"$double": "-0"}
    return v


def to_json(t: TypeDesc, v: Any, path: str = "") -> Any:
    """Converts a value held by the library into the JSON value encoding."""
    try:
        return _to_fast(t)(v)
    except Exception:  # noqa: BLE001 - the checked path below says what is wrong, with the path
        return _to_json_checked(t, v, path)


def _to_json_checked(t: TypeDesc, v: Any, path: str = "") -> Any:
    """to_json, value by value with the path of every element (for error messages)."""
    k = t.kind
    if v is None:
        raise ValueError_(f"{path or 'value'}: unset (None) where a {describe(t)} is needed")
    if k == BOOL:
        return bool(v)
    if k == I64:
        return {"$i64": str(int(v))}
    if k in (I8, I16, I32, ENUM):
        return int(v)
    if k == DOUBLE:
        return double_to_json(float(v))
    if k == STRING:
        if isinstance(v, bytes):  # never produced by the libraries in Python 3; be explicit
            return {"$binary": base64.b64encode(v).decode("ascii")}
        return v
    if k == BINARY:
        if isinstance(v, str):
            v = v.encode("utf-8")
        return {"$binary": base64.b64encode(bytes(v)).decode("ascii")}
    if k == LIST:
        return [_to_json_checked(t.elem, e, f"{path}[{i}]") for i, e in enumerate(v)]
    if k == SET:
        items = [_to_json_checked(t.elem, e, f"{path}{{}}") for e in v]
        items.sort(key=_canonical)
        return {"$set": items}
    if k == MAP:
        entries = [
            [_to_json_checked(t.key, kk, f"{path}{{key}}"), _to_json_checked(t.elem, vv, f"{path}[{kk!r}]")]
            for kk, vv in v.items()
        ]
        entries.sort(key=lambda e: _canonical(e[0]))
        return {"$map": entries}
    if k == STRUCT:
        return _struct_to_json_checked(t.struct, v, path)
    raise ValueError_(f"{path}: unknown type kind {k}")


def struct_to_json(s: StructDesc, obj: Any, path: str = "") -> dict:
    try:
        return _struct_to_fast(s)(obj)
    except Exception:  # noqa: BLE001 - the checked path below says what is wrong, with the path
        return _struct_to_json_checked(s, obj, path)


def _struct_to_json_checked(s: StructDesc, obj: Any, path: str = "") -> dict:
    out = {}
    for f in s.fields:
        fv = getattr(obj, f.name, None)
        if fv is not None:
            out[f.name] = _to_json_checked(f.type, fv, f"{path or s.name}.{f.name}")
    return out


# ---------------------------------------------------------------------------------------------
# JSON -> library value


def _int(t: TypeDesc, j: Any, path: str) -> int:
    if isinstance(j, dict) and set(j) == {"$i64"} and isinstance(j["$i64"], str):
        try:
            j = int(j["$i64"], 10)
        except ValueError as e:
            raise ValueError_(f"{path}: bad $i64 {j['$i64']!r}") from e
    if isinstance(j, bool) or not isinstance(j, int):
        if isinstance(j, float) and j.is_integer():
            j = int(j)
        else:
            raise ValueError_(f"{path}: expected an integer for {describe(t)}, got {_short(j)}")
    return j


def _double(j: Any, path: str) -> float:
    if isinstance(j, dict) and set(j) == {"$double"}:
        s = j["$double"]
        specials = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf, "-0": -0.0}
        if s in specials:
            return specials[s]
        raise ValueError_(f"{path}: bad $double {s!r}")
    if isinstance(j, bool) or not isinstance(j, (int, float)):
        raise ValueError_(f"{path}: expected a number for double, got {_short(j)}")
    return float(j)


def _short(j: Any) -> str:
    s = json.dumps(j)
    return s if len(s) <= 60 else s[:57] + "..."


def _collection(seq: list, as_set: bool) -> Any:
    if not as_set:
        return seq
    try:
        return set(seq)
    except TypeError:
        # Unhashable elements (lists, most struct classes): hand the library a list; it writes
        # any iterable as a set. Reading such a set back fails in both Python libraries.
        return seq


def from_json(t: TypeDesc, j: Any, path: str = "value") -> Any:
    """Converts a JSON value into the value the library expects for type t."""
    try:
        return _from_fast(t)(j)
    except Exception:  # noqa: BLE001 - the checked path below says what is wrong, with the path
        return _from_json_checked(t, j, path)


def _from_json_checked(t: TypeDesc, j: Any, path: str = "value") -> Any:
    """from_json, value by value with the path of every element (for error messages)."""
    k = t.kind
    if j is None:
        raise ValueError_(f"{path}: null is not a {describe(t)} (leave the field out instead)")
    if k == BOOL:
        if not isinstance(j, bool):
            raise ValueError_(f"{path}: expected true/false, got {_short(j)}")
        return j
    if k in INT_RANGES:
        return _int(t, j, path)
    if k == DOUBLE:
        return _double(j, path)
    if k == STRING:
        if not isinstance(j, str):
            raise ValueError_(f"{path}: expected a string, got {_short(j)}")
        return j
    if k == BINARY:
        if isinstance(j, dict) and set(j) == {"$binary"} and isinstance(j["$binary"], str):
            try:
                return base64.b64decode(j["$binary"], validate=True)
            except binascii.Error as e:
                raise ValueError_(f"{path}: bad base64 in $binary") from e
        raise ValueError_(f"{path}: expected {{\"$binary\": base64}}, got {_short(j)}")
    if k == LIST:
        if not isinstance(j, list):
            raise ValueError_(f"{path}: expected an array, got {_short(j)}")
        return [_from_json_checked(t.elem, e, f"{path}[{i}]") for i, e in enumerate(j)]
    if k == SET:
        items = j["$set"] if isinstance(j, dict) and set(j) == {"$set"} else j
        if not isinstance(items, list):
            raise ValueError_(f"{path}: expected {{\"$set\": [...]}}, got {_short(j)}")
        return _collection([_from_json_checked(t.elem, e, f"{path}{{{i}}}") for i, e in enumerate(items)], True)
    if k == MAP:
        if isinstance(j, dict) and set(j) == {"$map"}:
            entries = j["$map"]
        elif isinstance(j, dict) and t.key.kind == STRING:
            entries = [[kk, vv] for kk, vv in j.items()]
        else:
            raise ValueError_(f"{path}: expected {{\"$map\": [[k, v], ...]}}, got {_short(j)}")
        if not isinstance(entries, list):
            raise ValueError_(f"{path}: $map must hold an array of [key, value] pairs")
        out = {}
        for i, e in enumerate(entries):
            if not (isinstance(e, list) and len(e) == 2):
                raise ValueError_(f"{path}: $map entry {i} is not a [key, value] pair")
            kk = _from_json_checked(t.key, e[0], f"{path}{{key {i}}}")
            try:
                out[kk] = _from_json_checked(t.elem, e[1], f"{path}[{i}]")
            except TypeError as ex:
                raise ValueError_(f"{path}: map key of type {describe(t.key)} is unhashable in this library") from ex
        return out
    if k == STRUCT:
        return _struct_from_json_checked(t.struct, j, path)
    raise ValueError_(f"{path}: unknown type kind {k}")


def struct_from_json(s: StructDesc, j: Any, path: str = "") -> Any:
    try:
        return _struct_from_fast(s)(j)
    except Exception:  # noqa: BLE001 - the checked path below says what is wrong, with the path
        return _struct_from_json_checked(s, j, path)


def _struct_from_json_checked(s: StructDesc, j: Any, path: str = "") -> Any:
    path = path or s.name
    if not isinstance(j, dict):
        raise ValueError_(f"{path}: expected an object for {s.name}, got {_short(j)}")
    kwargs = {}
    for name, fj in j.items():
        f = s.field_named(name)
        if f is None:
            raise ValueError_(f"{path}: {s.name} has no field named {name!r}")
        kwargs[name] = _from_json_checked(f.type, fj, f"{path}.{name}")
    try:
        return s.build(kwargs)
    except (TypeError, ValueError, OverflowError) as e:  # thriftrw checks in the constructor
        raise ValueError_(f"{path}: cannot build {s.name}: {e}") from e


# ---------------------------------------------------------------------------------------------
# Fast paths. One converter function per type, made once and kept on its TypeDesc/StructDesc:
# no path strings, no per-call dispatch on the kind. A fast converter either returns exactly what
# the checked functions above return or raises (anything); then the checked function runs again
# and returns the same value or raises ValueError_ with the path of the culprit. So the answers,
# error messages included, are those of the checked functions.


class _Bail(Exception):
    """A fast converter met something unusual: let the checked path decide."""


def _bail(*_: Any) -> Any:
    raise _Bail()


def _to_bool(v: Any) -> bool:
    if v is None:
        raise _Bail()
    return bool(v)


def _to_i64(v: Any) -> dict:
    return {"$i64": str(int(v))}


def _to_double(v: Any) -> Any:
    return double_to_json(float(v))


def _to_string(v: Any) -> Any:
    if v.__class__ is str:
        return v
    raise _Bail()


def _to_binary(v: Any) -> dict:
    if isinstance(v, str):
        v = v.encode("utf-8")
    return {"$binary": base64.b64encode(bytes(v)).decode("ascii")}


def _to_fast(t: TypeDesc) -> Callable[[Any], Any]:
    f = t.__dict__.get("_to_fast")
    if f is not None:
        return f
    k = t.kind
    if k == BOOL:
        f = _to_bool
    elif k == I64:
        f = _to_i64
    elif k in (I8, I16, I32, ENUM):
        f = int
    elif k == DOUBLE:
        f = _to_double
    elif k == STRING:
        f = _to_string
    elif k == BINARY:
        f = _to_binary
    elif k == LIST:
        elem = _to_fast(t.elem)
        f = lambda v: [elem(e) for e in v]  # noqa: E731
    elif k == SET:
        elem = _to_fast(t.elem)

        def f(v: Any) -> dict:
            items = [elem(e) for e in v]
            items.sort(key=_canonical)
            return {"$set": items}

    elif k == MAP:
        key, elem = _to_fast(t.key), _to_fast(t.elem)

        def f(v: Any) -> dict:
            entries = [[key(kk), elem(vv)] for kk, vv in v.items()]
            entries.sort(key=lambda e: _canonical(e[0]))
            return {"$map": entries}

    elif k == STRUCT:
        s = t.struct
        f = lambda v: _struct_to_fast(s)(v)  # noqa: E731 - late: recursive structs
    else:
        f = _bail
    t._to_fast = f
    return f


def _struct_to_fast(s: StructDesc) -> Callable[[Any], dict]:
    f = s.__dict__.get("_to_fast")
    if f is not None:
        return f
    fields = [(fd.name, _to_fast(fd.type)) for fd in s.fields]

    def f(obj: Any) -> dict:
        if obj is None:
            raise _Bail()
        out = {}
        for name, conv in fields:
            fv = getattr(obj, name, None)
            if fv is not None:
                out[name] = conv(fv)
        return out

    s._to_fast = f
    return f


def _from_bool(j: Any) -> bool:
    if j is True or j is False:
        return j
    raise _Bail()


def _from_int(j: Any) -> int:
    if j.__class__ is int:
        return j
    raise _Bail()


def _from_double(j: Any) -> float:
    c = j.__class__
    if c is float:
        return j
    if c is int:
        return float(j)
    raise _Bail()


def _from_string(j: Any) -> str:
    if j.__class__ is str:
        return j
    raise _Bail()


def _from_binary(j: Any) -> bytes:
    if j.__class__ is dict and len(j) == 1 and j.get("$binary").__class__ is str:
        return base64.b64decode(j["$binary"], validate=True)
    raise _Bail()


def _from_fast(t: TypeDesc) -> Callable[[Any], Any]:
    f = t.__dict__.get("_from_fast")
    if f is not None:
        return f
    k = t.kind
    if k == BOOL:
        f = _from_bool
    elif k in INT_RANGES:
        f = _from_int
    elif k == DOUBLE:
        f = _from_double
    elif k == STRING:
        f = _from_string
    elif k == BINARY:
        f = _from_binary
    elif k == LIST:
        elem = _from_fast(t.elem)

        def f(j: Any) -> list:
            if j.__class__ is not list:
                raise _Bail()
            return [elem(e) for e in j]

    elif k == SET:
        elem = _from_fast(t.elem)

        def f(j: Any) -> Any:
            if j.__class__ is dict and len(j) == 1 and "$set" in j:
                j = j["$set"]
            if j.__class__ is not list:
                raise _Bail()
            return _collection([elem(e) for e in j], True)

    elif k == MAP:
        key, elem = _from_fast(t.key), _from_fast(t.elem)

        def f(j: Any) -> dict:
            if j.__class__ is not dict or len(j) != 1 or "$map" not in j or j["$map"].__class__ is not list:
                raise _Bail()  # the object form and every error: the checked path
            out = {}
            for e in j["$map"]:
                if e.__class__ is not list or len(e) != 2:
                    raise _Bail()
                out[key(e[0])] = elem(e[1])
            return out

    elif k == STRUCT:
        s = t.struct
        f = lambda j: _struct_from_fast(s)(j)  # noqa: E731 - late: recursive structs
    else:
        f = _bail
    t._from_fast = f
    return f


def _struct_from_fast(s: StructDesc) -> Callable[[Any], Any]:
    f = s.__dict__.get("_from_fast")
    if f is not None:
        return f
    fields = {fd.name: _from_fast(fd.type) for fd in s.fields}
    if len(fields) != len(s.fields):  # two fields of one name: field_named() takes the first
        fields = {}
        for fd in s.fields:
            fields.setdefault(fd.name, _from_fast(fd.type))
    build = s.build

    def f(j: Any) -> Any:
        if j.__class__ is not dict:
            raise _Bail()
        kwargs = {}
        for name, fj in j.items():
            kwargs[name] = fields[name](fj)
        return build(kwargs)

    s._from_fast = f
    return f
