struct S {
  1: optional i32 String,
}

service Echo {
  S echoS(1: S v),
}
