/**
 * Types constant values: checks an AST value (a literal, a list or map, a struct written as a
 * map of field names, or a name of a constant or enum item) against a type spec and turns it
 * into a `ConstValueSpec` in runtime representation (i64 → bigint, other integers, enums and
 * doubles → number, binary → UTF-8 bytes, uuid → lowercase canonical text).
 */
import { IdlCompileError, formatLocation } from '../errors.js';
import type { SourceLocation } from '../errors.js';
import type * as A from '../idl/ast.js';
import type {
  ConstValueSpec,
  ConstantSpec,
  EnumItemSpec,
  EnumSpec,
  StructSpec,
  TypeSpec,
} from '../schema/spec.js';
import { MAX_IDL_NESTING } from '../idl/parser.js';
import { checkNotBroken } from './broken.js';
import { suggest } from './scope.js';
import { typeName } from './types.js';

/** What a name used as a value refers to. */
export type NamedValue =
  | { readonly kind: 'constant'; readonly spec: ConstantSpec }
  | { readonly kind: 'item'; readonly enum: EnumSpec; readonly item: EnumItemSpec };

/** Resolves names used as values (constants, enum items); throws for unknown names. */
export interface ValueNames {
  /** What `id` names where a value of `expected` is wanted; throws IdlCompileError if nothing. */
  resolve(id: A.ConstIdentifier, expected: TypeSpec): NamedValue;
  /** Apache's leniencies apply (`{}` and `[]` for any empty container). */
  readonly apacheSyntax: boolean;
}

const RANGES = {
  byte: [-128n, 127n],
  i16: [-32768n, 32767n],
  i32: [-2147483648n, 2147483647n],
  i64: [-9223372036854775808n, 9223372036854775807n],
} as const;
const UUID = /^\{?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}?$/i;
const encoder = new TextEncoder();

/**
 * The deepest a constant or default value may nest once the constants it names are put in
 * (`const list<list<i32>> B = [A, A]` nests one level deeper than A), and the most values it may
 * build when it is made into a runtime value (a constant named twice is built twice, so ten
 * constants that each list the previous one twice would build 2^10 copies). Both are refused with
 * an IdlCompileError at the value that passes them.
 */
export const MAX_CONST_NESTING = MAX_IDL_NESTING;
/** See {@link MAX_CONST_NESTING}. */
export const MAX_CONST_VALUES = 1_000_000;

/** Nesting and built size of compiled constant values (scalars are 0 and 1). */
const metrics = new WeakMap<ConstValueSpec, { readonly depth: number; readonly size: number }>();

function measure(c: ConstValueSpec): { readonly depth: number; readonly size: number } {
  if (c.kind === 'scalar') return { depth: 0, size: 1 };
  const cached = metrics.get(c);
  if (cached !== undefined) return cached;
  const children =
    c.kind === 'list'
      ? c.values
      : c.kind === 'map'
        ? c.entries.flatMap(([k, v]) => [k, v])
        : c.fields.map(([, v]) => v);
  let depth = 0;
  let size = 1;
  for (const child of children) {
    const m = measure(child);
    depth = Math.max(depth, m.depth);
    size += m.size;
  }
  const m = { depth: depth + 1, size };
  metrics.set(c, m);
  return m;
}

/** Returns `c` after checking it against MAX_CONST_NESTING and MAX_CONST_VALUES. */
function bounded(c: ConstValueSpec, loc: SourceLocation): ConstValueSpec {
  const m = measure(c);
  if (m.depth > MAX_CONST_NESTING) {
    throw new IdlCompileError(
      `this value nests ${m.depth} levels deep once the constants it names are put in; the ` +
        `codec accepts at most ${MAX_CONST_NESTING}. Please flatten it`,
      loc,
    );
  }
  if (m.size > MAX_CONST_VALUES) {
    throw new IdlCompileError(
      `this value would build ${m.size} values once the constants it names are put in (each ` +
        `use is a copy); the codec accepts at most ${MAX_CONST_VALUES}. Please make it smaller`,
      loc,
    );
  }
  return c;
}

type IntKind = keyof typeof RANGES;
const isInt = (t: TypeSpec): t is TypeSpec & { kind: IntKind } => t.kind in RANGES;
const scalar = (value: boolean | number | bigint | string | Uint8Array): ConstValueSpec => ({
  kind: 'scalar',
  value,
});

/** Why integer `n` does not fit `type` (an int kind or an enum), or undefined when it does. */
function intProblem(n: bigint, type: TypeSpec): string | undefined {
  if (type.kind === 'enum') {
    if (type.items.some((i) => BigInt(i.value) === n)) return undefined;
    const items = type.items.map((i) => `${i.name}=${i.value}`).join(', ');
    return `${n} is not a value of enum '${type.name}' (${items})`;
  }
  if (!isInt(type)) return `${type.kind} is not an integer type`;
  const [lo, hi] = RANGES[type.kind];
  return n < lo || n > hi ? `${n} is out of range for ${type.kind} (${lo} to ${hi})` : undefined;
}

/** The scalar for integer `n` of `type` (bigint for i64, number otherwise). */
function intScalar(n: bigint, type: TypeSpec): ConstValueSpec {
  return scalar(type.kind === 'i64' ? n : Number(n));
}

/**
 * The text a uuid constant stands for, lowercased without braces; undefined when it is not
 * 8-4-4-4-12 hex digits (any case), alone or in braces, as Apache's compiler (0.19+) accepts.
 */
function uuidText(s: string): string | undefined {
  const m = UUID.exec(s);
  if (m === null || s.startsWith('{') !== s.endsWith('}')) return undefined;
  return m[1]!.toLowerCase();
}

/** What a value of `type` must be written as. */
function needs(type: TypeSpec): string {
  switch (type.kind) {
    case 'bool': return 'true, false, 0 or 1';
    case 'byte': case 'i16': case 'i32': case 'i64': return 'an integer';
    case 'double': return 'a number';
    case 'string': case 'binary': return 'a string';
    case 'uuid': return "a uuid string ('xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx', or in braces)";
    case 'enum': return `an item of enum '${type.name}' (or its integer value)`;
    case 'list': case 'set': return 'a list [...]';
    case 'map': return 'a map {...}';
    case 'struct': return `a map of field names to values {"field": ...}`;
  }
} // prettier-ignore

/** How `v` reads in an error message. */
function describe(v: A.ConstValue): string {
  switch (v.kind) {
    case 'ConstInt': return `integer ${v.text}`;
    case 'ConstDouble': return `number ${v.text}`;
    case 'ConstString': return `string ${JSON.stringify(v.value)}`;
    case 'ConstIdentifier': return `'${v.name}'`;
    case 'ConstList': return 'a list';
    case 'ConstMap': return 'a map';
  }
} // prettier-ignore

/**
 * Types `v` against `type`, resolving names through `names`. Throws IdlCompileError at the
 * offending value for a mismatch, an integer out of range, a value that is not an enum item, a
 * bad uuid, or a bad struct constant.
 */
export function typeValue(v: A.ConstValue, type: TypeSpec, names: ValueNames): ConstValueSpec {
  return bounded(typeValueUnbounded(v, type, names), v.loc);
}

function typeValueUnbounded(v: A.ConstValue, type: TypeSpec, names: ValueNames): ConstValueSpec {
  // a struct or enum that failed to compile has its own error; what follows from it is not one
  if (type.kind === 'struct' || type.kind === 'enum') checkNotBroken(type);
  if (v.kind === 'ConstIdentifier' && v.name !== 'true' && v.name !== 'false') {
    return namedValue(v, names.resolve(v, type), type);
  }
  const fail = (why?: string): IdlCompileError =>
    new IdlCompileError(
      why ?? `expected ${needs(type)} for ${typeName(type)}, found ${describe(v)}`,
      v.loc,
    );
  switch (type.kind) {
    case 'bool':
      if (v.kind === 'ConstIdentifier') return scalar(v.name === 'true');
      if (v.kind === 'ConstInt' && (v.value === 0n || v.value === 1n))
        return scalar(v.value === 1n);
      throw fail();
    case 'byte':
    case 'i16':
    case 'i32':
    case 'i64':
    case 'enum': {
      if (v.kind !== 'ConstInt') throw fail();
      const problem = intProblem(v.value, type);
      if (problem !== undefined) throw fail(problem);
      return intScalar(v.value, type);
    }
    case 'double':
      if (v.kind === 'ConstInt' || v.kind === 'ConstDouble') {
        const d = Number(v.value);
        if (!Number.isFinite(d)) {
          throw fail(
            `integer ${v.kind === 'ConstInt' ? v.text : ''} is too large for a double (it would be Infinity)`,
          );
        }
        return scalar(d);
      }
      throw fail();
    case 'string':
    case 'binary':
    case 'uuid': {
      if (v.kind !== 'ConstString') throw fail();
      if (type.kind === 'string') return scalar(v.value);
      if (type.kind === 'binary') return scalar(encoder.encode(v.value));
      const text = uuidText(v.value);
      if (text === undefined) throw fail(`${describe(v)} is not a uuid; ${needs(type)}`);
      return scalar(text);
    }
    case 'list':
    case 'set':
      if (v.kind === 'ConstMap') return emptyContainer(v, v.entries.length, type, names);
      if (v.kind !== 'ConstList') throw fail();
      return { kind: 'list', values: v.values.map((x) => typeValue(x, type.valueType, names)) };
    case 'map':
      if (v.kind === 'ConstList') return emptyContainer(v, v.values.length, type, names);
      if (v.kind !== 'ConstMap') throw fail();
      return {
        kind: 'map',
        entries: v.entries.map(
          (e) =>
            [
              typeValue(e.key, type.keyType, names),
              typeValue(e.value, type.valueType, names),
            ] as const,
        ),
      };
    case 'struct':
      if (v.kind !== 'ConstMap') throw fail();
      return structValue(v, type, names);
  }
}

/**
 * `{}` written for a list or set, or `[]` for a map: the empty container in the apache dialect
 * (Apache's compiler takes either for any container). Throws IdlCompileError when the container
 * is not empty (Apache would silently drop its entries) or the dialect is thriftrw.
 */
function emptyContainer(
  v: A.ConstList | A.ConstMap,
  size: number,
  type: TypeSpec,
  names: ValueNames,
): ConstValueSpec {
  const [written, wanted] = v.kind === 'ConstMap' ? ['{...}', '[...]'] : ['[...]', '{...}'];
  const what = typeName(type);
  if (size > 0) {
    throw new IdlCompileError(
      `expected ${needs(type)} for ${what}, found ${describe(v)}: Apache's compiler accepts ` +
        `${written} here but silently drops its entries (it makes an empty ${type.kind}), so the ` +
        `codec refuses it. Please write the ${type.kind} as ${wanted}`,
      v.loc,
    );
  }
  if (!names.apacheSyntax) {
    throw new IdlCompileError(
      `expected ${needs(type)} for ${what}, found ${describe(v)} (the thriftrw dialect wants ` +
        `${wanted.replace('...', '')} for an empty ${type.kind}; the apache dialect also takes ` +
        `${written.replace('...', '')}, as Apache's compiler does). Please write ` +
        `${wanted.replace('...', '')}`,
      v.loc,
    );
  }
  return type.kind === 'map' ? { kind: 'map', entries: [] } : { kind: 'list', values: [] };
}

/** A constant of struct, union or exception `spec`, written as a map of field names. */
function structValue(v: A.ConstMap, spec: StructSpec, names: ValueNames): ConstValueSpec {
  const what = `${spec.variant} '${spec.name}'`;
  const fields: (readonly [string, ConstValueSpec])[] = [];
  const seen = new Map<string, SourceLocation>();
  for (const e of v.entries) {
    if (e.key.kind !== 'ConstString') {
      throw new IdlCompileError(
        `the keys of a constant of ${what} must be field names in quotes, found ${describe(e.key)}`,
        e.key.loc,
      );
    }
    const name = e.key.value;
    const field = spec.fields.find((f) => f.name === name);
    if (field === undefined) {
      const hint = suggest(
        name,
        spec.fields.map((f) => f.name),
      );
      const list = spec.fields.map((f) => f.name).join(', ');
      throw new IdlCompileError(
        `${what} has no field '${name}'${hint === '' ? ` (its fields: ${list === '' ? 'none' : list})` : hint}`,
        e.key.loc,
      );
    }
    const first = seen.get(name);
    if (first !== undefined) {
      throw new IdlCompileError(
        `field '${name}' is set twice in this constant of ${what} (first at ${formatLocation(first)})`,
        e.key.loc,
        [first],
      );
    }
    seen.set(name, e.key.loc);
    fields.push([name, typeValue(e.value, field.type, names)]);
  }
  if (spec.variant === 'union' && fields.length !== 1) {
    const set = fields.length === 0 ? 'none' : fields.map(([n]) => n).join(', ');
    throw new IdlCompileError(
      `a constant of ${what} must set exactly one field, found ${fields.length} (${set})`,
      v.loc,
    );
  }
  for (const f of spec.fields) {
    if (f.requiredness === 'required' && f.defaultValue === undefined && !seen.has(f.name)) {
      throw new IdlCompileError(
        `this constant of ${what} is missing the required field '${f.name}'. ` +
          `Please add "${f.name}": <value>`,
        v.loc,
        [f.loc],
      );
    }
  }
  return { kind: 'struct', spec, fields };
}

/** The value of a name (constant or enum item) used where a `type` is expected. */
function namedValue(id: A.ConstIdentifier, ref: NamedValue, type: TypeSpec): ConstValueSpec {
  if (ref.kind === 'item') {
    const n = BigInt(ref.item.value);
    if (type.kind === 'enum' && ref.enum !== type) {
      throw new IdlCompileError(
        `'${id.name}' is an item of enum '${ref.enum.name}', not of enum '${type.name}'`,
        id.loc,
        [ref.item.loc],
      );
    }
    if (type.kind === 'double') return scalar(Number(n));
    const problem = type.kind === 'enum' || isInt(type) ? intProblem(n, type) : needs(type);
    if (problem === undefined) return intScalar(n, type);
    throw new IdlCompileError(
      `enum item '${id.name}' (${ref.item.value}) cannot be used as ${typeName(type)}: ` +
        (type.kind === 'enum' || isInt(type) ? problem : `expected ${problem}`),
      id.loc,
      [ref.item.loc],
    );
  }
  const c = ref.spec;
  try {
    return coerce(c.value, c.type, type);
  } catch (e) {
    if (!(e instanceof Reject)) throw e;
    throw new IdlCompileError(
      `constant '${id.name}' of type ${typeName(c.type)} cannot be used as ${typeName(type)}` +
        (e.detail === '' ? '' : `: ${e.detail}`),
      id.loc,
      [c.loc],
    );
  }
}

/** Whether the value `ref` names would be accepted where a value of `type` is wanted. */
export function fits(ref: NamedValue, type: TypeSpec): boolean {
  const loc = ref.kind === 'constant' ? ref.spec.loc : ref.item.loc;
  const id: A.ConstIdentifier = { kind: 'ConstIdentifier', name: '', loc };
  try {
    namedValue(id, ref, type);
    return true;
  } catch {
    return false;
  }
}

/** Thrown inside `coerce` when a value does not fit; `detail` may say why. */
class Reject {
  constructor(readonly detail: string) {}
}

/** Converts the value of a constant of type `from` to type `to`, or throws Reject. */
function coerce(value: ConstValueSpec, from: TypeSpec, to: TypeSpec): ConstValueSpec {
  if (from === to) return value;
  if (value.kind === 'scalar') {
    const v = value.value;
    if ((typeof v === 'number' || typeof v === 'bigint') && (isInt(from) || from.kind === 'enum')) {
      if (from.kind === 'enum' && to.kind === 'enum') throw new Reject('');
      const n = BigInt(v);
      if (to.kind === 'double') return scalar(Number(n));
      if (!isInt(to) && to.kind !== 'enum') throw new Reject('');
      const problem = intProblem(n, to);
      if (problem !== undefined) throw new Reject(problem);
      return intScalar(n, to);
    }
    if (from.kind === to.kind && from.kind !== 'enum' && from.kind !== 'struct') return value;
    if (typeof v === 'string' && from.kind === 'string' && to.kind === 'binary') {
      return scalar(encoder.encode(v));
    }
    if (typeof v === 'string' && from.kind === 'string' && to.kind === 'uuid') {
      const text = uuidText(v);
      if (text === undefined) throw new Reject(`${JSON.stringify(v)} is not a uuid`);
      return scalar(text);
    }
    if (from.kind === 'uuid' && to.kind === 'string') return value;
  }
  const fromList = from.kind === 'list' || from.kind === 'set';
  if (value.kind === 'list' && fromList && (to.kind === 'list' || to.kind === 'set')) {
    return {
      kind: 'list',
      values: value.values.map((x) => coerce(x, from.valueType, to.valueType)),
    };
  }
  if (value.kind === 'map' && from.kind === 'map' && to.kind === 'map') {
    return {
      kind: 'map',
      entries: value.entries.map(
        ([k, x]) =>
          [coerce(k, from.keyType, to.keyType), coerce(x, from.valueType, to.valueType)] as const,
      ),
    };
  }
  throw new Reject('');
}
