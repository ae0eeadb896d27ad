struct M {
  1: required map<double, i32> m,
}

service Echo {
  M echoM(1: M v),
}
