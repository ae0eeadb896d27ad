const binary R = "n"

struct I9 {}

service Echo {
  I9 echoI9(1: I9 v),
}
