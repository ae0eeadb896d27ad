// valueDiff: every differing leaf by path (not only the first), sets and maps unordered, values
// rendered as JSON-ish text, and each switch of the equivalence policy changing the outcome.
import t from 'tap';
import { compile } from '../../../codec/src/index.js';
import {
  DEFAULT_POLICY,
  detailedValueDiff,
  equivalent,
  renderValue,
  resolvePolicy,
  valueDiff,
} from '../../diff/semantic.js';
import { cls, specOf } from './helpers.js';

const m = compile(`
enum Color { RED = 1, GREEN = 2 }
struct Point { 1: required i32 x, 2: required i32 y }
struct Everything {
  1: optional i32 count
  2: optional string name
  3: optional i64 big
  4: optional double ratio
  5: optional binary blob
  6: optional list<i32> items
  7: optional set<string> tags
  8: optional map<string, i64> byName
  9: optional Color color
  10: optional Point where
  11: optional list<Point> points
  12: optional set<Point> pointSet
  13: optional map<Point, string> byPoint
  14: optional uuid id
  15: optional set<double> ratios
}
`);
const E = cls(m, 'Everything');
const P = cls(m, 'Point');
const spec = specOf(m, 'Everything');
const diff = (a: Record<string, unknown>, b: Record<string, unknown>, policy = {}) =>
  valueDiff(spec, new E(a), new E(b), policy);

void t.test(
  'all differences, not the first: three changed fields give three entries',
  async (t) => {
    t.same(diff({ count: 1, name: 'a', big: 5n }, { count: 2, name: 'b', big: 6n }), [
      { path: 'Everything.count', wanted: '1', got: '2' },
      { path: 'Everything.name', wanted: '"a"', got: '"b"' },
      { path: 'Everything.big', wanted: '5n', got: '6n' },
    ]);
    t.same(
      diff({ count: 1 }, { name: 'x' }),
      [
        { path: 'Everything.count', wanted: '1' },
        { path: 'Everything.name', got: '"x"' },
      ],
      'a field set on one side only has only wanted or only got',
    );
    t.same(diff({ count: 1, name: 'a' }, { count: 1, name: 'a' }), [], 'equal values: none');
  },
);

void t.test('lists by index with a length entry; sets and maps unordered', async (t) => {
  t.same(diff({ items: [1, 2, 3] }, { items: [1, 5] }), [
    { path: 'Everything.items.length', wanted: '3', got: '2' },
    { path: 'Everything.items[1]', wanted: '2', got: '5' },
    { path: 'Everything.items[2]', wanted: '3' },
  ]);
  t.same(diff({ tags: new Set(['a', 'b']) }, { tags: new Set(['b', 'a']) }), [], 'set order');
  t.same(diff({ tags: new Set(['a', 'b']) }, { tags: new Set(['b', 'c']) }), [
    { path: 'Everything.tags{"a"}', wanted: '"a"' },
    { path: 'Everything.tags{"c"}', got: '"c"' },
  ]);
  const byName = (...e: [string, bigint][]) => new Map(e);
  t.same(diff({ byName: byName(['a', 1n], ['b', 2n]) }, { byName: byName(['c', 4n], ['b', 3n]) }), [
    { path: 'Everything.byName["a"]', wanted: '1n' },
    { path: 'Everything.byName["b"]', wanted: '2n', got: '3n' },
    { path: 'Everything.byName["c"]', got: '4n' },
  ]);
  t.same(
    diff({ byName: byName(['a', 1n], ['b', 2n]) }, { byName: byName(['b', 2n], ['a', 1n]) }),
    [],
    'map order',
  );
});

void t.test('structs nested in fields, lists, sets and map keys', async (t) => {
  t.same(
    diff(
      {
        where: new P({ x: 1, y: 2 }),
        points: [new P({ x: 1, y: 2 })],
        pointSet: new Set([new P({ x: 1, y: 2 }), new P({ x: 0, y: 0 })]),
        byPoint: new Map([[new P({ x: 1, y: 2 }), 'a']]),
      },
      {
        where: new P({ x: 1, y: 3 }),
        points: [new P({ x: 1, y: 3 })],
        pointSet: new Set([new P({ x: 0, y: 0 }), new P({ x: 1, y: 3 })]),
        byPoint: new Map([[new P({ x: 1, y: 2 }), 'b']]),
      },
    ),
    [
      { path: 'Everything.where.y', wanted: '2', got: '3' },
      { path: 'Everything.points[0].y', wanted: '2', got: '3' },
      { path: 'Everything.pointSet{…}', wanted: 'Point{x: 1, y: 2}' },
      { path: 'Everything.pointSet{…}', got: 'Point{x: 1, y: 3}' },
      { path: 'Everything.byPoint[…]', wanted: '"a"', got: '"b"' },
    ],
  );
  t.same(
    diff(
      { byPoint: new Map([[new P({ x: 1, y: 2 }), 'a']]) },
      { byPoint: new Map([[new P({ x: 2, y: 2 }), 'a']]) },
    ),
    [
      { path: 'Everything.byPoint[…]', wanted: 'Point{x: 1, y: 2} → "a"' },
      { path: 'Everything.byPoint[…]', got: 'Point{x: 2, y: 2} → "a"' },
    ],
    'a key the path cannot show is written out',
  );
});

void t.test('values render as JSON-ish text', async (t) => {
  t.same(
    diff(
      {
        big: 2n ** 63n - 1n,
        ratio: NaN,
        blob: Uint8Array.of(0, 255),
        color: 2,
        id: '6ba7b810-9dad-11d1-80b4-00c04fd430c8',
        items: [1],
      },
      {
        big: -(2n ** 63n),
        ratio: -0,
        blob: new Uint8Array(0),
        color: 7,
        id: '6ba7b810-9dad-11d1-80b4-00c04fd430c9',
        tags: new Set(['x']),
      },
    ),
    [
      { path: 'Everything.big', wanted: '9223372036854775807n', got: '-9223372036854775808n' },
      { path: 'Everything.ratio', wanted: 'NaN', got: '-0' },
      { path: 'Everything.blob', wanted: '0x00ff', got: '0x' },
      { path: 'Everything.items', wanted: '[1]' },
      { path: 'Everything.tags', got: '{"x"}' },
      { path: 'Everything.color', wanted: '2 (GREEN)', got: '7 (not in Color)' },
      {
        path: 'Everything.id',
        wanted: '"6ba7b810-9dad-11d1-80b4-00c04fd430c8"',
        got: '"6ba7b810-9dad-11d1-80b4-00c04fd430c9"',
      },
    ],
  );
  t.equal(
    renderValue(spec, new E({ byName: new Map([['k', 1n]]), where: new P({ x: 1, y: 2 }) })),
    'Everything{byName: {"k": 1n}, where: Point{x: 1, y: 2}}',
  );
  t.equal(renderValue(spec, new E({ name: 'x'.repeat(300) })).length, 200, 'cut at 200');
});

void t.test('kinds and patterns for fingerprints', async (t) => {
  t.same(
    detailedValueDiff(
      spec,
      new E({ ratio: -0, points: [new P({ x: 1, y: 2 }), new P({ x: 1, y: 2 })], count: 1 }),
      new E({ ratio: 0, points: [new P({ x: 1, y: 2 }), new P({ x: 1, y: 9 })] }),
    ).map((d) => [d.pattern, d.kind]),
    [
      ['Everything.count', 'missing'],
      ['Everything.ratio', 'negative-zero'],
      ['Everything.points[].y', 'changed'],
    ],
  );
  t.same(
    detailedValueDiff(spec, new E({ count: 1 }), { count: '1' }),
    [
      {
        path: 'Everything.count',
        pattern: 'Everything.count',
        kind: 'type',
        wanted: '1',
        got: '"1"',
      },
    ],
    'a value that does not fit its type',
  );
  t.same(
    detailedValueDiff(spec, new E({}), 'nope').map((d) => d.kind),
    ['type'],
  );
  t.same(
    detailedValueDiff(spec, new E({}), [1, 2]).map((d) => d.kind),
    ['type'],
    'an array is no struct',
  );
  t.same(valueDiff(spec, new E({ count: 1 }), { count: 1, name: null }), [], 'null is unset');
});

void t.test('each policy switch changes the outcome', async (t) => {
  t.same(DEFAULT_POLICY, {
    nanEqualsNan: true,
    negativeZeroEqualsZero: false,
    orderedSets: false,
    orderedMaps: false,
    unknownEnumValues: 'equal',
  });
  t.ok(Object.isFrozen(DEFAULT_POLICY));
  t.same(resolvePolicy({ orderedSets: true }), { ...DEFAULT_POLICY, orderedSets: true });

  t.same(diff({ ratio: NaN }, { ratio: NaN }), [], 'NaN = NaN by default');
  t.same(diff({ ratio: NaN }, { ratio: NaN }, { nanEqualsNan: false }), [
    { path: 'Everything.ratio', wanted: 'NaN', got: 'NaN' },
  ]);
  t.same(
    diff({ ratios: new Set([NaN]) }, { ratios: new Set([NaN]) }, { nanEqualsNan: false }),
    [
      { path: 'Everything.ratios{NaN}', wanted: 'NaN' },
      { path: 'Everything.ratios{NaN}', got: 'NaN' },
    ],
    'a NaN set member matches nothing',
  );

  t.same(
    diff({ ratio: -0 }, { ratio: 0 }),
    [{ path: 'Everything.ratio', wanted: '-0', got: '0' }],
    '-0.0 ≠ 0.0 by default',
  );
  t.same(diff({ ratio: -0 }, { ratio: 0 }, { negativeZeroEqualsZero: true }), []);
  t.same(
    diff({ ratios: new Set([-0]) }, { ratios: new Set([0]) }, { negativeZeroEqualsZero: true }),
    [],
  );

  const tags = (...x: string[]) => ({ tags: new Set(x) });
  t.same(diff(tags('a', 'b'), tags('b', 'a'), { orderedSets: true }), [
    { path: 'Everything.tags', wanted: '{"a", "b"}', got: '{"b", "a"}' },
  ]);
  const byName = (...k: string[]) => ({ byName: new Map(k.map((x) => [x, 1n])) });
  t.same(diff(byName('a', 'b'), byName('b', 'a'), { orderedMaps: true }), [
    { path: 'Everything.byName', wanted: '{"a": 1n, "b": 1n}', got: '{"b": 1n, "a": 1n}' },
  ]);
  t.same(
    diff(byName('a', 'b'), byName('b', 'a'), { orderedSets: true }),
    [],
    'orderedSets leaves maps alone',
  );

  t.same(diff({ color: 7 }, { color: 7 }), [], 'unknown enum values equal by default');
  t.same(diff({ color: 7 }, { color: 7 }, { unknownEnumValues: 'mismatch' }), [
    { path: 'Everything.color', wanted: '7 (not in Color)', got: '7 (not in Color)' },
  ]);
  t.same(
    diff({ color: 2 }, { color: 2 }, { unknownEnumValues: 'mismatch' }),
    [],
    'known items are fine',
  );
});

void t.test('equivalent, and types other than structs', async (t) => {
  t.ok(
    equivalent(spec, new E({ tags: new Set(['a', 'b']) }), new E({ tags: new Set(['b', 'a']) })),
  );
  t.notOk(equivalent(spec, new E({ ratio: -0 }), new E({ ratio: 0 })));
  t.ok(
    equivalent(spec, new E({ ratio: -0 }), new E({ ratio: 0 }), { negativeZeroEqualsZero: true }),
  );
  const list = spec.fields.find((f) => f.name === 'items')!.type;
  t.same(
    valueDiff(list, [1], [2]),
    [{ path: 'list[0]', wanted: '1', got: '2' }],
    'root = the kind',
  );
  t.same(valueDiff(list, [1], [2], {}, 'items'), [{ path: 'items[0]', wanted: '1', got: '2' }]);
  t.ok(
    equivalent(specOf(m, 'Point'), new P({ x: 1, y: 2 }), { x: 1, y: 2 }),
    'plain objects compare by field',
  );
});
