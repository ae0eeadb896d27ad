typedef binary B

struct S {
  1: optional map<B, i32> m,
}

service Echo {
  S echoS(1: S v),
}
