// The wire tree (harness/invalid/wire.ts): made from the annotator's tree and written back, it gives
// our encoder's bytes again in both protocols (a property over random values, seed printed); the
// writer re-encodes compact field deltas after a field is cut out; the scalar builders write what
// the specs say (golden bytes, annotated byte by byte).
import fc from 'fast-check';
import t from 'tap';
import { compile } from '../../../codec/src/index.js';
import type { StructClass } from '../../../codec/src/index.js';
import { structArb } from '../../arbitraries/values.js';
import { annotate } from '../../diff/annotate.js';
import { fromAnnotation, leaf, stringContent, writeWire, zeroValue } from '../../invalid/wire.js';

const m = compile(`
enum E { A = 1, B = 2 }
union U { 1: optional i32 a  2: optional string b  3: optional list<bool> c }
struct In { 1: required i8 x  2: optional double d  3: required i16 h = 4  4: optional uuid id }
struct S {
  1: required U u
  2: optional list<In> ins
  3: optional set<string> ss
  4: optional map<i64, E> me
  5: required bool flag
  20: optional E e
  300: optional binary raw
}`);
const S = m['S'] as StructClass;

void t.test(
  'writeWire(fromAnnotation(bytes)) gives the bytes back, in both protocols',
  async (t) => {
    const seed = Number(process.env.SEED ?? Date.now() % 1_000_000);
    t.comment(`seed ${seed}`);
    for (const protocol of ['binary', 'compact'] as const)
      fc.assert(
        fc.property(structArb(S.__spec__, { maxLength: 3, maxDepth: 3 }), (v) => {
          const bytes = m.dumps(v, { protocol });
          const root = annotate(S.__spec__, bytes, { protocol }).root!;
          const again = writeWire(fromAnnotation(root, bytes, protocol), protocol);
          return Buffer.from(again).equals(Buffer.from(bytes));
        }),
        { seed, numRuns: 200 },
      );
    t.pass('200 values per protocol');
  },
);

void t.test('a field cut out of compact bytes: the next field gets the right delta', async (t) => {
  const C = compile('struct T { 1: optional i32 a  2: optional i32 b  3: optional i32 c }');
  const T = C['T'] as StructClass;
  const bytes = C.dumps(new T({ a: 1, b: 2, c: 3 }), { protocol: 'compact' });
  const tree = fromAnnotation(
    annotate(T.__spec__, bytes, { protocol: 'compact' }).root!,
    bytes,
    'compact',
  );
  tree.fields.splice(1, 1); // b
  const out = writeWire(tree, 'compact');
  // 15 02: delta 1, i32 (5), a = 1 (zigzag 2)
  // 25 06: delta 2, i32, c = 3 (zigzag 6) — not delta 1, which would name b
  // 00: stop
  t.equal(Buffer.from(out).toString('hex'), '1502' + '2506' + '00');
  t.same(C.loads(T, out, { protocol: 'compact' }), new T({ a: 1, c: 3 }));
});

void t.test('scalar builders write what the specs say', async (t) => {
  const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
  // binary: i32 length -1 (ff ff ff ff), then the content
  t.equal(hex(leaf.string(Uint8Array.of(0x61), 'binary', -1).bytes), 'ffffffff' + '61');
  // compact: var int of 0xffffffff (ff ff ff ff 0f), then the content
  t.equal(hex(leaf.string(Uint8Array.of(0x61), 'compact', -1).bytes), 'ffffffff0f' + '61');
  t.equal(hex(stringContent(leaf.string(Uint8Array.of(1, 2), 'compact'), 'compact')!), '0102');
  // a double: big-endian in binary, little-endian in compact
  t.equal(hex(leaf.doubleBits('8000000000000000', 'binary').bytes), '8000000000000000');
  t.equal(hex(leaf.doubleBits('8000000000000000', 'compact').bytes), '0000000000000080');
  // i16 -2: ff fe in binary; zigzag 3 in compact
  t.equal(hex(leaf.int(6, -2, 'binary').bytes), 'fffe');
  t.equal(hex(leaf.int(6, -2, 'compact').bytes), '03');
  // i64 -5: 8 bytes big-endian; zigzag 9
  t.equal(hex(leaf.i64(-5, 'binary').bytes), 'fffffffffffffffb');
  t.equal(hex(leaf.i64(-5, 'compact').bytes), '09');
});

void t.test(
  'zeroValue: the smallest valid value of a type, none for a cycle of required fields',
  async (t) => {
    const C = compile(`
struct R { 1: required R r }
struct Q { 1: required i32 a  2: optional string b }
union V { 1: optional Q q  2: optional i32 i }`);
    const spec = (n: string) => (C[n] as StructClass).__spec__;
    t.equal(zeroValue(spec('R'), 'binary'), undefined, 'R needs an R: no finite value');
    const q = zeroValue(spec('Q'), 'binary');
    // 08 0001 00000000: i32 field a = 0; 00: stop
    t.equal(Buffer.from(writeWire(q as never, 'binary')).toString('hex'), '08000100000000' + '00');
    const v = zeroValue(spec('V'), 'binary');
    // 0c 0001: struct field q; 08 0001 00000000 00: Q { a: 0 }; 00: stop
    t.equal(
      Buffer.from(writeWire(v as never, 'binary')).toString('hex'),
      '0c0001' + '0800010000000000' + '00',
    );
    t.same(
      C.loads(C['V'] as StructClass, writeWire(v as never, 'binary')).q,
      new (C['Q'] as StructClass)({ a: 0 }),
    );
  },
);
