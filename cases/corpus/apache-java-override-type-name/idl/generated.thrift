struct Override {
  1: optional i32 a,
}

struct S {
  1: optional Override o,
}

service Echo {
  S echoS(1: S v),
}
