"""IDL used by the peer tests. Every text is valid in both the thriftrw dialect (struct and
exception fields marked required/optional) and Apache Thrift 0.17's."""

import os

from peer_client import ROOT

with open(os.path.join(ROOT, "idl", "keyvalue.thrift"), encoding="utf-8") as _f:
    KEYVALUE = _f.read()

TYPES = """
enum Color { RED = 1, GREEN = 2, BLUE = 7 }
typedef i64 Timestamp

struct Inner {
  1: required string name
  2: optional Inner next
}

struct AllTypes {
  1: required bool aBool
  2: required i8 anI8
  3: required i16 anI16
  4: required i32 anI32
  5: required i64 anI64
  6: required double aDouble
  7: required string aString
  8: required binary aBinary
  9: optional list<i32> ints
  10: optional set<string> tags
  11: optional map<string, i64> counts
  12: optional Color color
  13: optional Timestamp at
  14: optional Inner inner
  15: optional map<i32, list<string>> nested
  16: optional string withDefault = "dflt"
}

union Choice {
  1: string text
  2: i32 number
  3: Inner inner
}

exception Oops {
  1: required string reason
  2: optional i32 code
}
"""

SERVICES = """
service Echo {
  AllTypes echoAll(1: AllTypes value)
  Choice echoChoice(1: Choice value)
  i64 echoI64(1: i64 value)
  string pick(1: i32 n, 2: string first, 3: string second, 4: string raiseField, 5: Oops oopsValue) throws (1: Oops oops)
  void nothing()
  oneway void fire(1: string note, 2: i64 n)
}

service Child extends Echo {
  i32 twice(1: i32 x)
}
"""

ECHO = TYPES + SERVICES

# The same plus a function the server side (loaded with ECHO) does not know.
ECHO_PLUS = ECHO.replace("  void nothing()\n", "  void nothing()\n  i32 missing(1: i32 x)\n")


def load(peer, source: str, name: str = "echo.thrift") -> str:
    return peer.ok("load_idl", files={name: source}, entry=name)["module"]


ALL_TYPES_VALUE = {
    "aBool": True,
    "anI8": -128,
    "anI16": 32767,
    "anI32": -2147483648,
    "anI64": {"$i64": "9223372036854775807"},
    "aDouble": 0.1,
    "aString": "héllo \u2603 \U0001F600",
    "aBinary": {"$binary": "AAEC/w=="},
    "ints": [1, -1, 0],
    "tags": {"$set": ["only"]},
    "counts": {"$map": [["a", {"$i64": "-9223372036854775808"}]]},
    "color": 7,
    "at": {"$i64": "1700000000000"},
    "inner": {"name": "outer", "next": {"name": "inner"}},
    "nested": {"$map": [[3, ["x", "y"]]]},
    "withDefault": "set",
}
