// Typed access to a module's members (codec/src/module.ts): structOf, serviceOf and enumOf give a
// struct class, a service or an enum with its type (a module's members are `unknown`), reach into
// includes with a dotted name, see through typedefs, and say what a name is when it is not what
// was asked, or which names there are when it is missing.
import t from 'tap';
import { compile, enumOf, serviceOf, structOf, ValidationError } from '../src/index.js';

const m = compile(
  `include "shared.thrift"
struct User { 1: required string name  2: optional shared.Color color }
exception Oops { 1: optional string why }
typedef User Person
typedef shared.Color Hue
const i32 LIMIT = 3
service Users { User get(1: string name) throws (1: Oops oops) }
`,
  {
    includes: {
      'shared.thrift':
        'enum Color { RED = 1, GREEN = 2 }\nunion Pick { 1: optional i32 a  2: optional string b }\n',
    },
  },
);

void t.test('structOf, serviceOf, enumOf give typed members', async (t) => {
  const User = structOf(m, 'User');
  const jane = new User({ name: 'Jane' });
  t.equal(jane.toPrimitive().name, 'Jane', 'a class that needs no cast');
  t.equal(structOf(m, 'Oops').__spec__.variant, 'exception');
  t.equal(structOf(m, 'shared.Pick').__spec__.variant, 'union', 'into an include');
  t.equal(structOf(m, 'Person'), User, 'a typedef of a struct gives the struct');
  t.equal(serviceOf(m, 'Users').__functions__.get('get')?.name, 'get');
  t.equal(enumOf(m, 'shared.Color').fromName('GREEN'), 2);
  t.equal(enumOf(m, 'Hue'), enumOf(m, 'shared.Color'), 'a typedef of an enum gives the enum');
});

void t.test('a wrong name says what it is, or what there is', async (t) => {
  t.throws(() => structOf(m, 'LIMIT'), {
    name: 'ValidationError',
    message: /LIMIT: is a constant, not a struct/,
  });
  t.throws(() => structOf(m, 'Users'), /Users: is a service, not a struct/);
  t.throws(() => serviceOf(m, 'User'), /User: is a struct, not a service/);
  t.throws(() => enumOf(m, 'Oops'), /Oops: is an exception, not an enum/);
  t.throws(
    () => structOf(m, 'Usr'),
    /no struct named 'Usr' in module main; its structs: User, Oops/,
  );
  t.throws(() => serviceOf(m, 'Nope'), /its services: Users/);
  t.throws(
    () => enumOf(m, 'other.Color'),
    /no include 'other' in module main; its includes: shared/,
  );
  t.throws(() => structOf(m, 'dumps'), /no struct named 'dumps'/, 'module methods are not members');
  t.throws(() => structOf(m, 'Nope'), ValidationError);
});
