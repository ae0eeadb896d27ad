struct S {
  1: required i32 a,
  2: optional string b,
}

service Echo {
  S echoS(1: S v),
}
