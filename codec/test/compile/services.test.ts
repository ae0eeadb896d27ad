// Services: parents, functions, request and response structs, oneway and throws rules.
import t from 'tap';
import { BASE } from '../../src/schema/spec.js';
import type { FunctionSpec, ModuleSpec } from '../../src/schema/spec.js';
import { compile, compileError, fieldOf, fieldSummary, lines, plain, structOf } from './helpers.js';

function fn(m: ModuleSpec, service: string, name: string): FunctionSpec {
  const f = m.services.get(service)?.functions.find((x) => x.name === name);
  if (f === undefined) throw new Error(`no function ${service}.${name}`);
  return f;
}

void t.test(
  'services extend local services in any order; inherited names may repeat',
  async (t) => {
    const m = compile(lines(
    'service Child extends Base { void ping(), i32 own() }',
    'service Base { void ping() }',
    'service Solo {}',
  )); // prettier-ignore
    const child = m.services.get('Child');
    const base = m.services.get('Base');
    t.equal(child?.parent, base);
    t.equal(base?.parent, undefined);
    t.strictSame(
      child?.functions.map((f) => f.name),
      ['ping', 'own'],
      'own functions only',
    );
    t.strictSame([...m.services.keys()], ['Child', 'Base', 'Solo']);
    t.strictSame(m.services.get('Solo')?.functions, []);
  },
);

void t.test('a service inheritance cycle is an error', async (t) => {
  t.strictSame(
    compileError(
      lines('service A extends B {}', 'service B extends C {}', 'service C extends A {}'),
    ),
    {
      at: 'main.thrift:1:1',
      reason: "service inheritance cycle: A -> B -> C -> A. Please remove one of these 'extends'",
      related: ['main.thrift:2:1', 'main.thrift:3:1'],
    },
  );
  t.strictSame(compileError('service A extends A {}'), {
    at: 'main.thrift:1:1',
    reason: "service inheritance cycle: A -> A. Please remove one of these 'extends'",
    related: [],
  });
});

void t.test('request and response structs', async (t) => {
  const m = compile(lines(
    'exception E1 { 1: optional string m }',
    'exception E2 {}',
    'typedef E2 AlsoE2',
    'typedef map<string, i64> Counts',
    'service S {',
    '  Counts count(1: required string a, 2: optional i32 b = 4, 3: i64 c) throws (1: E1 e1, 2: required AlsoE2 e2)',
    '  oneway void fire(1: string x)',
    '}',
  )); // prettier-ignore
  const count = fn(m, 'S', 'count');
  t.strictSame(fieldSummary(count.request), [
    [1, 'a', 'required'],
    [2, 'b', 'optional'],
    [3, 'c', 'default'],
  ]);
  t.strictSame(plain(fieldOf(count.request, 'b').defaultValue ?? { kind: 'list', values: [] }), 4);
  t.equal(count.returnType?.kind, 'map');
  t.strictSame(fieldSummary(count.response), [
    [0, 'success', 'optional'],
    [1, 'e1', 'optional'],
    [2, 'e2', 'optional'],
  ]);
  t.equal(fieldOf(count.response, 'success').type, count.returnType);
  t.strictSame(fieldOf(count.response, 'success').loc, { file: 'main.thrift', line: 6, column: 3 });
  t.equal(fieldOf(count.response, 'e2').type, structOf(m, 'E2'));
  t.equal(count.request.module, m);
  t.strictSame(count.loc, { file: 'main.thrift', line: 6, column: 3 });
  const fire = fn(m, 'S', 'fire');
  t.equal(fire.oneway, true);
  t.equal(fire.returnType, undefined);
  t.strictSame(fire.response.fields, []);
  t.equal(fire.response.name, 'S_fire_response');
  t.equal(fieldOf(fire.request, 'x').type, BASE.string);
});

void t.test('oneway functions return void and throw nothing', async (t) => {
  t.strictSame(compileError('service S {\n  oneway i32 f()\n}'), {
    at: 'main.thrift:2:10',
    reason:
      "oneway function 'S.f' must return void (a oneway call gets no response). Please make it " +
      "'oneway void f(...)' or remove 'oneway'",
    related: [],
  });
  t.strictSame(compileError('exception E {}\nservice S { oneway void f() throws (1: E e) }'), {
    at: 'main.thrift:2:37',
    reason:
      "oneway function 'S.f' cannot throw exceptions (a oneway call gets no response). Please " +
      "remove the throws clause or 'oneway'",
    related: [],
  });
});

void t.test('throws lists only exception types', async (t) => {
  const cases: [string, string][] = [
    ['struct X {}', "has type 'X' (a struct)"],
    ['union X {}', "has type 'X' (a union)"],
    ['enum X { A }', "has type 'X' (an enum)"],
    ['typedef i32 X', "has type 'i32'"],
    ['exception E {} typedef list<E> X', "has type 'list<E>'"],
  ];
  for (const [def, what] of cases) {
    t.strictSame(compileError(lines(def, 'service S { void f() throws (1: X x) }')), {
      at: 'main.thrift:2:33',
      reason: `exception 'x' of function 'S.f' ${what}, but a throws clause may only list exception types`,
      related: [],
    });
  }
  t.strictSame(
    compileError(lines('exception E {}', 'service S { i32 f() throws (1: E success) }')),
    {
      at: 'main.thrift:2:29',
      reason:
        "exception 'success' of function 'S.f' clashes with the response's 'success' field (the " +
        'return value). Please rename the exception',
      related: [],
    },
  );
  t.strictSame(
    compileError(lines('exception E {}', 'service S { void f() throws (1: E e = {}) }')),
    {
      at: 'main.thrift:2:39',
      reason:
        "exception 'e' of function 'S.f' has a default value, but a function's exceptions cannot " +
        'have one. Please remove the default value',
      related: [],
    },
  );
});

void t.test('duplicate ids in a response, duplicate function names', async (t) => {
  t.strictSame(
    compileError(lines('exception E {}', 'service S { i32 f() throws (0: E e) }'), {
      dialect: 'apache',
    }),
    {
      at: 'main.thrift:2:29',
      reason:
        "duplicate field id 0 in the response of function 'S.f': 'e' and 'success' (at " +
        "main.thrift:2:13). Please give 'e' an unused id",
      related: ['main.thrift:2:13'],
    },
  );
  t.strictSame(
    compileError(lines('exception E {}', 'service S { void f() throws (1: E a, 1: E b) }')),
    {
      at: 'main.thrift:2:38',
      reason:
        "duplicate field id 1 in the response of function 'S.f': 'b' and 'a' (at main.thrift:2:30). " +
        "Please give 'b' an unused id",
      related: ['main.thrift:2:30'],
    },
  );
  t.strictSame(compileError(lines('service S {', '  void f()', '  i32 f(1: i32 x)', '}')), {
    at: 'main.thrift:3:3',
    reason:
      "duplicate function 'f' in service 'S' (first at main.thrift:2:3). Please rename one of them",
    related: ['main.thrift:2:3'],
  });
});

void t.test('unknown types in functions are reported where they are written', async (t) => {
  t.strictSame(compileError('service S { Strng f() }'), {
    at: 'main.thrift:1:13',
    reason: "unknown type 'Strng'",
    related: [],
  });
  t.strictSame(compileError('struct Item {}\nservice S { void f(1: Itme i) }'), {
    at: 'main.thrift:2:23',
    reason: "unknown type 'Itme'; did you mean 'Item'?",
    related: [],
  });
});
