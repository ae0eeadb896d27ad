/**
 * The binary decoder: compiled once per struct type into a specialised `read` function.
 *
 * Wire-type policy: a field whose id is unknown is skipped; a field whose id is known but whose
 * wire type disagrees with the IDL is also skipped (what Apache's generated code does, so a
 * changed field type reads as "missing"), and a required field that ends up missing is then an
 * error. A container whose element types disagree with the IDL is rejected (InvalidDataError),
 * except when it is empty. A union must arrive with exactly one field set.
 */
import { InvalidDataError, ProtocolError } from './errors.js';
import { BinaryReader } from './protocol/binary/reader.js';
import type { DecodeLimits } from './protocol/limits.js';
import { CodeGen, lit } from './schema/codegen.js';
import type { StructSpec, TypeSpec } from './schema/spec.js';
import { classFor, isSharedDefault, lazyDefault, RAW } from './schema/struct-class.js';
import { bytesToUuid } from './schema/uuid.js';
import { ttypeName } from './wire/ttype.js';
import { ttypeOf } from './encode.js';

/** A compiled decoder for one struct-like type. */
export interface StructDecoder {
  /** Reads one value; throws ProtocolError subclasses with a path relative to this struct. */
  read(r: BinaryReader): object;
}

const decoders = new WeakMap<StructSpec, StructDecoder>();

/** Returns `e` with `seg` put in front of its path when it is a ProtocolError. */
export function prefixProtocolPath(e: unknown, seg: string): unknown {
  return e instanceof ProtocolError ? e.withPath(seg + e.path) : e;
}

function elemMismatch(at: number, got: number, want: number, what: string): InvalidDataError {
  return new InvalidDataError(
    `${what} type is ${ttypeName(got)} (${got}) but the IDL says ${ttypeName(want)} (${want})`,
    at,
  );
}

function missing(at: number, name: string, id: number): InvalidDataError {
  return new InvalidDataError(`required field '${name}' (id ${id}) is missing`, at);
}

function unionCount(at: number, names: string[]): InvalidDataError {
  return new InvalidDataError(
    names.length === 0
      ? 'union arrived with no field set (exactly one is needed)'
      : `union arrived with ${names.length} fields set (${names.join(', ')}); exactly one is needed`,
    at,
  );
}

/** The value a JavaScript Set or Map would change or drop (see the module comment). */
function lossyDouble(
  at: number,
  what: 'set element' | 'map key',
  negZero: boolean,
): InvalidDataError {
  const kind = what === 'set element' ? 'Set' : 'Map';
  return new InvalidDataError(
    negZero
      ? `${what} -0.0 cannot be kept: a JavaScript ${kind} stores it as 0.0; use list<double> (or a map keyed by another type) to carry -0.0`
      : `${what} NaN appears twice: a JavaScript ${kind} keeps one NaN, so the value would lose an element; use list<double> to carry several NaNs`,
    at,
  );
}

/**
 * Builds a decoded instance of class `C` (`new C(RAW)`). An exception class extends Error, whose
 * constructor captures a stack trace (about 700 bytes and a microsecond each); a decoded
 * exception's trace would only show the decoder, so it is built with `Error.stackTraceLimit` at 0.
 */
function rawException(C: new (raw: typeof RAW) => object): object {
  const saved = Error.stackTraceLimit;
  try {
    Error.stackTraceLimit = 0;
  } catch {
    return new C(RAW);
  }
  try {
    return new C(RAW);
  } finally {
    Error.stackTraceLimit = saved;
  }
}

/** Struct-like types with more fields than this read their container fields in helper functions. */
const INLINE_FIELDS = 64;

/**
 * Returns the (cached) decoder of a struct-like spec. It is compiled on its first use, so a
 * schema with thousands of nested struct types compiles one type at a time, never recursively.
 */
export function decoderFor(spec: StructSpec): StructDecoder {
  const cached = decoders.get(spec);
  if (cached) return cached;
  const slot: StructDecoder = {
    read: (r) => {
      slot.read = compileDecoder(spec).read; // left as is when compiling throws
      return slot.read(r);
    },
  };
  decoders.set(spec, slot);
  return slot;
}

/** Whether a decoded value of `t` is a JavaScript object (counted against `maxValues`). */
function isObjectValue(t: TypeSpec): boolean {
  return (
    t.kind === 'struct' ||
    t.kind === 'list' ||
    t.kind === 'set' ||
    t.kind === 'map' ||
    t.kind === 'binary'
  );
}

function compileDecoder(spec: StructSpec): StructDecoder {
  const g = new CodeGen();
  const $prefix = g.ref(prefixProtocolPath);
  const $mismatch = g.ref(elemMismatch);
  const $uuid = g.ref(bytesToUuid);
  const $min = g.ref(BinaryReader.minSize);
  const $lossy = g.ref(lossyDouble);

  /** Statements that read a value of type t into variable `target` (already declared). */
  function readStmts(t: TypeSpec, target: string): string {
    switch (t.kind) {
      case 'bool':
        return `${target} = r.bool();`;
      case 'byte':
        return `${target} = r.byte();`;
      case 'i16':
        return `${target} = r.i16();`;
      case 'i32':
      case 'enum':
        return `${target} = r.i32();`;
      case 'i64':
        return `${target} = r.i64();`;
      case 'double':
        return `${target} = r.double();`;
      case 'string':
        return `${target} = r.string();`;
      case 'binary':
        return `${target} = r.binary();`;
      case 'uuid':
        return `${target} = ${$uuid}(r.raw(16));`;
      case 'struct':
        return `${target} = ${g.ref(decoderFor(t))}.read(r);`;
      case 'list':
      case 'set': {
        const want = ttypeOf(t.valueType);
        const [at, et, n, i, a, e, p] = ['at', 'et', 'n', 'i', 'a', 'e', 'p'].map((x) =>
          g.local(x),
        ) as [string, string, string, string, string, string, string];
        // A Set cannot keep -0.0 (it stores 0.0) nor two NaNs: refuse rather than lose them.
        const lossy = t.kind === 'set' && t.valueType.kind === 'double';
        const add =
          t.kind === 'list'
            ? `${a}[${i}] = ${e};`
            : lossy
              ? `if (${e} === 0 ? 1 / ${e} < 0 : ${e} !== ${e} && ${a}.has(${e})) throw ${$lossy}(${p}, 'set element', ${e} === 0); ${a}.add(${e});`
              : `${a}.add(${e});`;
        return `{ r.open(); const ${at} = r.pos; const ${et} = r.elemType();
const ${n} = r.containerSize(${$min}(${et}));
if (${et} !== ${want} && ${n} !== 0) throw ${$mismatch}(${at}, ${et}, ${want}, 'element');
${isObjectValue(t.valueType) ? `r.reserve(${n});` : ''}
const ${a} = ${t.kind === 'list' ? `new Array(${n})` : 'new Set()'}; let ${i} = 0;
try { for (; ${i} < ${n}; ${i}++) { let ${e}; ${lossy ? `const ${p} = r.pos;` : ''} ${readStmts(t.valueType, e)} ${add} } }
catch (err) { throw ${$prefix}(err, '[' + ${i} + ']'); }
r.depth--; ${target} = ${a}; }`;
      }
      case 'map': {
        const wk = ttypeOf(t.keyType);
        const wv = ttypeOf(t.valueType);
        const [at, kt, vt, n, i, m, k, x, p] = ['at', 'kt', 'vt', 'n', 'i', 'm', 'k', 'x', 'p'].map(
          (y) => g.local(y),
        ) as [string, string, string, string, string, string, string, string, string];
        const lossy = t.keyType.kind === 'double';
        const objects = (isObjectValue(t.keyType) ? 1 : 0) + (isObjectValue(t.valueType) ? 1 : 0);
        return `{ r.open(); const ${at} = r.pos; const ${kt} = r.elemType(); const ${vt} = r.elemType();
const ${n} = r.containerSize(${$min}(${kt}) + ${$min}(${vt}));
if (${n} !== 0) { if (${kt} !== ${wk}) throw ${$mismatch}(${at}, ${kt}, ${wk}, 'map key');
  if (${vt} !== ${wv}) throw ${$mismatch}(${at} + 1, ${vt}, ${wv}, 'map value'); }
${objects === 0 ? '' : `r.reserve(${objects === 2 ? `2 * ${n}` : n});`}
const ${m} = new Map(); let ${i} = 0;
try { for (; ${i} < ${n}; ${i}++) { let ${k}, ${x}; ${lossy ? `const ${p} = r.pos;` : ''} ${t.keyType.kind === 'string' ? `${k} = r.mapKey();` : readStmts(t.keyType, k)}
${lossy ? `if (${k} === 0 ? 1 / ${k} < 0 : ${k} !== ${k} && ${m}.has(${k})) throw ${$lossy}(${p}, 'map key', ${k} === 0);` : ''}
${readStmts(t.valueType, x)} ${m}.set(${k}, ${x}); } }
catch (err) { throw ${$prefix}(err, '[' + ${i} + ']'); }
r.depth--; ${target} = ${m}; }`;
      }
    }
  }

  const isUnion = spec.variant === 'union';
  const C = g.ref(classFor(spec));
  const $RAW = g.ref(RAW);
  const vars = spec.fields.map(() => g.local('f'));
  // Wide structs read their container fields in helper functions, so that no generated function
  // grows past what V8 compiles (16,000 container fields in one function overflow its stack).
  const helpers: string[] = [];
  const wide = spec.fields.length > INLINE_FIELDS;
  const cases = spec.fields.map((f, idx) => {
    const v = vars[idx]!;
    let read = readStmts(f.type, v);
    if (wide && (f.type.kind === 'list' || f.type.kind === 'set' || f.type.kind === 'map')) {
      const h = g.local('read');
      helpers.push(`function ${h}(r) { let v; ${readStmts(f.type, 'v')} return v; }`);
      read = `${v} = ${h}(r);`;
    }
    return `case ${f.id}: if (t === ${ttypeOf(f.type)}) { cur = ${lit('.' + f.name)}; ${read} cur = ''; } else r.skip(t); break;`;
  });
  const after: string[] = [];
  const assign: string[] = [];
  const $define = g.ref(Object.defineProperty);
  spec.fields.forEach((f, idx) => {
    const v = vars[idx]!;
    const dflt = isUnion ? undefined : f.defaultValue;
    if (dflt !== undefined && isSharedDefault(dflt)) {
      after.push(`if (${v} === undefined) ${v} = ${g.ref((dflt as { value: unknown }).value)};`);
    } else if (f.requiredness === 'required' && !isUnion && dflt === undefined) {
      after.push(
        `if (${v} === undefined) throw ${$prefix}(${g.ref(missing)}(r.pos, ${lit(f.name)}, ${f.id}), ${lit('.' + f.name)});`,
      );
    }
    // A mutable default is built only when the field is first read (see lazyDefault).
    assign.push(
      dflt !== undefined && !isSharedDefault(dflt)
        ? `if (${v} === undefined) ${$define}(o, ${lit(f.name)}, ${g.ref(lazyDefault(f))}); else o[${lit(f.name)}] = ${v};`
        : `o[${lit(f.name)}] = ${v};`,
    );
  });
  if (isUnion) {
    const names = g.ref(spec.fields.map((f) => f.name));
    after.push(`{ const set = [${vars.map((v, i) => `${v} !== undefined ? ${names}[${i}] : undefined`).join(', ')}].filter((x) => x !== undefined);
if (set.length !== 1) throw ${g.ref(unionCount)}(r.pos, set);}`);
  }
  const make = spec.variant === 'exception' ? `${g.ref(rawException)}(${C})` : `new ${C}(${$RAW})`;
  const code = `
${helpers.join('\n')}
function read(r) {
  r.open();
  ${vars.length ? `let ${vars.join(', ')};` : ''}
  let cur = '';
  try {
    for (;;) {
      const t = r.byte() & 255;
      if (t === 0) break;
      const id = r.i16();
      switch (id) {
        ${cases.join('\n        ')}
        default: r.skip(t);
      }
    }
  } catch (err) { throw ${$prefix}(err, cur); }
  r.depth--;
  ${after.join('\n  ')}
  const o = ${make};
  ${assign.join(' ')}
  return o;
}
return { read };`;
  return g.compile<StructDecoder>(code);
}

/** Options for decoding. */
export interface DecodeOptions {
  /** Limits (see DEFAULT_LIMITS): depth 64, string and container lengths, message size. */
  readonly limits?: DecodeLimits;
}

/**
 * Decodes one value of `spec` from all of `bytes` (trailing bytes are an error). Throws only
 * ProtocolError subclasses, whose message names the type, field path and byte offset.
 */
export function decodeStruct(spec: StructSpec, bytes: Uint8Array, limits?: DecodeLimits): object {
  const r = new BinaryReader(bytes, limits);
  return readTop(spec, r, true);
}

/** Reads one value of `spec` from `r`; with `whole`, the value must end the input. */
export function readTop(spec: StructSpec, r: BinaryReader, whole: boolean): object {
  let v: object;
  try {
    v = decoderFor(spec).read(r);
  } catch (e) {
    throw prefixProtocolPath(r.stackOverflow(e), spec.name);
  }
  if (whole && r.pos !== r.end) {
    throw new InvalidDataError(`${r.end - r.pos} trailing bytes after the value`, r.pos, spec.name);
  }
  return v;
}
