struct M {
  1: required map<i64, i32> m,
}

service Echo {
  M echoM(1: M v),
}
