struct S {
  1: required set<bool> s,
}

service Echo {
  S echoS(1: S v),
}
