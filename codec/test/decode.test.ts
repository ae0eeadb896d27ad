// Decoder policies (see decode.ts): unknown fields and fields of the wrong wire type are skipped;
// a required field that is then missing is an error; element-type mismatches are rejected; a
// union must have exactly one field; trailing bytes are an error. Errors name path and offset.
import t from 'tap';
import { compile } from '../src/index.js';
import type { StructClass } from '../src/index.js';

const m = compile(
  `
struct S { 1: optional i32 a, 2: optional string b, 3: optional list<i32> l, 4: optional list<string> ls }
struct R { 1: required i32 a }
struct D { 1: optional i32 n = 7 }
union U { 1: i32 a, 2: string b }
`,
  { file: 'dec.thrift' },
);
const S = m.S as StructClass;
const R = m.R as StructClass;
const U = m.U as StructClass;
const D = m.D as StructClass;
const b = (...x: number[]) => Uint8Array.from(x);

void t.test('unknown field ids are skipped', async (t) => {
  const v = m.loads(S, b(0x0b, 0, 9, 0, 0, 0, 1, 0x41, 0x08, 0, 1, 0, 0, 0, 5, 0));
  t.equal(v.a, 5);
});

void t.test('a known field with another wire type is skipped, like Apache does', async (t) => {
  const v = m.loads(S, b(0x0b, 0, 1, 0, 0, 0, 1, 0x41, 0));
  t.equal(v.a, undefined, 'a string where an i32 is declared reads as missing');
  t.throws(() => m.loads(R, b(0x0b, 0, 1, 0, 0, 0, 1, 0x41, 0)), {
    name: 'InvalidDataError',
    message: "cannot decode R.a: required field 'a' (id 1) is missing at byte 9",
  });
});

void t.test('defaults fill missing fields on decode', async (t) => {
  t.equal(m.loads(D, b(0)).n, 7);
});

void t.test('list element type mismatch is rejected with path and offset', async (t) => {
  t.throws(() => m.loads(S, b(0x0f, 0, 3, 0x0b, 0, 0, 0, 1, 0, 0, 0, 0, 0)), {
    name: 'InvalidDataError',
    message: 'cannot decode S.l: element type is string (11) but the IDL says i32 (8) at byte 3',
  });
  t.same(
    m.loads(S, b(0x0f, 0, 3, 0x0b, 0, 0, 0, 0, 0)).l,
    [],
    'an empty list of another element type is accepted',
  );
});

void t.test('errors inside containers name the element', async (t) => {
  // ls = ["A", <length 5 with 2 bytes left>]
  t.throws(
    () => m.loads(S, b(0x0f, 0, 4, 0x0b, 0, 0, 0, 2, 0, 0, 0, 1, 0x41, 0, 0, 0, 5, 0x41, 0)),
    {
      name: 'EndOfInputError',
      message: 'cannot decode S.ls[1]: string length 5 but only 2 bytes remain at byte 13',
    },
  );
});

void t.test('unions must arrive with exactly one field', async (t) => {
  t.throws(() => m.loads(U, b(0)), { message: /union arrived with no field set/ });
  t.throws(() => m.loads(U, b(0x08, 0, 1, 0, 0, 0, 1, 0x0b, 0, 2, 0, 0, 0, 0, 0)), {
    message: /2 fields set \(a, b\)/,
  });
});

void t.test('trailing bytes and invalid UTF-8 are errors', async (t) => {
  t.throws(() => m.loads(S, b(0, 0)), {
    message: 'cannot decode S: 1 trailing bytes after the value at byte 1',
  });
  t.throws(() => m.loads(S, b(0x0b, 0, 2, 0, 0, 0, 1, 0xff, 0)), {
    message: /S\.b: string is not valid UTF-8 at byte 7/,
  });
});

void t.test('invalid field type codes are rejected', async (t) => {
  t.throws(() => m.loads(S, b(0x05, 0, 9, 0)), { name: 'InvalidDataError' });
});

void t.test('map<string, _> keys read through the key cache stay exact', async (t) => {
  const mm = compile('struct K { 1: optional map<string, i32> m }', { file: 'k.thrift' });
  const K = mm.K as StructClass;
  // Many keys (so cache slots are shared and overwritten), repeated, plus non-ASCII and long ones.
  const keys = Array.from({ length: 3000 }, (_, i) => `k${i}`).concat([
    'é',
    '😀',
    'x'.repeat(40),
    '',
  ]);
  const value = new K({ m: new Map(keys.map((k, i) => [k, i])) });
  const bytes = mm.dumps(value);
  for (let round = 0; round < 3; round++) {
    const back = mm.loads(K, bytes);
    t.same(
      [...(back.m as Map<string, number>).keys()],
      keys,
      `round ${round}: every key as written`,
    );
  }
});
