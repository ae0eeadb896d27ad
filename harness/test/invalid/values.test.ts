// The cases made from a value (harness/invalid/values.ts): every kind where its site exists, at any
// depth, with the field path named; golden bytes for a few (annotated byte by byte); what our codec
// does with each matches the kind's spec rule (our codec never breaks a rule the spec states);
// must-accept cases carry the value a reader must read; volume bounds; pickCases rotates.
import t from 'tap';
import { compile } from '../../../codec/src/index.js';
import type { StructClass } from '../../../codec/src/index.js';
import { toPeerJson } from '../../peers/json-values.js';
import { KIND_RULES } from '../../invalid/rules.js';
import { invalidCases, pickCases, spread, unusedId } from '../../invalid/values.js';

const m = compile(`
enum E { A = 1, B = 2 }
union U { 1: optional i32 a  2: optional string b  3: optional list<bool> c }
struct In { 1: required i8 x  2: optional double d  3: required i16 h = 4 }
struct S {
  1: required U u
  2: optional list<In> ins
  3: optional set<string> ss
  4: optional map<i32, E> me
  5: required bool flag
  20: optional E e
}`);
const S = m['S'] as StructClass;
const U = m['U'] as StructClass;
const In = m['In'] as StructClass;
const value = new S({
  u: new U({ c: [true, false] }),
  ins: [new In({ x: 3, d: 1.5, h: 2 })],
  ss: new Set(['a', 'b']),
  me: new Map([[1, 1]]),
  flag: true,
  e: 2,
});

for (const protocol of ['binary', 'compact'] as const)
  void t.test(
    `${protocol}: every kind with a site, judged by our codec as the spec says`,
    async (t) => {
      const cases = invalidCases(S.__spec__, value, m.dumps(value, { protocol }), protocol);
      const kinds = new Set(cases.map((c) => c.kind));
      const absent = Object.keys(KIND_RULES).filter((k) => !kinds.has(k));
      // i16-sign is binary only (a compact i16 is a zigzag var int); bool-byte-2 too (a compact bool
      // field lives in its header, and 2 is how Apache writes a false element)
      t.same(absent, protocol === 'binary' ? [] : ['bool-byte-2', 'i16-sign']);
      for (const c of cases) {
        t.equal(c.group, KIND_RULES[c.kind]!.group);
        let accepted = true;
        let got: unknown;
        try {
          got = toPeerJson(S.__spec__, m.loads(S, c.bytes, { protocol }));
        } catch {
          accepted = false;
        }
        if (c.spec === 'must-refuse') t.notOk(accepted, `${c.kind}: ${c.what} refused`);
        if (c.spec === 'must-accept') {
          t.ok(accepted, `${c.kind}: ${c.what} accepted`);
          t.same(got, c.expected, `${c.kind}: read as it must`);
        }
      }
      t.ok(
        cases.filter((c) => c.kind === 'required-missing').some((c) => c.what.includes('S.ins[0]')),
        'at depth',
      );
      t.ok(
        cases.every(
          (c) => (KIND_RULES[c.kind]!.spec === 'must-accept') === (c.expected !== undefined),
        ),
      );
    },
  );

void t.test('golden cases (binary)', async (t) => {
  const C = compile(`union V { 1: optional i32 a  2: optional string b }
struct T { 1: required V v  2: optional i8 k }`);
  const T = C['T'] as StructClass;
  const V = C['V'] as StructClass;
  const v = new T({ v: new V({ a: 7 }), k: 1 });
  const bytes = C.dumps(v);
  const cases = invalidCases(T.__spec__, v, bytes, 'binary');
  const hex = (kind: string) =>
    Buffer.from(cases.find((c) => c.kind === kind)!.bytes).toString('hex');
  // 0c 0001: struct field v; 08 0001 00000007: a = 7; 0b 0002 00000000: b = "" (the smallest
  // string); 00: stop of V; 03 0002 01: k = 1; 00: stop
  t.equal(
    hex('union-two-fields'),
    '0c0001' + '080001' + '00000007' + '0b0002' + '00000000' + '00' + '030002' + '01' + '00',
  );
  t.match(
    cases.find((c) => c.kind === 'union-two-fields'),
    {
      spec: 'must-refuse',
      what: 'union V at T.v with fields a (1) and b (2) both set',
      feature: 'unions',
    },
  );
  // 03 0002 01: k; 00: stop — v (required) cut out
  t.equal(hex('required-missing'), '030002' + '01' + '00');
  // 0c 0001 | 08 0001 00000007 00: v; 03 0002 ff: k = -1; 00
  t.equal(hex('i8-sign'), '0c0001' + '08000100000007' + '00' + '030002' + 'ff' + '00');
  t.same(cases.find((c) => c.kind === 'i8-sign')!.expected, { v: { a: 7 }, k: -1 });
  // k first, then v: the same value
  t.equal(hex('reverse-order'), '030002' + '01' + '0c0001' + '08000100000007' + '00' + '00');
  t.same(cases.find((c) => c.kind === 'reverse-order')!.expected, { v: { a: 7 }, k: 1 });
  // the 16-byte message cut at every position (short messages): 0..15
  t.same(
    cases.filter((c) => c.kind === 'truncated').map((c) => c.bytes.length),
    [...Array(bytes.length).keys()],
  );
});

void t.test('bounded volume; pickCases takes each case from another group', async (t) => {
  const big = new S({
    ...value,
    ins: Array.from({ length: 30 }, (_, i) => new In({ x: i, h: i })),
  });
  const bytes = m.dumps(big);
  const cases = invalidCases(S.__spec__, big, bytes, 'binary', { perKind: 2, cuts: 8 });
  const per = new Map<string, number>();
  for (const c of cases) per.set(c.kind, (per.get(c.kind) ?? 0) + 1);
  t.ok(
    [...per].every(([k, n]) => (k === 'truncated' ? n === 8 : n <= 2)),
    'at most 2 per kind, 8 cuts',
  );
  t.same(spread(10, 3), [0, 4, 9]);
  const seen = new Set<string>();
  for (let offset = 0; offset < 400; offset++) {
    const picked = pickCases(cases, 2, offset);
    t.equal(new Set(picked.map((c) => c.group)).size, picked.length, 'different groups');
    for (const c of picked) seen.add(c.kind);
  }
  t.equal(seen.size, per.size, 'every kind comes up over 400 values');
});

void t.test('unknown fields: an id no field has, never inside a union', async (t) => {
  const C = compile(`union V { 1: optional i32 a  32767: optional i32 z }
struct W { 1: optional V v  32700: optional i32 y  32767: optional i32 x }`);
  const W = C['W'] as StructClass;
  const V = C['V'] as StructClass;
  t.equal(unusedId(W.__spec__), 32766, 'the largest free id when 100 above the largest is no i16');
  t.equal(unusedId((compile('struct Q { 3: optional i32 q }')['Q'] as StructClass).__spec__), 103);
  const w = new W({ v: new V({ a: 1 }), x: 2 });
  const cases = invalidCases(W.__spec__, w, C.dumps(w), 'binary').filter((c) =>
    c.kind.startsWith('unknown-field-'),
  );
  t.ok(cases.length > 0);
  t.ok(
    cases.every((c) => !c.what.includes(' in V ')),
    'a union with an unknown field would be two fields',
  );
});
