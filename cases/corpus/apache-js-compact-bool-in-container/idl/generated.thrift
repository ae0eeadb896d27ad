union L {
  12: map<byte, bool> f1y4l1c,
}

service Echo {
  L echoL(1: L v),
}
