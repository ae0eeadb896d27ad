typedef i16 W6zjzb

typedef map<i64, Nxjy_> X9mua

const set<W6zjzb> Xcengvo = [-32763]

const set<W6zjzb> Lmyg4 = [0, 1]

struct Baalw8 {
  12: required map<i64, Nxjy_> message,
  28378: required X9mua u,
  16236: optional list<Baalw8> jr,
  2: optional A8 l,
  26015: optional A8 auto,
}

exception Nxjy_ {
  28091: optional X9mua h1o4fs,
}

exception A8 {
  3: required list<set<W6zjzb>> kwargs,
  6: optional X9mua tm04u,
}

service T7 {
  void sq53(27864: list<list<byte>> u6j5),
  void fg(443: W6zjzb cap) throws (1: A8 err),
}

service Echo {
  Baalw8 echoBaalw8(1: Baalw8 v),
}
