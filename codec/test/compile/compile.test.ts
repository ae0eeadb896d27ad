// Stage 2 end to end: the thriftrw docs' examples (the behaviour spec) and the module API.
import t from 'tap';
import { IdlCompileError } from '../../src/errors.js';
import { compileModule } from '../../src/compile/index.js';
import type { ModuleSpec } from '../../src/schema/spec.js';
import { moduleName } from '../../src/compile/compile.js';
import {
  compile,
  compileError,
  constOf,
  errorOf,
  fieldOf,
  fieldSummary,
  lines,
  plain,
  show,
  structOf,
  typeOf,
} from './helpers.js';

const DOCS = lines(
  'namespace py docs.example',
  'namespace * docs',
  'struct User {',
  '    1: required string name',
  '    2: optional string email',
  '    3: required bool isActive = true',
  '}',
  'union Value {',
  '    1: string stringValue',
  '    2: i32 integerValue',
  '}',
  'enum Status {',
  '    QUEUED,',
  '    RUNNING,',
  '    FAILED,',
  '    SUCCEEDED,',
  '} (py.primitiveType = "string")',
  'exception ResourceDoesNotExist { 1: optional string key }',
  'service KeyValue {',
  '    void putValue(1: string key, 2: Value value);',
  '    Value getValue(1: string key)',
  '        throws',
  '          (1: ResourceDoesNotExist doesNotExist);',
  '    list<Value> listValues();',
  '}',
  'const string LAST_UPDATED = "2015-08-28"',
  'struct Item { 1: required string key, 2: required i32 value }',
  "const Item ZERO_ITEM = {'key': '', 'value': 0}",
);

void t.test('the thriftrw docs example compiles to the expected specs', async (t) => {
  const m = compile(DOCS);
  t.equal(m.name, 'main');
  t.equal(m.key, 'main.thrift');
  t.equal(m.source, DOCS);
  t.equal(m.program.kind, 'Program');
  t.strictSame(
    [...m.namespaces],
    [
      ['py', 'docs.example'],
      ['*', 'docs'],
    ],
  );
  t.strictSame([...m.types.keys()], ['User', 'Value', 'Status', 'ResourceDoesNotExist', 'Item']);
  const user = structOf(m, 'User');
  t.equal(user.variant, 'struct');
  t.equal(user.module, m);
  t.strictSame(fieldSummary(user), [
    [1, 'name', 'required'],
    [2, 'email', 'optional'],
    [3, 'isActive', 'required'],
  ]);
  t.strictSame(fieldOf(user, 'isActive').defaultValue, { kind: 'scalar', value: true });
  t.equal(fieldOf(user, 'email').defaultValue, undefined);
  t.equal(fieldOf(user, 'name').type.kind, 'string');
  t.strictSame(fieldOf(user, 'name').loc, { file: 'main.thrift', line: 4, column: 5 });
  const value = structOf(m, 'Value');
  t.equal(value.variant, 'union');
  t.strictSame(fieldSummary(value), [
    [1, 'stringValue', 'optional'],
    [2, 'integerValue', 'optional'],
  ]);
  const status = typeOf(m, 'Status');
  if (status.kind !== 'enum') throw new Error('enum expected');
  t.strictSame(
    status.items.map((i) => [i.name, i.value]),
    [
      ['QUEUED', 0],
      ['RUNNING', 1],
      ['FAILED', 2],
      ['SUCCEEDED', 3],
    ],
  );
  t.strictSame([...status.annotations], [['py.primitiveType', 'string']]);
  t.equal(structOf(m, 'ResourceDoesNotExist').variant, 'exception');
  t.strictSame(plain(constOf(m, 'LAST_UPDATED')), '2015-08-28');
  t.strictSame(plain(constOf(m, 'ZERO_ITEM')), { $struct: 'Item', key: '', value: 0 });
  const zero = m.constants.get('ZERO_ITEM');
  t.equal(zero?.type, structOf(m, 'Item'));
  t.strictSame([...m.constants.keys()], ['LAST_UPDATED', 'ZERO_ITEM']);
});

void t.test('the docs KeyValue service gets request and response structs', async (t) => {
  const m = compile(DOCS);
  const kv = m.services.get('KeyValue');
  if (kv === undefined) throw new Error('no service');
  t.equal(kv.parent, undefined);
  t.equal(kv.module, m);
  t.strictSame(
    kv.functions.map((f) => f.name),
    ['putValue', 'getValue', 'listValues'],
  );
  const [put, get, list] = kv.functions;
  if (put === undefined || get === undefined || list === undefined) throw new Error('functions');
  t.equal(put.service, kv);
  t.equal(put.returnType, undefined);
  t.equal(put.request.name, 'KeyValue_putValue_request');
  t.equal(put.request.variant, 'request');
  t.equal(put.request.function, put);
  t.strictSame(fieldSummary(put.request), [
    [1, 'key', 'default'],
    [2, 'value', 'default'],
  ]);
  t.equal(fieldOf(put.request, 'value').type, structOf(m, 'Value'));
  t.equal(put.response.name, 'KeyValue_putValue_response');
  t.equal(put.response.variant, 'response');
  t.equal(put.response.function, put);
  t.strictSame(put.response.fields, []);
  t.equal(get.returnType, structOf(m, 'Value'));
  t.strictSame(fieldSummary(get.response), [
    [0, 'success', 'optional'],
    [1, 'doesNotExist', 'optional'],
  ]);
  t.equal(fieldOf(get.response, 'doesNotExist').type, structOf(m, 'ResourceDoesNotExist'));
  t.equal(show(fieldOf(list.response, 'success').type), 'list<union:main.Value>');
  t.equal(list.oneway, false);
  t.strictSame(list.request.fields, []);
});

void t.test('seed: the KeyValue service with NotFoundError', async (t) => {
  // The guide's IDL (its `set` function renamed: `set` is a reserved word of Thrift).
  const src = lines(
    'exception NotFoundError {',
    '    1: string key,',
    '}',
    'service KeyValue {',
    '    string get(',
    '        1: string key,',
    '    ) throws (',
    '        1: NotFoundError notFound,',
    '    )',
    '    string put(',
    '        1: string key,',
    '        2: string value,',
    '    )',
    '}',
  );
  const m = compile(src, { dialect: 'apache' });
  t.strictSame(fieldSummary(structOf(m, 'NotFoundError')), [[1, 'key', 'default']]);
  const get = m.services.get('KeyValue')?.functions[0];
  t.strictSame(get && fieldSummary(get.response), [
    [0, 'success', 'optional'],
    [1, 'notFound', 'optional'],
  ]);
  t.strictSame(compileError(src), {
    at: 'main.thrift:2:5',
    reason:
      "field 'key' of exception 'NotFoundError' is neither required nor optional (the thriftrw " +
      "dialect needs one). Please mark the field 'key' of exception 'NotFoundError' as required or optional",
    related: [],
  });
});

void t.test('seed: cyclic types Tree -> Branch -> Tree link to the same specs', async (t) => {
  const m = compile(lines(
    'union Tree {',
    '    1: Leaf leaf',
    '    2: Branch branch',
    '}',
    'struct Leaf {',
    '    1: required i32 value',
    '}',
    'struct Branch {',
    '    1: required Tree leftTree',
    '    2: required Tree rightTree',
    '}',
  )); // prettier-ignore
  const tree = structOf(m, 'Tree');
  const branch = structOf(m, 'Branch');
  t.equal(fieldOf(tree, 'leaf').type, structOf(m, 'Leaf'));
  t.equal(fieldOf(tree, 'branch').type, branch);
  t.equal(fieldOf(branch, 'leftTree').type, tree);
  t.equal(fieldOf(branch, 'rightTree').type, tree);
  const self = compile('struct Node { 1: optional Node next, 2: optional list<Node> kids }');
  const node = structOf(self, 'Node');
  t.equal(fieldOf(node, 'next').type, node);
  t.equal(show(fieldOf(node, 'kids').type), 'list<struct:main.Node>');
});

void t.test('forward references to types and constants work', async (t) => {
  const m = compile(lines(
    'typedef Foo Bar',
    'const Foo F = {"x": B}',
    'const i32 B = A',
    'struct Foo { 1: optional i32 x = A }',
    'const i32 A = 7',
  )); // prettier-ignore
  const bar = typeOf(m, 'Bar');
  t.equal(bar.kind === 'typedef' ? bar.target : undefined, structOf(m, 'Foo'));
  t.strictSame(plain(constOf(m, 'F')), { $struct: 'Foo', x: 7 });
  t.strictSame(fieldOf(structOf(m, 'Foo'), 'x').defaultValue, { kind: 'scalar', value: 7 });
  t.strictSame([...m.constants.keys()], ['F', 'B', 'A'], 'declaration order');
});

void t.test('annotations become maps', async (t) => {
  const m = compile(lines(
    'typedef i64 (js.type = "Long") Timestamp (doc = "ms")',
    'enum E { A (x = "1"), B } (e)',
    'struct S { 1: required i32 a (go.tag = "json") } (s = "y")',
    'service Svc { void f() (fa = "b") } (sa = "c")',
  )); // prettier-ignore
  const ts = typeOf(m, 'Timestamp');
  t.strictSame([...ts.annotations], [['doc', 'ms']]);
  t.equal(ts.kind === 'typedef' ? ts.target.kind : undefined, 'i64');
  const e = typeOf(m, 'E');
  t.strictSame([...e.annotations], [['e', undefined]]);
  t.strictSame(e.kind === 'enum' ? [...(e.items[0]?.annotations ?? [])] : [], [['x', '1']]);
  const s = structOf(m, 'S');
  t.strictSame([...s.annotations], [['s', 'y']]);
  t.strictSame([...fieldOf(s, 'a').annotations], [['go.tag', 'json']]);
  const svc = m.services.get('Svc');
  t.strictSame([...(svc?.annotations ?? [])], [['sa', 'c']]);
  t.strictSame([...(svc?.functions[0]?.annotations ?? [])], [['fa', 'b']]);
});

void t.test('module names are base names without .thrift', async (t) => {
  t.equal(moduleName('/a/b/shared.thrift'), 'shared');
  t.equal(moduleName('types.thrift'), 'types');
  t.equal(moduleName('C:\\idl\\win.thrift'), 'win');
  t.equal(moduleName('noext'), 'noext');
  t.equal(compile('', { key: 'dir/sub/Svc.thrift' }).name, 'Svc');
});

void t.test('the same key and source through one cache is the same module', async (t) => {
  const cache = new Map<string, ModuleSpec>();
  const a = compileModule('x.thrift', 'struct A { 1: required i32 a }', {}, cache);
  const b = compileModule('x.thrift', 'struct A { 1: required i32 a }', {}, cache);
  t.equal(a, b);
  t.equal(cache.get('x.thrift'), a);
  const c = compileModule('x.thrift', 'struct A { 1: required i64 a }', {}, cache);
  t.not(c, a, 'a changed source compiles anew');
  t.equal(cache.get('x.thrift'), c);
  t.not(compileModule('x.thrift', 'struct A { 1: required i64 a }'), c, 'no cache, new object');
});

void t.test('a failed compile caches nothing', async (t) => {
  const cache = new Map<string, ModuleSpec>();
  t.throws(() => compileModule('bad.thrift', 'struct A { 1: B b }', {}, cache), IdlCompileError);
  t.equal(cache.size, 0);
});

void t.test('without a resolver, includes fail at the include', async (t) => {
  t.strictSame(
    errorOf(() => compileModule('m.thrift', 'include "./a.thrift"\n')),
    {
      at: 'm.thrift:1:1',
      reason:
        "cannot include './a.thrift': includes need a resolver (pass options.resolve, e.g. memoryResolver(files))",
      related: [],
    },
  );
});

void t.test('an unknown dialect is rejected', async (t) => {
  const bad = { dialect: 'proto' } as unknown as { dialect: 'apache' };
  t.strictSame(
    errorOf(() => compileModule('m.thrift', '', bad)),
    {
      at: '',
      reason: "unknown dialect 'proto'; please use 'thriftrw' or 'apache'",
      related: [],
    },
  );
});
