enum hash {
  A,
}

const hash Nw = hash.A

exception B6 {
  1: required bool a,
  2: required list<hash> p,
  3: required set<string> cls,
  4: required bool aa,
}
