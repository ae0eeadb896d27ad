exception X {
  1: optional string cause,
}

service Echo {
  X echoX(1: X v),
}
