include "./shared.thrift"

struct A {
  1: required list<bool> a,
}

struct await {
  1: required A a,
}

struct __lookupGetter__ {
  1: required list<set<string>> a,
}

service Echo {
  A echoA(1: A v),
  await echoawait(1: await v),
  __lookupGetter__ echo__lookupGetter__(1: __lookupGetter__ v),
}
