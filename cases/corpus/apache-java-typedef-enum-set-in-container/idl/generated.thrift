enum E {
  A = 1,
  B = 2,
}

typedef set<E> ES

struct S {
  1: optional list<ES> l,
}

service Echo {
  S echoS(1: S v),
}
