struct I {
  1: optional i32 a,
}

service Echo {
  I echoI(1: I v),
}
