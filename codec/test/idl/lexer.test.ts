import t from 'tap';
import { IdlSyntaxError } from '../../src/errors.js';
import { describe, sourceLineText, tokenize } from '../../src/idl/lexer.js';
import type { Token } from '../../src/idl/lexer.js';

/** `kind:text` of every token but the final eof. */
const kinds = (src: string): string[] =>
  tokenize(src)
    .slice(0, -1)
    .map((tok) => `${tok.kind}:${tok.text}`);

/** The error message tokenize throws for `src` (fails the test when nothing is thrown). */
function lexError(src: string, file = 'x.thrift'): IdlSyntaxError {
  try {
    tokenize(src, file);
  } catch (e) {
    if (e instanceof IdlSyntaxError) return e;
    throw e;
  }
  throw new Error(`no error for ${JSON.stringify(src)}`);
}

void t.test('punctuation, identifiers and keywords', async (t) => {
  t.strictSame(kinds('struct Foo { 1: i32 a.b_c, }'), [
    'keyword:struct',
    'identifier:Foo',
    'punct:{',
    'int:1',
    'punct::',
    'keyword:i32',
    'identifier:a.b_c',
    'punct:,',
    'punct:}',
  ]);
  t.strictSame(
    kinds('()[]<>;=*'),
    '()[]<>;=*'.split('').map((c) => `punct:${c}`),
  );
  // other languages' keywords are ordinary identifiers; true/false are Thrift keywords
  t.strictSame(kinds('class def from True true false'), [
    'identifier:class',
    'identifier:def',
    'identifier:from',
    'identifier:True',
    'keyword:true',
    'keyword:false',
  ]);
  t.strictSame(kinds('_x mod.Status.QUEUED a.1b'), [
    'identifier:_x',
    'identifier:mod.Status.QUEUED',
    'identifier:a.1b',
  ]);
  const eof = tokenize('');
  t.equal(eof.length, 1);
  t.equal(eof[0]?.kind, 'eof');
});

void t.test('positions are 1-based line and column; eof sits after the last token', async (t) => {
  const toks = tokenize('struct A {\n\t1: i32 x\r\n  }\n');
  const pos = (tok: Token): string => `${tok.text}@${tok.line}:${tok.column}`;
  t.strictSame(toks.map(pos), [
    'struct@1:1',
    'A@1:8',
    '{@1:10',
    '1@2:2',
    ':@2:3',
    'i32@2:5',
    'x@2:9',
    '}@3:3',
    '@3:4',
  ]);
});

void t.test('integers and doubles keep their spelling', async (t) => {
  t.strictSame(kinds('0 42 -7 +8 0x1F -0x1f +0XaB'), [
    'int:0',
    'int:42',
    'int:-7',
    'int:+8',
    'int:0x1F',
    'int:-0x1f',
    'int:+0XaB',
  ]);
  t.strictSame(kinds('1.5 -2. .5 1e10 1.5E-3 +1.0 -.25 2e+3'), [
    'double:1.5',
    'double:-2.',
    'double:.5',
    'double:1e10',
    'double:1.5E-3',
    'double:+1.0',
    'double:-.25',
    'double:2e+3',
  ]);
  t.strictSame(kinds('1:i32'), ['int:1', 'punct::', 'keyword:i32']);
});

void t.test('string literals decode escapes', async (t) => {
  const value = (src: string): string => tokenize(src)[0]?.value ?? '';
  t.equal(value(String.raw`"a\\b\"c\'d\ne\rf\tg"`), 'a\\b"c\'d\ne\rf\tg');
  t.equal(value(String.raw`'it\'s "quoted"'`), 'it\'s "quoted"');
  t.equal(value(String.raw`"\u00e9\u4E2D"`), 'é中');
  t.equal(value(String.raw`"\uD83D\uDE00!"`), '😀!');
  t.equal(value('"raw é 😀"'), 'raw é 😀');
  t.equal(value('""'), '');
  const tok = tokenize(String.raw`x = "a\n"`)[2];
  t.equal(tok?.kind, 'string');
  t.equal(tok?.text, String.raw`"a\n"`);
  t.equal(tok?.column, 5);
});

void t.test('comments are skipped; doc comments attach to the next token', async (t) => {
  const src = [
    '# hash comment',
    '// line comment',
    '/* block',
    '   comment */ struct',
    '/** one line doc */ A',
    '/**',
    ' * First line.',
    ' *',
    ' *   indented',
    ' */',
    '/* plain comments do not clear the doc */',
    'B /**/ C /***/ D',
    '/** orphan */ /** last wins */ E',
    '/** no stars',
    '    here */ F',
  ].join('\n');
  const toks = tokenize(src);
  t.strictSame(
    toks.map((tok) => [tok.text, tok.doc]),
    [
      ['struct', undefined],
      ['A', 'one line doc'],
      ['B', 'First line.\n\n  indented'],
      ['C', undefined],
      ['D', undefined],
      ['E', 'last wins'],
      ['F', 'no stars\nhere'],
      ['', undefined],
    ],
  );
  t.equal(toks[0]?.line, 4);
  t.equal(toks[0]?.column, 15);
  t.equal(toks[2]?.line, 12);
});

void t.test('lexical errors point at the problem', async (t) => {
  const cases: [string, string, string][] = [
    ['struct A { 1: i32 a $ }', 'x.thrift:1:21', "unexpected character '$'"],
    ['const i32 X = 12abc', 'x.thrift:1:15', "invalid number '12abc'"],
    ['const i32 X = 0x', 'x.thrift:1:15', 'expected hex digits after 0x'],
    ['const i32 X = 0x1G', 'x.thrift:1:15', "invalid number '0x1G'"],
    ['const double X = 1e+', 'x.thrift:1:18', "expected exponent digits in '1e+'"],
    ['const double X = 1.5.2', 'x.thrift:1:18', "invalid number '1.5.2'"],
    ['x = - 1', 'x.thrift:1:5', "unexpected character '-'"],
    ['typedef i32 Foo.', 'x.thrift:1:16', "expected a name part after '.' in 'Foo.'"],
    ['a..b', 'x.thrift:1:2', "expected a name part after '.' in 'a.'"],
    ['x = "bad \\q"', 'x.thrift:1:10', "invalid escape '\\q'"],
    ['x = "bad \\u12"', 'x.thrift:1:10', 'expected four hex digits after \\u'],
    ['x = "\\uD83D!"', 'x.thrift:1:6', 'expected a low surrogate'],
    ['x = "\\uDE00"', 'x.thrift:1:6', 'unpaired low surrogate'],
    [
      'typedef senum X',
      'x.thrift:1:9',
      "'senum' is no longer supported (Apache's compiler refuses it too); use an enum or a string",
    ],
    [
      'typedef slist X',
      'x.thrift:1:9',
      "'slist' is no longer supported (Apache's compiler refuses it too); use 'list<string>'",
    ],
    ['x = 1 @', 'x.thrift:1:7', "'@' starts an fbthrift structured annotation"],
    ['@cpp.Ref', 'x.thrift:1:1', 'which is fbthrift syntax: Apache Thrift and thriftrw do not'],
    ['x = 😀', 'x.thrift:1:5', "unexpected character '😀'"],
  ];
  for (const [src, where, reason] of cases) {
    const e = lexError(src);
    t.ok(e.message.startsWith(`${where}: `), `${src} -> ${e.message}`);
    t.ok(e.reason.includes(reason), `${src}: reason ${e.reason}`);
    t.equal(e.sourceLine, src.split('\n')[0]);
  }
});

void t.test('unterminated strings and comments point at where they start', async (t) => {
  let e = lexError('struct A {\n  1: string s = "abc\n}');
  t.equal(
    e.message,
    'x.thrift:2:17: unterminated string literal: expected " to close it\n  ' +
      '  1: string s = "abc\n                  ^',
  );
  e = lexError("const string S = 'abc");
  t.equal(e.loc.column, 18);
  t.match(e.reason, /expected ' to close it/);
  e = lexError('struct A {}\n\n/* never\n closed\n');
  t.strictSame(e.loc, { file: 'x.thrift', line: 3, column: 1 });
  t.match(e.reason, /unterminated comment: expected '\*\/'/);
  t.equal(e.sourceLine, '/* never');
  e = lexError('x = "ends with escape\\');
  t.match(e.reason, /^unterminated string literal/);
  t.equal(e.loc.column, 5);
  e = lexError('x = "escaped newline\\\n"');
  t.match(e.reason, /^unterminated string literal/);
  const eof = tokenize('struct A {} // trailing\n\n/* comment */\n').at(-1);
  t.strictSame([eof?.kind, eof?.line, eof?.column], ['eof', 1, 12], 'eof after the last token');
});

void t.test('helpers: sourceLineText and describe', async (t) => {
  t.equal(sourceLineText('a\r\nbb\ncc', 2), 'bb');
  t.equal(sourceLineText('a\nbb\ncc', 3), 'cc');
  t.equal(sourceLineText('a', 5), '');
  const [kw, str, eof] = tokenize('struct "a very long string literal indeed"');
  t.equal(describe(kw as Token), "'struct'");
  t.equal(describe(str as Token), 'string "a very long string l..."');
  t.equal(describe(eof as Token), 'end of file');
});

void t.test('the lexer is linear: 10k lines in well under a second', async (t) => {
  const line = '  1: optional map<string, list<i32>> field_name = {"k": [1, 2, 0x3]}, // c\n';
  const src = `struct Big {\n${line.repeat(10000)}}\n`;
  let ms = Infinity; // the best of three runs, so that a busy machine does not fail the test
  for (let run = 0; run < 3; run++) {
    const start = performance.now();
    const toks = tokenize(src);
    ms = Math.min(ms, performance.now() - start);
    if (run === 0) t.equal(toks.length, 10000 * 26 + 5);
  }
  t.ok(ms < 1500, `tokenized in ${ms.toFixed(1)} ms`);
});
