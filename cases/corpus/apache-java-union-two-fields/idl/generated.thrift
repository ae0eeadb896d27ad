enum A {
  match,
}

union Aa {
  17: set<A> a,
  23613: set<i64> aa,
}

service Echo {
  Aa echoAa(1: Aa v),
}
