struct S {
  1: optional i32 read,
  2: optional i32 write,
  3: optional i32 validate,
}

service Echo {
  S echoS(1: S v),
}
