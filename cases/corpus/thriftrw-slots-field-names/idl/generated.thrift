const set<string> Crkbibi = []

const bool unknown = false

struct Eyelfo {
  1: required list<bool> await,
}

struct Ozh {
  1: required bool a,
  2: required Eyelfo c,
  3: required map<string, list<bool>> aa,
  4: required list<bool> o,
  5: required bool __repr__,
}

service Echo {
  Eyelfo echoEyelfo(1: Eyelfo v),
  Ozh echoOzh(1: Ozh v),
}
