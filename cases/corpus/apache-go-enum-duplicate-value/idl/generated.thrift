enum E {
  A = 0,
  B = 0,
}

struct S {
  1: optional E e,
}

service Echo {
  S echoS(1: S v),
}
