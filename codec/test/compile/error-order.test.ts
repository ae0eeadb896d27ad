// Errors a person can act on: the first error in source order is the one reported (whatever
// phase finds it), what follows from an earlier error is not reported instead of it, and an
// error in an included file names the includes that led to it.
import t from 'tap';
import { IdlSyntaxError } from '../../src/errors.js';
import { compileModule, memoryResolver } from '../../src/compile/index.js';
import { compileError, lines } from './helpers.js';

void t.test('the first error in source order is reported', async (t) => {
  // a constant (checked last) before a struct with an unknown type (checked earlier)
  t.match(compileError(lines('const i32 X = "a"', 'struct S { 1: required Nope n }')), {
    at: 'main.thrift:1:15',
  });
  // an unknown type before a duplicate enum item (found while declaring)
  t.match(compileError(lines('struct S { 1: required Nope n }', 'enum E { A, A }')), {
    at: 'main.thrift:1:24',
    reason: "unknown type 'Nope'",
  });
  t.match(compileError(lines('enum E { A, A }', 'struct S { 1: required Nope n }')), {
    at: 'main.thrift:1:13',
    reason: /^duplicate item 'A' in enum 'E'/,
  });
  // a service (linked before constants) after a default (evaluated after constants)
  t.match(
    compileError(lines('struct S { 1: required i32 a = "x" }', 'service X extends Nope {}')),
    { at: 'main.thrift:1:32' },
  );
});

void t.test('what follows from an earlier error is not reported in its place', async (t) => {
  // the constant of S comes first, but S's fields did not link: the error is Nope's
  t.strictSame(
    compileError(
      lines('const S X = {"a": 1}', 'struct S { 1: required i32 a, 2: required Nope b }'),
    ),
    { at: 'main.thrift:2:43', reason: "unknown type 'Nope'", related: [] },
  );
  // an enum with a bad item still has its other items
  t.strictSame(compileError(lines('const E X = E.A', 'enum E { A, B = 3000000000 }')), {
    at: 'main.thrift:2:17',
    reason:
      "item 'B' of enum 'E' has value 3000000000, outside i32 (-2147483648 to 2147483647). " +
      'Please give it a value in that range',
    related: [],
  });
  t.match(compileError(lines('const E X = E.B', 'enum E { A, B = 3000000000 }')), {
    at: 'main.thrift:2:17',
  });
  // a constant that names one that failed is not an error of its own
  t.match(compileError(lines('const i32 A = "x"', 'const i32 B = A')), { at: 'main.thrift:1:15' });
  // a cycle is reported once, where it closes
  t.strictSame(compileError(lines('const i32 A = B', 'const i32 B = C', 'const i32 C = A')), {
    at: 'main.thrift:3:15',
    reason:
      'constant cycle: A -> B -> C -> A; a constant cannot depend on itself. Please write one of these values out',
    related: ['main.thrift:1:1', 'main.thrift:2:1', 'main.thrift:3:1'],
  });
});

void t.test('a syntax error comes before a lexical error later in the file', async (t) => {
  t.throws(() => compileModule('main.thrift', 'struct S { 1: i32 }\n@x\n'), {
    name: 'IdlSyntaxError',
    loc: { line: 1, column: 19 },
  });
});

void t.test('an error in an included file names the includes that led to it', async (t) => {
  const files = {
    'main.thrift': 'include "a/mid.thrift"\n',
    'a/mid.thrift': '\ninclude "../b/leaf.thrift"\n',
    'b/leaf.thrift': 'struct L {\n  1: required Nope n\n}\n',
  };
  const resolve = memoryResolver(files);
  const compileMain = (): unknown =>
    compileModule('main.thrift', files['main.thrift'], { resolve }, new Map());
  t.throws(compileMain, {
    name: 'IdlCompileError',
    message:
      "b/leaf.thrift:2:15: unknown type 'Nope'\n" +
      '  included from a/mid.thrift:2:1\n' +
      '  included from main.thrift:1:1',
    includedFrom: [
      { file: 'a/mid.thrift', line: 2, column: 1 },
      { file: 'main.thrift', line: 1, column: 1 },
    ],
  });
  const syntax = { ...files, 'b/leaf.thrift': 'struct L {\n  1: required }\n' };
  try {
    compileModule('main.thrift', syntax['main.thrift'], { resolve: memoryResolver(syntax) });
    t.fail('no error');
  } catch (e) {
    t.ok(e instanceof IdlSyntaxError);
    t.equal(
      (e as IdlSyntaxError).message,
      "b/leaf.thrift:2:15: expected a type, found '}'\n" +
        '    1: required }\n' +
        '                ^\n' +
        '  included from a/mid.thrift:2:1\n' +
        '  included from main.thrift:1:1',
    );
  }
  // the main file's own errors name no chain
  t.strictSame(compileError('struct S { 1: required Nope n }').related, []);
});
