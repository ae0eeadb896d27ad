/**
 * Golden byte vectors for the binary protocol, written by hand from Apache Thrift's
 * doc/specs/thrift-binary-protocol.md — not produced by our encoder. Each vector is a list of
 * annotated lines: `['0b 0001', 'field header: type 11 (string), id 1']`. The tests check both
 * directions: encode(value) gives exactly these bytes, and decode(bytes) gives the value.
 */

/** One annotated line: hex bytes (spaces ignored) and what they mean. */
export type Line = readonly [hex: string, meaning: string];

/** Joins annotated lines into bytes. */
export function bytesOf(lines: readonly Line[]): Uint8Array {
  const hex = lines.map(([h]) => h.replace(/\s+/g, '')).join('');
  if (hex.length % 2 !== 0) throw new Error(`odd hex length in vector: ${hex}`);
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** The IDL every vector below is a value of. */
export const GOLDEN_IDL = `
enum Color { RED = 1, GREEN = 2, BLUE = -3 }
struct Bases {
  1: optional bool b
  2: optional byte y
  3: optional i16 s
  4: optional i32 i
  5: optional i64 l
  6: optional double d
  7: optional string str
  8: optional binary bin
  9: optional Color color
  10: optional uuid id
}
struct Inner { 1: required i32 x }
struct Containers {
  1: optional list<i32> ints
  2: optional set<string> names
  3: optional map<string, i64> counts
  4: optional list<list<byte>> nested
  5: optional list<Inner> inners
  6: optional map<i32, list<string>> byId
}
union Value {
  1: string stringValue
  2: i32 integerValue
}
struct WithDefaults {
  1: optional i32 n = 7
  2: required string s = "x"
  3: optional list<i32> l = [1, 2]
}
struct Ids { 32767: optional bool top, 1: optional bool low }
exception NotFoundError { 1: required string key }
service KeyValue {
  string get(1: string key) throws (1: NotFoundError notFound)
  void put(1: string key, 2: string value)
  oneway void fire(1: i32 n)
}
`;

/** A struct-valued vector: the type, its field values, and the annotated bytes. */
export interface StructVector {
  readonly name: string;
  readonly type: string;
  readonly value: Record<string, unknown>;
  readonly lines: readonly Line[];
}

const STOP: Line = ['00', 'STOP: end of struct'];

export const STRUCT_VECTORS: readonly StructVector[] = [
  { name: 'empty struct', type: 'Bases', value: {}, lines: [STOP] },
  {
    name: 'bool true / false',
    type: 'Bases',
    value: { b: true },
    lines: [['02 0001', 'field: type 2 (bool), id 1'], ['01', 'true'], STOP],
  },
  {
    name: 'bool false',
    type: 'Bases',
    value: { b: false },
    lines: [['02 0001', 'field: type 2 (bool), id 1'], ['00', 'false'], STOP],
  },
  {
    name: 'byte -128 (min)',
    type: 'Bases',
    value: { y: -128 },
    lines: [['03 0002', 'field: type 3 (byte), id 2'], ['80', '-128 two’s complement'], STOP],
  },
  {
    name: 'byte 127 (max)',
    type: 'Bases',
    value: { y: 127 },
    lines: [['03 0002', 'field: type 3 (byte), id 2'], ['7f', '127'], STOP],
  },
  {
    name: 'i16 min and max',
    type: 'Bases',
    value: { s: -32768 },
    lines: [['06 0003', 'field: type 6 (i16), id 3'], ['8000', '-32768 big-endian'], STOP],
  },
  {
    name: 'i32 -1',
    type: 'Bases',
    value: { i: -1 },
    lines: [['08 0004', 'field: type 8 (i32), id 4'], ['ffffffff', '-1 big-endian'], STOP],
  },
  {
    name: 'i32 max',
    type: 'Bases',
    value: { i: 2147483647 },
    lines: [['08 0004', 'field: type 8 (i32), id 4'], ['7fffffff', '2^31-1'], STOP],
  },
  {
    name: 'i64 min',
    type: 'Bases',
    value: { l: -9223372036854775808n },
    lines: [['0a 0005', 'field: type 10 (i64), id 5'], ['8000000000000000', '-2^63'], STOP],
  },
  {
    name: 'i64 max',
    type: 'Bases',
    value: { l: 9223372036854775807n },
    lines: [['0a 0005', 'field: type 10 (i64), id 5'], ['7fffffffffffffff', '2^63-1'], STOP],
  },
  {
    name: 'i64 2^53+1 (not a safe double)',
    type: 'Bases',
    value: { l: 9007199254740993n },
    lines: [['0a 0005', 'field: type 10 (i64), id 5'], ['0020000000000001', '2^53+1'], STOP],
  },
  {
    name: 'double 1.5',
    type: 'Bases',
    value: { d: 1.5 },
    lines: [
      ['04 0006', 'field: type 4 (double), id 6'],
      ['3ff8000000000000', '1.5 IEEE 754 big-endian'],
      STOP,
    ],
  },
  {
    name: 'double -0.0',
    type: 'Bases',
    value: { d: -0 },
    lines: [
      ['04 0006', 'field: type 4 (double), id 6'],
      ['8000000000000000', '-0.0: only the sign bit'],
      STOP,
    ],
  },
  {
    name: 'double NaN',
    type: 'Bases',
    value: { d: NaN },
    lines: [
      ['04 0006', 'field: type 4 (double), id 6'],
      ['7ff8000000000000', 'the canonical quiet NaN'],
      STOP,
    ],
  },
  {
    name: 'double -Infinity',
    type: 'Bases',
    value: { d: -Infinity },
    lines: [['04 0006', 'field: type 4 (double), id 6'], ['fff0000000000000', '-Infinity'], STOP],
  },
  {
    name: 'empty string',
    type: 'Bases',
    value: { str: '' },
    lines: [['0b 0007', 'field: type 11 (string), id 7'], ['00000000', 'length 0'], STOP],
  },
  {
    name: 'non-ASCII string (é, €, 😀)',
    type: 'Bases',
    value: { str: 'é€😀' },
    lines: [
      ['0b 0007', 'field: type 11 (string), id 7'],
      ['00000009', 'length 9 bytes of UTF-8'],
      ['c3a9', 'é U+00E9 (2 bytes)'],
      ['e282ac', '€ U+20AC (3 bytes)'],
      ['f09f9880', '😀 U+1F600 (4 bytes, one surrogate pair in JS)'],
      STOP,
    ],
  },
  {
    name: 'binary with a zero byte',
    type: 'Bases',
    value: { bin: new Uint8Array([0, 255, 16]) },
    lines: [
      ['0b 0008', 'field: type 11 (binary is string on the wire), id 8'],
      ['00000003', 'length 3'],
      ['00ff10', 'the bytes'],
      STOP,
    ],
  },
  {
    name: 'enum with a negative value',
    type: 'Bases',
    value: { color: -3 },
    lines: [['08 0009', 'field: type 8 (enums are i32), id 9'], ['fffffffd', 'BLUE = -3'], STOP],
  },
  {
    name: 'i16 max',
    type: 'Bases',
    value: { s: 32767 },
    lines: [['06 0003', 'field: type 6 (i16), id 3'], ['7fff', '32767'], STOP],
  },
  {
    name: 'uuid: 16 raw bytes, no length prefix',
    type: 'Bases',
    value: { id: '00112233-4455-6677-8899-aabbccddeeff' },
    lines: [
      ['10 000a', 'field: type 16 (uuid), id 10'],
      ['00112233 4455 6677 8899 aabbccddeeff', 'the uuid’s 16 bytes in text order'],
      STOP,
    ],
  },
  {
    name: 'fields in id order of declaration',
    type: 'Bases',
    value: { b: true, i: 2, str: 'a' },
    lines: [
      ['02 0001', 'field: bool, id 1'],
      ['01', 'true'],
      ['08 0004', 'field: i32, id 4'],
      ['00000002', '2'],
      ['0b 0007', 'field: string, id 7'],
      ['00000001 61', 'length 1, "a"'],
      STOP,
    ],
  },
  {
    name: 'list<i32>, set<string>, map<string,i64>',
    type: 'Containers',
    value: { ints: [1, -1], names: new Set(['a']), counts: new Map([['k', 5n]]) },
    lines: [
      ['0f 0001', 'field: type 15 (list), id 1'],
      ['08 00000002', 'element type 8 (i32), size 2'],
      ['00000001 ffffffff', '1, -1'],
      ['0e 0002', 'field: type 14 (set), id 2'],
      ['0b 00000001', 'element type 11 (string), size 1'],
      ['00000001 61', '"a"'],
      ['0d 0003', 'field: type 13 (map), id 3'],
      ['0b 0a 00000001', 'key type 11 (string), value type 10 (i64), size 1'],
      ['00000001 6b', 'key "k"'],
      ['0000000000000005', 'value 5'],
      STOP,
    ],
  },
  {
    name: 'empty containers keep their element types',
    type: 'Containers',
    value: { ints: [], names: new Set(), counts: new Map() },
    lines: [
      ['0f 0001', 'field: list, id 1'],
      ['08 00000000', 'element type i32, size 0'],
      ['0e 0002', 'field: set, id 2'],
      ['0b 00000000', 'element type string, size 0'],
      ['0d 0003', 'field: map, id 3'],
      ['0b 0a 00000000', 'key string, value i64, size 0'],
      STOP,
    ],
  },
  {
    name: 'nested containers and structs in lists',
    type: 'Containers',
    value: {
      nested: [[1], []],
      inners: [{ x: 9 }],
      byId: new Map([[3, ['z']]]),
    },
    lines: [
      ['0f 0004', 'field: list, id 4'],
      ['0f 00000002', 'element type 15 (list), size 2'],
      ['03 00000001 01', 'inner list: byte, size 1, [1]'],
      ['03 00000000', 'inner list: byte, size 0'],
      ['0f 0005', 'field: list, id 5'],
      ['0c 00000001', 'element type 12 (struct), size 1'],
      ['08 0001 00000009', 'Inner.x: i32 id 1 = 9'],
      ['00', 'STOP of Inner'],
      ['0d 0006', 'field: map, id 6'],
      ['08 0f 00000001', 'key i32, value list, size 1'],
      ['00000003', 'key 3'],
      ['0b 00000001 00000001 7a', 'value: list<string> size 1, "z"'],
      STOP,
    ],
  },
  {
    name: 'union with one field',
    type: 'Value',
    value: { integerValue: 42 },
    lines: [['08 0002', 'field: i32, id 2'], ['0000002a', '42'], STOP],
  },
  {
    name: 'defaults are written like given values',
    type: 'WithDefaults',
    value: {},
    lines: [
      ['08 0001 00000007', 'n: default 7'],
      ['0b 0002 00000001 78', 's: default "x"'],
      ['0f 0003 08 00000002 00000001 00000002', 'l: default [1, 2]'],
      STOP,
    ],
  },
  {
    name: 'field id 32767 (the largest)',
    type: 'Ids',
    value: { top: true, low: false },
    lines: [
      ['02 7fff 01', 'bool id 32767 = true (declared first, written first)'],
      ['02 0001 00', 'bool id 1 = false'],
      STOP,
    ],
  },
];

/** Envelope vectors: a message of the KeyValue service. */
export interface MessageVector {
  readonly name: string;
  readonly fn: string;
  readonly kind: 'request' | 'response' | 'exception';
  readonly seqid: number;
  readonly strict: boolean;
  readonly value: Record<string, unknown>;
  readonly lines: readonly Line[];
}

export const MESSAGE_VECTORS: readonly MessageVector[] = [
  {
    name: 'CALL strict',
    fn: 'get',
    kind: 'request',
    seqid: 1,
    strict: true,
    value: { key: 'k' },
    lines: [
      ['80010001', 'strict: version 0x8001, message type 1 (CALL)'],
      ['00000003 676574', 'name: length 3, "get"'],
      ['00000001', 'seqid 1'],
      ['0b 0001 00000001 6b', 'args.key: string id 1 = "k"'],
      STOP,
    ],
  },
  {
    name: 'CALL non-strict',
    fn: 'get',
    kind: 'request',
    seqid: 1,
    strict: false,
    value: { key: 'k' },
    lines: [
      ['00000003 676574', 'non-strict: name first: length 3, "get"'],
      ['01', 'message type 1 (CALL) as a byte'],
      ['00000001', 'seqid 1'],
      ['0b 0001 00000001 6b', 'args.key = "k"'],
      STOP,
    ],
  },
  {
    name: 'REPLY strict with success',
    fn: 'get',
    kind: 'response',
    seqid: -2,
    strict: true,
    value: { success: 'v' },
    lines: [
      ['80010002', 'strict, type 2 (REPLY)'],
      ['00000003 676574', '"get"'],
      ['fffffffe', 'seqid -2'],
      ['0b 0000 00000001 76', 'success: string id 0 = "v"'],
      STOP,
    ],
  },
  {
    name: 'REPLY with a declared exception',
    fn: 'get',
    kind: 'response',
    seqid: 7,
    strict: true,
    value: { notFound: { key: 'k' } },
    lines: [
      ['80010002', 'strict, REPLY'],
      ['00000003 676574', '"get"'],
      ['00000007', 'seqid 7'],
      ['0c 0001', 'notFound: struct id 1'],
      ['0b 0001 00000001 6b', 'NotFoundError.key = "k"'],
      ['00', 'STOP of NotFoundError'],
      STOP,
    ],
  },
  {
    name: 'REPLY of a void function, non-strict',
    fn: 'put',
    kind: 'response',
    seqid: 3,
    strict: false,
    value: {},
    lines: [['00000003 707574', '"put"'], ['02', 'REPLY'], ['00000003', 'seqid 3'], STOP],
  },
  {
    name: 'ONEWAY strict',
    fn: 'fire',
    kind: 'request',
    seqid: 0,
    strict: true,
    value: { n: 1 },
    lines: [
      ['80010004', 'strict, type 4 (ONEWAY)'],
      ['00000004 66697265', '"fire"'],
      ['00000000', 'seqid 0'],
      ['08 0001 00000001', 'n = 1'],
      STOP,
    ],
  },
  {
    name: 'ONEWAY non-strict',
    fn: 'fire',
    kind: 'request',
    seqid: 5,
    strict: false,
    value: { n: -1 },
    lines: [
      ['00000004 66697265', 'non-strict: name "fire"'],
      ['04', 'message type 4 (ONEWAY)'],
      ['00000005', 'seqid 5'],
      ['08 0001 ffffffff', 'n = -1'],
      STOP,
    ],
  },
  {
    name: 'EXCEPTION non-strict: TApplicationException UNKNOWN_METHOD',
    fn: 'nope',
    kind: 'exception',
    seqid: 9,
    strict: false,
    value: { type: 1, message: 'no' },
    lines: [
      ['00000004 6e6f7065', 'non-strict: name "nope"'],
      ['03', 'message type 3 (EXCEPTION)'],
      ['00000009', 'seqid 9'],
      ['0b 0001 00000002 6e6f', 'message = "no"'],
      ['08 0002 00000001', 'type = 1 (UNKNOWN_METHOD)'],
      STOP,
    ],
  },
  {
    name: 'EXCEPTION strict: TApplicationException UNKNOWN_METHOD',
    fn: 'nope',
    kind: 'exception',
    seqid: 9,
    strict: true,
    value: { type: 1, message: 'no' },
    lines: [
      ['80010003', 'strict, type 3 (EXCEPTION)'],
      ['00000004 6e6f7065', '"nope"'],
      ['00000009', 'seqid 9'],
      ['0b 0001 00000002 6e6f', 'message: string id 1 = "no"'],
      ['08 0002 00000001', 'type: i32 id 2 = 1 (UNKNOWN_METHOD)'],
      STOP,
    ],
  },
];
