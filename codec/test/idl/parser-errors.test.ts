// Every syntax error names file:line:col, shows the line with a caret, and says what was found
// and what was expected.
import t from 'tap';
import { IdlSyntaxError } from '../../src/errors.js';
import { parse } from '../../src/idl/parser.js';

/** The IdlSyntaxError parse throws for `src` (fails the test when nothing is thrown). */
function parseError(src: string): IdlSyntaxError {
  try {
    parse(src, 'x.thrift');
  } catch (e) {
    if (e instanceof IdlSyntaxError) return e;
    throw e;
  }
  throw new Error(`no error for ${JSON.stringify(src)}`);
}

const DEFS = 'expected a definition (typedef, const, enum, struct, union, exception or service)';
const CONST = 'expected a constant value (number, string, name, list or map)';
const RESERVED = 'which is a reserved word of Thrift';
const AMP =
  "('&' marks a field as a reference (Apache's C++ generator holds it by pointer); it goes " +
  "only between a field's type and its name: '1: optional Node &next')";

// [source, line:col, reason]
// prettier-ignore
const cases: [string, string, string][] = [
  // blocks left open
  ['struct User {\n  1: string name\n\nstruct Other {}', '4:1', "expected '}' to close struct 'User' (opened at 1:1), found 'struct'"],
  ['struct User {\n  1: string name\n', '2:17', "expected '}' to close struct 'User' (opened at 1:1), found end of file"],
  ['enum E { A, B', '1:14', "expected '}' to close enum 'E' (opened at 1:1), found end of file"],
  ['service S { void f() ', '1:21', "expected '}' to close service 'S' (opened at 1:1), found end of file"],
  ['typedef i32 T (a = "b"\nstruct S {}', '2:1', "expected ')' to close annotations (opened at 1:15), found 'struct'"],
  ['const list<i32> X = [1, 2', '1:26', "expected a list value or ']' to close the list opened at 1:21, found end of file"],
  ['const map<i32, i32> M = {1: 2', '1:30', "expected a map key or '}' to close the map opened at 1:25, found end of file"],
  ['service S { void f(1: i32 a }', '1:29', "expected a field or ')' to close the parameters of 'f', found '}'"],
  // fields
  ['struct S { 1: = x }', '1:15', "expected a type, found '='"],
  ['struct S { 1 i32 a }', '1:14', "expected ':' after field id 1, found 'i32'"],
  ['struct S { 1.5: i32 a }', '1:12', "expected a field or '}' to close struct 'S' (opened at 1:1), found '1.5'"],
  ['struct S { 1: i32 }', '1:19', "expected a field name, found '}'"],
  ['struct S { 1: i32 list }', '1:19', `expected a field name, found 'list', ${RESERVED}`],
  ['union U { 1: void x }', '1:14', "expected a type, found 'void'"],
  ['struct S { 99999999999999999999: i32 a }', '1:12', 'field id 99999999999999999999 is out of range'],
  ['exception E {\n  1: string m = \n}', '3:1', `${CONST}, found '}'`],
  // names
  ['struct service {}', '1:8', `expected a name for the struct, found 'service', ${RESERVED}`],
  ['struct a.b {}', '1:8', "expected a name for the struct without '.', found 'a.b'"],
  ['enum E { A.B }', '1:10', "expected an item name in enum 'E' without '.', found 'A.B'"],
  ['typedef i32', '1:12', 'expected a name for the typedef, found end of file'],
  ['service S extends list {}', '1:19', `expected a service name after 'extends', found 'list', ${RESERVED}`],
  ['service S extends {}', '1:19', "expected a service name after 'extends', found '{'"],
  // document structure
  ['struct A {}\ninclude "x.thrift"', '2:1', `${DEFS}, found header 'include'; headers must come before the first definition (at 1:1)`],
  ['namespace py x\nenum E {}\nnamespace js y', '3:1', `${DEFS}, found header 'namespace'; headers must come before the first definition (at 2:1)`],
  ['foo bar', '1:1', `${DEFS}, found 'foo'`],
  ['struct S {};', '1:12', `${DEFS}, found ';'`],
  // enums
  ['enum E { A = 1.5 }', '1:14', "expected an integer value for enum item 'A', found '1.5'"],
  ['enum E { A = B }', '1:14', "expected an integer value for enum item 'A', found 'B'"],
  ['enum E { 1 }', '1:10', "expected an enum item or '}' to close enum 'E' (opened at 1:1), found '1'"],
  // constants
  ['const i32 X 5', '1:13', "expected '=' after constant name 'X', found '5'"],
  ['const i32 X = }', '1:15', `${CONST}, found '}'`],
  ['const i32 X = list', '1:15', `${CONST}, found 'list'`],
  ['const map<i32, i32> M = {1 2}', '1:28', "expected ':' between a map key and its value, found '2'"],
  // types and annotations
  ['typedef map<i32 i32> M', '1:17', "expected ',' between the key and value types of a map, found 'i32'"],
  ['typedef list<i32 X', '1:18', "expected '>' to close list<...>, found 'X'"],
  ['typedef list i32 X', '1:14', "expected '<' after 'list', found 'i32'"],
  ['typedef map cpp_type <i32, i32> X', '1:22', "expected a string after 'cpp_type', found '<'"],
  ['typedef i32 T (a = 1)', '1:20', "expected a string value for annotation 'a', found '1'"],
  ['typedef i32 T (1)', '1:16', "expected a name or ')' to close annotations (opened at 1:15), found '1'"],
  ['typedef i32 T (list)', '1:16', `expected an annotation name, found 'list', ${RESERVED}`],
  // headers
  ['include foo', '1:9', "expected a file name string after 'include', found 'foo'"],
  ['cpp_include', '1:12', "expected a string after 'cpp_include', found end of file"],
  ['namespace py', '1:13', "expected a namespace name after 'namespace py', found end of file"],
  ['namespace struct x', '1:11', `expected a namespace scope ('*' or a language), found 'struct', ${RESERVED}`],
  // services
  ['service S { 1: i32 x }', '1:13', "expected a function or '}' to close service 'S' (opened at 1:1), found '1'"],
  ['service S { void f }', '1:20', "expected '(' after function name 'f', found '}'"],
  ['service S { void f() throws E }', '1:29', "expected '(' after 'throws', found 'E'"],
  ['service S { oneway }', '1:20', "expected a return type or 'void', found '}'"],
  ['service S { i32 }', '1:17', "expected a function name, found '}'"],
  // lexical errors surface through parse too
  ['union S xsd_all { }', '1:9', "expected '{' after union name 'S', found 'xsd_all'"],
  // Apache's order is xsd_optional, xsd_nillable, xsd_attrs; out of order, it is a syntax error
  ['struct S { 1: i32 x xsd_nillable xsd_optional }', '1:47', "expected a field name, found '}'"],
  ['struct S { 1: i32 x @cpp.Ref }', '1:21', `'@' starts an fbthrift structured annotation (such as @cpp.Ref or @thrift.Experimental), which is fbthrift syntax: Apache Thrift and thriftrw do not accept it. Please remove it, or write an Apache annotation in parentheses after the definition: (name = "value")`],
  ['typedef i32 &T', '1:13', `expected a name for the typedef, found '&' ${AMP}`],
  ['struct S { 1: &i32 x }', '1:15', `expected a type, found '&' ${AMP}`],
  ['struct S { 1: i32 & }', '1:21', "expected a field name after '&', found '}'"],
  ['package "a/b"', '1:1', "'package' is fbthrift syntax (a file's package name): Apache Thrift and thriftrw do not accept it. Please use 'namespace <language> <name>' headers instead"],
  ['namespace py a\npackage "a/b"', '2:1', "'package' is fbthrift syntax (a file's package name): Apache Thrift and thriftrw do not accept it. Please use 'namespace <language> <name>' headers instead"],
  ['service S { oneway async void f() }', '1:26', `expected a function name, found 'void', ${RESERVED}`],
  // the first error in source order: a syntax error before a lexical one
  ['struct S { 1: i32 }\n@x', '1:19', "expected a field name, found '}'"],
  ['const string S = "a\\zb"', '1:20', "invalid escape '\\z'; expected one of \\\\ \\\" \\' \\n \\r \\t \\uXXXX"],
];

void t.test('each syntax error says where, what was found and what was expected', async (t) => {
  for (const [src, where, reason] of cases) {
    const e = parseError(src);
    const [line, column] = where.split(':').map(Number) as [number, number];
    const sourceLine = src.split('\n')[line - 1] ?? '';
    t.equal(e.name, 'IdlSyntaxError');
    t.equal(e.reason, reason, src);
    t.strictSame(e.loc, { file: 'x.thrift', line, column }, `${src}: location`);
    t.equal(e.sourceLine, sourceLine, `${src}: source line`);
    const caret = `  ${' '.repeat(column - 1)}^`;
    const expected =
      `x.thrift:${where}: ${reason}` + (sourceLine === '' ? '' : `\n  ${sourceLine}\n${caret}`);
    t.equal(e.message, expected, `${src}: message`);
  }
});

void t.test('a full message, as a user sees it', async (t) => {
  const src =
    'namespace py app\n\nstruct User {\n  1: required string name\n  2: i64 id\n\nstruct Next {}\n';
  t.equal(
    parseError(src).message,
    [
      "x.thrift:7:1: expected '}' to close struct 'User' (opened at 3:1), found 'struct'",
      '  struct Next {}',
      '  ^',
    ].join('\n'),
  );
  const tabbed = parseError('struct S {\n\t1: i32 = 5\n}');
  t.equal(
    tabbed.message,
    "x.thrift:2:9: expected a field name, found '='\n  \t1: i32 = 5\n  \t       ^",
  );
});

void t.test('unterminated strings and comments point at where they start', async (t) => {
  let e = parseError('const string S = "abc\nstruct X {}');
  t.equal(
    e.message,
    'x.thrift:1:18: unterminated string literal: expected " to close it\n  const string S = "abc\n                   ^',
  );
  e = parseError('struct X {}\n/* open\n\n\nstruct Y {}');
  t.equal(
    e.message,
    "x.thrift:2:1: unterminated comment: expected '*/' to close it\n  /* open\n  ^",
  );
});

void t.test('what is NOT an error', async (t) => {
  // field ids are optional; negative ids and hex ids parse (the compiler decides)
  t.doesNotThrow(() => parse('struct S { string name; -1: i32 a; 0x10: i32 b }'));
  // other languages' keywords are valid names everywhere
  t.doesNotThrow(() => parse('struct class { 1: i32 def; 2: string from } enum import { yield }'));
  // separators are optional, trailing ones are fine
  t.doesNotThrow(() =>
    parse('enum E { A B; C, } struct S { 1: i32 a, 2: i32 b; } const list<i32> L = [1 2,]'),
  );
  // oneway with a return type is for the compiler to reject
  t.doesNotThrow(() => parse('service S { oneway i32 f() }'));
  // an empty annotation list
  t.doesNotThrow(() => parse('typedef i32 T ()'));
});
