struct S {
  1: optional i32 await,
}

service Echo {
  S echoS(1: S v),
}
