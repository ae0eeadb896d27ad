enum E {
  A = 1,
}

struct S {
  1: required E e,
}

service Echo {
  S echoS(1: S v),
}
