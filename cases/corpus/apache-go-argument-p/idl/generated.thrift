struct S {
  1: optional i32 x,
}

service Svc {
  i32 f(1: i32 p),
}

service Echo {
  S echoS(1: S v),
}
