// Type references, typedefs, enums and the module namespace.
import t from 'tap';
import { BASE } from '../../src/schema/spec.js';
import { editDistance, suggest } from '../../src/compile/scope.js';
import { compile, compileError, fieldOf, lines, show, structOf, typeOf } from './helpers.js';

void t.test('base and container types', async (t) => {
  const m = compile(lines(
    'struct S {',
    '  1: required bool a, 2: required byte b, 3: required i8 c, 4: required i16 d,',
    '  5: required i32 e, 6: required i64 f, 7: required double g, 8: required string h,',
    '  9: required binary i, 10: required uuid j,',
    '  11: required map<string, list<set<i32>>> k (x = "y"),',
    '}',
  )); // prettier-ignore
  const s = structOf(m, 'S');
  t.strictSame(s.fields.map((f) => show(f.type)), [
    'bool', 'byte', 'byte', 'i16', 'i32', 'i64', 'double', 'string', 'binary', 'uuid',
    'map<string,list<set<i32>>>',
  ]); // prettier-ignore
  t.equal(fieldOf(s, 'a').type, BASE.bool, 'base types are the BASE singletons');
  t.equal(fieldOf(s, 'c').type, BASE.byte, 'i8 is byte');
});

void t.test('typedef chains resolve to the final target, in any order', async (t) => {
  const m = compile(lines(
    'typedef C D',
    'typedef i32 A',
    'typedef A B',
    'typedef B C',
    'typedef list<D> Ds',
    'typedef S T',
    'struct S { 1: required D d, 2: optional Ds ds, 3: optional T t }',
  )); // prettier-ignore
  for (const n of ['A', 'B', 'C', 'D']) {
    const td = typeOf(m, n);
    t.equal(td.kind === 'typedef' ? td.target : undefined, BASE.i32, n);
  }
  const s = structOf(m, 'S');
  t.equal(fieldOf(s, 'd').type, BASE.i32);
  t.equal(show(fieldOf(s, 'ds').type), 'list<i32>');
  t.equal(fieldOf(s, 't').type, s);
  const ts = typeOf(m, 'T');
  t.equal(ts.kind === 'typedef' ? ts.module : undefined, m);
});

void t.test('a typedef cycle is an error naming the chain', async (t) => {
  t.strictSame(compileError(lines('typedef A B', 'typedef B A')), {
    at: 'main.thrift:1:1',
    reason:
      'typedef cycle: B -> A -> B; a typedef must name a type that does not lead back to itself. ' +
      'Please point one of them at a struct, enum or base type',
    related: ['main.thrift:2:1'],
  });
  t.match(compileError(lines('struct S { 1: optional X x }', 'typedef list<X> X')), {
    at: 'main.thrift:2:1',
    reason: /^typedef cycle: X -> X; /,
    related: [],
  });
});

void t.test('unknown type names suggest the closest known name', async (t) => {
  const user = 'struct User { 1: required string name }';
  t.strictSame(compileError(lines(user, 'struct Group { 1: required list<Usr> members }')), {
    at: 'main.thrift:2:33',
    reason: "unknown type 'Usr'; did you mean 'User'?",
    related: [],
  });
  t.strictSame(compileError(lines(user, 'typedef Account A')), {
    at: 'main.thrift:2:9',
    reason: "unknown type 'Account'",
    related: [],
  });
  t.strictSame(compileError(lines(user, 'service S { usr get() }')), {
    at: 'main.thrift:2:13',
    reason: "unknown type 'usr'; did you mean 'User'?",
    related: [],
  });
});

void t.test('constants and services are not types', async (t) => {
  t.strictSame(compileError(lines('const i32 X = 1', 'struct S { 1: required X x }')), {
    at: 'main.thrift:2:24',
    reason: "'X' is a constant, not a type",
    related: [],
  });
  t.strictSame(compileError(lines('service Svc {}', 'typedef Svc T')), {
    at: 'main.thrift:2:9',
    reason: "'Svc' is a service, not a type",
    related: [],
  });
  t.strictSame(compileError(lines('struct Svc {}', 'service S extends Svc {}')), {
    at: 'main.thrift:2:19',
    reason: "'Svc' is a struct, not a service",
    related: [],
  });
  t.strictSame(compileError(lines('service Base {}', 'service S extends Bse {}')), {
    at: 'main.thrift:2:19',
    reason: "unknown service 'Bse'; did you mean 'Base'?",
    related: [],
  });
});

void t.test('types, constants and services share one namespace', async (t) => {
  const cases: [string, string, string][] = [
    ['struct User {}', 'exception User {}', 'a struct'],
    ['enum E { A }', 'const i32 E = 1', 'an enum'],
    ['const i32 X = 1', 'service X {}', 'a constant'],
    ['service X {}', 'typedef i32 X', 'a service'],
    ['typedef i32 X', 'union X {}', 'a typedef'],
    ['exception X {}', 'enum X { A }', 'an exception'],
    ['union X {}', 'struct X {}', 'a union'],
  ];
  for (const [first, second, what] of cases) {
    const name = first.includes(' X') ? 'X' : first.includes('User') ? 'User' : 'E';
    t.strictSame(compileError(lines(first, '', second)), {
      at: 'main.thrift:3:1',
      reason:
        `duplicate name '${name}': already defined as ${what} at main.thrift:1:1 (types, ` +
        'constants and services share one namespace). Please rename one of them',
      related: ['main.thrift:1:1'],
    });
  }
});

void t.test('enums: implicit, explicit, negative and hex values', async (t) => {
  const m = compile(lines(
    'enum E {',
    '  A,',
    '  B = 5,',
    '  C,',
    '  D = -3,',
    '  E,',
    '  F = 0x10,',
    '  G = 2147483646,',
    '  H',
    '}',
    'enum Empty {}',
  )); // prettier-ignore
  const e = typeOf(m, 'E');
  if (e.kind !== 'enum') throw new Error('enum');
  t.strictSame(e.items.map((i) => [i.name, i.value]), [
    ['A', 0], ['B', 5], ['C', 6], ['D', -3], ['E', -2], ['F', 16], ['G', 2147483646], ['H', 2147483647],
  ]); // prettier-ignore
  t.strictSame(e.items[2]?.loc, { file: 'main.thrift', line: 4, column: 3 });
  t.equal(e.module, m);
  const empty = typeOf(m, 'Empty');
  t.strictSame(empty.kind === 'enum' ? empty.items : undefined, []);
});

void t.test('enums: duplicate values are kept in both dialects', async (t) => {
  for (const dialect of ['thriftrw', 'apache'] as const) {
    const e = typeOf(compile('enum E { A = 1, B = 1, C = 0, D }', { dialect }), 'E');
    t.strictSame(e.kind === 'enum' ? e.items.map((i) => [i.name, i.value]) : [], [
      ['A', 1],
      ['B', 1],
      ['C', 0],
      ['D', 1],
    ]);
  }
});

void t.test('enums: duplicate names and values outside i32 are errors', async (t) => {
  t.strictSame(compileError(lines('enum E {', '  A,', '  B,', '  A = 4', '}')), {
    at: 'main.thrift:4:3',
    reason: "duplicate item 'A' in enum 'E' (first at main.thrift:2:3). Please rename one of them",
    related: ['main.thrift:2:3'],
  });
  t.strictSame(compileError('enum E { A = 2147483648 }'), {
    at: 'main.thrift:1:14',
    reason:
      "item 'A' of enum 'E' has value 2147483648, outside i32 (-2147483648 to 2147483647). " +
      'Please give it a value in that range',
    related: [],
  });
  t.strictSame(compileError('enum E { A = -2147483649 }').at, 'main.thrift:1:14');
  t.strictSame(compileError('enum E { A = 2147483647, B }'), {
    at: 'main.thrift:1:26',
    reason:
      "item 'B' of enum 'E' has implicit value 2147483648, outside i32 (-2147483648 to " +
      '2147483647). Please give it a value in that range',
    related: [],
  });
});

void t.test('edit distance and suggestions', async (t) => {
  t.equal(editDistance('User', 'User'), 0);
  t.equal(editDistance('Usr', 'User'), 1);
  t.equal(editDistance('usr', 'User'), 2);
  t.equal(editDistance('abc', 'xyzw'), 3, 'gives up past 2');
  t.equal(suggest('Usr', ['Group', 'User', 'Use']), "; did you mean 'User'?");
  t.equal(suggest('Zzz', ['Group', 'User']), '');
});
