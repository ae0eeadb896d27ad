// annotate: every byte of binary-protocol bytes mapped to a field path and its meaning, for every
// base type, nested containers, unions, both envelope forms, unknown and mistyped fields, and
// bytes that end early or are garbage (never a throw: a final `malformed: …` span).
import t from 'tap';
import fc from 'fast-check';
import {
  compile,
  encodeApplicationExceptionMessage,
  TApplicationException,
} from '../../../codec/src/index.js';
import type { ServiceObject, StructClass } from '../../../codec/src/index.js';
import { annotate, renderAnnotation, spanAt } from '../../diff/annotate.js';
import { bytes, cls, coverageProblem, lines, specOf } from './helpers.js';

const seed = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
t.comment(`fast-check seed ${seed} (replay with FC_SEED=${seed})`);

const m = compile(`
enum Color { RED = 1, GREEN = 2 }
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
struct Nested {
  1: optional map<string, list<set<i16>>> deep
  2: optional list<map<i32, string>> maps
  3: optional map<Inner, Inner> byInner
  4: optional list<list<Inner>> grid
}
union Value { 1: string s, 2: i32 i }
struct HasUnion { 1: required Value v, 2: optional list<Value> vs }
struct Small { 1: required i32 a, 2: optional string name }
service S { i32 add(1: i32 a, 2: i32 b) }
`);
const Inner = cls(m, 'Inner');
const add = (m['S'] as ServiceObject)['add'] as { request: StructClass; response: StructClass };

void t.test('every base type, byte by byte', async (t) => {
  const v = new (cls(m, 'Bases'))({
    b: true,
    y: -1,
    s: 300,
    i: -2,
    l: 2n ** 40n,
    d: 1.5,
    str: 'héllo',
    bin: Uint8Array.of(0, 255),
    color: 2,
    id: '6ba7b810-9dad-11d1-80b4-00c04fd430c8',
  });
  const b = m.dumps(v);
  const a = annotate(specOf(m, 'Bases'), b);
  t.same(lines(a), [
    '0-3 Bases.b: field header: bool (2), id 1 (b)',
    '3-4 Bases.b: value true',
    '4-7 Bases.y: field header: byte (3), id 2 (y)',
    '7-8 Bases.y: value -1',
    '8-11 Bases.s: field header: i16 (6), id 3 (s)',
    '11-13 Bases.s: value 300',
    '13-16 Bases.i: field header: i32 (8), id 4 (i)',
    '16-20 Bases.i: value -2',
    '20-23 Bases.l: field header: i64 (10), id 5 (l)',
    '23-31 Bases.l: value 1099511627776',
    '31-34 Bases.d: field header: double (4), id 6 (d)',
    '34-42 Bases.d: value 1.5',
    '42-45 Bases.str: field header: string (11), id 7 (str)',
    '45-49 Bases.str: string length 6',
    '49-55 Bases.str: "héllo"',
    '55-58 Bases.bin: field header: string (11), id 8 (bin)',
    '58-62 Bases.bin: binary length 2',
    '62-64 Bases.bin: bytes 00ff',
    '64-67 Bases.color: field header: i32 (8), id 9 (color)',
    '67-71 Bases.color: value 2 (GREEN)',
    '71-74 Bases.id: field header: uuid (16), id 10 (id)',
    '74-90 Bases.id: value 6ba7b810-9dad-11d1-80b4-00c04fd430c8',
    '90-91 Bases: stop',
  ]);
  t.equal(coverageProblem(a, b.length), undefined);
  t.equal(a.malformed, undefined);
  t.same(
    a.spans.map((s) => s.role),
    [
      ...Array<string[]>(6).fill(['field header', 'value']).flat(),
      ...['field header', 'length', 'value', 'field header', 'length', 'value'],
      ...['field header', 'value', 'field header', 'value', 'stop'],
    ],
  );
  t.equal(spanAt(a, 50)?.path, 'Bases.str');
  t.equal(spanAt(a, 91), undefined);
  t.match(
    renderAnnotation(a, b),
    /^ {4}0 {2}020001 +Bases\.b: field header: bool \(2\), id 1 \(b\)$/m,
  );
});

void t.test('odd scalar bytes are named, not rejected', async (t) => {
  const spec = specOf(m, 'Bases');
  const a = annotate(
    spec,
    bytes(
      '020001 02  040006 7ff8000000000001  040006 8000000000000000  080009 00000063  0b0007 00000001 ff  00',
    ),
  );
  t.same(lines(a), [
    '0-3 Bases.b: field header: bool (2), id 1 (b)',
    '3-4 Bases.b: value true (byte 2, not 0 or 1)',
    '4-7 Bases.d: field header: double (4), id 6 (d)',
    '7-15 Bases.d: value NaN (bits 0x7ff8000000000001)',
    '15-18 Bases.d: field header: double (4), id 6 (d)',
    '18-26 Bases.d: value -0',
    '26-29 Bases.color: field header: i32 (8), id 9 (color)',
    '29-33 Bases.color: value 99 (not in Color)',
    '33-36 Bases.str: field header: string (11), id 7 (str)',
    '36-40 Bases.str: string length 1',
    '40-41 Bases.str: invalid UTF-8: bytes ff',
    '41-42 Bases: stop',
  ]);
});

void t.test('nested containers: lists, sets, maps, struct keys and values', async (t) => {
  const n = new (cls(m, 'Nested'))({
    deep: new Map([['a', [new Set([1, 2]), new Set()]]]),
    maps: [new Map([[7, 'x']])],
    byInner: new Map([[new Inner({ x: 1 }), new Inner({ x: 2 })]]),
    grid: [[new Inner({ x: 3 })], []],
  });
  const b = m.dumps(n);
  const a = annotate(specOf(m, 'Nested'), b, { root: 'Root' });
  t.same(lines(a), [
    '0-3 Root.deep: field header: map (13), id 1 (deep)',
    '3-9 Root.deep: map header: string → list × 1',
    '9-13 Root.deep{"a"}: string length 1',
    '13-14 Root.deep{"a"}: "a"',
    '14-19 Root.deep["a"]: list header: set × 2',
    '19-24 Root.deep["a"][0]: set header: i16 × 2',
    '24-26 Root.deep["a"][0][0]: value 1',
    '26-28 Root.deep["a"][0][1]: value 2',
    '28-33 Root.deep["a"][1]: set header: i16 × 0',
    '33-36 Root.maps: field header: list (15), id 2 (maps)',
    '36-41 Root.maps: list header: map × 1',
    '41-47 Root.maps[0]: map header: i32 → string × 1',
    '47-51 Root.maps[0]{7}: value 7',
    '51-55 Root.maps[0][7]: string length 1',
    '55-56 Root.maps[0][7]: "x"',
    '56-59 Root.byInner: field header: map (13), id 3 (byInner)',
    '59-65 Root.byInner: map header: struct → struct × 1',
    '65-68 Root.byInner{…}.x: field header: i32 (8), id 1 (x)',
    '68-72 Root.byInner{…}.x: value 1',
    '72-73 Root.byInner{…}: stop',
    '73-76 Root.byInner[…].x: field header: i32 (8), id 1 (x)',
    '76-80 Root.byInner[…].x: value 2',
    '80-81 Root.byInner[…]: stop',
    '81-84 Root.grid: field header: list (15), id 4 (grid)',
    '84-89 Root.grid: list header: list × 2',
    '89-94 Root.grid[0]: list header: struct × 1',
    '94-97 Root.grid[0][0].x: field header: i32 (8), id 1 (x)',
    '97-101 Root.grid[0][0].x: value 3',
    '101-102 Root.grid[0][0]: stop',
    '102-107 Root.grid[1]: list header: struct × 0',
    '107-108 Root: stop',
  ]);
  t.equal(coverageProblem(a, b.length), undefined);
  t.equal(a.spans[6]!.pattern, 'Root.deep[][][]', 'patterns normalise indices and keys');
  t.equal(a.spans[2]!.pattern, 'Root.deep{}');
  const root = a.root!;
  t.equal(root.kind, 'struct');
  t.same(
    root.fields.map((f) => [f.id, f.path, f.value.kind]),
    [
      [1, 'Root.deep', 'map'],
      [2, 'Root.maps', 'list'],
      [3, 'Root.byInner', 'map'],
      [4, 'Root.grid', 'list'],
    ],
    'the tree mirrors the bytes',
  );
});

void t.test('unions', async (t) => {
  const Value = cls(m, 'Value');
  const u = new (cls(m, 'HasUnion'))({ v: new Value({ i: 5 }), vs: [new Value({ s: 'q' })] });
  const a = annotate(specOf(m, 'HasUnion'), m.dumps(u));
  t.same(lines(a), [
    '0-3 HasUnion.v: field header: struct (12), id 1 (v)',
    '3-6 HasUnion.v.i: field header: i32 (8), id 2 (i)',
    '6-10 HasUnion.v.i: value 5',
    '10-11 HasUnion.v: stop',
    '11-14 HasUnion.vs: field header: list (15), id 2 (vs)',
    '14-19 HasUnion.vs: list header: struct × 1',
    '19-22 HasUnion.vs[0].s: field header: string (11), id 1 (s)',
    '22-26 HasUnion.vs[0].s: string length 1',
    '26-27 HasUnion.vs[0].s: "q"',
    '27-28 HasUnion.vs[0]: stop',
    '28-29 HasUnion: stop',
  ]);
  t.same(
    lines(annotate(specOf(m, 'HasUnion'), bytes('0c0001 00 00'))).slice(1),
    ['3-4 HasUnion.v: stop (union Value has 0 fields set, needs 1)', '4-5 HasUnion: stop'],
    'what the decoder will object to is said at the stop',
  );
  t.equal(
    lines(annotate(specOf(m, 'HasUnion'), bytes('00')))[0],
    '0-1 HasUnion: stop (required field missing: v)',
  );
});

void t.test('envelopes: strict, non-strict and an EXCEPTION body', async (t) => {
  const r = new add.request({ a: 1, b: 2 });
  const spec = add.request.__spec__;
  const strict = annotate(spec, m.dumps.message(r, 9), { envelope: true, root: 'args' });
  t.same(lines(strict), [
    '0-4 envelope.version: envelope version 1 (strict), message type CALL (1)',
    '4-8 envelope.name: method name length 3',
    '8-11 envelope.name: method name "add"',
    '11-15 envelope.seqid: seqid 9',
    '15-18 args.a: field header: i32 (8), id 1 (a)',
    '18-22 args.a: value 1',
    '22-25 args.b: field header: i32 (8), id 2 (b)',
    '25-29 args.b: value 2',
    '29-30 args: stop',
  ]);
  t.match(strict.envelope, { strict: true, name: 'add', messageType: 1, seqid: 9, end: 15 });
  const loose = annotate(spec, m.dumps.message(r, 9, { strict: false }), {
    envelope: true,
    root: 'args',
  });
  t.same(lines(loose).slice(0, 5), [
    '0-4 envelope.name: method name length 3 (non-strict envelope)',
    '4-7 envelope.name: method name "add"',
    '7-8 envelope.type: message type CALL (1)',
    '8-12 envelope.seqid: seqid 9',
    '12-15 args.a: field header: i32 (8), id 1 (a)',
  ]);
  t.match(loose.envelope, { strict: false, name: 'add', messageType: 1, seqid: 9, end: 12 });
  t.same(
    lines(
      annotate(
        spec,
        encodeApplicationExceptionMessage(new TApplicationException(1, 'no'), 'add', 3),
        { envelope: true },
      ),
    ).slice(3),
    [
      '11-15 envelope.seqid: seqid 3',
      '15-18 TApplicationException.message: field header: string (11), id 1 (message)',
      '18-22 TApplicationException.message: string length 2',
      '22-24 TApplicationException.message: "no"',
      '24-27 TApplicationException.type: field header: i32 (8), id 2 (type)',
      '27-31 TApplicationException.type: value 1',
      '31-32 TApplicationException: stop',
    ],
    'an EXCEPTION body is a TApplicationException',
  );
});

void t.test('unknown fields and mistyped fields are walked by their wire types', async (t) => {
  const newer = compile(`
    struct Inner { 1: required i32 x }
    struct Small {
      1: required i32 a
      9: optional list<Inner> later
      2: optional string name
    }`);
  const b = newer.dumps(
    new (cls(newer, 'Small'))({ a: 1, later: [new (cls(newer, 'Inner'))({ x: 4 })], name: 'n' }),
  );
  const a = annotate(specOf(m, 'Small'), b);
  t.same(lines(a), [
    '0-3 Small.a: field header: i32 (8), id 1 (a)',
    '3-7 Small.a: value 1',
    '7-10 Small.#9: field header: list (15), unknown field id 9',
    '10-15 Small.#9: list header: struct × 1',
    '15-18 Small.#9[0].#1: field header: i32 (8), unknown field id 1',
    '18-22 Small.#9[0].#1: value 4',
    '22-23 Small.#9[0]: stop',
    '23-26 Small.name: field header: string (11), id 2 (name)',
    '26-30 Small.name: string length 1',
    '30-31 Small.name: "n"',
    '31-32 Small: stop',
  ]);
  const mistyped = annotate(specOf(m, 'Small'), bytes('0b0001 00000002 6869 00'));
  t.same(lines(mistyped), [
    '0-3 Small.a: field header: string (11), id 1 (a), expected i32 (8)',
    '3-7 Small.a: string length 2',
    '7-9 Small.a: "hi"',
    '9-10 Small: stop (required field missing: a)',
  ]);
  const wrongElems = annotate(specOf(m, 'Nested'), bytes('0f0002 0a00000001 0000000000000007 00'));
  t.same(lines(wrongElems).slice(1, 3), [
    '3-8 Nested.maps: list header: i64 × 1, expected map',
    '8-16 Nested.maps[0]: value 7',
  ]);
});

void t.test(
  'bytes that end early or go wrong end in one malformed span, never a throw',
  async (t) => {
    const spec = specOf(m, 'Small');
    const cases: [string, string, string][] = [
      [
        '',
        '0-0 Small: malformed: input ends where a field header or the stop of Small should be',
        'empty',
      ],
      [
        '0800',
        '0-2 Small: malformed: the field header in Small needs 3 bytes, only 2 remain',
        'short header',
      ],
      ['080001 0000', '3-5 Small.a: malformed: an i32 needs 4 bytes, only 2 remain', 'short value'],
      [
        '080001 00000001',
        '7-7 Small: malformed: input ends where a field header or the stop of Small should be',
        'no stop',
      ],
      [
        '050001 00',
        '0-4 Small.a: malformed: field header with unknown type code 5 (id 1)',
        'bad type',
      ],
      [
        '0b0002 ffffffff 00',
        '3-8 Small.name: malformed: negative string length -1',
        'negative length',
      ],
      [
        '0b0002 00000010 6869 00',
        '3-10 Small.name: malformed: string length 16 but only 3 bytes remain',
        'long length',
      ],
      [
        '0f0009 08 7fffffff 00',
        '3-9 Small.#9: malformed: list of 2147483647 elements needs at least 8589934588 bytes, only 1 remain',
        'huge list',
      ],
      [
        '0f0009 00 00000002 00',
        '3-9 Small.#9: malformed: list of unknown type code 0',
        'list of stop',
      ],
      ['00 0102', '1-3 Small: malformed: 2 bytes after the end of Small', 'trailing bytes'],
    ];
    for (const [h, last, name] of cases) {
      const b = bytes(h);
      const a = annotate(spec, b);
      t.equal(lines(a).at(-1), last, name);
      t.equal(coverageProblem(a, b.length), undefined, `${name}: coverage`);
      t.ok(a.malformed, `${name}: malformed is set`);
    }
    const deep = bytes('0c0001'.repeat(100) + '00'.repeat(101));
    const d = annotate(specOf(m, 'Small'), deep, { maxDepth: 10 });
    t.match(d.spans.at(-1)?.meaning, /malformed: nested deeper than 10 levels/);
    t.equal(
      annotate(spec, bytes('80020001'), { envelope: true }).spans[0]?.meaning,
      'malformed: bad envelope version 0x80020001',
    );
  },
);

void t.test('every prefix and random garbage: no throw, every byte covered once', async (t) => {
  const b = m.dumps(
    new (cls(m, 'Nested'))({
      deep: new Map([['a', [new Set([1, 2])]]]),
      byInner: new Map([[new Inner({ x: 1 }), new Inner({ x: 2 })]]),
    }),
  );
  for (let n = 0; n < b.length; n++) {
    const a = annotate(specOf(m, 'Nested'), b.subarray(0, n));
    if (coverageProblem(a, n) !== undefined || a.spans.at(-1)?.role !== 'malformed') {
      t.fail(`prefix ${n}: ${coverageProblem(a, n) ?? 'no malformed span'}`);
    }
  }
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), fc.boolean(), (garbage, envelope) => {
      const a = annotate(specOf(m, 'Nested'), garbage, { envelope });
      const problem = coverageProblem(a, garbage.length);
      if (problem !== undefined) throw new Error(problem);
    }),
    { seed, numRuns: 500 },
  );
  t.pass('no throw, full coverage');
});
