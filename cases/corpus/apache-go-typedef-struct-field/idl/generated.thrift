struct A {
  1: required i32 x,
}

typedef A T

struct B {
  1: required T t,
}

service Echo {
  A echoA(1: A v),
  B echoB(1: B v),
}
