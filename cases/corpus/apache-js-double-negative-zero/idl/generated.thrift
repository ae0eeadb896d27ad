struct D {
  1: required double d,
}

service Echo {
  D echoD(1: D v),
}
