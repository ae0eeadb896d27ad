exception X {
  1: required i32 a,
  2: required i32 b,
}

struct S {
  1: optional X x = {"a": 1, "b": 2},
  2: optional i32 c,
}

const S C = {"c": 1}

service Echo {
  S echoS(1: S v),
}
