enum L {
  Ri,
}

exception B {
  1: required L k,
}

struct X {
  1: required B y = {"k": L.Ri},
}

service Echo {
  X echoX(1: X v),
}
