struct S {
  1: optional i32 thrift_spec,
  2: optional list<i32> l = [],
}

service Echo {
  S echoS(1: S v),
}
