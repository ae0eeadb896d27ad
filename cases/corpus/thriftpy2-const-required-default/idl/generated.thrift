struct R {
  1: required i32 a = 1,
  2: optional i32 b,
}

const R C = {"b": 1}

service Echo {
  R echoR(1: R v),
}
