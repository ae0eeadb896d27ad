exception X {
  1: optional i32 error,
}

service Echo {
  X echoX(1: X v),
}
