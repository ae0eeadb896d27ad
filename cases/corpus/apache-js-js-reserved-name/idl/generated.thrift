struct export {
  1: required i32 x,
}

service Echo {
  export echoexport(1: export v),
}
