include "./shared.thrift"

struct M {
  1: required shared.Alias a,
}

service Echo {
  M echoM(1: M v),
}
