struct S {
  1: optional double d = 0.0,
  2: optional double e = 1.5,
}

service Echo {
  S echoS(1: S v),
}
