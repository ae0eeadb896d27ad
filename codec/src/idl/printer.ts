/**
 * The Thrift IDL printer: turns a Program back into IDL text. Parsing the output gives an AST
 * equal to the input except for locations. Output is deterministic: 2-space indent, one field
 * per line with a `,` after it, a blank line between definitions, doc comments kept.
 */
import type * as A from './ast.js';

/** A deep copy of `T` without `loc` and `extendsLoc` properties (see `stripLocations`). */
export type WithoutLocations<T> = T extends bigint | string | number | boolean | null | undefined
  ? T
  : T extends readonly (infer U)[]
    ? WithoutLocations<U>[]
    : { [K in keyof T as K extends 'loc' | 'extendsLoc' ? never : K]: WithoutLocations<T[K]> };

/**
 * Returns a deep copy of an AST node (or any plain data) with every `loc` and `extendsLoc`
 * property removed, so that two ASTs can be compared for structure. Never throws.
 */
export function stripLocations<T>(node: T): WithoutLocations<T> {
  if (Array.isArray(node))
    return node.map((n: unknown) => stripLocations(n)) as WithoutLocations<T>;
  if (node === null || typeof node !== 'object') return node as WithoutLocations<T>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (k !== 'loc' && k !== 'extendsLoc') out[k] = stripLocations(v);
  }
  return out as WithoutLocations<T>;
}

/**
 * Quotes `s` as a `"`-delimited Thrift string literal: escapes `\\`, `"`, `\n`, `\r`, `\t` and
 * other control characters (as `\uXXXX`); everything else is kept as is. Never throws.
 */
export function quote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f || c === 0x2028 || c === 0x2029) {
      out += `\\u${c.toString(16).padStart(4, '0')}`;
    } else out += ch;
  }
  return `${out}"`;
}

/** Prints an annotation list: ` (a = "x", b)`, or nothing when empty. */
function annotations(list: A.Annotations): string {
  if (list.length === 0) return '';
  const items = list.map((a) => (a.value === undefined ? a.name : `${a.name} = ${quote(a.value)}`));
  return ` (${items.join(', ')})`;
}

/**
 * Prints a doc comment at `indent`, or nothing when `doc` is undefined or empty. A one-line doc
 * becomes `/** text *\/`, anything else a ` * `-prefixed block. `*\/` inside is broken as `* /`.
 */
function docComment(doc: string | undefined, indent: string): string {
  if (doc === undefined || doc === '') return '';
  const text = doc.replace(/\*\//g, '* /');
  if (!text.includes('\n') && !text.startsWith('*')) return `${indent}/** ${text} */\n`;
  const lines = text.split('\n').map((l) => (l === '' ? `${indent} *` : `${indent} * ${l}`));
  return `${indent}/**\n${lines.join('\n')}\n${indent} */\n`;
}

/** Prints a type reference with its annotations, e.g. `list<i32> (a = "b")`. Never throws. */
export function printType(t: A.TypeRef): string {
  switch (t.kind) {
    case 'BaseType':
      return t.name + annotations(t.annotations);
    case 'NamedType':
      return t.name;
    case 'ListType':
      return `list<${printType(t.valueType)}>${annotations(t.annotations)}`;
    case 'SetType':
      return `set<${printType(t.valueType)}>${annotations(t.annotations)}`;
    case 'MapType':
      return `map<${printType(t.keyType)}, ${printType(t.valueType)}>${annotations(t.annotations)}`;
  }
}

/** Prints a double so that it lexes as a double again (used when `text` is empty). */
function doubleText(value: number): string {
  if (!Number.isFinite(value)) {
    throw new RangeError(`cannot print the double ${value} as Thrift IDL`);
  }
  const s = String(value);
  return /[.e]/.test(s) ? s : `${s}.0`;
}

/**
 * Prints a constant value on one line. Ints and doubles keep their `text` spelling (falling back
 * to the value when `text` is empty). Throws RangeError for a non-finite double without text.
 */
export function printConstValue(v: A.ConstValue): string {
  switch (v.kind) {
    case 'ConstInt':
      return v.text === '' ? String(v.value) : v.text;
    case 'ConstDouble':
      return v.text === '' ? doubleText(v.value) : v.text;
    case 'ConstString':
      return quote(v.value);
    case 'ConstIdentifier':
      return v.name;
    case 'ConstList':
      return `[${v.values.map(printConstValue).join(', ')}]`;
    case 'ConstMap': {
      const entries = v.entries.map(
        (e) => `${printConstValue(e.key)}: ${printConstValue(e.value)}`,
      );
      return `{${entries.join(', ')}}`;
    }
  }
}

/**
 * A field without doc or trailing separator: `1: required i32 a = 5 (x = "y")`, with Apache's
 * `&` and `xsd_*` markers where the field has them.
 */
function field(f: A.Field): string {
  const id = f.id === undefined ? '' : `${f.id}: `;
  const req = f.requiredness === 'default' ? '' : `${f.requiredness} `;
  const ref = f.reference === true ? ' &' : ' ';
  const dflt = f.defaultValue === undefined ? '' : ` = ${printConstValue(f.defaultValue)}`;
  let xsd = f.xsdOptional === true ? ' xsd_optional' : '';
  if (f.xsdNillable === true) xsd += ' xsd_nillable';
  if (f.xsdAttrs !== undefined) {
    const attrs = f.xsdAttrs.map((a) => `${docComment(a.doc, '')}${field(a)}`);
    xsd += ` xsd_attrs { ${attrs.join(', ')} }`;
  }
  return `${id}${req}${printType(f.type)}${ref}${f.name}${dflt}${xsd}${annotations(f.annotations)}`;
}

/** A parenthesized field list: inline when no field has a doc, else one field per line. */
function fieldList(fields: readonly A.Field[], indent: string): string {
  if (fields.every((f) => f.doc === undefined || f.doc === '')) {
    return `(${fields.map(field).join(', ')})`;
  }
  const inner = `${indent}  `;
  const lines = fields.map((f) => `${docComment(f.doc, inner)}${inner}${field(f)},\n`);
  return `(\n${lines.join('')}${indent})`;
}

/** A `{ ... }` block of lines, each already indented, or `{}` when empty. */
function block(lines: readonly string[]): string {
  return lines.length === 0 ? '{}' : `{\n${lines.join('')}}`;
}

function header(h: A.Header): string {
  switch (h.kind) {
    case 'Include':
      return `include ${quote(h.path)}`;
    case 'CppInclude':
      return `cpp_include ${quote(h.path)}`;
    case 'Namespace':
      return `namespace ${h.scope} ${h.name}${annotations(h.annotations)}`;
  }
}

function functionDef(f: A.FunctionDef): string {
  const oneway = f.async === true ? 'async ' : f.oneway ? 'oneway ' : '';
  const ret = f.returnType === undefined ? 'void' : printType(f.returnType);
  const throws = f.exceptions.length === 0 ? '' : ` throws ${fieldList(f.exceptions, '  ')}`;
  const head = `${oneway}${ret} ${f.name}${fieldList(f.parameters, '  ')}`;
  return `${docComment(f.doc, '  ')}  ${head}${throws}${annotations(f.annotations)},\n`;
}

function definition(d: A.Definition): string {
  const doc = docComment(d.doc, '');
  switch (d.kind) {
    case 'Typedef':
      return `${doc}typedef ${printType(d.type)} ${d.name}${annotations(d.annotations)}`;
    case 'Const':
      return `${doc}const ${printType(d.type)} ${d.name} = ${printConstValue(d.value)}`;
    case 'Enum': {
      const items = d.items.map((it) => {
        const value = it.value === undefined ? '' : ` = ${printConstValue(it.value)}`;
        return `${docComment(it.doc, '  ')}  ${it.name}${value}${annotations(it.annotations)},\n`;
      });
      return `${doc}enum ${d.name} ${block(items)}${annotations(d.annotations)}`;
    }
    case 'Struct':
    case 'Union':
    case 'Exception': {
      const kw = d.kind === 'Struct' ? 'struct' : d.kind === 'Union' ? 'union' : 'exception';
      const fields = d.fields.map((f) => `${docComment(f.doc, '  ')}  ${field(f)},\n`);
      const all = d.kind === 'Struct' && d.xsdAll === true ? ' xsd_all' : '';
      return `${doc}${kw} ${d.name}${all} ${block(fields)}${annotations(d.annotations)}`;
    }
    case 'Service': {
      const ext = d.extends === undefined ? '' : ` extends ${d.extends}`;
      const fns = d.functions.map(functionDef);
      return `${doc}service ${d.name}${ext} ${block(fns)}${annotations(d.annotations)}`;
    }
  }
}

/**
 * Prints a Program as Thrift IDL text (ending with a newline): headers first, then definitions
 * separated by blank lines. Parsing the result gives the same AST apart from `loc` (doc comments
 * included; a `*\/` inside a doc is printed as `* /`). Throws RangeError only for a
 * non-finite ConstDouble with an empty `text`.
 */
export function print(program: A.Program): string {
  const parts: string[] = [];
  if (program.headers.length > 0) parts.push(program.headers.map(header).join('\n'));
  for (const d of program.definitions) parts.push(definition(d));
  return parts.length === 0 ? '' : `${parts.join('\n\n')}\n`;
}
