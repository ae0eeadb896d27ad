include "./shared.thrift"

typedef Tlength O0mh

typedef O0mh S

struct Tlength {
  4: required set<string> stack,
  2: optional Tlength a,
  1: required list<Tlength> aa,
  3: required i16 ay,
}

struct Sc {
  1: required list<set<shared.hash>> a,
}

struct Z {
  1: optional list<shared.B6> a,
  2: required list<shared.hash> n,
  3: required set<shared.hash> aa = [shared.hash.A],
  4: required shared.hash i,
}

const Tlength Sj = {"stack": [], "a": {"stack": [], "aa": [], "ay": 0}, "aa": [], "ay": -1}

service Echo {
  Tlength echoTlength(1: Tlength v),
  Sc echoSc(1: Sc v),
  Z echoZ(1: Z v),
}
