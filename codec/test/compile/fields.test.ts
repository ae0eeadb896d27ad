// Field rules in both dialects: ids, requiredness, unions, duplicates.
import t from 'tap';
import { compile, compileError, fieldOf, fieldSummary, lines, structOf } from './helpers.js';

const RANGE = 'Please give the field an id from 1 to 32767';

void t.test('thriftrw: struct and exception fields must say required or optional', async (t) => {
  t.strictSame(
    compileError(lines('struct User {', '  1: required string name', '  2: string x', '}')),
    {
      at: 'main.thrift:3:3',
      reason:
        "field 'x' of struct 'User' is neither required nor optional (the thriftrw dialect needs " +
        "one). Please mark the field 'x' of struct 'User' as required or optional",
      related: [],
    },
  );
  t.match(compileError('exception E { 1: string why }'), {
    at: 'main.thrift:1:15',
    reason: /Please mark the field 'why' of exception 'E' as required or optional$/,
  });
});

void t.test('apache: no requiredness is default requiredness', async (t) => {
  const m = compile(
    'struct S { 1: string a, 2: required i32 b, 3: optional i32 c } exception E { 1: string w }',
    {
      dialect: 'apache',
    },
  );
  t.strictSame(fieldSummary(structOf(m, 'S')), [
    [1, 'a', 'default'],
    [2, 'b', 'required'],
    [3, 'c', 'optional'],
  ]);
  t.strictSame(fieldSummary(structOf(m, 'E')), [[1, 'w', 'default']]);
});

void t.test('thriftrw: every field needs an explicit id from 1 to 32767', async (t) => {
  t.strictSame(compileError('struct S {\n  required string name\n}'), {
    at: 'main.thrift:2:3',
    reason: `field 'name' of struct 'S' has no id (the thriftrw dialect needs explicit ids). ${RANGE}`,
    related: [],
  });
  t.strictSame(compileError('service Svc { void f(string k) }'), {
    at: 'main.thrift:1:22',
    reason: `parameter 'k' of function 'Svc.f' has no id (the thriftrw dialect needs explicit ids). ${RANGE}`,
    related: [],
  });
  t.strictSame(compileError('exception E {} service Svc { void f() throws (E e) }').reason.slice(0, 42),
    "exception 'e' of function 'Svc.f' has no i"); // prettier-ignore
  for (const id of [0, -1, 32768]) {
    t.strictSame(compileError(`struct S { ${id}: required i32 a }`), {
      at: 'main.thrift:1:12',
      reason: `field 'a' of struct 'S' has id ${id}, outside 1 to 32767 (the thriftrw dialect). ${RANGE}`,
      related: [],
    });
  }
  t.strictSame(
    fieldSummary(structOf(compile('struct S { 32767: required i32 a, 0x1: optional i32 b }'), 'S')),
    [
      [32767, 'a', 'required'],
      [1, 'b', 'optional'],
    ],
  );
});

void t.test(
  'apache: implicit negative ids in order, explicit 0 and negative ids kept',
  async (t) => {
    const m = compile(
      lines(
        'struct S { string a, 5: string b, string c, 0: string d, -7: string e }',
        'union U { string x, string y }',
        'service Svc { void f(string p, 1: i32 q, string r) }',
      ),
      { dialect: 'apache' },
    );
    t.strictSame(fieldSummary(structOf(m, 'S')), [
    [-1, 'a', 'default'], [5, 'b', 'default'], [-2, 'c', 'default'], [0, 'd', 'default'], [-7, 'e', 'default'],
  ]); // prettier-ignore
    t.strictSame(fieldSummary(structOf(m, 'U')), [
      [-1, 'x', 'optional'],
      [-2, 'y', 'optional'],
    ]);
    const f = m.services.get('Svc')?.functions[0];
    t.strictSame(f && fieldSummary(f.request), [
      [-1, 'p', 'default'],
      [1, 'q', 'default'],
      [-2, 'r', 'default'],
    ]);
    t.strictSame(compileError('struct S { -32769: i32 a }', { dialect: 'apache' }), {
      at: 'main.thrift:1:12',
      reason:
        "field 'a' of struct 'S' has id -32769, outside -32768 to 32767 (the apache dialect). " +
        'Please give the field an id from -32768 to 32767',
      related: [],
    });
    t.strictSame(compileError('struct S { -1: i32 a, i32 b }', { dialect: 'apache' }), {
      at: 'main.thrift:1:23',
      reason:
        "duplicate field id -1 in struct 'S': 'b' and 'a' (at main.thrift:1:12). Please give 'b' an unused id",
      related: ['main.thrift:1:12'],
    });
  },
);

void t.test(
  'unions: fields are optional, never required, never defaulted (both dialects)',
  async (t) => {
    for (const dialect of ['thriftrw', 'apache'] as const) {
      const m = compile('union U { 1: string a, 2: optional i32 b }', { dialect });
      t.strictSame(fieldSummary(structOf(m, 'U')), [
        [1, 'a', 'optional'],
        [2, 'b', 'optional'],
      ]);
      t.strictSame(compileError('union U {\n  1: required string a\n}', { dialect }), {
        at: 'main.thrift:2:3',
        reason:
          "field 'a' of union 'U' is required, but union fields cannot be. Please remove " +
          "'required' from the field 'a' of union 'U'",
        related: [],
      });
      t.strictSame(compileError('union U { 1: string a = "x" }', { dialect }), {
        at: 'main.thrift:1:25',
        reason:
          "field 'a' of union 'U' has a default value, but union fields cannot have one. " +
          'Please remove the default value',
        related: [],
      });
    }
  },
);

void t.test('duplicate field ids and names name both locations (both dialects)', async (t) => {
  for (const dialect of ['thriftrw', 'apache'] as const) {
    t.strictSame(
      compileError(lines('struct S {', '  1: required i32 a', '  1: optional i32 b', '}'), {
        dialect,
      }),
      {
        at: 'main.thrift:3:3',
        reason:
          "duplicate field id 1 in struct 'S': 'b' and 'a' (at main.thrift:2:3). Please give 'b' an unused id",
        related: ['main.thrift:2:3'],
      },
    );
    t.strictSame(
      compileError(lines('exception S {', '  1: required i32 a', '  2: optional i64 a', '}'), {
        dialect,
      }),
      {
        at: 'main.thrift:3:3',
        reason:
          "duplicate field name 'a' in exception 'S' (first at main.thrift:2:3). Please rename one of them",
        related: ['main.thrift:2:3'],
      },
    );
    t.strictSame(compileError('service V { void f(1: i32 a, 2: i32 a) }', { dialect }), {
      at: 'main.thrift:1:30',
      reason:
        "duplicate field name 'a' in the parameters of function 'V.f' (first at main.thrift:1:20). " +
        'Please rename one of them',
      related: ['main.thrift:1:20'],
    });
  }
});

void t.test('field types, defaults, annotations and locations', async (t) => {
  const m = compile(lines(
    'struct S {',
    '  1: required i32 a = 3 (note = "x")',
    '  2: optional list<string> b = ["x", "y"]',
    '  3: optional S self',
    '}',
  )); // prettier-ignore
  const s = structOf(m, 'S');
  const a = fieldOf(s, 'a');
  t.strictSame(a.defaultValue, { kind: 'scalar', value: 3 });
  t.strictSame([...a.annotations], [['note', 'x']]);
  t.strictSame(a.loc, { file: 'main.thrift', line: 2, column: 3 });
  t.strictSame(fieldOf(s, 'b').defaultValue, {
    kind: 'list',
    values: [
      { kind: 'scalar', value: 'x' },
      { kind: 'scalar', value: 'y' },
    ],
  });
  t.equal(fieldOf(s, 'self').type, s);
  t.equal(fieldOf(s, 'self').defaultValue, undefined);
});
