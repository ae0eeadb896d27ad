struct A {
  1: optional i32 x,
}

typedef A T

struct S {
  1: optional list<T> l,
}

service Echo {
  A echoA(1: A v),
  S echoS(1: S v),
}
