enum Mb {
  T = 817774477,
}

struct Kq {
  688: optional Mb atajb = Mb.T,
}

service Echo {
  Kq echoKq(1: Kq v),
}
