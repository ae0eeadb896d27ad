include "./shared.thrift"

enum __class__ {
  A,
}

const bool length = false

struct A {
  1: required list<A> a,
}

struct Aa {
  1: required map<string, set<__class__>> a,
}

struct Ae {
  1: required set<string> await,
}

struct await {
  1: required list<list<__class__>> a,
}

service boolean {
  map<__class__, __class__> a(),
}

service Echo {
  A echoA(1: A v),
  Aa echoAa(1: Aa v),
  Ae echoAe(1: Ae v),
  await echoawait(1: await v),
}
