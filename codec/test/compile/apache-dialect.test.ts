// Real-world IDL that Apache's compiler 0.17 accepts loads in the apache dialect; the thriftrw
// dialect refuses the same constructs (as thriftrw 1.9 does) with a message naming them.
// What each compiler does is measured and recorded in docs/idl.md.
import t from 'tap';
import { compileModule, memoryResolver } from '../../src/compile/index.js';
import type { Dialect, IdlWarning } from '../../src/compile/index.js';
import type { ModuleSpec } from '../../src/schema/spec.js';
import { compileError, constOf, fieldOf, lines, plain, structOf } from './helpers.js';

/** Compiles `source` (and `files`) in `dialect`, returning the module and its warnings. */
function build(
  source: string,
  dialect: Dialect = 'apache',
  files: Record<string, string> = {},
): { m: ModuleSpec; warnings: string[] } {
  const warnings: IdlWarning[] = [];
  const resolve = memoryResolver({ ...files, 'main.thrift': source });
  const m = compileModule(
    'main.thrift',
    source,
    { dialect, resolve, onWarning: (w) => warnings.push(w) },
    new Map(),
  );
  return { m, warnings: warnings.map((w) => w.message) };
}

const SHARED = {
  'shared.thrift': 'enum Color { RED = 1, GREEN = 2 }\nenum Size { SMALL, LARGE }\n',
};

void t.test("'&' reference fields: accepted in apache, refused in thriftrw", async (t) => {
  const src = lines(
    'struct Node { 1: optional Node &next, 2: Node& other }',
    'exception E { 1: string why }',
    'union U { 1: Node &n }',
    'service S { void f(1: Node &n) throws (1: E &e) }',
  );
  const { m, warnings } = build(src);
  t.equal(fieldOf(structOf(m, 'Node'), 'next').type, structOf(m, 'Node'));
  t.strictSame(warnings, [], "'&' only changes how Apache's C++ holds the field");
  t.strictSame(compileError('struct N { 1: optional N &next }'), {
    at: 'main.thrift:1:12',
    reason:
      "'&' (a reference field: field 'next' of struct 'N') is Apache Thrift syntax that " +
      'thriftrw does not accept (the thriftrw dialect). Please remove it, or load the file with ' +
      "the 'apache' dialect",
    related: [],
  });
});

void t.test('xsd_* markers: ignored with a warning in apache, refused in thriftrw', async (t) => {
  const src = lines(
    'struct S xsd_all {',
    '  1: i32 a xsd_optional,',
    '  2: i32 b = 5 xsd_optional xsd_nillable (x = "y"),',
    '  3: i32 c xsd_attrs { 1: i32 d },',
    '}',
  );
  const { m, warnings } = build(src);
  t.strictSame(
    structOf(m, 'S').fields.map((f) => [f.name, f.requiredness]),
    [
      ['a', 'default'],
      ['b', 'default'],
      ['c', 'default'],
    ],
    "xsd_optional does not make a field optional (Apache's generators ignore it)",
  );
  t.strictSame(warnings, [
    "main.thrift:1:1: 'xsd_all' on struct 'S' is ignored: only Apache's XSD generator reads it. Please remove it",
    "main.thrift:2:3: 'xsd_optional' on field 'a' of struct 'S' is ignored: only Apache's XSD generator reads it, and 'xsd_optional' does not make a field optional. Please remove it (write 'optional' for an optional field)",
    "main.thrift:3:3: 'xsd_optional', 'xsd_nillable' on field 'b' of struct 'S' are ignored: only Apache's XSD generator reads them, and 'xsd_optional' does not make a field optional. Please remove them (write 'optional' for an optional field)",
    "main.thrift:4:3: 'xsd_attrs' on field 'c' of struct 'S' is ignored: only Apache's XSD generator reads it, and 'xsd_optional' does not make a field optional. Please remove it (write 'optional' for an optional field)",
  ]);
  t.match(compileError('struct S { 1: optional i32 a xsd_optional }'), {
    at: 'main.thrift:1:12',
    reason: /^'xsd_optional' \(on field 'a' of struct 'S'\) is Apache Thrift syntax that thriftrw/,
  });
  t.match(compileError('struct S xsd_all {}'), {
    at: 'main.thrift:1:1',
    reason: /^'xsd_all' \(on struct 'S'\) is Apache Thrift syntax that thriftrw does not accept/,
  });
});

void t.test('async and oneway return types: oneway with a warning in apache', async (t) => {
  const { m, warnings } = build('service S { async void f(), async i32 g(), oneway i32 h() }');
  const fns = m.services.get('S')!.functions;
  t.strictSame(
    fns.map((f) => [f.name, f.oneway, f.returnType, f.response.fields.length]),
    [
      ['f', true, undefined, 0],
      ['g', true, undefined, 0],
      ['h', true, undefined, 0],
    ],
    'a oneway return type is ignored, as Apache ignores it',
  );
  t.strictSame(warnings, [
    `main.thrift:1:13: 'async' is Apache's deprecated word for 'oneway' (Apache's compiler warns: "async" is deprecated. It is called "oneway" now); 'S.f' is read as oneway. Please write 'oneway'`,
    `main.thrift:1:29: 'async' is Apache's deprecated word for 'oneway' (Apache's compiler warns: "async" is deprecated. It is called "oneway" now); 'S.g' is read as oneway. Please write 'oneway'`,
    `main.thrift:1:35: oneway function 'S.g' declares a return type, which a oneway call never gets; it is ignored (Apache's compiler warns "Oneway methods should return void" and ignores it too). Please make it 'oneway void g(...)'`,
    `main.thrift:1:51: oneway function 'S.h' declares a return type, which a oneway call never gets; it is ignored (Apache's compiler warns "Oneway methods should return void" and ignores it too). Please make it 'oneway void h(...)'`,
  ]);
  t.match(compileError('service S { async void f() }'), {
    at: 'main.thrift:1:13',
    reason: /^'async' \(Apache's old word for 'oneway'\) is Apache Thrift syntax that thriftrw/,
  });
  t.match(compileError('service S { oneway i32 f() }'), {
    reason: /^oneway function 'S.f' must return void/,
  });
  // Apache refuses a oneway function that throws, async or not ("Oneway methods can't throw")
  t.match(
    compileError('exception E {}\nservice S { async void f() throws (1: E e) }', {
      dialect: 'apache',
    }),
    { reason: /^oneway function 'S.f' cannot throw exceptions/ },
  );
});

void t.test('{} and [] for any empty container in apache; not for non-empty ones', async (t) => {
  const src = lines(
    'struct S {',
    '  1: optional list<i32> a = {}',
    '  2: optional set<string> b = {}',
    '  3: optional map<string, i32> c = []',
    '}',
    'const list<i32> L = {}',
    'const map<i32, i32> M = []',
  );
  const { m } = build(src);
  const s = structOf(m, 'S');
  t.strictSame(plain(fieldOf(s, 'a').defaultValue!), []);
  t.strictSame(plain(fieldOf(s, 'b').defaultValue!), []);
  t.strictSame(plain(fieldOf(s, 'c').defaultValue!), []);
  t.strictSame(plain(constOf(m, 'L')), []);
  t.strictSame(plain(constOf(m, 'M')), []);
  // Apache accepts these too, but makes them empty: the values would be lost without a word
  t.strictSame(compileError('const list<i32> L = {1: 2}', { dialect: 'apache' }), {
    at: 'main.thrift:1:21',
    reason:
      "expected a list [...] for list<i32>, found a map: Apache's compiler accepts {...} here " +
      'but silently drops its entries (it makes an empty list), so the codec refuses it. Please ' +
      'write the list as [...]',
    related: [],
  });
  t.match(compileError('const map<i32, i32> M = [1]', { dialect: 'apache' }), {
    reason: /^expected a map \{\.\.\.\} for map<i32,i32>, found a list: Apache's compiler accepts/,
  });
  // a struct is never a list, in either dialect (Apache: "was declared as struct/xception")
  t.match(compileError('struct F {}\nconst F X = []', { dialect: 'apache' }), {
    reason: 'expected a map of field names to values {"field": ...} for F, found a list',
  });
});

void t.test(
  "an included enum's item as shared.ITEM where that enum is expected (apache)",
  async (t) => {
    const src = lines(
      'include "shared.thrift"',
      'typedef shared.Color Col',
      'struct S {',
      '  1: optional shared.Color c = shared.GREEN',
      '  2: optional list<shared.Color> cs = [shared.RED, shared.Color.GREEN]',
      '  3: optional map<shared.Color, shared.Size> m = {shared.RED: shared.LARGE}',
      '}',
      'const Col C = shared.RED',
    );
    const { m } = build(src, 'apache', SHARED);
    const s = structOf(m, 'S');
    t.equal(plain(fieldOf(s, 'c').defaultValue!), 2);
    t.strictSame(plain(fieldOf(s, 'cs').defaultValue!), [1, 2]);
    t.strictSame(plain(fieldOf(s, 'm').defaultValue!), [[1, 1]]);
    t.equal(plain(constOf(m, 'C')), 1, 'through a typedef');
    // where an i32 is expected, Apache refuses it too ("No enum value or constant found")
    t.strictSame(
      compileError('include "shared.thrift"\nconst i32 X = shared.GREEN', {
        dialect: 'apache',
        files: SHARED,
      }),
      {
        at: 'main.thrift:2:15',
        reason: "unknown constant 'shared.GREEN'; did you mean 'shared.Color.GREEN'?",
        related: [],
      },
    );
    // the thriftrw dialect refuses it, as thriftrw 1.9 does, and says what works
    t.strictSame(
      compileError('include "shared.thrift"\nconst shared.Color X = shared.GREEN', {
        files: SHARED,
      }),
      {
        at: 'main.thrift:2:24',
        reason:
          "unknown constant 'shared.GREEN'; did you mean 'shared.Color.GREEN'? (the apache " +
          "dialect reads 'shared.GREEN' as Apache's compiler does)",
        related: [],
      },
    );
    // an item of the wrong enum: Apache takes Size.RED as Color.RED (value 1, not 5); we refuse
    t.strictSame(
      compileError(
        lines('enum Color { RED = 1 }', 'enum Size { RED = 5 }', 'const Color C = Size.RED'),
        {
          dialect: 'apache',
        },
      ),
      {
        at: 'main.thrift:3:17',
        reason:
          "'Size.RED' is an item of enum 'Size', not of enum 'Color'; did you mean 'Color.RED'?",
        related: ['main.thrift:2:13'],
      },
    );
    // Apache: "identifier RED is unqualified!"
    t.strictSame(compileError(lines('enum Color { RED = 1 }', 'const Color C = RED')), {
      at: 'main.thrift:2:17',
      reason: "unknown constant 'RED'; did you mean 'Color.RED'?",
      related: [],
    });
  },
);

void t.test('did you mean: only names that would be accepted there', async (t) => {
  // LIMIT is a string: suggesting it for an i32 would only lead to the next error
  t.strictSame(compileError(lines('const string LIMIT = "x"', 'const i32 X = LIMT')), {
    at: 'main.thrift:2:15',
    reason: "unknown constant 'LIMT'",
    related: [],
  });
  t.strictSame(compileError(lines('enum A { ONE }', 'enum B { ONE, TWO }', 'const B X = A.TWO')), {
    at: 'main.thrift:3:13',
    reason: "enum 'A' has no item 'TWO'; did you mean 'B.TWO'?",
    related: ['main.thrift:1:1'],
  });
});

void t.test('uuid literals: upper case and braces, as Apache (0.19+) takes them', async (t) => {
  const { m } = build(
    lines(
      "const uuid GEN_UUID = '00000000-4444-CCCC-ffff-0123456789ab'",
      "const uuid GEN_GUID = '{00112233-4455-6677-8899-aaBBccDDeeFF}'",
    ),
    'thriftrw',
  );
  t.equal(plain(constOf(m, 'GEN_UUID')), '00000000-4444-cccc-ffff-0123456789ab');
  t.equal(plain(constOf(m, 'GEN_GUID')), '00112233-4455-6677-8899-aabbccddeeff');
  t.match(compileError("const uuid U = '{00112233-4455-6677-8899-aabbccddeeff'"), {
    reason: /is not a uuid/,
  });
});

void t.test(
  'fields named toPrimitive or fromPrimitive are refused, as thriftrw does',
  async (t) => {
    for (const dialect of ['thriftrw', 'apache'] as const) {
      t.strictSame(compileError('struct S { 1: optional string toPrimitive }', { dialect }), {
        at: 'main.thrift:1:12',
        reason:
          "field 'toPrimitive' of struct 'S' has the name of the toPrimitive() method of every " +
          'generated struct, union and exception, which the field would hide (thriftrw-python ' +
          'refuses such a field too). Please rename the field',
        related: [],
      });
    }
    t.match(compileError('service X { void f(1: i32 fromPrimitive) }'), {
      reason:
        /^parameter 'fromPrimitive' of function 'X.f' has the name of the static fromPrimitive\(\)/,
    });
  },
);
