// Includes: compiled through the resolver, cached by key, referred to by base name; cycles and
// clashes are errors.
import t from 'tap';
import { IdlSyntaxError } from '../../src/errors.js';
import { compileModule, memoryResolver } from '../../src/compile/index.js';
import type { ModuleSpec } from '../../src/schema/spec.js';
import {
  compile,
  compileError,
  constOf,
  errorOf,
  fieldOf,
  lines,
  plain,
  structOf,
} from './helpers.js';

const SHARED = lines(
  'namespace py shared',
  'struct UUID {',
  '    1: required i64 high',
  '    2: required i64 low',
  '}',
  'enum Color { RED = 1, GREEN = 2 }',
  'typedef string Name',
  'const i32 MAX = 10',
  'const Color FAVORITE = Color.GREEN',
  'service Base { void ping() }',
  'exception Oops { 1: optional string why }',
);
const USER = lines(
  'include "../shared/types.thrift"',
  'struct User {',
  '    1: required types.UUID id',
  '    2: optional types.Name name',
  '    3: optional types.Color color = types.Color.RED',
  '    4: optional i32 limit = types.MAX',
  '    5: optional types.Color fav = types.FAVORITE',
  '}',
  'service Users extends types.Base {',
  '    User get(1: types.UUID id) throws (1: types.Oops oops)',
  '}',
);
const FILES = { 'shared/types.thrift': SHARED, 'services/user.thrift': USER };

void t.test('seed: services/user.thrift includes ../shared/types.thrift', async (t) => {
  const cache = new Map<string, ModuleSpec>();
  const resolve = memoryResolver(FILES);
  const user = compileModule('services/user.thrift', USER, { resolve }, cache);
  const types = user.includes.get('types');
  if (types === undefined) throw new Error('no include');
  t.equal(user.name, 'user');
  t.equal(types.name, 'types');
  t.equal(types.key, 'shared/types.thrift');
  t.strictSame([...types.namespaces], [['py', 'shared']]);
  const u = structOf(user, 'User');
  t.equal(fieldOf(u, 'id').type, structOf(types, 'UUID'));
  t.equal(fieldOf(u, 'name').type.kind, 'string');
  t.strictSame(plain(fieldOf(u, 'color').defaultValue ?? { kind: 'list', values: [] }), 1);
  t.strictSame(plain(fieldOf(u, 'limit').defaultValue ?? { kind: 'list', values: [] }), 10);
  t.strictSame(plain(fieldOf(u, 'fav').defaultValue ?? { kind: 'list', values: [] }), 2);
  const users = user.services.get('Users');
  t.equal(users?.parent, types.services.get('Base'));
  const get = users?.functions[0];
  t.equal(get && fieldOf(get.response, 'oops').type, structOf(types, 'Oops'));
  // The same file compiled again through the cache is the same object, directly or included.
  t.equal(compileModule('shared/types.thrift', SHARED, { resolve }, cache), types);
  t.equal(compileModule('services/user.thrift', USER, { resolve }, cache), user);
  t.strictSame([...cache.keys()], ['shared/types.thrift', 'services/user.thrift']);
});

void t.test('a file included twice along different paths is one module', async (t) => {
  const m = compile(
    lines(
      'include "a.thrift"',
      'include "sub/b.thrift"',
      'struct M { 1: required a.A a, 2: required b.B b }',
    ),
    {
      files: {
        'a.thrift': 'include "common.thrift"\nstruct A { 1: required common.C c }',
        'sub/b.thrift': 'include "../common.thrift"\nstruct B { 1: required common.C c }',
        'common.thrift': 'struct C { 1: required i32 x }',
      },
    },
  );
  const a = m.includes.get('a');
  const b = m.includes.get('b');
  const c = a?.includes.get('common');
  if (a === undefined || b === undefined || c === undefined) throw new Error('includes');
  t.equal(b.includes.get('common'), c);
  t.equal(fieldOf(structOf(a, 'A'), 'c').type, structOf(c, 'C'));
  t.equal(fieldOf(structOf(b, 'B'), 'c').type, structOf(c, 'C'));
  t.strictSame([...m.includes.keys()], ['a', 'b']);
});

void t.test('constants refer to included constants and enum items', async (t) => {
  const m = compile(
    lines(
      'include "shared/types.thrift"',
      'const list<i32> L = [types.MAX, types.Color.RED]',
      'const types.Color C = types.FAVORITE',
    ),
    { files: FILES },
  );
  t.strictSame(plain(constOf(m, 'L')), [10, 1]);
  t.strictSame(plain(constOf(m, 'C')), 2);
});

void t.test('an include cycle names the chain', async (t) => {
  const files = {
    'a.thrift': 'include "b.thrift"\n',
    'b.thrift': '\ninclude "c.thrift"\n',
    'c.thrift': '\n\ninclude "a.thrift"\n',
  };
  t.strictSame(compileError(files['a.thrift'], { key: 'a.thrift', files }), {
    at: 'c.thrift:3:1',
    reason:
      'include cycle: a.thrift -> b.thrift -> c.thrift -> a.thrift; Thrift files cannot include ' +
      'each other in a cycle. Please move the shared definitions into a file both include',
    related: ['a.thrift:1:1', 'b.thrift:2:1'],
    includedFrom: ['b.thrift:2:1', 'a.thrift:1:1'],
  });
  t.strictSame(compileError('include "./self.thrift"', { key: 'self.thrift' }), {
    at: 'self.thrift:1:1',
    reason:
      'include cycle: self.thrift -> self.thrift; Thrift files cannot include each other in a ' +
      'cycle. Please move the shared definitions into a file both include',
    related: [],
  });
});

void t.test('two includes with the same base name are an error', async (t) => {
  const files = { 'x/types.thrift': '', 'y/types.thrift': '' };
  t.strictSame(
    compileError(lines('include "x/types.thrift"', 'include "y/types.thrift"'), { files }),
    {
      at: 'main.thrift:2:1',
      reason:
        "two includes are both named 'types' ('x/types.thrift' at main.thrift:1:1 and " +
        "'y/types.thrift'); included modules are referred to by base name. Please rename one of the files",
      related: ['main.thrift:1:1'],
    },
  );
});

void t.test('a name in a module that is not included lists the includes', async (t) => {
  t.strictSame(
    compileError(
      lines('include "shared/types.thrift"', 'struct S { 1: required shared.UUID id }'),
      { files: FILES },
    ),
    {
      at: 'main.thrift:2:24',
      reason: "unknown module 'shared' in 'shared.UUID'; this file includes: types",
      related: [],
    },
  );
  t.strictSame(compileError('struct S { 1: required other.T t }'), {
    at: 'main.thrift:1:24',
    reason: "unknown module 'other' in 'other.T'; this file has no includes",
    related: [],
  });
  t.strictSame(
    compileError(lines('include "shared/types.thrift"', 'const i32 X = typs.Color.RED'), {
      files: FILES,
    }),
    {
      at: 'main.thrift:2:15',
      reason:
        "unknown constant 'typs.Color.RED' ('typs' is neither an included module nor an enum; " +
        "this file includes: types); did you mean 'types.Color.RED'?",
      related: [],
    },
  );
  t.strictSame(compileError('service S extends nope.Base {}'), {
    at: 'main.thrift:1:19',
    reason: "unknown module 'nope' in 'nope.Base'; this file has no includes",
    related: [],
  });
});

void t.test('unknown names in an included module suggest the closest', async (t) => {
  t.strictSame(
    compileError(lines('include "shared/types.thrift"', 'struct S { 1: required types.UUDI id }'), {
      files: FILES,
    }),
    {
      at: 'main.thrift:2:24',
      reason: "unknown type 'types.UUDI'; did you mean 'types.UUID'?",
      related: [],
    },
  );
  t.strictSame(
    compileError(lines('include "shared/types.thrift"', 'const i32 X = types.MXA'), {
      files: FILES,
    }),
    {
      at: 'main.thrift:2:15',
      reason: "unknown constant 'types.MXA'; did you mean 'types.MAX'?",
      related: [],
    },
  );
  t.strictSame(
    compileError(lines('include "shared/types.thrift"', 'struct S { 1: required types.MAX id }'), {
      files: FILES,
    }),
    {
      at: 'main.thrift:2:24',
      reason: "'types.MAX' is a constant, not a type",
      related: [],
    },
  );
});

void t.test('resolver failures and errors inside included files', async (t) => {
  t.match(compileError('include "missing.thrift"'), {
    at: 'main.thrift:1:1',
    reason:
      /^cannot include 'missing\.thrift': no file 'missing\.thrift' \(included as 'missing\.thrift' from 'main\.thrift'\)/,
  });
  t.strictSame(
    compileError('include "bad.thrift"', {
      files: { 'bad.thrift': '\nstruct B { 1: required Nope n }' },
    }),
    {
      at: 'bad.thrift:2:24',
      reason: "unknown type 'Nope'",
      related: [],
      includedFrom: ['main.thrift:1:1'],
    },
  );
  t.throws(
    () => compile('include "syntax.thrift"', { files: { 'syntax.thrift': 'struct {' } }),
    IdlSyntaxError,
  );
  const custom = (): { key: string; source: string } => {
    throw 'plain string';
  };
  t.match(
    errorOf(() => compileModule('m.thrift', 'include "z.thrift"', { resolve: custom })),
    {
      reason: "cannot include 'z.thrift': plain string",
    },
  );
});

void t.test('memoryResolver joins POSIX paths relative to the including file', async (t) => {
  const r = memoryResolver({
    'a/b/c.thrift': 'C',
    './top.thrift': 'T',
    'a/d.thrift': 'D',
    '/abs/e.thrift': 'E',
  });
  t.strictSame(r('./c.thrift', 'a/b/x.thrift'), { key: 'a/b/c.thrift', source: 'C' });
  t.strictSame(r('../d.thrift', 'a/b/x.thrift'), { key: 'a/d.thrift', source: 'D' });
  t.strictSame(r('b/c.thrift', 'a/x.thrift'), { key: 'a/b/c.thrift', source: 'C' });
  t.strictSame(r('../../top.thrift', 'a/b/x.thrift'), { key: 'top.thrift', source: 'T' });
  t.strictSame(r('top.thrift', 'main.thrift'), { key: 'top.thrift', source: 'T' });
  t.strictSame(r('/abs/./e.thrift', 'a/x.thrift'), { key: '/abs/e.thrift', source: 'E' });
  t.strictSame(r('../e.thrift', '/abs/sub/x.thrift'), { key: '/abs/e.thrift', source: 'E' });
  t.throws(() => r('../../../up.thrift', 'a/x.thrift'), {
    message:
      /^no file '\.\.\/\.\.\/up\.thrift' \(included as '\.\.\/\.\.\/\.\.\/up\.thrift' from 'a\/x\.thrift'\); known files: /,
  });
});
