// Decoding hostile input (issue 9): no stack capture for decoded exceptions, defaults built only
// when read, a limit on the values one message may create, sets and maps of doubles that would
// lose elements, maxDepth capped and stack overflows turned into LimitExceededError, wide and
// deeply nested schemas. Memory figures come from `npm run bench:memory`, not from here.
import { inspect } from 'node:util';
import t from 'tap';
import { compile, DEFAULT_LIMITS } from '../src/index.js';
import type { StructClass } from '../src/index.js';

const m = compile(
  `
exception E { 1: optional string why }
struct P { 1: optional i32 x }
struct D {
  1: optional i32 n = 7
  2: optional list<i32> xs = [1, 2, 3]
  3: optional P p = {"x": 4}
  4: required binary b = "hi"
}
struct Es { 1: required list<E> items }
struct Ds { 1: required list<D> items }
struct Ps { 1: required list<P> items }
struct Ms { 1: required list<map<i32, i32>> items }
struct Bs { 1: required list<binary> items }
struct Dbl { 1: optional set<double> s, 2: optional map<double, i32> m, 3: optional list<double> l }
struct Tree { 1: optional Tree one }
`,
  { file: 'hostile.thrift' },
);
const T = (name: string) => m[name] as StructClass;
const b = (...x: number[]) => Uint8Array.from(x);

/** `Top { 1: list<elemType> items }` with `n` copies of `elem`. */
function listOf(elemType: number, n: number, elem: readonly number[]): Uint8Array {
  const out = new Uint8Array(8 + n * elem.length + 1);
  out.set([15, 0, 1, elemType, n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
  for (let i = 0; i < n; i++) out.set(elem, 8 + i * elem.length);
  return out;
}

void t.test('a decoded exception captures no stack trace and is still an Error', async (t) => {
  const v = m.loads(T('Es'), listOf(12, 3, [0])) as { items: Error[] };
  const e = v.items[0]!;
  t.ok(e instanceof Error && e instanceof (m.E as StructClass));
  t.equal(e.stack, 'E', 'the stack is the header alone, without frames');
  t.equal(e.name, 'E');
  const made = new (m.E as StructClass)({ why: 'x' }) as unknown as Error;
  t.ok(made.stack!.split('\n').length > 1, 'exceptions users build still capture their stack');
  t.ok(Error.stackTraceLimit > 0, 'the global limit is restored');
});

void t.test('mutable defaults are built when first read, and read as eager ones', async (t) => {
  const D = T('D');
  const v = m.loads(D, b(0)) as Record<string, unknown>;
  t.equal(typeof Object.getOwnPropertyDescriptor(v, 'xs')?.get, 'function', 'not built yet');
  t.equal(Object.getOwnPropertyDescriptor(v, 'n')?.value, 7, 'immutable defaults are shared');
  t.strictSame(Object.keys(v), ['n', 'xs', 'p', 'b'], 'every field, in IDL order');
  t.ok(m.equals(v, new D({})), 'equals an instance built with the defaults');
  t.strictSame(m.toPrimitive(v), m.toPrimitive(new D({})));
  t.strictSame(m.dumps(v), m.dumps(new D({})), 'encodes the same bytes');
  t.strictSame(v.xs, [1, 2, 3]);
  t.strictSame(Object.getOwnPropertyDescriptor(v, 'xs'), {
    value: [1, 2, 3],
    writable: true,
    enumerable: true,
    configurable: true,
  });
  t.equal(v.xs, v.xs, 'built once');
  (v.xs as number[]).push(4);
  t.strictSame((m.loads(D, b(0)) as { xs: number[] }).xs, [1, 2, 3], 'never shared');
  const w = m.loads(D, b(0)) as Record<string, unknown>;
  w.xs = [9];
  t.strictSame(w.xs, [9], 'assignment before the first read');
  t.equal(
    inspect(m.loads(D, b(0))),
    inspect(new D({})),
    'util.inspect shows the values, not [Getter/Setter]',
  );
  const frozen = Object.freeze(m.loads(D, b(0))) as Record<string, unknown>;
  t.strictSame(frozen.xs, [1, 2, 3], 'a frozen instance still reads its default');
  t.equal(frozen.xs, frozen.xs, 'the same value every time');
  const given = m.loads(D, m.dumps(new D({ xs: [5] }))) as Record<string, unknown>;
  t.strictSame(Object.getOwnPropertyDescriptor(given, 'xs')?.value, [5], 'a sent value is data');
});

void t.test('maxValues limits the objects one message creates (default 1,000,000)', async (t) => {
  t.equal(DEFAULT_LIMITS.maxValues, 1_000_000);
  const n = 1_000_001;
  const bytes = listOf(12, n, [0]);
  t.throws(() => m.loads(T('Ps'), bytes), {
    name: 'LimitExceededError',
    message:
      'cannot decode Ps.items: 1000003 values (structs, containers and binaries) would pass ' +
      'the limit of 1000000 for one message (limits.maxValues; raise it if such messages are ' +
      'expected) at byte 8',
  });
  const ok = m.loads(T('Ps'), bytes, { limits: { maxValues: 2_000_000 } }) as { items: unknown[] };
  t.equal(ok.items.length, n, 'decodes with the limit raised');
  const small = { limits: { maxValues: 10 } };
  t.throws(() => m.loads(T('Ms'), listOf(13, 20, [8, 8, 0, 0, 0, 0]), small), {
    name: 'LimitExceededError',
    message: /^cannot decode Ms\.items: 22 values .* at byte 8$/,
  });
  t.throws(() => m.loads(T('Bs'), listOf(11, 20, [0, 0, 0, 0]), small), {
    name: 'LimitExceededError',
  });
  t.throws(() => m.loads(T('Es'), listOf(12, 20, [0]), small), { name: 'LimitExceededError' });
  t.equal((m.loads(T('Es'), listOf(12, 8, [0]), small) as { items: [] }).items.length, 8);
  // Skipped values create nothing and are not counted.
  const skipped = listOf(13, 50, [8, 8, 0, 0, 0, 0]);
  skipped[2] = 9; // field id 9: unknown to Ms
  const withItems = Uint8Array.of(...skipped.subarray(0, -1), 15, 0, 1, 13, 0, 0, 0, 0, 0);
  t.doesNotThrow(() => m.loads(T('Ms'), withItems, small));
});

void t.test('set<double> and map<double, _> refuse what a Set or Map would lose', async (t) => {
  const d = (x: number) => {
    const a = new Uint8Array(8);
    new DataView(a.buffer).setFloat64(0, x);
    return [...a];
  };
  const set = (...xs: number[]) => b(14, 0, 1, 4, 0, 0, 0, xs.length, ...xs.flatMap(d), 0);
  const map = (...xs: number[]) =>
    b(13, 0, 2, 4, 8, 0, 0, 0, xs.length, ...xs.flatMap((x) => [...d(x), 0, 0, 0, 1]), 0);
  t.throws(() => m.loads(T('Dbl'), set(NaN, NaN, -0)), {
    name: 'InvalidDataError',
    message:
      'cannot decode Dbl.s[1]: set element NaN appears twice: a JavaScript Set keeps one NaN, so ' +
      'the value would lose an element; use list<double> to carry several NaNs at byte 16',
  });
  t.throws(() => m.loads(T('Dbl'), set(1.5, -0)), {
    name: 'InvalidDataError',
    message:
      'cannot decode Dbl.s[1]: set element -0.0 cannot be kept: a JavaScript Set stores it as ' +
      '0.0; use list<double> (or a map keyed by another type) to carry -0.0 at byte 16',
  });
  t.throws(() => m.loads(T('Dbl'), map(0, -0)), {
    name: 'InvalidDataError',
    message: /^cannot decode Dbl\.m\[1\]: map key -0\.0 cannot be kept: .* at byte 21$/,
  });
  t.throws(() => m.loads(T('Dbl'), map(NaN, NaN)), {
    name: 'InvalidDataError',
    message: /^cannot decode Dbl\.m\[1\]: map key NaN appears twice/,
  });
  const ok = m.loads(T('Dbl'), set(NaN, 0, Infinity, -Infinity)) as { s: Set<number> };
  t.strictSame([...ok.s], [NaN, 0, Infinity, -Infinity], 'one NaN and +0.0 are kept');
  t.strictSame(m.dumps(ok), set(NaN, 0, Infinity, -Infinity), 're-encodes the same bytes');
  const l = b(15, 0, 3, 4, 0, 0, 0, 3, ...[NaN, NaN, -0].flatMap(d), 0);
  t.ok(Object.is((m.loads(T('Dbl'), l) as { l: number[] }).l[2], -0), 'lists keep them all');
});

void t.test('maxDepth is capped, and a stack overflow is a LimitExceededError', async (t) => {
  t.throws(() => m.loads(T('Tree'), b(0), { limits: { maxDepth: 9000 } }), {
    name: 'RangeError',
    message: /^limit maxDepth must be at most 2000 .* got 9000; please lower it$/,
  });
  const nested = (d: number) => {
    const out: number[] = [];
    for (let i = 0; i < d; i++) out.push(12, 0, 1);
    for (let i = 0; i <= d; i++) out.push(0);
    return Uint8Array.from(out);
  };
  const deep = nested(1999);
  t.doesNotThrow(() => m.loads(T('Tree'), deep, { limits: { maxDepth: 2000 } }));
  t.doesNotThrow(() => m.loads(T('P'), deep.slice(0), { limits: { maxDepth: 2000 } }), 'skip');
  t.throws(() => m.loads(T('Tree'), nested(100_000), { limits: { maxDepth: 2000 } }), {
    name: 'LimitExceededError',
    message: /nesting deeper than the limit of 2000 \(limits\.maxDepth\) at byte 6000$/,
  });
  // From a caller whose own stack is nearly used up, the overflow still becomes a ProtocolError.
  const recurse = (n: number, f: () => unknown): unknown => (n === 0 ? f() : recurse(n - 1, f));
  let seen: unknown;
  for (const pad of [8000, 9000, 10_000, 11_000]) {
    try {
      recurse(pad, () => m.loads(T('Tree'), deep, { limits: { maxDepth: 2000 } }));
    } catch (e) {
      if (e instanceof RangeError && /call stack/.test(e.message) && seen === undefined) continue;
      seen ??= e;
    }
  }
  if (seen !== undefined) {
    t.match(seen, { name: 'LimitExceededError', message: /ran out of JavaScript stack/ });
  } else t.pass('no depth tried reached the decoder with too little stack');
});
