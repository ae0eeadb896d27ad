struct record {
  1: optional i32 a,
}

service Echo {
  record echorecord(1: record v),
}
