struct A0 {
  1: required list<map<string, bool>> a,
}
