struct K {
  1: optional list<i32> l = [],
}

const K C = {"l": [1]}

service Echo {
  K echoK(1: K v),
}
