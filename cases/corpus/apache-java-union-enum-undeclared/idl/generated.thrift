enum E {
  A = 1,
  B = 2,
}

union U {
  1: E e,
  2: i32 n,
}

service Echo {
  U echoU(1: U v),
}
