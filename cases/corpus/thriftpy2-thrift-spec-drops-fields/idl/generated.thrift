struct S {
  1: optional list<i8> thrift_spec = [],
  2: optional i32 x,
}

service Echo {
  S echoS(1: S v),
}
