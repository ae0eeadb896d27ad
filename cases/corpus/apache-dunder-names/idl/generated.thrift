include "./shared.thrift"

struct A {
  1: required list<bool> a,
}

struct __slots__ {
  1: required A a,
}

struct __lookupGetter__ {
  1: required list<set<string>> a,
}

service Echo {
  A echoA(1: A v),
  __slots__ echo__slots__(1: __slots__ v),
  __lookupGetter__ echo__lookupGetter__(1: __lookupGetter__ v),
}
