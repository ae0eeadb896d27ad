struct match {
  2: required set<i32> match,
}

service Echo {
  match echomatch(1: match v),
}
