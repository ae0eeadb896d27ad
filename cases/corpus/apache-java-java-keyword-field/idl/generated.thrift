struct S {
  1: optional i32 int,
}

service Echo {
  S echoS(1: S v),
}
