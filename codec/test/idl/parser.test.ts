import t from 'tap';
import { parse } from '../../src/idl/parser.js';
import { stripLocations } from '../../src/idl/printer.js';
import type * as A from '../../src/idl/ast.js';

// Builders for expected (location-free) AST nodes.
type Ann = [string, string?];
const ann = (list: Ann[] = []) =>
  list.map(([name, value]) => ({ kind: 'Annotation', name, value }));
const base = (name: string, a: Ann[] = []) => ({ kind: 'BaseType', name, annotations: ann(a) });
const named = (name: string) => ({ kind: 'NamedType', name });
const list = (valueType: object, a: Ann[] = []) => ({
  kind: 'ListType',
  valueType,
  annotations: ann(a),
});
const int = (value: bigint, text = String(value)) => ({ kind: 'ConstInt', value, text });
const dbl = (text: string) => ({ kind: 'ConstDouble', value: Number(text), text });
const str = (value: string) => ({ kind: 'ConstString', value });
const ident = (name: string) => ({ kind: 'ConstIdentifier', name });
interface FieldOpts {
  id?: number;
  req?: A.Requiredness;
  dflt?: object;
  a?: Ann[];
  doc?: string;
}
const field = (name: string, type: object, o: FieldOpts = {}) => ({
  kind: 'Field',
  id: o.id,
  name,
  type,
  requiredness: o.req ?? 'default',
  defaultValue: o.dflt,
  annotations: ann(o.a),
  doc: o.doc,
});

/** The location-free definitions of `src`. */
const defs = (src: string): unknown[] => stripLocations(parse(src).definitions);
const def = (src: string): unknown => defs(src)[0];

void t.test('headers', async (t) => {
  const p = parse(
    [
      'include "shared.thrift"',
      "include 'other/x.thrift'",
      'cpp_include "<vector>"',
      'namespace py foo.bar_baz',
      'namespace * all.of.them (a = "b", c)',
      'namespace py.twisted tw',
    ].join('\n'),
    'h.thrift',
  );
  t.equal(p.kind, 'Program');
  t.equal(p.file, 'h.thrift');
  t.strictSame(p.definitions, []);
  t.strictSame(stripLocations(p.headers), [
    { kind: 'Include', path: 'shared.thrift' },
    { kind: 'Include', path: 'other/x.thrift' },
    { kind: 'CppInclude', path: '<vector>' },
    { kind: 'Namespace', scope: 'py', name: 'foo.bar_baz', annotations: [] },
    { kind: 'Namespace', scope: '*', name: 'all.of.them', annotations: ann([['a', 'b'], ['c']]) },
    { kind: 'Namespace', scope: 'py.twisted', name: 'tw', annotations: [] },
  ]);
  t.strictSame(p.headers[4]?.loc, { file: 'h.thrift', line: 5, column: 1 });
  t.strictSame(parse(''), { kind: 'Program', file: '<string>', headers: [], definitions: [] });
});

void t.test('typedefs with base, container and named types', async (t) => {
  t.strictSame(defs('typedef i64 Timestamp (js.type = "Date"); typedef mod.User Owner,'), [
    {
      kind: 'Typedef',
      name: 'Timestamp',
      type: base('i64'),
      annotations: ann([['js.type', 'Date']]),
      doc: undefined,
    },
    { kind: 'Typedef', name: 'Owner', type: named('mod.User'), annotations: [], doc: undefined },
  ]);
  for (const b of [
    'bool',
    'byte',
    'i8',
    'i16',
    'i32',
    'i64',
    'double',
    'string',
    'binary',
    'uuid',
  ]) {
    t.strictSame((def(`typedef ${b} T`) as { type: unknown }).type, base(b), b);
  }
  const src =
    'typedef map<string, list<set<i32 (a = "1")>>> (python.immutable = "") Deep\n' +
    'typedef list<i32> (python.immutable = "") Ints\n' +
    'typedef map cpp_type "std::unordered_map" <i32, string> Fast\n' +
    'typedef set cpp_type "x" <binary> Bytes\n' +
    'typedef list cpp_type "y" <i8> Small';
  const types = (defs(src) as { type: unknown }[]).map((d) => d.type);
  t.strictSame(types, [
    {
      kind: 'MapType',
      keyType: base('string'),
      valueType: list({ kind: 'SetType', valueType: base('i32', [['a', '1']]), annotations: [] }),
      annotations: ann([['python.immutable', '']]),
    },
    list(base('i32'), [['python.immutable', '']]),
    { kind: 'MapType', keyType: base('i32'), valueType: base('string'), annotations: [] },
    { kind: 'SetType', valueType: base('binary'), annotations: [] },
    list(base('i8')),
  ]);
});

void t.test('constants: ints, doubles, strings, identifiers, lists and maps', async (t) => {
  const value = (v: string): unknown => (def(`const i32 X = ${v}`) as { value: unknown }).value;
  t.strictSame(value('42'), int(42n));
  t.strictSame(value('-7'), int(-7n));
  t.strictSame(value('+8'), int(8n, '+8'));
  t.strictSame(value('0x1F'), int(31n, '0x1F'));
  t.strictSame(value('-0x1F'), int(-31n, '-0x1F'));
  t.strictSame(value('9223372036854775807'), int(9223372036854775807n));
  for (const d of ['1.5', '-2.', '.5', '1e10', '1.5E-3', '+1.0']) t.strictSame(value(d), dbl(d), d);
  t.equal((value('1.5E-3') as { value: number }).value, 0.0015);
  t.strictSame(value(String.raw`"a\"b\\c\nd\te\rf\'g"`), str('a"b\\c\nd\te\rf\'g'));
  t.strictSame(value(String.raw`'single \u00e9 \uD83D\uDE00'`), str('single é 😀'));
  for (const id of ['FOO', 'Status.QUEUED', 'mod.Status.QUEUED', 'true', 'false', 'class']) {
    t.strictSame(value(id), ident(id), id);
  }
  t.strictSame(value('[1, 2; 3 4,]'), {
    kind: 'ConstList',
    values: [int(1n), int(2n), int(3n), int(4n)],
  });
  t.strictSame(value('[]'), { kind: 'ConstList', values: [] });
  t.strictSame(value('{"a": [1.5], \'b\': {}; X.Y: true,}'), {
    kind: 'ConstMap',
    entries: [
      { key: str('a'), value: { kind: 'ConstList', values: [dbl('1.5')] } },
      { key: str('b'), value: { kind: 'ConstMap', entries: [] } },
      { key: ident('X.Y'), value: ident('true') },
    ],
  });
  t.strictSame(defs('const string A = "a"; const string B = "b",\n/** D */ const i8 C = 1'), [
    { kind: 'Const', name: 'A', type: base('string'), value: str('a'), doc: undefined },
    { kind: 'Const', name: 'B', type: base('string'), value: str('b'), doc: undefined },
    { kind: 'Const', name: 'C', type: base('i8'), value: int(1n), doc: 'D' },
  ]);
});

void t.test('enums: implicit, explicit, negative and hex values, annotations, docs', async (t) => {
  const e = def(
    [
      '/** Colors. */',
      'enum Color {',
      '  RED,',
      '  GREEN = 5; BLUE = -1 (deprecated = "yes")',
      '  /** hexed */',
      '  CYAN = 0x10 (a, b = "c"),',
      '  class',
      '} (py.name = "Colour")',
    ].join('\n'),
  );
  const item = (name: string, value: object | undefined, a: Ann[] = [], doc?: string) => ({
    kind: 'EnumItem',
    name,
    value,
    annotations: ann(a),
    doc,
  });
  t.strictSame(e, {
    kind: 'Enum',
    name: 'Color',
    items: [
      item('RED', undefined),
      item('GREEN', int(5n)),
      item('BLUE', int(-1n), [['deprecated', 'yes']]),
      item('CYAN', int(16n, '0x10'), [['a'], ['b', 'c']], 'hexed'),
      item('class', undefined),
    ],
    annotations: ann([['py.name', 'Colour']]),
    doc: 'Colors.',
  });
  t.strictSame(def('enum Empty {}'), {
    kind: 'Enum',
    name: 'Empty',
    items: [],
    annotations: [],
    doc: undefined,
  });
});

void t.test('structs, unions and exceptions with every kind of field', async (t) => {
  const src = [
    'struct User {',
    '  /** The id. */',
    '  1: required i64 id',
    '  2: optional string name = "anon" (go.tag = \'json:"name"\'),',
    '  -3: list<i32> (python.immutable = "") scores = [1, 2];',
    '  string no_id',
    '  optional mod.Address from',
    '  0x7: map<string, User> friends = {}',
    '} (final)',
    'union U { 1: i32 a; 2: string b, }',
    'exception Oops { 1: string message } ',
  ].join('\n');
  const [user, u, oops] = defs(src);
  t.strictSame(user, {
    kind: 'Struct',
    name: 'User',
    fields: [
      field('id', base('i64'), { id: 1, req: 'required', doc: 'The id.' }),
      field('name', base('string'), {
        id: 2,
        req: 'optional',
        dflt: str('anon'),
        a: [['go.tag', 'json:"name"']],
      }),
      field('scores', list(base('i32'), [['python.immutable', '']]), {
        id: -3,
        dflt: { kind: 'ConstList', values: [int(1n), int(2n)] },
      }),
      field('no_id', base('string')),
      field('from', named('mod.Address'), { req: 'optional' }),
      field(
        'friends',
        { kind: 'MapType', keyType: base('string'), valueType: named('User'), annotations: [] },
        { id: 7, dflt: { kind: 'ConstMap', entries: [] } },
      ),
    ],
    annotations: ann([['final']]),
    doc: undefined,
  });
  t.strictSame(u, {
    kind: 'Union',
    name: 'U',
    fields: [field('a', base('i32'), { id: 1 }), field('b', base('string'), { id: 2 })],
    annotations: [],
    doc: undefined,
  });
  t.strictSame(oops, {
    kind: 'Exception',
    name: 'Oops',
    fields: [field('message', base('string'), { id: 1 })],
    annotations: [],
    doc: undefined,
  });
});

void t.test('services, functions, oneway, throws, extends', async (t) => {
  const src = [
    '/** The store. */',
    'service Store extends base.Base {',
    '  /** Gets. */',
    '  binary get(1: string key, 2: optional i32 version = 0) throws (1: NotFound nf, 2: mod.Err e)',
    '  oneway void ping() (idempotent)',
    '  void put(1: string key; 2: binary value); list<i32> (a = "b") ids(),',
    '  void def(1: i32 class)',
    '} (svc.version = "2")',
    'service Base {}',
  ].join('\n');
  const fn = (name: string, rest: Partial<Record<string, unknown>>) => ({
    kind: 'Function',
    name,
    oneway: false,
    returnType: undefined,
    parameters: [],
    exceptions: [],
    annotations: [],
    doc: undefined,
    ...rest,
  });
  const [store, baseSvc] = defs(src);
  t.strictSame(store, {
    kind: 'Service',
    name: 'Store',
    extends: 'base.Base',
    functions: [
      fn('get', {
        returnType: base('binary'),
        parameters: [
          field('key', base('string'), { id: 1 }),
          field('version', base('i32'), { id: 2, req: 'optional', dflt: int(0n) }),
        ],
        exceptions: [
          field('nf', named('NotFound'), { id: 1 }),
          field('e', named('mod.Err'), { id: 2 }),
        ],
        doc: 'Gets.',
      }),
      fn('ping', { oneway: true, annotations: ann([['idempotent']]) }),
      fn('put', {
        parameters: [
          field('key', base('string'), { id: 1 }),
          field('value', base('binary'), { id: 2 }),
        ],
      }),
      fn('ids', { returnType: list(base('i32'), [['a', 'b']]) }),
      fn('def', { parameters: [field('class', base('i32'), { id: 1 })] }),
    ],
    annotations: ann([['svc.version', '2']]),
    doc: 'The store.',
  });
  t.strictSame(baseSvc, {
    kind: 'Service',
    name: 'Base',
    extends: undefined,
    functions: [],
    annotations: [],
    doc: undefined,
  });
  const svc = parse(src, 's.thrift').definitions[0] as A.Service;
  t.strictSame(svc.extendsLoc, { file: 's.thrift', line: 2, column: 23 });
  t.strictSame(svc.functions[1]?.loc, { file: 's.thrift', line: 5, column: 3 });
});

void t.test('every node records the location of its first token', async (t) => {
  const p = parse(
    '\n\n  struct S {\n    1: required list<i32> xs = [7] (a = "b")\n  }',
    'f.thrift',
  );
  const s = p.definitions[0] as A.Struct;
  const f = s.fields[0] as A.Field;
  const at = (loc: { line: number; column: number }) => `${loc.line}:${loc.column}`;
  t.equal(at(s.loc), '3:3');
  t.equal(at(f.loc), '4:5');
  t.equal(at(f.type.loc), '4:17');
  t.equal(at((f.type as A.ListTypeRef).valueType.loc), '4:22');
  t.equal(at((f.defaultValue as A.ConstList).loc), '4:32');
  t.equal(at((f.defaultValue as A.ConstList).values[0]?.loc ?? s.loc), '4:33');
  t.equal(at(f.annotations[0]?.loc ?? s.loc), '4:37');
  t.equal(s.loc.file, 'f.thrift');
  // the field's doc and location come from its first token, whatever it is
  const g = parse('struct T {\n  /** d */ optional i32 x\n}').definitions[0] as A.Struct;
  t.equal(g.fields[0]?.doc, 'd');
  t.equal(at(g.fields[0]?.loc ?? g.loc), '2:12');
});

void t.test('comments anywhere; doc comments only where they are attached', async (t) => {
  const src = [
    '/** license header, attached to nothing */',
    'namespace js x // trailing',
    '# hash',
    '/** Doc of S. */',
    '/* a plain comment in between keeps the doc */',
    'struct S { /* inline */ 1: i32 a /** doc of b */ 2: i32 b }',
  ].join('\n');
  const s = parse(src).definitions[0] as A.Struct;
  t.equal(s.doc, 'Doc of S.');
  t.equal(s.fields[0]?.doc, undefined);
  t.equal(s.fields[1]?.doc, 'doc of b');
});

void t.test('a 10k-line file parses quickly', async (t) => {
  const fields = Array.from(
    { length: 10000 },
    (_, i) => `  ${i + 1}: optional map<string, list<i32>> f${i} = {"k": [1, 2]} (a = "b"),\n`,
  );
  const src = `struct Big {\n${fields.join('')}}\n`;
  let ms = Infinity; // the best of three runs, so that a busy machine does not fail the test
  for (let run = 0; run < 3; run++) {
    const start = performance.now();
    const p = parse(src);
    ms = Math.min(ms, performance.now() - start);
    if (run === 0) t.equal((p.definitions[0] as A.Struct).fields.length, 10000);
  }
  t.ok(ms < 2500, `parsed in ${ms.toFixed(1)} ms`);
});

void t.test(
  'uuid is a base type and still a valid name (Apache < 0.19 and the thriftrw docs use it so)',
  async (t) => {
    const p = parse('struct User { 1: required uuid uuid, 2: optional types.UUID id }', 'u.thrift');
    const s = p.definitions[0] as unknown as {
      fields: { name: string; type: { kind: string; name?: string } }[];
    };
    t.equal(s.fields[0]!.name, 'uuid');
    t.same(s.fields[0]!.type.kind, 'BaseType');
    t.equal(s.fields[0]!.type.name, 'uuid');
  },
);
