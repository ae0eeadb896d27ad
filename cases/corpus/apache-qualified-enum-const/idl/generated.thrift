include "./shared.thrift"

enum Fw0x {
  A,
}

const bool F40 = false

struct Fl {
  1: required bool a,
}

exception and_eq {
  1: required bool a,
  2: required shared.Iqbr await,
}

struct W_ijpm {
  1: required and_eq a,
}

const W_ijpm Zob8y3u = {"a": {"a": false, "await": shared.Fx.A}}

service Echo {
  Fl echoFl(1: Fl v),
  W_ijpm echoW_ijpm(1: W_ijpm v),
}
