"""peers/common/values.py in-process: the fast converters answer exactly what the checked ones
answer (values, and error messages with their paths) for good and bad input."""

import random

import pytest

from peer_client import common_under_test

V = common_under_test().values


class Rec:
    """A struct class as the libraries make them: attributes, None = unset."""

    def __init__(self, **kw):
        self.__dict__.update(kw)


def struct(name, fields):
    sd = V.StructDesc(name=name, qualname=f"t.{name}", kind="struct", cls=Rec)
    sd.fields = [V.FieldDesc(i + 1, n, t) for i, (n, t) in enumerate(fields)]
    return sd


T = V.TypeDesc
NODE = struct("Node", [])
NODE.fields = [V.FieldDesc(1, "label", T(V.STRING)), V.FieldDesc(2, "next", T(V.STRUCT, struct=NODE))]
ALL = struct("All", [
    ("b", T(V.BOOL)), ("i8", T(V.I8)), ("i16", T(V.I16)), ("i32", T(V.I32)), ("i64", T(V.I64)),
    ("d", T(V.DOUBLE)), ("s", T(V.STRING)), ("bin", T(V.BINARY)), ("e", T(V.ENUM, name="E")),
    ("l", T(V.LIST, elem=T(V.I64))), ("st", T(V.SET, elem=T(V.STRING))),
    ("m", T(V.MAP, key=T(V.STRING), elem=T(V.LIST, elem=T(V.DOUBLE)))),
    ("mi", T(V.MAP, key=T(V.I32), elem=T(V.STRUCT, struct=NODE))),
    ("node", T(V.STRUCT, struct=NODE)),
    ("sl", T(V.SET, elem=T(V.LIST, elem=T(V.I32)))),
])

GOOD = [
    {},
    {"b": True, "i8": -128, "i16": 7, "i32": 2**31 - 1, "i64": {"$i64": "-9223372036854775808"}, "d": 0.5, "s": "héllo\n\"",
     "bin": {"$binary": "AAEC/w=="}, "e": 3, "l": [{"$i64": "1"}, 2, 3.0], "st": {"$set": ["b", "a", "b"]},
     "m": {"$map": [["z", [1.5, {"$double": "NaN"}]], ["a", []]]}, "mi": {"$map": [[2, {"label": "x"}], [-1, {}]]},
     "node": {"label": "a", "next": {"label": "b", "next": {}}}, "sl": [[1, 2], [1, 2], []]},
    {"d": {"$double": "-0"}, "st": ["x"], "m": {"k": [1, 2]}, "i64": 5},
]
BAD = [
    [], {"nope": 1}, {"b": 1}, {"i8": "1"}, {"i16": True}, {"i32": 1.5}, {"i64": {"$i64": "x"}}, {"d": "1"},
    {"d": {"$double": "nan"}}, {"s": 3}, {"bin": "AA=="}, {"bin": {"$binary": "!!"}}, {"l": [1, None]},
    {"l": {"$set": []}}, {"st": {"$set": 1}}, {"m": {"$map": [["a"]]}}, {"m": {"$map": [[1, []]]}},
    {"mi": {"a": {}}}, {"node": {"next": {"next": {"label": 1}}}}, {"s": None}, {"mi": {"$map": [[1, []]]}},
]


def outcome(fn, *args):
    try:
        return ("ok", fn(*args))
    except Exception as e:  # noqa: BLE001
        return (type(e).__name__, str(e))


def canon(v):
    if isinstance(v, Rec):
        return {k: canon(x) for k, x in v.__dict__.items()}
    if isinstance(v, (set, frozenset)):
        return sorted(map(repr, v))
    if isinstance(v, list):
        return [canon(x) for x in v]
    if isinstance(v, dict):
        return {repr(k): canon(x) for k, x in v.items()}
    return v


@pytest.mark.parametrize("j", GOOD + BAD)
def test_from_json_fast_equals_checked(j):
    fast = outcome(V.struct_from_json, ALL, j)
    checked = outcome(V._struct_from_json_checked, ALL, j)
    assert fast[0] == checked[0]
    assert canon(fast[1]) == canon(checked[1]) if fast[0] == "ok" else fast == checked


@pytest.mark.parametrize("j", GOOD)
def test_to_json_fast_equals_checked_and_round_trips(j):
    obj = V.struct_from_json(ALL, j)
    assert V.struct_to_json(ALL, obj) == V._struct_to_json_checked(ALL, obj)


def test_to_json_errors_keep_their_paths():
    bad = [
        Rec(l=[1, None]), Rec(node=Rec(next=Rec(label=3j))), Rec(mi={1: None}), Rec(st={None}), Rec(b=None, s=b"\xff"),
        Rec(bin=5), Rec(i64="x"), Rec(m={"a": [None]}), Rec(sl=[[1], None]),
    ]
    for obj in bad:
        fast = outcome(V.struct_to_json, ALL, obj)
        checked = outcome(V._struct_to_json_checked, ALL, obj)
        assert fast == checked, obj.__dict__


def test_random_values_agree():
    rnd = random.Random(7)
    scalars = [None, True, False, 0, -1, 2**40, 1.5, float("inf"), "s", "", b"\x00", {"$i64": "3"}, {"$binary": "AA=="}, [], {}, [1], ["a"]]
    names = [f.name for f in ALL.fields]
    for _ in range(2000):
        j = {n: rnd.choice(scalars) for n in rnd.sample(names, rnd.randint(0, 4))}
        fast = outcome(V.struct_from_json, ALL, j)
        checked = outcome(V._struct_from_json_checked, ALL, j)
        assert fast[0] == checked[0], j
        if fast[0] != "ok":
            assert fast == checked, j
            continue
        assert canon(fast[1]) == canon(checked[1]), j
        assert outcome(V.struct_to_json, ALL, fast[1]) == outcome(V._struct_to_json_checked, ALL, fast[1]), j
