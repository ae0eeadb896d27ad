struct B {
  1: required i8 b,
}

service Echo {
  B echoB(1: B v),
}
