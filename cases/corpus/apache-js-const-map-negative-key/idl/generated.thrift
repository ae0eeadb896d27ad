const map<i32, i32> C = {-1: 2}

struct S {
  1: required i32 x,
}

service Echo {
  S echoS(1: S v),
}
