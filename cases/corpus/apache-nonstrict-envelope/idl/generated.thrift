struct A {
  1: required set<string> a,
}

service Echo {
  A echoA(1: A v),
}
