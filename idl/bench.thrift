// Benchmark workloads for `npm run bench` (bench/codec.bench.ts). Valid in both the thriftrw and
// the Apache dialects: every struct field is marked required or optional.

struct Small {
  1: required i32 a
  2: required string b
  3: required bool c
  4: required double d
  5: required i64 e
}

struct Medium {
  1: required list<string> names
  2: required map<string, i32> counts
  3: required Small small
  4: optional binary blob
}

struct Large {
  1: required binary data
}
