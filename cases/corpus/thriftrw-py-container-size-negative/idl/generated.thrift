struct A {
  2: required map<i32, A> aa,
}

service Echo {
  A echoA(1: A v),
}
