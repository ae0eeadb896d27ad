enum Na {
  U74y = 986890390,
  Sl1_ = -738123631,
}

typedef Na defer

const Na Zja = Na.Sl1_

struct Oa {
  7: required defer hbn = Zja,
}

service Echo {
  Oa echoOa(1: Oa v),
}
