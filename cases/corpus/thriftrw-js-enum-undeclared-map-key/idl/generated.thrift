enum E {
  A = 1,
}

struct S {
  1: required map<E, i32> m,
}

service Echo {
  S echoS(1: S v),
}
