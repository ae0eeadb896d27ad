struct S {
  1: optional i32 ab,
  2: optional i32 aB,
}

service Echo {
  S echoS(1: S v),
}
