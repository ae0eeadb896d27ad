import t from 'tap';
import { isDeepStrictEqual } from 'node:util';
import { parse } from '../../src/idl/parser.js';
import { print, printConstValue, quote, stripLocations } from '../../src/idl/printer.js';
import type * as A from '../../src/idl/ast.js';

const FIXTURE = String.raw`
/** License header: attached to nothing, not printed. */
include "shared.thrift"
include 'mod/base.thrift'
cpp_include "<unordered_map>"
namespace * everything.all
namespace py.twisted tw (a = "b", c)
namespace java com.example.api

# A hash comment
// A line comment
/* A block comment */

/** Seconds since the epoch. */
typedef i64 (js.type = "Long") Timestamp (doc = 'ts'; deprecated)
typedef list<map<string, set<binary>>> Nested
typedef map cpp_type "std::unordered_map<int, int>" <i32, i32> FastMap
typedef shared.Thing Thing,
typedef uuid Id;

const i32 DEC = 42; const i64 NEG = -7, const i16 POS = +8
const i32 HEX = 0x1F
const i32 NEG_HEX = -0x1f
const double D1 = 1.5
const double D2 = -2.
const double D3 = .5
const double D4 = 1e10
const double D5 = 1.5E-3
const double D6 = +1.0
const string S1 = "quote \" backslash \\ tab \t newline \n return \r apostrophe \'"
const string S2 = 'single é \u00e9 \uD83D\uDE00 ctrl \u0001'
const bool T = true
const bool F = false
const Status REF = Status.QUEUED
const mod.Status MREF = mod.Status.QUEUED
const list<i32> L = [1, 2; 3 4,]
const map<string, list<i32>> M = {"a": [1], 'b': []; "c": [2, 3],}
const set<string> EMPTY = []
const map<i32, map<i32, i32>> MM = {1: {2: 3}, 4: {}}

/**
 * Job states.
 *
 *   Indented example.
 * * a bullet
 */
enum Status {
  QUEUED,
  /** Running now. */
  RUNNING = 5 (display = "Running")
  DONE = -1; FAILED = 0x10
  class
} (py.name = "JobStatus")

enum Empty {}

struct User {
  /** The id. */
  1: required i64 id
  2: optional string name = "anon" (go.tag = 'json:"name"'),
  -3: list<i32> (python.immutable = "") scores = [1, 2];
  string no_id
  optional mod.Address from
  0x7: map<string, User> friends = {}
  8: Status status = Status.QUEUED (a.b.c)
} (final, struct.ann = "x")

union Value { 1: i32 i; 2: string s, 3: double d = 1.0 }

exception NotFound {
  1: string message (sensitive)
}

struct Nothing {}

/** The store. */
service Store extends shared.Base {
  /** Gets a value. */
  binary get(1: string key, 2: optional i32 version = 0) throws (1: NotFound nf, 2: mod.Err e)
  oneway void ping() (idempotent)
  void put(
    /** The key. */
    1: string key;
    2: binary value,
  ); list<i32> (a = "b") ids(),
  void def(1: i32 class) throws (/** Oops. */ 1: NotFound nf) (x = "y")
} (svc.version = "2")

service Base {}
`;

void t.test('the big fixture round-trips through print and parse', async (t) => {
  const p = parse(FIXTURE, 'fixture.thrift');
  t.equal(p.headers.length, 6);
  t.equal(p.definitions.length, 34);
  const text = print(p);
  const again = parse(text, p.file);
  // isDeepStrictEqual first: tap's strictSame is slow on a tree this size; it gives the diff
  const same = isDeepStrictEqual(stripLocations(again), stripLocations(p));
  if (same) t.pass('same AST after print and parse');
  else t.strictSame(stripLocations(again), stripLocations(p), 'same AST after print and parse');
  t.equal(print(again), text, 'print is stable');
  t.notMatch(text, /License header/, 'a doc comment before a header is not kept');
  t.match(text, /^typedef i64 \(js\.type = "Long"\) Timestamp \(doc = "ts", deprecated\)$/m);
  t.match(text, /^typedef map<i32, i32> FastMap$/m, 'cpp_type is dropped');
  t.match(text, /^const double D2 = -2\.$/m, 'double spelling is kept');
  t.match(text, /^const i32 NEG_HEX = -0x1f$/m, 'int spelling is kept');
  t.match(text, /^const string S2 = "single é é 😀 ctrl \\u0001"$/m);
});

void t.test('exact output: layout, separators, docs', async (t) => {
  const src = [
    'namespace py app include "x.thrift"',
    '/** A user. */ struct User { 1: required i64 id; /** Name. */ 2: string name = "n" (a = "b") } (c)',
    'enum E { A, B = 2 }',
    'const map<string, list<i32>> M = {"k": [1, 2]}',
    'service S extends Base { /** Multi\n   * line. */ oneway void f(1: i32 a, 2: E e) throws (1: X x) }',
  ].join('\n');
  const expected = `namespace py app
include "x.thrift"

/** A user. */
struct User {
  1: required i64 id,
  /** Name. */
  2: string name = "n" (a = "b"),
} (c)

enum E {
  A,
  B = 2,
}

const map<string, list<i32>> M = {"k": [1, 2]}

service S extends Base {
  /**
   * Multi
   * line.
   */
  oneway void f(1: i32 a, 2: E e) throws (1: X x),
}
`;
  t.equal(print(parse(src)), expected);
  t.equal(print(parse('')), '');
});

void t.test('quote escapes what the lexer decodes', async (t) => {
  t.equal(quote('plain'), '"plain"');
  t.equal(quote('a"b\\c\'d'), String.raw`"a\"b\\c'd"`);
  t.equal(quote('\n\r\t'), String.raw`"\n\r\t"`);
  t.equal(quote('\u0000\u001f\u007f\u2028'), String.raw`"\u0000\u001f\u007f\u2028"`);
  t.equal(quote('é 😀'), '"é 😀"');
  for (const s of ['a"b\\c\'d', '\n\r\t', '\u0000\u001f\u007f\u2028\u2029', 'é 😀', '']) {
    const c = parse(`const string S = ${quote(s)}`).definitions[0] as A.Const;
    t.strictSame(stripLocations(c.value), { kind: 'ConstString', value: s });
  }
});

void t.test('doc comments: one line, block, leading star, "*/" inside', async (t) => {
  const docOf = (doc: string): string | undefined => {
    const loc = { file: '<string>', line: 1, column: 1 };
    const type: A.TypeRef = { kind: 'BaseType', name: 'i32', annotations: [], loc };
    const def: A.Typedef = { kind: 'Typedef', name: 'T', type, annotations: [], doc, loc };
    const text = print({ kind: 'Program', file: '<string>', headers: [], definitions: [def] });
    return parse(text).definitions[0]?.doc;
  };
  t.equal(docOf('one line'), 'one line');
  t.equal(docOf('two\nlines'), 'two\nlines');
  t.equal(docOf('gap\n\n  indented'), 'gap\n\n  indented');
  t.equal(docOf('* starts with a star'), '* starts with a star');
  t.equal(docOf('ends a comment */ early'), 'ends a comment * / early');
  t.equal(docOf(''), undefined);
});

void t.test('ints and doubles print their text, or their value when text is empty', async (t) => {
  const loc = { file: '<string>', line: 1, column: 1 };
  t.equal(printConstValue({ kind: 'ConstInt', value: -31n, text: '-0x1F', loc }), '-0x1F');
  t.equal(printConstValue({ kind: 'ConstInt', value: -31n, text: '', loc }), '-31');
  t.equal(printConstValue({ kind: 'ConstDouble', value: 2, text: '', loc }), '2.0');
  t.equal(printConstValue({ kind: 'ConstDouble', value: 1e300, text: '', loc }), '1e+300');
  t.equal(printConstValue({ kind: 'ConstDouble', value: 0.25, text: '.25', loc }), '.25');
  t.throws(() => printConstValue({ kind: 'ConstDouble', value: NaN, text: '', loc }), RangeError);
});

void t.test('stripLocations removes loc and extendsLoc deeply and copies', async (t) => {
  const p = parse('service S extends B { void f(1: i32 a) }');
  const s = stripLocations(p);
  t.notOk(JSON.stringify(s).includes('"loc"'));
  t.notOk(JSON.stringify(s).includes('extendsLoc'));
  t.ok('extends' in (s.definitions[0] ?? {}));
  t.ok((p.definitions[0] as A.Service).extendsLoc, 'the input is not modified');
  t.equal(stripLocations(5n), 5n);
});
