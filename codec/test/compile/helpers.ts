// Helpers for the compile tests: compile inline IDL, and capture an IdlCompileError as plain data.
import { IdlCompileError, formatLocation } from '../../src/errors.js';
import { compileModule, memoryResolver } from '../../src/compile/index.js';
import type { Dialect } from '../../src/compile/index.js';
import type {
  ConstValueSpec,
  FieldSpec,
  ModuleSpec,
  NamedTypeSpec,
  StructSpec,
  TypeSpec,
} from '../../src/schema/spec.js';

/** Joins lines with '\n' (so line numbers in expectations are easy to read). */
export const lines = (...ls: string[]): string => ls.join('\n');

/** Options of `compile`: the dialect and other files for includes. */
export interface Opts {
  readonly dialect?: Dialect;
  readonly files?: Record<string, string>;
  readonly key?: string;
}

/** Compiles `source` as `main.thrift` (or `opts.key`). */
export function compile(source: string, opts: Opts = {}): ModuleSpec {
  const key = opts.key ?? 'main.thrift';
  const resolve = memoryResolver({ ...(opts.files ?? {}), [key]: source });
  return compileModule(key, source, { dialect: opts.dialect ?? 'thriftrw', resolve }, new Map());
}

/** An IdlCompileError as data: where, why, and the related locations, all as `file:line:col`. */
export interface ErrorData {
  readonly at: string;
  readonly reason: string;
  readonly related: readonly string[];
  /** The include headers that led to the file, innermost first; only when there are some. */
  readonly includedFrom?: readonly string[];
}

/** The IdlCompileError `fn` throws, as data; throws if `fn` throws nothing or something else. */
export function errorOf(fn: () => unknown): ErrorData {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof IdlCompileError)) throw e;
    const at = e.loc === undefined ? '' : formatLocation(e.loc);
    const related = e.related.map(formatLocation);
    const includedFrom = e.includedFrom.map(formatLocation);
    const expected =
      (at === '' ? '' : `${at}: `) +
      e.reason +
      related.map((r) => `\n  see ${r}`).join('') +
      includedFrom.map((r) => `\n  included from ${r}`).join('');
    if (e.message !== expected)
      throw new Error(`message ${JSON.stringify(e.message)} is not ${JSON.stringify(expected)}`);
    return { at, reason: e.reason, related, ...(includedFrom.length > 0 ? { includedFrom } : {}) };
  }
  throw new Error('expected an IdlCompileError, but nothing was thrown');
}

/** The IdlCompileError compiling `source` throws, as data. */
export function compileError(source: string, opts: Opts = {}): ErrorData {
  return errorOf(() => compile(source, opts));
}

/** The named type `name` of `m`; throws when missing. */
export function typeOf(m: ModuleSpec, name: string): NamedTypeSpec {
  const t = m.types.get(name);
  if (t === undefined) throw new Error(`no type ${name}`);
  return t;
}

/** The struct-like type `name` of `m`; throws when missing or not a struct. */
export function structOf(m: ModuleSpec, name: string): StructSpec {
  const t = typeOf(m, name);
  if (t.kind !== 'struct') throw new Error(`${name} is a ${t.kind}`);
  return t;
}

/** `[id, name, requiredness]` of every field. */
export const fieldSummary = (s: StructSpec): [number, string, string][] =>
  s.fields.map((f) => [f.id, f.name, f.requiredness]);

/** The field `name` of `s`; throws when missing. */
export function fieldOf(s: StructSpec, name: string): FieldSpec {
  const f = s.fields.find((x) => x.name === name);
  if (f === undefined) throw new Error(`no field ${name} in ${s.name}`);
  return f;
}

/** The value of constant `name` of `m`; throws when missing. */
export function constOf(m: ModuleSpec, name: string): ConstValueSpec {
  const c = m.constants.get(name);
  if (c === undefined) throw new Error(`no constant ${name}`);
  return c.value;
}

/** A compact spelling of a type spec (`list<i32>`, `struct:User`, `enum:Status`). */
export function show(t: TypeSpec): string {
  switch (t.kind) {
    case 'list':
    case 'set':
      return `${t.kind}<${show(t.valueType)}>`;
    case 'map':
      return `map<${show(t.keyType)},${show(t.valueType)}>`;
    case 'enum':
      return `enum:${t.module.name}.${t.name}`;
    case 'struct':
      return `${t.variant}:${t.module.name}.${t.name}`;
    default:
      return t.kind;
  }
}

/** A ConstValueSpec as plain data (structs as `{ $struct: name, ...fields }`). */
export function plain(v: ConstValueSpec): unknown {
  switch (v.kind) {
    case 'scalar':
      return v.value instanceof Uint8Array ? [...v.value] : v.value;
    case 'list':
      return v.values.map(plain);
    case 'map':
      return v.entries.map(([k, x]) => [plain(k), plain(x)]);
    case 'struct':
      return Object.fromEntries([
        ['$struct', v.spec.name],
        ...v.fields.map(([n, x]) => [n, plain(x)]),
      ]);
  }
}
