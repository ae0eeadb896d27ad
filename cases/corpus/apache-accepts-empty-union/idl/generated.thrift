union U {
  1: i32 x,
  2: string y,
}

service Echo {
  U echoU(1: U v),
}
