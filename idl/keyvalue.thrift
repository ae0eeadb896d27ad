// The KeyValue service of the seed guide (seeds/000: "Creating a Python + Thrift + Hyperbahn
// Service"), valid in both the thriftrw dialect (every struct/exception field is marked
// required or optional) and Apache Thrift's.
//
// One change: the seed's setter is called `set`, but `set` is a reserved word (the container
// type) in both Apache Thrift 0.17's compiler and Python thriftrw 1.9's parser ("syntax error,
// last token was 'set'" / "Grammar error 'set'"), so it is `put` here. The peers' KeyValue
// implementation (serve option impl: "keyvalue") accepts either name.

exception NotFoundError {
  1: required string key
}

service KeyValue {
  string get(1: string key) throws (1: NotFoundError notFound)
  void put(1: string key, 2: string value)
}
