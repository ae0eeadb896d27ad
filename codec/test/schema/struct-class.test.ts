// The public typing of generated classes, as a user of the package writes it: `new User({...})`
// is a StructValue, so `john.toPrimitive()` and `john.equals(...)` type-check without a cast; a
// typed view is a type argument or a cast; `loads` keeps returning the plain field record. This
// file is compiled by `npm run typecheck` (tsc): the `@ts-expect-error` lines fail the typecheck
// if the typing they guard becomes too loose, the `expectType` lines if it becomes too narrow. It
// also runs, and checks the same values at run time.
import t from 'tap';
import { compile } from '../../src/index.js';
import type { StructClass, StructInstance, StructValue } from '../../src/index.js';

/** Compiles only when `value` has type `T` exactly (not a subtype, not a supertype). */
function expectType<T>() {
  return <V>(value: V & ([T] extends [V] ? ([V] extends [T] ? unknown : never) : never)): V =>
    value;
}

const m = compile(`struct User {
  1: required string name
  2: optional string email
  3: required bool isActive = true
}`);
const User = m.User as StructClass;

void t.test('new User({...}) is a StructValue: toPrimitive() without a cast', async (t) => {
  const john = new User({ name: 'John' });
  expectType<StructValue>()(john);
  const primitive = john.toPrimitive();
  expectType<Record<string, unknown>>()(primitive);
  t.strictSame(primitive, { name: 'John', isActive: true });
  t.equal(john.equals(new User({ name: 'John', isActive: true })), true, 'equals() too');
  // @ts-expect-error a field is `unknown` until the user says what it is
  john.name.toUpperCase();
  t.equal(john.name, 'John');
});

void t.test('User.fromPrimitive({...}) is a StructValue too', async (t) => {
  const jane = User.fromPrimitive({ name: 'Jane' });
  expectType<StructValue>()(jane);
  t.strictSame(jane.toPrimitive(), { name: 'Jane', isActive: true });
});

void t.test('a typed view: a type argument, or a cast of the new value', async (t) => {
  const typed = new User<{ name: string; email?: string }>({ name: 'Ann', email: 'a@x' });
  expectType<{ name: string; email?: string }>()(typed);
  t.equal(typed.name.toUpperCase(), 'ANN');
  const cast = new User({ name: 'Bo' }) as { name: string };
  t.equal(cast.name.length, 2);
  // @ts-expect-error the type argument must be an object type
  void new User<string>({ name: 'x' });
});

void t.test('loads(User, bytes) stays the plain field record', async (t) => {
  const back = m.loads(User, m.dumps(new User({ name: 'Cy' })));
  expectType<StructInstance>()(back);
  t.equal((back as StructValue).toPrimitive().name, 'Cy', 'the methods are there at run time');
  t.equal((back as { name: string }).name, 'Cy', 'and a cast to a field shape needs no unknown');
});
