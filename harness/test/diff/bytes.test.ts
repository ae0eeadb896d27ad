// byteDiff maps differing bytes to field paths on both sides; classifyBytes allows field order,
// set and map order and envelope form (and, by policy, NaN bits and -0.0) and nothing else.
import t from 'tap';
import { compile } from '../../../codec/src/index.js';
import type { ServiceObject, StructClass } from '../../../codec/src/index.js';
import { annotate } from '../../diff/annotate.js';
import {
  byteDiff,
  canonicalBytes,
  classifyBytes,
  describeDifference,
  renderSideBySide,
} from '../../diff/bytes.js';
import { bytes, cls, specOf } from './helpers.js';

const IDL = `
struct Inner { 1: required i32 x }
struct Foo {
  1: required i32 a
  2: optional string name
  3: optional list<i32> items
  4: optional map<string, i64> byName
  5: optional set<string> tags
  6: optional set<Inner> inners
  7: optional double d
  8: optional bool flag
}
service S { void put(1: Foo foo) }
`;
const m = compile(IDL);
const Foo = cls(m, 'Foo');
const Inner = cls(m, 'Inner');
const spec = specOf(m, 'Foo');
const put = (m['S'] as ServiceObject)['put'] as { request: StructClass };

void t.test('byteDiff names Root.items[1] for a changed list element', async (t) => {
  const a = m.dumps(new Foo({ a: 1, items: [1, 2, 3] }));
  const b = m.dumps(new Foo({ a: 1, items: [1, 7, 3] }));
  const d = byteDiff(spec, a, b, { root: 'Root' });
  t.equal(d.firstDifference, 22);
  t.same(d.spans, [
    {
      offset: 22,
      length: 1,
      path: 'Root.items[1]',
      meaning: 'value 2 / got: value 7',
      gotPath: 'Root.items[1]',
      gotMeaning: 'value 7',
      wantedHex: '02',
      gotHex: '07',
    },
  ]);
  t.same(byteDiff(spec, a, a), { firstDifference: undefined, spans: [], omitted: 0 });
  const side = renderSideBySide(spec, a, b, { root: 'Root' }).split('\n');
  t.match(side[0], /^offset +wanted +got +path: meaning$/);
  t.match(
    side[1],
    /^ +19 +00000002 +00000007 +! Root\.items\[1\]: value 2 \/ got: Root\.items\[1\]: value 7$/,
  );
  t.match(side[2], /^ +23 +00000003 +00000003 +Root\.items\[2\]: value 3$/);
  t.equal(renderSideBySide(spec, a, a), '');
});

void t.test('byteDiff gives both paths for a field-order swap', async (t) => {
  const ours = bytes('080001 00000001  0b0002 00000001 78  00');
  const theirs = bytes('0b0002 00000001 78  080001 00000001  00');
  const d = byteDiff(spec, ours, theirs);
  t.equal(d.firstDifference, 0);
  t.match(d.spans[0], {
    offset: 0,
    length: 3,
    path: 'Foo.a / got: Foo.name',
    meaning: 'field header: i32 (8), id 1 (a) / got: field header: string (11), id 2 (name)',
    gotPath: 'Foo.name',
  });
  t.ok(d.spans.every((s) => s.offset < ours.length && s.length > 0));
  t.same(
    d.spans.map((s) => s.path),
    [
      'Foo.a / got: Foo.name',
      'Foo.name',
      'Foo.name / got: Foo.a',
      'Foo.name / got: Foo.a',
      'Foo.name / got: Foo.a',
      'Foo.name / got: Foo.a',
    ],
  );
});

void t.test('byteDiff: one side longer, and the span limit', async (t) => {
  const a = m.dumps(new Foo({ a: 1 }));
  const b = m.dumps(new Foo({ a: 1, flag: true }));
  const d = byteDiff(spec, a, b);
  t.same(
    d.spans.map((s) => [s.offset, s.length, s.path, s.meaning]),
    [
      [7, 1, 'Foo / got: Foo.flag', 'stop / got: field header: bool (2), id 8 (flag)'],
      [8, 2, 'Foo.flag', 'only in got: field header: bool (2), id 8 (flag)'],
      [10, 1, 'Foo.flag', 'only in got: value true'],
      [11, 1, 'Foo', 'only in got: stop'],
    ],
  );
  t.same(
    byteDiff(spec, b, a)
      .spans.map((s) => s.meaning)
      .at(-1),
    'stop / got: (ended)',
  );
  const many = byteDiff(
    spec,
    m.dumps(new Foo({ a: 1, items: [1, 2, 3, 4] })),
    m.dumps(new Foo({ a: 1, items: [5, 6, 7, 8] })),
    { maxSpans: 2 },
  );
  t.equal(many.spans.length, 2);
  t.equal(many.omitted, 2);
});

void t.test('classifyBytes: allowed encodings', async (t) => {
  const fieldOrder = classifyBytes(
    spec,
    bytes('080001 00000001  0b0002 00000001 78  00'),
    bytes('0b0002 00000001 78  080001 00000001  00'),
  );
  t.same(fieldOrder, {
    allowed: true,
    reasons: ['field order'],
    variants: [
      {
        reason: 'field order',
        path: 'Foo',
        pattern: 'Foo',
        text: 'fields written in another order',
      },
    ],
    differences: [],
  });

  const tags = (...x: string[]) => m.dumps(new Foo({ a: 1, tags: new Set(x) }));
  t.match(classifyBytes(spec, tags('a', 'b', 'c'), tags('c', 'a', 'b')), {
    allowed: true,
    reasons: ['set order'],
    variants: [{ path: 'Foo.tags' }],
  });
  const inners = (...x: number[]) =>
    m.dumps(new Foo({ a: 1, inners: new Set(x.map((v) => new Inner({ x: v }))) }));
  t.match(classifyBytes(spec, inners(1, 2), inners(2, 1)), {
    allowed: true,
    reasons: ['set order'],
  });

  const byName = (...k: string[]) =>
    m.dumps(new Foo({ a: 1, byName: new Map(k.map((x, i) => [x, BigInt(i)])) }));
  const mapA = m.dumps(
    new Foo({
      a: 1,
      byName: new Map([
        ['x', 1n],
        ['y', 2n],
      ]),
    }),
  );
  const mapB = m.dumps(
    new Foo({
      a: 1,
      byName: new Map([
        ['y', 2n],
        ['x', 1n],
      ]),
    }),
  );
  t.match(classifyBytes(spec, mapA, mapB), {
    allowed: true,
    reasons: ['map order'],
    variants: [{ path: 'Foo.byName', text: 'map entries written in another order' }],
  });
  t.match(
    classifyBytes(spec, byName('x', 'y'), byName('y', 'x')),
    { allowed: false },
    'same keys, other values',
  );

  const r = new put.request({ foo: new Foo({ a: 1, tags: new Set(['p', 'q']) }) });
  const rs = put.request.__spec__;
  const strict = m.dumps.message(r, 5);
  const loose = m.dumps.message(r, 5, { strict: false });
  t.same(classifyBytes(rs, strict, loose, { envelope: true }), {
    allowed: true,
    reasons: ['envelope form'],
    variants: [
      {
        reason: 'envelope form',
        path: 'envelope',
        pattern: 'envelope',
        text: 'written non-strict, wanted strict',
      },
    ],
    differences: [],
  });
  const r2 = new put.request({ foo: new Foo({ a: 1, tags: new Set(['q', 'p']) }) });
  t.match(
    classifyBytes(rs, strict, m.dumps.message(r2, 5, { strict: false }), { envelope: true }),
    {
      allowed: true,
      reasons: ['envelope form', 'set order'],
    },
  );
  t.same(
    classifyBytes(spec, tags('a'), tags('a')),
    { allowed: true, reasons: [], variants: [], differences: [] },
    'identical',
  );
  const ca = canonicalBytes(annotate(rs, loose, { envelope: true }), loose);
  t.same(ca, strict, 'the canonical form of a sorted non-strict message is the strict one');
});

void t.test('classifyBytes: what is not allowed', async (t) => {
  const a = m.dumps(new Foo({ a: 1, items: [1, 2, 3] }));
  const changed = classifyBytes(spec, a, m.dumps(new Foo({ a: 1, items: [1, 7, 3] })));
  t.same(changed, {
    allowed: false,
    reasons: [],
    variants: [],
    differences: [
      {
        path: 'Foo.items[1]',
        pattern: 'Foo.items[]',
        role: 'value',
        wantedAt: 22,
        gotAt: 22,
        wantedHex: '02',
        gotHex: '07',
        wantedMeaning: 'value 2',
        gotMeaning: 'value 7',
      },
    ],
  });
  t.equal(
    describeDifference(changed.differences[0]!),
    'bytes differ at 22 (Foo.items[1]: value): wanted 0x02, got 0x07',
  );

  const wider = compile(IDL.replace('list<i32> items', 'list<i64> items'));
  const widened = classifyBytes(
    spec,
    a,
    wider.dumps(new (cls(wider, 'Foo'))({ a: 1, items: [1n, 2n, 3n] })),
  );
  t.match(
    widened,
    {
      allowed: false,
      differences: [
        {
          path: 'Foo.items',
          role: 'list header',
          wantedHex: '0800000003',
          gotHex: '0a00000003',
          wantedMeaning: 'list header: i32 × 3',
          gotMeaning: 'list header: i64 × 3, expected i32',
        },
      ],
    },
    'a changed element type',
  );

  const emptyA = bytes('0f0003 08 00000000 00');
  const emptyB = bytes('0f0003 0a 00000000 00');
  t.match(
    classifyBytes(spec, emptyA, emptyB),
    { allowed: false, differences: [{ role: 'list header' }] },
    "an empty list's element type",
  );

  t.match(
    classifyBytes(spec, bytes('020008 01 00'), bytes('020008 02 00')),
    {
      allowed: false,
      differences: [
        { path: 'Foo.flag', role: 'value', gotMeaning: 'value true (byte 2, not 0 or 1)' },
      ],
    },
    'a non-canonical bool',
  );

  t.match(classifyBytes(spec, bytes('080001 00000001 00'), bytes('080001 00000001 020008 01 00')), {
    allowed: false,
    differences: [{ path: 'Foo.flag', role: 'field only in got', wantedAt: undefined, gotAt: 7 }],
  });
  t.match(classifyBytes(spec, bytes('080001 00000001 00'), bytes('080001 00000001')), {
    allowed: false,
    malformed: { side: 'got', at: 7 },
    differences: [{ role: 'malformed' }],
  });

  const r = new put.request({ foo: new Foo({ a: 1 }) });
  const rs = put.request.__spec__;
  t.match(
    classifyBytes(rs, m.dumps.message(r, 5), m.dumps.message(r, 6, { strict: false }), {
      envelope: true,
    }),
    {
      allowed: false,
      reasons: ['envelope form'],
      differences: [
        {
          path: 'envelope.seqid',
          role: 'envelope seqid',
          wantedAt: 14,
          gotAt: 11,
          wantedHex: '05',
          gotHex: '06',
        },
      ],
    },
    'an envelope form change is allowed, a seqid change is not',
  );
});

void t.test('the policy decides NaN bits, -0.0 and set and map order', async (t) => {
  const d = (hexValue: string) => bytes(`040007 ${hexValue} 00`);
  const nanA = d('7ff8000000000000');
  const nanB = d('7ff8000000000001');
  t.match(classifyBytes(spec, nanA, nanB), {
    allowed: true,
    reasons: ['NaN bits'],
    variants: [{ path: 'Foo.d' }],
  });
  t.match(classifyBytes(spec, nanA, nanB, { policy: { nanEqualsNan: false } }), {
    allowed: false,
    differences: [{ path: 'Foo.d', role: 'value' }],
  });
  const negZero = d('8000000000000000');
  const zero = d('0000000000000000');
  t.match(classifyBytes(spec, negZero, zero), { allowed: false });
  t.match(classifyBytes(spec, negZero, zero, { policy: { negativeZeroEqualsZero: true } }), {
    allowed: true,
    reasons: ['negative zero'],
  });
  const tags = (...x: string[]) => m.dumps(new Foo({ a: 1, tags: new Set(x) }));
  t.match(classifyBytes(spec, tags('a', 'b'), tags('b', 'a'), { policy: { orderedSets: true } }), {
    allowed: false,
    differences: [{ path: 'Foo.tags', role: 'set order' }],
  });
  const mapA = m.dumps(
    new Foo({
      a: 1,
      byName: new Map([
        ['x', 1n],
        ['y', 2n],
      ]),
    }),
  );
  const mapB = m.dumps(
    new Foo({
      a: 1,
      byName: new Map([
        ['y', 2n],
        ['x', 1n],
      ]),
    }),
  );
  t.match(classifyBytes(spec, mapA, mapB, { policy: { orderedMaps: true } }), {
    allowed: false,
    differences: [{ path: 'Foo.byName', role: 'map order' }],
  });
});
