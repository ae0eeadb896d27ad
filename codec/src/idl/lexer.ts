/**
 * The Thrift IDL lexer: turns source text into tokens in one linear pass (no backtracking).
 * Comments (`#`, `//`, `/* *\/`) are skipped; a doc comment (`/** ... *\/`) is attached to the
 * next token as `doc`. Numbers keep their spelling; string literals are decoded.
 */
import { IdlSyntaxError } from '../errors.js';
import type { SourceLocation } from '../errors.js';

/** What a token is. Keywords are the reserved words of the Thrift grammar. */
export type TokenKind = 'identifier' | 'keyword' | 'int' | 'double' | 'string' | 'punct' | 'eof';

/** One token. `value` is the decoded text for strings and equals `text` for everything else. */
export interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  readonly value: string;
  readonly line: number;
  readonly column: number;
  /** The text of the doc comment written just before this token, if any. */
  readonly doc: string | undefined;
}

/** The reserved words of Thrift's own grammar; they cannot be used as names. */
// prettier-ignore
export const KEYWORDS: ReadonlySet<string> = new Set([
  'include', 'cpp_include', 'namespace', 'typedef', 'const', 'enum', 'struct', 'union',
  'exception', 'service', 'extends', 'throws', 'oneway', 'void', 'required', 'optional',
  'bool', 'byte', 'i8', 'i16', 'i32', 'i64', 'double', 'string', 'binary', 'uuid',
  'list', 'set', 'map', 'cpp_type', 'true', 'false',
]);

/**
 * Keywords that may still be used as names: `uuid` became a base type only in Apache Thrift 0.19,
 * so older IDL (and the thriftrw docs: `1: required types.UUID uuid`) uses it as a field name.
 */
export const SOFT_KEYWORDS: ReadonlySet<string> = new Set(['uuid']);

/**
 * Deprecated Apache keywords that Apache 0.17 itself refuses ("no longer supported"), with the
 * replacement we suggest. (`xsd_optional`, `xsd_nillable`, `xsd_attrs`, `xsd_all` and `async`,
 * which Apache 0.17 still accepts, are read by the parser where Apache's grammar has them.)
 */
const DEPRECATED: ReadonlyMap<string, string> = new Map([
  ['senum', "no longer supported (Apache's compiler refuses it too); use an enum or a string"],
  ['slist', "no longer supported (Apache's compiler refuses it too); use 'list<string>'"],
]);

const PUNCT = '{}()[]<>,;:=*&';

/** What `@` starts, and what to write instead (an error message). */
export const AT_SIGN =
  "'@' starts an fbthrift structured annotation (such as @cpp.Ref or @thrift.Experimental), " +
  'which is fbthrift syntax: Apache Thrift and thriftrw do not accept it. Please remove it, or ' +
  'write an Apache annotation in parentheses after the definition: (name = "value")';
const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\',
  '"': '"',
  "'": "'",
  n: '\n',
  r: '\r',
  t: '\t',
};

/**
 * What is wrong with lone surrogate `c` in a string literal: a byte of the file that is not
 * UTF-8 (load() reads such a byte b as U+DC80 + b) or a lone surrogate in a source string.
 */
function invalidUtf8(c: number): string {
  const fix = 'Please save the file as UTF-8, or write the character as a \\uXXXX escape';
  if (c >= 0xdc80 && c <= 0xdcff) {
    const hex = (c - 0xdc00).toString(16).padStart(2, '0');
    return `invalid UTF-8 in a string literal (byte 0x${hex}, or a lone surrogate \\u${c.toString(16)}). ${fix}`;
  }
  return `lone surrogate \\u${c.toString(16)} in a string literal (not valid UTF-8). ${fix}`;
}

/** Returns 1-based `line` of `source` without its line break (`''` past the end). Never throws. */
export function sourceLineText(source: string, line: number): string {
  let start = 0;
  for (let l = 1; l < line; l++) {
    const nl = source.indexOf('\n', start);
    if (nl < 0) return '';
    start = nl + 1;
  }
  const end = source.indexOf('\n', start);
  return source.slice(start, end < 0 ? source.length : end).replace(/\r$/, '');
}

/** Builds (does not throw) an IdlSyntaxError at `line:column` of `source` with a caret excerpt. */
export function syntaxError(
  source: string,
  file: string,
  line: number,
  column: number,
  reason: string,
): IdlSyntaxError {
  const loc: SourceLocation = { file, line, column };
  return new IdlSyntaxError(reason, loc, sourceLineText(source, line));
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isHex = (c: number): boolean => isDigit(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
const isIdentStart = (c: number): boolean =>
  (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isIdentPart = (c: number): boolean => isIdentStart(c) || isDigit(c);

/** Strips `/**`, `*\/`, each line's leading `*` and surrounding blanks from a doc comment. */
function cleanDoc(raw: string): string | undefined {
  const lines = raw
    .slice(3, -2)
    .split('\n')
    .map((l) => {
      const star = /^\s*\*( ?)/.exec(l);
      return (star ? l.slice(star[0].length) : l.trimStart()).trimEnd();
    });
  const text = lines.join('\n').trim();
  return text === '' ? undefined : text;
}

/**
 * Splits Thrift IDL `source` into tokens, ending with one `eof` token. `file` (default
 * `'<string>'`) is only used in error locations. Throws IdlSyntaxError on an unexpected
 * character (`@` is named as fbthrift syntax), a malformed number, a bad escape, an unterminated
 * string or comment, or a keyword Apache no longer supports (`senum`, `slist`).
 */
export function tokenize(source: string, file = '<string>'): Token[] {
  const { tokens, error } = lex(source, file);
  if (error !== undefined) throw error;
  return tokens;
}

/** Tokens up to the first lexical error, and that error (see `lex`). */
export interface Lexed {
  /** The tokens before the error (all of them when there is none), ending with one `eof`. */
  readonly tokens: Token[];
  /** The first lexical error, if any; its `eof` token stands where it is. */
  readonly error: IdlSyntaxError | undefined;
}

/**
 * Like `tokenize`, but returns the first lexical error instead of throwing it, with the tokens
 * before it: a parser that meets a syntax error earlier in the file reports that one first (the
 * first error in source order). Never throws an IdlSyntaxError.
 */
export function lex(source: string, file = '<string>'): Lexed {
  const tokens: Token[] = [];
  const n = source.length;
  let pos = 0;
  let line = 1;
  let lineStart = 0;
  let doc: string | undefined;
  const fail = (at: number, atLine: number, atLineStart: number, reason: string): never => {
    throw syntaxError(source, file, atLine, at - atLineStart + 1, reason);
  };
  const push = (kind: TokenKind, start: number, value?: string): void => {
    const text = source.slice(start, pos);
    tokens.push({ kind, text, value: value ?? text, line, column: start - lineStart + 1, doc });
    doc = undefined;
  };

  let error: IdlSyntaxError | undefined;
  try {
    scan();
  } catch (e) {
    if (!(e instanceof IdlSyntaxError)) throw e;
    error = e;
  }
  if (error !== undefined) {
    const { line: l, column } = error.loc;
    tokens.push({ kind: 'eof', text: '', value: '', line: l, column, doc: undefined });
    return { tokens, error };
  }
  // the end of file is placed just after the last token, where the missing text would go
  const last = tokens[tokens.length - 1];
  const eofLine = last?.line ?? 1;
  const eofColumn = last === undefined ? 1 : last.column + last.text.length;
  tokens.push({ kind: 'eof', text: '', value: '', line: eofLine, column: eofColumn, doc });
  return { tokens, error: undefined };

  /** Reads every token of `source` into `tokens`; throws at the first lexical error. */
  function scan(): void {
    while (pos < n) {
      const c = source.charCodeAt(pos);
      const start = pos;
      if (c === 10) {
        pos++;
        line++;
        lineStart = pos;
      } else if (c === 32 || c === 9 || c === 13 || c === 12 || c === 11 || c === 0xfeff) {
        pos++;
      } else if (c === 35 || (c === 47 && source.charCodeAt(pos + 1) === 47)) {
        const nl = source.indexOf('\n', pos);
        pos = nl < 0 ? n : nl;
      } else if (c === 47 && source.charCodeAt(pos + 1) === 42) {
        const end = source.indexOf('*/', pos + 2);
        if (end < 0)
          fail(start, line, lineStart, "unterminated comment: expected '*/' to close it");
        for (
          let i = source.indexOf('\n', pos);
          i >= 0 && i < end;
          i = source.indexOf('\n', i + 1)
        ) {
          line++;
          lineStart = i + 1;
        }
        pos = end + 2;
        const raw = source.slice(start, pos);
        if (raw.startsWith('/**') && raw !== '/**/') doc = cleanDoc(raw);
      } else if (isIdentStart(c)) {
        pos++;
        for (;;) {
          while (pos < n && isIdentPart(source.charCodeAt(pos))) pos++;
          if (source.charCodeAt(pos) !== 46) break;
          if (!isIdentPart(source.charCodeAt(pos + 1))) {
            fail(
              pos,
              line,
              lineStart,
              `expected a name part after '.' in '${source.slice(start, pos + 1)}'`,
            );
          }
          pos++;
        }
        const text = source.slice(start, pos);
        const hint = DEPRECATED.get(text);
        if (hint !== undefined) fail(start, line, lineStart, `'${text}' is ${hint}`);
        push(KEYWORDS.has(text) ? 'keyword' : 'identifier', start);
      } else if (
        isDigit(c) ||
        ((c === 43 || c === 45 || c === 46) && isDigit(source.charCodeAt(pos + 1))) ||
        ((c === 43 || c === 45) &&
          source.charCodeAt(pos + 1) === 46 &&
          isDigit(source.charCodeAt(pos + 2)))
      ) {
        push(lexNumber(), start);
      } else if (c === 34 || c === 39) {
        push('string', start, lexString(c));
      } else if (PUNCT.includes(source.charAt(pos))) {
        pos++;
        push('punct', start);
      } else if (c === 64) {
        fail(start, line, lineStart, AT_SIGN);
      } else {
        const ch = String.fromCodePoint(source.codePointAt(pos) ?? c);
        fail(start, line, lineStart, `unexpected character '${ch}'`);
      }
    }
  }

  /** Reads a number at `pos`; returns whether it is an int or a double. */
  function lexNumber(): 'int' | 'double' {
    const start = pos;
    let c = source.charCodeAt(pos);
    if (c === 43 || c === 45) c = source.charCodeAt(++pos);
    let kind: 'int' | 'double' = 'int';
    const x = source.charCodeAt(pos + 1);
    if (c === 48 && (x === 120 || x === 88)) {
      pos += 2;
      const digits = pos;
      while (pos < n && isHex(source.charCodeAt(pos))) pos++;
      if (pos === digits) fail(start, line, lineStart, 'expected hex digits after 0x');
    } else {
      while (pos < n && isDigit(source.charCodeAt(pos))) pos++;
      if (source.charCodeAt(pos) === 46) {
        kind = 'double';
        pos++;
        while (pos < n && isDigit(source.charCodeAt(pos))) pos++;
      }
      c = source.charCodeAt(pos);
      if (c === 101 || c === 69) {
        kind = 'double';
        pos++;
        c = source.charCodeAt(pos);
        if (c === 43 || c === 45) pos++;
        const digits = pos;
        while (pos < n && isDigit(source.charCodeAt(pos))) pos++;
        if (pos === digits) {
          fail(start, line, lineStart, `expected exponent digits in '${source.slice(start, pos)}'`);
        }
      }
    }
    c = source.charCodeAt(pos);
    if (isIdentPart(c) || c === 46) {
      let end = pos;
      while (end < n && (isIdentPart(source.charCodeAt(end)) || source[end] === '.')) end++;
      fail(start, line, lineStart, `invalid number '${source.slice(start, end)}'`);
    }
    return kind;
  }

  /** Reads a string literal quoted by `quote` at `pos`; returns its decoded value. */
  function lexString(quote: number): string {
    const start = pos;
    const unterminated = (): never =>
      fail(
        start,
        line,
        lineStart,
        `unterminated string literal: expected ${source[start]} to close it`,
      );
    let out = '';
    let chunk = ++pos;
    for (;;) {
      if (pos >= n) unterminated();
      const c = source.charCodeAt(pos);
      if (c === quote) break;
      if (c === 10) unterminated();
      if (c >= 0xd800 && c <= 0xdfff) {
        const d = source.charCodeAt(pos + 1);
        if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
          pos += 2;
          continue;
        }
        fail(pos, line, lineStart, invalidUtf8(c));
      }
      if (c !== 92) {
        pos++;
        continue;
      }
      out += source.slice(chunk, pos);
      const e = source[pos + 1] ?? '';
      const simple = SIMPLE_ESCAPES[e];
      if (simple !== undefined) {
        out += simple;
        pos += 2;
      } else if (e === 'u') {
        const unit = readUnit(pos);
        pos += 6;
        if (unit >= 0xd800 && unit <= 0xdbff) {
          const low = source.startsWith('\\u', pos) ? readUnit(pos) : -1;
          if (low < 0xdc00 || low > 0xdfff) {
            fail(
              pos - 6,
              line,
              lineStart,
              'expected a low surrogate \\uDC00-\\uDFFF after high surrogate',
            );
          }
          pos += 6;
          out += String.fromCharCode(unit, low);
        } else if (unit >= 0xdc00 && unit <= 0xdfff) {
          fail(pos - 6, line, lineStart, 'unpaired low surrogate; expected a high surrogate first');
        } else {
          out += String.fromCharCode(unit);
        }
      } else if (e === '' || e === '\n' || e === '\r') {
        unterminated();
      } else {
        const bad = `'\\${String.fromCodePoint(source.codePointAt(pos + 1) ?? 0)}'`;
        const expected = `expected one of \\\\ \\" \\' \\n \\r \\t \\uXXXX`;
        fail(pos, line, lineStart, `invalid escape ${bad}; ${expected}`);
      }
      chunk = pos;
    }
    out += source.slice(chunk, pos);
    pos++;
    return out;
  }

  /** Reads the four hex digits of a `\uXXXX` escape at `at`. */
  function readUnit(at: number): number {
    const hex = source.slice(at + 2, at + 6);
    if (!/^[0-9A-Fa-f]{4}$/.test(hex))
      fail(at, line, lineStart, 'expected four hex digits after \\u');
    return parseInt(hex, 16);
  }
}

/** Describes a token for error messages: `'struct'`, `string "x"`, `end of file`. Never throws. */
export function describe(tok: Token): string {
  if (tok.kind === 'eof') return 'end of file';
  if (tok.kind === 'string') {
    const v = tok.value.length > 20 ? `${tok.value.slice(0, 20)}...` : tok.value;
    return `string ${JSON.stringify(v)}`;
  }
  if (tok.kind === 'punct' && tok.text === '&') return `'&' (${AMPERSAND})`;
  return `'${tok.text}'`;
}

/** What `&` starts, for error messages. */
export const AMPERSAND =
  "'&' marks a field as a reference (Apache's C++ generator holds it by pointer); it goes only " +
  "between a field's type and its name: '1: optional Node &next'";

/**
 * A position in a token list with the small helpers a recursive-descent parser needs. The
 * helpers that check a token throw IdlSyntaxError naming what was found and what was expected.
 */
export class TokenCursor {
  protected i = 0;

  /**
   * `tokens` must end with an `eof` token (as `tokenize` and `lex` return them); `lexError`, the
   * lexical error that `eof` stands for, is thrown when the parser reaches it.
   */
  constructor(
    protected readonly source: string,
    protected readonly file: string,
    protected readonly tokens: readonly Token[],
    private readonly lexError: IdlSyntaxError | undefined = undefined,
  ) {}

  /** The current token (the `eof` token once the end is reached); throws a lexical error there. */
  protected get tok(): Token {
    const t = this.tokens[this.i] ?? (this.tokens[this.tokens.length - 1] as Token);
    if (t.kind === 'eof' && this.lexError !== undefined) throw this.lexError;
    return t;
  }
  /** Returns the current token and moves past it (never past `eof`). */
  protected next(): Token {
    const t = this.tok;
    if (t.kind !== 'eof') this.i++;
    return t;
  }
  /** The location of token `t` (default: the current one). */
  protected loc(t: Token = this.tok): SourceLocation {
    return { file: this.file, line: t.line, column: t.column };
  }
  /** An IdlSyntaxError at token `t` (default: the current one). */
  protected error(reason: string, t: Token = this.tok): IdlSyntaxError {
    return syntaxError(this.source, this.file, t.line, t.column, reason);
  }
  /** Whether the current token is the punctuation or keyword `text`. */
  protected is(text: string): boolean {
    const t = this.tok;
    return (t.kind === 'punct' || t.kind === 'keyword') && t.text === text;
  }
  /** Moves past the current token if it is `text`; returns whether it did. */
  protected accept(text: string): boolean {
    if (!this.is(text)) return false;
    this.i++;
    return true;
  }
  /** Moves past `text`; throws `expected '<text>' <context>, found ...` if it is not there. */
  protected expect(text: string, context: string): Token {
    if (!this.is(text)) {
      throw this.error(`expected '${text}' ${context}, found ${describe(this.tok)}`);
    }
    return this.next();
  }
  /** Skips one optional list separator, `,` or `;`. */
  protected separator(): void {
    if (!this.accept(',')) this.accept(';');
  }
  /** Reads a name: an identifier that is not a keyword; `dotted` allows `mod.Name`. */
  protected name(what: string, dotted = false): string {
    const t = this.tok;
    if (t.kind === 'keyword' && SOFT_KEYWORDS.has(t.text)) return this.next().text;
    if (t.kind === 'keyword') {
      throw this.error(`expected ${what}, found '${t.text}', which is a reserved word of Thrift`);
    }
    if (t.kind !== 'identifier') throw this.error(`expected ${what}, found ${describe(t)}`);
    if (!dotted && t.text.includes('.')) {
      throw this.error(`expected ${what} without '.', found '${t.text}'`);
    }
    return this.next().text;
  }
  /** Reads a string literal and returns its decoded value. */
  protected string(what: string): string {
    const t = this.tok;
    if (t.kind !== 'string') throw this.error(`expected ${what}, found ${describe(t)}`);
    return this.next().value;
  }
}
