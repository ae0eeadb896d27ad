struct S {
  1: optional i32 metaDataMap,
}

service Echo {
  S echoS(1: S v),
}
