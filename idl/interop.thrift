// Interop IDL: the values of these types are written and read by OUR codec, npm thriftrw and the
// JS that Apache Thrift's compiler generates (codec/test/interop/baselines.test.ts). Valid in both
// dialects: every struct and exception field is marked required or optional (union fields and
// function arguments are not marked, as both dialects expect). No uuid: npm thriftrw has none.

typedef string Name
typedef i64 Timestamp

enum Color {
  RED = 0
  GREEN = 1
  BLUE = 7
  BLACK = 100
}

struct Point {
  1: required i32 x
  2: required i32 y
}

// Every base type except uuid.
struct Primitives {
  1: required bool flag
  2: required i8 tiny
  3: required i16 small
  4: required i32 medium
  5: required i64 big
  6: required double real
  7: required string text
  8: required binary raw
}

// The same, all optional, plus an enum, a struct and typedefs.
struct Optionals {
  1: optional bool flag
  2: optional i8 tiny
  3: optional i16 small
  4: optional i32 medium
  5: optional i64 big
  6: optional double real
  7: optional string text
  8: optional binary raw
  9: optional Color color
  10: optional Point point
  11: optional Name name
  12: optional Timestamp at
}

// Nested lists, maps and sets. Map keys are strings or 32-bit-or-narrower integers only: npm
// thriftrw and Apache's JS both represent a map as a plain object.
struct Containers {
  1: required list<i32> ints
  2: required list<string> strs
  3: required set<string> tags
  4: required set<i64> ids
  5: required map<string, i32> counts
  6: required map<i32, string> labels
  7: required list<list<i32>> matrix
  8: required map<string, list<i64>> series
  9: required list<map<string, string>> records
  10: required map<string, set<i32>> groups
  11: required list<Point> points
  12: required map<string, Point> pointsByName
  13: required list<Color> colors
  14: required list<binary> blobs
  15: required list<double> reals
  16: required map<i16, bool> flags
  17: required set<i8> octets
}

union Shape {
  1: Point point
  2: string label
  3: i64 ident
  4: list<Point> path
}

exception NotFound {
  1: required string message
  2: optional i32 code
}

struct WithDefaults {
  1: required i32 count = 10
  2: optional string name = "unnamed"
  3: optional list<string> tags = ["a", "b"]
  4: optional Color color = Color.GREEN
  5: optional double ratio = 0.5
  6: optional bool enabled = true
  7: optional i64 big = 1099511627776
}

// Fields declared out of id order: shows which order each library writes them in.
struct Unordered {
  3: required i32 third
  1: required string first
  2: optional bool second
}

struct Everything {
  1: required Primitives primitives
  2: required Optionals opts
  3: required Containers containers
  4: required Shape shape
  5: optional WithDefaults defaults
  6: optional list<Shape> shapes
  7: optional NotFound failure
}

service Interop {
  Point echo(1: Point point, 2: i64 times) throws (1: NotFound notFound)
  void ping()
  oneway void fire(1: string note)
  Everything everything(1: Everything whole)
}
