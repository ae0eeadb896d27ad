// The seed's API exactly: `john.toPrimitive()` and `User.fromPrimitive({...})` as methods,
// beside the module's functions (thriftrw's to_primitive and from_primitive classmethod).
import t from 'tap';
import { compile } from '../src/index.js';
import type { StructClass, StructValue } from '../src/schema/struct-class.js';
import { IdlCompileError, ValidationError } from '../src/errors.js';

const m = compile(`struct User {
  1: required string name
  2: optional string email
  3: required bool isActive = true
}
union Value { 1: optional string s, 2: optional i64 n }
exception Oops { 1: optional string why }`);
const User = m.User as StructClass;

void t.test('the seed: john.toPrimitive() and User.fromPrimitive({...})', async (t) => {
  const john = new User({ name: 'John Smith', email: 'john@example.com' }) as StructValue;
  t.strictSame(john.toPrimitive(), {
    name: 'John Smith',
    email: 'john@example.com',
    isActive: true,
  });
  t.strictSame(john.toPrimitive(), m.toPrimitive(john), 'the same as the module function');
  const jane = new User({ name: 'Jane Smith', email: 'jane@example.com', isActive: true });
  const read = User.fromPrimitive({ name: 'Jane Smith', email: 'jane@example.com', other: 1 });
  t.ok(m.equals(jane, read), 'unrecognised fields are ignored');
  t.ok(read instanceof User);
  t.throws(() => User.fromPrimitive({ email: 'x' }), ValidationError, 'still validated');
  t.notOk(Object.keys(john).includes('toPrimitive'), 'methods are not fields');
  t.strictSame(Object.keys(john), ['name', 'email', 'isActive']);
});

void t.test('unions, exceptions, requests and responses have them too', async (t) => {
  const Value = m.Value as StructClass;
  const v = Value.fromPrimitive({ n: '12' }) as StructValue;
  t.strictSame(v.toPrimitive(), { n: 12n });
  const Oops = m.Oops as StructClass;
  t.strictSame((new Oops({ why: 'x' }) as StructValue).toPrimitive(), { why: 'x' });
  const kv = compile('service KV { string get(1: string key) }');
  const get = (kv.KV as Record<string, { request: typeof User }>).get!;
  t.strictSame((new get.request({ key: 'k' }) as StructValue).toPrimitive(), { key: 'k' });
});

void t.test('a field named after them is refused when the IDL loads', async (t) => {
  t.throws(() => compile('struct S { 1: optional string toPrimitive }'), IdlCompileError);
  t.throws(
    () => compile('union U { 1: string fromPrimitive }', { dialect: 'apache' }),
    IdlCompileError,
  );
});
