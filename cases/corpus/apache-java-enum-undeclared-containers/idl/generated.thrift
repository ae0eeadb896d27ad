enum E {
  A = 1,
  B = 2,
}

struct C {
  1: optional list<E> l,
  2: optional set<E> s,
  3: optional map<E, i32> m,
}

service Echo {
  C echoC(1: C v),
}
