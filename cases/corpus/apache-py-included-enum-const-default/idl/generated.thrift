include "./common.thrift"

struct S {
  1: optional common.E f = common.K,
}

service Echo {
  S echoS(1: S v),
}
