/**
 * A neutral description of an IDL's types, read off npm thriftrw's parsed model, which the
 * adapters walk to convert values between OUR representation and each library's own. (thriftrw is
 * the parser here because it is already a dependency and exposes its model; it has no uuid.)
 * Also: `sameValue`, a structural equality of values in OUR representation.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** A base type of the binary protocol (uuid excluded: npm thriftrw lacks it). */
export type BaseKind = 'bool' | 'i8' | 'i16' | 'i32' | 'i64' | 'double' | 'string' | 'binary';

/** A resolved type (typedefs are followed). Struct references are by name, so cycles are fine. */
export type TypeRef =
  | { readonly kind: BaseKind }
  | {
      readonly kind: 'enum';
      readonly name: string;
      readonly namesToValues: ReadonlyMap<string, number>;
      readonly valuesToNames: ReadonlyMap<number, string>;
    }
  | { readonly kind: 'list' | 'set'; readonly elem: TypeRef }
  | { readonly kind: 'map'; readonly key: TypeRef; readonly value: TypeRef }
  | { readonly kind: 'struct'; readonly name: string };

/** One field of a struct, union, exception, arguments or result struct. */
export interface FieldShape {
  readonly id: number;
  readonly name: string;
  readonly type: TypeRef;
  readonly required: boolean;
  readonly optional: boolean;
}

/** A struct-like type; `name` is the thriftrw model name (`Svc::fn_args` for arguments). */
export interface StructShape {
  readonly name: string;
  readonly variant: 'struct' | 'union' | 'exception';
  readonly fields: readonly FieldShape[];
}

/** One function of a service, with the names of its arguments and result structs. */
export interface FunctionShape {
  readonly name: string;
  readonly oneway: boolean;
  readonly args: string;
  readonly result: string;
}

/** The structs and services of one IDL file. */
export interface Schema {
  readonly source: string;
  readonly structs: ReadonlyMap<string, StructShape>;
  readonly services: ReadonlyMap<string, ReadonlyMap<string, FunctionShape>>;
}

// ---- the slice of npm thriftrw's model that is read here -----------------------------------

/** A thriftrw value type (ThriftI32, ThriftList, ThriftStruct, ...). */
export interface RwType {
  readonly name: string;
  readonly typeid: number;
  readonly valueType?: RwType;
  readonly rw?: { readonly ktype?: RwType; readonly vtype?: RwType };
  readonly namesToValues?: Record<string, number>;
  readonly fields?: readonly RwField[];
  readonly isUnion?: boolean;
  readonly isException?: boolean;
}
/** A thriftrw struct field. */
export interface RwField {
  readonly id: number;
  readonly name: string;
  readonly required: boolean;
  readonly optional: boolean;
  readonly valueType: RwType;
}
/** A thriftrw service model. */
export interface RwService {
  readonly name: string;
  readonly functions: readonly {
    readonly name: string;
    readonly oneway: boolean;
    readonly args: RwType;
    readonly result: RwType;
  }[];
}
/** A thriftrw `Thrift` instance (only what the adapters use). */
export interface RwThrift {
  readonly models: Record<string, RwType | RwService>;
  readonly services: Record<string, RwService>;
  getType(name: string): RwStructModel;
  [name: string]: unknown;
}
/** A thriftrw struct model: its constructor and toBuffer/fromBuffer. */
export interface RwStructModel extends RwType {
  readonly Constructor: new (fields?: object) => Record<string, unknown>;
  toBuffer(value: unknown): Buffer;
  fromBuffer(bytes: Buffer): Record<string, unknown>;
}

/**
 * Parses IDL text with npm thriftrw (`strict: false, allowOptionalArguments: true`), the way both
 * the thriftrw adapter and the schema use it. Throws thriftrw's error for IDL it cannot read.
 */
export function thriftrwFromSource(source: string): RwThrift {
  const { Thrift } = require('thriftrw') as {
    Thrift: new (o: {
      source: string;
      strict: boolean;
      allowOptionalArguments: boolean;
    }) => RwThrift;
  };
  return new Thrift({ source, strict: false, allowOptionalArguments: true });
}

function isService(m: RwType | RwService): m is RwService {
  return Array.isArray((m as RwService).functions);
}

function typeRef(t: RwType): TypeRef {
  switch (t.name) {
    case 'boolean':
      return { kind: 'bool' };
    case 'byte':
    case 'i8':
      return { kind: 'i8' };
    case 'i16':
    case 'i32':
    case 'i64':
    case 'double':
    case 'string':
    case 'binary':
      return { kind: t.name };
    case 'list':
    case 'set':
      if (!t.valueType) throw new Error(`thriftrw ${t.name} without a value type`);
      return { kind: t.name, elem: typeRef(t.valueType) };
    case 'map': {
      const k = t.rw?.ktype;
      const v = t.rw?.vtype;
      if (!k || !v) throw new Error('thriftrw map without key/value types');
      return { kind: 'map', key: typeRef(k), value: typeRef(v) };
    }
    default:
      if (t.namesToValues) {
        const n2v = new Map(Object.entries(t.namesToValues));
        return {
          kind: 'enum',
          name: t.name,
          namesToValues: n2v,
          valuesToNames: new Map([...n2v].map(([k, v]) => [v, k])),
        };
      }
      if (t.fields) return { kind: 'struct', name: t.name };
      throw new Error(`unsupported thriftrw type ${t.name} (typeid ${t.typeid})`);
  }
}

function structShape(name: string, t: RwType): StructShape {
  return {
    name,
    variant: t.isUnion ? 'union' : t.isException ? 'exception' : 'struct',
    fields: (t.fields ?? []).map((f) => ({
      id: f.id,
      name: f.name,
      type: typeRef(f.valueType),
      required: Boolean(f.required),
      optional: Boolean(f.optional),
    })),
  };
}

/** Builds the Schema of an already parsed thriftrw instance. */
export function schemaOf(thrift: RwThrift, source: string): Schema {
  const structs = new Map<string, StructShape>();
  const services = new Map<string, Map<string, FunctionShape>>();
  for (const [name, model] of Object.entries(thrift.models)) {
    if (isService(model)) {
      const fns = new Map<string, FunctionShape>();
      for (const fn of model.functions) {
        fns.set(fn.name, {
          name: fn.name,
          oneway: Boolean(fn.oneway),
          args: `${model.name}::${fn.name}_args`,
          result: `${model.name}::${fn.name}_result`,
        });
      }
      services.set(name, fns);
    } else if (model.fields && !name.startsWith('ThriftMessageEnvelope')) {
      structs.set(name, structShape(name, model));
    }
  }
  return { source, structs, services };
}

/** Reads and parses an IDL file into a Schema. Throws for a missing file or unreadable IDL. */
export function loadSchema(idlPath: string): Schema {
  const source = readFileSync(idlPath, 'utf8');
  return schemaOf(thriftrwFromSource(source), source);
}

/** The struct named `name`. Throws when the schema has none. */
/**
 * Returns a plain object of the fields of `v` that are set (not undefined or null), each passed
 * through `convert` with its type. Shared by the adapters' struct conversions.
 */
export function mapSetFields(
  s: StructShape,
  v: Record<string, unknown>,
  convert: (t: TypeRef, x: unknown) => unknown,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of s.fields) {
    const x = v[f.name];
    if (x !== undefined && x !== null) out[f.name] = convert(f.type, x);
  }
  return out;
}

export function structOf(schema: Schema, name: string): StructShape {
  const s = schema.structs.get(name);
  if (!s) throw new Error(`no struct, union or exception named ${name} in the IDL`);
  return s;
}

/** The function `fn` of `service`. Throws when the schema has none. */
export function functionOf(schema: Schema, service: string, fn: string): FunctionShape {
  const f = schema.services.get(service)?.get(fn);
  if (!f) throw new Error(`no function ${service}.${fn} in the IDL`);
  return f;
}

/** Which TApplicationException fields an EXCEPTION envelope body carries, in OUR representation. */
export interface AppExceptionValue {
  message?: string | undefined;
  type?: number | undefined;
}

// ---- equality -------------------------------------------------------------------------------

function isPlainRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

/**
 * Structural equality of two values in OUR representation, ignoring classes and prototypes:
 * numbers by Object.is (NaN equals NaN, -0 differs from 0), bigint by value, Uint8Array (and
 * Buffer) by bytes, Set and Map by membership (primitive keys) or, failing that, in order, objects
 * by own enumerable properties where a property that is undefined or null counts as absent.
 */
export function sameValue(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' || typeof b === 'number') return Object.is(a, b);
  if (a === b) return true;
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    if (!(a instanceof Uint8Array && b instanceof Uint8Array) || a.length !== b.length)
      return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!(Array.isArray(a) && Array.isArray(b)) || a.length !== b.length) return false;
    return a.every((x, i) => sameValue(x, b[i]));
  }
  if (a instanceof Set || b instanceof Set) {
    if (!(a instanceof Set && b instanceof Set) || a.size !== b.size) return false;
    if ([...a].every((x) => b.has(x))) return true;
    return sameValue([...a], [...b]);
  }
  if (a instanceof Map || b instanceof Map) {
    if (!(a instanceof Map && b instanceof Map) || a.size !== b.size) return false;
    if ([...a].every(([k, v]) => b.has(k) && sameValue(v, b.get(k)))) return true;
    return sameValue([...a], [...b]);
  }
  if (isPlainRecord(a) && isPlainRecord(b)) {
    const keys = (o: Record<string, unknown>): string[] =>
      Object.keys(o).filter((k) => o[k] !== undefined && o[k] !== null);
    const ka = keys(a);
    const kb = keys(b);
    if (ka.length !== kb.length) return false;
    return ka.every((k) => sameValue(a[k], b[k]));
  }
  return false;
}

/** A short printable form of a value in OUR representation, for test messages. */
export function show(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => {
    if (typeof x === 'bigint') return `${x}n`;
    if (typeof x === 'number' && !Number.isFinite(x)) return String(x);
    if (typeof x === 'number' && Object.is(x, -0)) return '-0';
    if (x instanceof Uint8Array) return `bytes(${Buffer.from(x).toString('hex')})`;
    if (x instanceof Set) return { set: [...(x as Set<unknown>)] };
    if (x instanceof Map) return { map: [...(x as Map<unknown, unknown>)] };
    return x;
  });
}
