struct A {
  1: required i32 x,
}

typedef A T

service Svc {
  void f(1: T t),
}

service Echo {
  A echoA(1: A v),
}
