struct HalvedDouble {
  1: required double d,
}

service Echo {
  HalvedDouble echoHalvedDouble(1: HalvedDouble v),
}
