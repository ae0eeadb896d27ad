enum Fx {
  A,
}

typedef Fx Iqbr

const map<string, map<Fx, bool>> Pn = {}
