struct L {
  1: optional Oops e,
}

exception Oops {
  1: optional i32 Oops,
}

service Echo {
  L echoL(1: L v),
}
