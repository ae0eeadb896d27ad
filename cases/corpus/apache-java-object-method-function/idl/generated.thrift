struct S {
  1: optional i32 a,
}

service X {
  void hashCode(),
}

service Echo {
  S echoS(1: S v),
}
