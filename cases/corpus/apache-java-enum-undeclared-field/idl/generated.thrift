enum E {
  A = 1,
  B = 2,
}

struct S {
  1: optional E e,
  2: optional i32 n,
}

service Echo {
  S echoS(1: S v),
}
