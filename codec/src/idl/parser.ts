/**
 * The Thrift IDL parser: a recursive-descent parser over the lexer's tokens that builds the AST
 * of `ast.ts` (Apache Thrift's grammar, doc/specs/idl.md). Every node gets the location of its
 * first token; every syntax error names what was found and what was expected.
 */
import type { IdlSyntaxError, SourceLocation } from '../errors.js';
import type * as A from './ast.js';
import { TokenCursor, describe, lex } from './lexer.js';
import type { Token } from './lexer.js';

// prettier-ignore
const BASE_TYPES: ReadonlySet<string> = new Set([
  'bool', 'byte', 'i8', 'i16', 'i32', 'i64', 'double', 'string', 'binary', 'uuid',
]);
const HEADERS: ReadonlySet<string> = new Set(['include', 'cpp_include', 'namespace']);
// prettier-ignore
const TOP_LEVEL: ReadonlySet<string> = new Set([
  ...HEADERS, 'typedef', 'const', 'enum', 'struct', 'union', 'exception', 'service',
]);
const DEFINITIONS = 'typedef, const, enum, struct, union, exception or service';
const PACKAGE =
  "'package' is fbthrift syntax (a file's package name): Apache Thrift and thriftrw do not " +
  "accept it. Please use 'namespace <language> <name>' headers instead";

/**
 * The deepest nesting the parser accepts in one type (`list<list<...>>`) or one constant value
 * (`[[...]]`, `{"a": {...}}`). Deeper text is refused with an IdlSyntaxError at the level that
 * passes it, instead of overflowing the JavaScript stack (and code generation, whose cost grows
 * with the square of a type's depth, stays fast).
 */
export const MAX_IDL_NESTING = 100;

/**
 * Parses Thrift IDL `source` into a Program. `file` (default `'<string>'`) is recorded in every
 * node's `loc`. Throws IdlSyntaxError (with file:line:col and a caret excerpt) when the text is
 * not valid Thrift IDL.
 */
export function parse(source: string, file = '<string>'): A.Program {
  return new Parser(source, file).program();
}

class Parser extends TokenCursor {
  /** How deep the type or constant value being parsed is nested. */
  private nesting = 0;

  constructor(source: string, file: string) {
    const { tokens, error } = lex(source, file);
    super(source, file, tokens, error);
  }

  /** Whether the current token is the identifier `word` (a contextual keyword). */
  private isWord(word: string): boolean {
    const t = this.tok;
    return t.kind === 'identifier' && t.text === word;
  }

  /** Enters one level of nesting at token `t`; throws IdlSyntaxError past MAX_IDL_NESTING. */
  private nest(t: Token, what: string): void {
    if (++this.nesting > MAX_IDL_NESTING) {
      throw this.error(
        `${what} nested deeper than ${MAX_IDL_NESTING} levels; the codec accepts at most ` +
          `${MAX_IDL_NESTING}. Please flatten it (a struct per level)`,
        t,
      );
    }
  }

  private opened(kind: string, name: string, loc: SourceLocation): string {
    return `${kind} '${name}' (opened at ${loc.line}:${loc.column})`;
  }
  /** Whether the current token can start a name (keywords too, for a better error). */
  private startsName(): boolean {
    const t = this.tok;
    return t.kind === 'identifier' || (t.kind === 'keyword' && !TOP_LEVEL.has(t.text));
  }
  /** The error for a block that is not closed: `expected '}' to close ..., found ...`. */
  private unclosed(close: string, what: string, item: string): IdlSyntaxError {
    const t = this.tok;
    const top = t.kind === 'eof' || (t.kind === 'keyword' && TOP_LEVEL.has(t.text));
    const expected = top ? `'${close}'` : `${item} or '${close}'`;
    return this.error(`expected ${expected} to close ${what}, found ${describe(t)}`);
  }

  // --- document ---------------------------------------------------------------------------

  program(): A.Program {
    const headers: A.Header[] = [];
    while (this.tok.kind === 'keyword' && HEADERS.has(this.tok.text)) headers.push(this.header());
    const definitions: A.Definition[] = [];
    while (this.tok.kind !== 'eof') {
      const t = this.tok;
      if (this.isWord('package')) throw this.error(PACKAGE);
      if (t.kind === 'keyword' && HEADERS.has(t.text)) {
        const first = definitions[0]?.loc ?? this.loc(t);
        throw this.error(
          `expected a definition (${DEFINITIONS}), found header '${t.text}'; ` +
            `headers must come before the first definition (at ${first.line}:${first.column})`,
        );
      }
      definitions.push(this.definition());
    }
    return { kind: 'Program', file: this.file, headers, definitions };
  }

  private header(): A.Header {
    const loc = this.loc();
    const kw = this.next().text;
    if (kw === 'include') {
      return { kind: 'Include', path: this.string("a file name string after 'include'"), loc };
    }
    if (kw === 'cpp_include') {
      return { kind: 'CppInclude', path: this.string("a string after 'cpp_include'"), loc };
    }
    const scope = this.accept('*') ? '*' : this.name("a namespace scope ('*' or a language)", true);
    const name = this.name(`a namespace name after 'namespace ${scope}'`, true);
    return { kind: 'Namespace', scope, name, annotations: this.annotations(), loc };
  }

  private definition(): A.Definition {
    const t = this.tok;
    const doc = t.doc;
    const loc = this.loc(t);
    if (t.kind === 'keyword') {
      switch (t.text) {
        case 'typedef': {
          this.next();
          const type = this.type();
          const name = this.name('a name for the typedef');
          const annotations = this.annotations();
          this.separator();
          return { kind: 'Typedef', name, type, annotations, doc, loc };
        }
        case 'const': {
          this.next();
          const type = this.type();
          const name = this.name('a name for the constant');
          this.expect('=', `after constant name '${name}'`);
          const value = this.constValue();
          this.separator();
          return { kind: 'Const', name, type, value, doc, loc };
        }
        case 'enum':
          return this.enumDef(doc, loc);
        case 'struct':
        case 'union':
        case 'exception':
          return this.structLike(doc, loc);
        case 'service':
          return this.service(doc, loc);
      }
    }
    throw this.error(`expected a definition (${DEFINITIONS}), found ${describe(t)}`);
  }

  private enumDef(doc: string | undefined, loc: SourceLocation): A.Enum {
    this.next();
    const name = this.name('a name for the enum');
    this.expect('{', `after enum name '${name}'`);
    const items: A.EnumItem[] = [];
    while (!this.accept('}')) {
      const t = this.tok;
      if (!this.startsName()) {
        throw this.unclosed('}', this.opened('enum', name, loc), 'an enum item');
      }
      const itemName = this.name(`an item name in enum '${name}'`);
      let value: A.ConstInt | undefined;
      if (this.accept('=')) {
        const v = this.tok;
        if (v.kind !== 'int') {
          throw this.error(
            `expected an integer value for enum item '${itemName}', found ${describe(v)}`,
          );
        }
        value = this.intConst(this.next());
      }
      const annotations = this.annotations();
      this.separator();
      items.push({
        kind: 'EnumItem',
        name: itemName,
        value,
        annotations,
        doc: t.doc,
        loc: this.loc(t),
      });
    }
    return { kind: 'Enum', name, items, annotations: this.annotations(), doc, loc };
  }

  private structLike(
    doc: string | undefined,
    loc: SourceLocation,
  ): A.Struct | A.Union | A.Exception {
    const kw = this.next().text;
    const name = this.name(`a name for the ${kw}`);
    const xsdAll = kw === 'struct' && this.acceptWord('xsd_all');
    this.expect('{', `after ${kw} name '${name}'`);
    const fields = this.fields('}', this.opened(kw, name, loc));
    const annotations = this.annotations();
    if (kw === 'struct') {
      return {
        kind: 'Struct',
        name,
        ...(xsdAll ? { xsdAll: true } : {}),
        fields,
        annotations,
        doc,
        loc,
      };
    }
    return { kind: kw === 'union' ? 'Union' : 'Exception', name, fields, annotations, doc, loc };
  }

  /** Fields up to and including the `close` token (`}` or `)`). */
  private fields(close: string, what: string): A.Field[] {
    const fields: A.Field[] = [];
    while (!this.accept(close)) {
      const t = this.tok;
      const startsField =
        t.kind === 'int' ||
        t.kind === 'identifier' ||
        (t.kind === 'keyword' && this.startsType(t.text));
      if (
        !startsField &&
        !(t.kind === 'keyword' && (t.text === 'required' || t.text === 'optional'))
      ) {
        throw this.unclosed(close, what, 'a field');
      }
      fields.push(this.field());
    }
    return fields;
  }

  private field(): A.Field {
    const first = this.tok;
    let id: number | undefined;
    if (first.kind === 'int') {
      this.next();
      this.expect(':', `after field id ${first.text}`);
      const v = this.intConst(first).value;
      if (v < BigInt(Number.MIN_SAFE_INTEGER) || v > BigInt(Number.MAX_SAFE_INTEGER)) {
        throw this.error(`field id ${first.text} is out of range`, first);
      }
      id = Number(v);
    }
    let requiredness: A.Requiredness = 'default';
    if (this.is('required') || this.is('optional'))
      requiredness = this.next().text as A.Requiredness;
    const type = this.type();
    const reference = this.accept('&');
    const name = this.name(reference ? "a field name after '&'" : 'a field name');
    const defaultValue = this.accept('=') ? this.constValue() : undefined;
    // Apache 0.17's grammar: FieldValue XsdOptional XsdNillable XsdAttributes TypeAnnotations
    const xsdOptional = this.acceptWord('xsd_optional');
    const xsdNillable = this.acceptWord('xsd_nillable');
    let xsdAttrs: A.Field[] | undefined;
    if (this.isWord('xsd_attrs')) {
      const open = this.next();
      this.expect('{', "after 'xsd_attrs'");
      xsdAttrs = this.fields('}', `xsd_attrs (opened at ${open.line}:${open.column})`);
    }
    const annotations = this.annotations();
    this.separator();
    const loc = this.loc(first);
    // prettier-ignore
    return {
      kind: 'Field', id, name, type, requiredness, defaultValue, annotations, doc: first.doc, loc,
      ...(reference ? { reference: true } : {}),
      ...(xsdOptional ? { xsdOptional: true } : {}),
      ...(xsdNillable ? { xsdNillable: true } : {}),
      ...(xsdAttrs === undefined ? {} : { xsdAttrs }),
    };
  }

  /** Moves past the identifier `word` if it is the current token; returns whether it did. */
  private acceptWord(word: string): boolean {
    if (!this.isWord(word)) return false;
    this.next();
    return true;
  }

  private service(doc: string | undefined, loc: SourceLocation): A.Service {
    this.next();
    const name = this.name('a name for the service');
    let ext: string | undefined;
    let extendsLoc: SourceLocation | undefined;
    if (this.accept('extends')) {
      extendsLoc = this.loc();
      ext = this.name(`a service name after 'extends'`, true);
    }
    this.expect('{', `after service name '${name}'`);
    const functions: A.FunctionDef[] = [];
    while (!this.accept('}')) functions.push(this.func(this.opened('service', name, loc)));
    const annotations = this.annotations();
    return { kind: 'Service', name, extends: ext, extendsLoc, functions, annotations, doc, loc };
  }

  private func(what: string): A.FunctionDef {
    const first = this.tok;
    // `async` is Apache's old word for `oneway`; `async f(...)` is a function returning `async`
    const isAsync =
      this.isWord('async') && !(this.peek(1)?.kind === 'identifier' && this.tokenAt(2, '('));
    if (isAsync) this.next();
    const oneway = isAsync || this.accept('oneway');
    let returnType: A.TypeRef | undefined;
    if (!this.accept('void')) {
      const t = this.tok;
      if (
        !oneway &&
        !(t.kind === 'identifier' || (t.kind === 'keyword' && this.startsType(t.text)))
      ) {
        throw this.unclosed('}', what, 'a function');
      }
      returnType = this.type("a return type or 'void'");
    }
    const name = this.name('a function name');
    this.expect('(', `after function name '${name}'`);
    const parameters = this.fields(')', `the parameters of '${name}'`);
    let exceptions: A.Field[] = [];
    if (this.accept('throws')) {
      this.expect('(', `after 'throws'`);
      exceptions = this.fields(')', `the exceptions of '${name}'`);
    }
    const annotations = this.annotations();
    this.separator();
    // prettier-ignore
    return {
      kind: 'Function', name, oneway, ...(isAsync ? { async: true } : {}), returnType, parameters,
      exceptions, annotations, doc: first.doc, loc: this.loc(first),
    };
  }

  /** The token `ahead` places after the current one, if there is one. */
  private peek(ahead: number): Token | undefined {
    return this.tokens[this.i + ahead];
  }

  /** Whether the token `ahead` places after the current one is the punctuation `text`. */
  private tokenAt(ahead: number, text: string): boolean {
    const t = this.peek(ahead);
    return t !== undefined && t.kind === 'punct' && t.text === text;
  }

  // --- types, annotations, constants ------------------------------------------------------

  private startsType(keyword: string): boolean {
    return BASE_TYPES.has(keyword) || keyword === 'list' || keyword === 'set' || keyword === 'map';
  }

  private type(what = 'a type'): A.TypeRef {
    const t = this.tok;
    const loc = this.loc(t);
    if (t.kind === 'identifier') return { kind: 'NamedType', name: this.next().text, loc };
    if (t.kind !== 'keyword' || !this.startsType(t.text)) {
      throw this.error(`expected ${what}, found ${describe(t)}`);
    }
    this.next();
    if (BASE_TYPES.has(t.text)) {
      const name = t.text as A.BaseTypeName;
      return { kind: 'BaseType', name, annotations: this.annotations(), loc };
    }
    if (this.accept('cpp_type')) this.string("a string after 'cpp_type'");
    this.expect('<', `after '${t.text}'`);
    this.nest(t, 'a type');
    if (t.text === 'map') {
      const keyType = this.type('a map key type');
      this.expect(',', 'between the key and value types of a map');
      const valueType = this.type('a map value type');
      this.expect('>', 'to close map<...>');
      this.nesting--;
      return { kind: 'MapType', keyType, valueType, annotations: this.annotations(), loc };
    }
    const valueType = this.type(`a ${t.text} element type`);
    this.expect('>', `to close ${t.text}<...>`);
    this.nesting--;
    const kind = t.text === 'list' ? 'ListType' : 'SetType';
    return { kind, valueType, annotations: this.annotations(), loc };
  }

  private annotations(): A.Annotation[] {
    const open = this.tok;
    if (!this.accept('(')) return [];
    const list: A.Annotation[] = [];
    while (!this.accept(')')) {
      const t = this.tok;
      if (!this.startsName()) {
        throw this.unclosed(')', `annotations (opened at ${open.line}:${open.column})`, 'a name');
      }
      const name = this.name('an annotation name', true);
      const value = this.accept('=')
        ? this.string(`a string value for annotation '${name}'`)
        : undefined;
      this.separator();
      list.push({ kind: 'Annotation', name, value, loc: this.loc(t) });
    }
    return list;
  }

  private intConst(t: Token): A.ConstInt {
    const neg = t.text.startsWith('-');
    const body = /^[+-]/.test(t.text) ? t.text.slice(1) : t.text;
    const abs = BigInt(body);
    return { kind: 'ConstInt', value: neg ? -abs : abs, text: t.text, loc: this.loc(t) };
  }

  private constValue(what = 'a constant value (number, string, name, list or map)'): A.ConstValue {
    const t = this.tok;
    const loc = this.loc(t);
    switch (t.kind) {
      case 'int':
        return this.intConst(this.next());
      case 'double': {
        const value = Number(t.text);
        if (!Number.isFinite(value) || (value === 0 && /[1-9]/.test(t.text.split(/[eE]/)[0]!))) {
          throw this.error(
            `number ${t.text} ${value === 0 ? 'underflows to 0' : 'overflows to Infinity'}: ` +
              `a double holds magnitudes from about 5e-324 to 1.8e308. Please write a number in ` +
              `that range`,
          );
        }
        this.next();
        return { kind: 'ConstDouble', value, text: t.text, loc };
      }
      case 'string':
        this.next();
        return { kind: 'ConstString', value: t.value, loc };
      case 'identifier':
        this.next();
        return { kind: 'ConstIdentifier', name: t.text, loc };
      case 'keyword':
        if (t.text === 'true' || t.text === 'false') {
          this.next();
          return { kind: 'ConstIdentifier', name: t.text, loc };
        }
        break;
      case 'punct':
        if (this.is('[') || this.is('{')) this.nest(t, 'a constant value');
        if (this.accept('[')) {
          const values: A.ConstValue[] = [];
          while (!this.accept(']')) {
            values.push(
              this.constValue(
                `a list value or ']' to close the list opened at ${loc.line}:${loc.column}`,
              ),
            );
            this.separator();
          }
          this.nesting--;
          return { kind: 'ConstList', values, loc };
        }
        if (this.accept('{')) {
          const entries: A.ConstMapEntry[] = [];
          while (!this.accept('}')) {
            const key = this.constValue(
              `a map key or '}' to close the map opened at ${loc.line}:${loc.column}`,
            );
            this.expect(':', 'between a map key and its value');
            entries.push({ key, value: this.constValue() });
            this.separator();
          }
          this.nesting--;
          return { kind: 'ConstMap', entries, loc };
        }
        break;
      case 'eof':
        break;
    }
    throw this.error(`expected ${what}, found ${describe(t)}`);
  }
}
