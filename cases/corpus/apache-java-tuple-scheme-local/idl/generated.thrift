struct O {
  1: optional string text,
}

struct S {
  1: required O optionals,
  2: optional i32 n,
}

service Echo {
  S echoS(1: S v),
}
