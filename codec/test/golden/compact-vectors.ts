/**
 * Golden byte vectors for the compact protocol, written by hand from Apache Thrift's
 * doc/specs/thrift-compact-protocol.md (varints worked out on paper and checked with a
 * two-line Python script, not with our encoder). Each vector is a list of annotated lines, as
 * in vectors.ts: `['15 04', 'field header: delta 1, type 5 (i32), id 1; value zigzag(2) = 4']`.
 * The tests check both directions: encode(value) gives exactly these bytes and decode(bytes)
 * gives the value. `DECODE_ONLY` vectors are encodings the spec allows but we do not write (we
 * read them to the same value); `BAD` vectors are refused with the error named.
 *
 * Notes on where Apache's libraries and the spec's text part ways (we follow the libraries on
 * write and accept both on read): a bool inside a container is written 1 (true) / 2 (false) —
 * the spec says 1 / 0 — and a list, set or map header names bool elements with type 1 — the spec
 * says 2.
 */
import type { Line } from './vectors.js';
import { GOLDEN_IDL } from './vectors.js';

/** GOLDEN_IDL plus the types only the compact vectors need; compiled with the apache dialect. */
export const COMPACT_IDL =
  GOLDEN_IDL +
  `
struct Flags {
  1: optional list<bool> flagList
  2: optional set<bool> flagSet
  3: optional map<bool, bool> flagMap
}
struct Steps {
  1: optional byte d1
  3: optional byte d2
  6: optional byte d3
  10: optional byte d4
  15: optional byte d5
  21: optional byte d6
  28: optional byte d7
  36: optional byte d8
  45: optional byte d9
  55: optional byte d10
  66: optional byte d11
  78: optional byte d12
  91: optional byte d13
  105: optional byte d14
  120: optional byte d15
  136: optional byte d16
}
struct Signed {
  1: optional byte first
  -5: optional byte negative
  5: optional byte after
  0: optional byte zero
}
struct Nest { 1: optional Inner inner, 2: optional i32 next }
`;

/** A struct-valued vector: the type, its field values (primitive form), and the annotated bytes. */
export interface CompactVector {
  readonly name: string;
  readonly type: string;
  readonly value: Record<string, unknown>;
  readonly lines: readonly Line[];
}

const STOP: Line = ['00', 'STOP: end of struct'];

/** 14 i32s 0..13 (zigzag 2n) and the 15th, 14. */
const INTS14 = Array.from({ length: 14 }, (_, i) => i);
const ZIGZAG14 = '00 02 04 06 08 0a 0c 0e 10 12 14 16 18 1a';

export const COMPACT_VECTORS: readonly CompactVector[] = [
  { name: 'empty struct', type: 'Bases', value: {}, lines: [STOP] },
  {
    name: 'bool true in a field header',
    type: 'Bases',
    value: { b: true },
    lines: [['11', 'field header: delta 1, type 1 (bool true), id 1: the value is the type'], STOP],
  },
  {
    name: 'bool false in a field header',
    type: 'Bases',
    value: { b: false },
    lines: [['12', 'field header: delta 1, type 2 (bool false), id 1'], STOP],
  },
  {
    name: 'byte -128 (one raw byte)',
    type: 'Bases',
    value: { y: -128 },
    lines: [['23', 'field header: delta 2, type 3 (i8), id 2'], ['80', 'i8 -128'], STOP],
  },
  {
    name: 'i16 minimum',
    type: 'Bases',
    value: { s: -32768 },
    lines: [
      ['34', 'field header: delta 3, type 4 (i16), id 3'],
      ['ff ff 03', 'zigzag 65535'],
      STOP,
    ],
  },
  {
    name: 'i16 maximum',
    type: 'Bases',
    value: { s: 32767 },
    lines: [
      ['34', 'field header: delta 3, type 4 (i16), id 3'],
      ['fe ff 03', 'zigzag 65534'],
      STOP,
    ],
  },
  {
    name: 'i32 -1, 1 byte',
    type: 'Bases',
    value: { i: -1 },
    lines: [['45', 'field header: delta 4, type 5 (i32), id 4'], ['01', 'zigzag 1 = -1'], STOP],
  },
  {
    name: 'i32 64, 2 bytes',
    type: 'Bases',
    value: { i: 64 },
    lines: [['45', 'field header: delta 4, type 5 (i32), id 4'], ['80 01', 'zigzag 128'], STOP],
  },
  {
    name: 'i32 minimum, 5 bytes',
    type: 'Bases',
    value: { i: -2147483648 },
    lines: [
      ['45', 'field header: delta 4, type 5 (i32), id 4'],
      ['ff ff ff ff 0f', 'zigzag 4294967295'],
      STOP,
    ],
  },
  {
    name: 'i32 maximum, 5 bytes',
    type: 'Bases',
    value: { i: 2147483647 },
    lines: [
      ['45', 'field header: delta 4, type 5 (i32), id 4'],
      ['fe ff ff ff 0f', 'zigzag 4294967294'],
      STOP,
    ],
  },
  {
    name: 'i64 1234567890123',
    type: 'Bases',
    value: { l: 1234567890123n },
    lines: [
      ['56', 'field header: delta 5, type 6 (i64), id 5'],
      ['96 93 d8 9f ee 47', 'zigzag 2469135780246'],
      STOP,
    ],
  },
  {
    name: 'i64 minimum, 10-byte varint',
    type: 'Bases',
    value: { l: -9223372036854775808n },
    lines: [
      ['56', 'field header: delta 5, type 6 (i64), id 5'],
      ['ff ff ff ff ff ff ff ff ff 01', 'zigzag 2^64-1: nine 0x7f groups and the 64th bit'],
      STOP,
    ],
  },
  {
    name: 'i64 maximum, 10-byte varint',
    type: 'Bases',
    value: { l: 9223372036854775807n },
    lines: [
      ['56', 'field header: delta 5, type 6 (i64), id 5'],
      ['fe ff ff ff ff ff ff ff ff 01', 'zigzag 2^64-2'],
      STOP,
    ],
  },
  {
    name: 'double 1.5, little-endian',
    type: 'Bases',
    value: { d: 1.5 },
    lines: [
      ['67', 'field header: delta 6, type 7 (double), id 6'],
      ['00 00 00 00 00 00 f8 3f', '1.5, IEEE 754 bits 0x3ff8000000000000 low byte first'],
      STOP,
    ],
  },
  {
    name: 'double -0.0',
    type: 'Bases',
    value: { d: -0 },
    lines: [
      ['67', 'field header: delta 6, type 7 (double), id 6'],
      ['00 00 00 00 00 00 00 80', '-0.0: only the sign bit, in the last byte'],
      STOP,
    ],
  },
  {
    name: 'string "hi"',
    type: 'Bases',
    value: { str: 'hi' },
    lines: [
      ['78', 'field header: delta 7, type 8 (binary), id 7'],
      ['02', 'varint length 2'],
      ['68 69', '"hi"'],
      STOP,
    ],
  },
  {
    name: 'empty string',
    type: 'Bases',
    value: { str: '' },
    lines: [['78', 'field header: delta 7, type 8 (binary), id 7'], ['00', 'length 0'], STOP],
  },
  {
    name: 'string of 128 bytes: a 2-byte length',
    type: 'Bases',
    value: { str: 'a'.repeat(128) },
    lines: [
      ['78', 'field header: delta 7, type 8 (binary), id 7'],
      ['80 01', 'varint length 128'],
      ['61'.repeat(128), '128 × "a"'],
      STOP,
    ],
  },
  {
    name: 'string "é€😀" (multi-byte UTF-8)',
    type: 'Bases',
    value: { str: 'é€😀' },
    lines: [
      ['78', 'field header: delta 7, type 8 (binary), id 7'],
      ['09', 'varint length 9 (UTF-8 bytes, not characters)'],
      ['c3a9 e282ac f09f9880', 'é, €, 😀'],
      STOP,
    ],
  },
  {
    name: 'binary 01 02 03',
    type: 'Bases',
    value: { bin: Uint8Array.of(1, 2, 3) },
    lines: [
      ['88', 'field header: delta 8, type 8 (binary), id 8'],
      ['03', 'length 3'],
      ['01 02 03', 'bytes'],
      STOP,
    ],
  },
  {
    name: 'enum BLUE = -3 as an i32',
    type: 'Bases',
    value: { color: -3 },
    lines: [['95', 'field header: delta 9, type 5 (i32), id 9'], ['05', 'zigzag 5 = -3'], STOP],
  },
  {
    name: 'uuid, 16 bytes big-endian',
    type: 'Bases',
    value: { id: '00112233-4455-6677-8899-aabbccddeeff' },
    lines: [
      ['ad', 'field header: delta 10, type 13 (uuid), id 10'],
      ['00112233 4455 6677 8899 aabbccddeeff', 'the uuid bytes, no length'],
      STOP,
    ],
  },
  {
    name: 'every base field in one struct, delta 1 each',
    type: 'Bases',
    value: { b: true, y: 1, s: 2, i: 3, l: 4n, d: 0, str: 'a', bin: Uint8Array.of(), color: 1 },
    lines: [
      ['11', 'id 1 bool true'],
      ['13 01', 'id 2 i8 1'],
      ['14 04', 'id 3 i16 zigzag 4'],
      ['15 06', 'id 4 i32 zigzag 6'],
      ['16 08', 'id 5 i64 zigzag 8'],
      ['17 0000000000000000', 'id 6 double 0.0'],
      ['18 01 61', 'id 7 string "a"'],
      ['18 00', 'id 8 empty binary'],
      ['15 02', 'id 9 enum RED = 1'],
      STOP,
    ],
  },
  {
    name: 'field-id deltas 1 to 15 in the short form, 16 in the long form',
    type: 'Steps',
    value: {
      d1: 1,
      d2: 2,
      d3: 3,
      d4: 4,
      d5: 5,
      d6: 6,
      d7: 7,
      d8: 8,
      d9: 9,
      d10: 10,
      d11: 11,
      d12: 12,
      d13: 13,
      d14: 14,
      d15: 15,
      d16: 16,
    },
    lines: [
      ['13 01', 'delta 1 → id 1, i8 1'],
      ['23 02', 'delta 2 → id 3'],
      ['33 03', 'delta 3 → id 6'],
      ['43 04', 'delta 4 → id 10'],
      ['53 05', 'delta 5 → id 15'],
      ['63 06', 'delta 6 → id 21'],
      ['73 07', 'delta 7 → id 28'],
      ['83 08', 'delta 8 → id 36'],
      ['93 09', 'delta 9 → id 45'],
      ['a3 0a', 'delta 10 → id 55'],
      ['b3 0b', 'delta 11 → id 66'],
      ['c3 0c', 'delta 12 → id 78'],
      ['d3 0d', 'delta 13 → id 91'],
      ['e3 0e', 'delta 14 → id 105'],
      ['f3 0f', 'delta 15 → id 120 (the largest short-form delta)'],
      ['03 90 02 10', 'delta 16: long form, type 3 then id 136 as zigzag 272 (90 02); i8 16'],
      STOP,
    ],
  },
  {
    name: 'negative ids and id 0 (long form), then a delta from a negative id',
    type: 'Signed',
    value: { first: 1, negative: 2, after: 3, zero: 4 },
    lines: [
      ['13 01', 'delta 1 → id 1, i8 1'],
      ['03 09 02', 'negative delta: long form, id -5 as zigzag 9; i8 2'],
      ['a3 03', 'delta 10 from -5 → id 5 (short form), i8 3'],
      ['03 00 04', 'id 0 after 5: long form, zigzag 0; i8 4'],
      STOP,
    ],
  },
  {
    name: 'id 32767 then id 1: bools in long-form headers',
    type: 'Ids',
    value: { top: true, low: false },
    lines: [
      ['01 fe ff 03', 'long form: type 1 (bool true), id 32767 as zigzag 65534'],
      ['02 02', 'negative delta: long form, type 2 (bool false), id 1 as zigzag 2'],
      STOP,
    ],
  },
  {
    name: 'list<i32> of 3',
    type: 'Containers',
    value: { ints: [1, -1, 300] },
    lines: [
      ['19', 'field header: delta 1, type 9 (list), id 1'],
      ['35', 'list header: size 3, element type 5 (i32)'],
      ['02 01 d8 04', 'zigzag 2 = 1, zigzag 1 = -1, zigzag 600 = 300'],
      STOP,
    ],
  },
  {
    name: 'empty list',
    type: 'Containers',
    value: { ints: [] },
    lines: [['19', 'id 1 list'], ['05', 'list header: size 0, element type 5 (i32)'], STOP],
  },
  {
    name: 'list of 14: the last short-form size',
    type: 'Containers',
    value: { ints: INTS14 },
    lines: [['19', 'id 1 list'], ['e5', 'list header: size 14, i32'], [ZIGZAG14, '0..13'], STOP],
  },
  {
    name: 'list of 15: the long form',
    type: 'Containers',
    value: { ints: [...INTS14, 14] },
    lines: [
      ['19', 'id 1 list'],
      ['f5 0f', 'list header: size nibble 15 (long form), i32; varint size 15'],
      [ZIGZAG14 + ' 1c', '0..14'],
      STOP,
    ],
  },
  {
    name: 'set<string>',
    type: 'Containers',
    value: { names: ['a', 'b'] },
    lines: [
      ['2a', 'field header: delta 2, type 10 (set), id 2'],
      ['28', 'set header: size 2, element type 8 (binary)'],
      ['01 61 01 62', '"a", "b"'],
      STOP,
    ],
  },
  {
    name: 'empty map: one zero byte',
    type: 'Containers',
    value: { counts: [] },
    lines: [
      ['3b', 'field header: delta 3, type 11 (map), id 3'],
      ['00', 'map size 0; no types'],
      STOP,
    ],
  },
  {
    name: 'map<string, i64> of 2',
    type: 'Containers',
    value: {
      counts: [
        ['a', 1n],
        ['b', -1n],
      ],
    },
    lines: [
      ['3b', 'id 3 map'],
      ['02', 'map size 2'],
      ['86', 'key type 8 (binary), value type 6 (i64)'],
      ['01 61 02', '"a" → zigzag 2 = 1'],
      ['01 62 01', '"b" → zigzag 1 = -1'],
      STOP,
    ],
  },
  {
    name: 'nested lists',
    type: 'Containers',
    value: { nested: [[1], [2, 3], []] },
    lines: [
      ['49', 'field header: delta 4, type 9 (list), id 4'],
      ['39', 'list header: size 3, element type 9 (list)'],
      ['13 01', 'list of 1 i8: 1'],
      ['23 02 03', 'list of 2 i8: 2, 3'],
      ['03', 'list of 0 i8'],
      STOP,
    ],
  },
  {
    name: 'list of structs: field ids restart inside each',
    type: 'Containers',
    value: { inners: [{ x: 1 }, { x: 2 }] },
    lines: [
      ['59', 'field header: delta 5, type 9 (list), id 5'],
      ['2c', 'list header: size 2, element type 12 (struct)'],
      ['15 02 00', 'Inner{x: 1}: delta 1 from 0, zigzag 2; stop'],
      ['15 04 00', 'Inner{x: 2}: delta 1 from 0 again'],
      STOP,
    ],
  },
  {
    name: 'map<i32, list<string>>',
    type: 'Containers',
    value: { byId: [[1, ['a']]] },
    lines: [
      ['6b', 'field header: delta 6, type 11 (map), id 6'],
      ['01 59', 'map size 1; key type 5 (i32), value type 9 (list)'],
      ['02', 'key zigzag 2 = 1'],
      ['18 01 61', 'list header: size 1, binary; "a"'],
      STOP,
    ],
  },
  {
    name: 'a nested struct, then the outer field ids go on from where they were',
    type: 'Nest',
    value: { inner: { x: 7 }, next: 1 },
    lines: [
      ['1c', 'field header: delta 1, type 12 (struct), id 1'],
      ['15 0e 00', 'Inner{x: 7}; stop'],
      ['15 02', 'delta 1 from the outer id 1 (not from the inner one) → id 2, i32 1'],
      STOP,
    ],
  },
  {
    name: 'list<bool>: one byte per element, bool type 1',
    type: 'Flags',
    value: { flagList: [true, false, true] },
    lines: [
      ['19', 'id 1 list'],
      ['31', 'list header: size 3, element type 1 (bool, as Apache writes it)'],
      ['01 02 01', 'true (1), false (2, as Apache writes it), true'],
      STOP,
    ],
  },
  {
    name: 'map<bool, bool>',
    type: 'Flags',
    value: { flagMap: [[true, false]] },
    lines: [
      ['3b', 'id 3 map'],
      ['01 11', 'size 1; key type 1 (bool), value type 1 (bool)'],
      ['01 02', 'true → false'],
      STOP,
    ],
  },
  {
    name: 'union',
    type: 'Value',
    value: { integerValue: 5 },
    lines: [['25', 'field header: delta 2, type 5 (i32), id 2'], ['0a', 'zigzag 10 = 5'], STOP],
  },
];

/** Bytes we do not write but must read to the value (encodings the spec or Apache allow). */
export const DECODE_ONLY: readonly CompactVector[] = [
  {
    name: 'bool false as 0 in a list (the spec text)',
    type: 'Flags',
    value: { flagList: [false, true] },
    lines: [['19', 'id 1 list'], ['21', 'size 2, bool'], ['00 01', 'false (0), true'], STOP],
  },
  {
    name: 'bool element type 2 (the spec text)',
    type: 'Flags',
    value: { flagSet: [true] },
    lines: [['2a', 'id 2 set'], ['12', 'size 1, element type 2 (bool)'], ['01', 'true'], STOP],
  },
  {
    name: 'a long-form list header for 3 elements',
    type: 'Containers',
    value: { ints: [1, 2, 3] },
    lines: [['19', 'id 1 list'], ['f5 03', 'long form, size 3'], ['02 04 06', '1, 2, 3'], STOP],
  },
  {
    name: 'a long-form field header where a delta would do',
    type: 'Bases',
    value: { i: 1 },
    lines: [['05 08', 'long form: i32, id 4 as zigzag 8'], ['02', '1'], STOP],
  },
  {
    name: 'a varint padded with a 0x80 byte',
    type: 'Bases',
    value: { i: 1 },
    lines: [['45', 'id 4 i32'], ['82 00', 'zigzag 2, padded to two bytes'], STOP],
  },
  {
    name: 'fields in another order',
    type: 'Bases',
    value: { y: 1, i: 2 },
    lines: [
      ['45 04', 'id 4 i32 2'],
      ['03 04 01', 'id 2: long form (negative delta), zigzag 4; i8 1'],
      STOP,
    ],
  },
  {
    name: 'an unknown field of every kind, skipped',
    type: 'Inner',
    value: { x: 1 },
    lines: [
      ['21', 'id 2 bool true (unknown)'],
      ['13 7f', 'id 3 i8'],
      ['14 ff ff 03', 'id 4 i16'],
      ['16 ff ff ff ff ff ff ff ff ff 01', 'id 5 i64, 10 bytes'],
      ['17 0000000000000000', 'id 6 double'],
      ['18 02 6869', 'id 7 binary'],
      ['19 22 01 00', 'id 8 list<bool> of 2'],
      ['1a 08', 'id 9 empty set<binary>'],
      ['1b 01 8c 00 15 02 00', 'id 10 map<binary, struct> of 1'],
      ['1c 11 00', 'id 11 struct'],
      ['1d 00112233445566778899aabbccddeeff', 'id 12 uuid'],
      ['0b 00 00', 'id 0, an empty map (long form)'],
      ['05 02 02', 'id 1 i32 1: the known field'],
      STOP,
    ],
  },
];

/** Bytes that must be refused: the error's name and a pattern of its message. */
export interface BadVector {
  readonly name: string;
  readonly type: string;
  readonly lines: readonly Line[];
  readonly error: string;
  readonly message: RegExp;
}

export const BAD: readonly BadVector[] = [
  {
    name: 'an i32 varint of 6 bytes',
    type: 'Bases',
    lines: [['45', 'id 4 i32'], ['80 80 80 80 80 00', 'six bytes'], STOP],
    error: 'InvalidDataError',
    message: /Bases\.i: varint longer than 5 bytes .* at byte 1/,
  },
  {
    name: 'an i32 varint wider than 32 bits',
    type: 'Bases',
    lines: [['45', 'id 4 i32'], ['ff ff ff ff 1f', '35 bits'], STOP],
    error: 'InvalidDataError',
    message: /Bases\.i: varint wider than 32 bits .* at byte 1/,
  },
  {
    name: 'an i64 varint of 11 bytes',
    type: 'Bases',
    lines: [['56', 'id 5 i64'], ['ff ff ff ff ff ff ff ff ff 81 00', 'eleven bytes'], STOP],
    error: 'InvalidDataError',
    message: /Bases\.l: varint longer than 10 bytes .* at byte 1/,
  },
  {
    name: 'an unterminated varint',
    type: 'Bases',
    lines: [
      ['45', 'id 4 i32'],
      ['ff ff', 'the input ends'],
    ],
    error: 'EndOfInputError',
    message: /Bases\.i: the input ends inside a varint \(2 bytes read.* at byte 1/,
  },
  {
    name: 'an i16 out of range',
    type: 'Bases',
    lines: [['34', 'id 3 i16'], ['80 80 04', 'zigzag 65536 = 32768'], STOP],
    error: 'InvalidDataError',
    message: /Bases\.s: i16 value 32768 is out of range at byte 1/,
  },
  {
    name: 'a bool element that is not 0, 1 or 2',
    type: 'Flags',
    lines: [['19', 'id 1 list'], ['11', 'size 1 bool'], ['03', '3'], STOP],
    error: 'InvalidDataError',
    message:
      /Flags\.flagList\[0\]: bool byte 3 is neither 1 \(true\) nor 0 or 2 \(false\) at byte 2/,
  },
  {
    name: 'field type code 14',
    type: 'Bases',
    lines: [['1e', 'delta 1, type 14']],
    error: 'InvalidDataError',
    message: /invalid field type code 14 .* at byte 0/,
  },
  {
    name: 'a delta past id 32767',
    type: 'Ids',
    lines: [
      ['01 fe ff 03', 'id 32767 bool true'],
      ['11', 'delta 1'],
    ],
    error: 'InvalidDataError',
    message: /field id delta 1 after field 32767 passes the largest id 32767 at byte 4/,
  },
  {
    name: 'a list longer than the bytes left',
    type: 'Containers',
    lines: [['19', 'id 1 list'], ['f5 c0 84 3d', 'long form, size 1,000,000'], STOP],
    error: 'EndOfInputError',
    message:
      /Containers\.ints: container of 1000000 elements needs at least 1000000 bytes but only 1 remain at byte 1/,
  },
  {
    name: 'a string length of 2^31',
    type: 'Bases',
    lines: [
      ['78', 'id 7 string'],
      ['80 80 80 80 08', 'length 2^31'],
    ],
    error: 'LimitExceededError',
    message: /Bases\.str: string length 2147483648 exceeds the limit of 16384000 at byte 1/,
  },
  {
    name: 'a list whose elements are not what the IDL says',
    type: 'Containers',
    lines: [['19', 'id 1 list'], ['18', 'size 1, binary'], ['00', '""'], STOP],
    error: 'InvalidDataError',
    message:
      /Containers\.ints: element type is binary \(compact 8\) but the IDL says i32 \(compact 5\) at byte 1/,
  },
];

/** An envelope vector of KeyValue (see GOLDEN_IDL). */
export interface CompactMessageVector {
  readonly name: string;
  readonly fn: string;
  readonly kind: 'request' | 'response' | 'exception';
  readonly seqid: number;
  readonly value: Record<string, unknown>;
  readonly lines: readonly Line[];
}

export const COMPACT_MESSAGE_VECTORS: readonly CompactMessageVector[] = [
  {
    name: 'CALL get("k"), seqid 1',
    fn: 'get',
    kind: 'request',
    seqid: 1,
    value: { key: 'k' },
    lines: [
      ['82', 'protocol id 0x82'],
      ['21', 'type 1 (CALL) << 5 | version 1'],
      ['01', 'seqid 1 (a varint, not zigzag)'],
      ['03 676574', 'name length 3, "get"'],
      ['18 01 6b', 'id 1 string "k"'],
      STOP,
    ],
  },
  {
    name: 'REPLY get → "v": success is field 0, long form',
    fn: 'get',
    kind: 'response',
    seqid: 2,
    value: { success: 'v' },
    lines: [
      ['82 41', 'compact, type 2 (REPLY)'],
      ['02', 'seqid 2'],
      ['03 676574', '"get"'],
      ['08 00', 'long form: type 8 (binary), id 0 as zigzag 0'],
      ['01 76', '"v"'],
      STOP,
    ],
  },
  {
    name: 'REPLY get → NotFoundError (a declared exception)',
    fn: 'get',
    kind: 'response',
    seqid: 3,
    value: { notFound: { key: 'k' } },
    lines: [
      ['82 41 03', 'REPLY, seqid 3'],
      ['03 676574', '"get"'],
      ['1c', 'id 1 struct'],
      ['18 01 6b 00', 'NotFoundError{key: "k"}'],
      STOP,
    ],
  },
  {
    name: 'REPLY put (void)',
    fn: 'put',
    kind: 'response',
    seqid: 4,
    value: {},
    lines: [['82 41 04', 'REPLY, seqid 4'], ['03 707574', '"put"'], STOP],
  },
  {
    name: 'ONEWAY fire(7), seqid 2147483647',
    fn: 'fire',
    kind: 'request',
    seqid: 2147483647,
    value: { n: 7 },
    lines: [
      ['82 81', 'compact, type 4 (ONEWAY) << 5 | 1'],
      ['ff ff ff ff 07', 'seqid 2^31-1'],
      ['04 66697265', '"fire"'],
      ['15 0e', 'id 1 i32 7'],
      STOP,
    ],
  },
  {
    name: 'CALL put, seqid -1 (5 bytes: the 32 bits as unsigned)',
    fn: 'put',
    kind: 'request',
    seqid: -1,
    value: { key: 'a', value: 'b' },
    lines: [
      ['82 21', 'CALL'],
      ['ff ff ff ff 0f', 'seqid -1 = 0xffffffff'],
      ['03 707574', '"put"'],
      ['18 01 61', 'id 1 "a"'],
      ['18 01 62', 'id 2 "b"'],
      STOP,
    ],
  },
  {
    name: 'EXCEPTION UNKNOWN_METHOD "no"',
    fn: 'nope',
    kind: 'exception',
    seqid: 5,
    value: { type: 1, message: 'no' },
    lines: [
      ['82 61', 'compact, type 3 (EXCEPTION)'],
      ['05', 'seqid 5'],
      ['04 6e6f7065', '"nope"'],
      ['18 02 6e6f', 'id 1 message "no"'],
      ['15 02', 'id 2 type zigzag 2 = 1 (UNKNOWN_METHOD)'],
      STOP,
    ],
  },
];
