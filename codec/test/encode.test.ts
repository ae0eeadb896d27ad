// The encoder validates as it sizes: every error names the field path; nothing invalid is written.
import t from 'tap';
import { compile, ValidationError } from '../src/index.js';
import type { StructClass } from '../src/index.js';

const m = compile(
  `
struct Inner { 1: required i32 x }
struct S {
  1: optional i32 i
  2: optional list<string> names
  3: optional map<string, Inner> byName
  4: optional set<i64> ids
  5: optional Inner inner
  6: optional byte b
  7: optional i64 l
  8: optional uuid u
}
union U { 1: i32 a, 2: string b }
`,
  { file: 'enc.thrift' },
);
const S = m.S as StructClass;
const Inner = m.Inner as StructClass;
const U = m.U as StructClass;

void t.test(
  'values changed after construction are checked at encode time, with their path',
  async (t) => {
    const s = new S({ i: 1 });
    s.i = 2 ** 31;
    t.throws(() => m.dumps(s), { name: 'ValidationError', message: /^S\.i: expected an i32/ });
    const s2 = new S({ names: ['a', 'b'] });
    (s2.names as unknown[])[1] = 7;
    t.throws(() => m.dumps(s2), { message: /^S\.names\[1\]: expected a string, got 7 \(number\)/ });
    const s3 = new S({ byName: new Map([['k', new Inner({ x: 1 })]]) });
    (s3.byName as Map<string, Record<string, unknown>>).get('k')!.x = 'no';
    t.throws(() => m.dumps(s3), { message: /^S\.byName\["k"\]\.x: expected an i32/ });
    const s4 = new S({ inner: new Inner({ x: 1 }) });
    (s4.inner as Record<string, unknown>).x = undefined;
    t.throws(() => m.dumps(s4), { message: /^S\.inner\.x: is required but is not set/ });
    const s5 = new S({});
    s5.inner = { x: 1 };
    t.throws(() => m.dumps(s5), {
      message: /^S\.inner: expected an instance of Inner, got an Object/,
    });
  },
);

void t.test('constructors validate ranges and normalise i64, sets and uuids', async (t) => {
  t.throws(() => new S({ b: 128 }), { message: /S\.b: expected a byte/ });
  t.throws(() => new S({ l: 2n ** 63n }), { message: /S\.l: expected an i64/ });
  t.throws(
    () => new S({ l: 2 ** 53 }),
    { message: /S\.l: expected an i64/ },
    'an unsafe number is refused',
  );
  t.throws(() => new S({ names: ['\ud800'] }), {
    message: /S\.names\[0\]: string holds a lone surrogate/,
  });
  const s = new S({ l: 5, ids: [1, 2n], u: 'ABCDEF01-2345-6789-ABCD-EF0123456789' });
  t.equal(s.l, 5n);
  t.ok(s.ids instanceof Set && (s.ids as Set<bigint>).has(1n));
  t.equal(s.u, 'abcdef01-2345-6789-abcd-ef0123456789');
  t.ok(m.equals(m.loads(S, m.dumps(s)), s));
});

void t.test('unions are checked at encode time too', async (t) => {
  const u = new U({ a: 1 });
  u.b = 'x';
  t.throws(() => m.dumps(u), { message: /^U: a union needs exactly one field set, got 2/ });
});

void t.test('dumps refuses plain objects and says how to fix it', async (t) => {
  t.throws(
    () => m.dumps({ i: 1 }),
    new ValidationError(
      'dumps',
      'expected an instance of a generated struct, union, exception, request or response class, got a plain object (build it with new Type({...}))',
    ),
  );
});
