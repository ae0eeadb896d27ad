struct S {
  1: optional i32 z,
  2: optional i32 Z,
}

service Echo {
  S echoS(1: S v),
}
