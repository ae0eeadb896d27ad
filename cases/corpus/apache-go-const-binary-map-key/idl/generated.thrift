const map<binary, i32> M = {"ab": 1}

struct S {
  1: optional i32 x,
}

service Echo {
  S echoS(1: S v),
}
