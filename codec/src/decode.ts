/**
 * The decoders: compiled once per struct type and protocol (binary or compact) into a specialised
 * `read` function. The protocols share the generator; what differs (container and field headers,
 * type codes, bools in compact field headers) comes from a `ReadDialect`.
 *
 * Wire-type policy: a field whose id is unknown is skipped; a field whose id is known but whose
 * wire type disagrees with the IDL is also skipped (what Apache's generated code does, so a
 * changed field type reads as "missing"), and a required field that ends up missing is then an
 * error. A container whose element types disagree with the IDL is rejected (InvalidDataError),
 * except when it is empty. A union must arrive with exactly one field set.
 */
import { InvalidDataError, ProtocolError } from './errors.js';
import { BinaryReader } from './protocol/binary/reader.js';
import { CompactReader } from './protocol/compact/reader.js';
import { compactOf, elemTypeName } from './protocol/compact/types.js';
import type { Protocol } from './protocol/protocol.js';
import type { DecodeLimits } from './protocol/limits.js';
import { CodeGen, lit } from './schema/codegen.js';
import type { StructSpec, TypeSpec } from './schema/spec.js';
import { classFor, isSharedDefault, lazyDefault, RAW } from './schema/struct-class.js';
import { bytesToUuid } from './schema/uuid.js';
import { ttypeName } from './wire/ttype.js';
import { ttypeOf } from './encode.js';

/** The reader of either protocol (the generated code calls the same method names on both). */
export type Reader = BinaryReader | CompactReader;

/** A compiled decoder for one struct-like type. */
export interface StructDecoder {
  /** Reads one value; throws ProtocolError subclasses with a path relative to this struct. */
  read(r: Reader): object;
}

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

function compactElemMismatch(
  at: number,
  got: number,
  want: number,
  what: string,
): InvalidDataError {
  return new InvalidDataError(
    `${what} type is ${elemTypeName(got)} (compact ${got}) but the IDL says ${elemTypeName(want)} (compact ${want})`,
    at,
  );
}

/**
 * What the decoder generator needs to know of a protocol: how container and field headers are
 * read, which type codes the IDL's types have on the wire, and how errors name them.
 */
interface ReadDialect {
  readonly protocol: Protocol;
  readonly decoders: WeakMap<StructSpec, StructDecoder>;
  readonly mismatch: typeof elemMismatch;
  /** The wire code of an element of `t`. */
  code(t: TypeSpec): number;
  /** An expression true when element type `et` is not the code `want` (compact bools: 1 or 2). */
  differs(et: string, want: number): string;
  /** Declares `et` and `n` from a list or set header. */
  listHead(et: string, n: string, g: CodeGen): string;
  /** Declares `kt`, `vt` and `n` from a map header. */
  mapHead(kt: string, vt: string, n: string, g: CodeGen): string;
  /** Code at the start of a struct's read (after `r.open()`) and before its end. */
  readonly enter: string;
  readonly leave: string;
  /** The loop's field header: declares `t` (breaking at STOP) and `id`. */
  readonly fieldHead: string;
  /** The `case` body for field `f` whose value is read by `read` (into `v`). */
  fieldCase(f: StructSpec['fields'][number], v: string, read: string, cur: string): string;
}

const BINARY: ReadDialect = {
  protocol: 'binary',
  decoders: new WeakMap(),
  mismatch: elemMismatch,
  code: ttypeOf,
  differs: (et, want) => `${et} !== ${want}`,
  listHead: (et, n, g) =>
    `const ${et} = r.elemType();
const ${n} = r.containerSize(${g.ref(BinaryReader.minSize)}(${et}));`,
  mapHead: (kt, vt, n, g) =>
    `const ${kt} = r.elemType(); const ${vt} = r.elemType();
const ${n} = r.containerSize(${g.ref(BinaryReader.minSize)}(${kt}) + ${g.ref(BinaryReader.minSize)}(${vt}));`,
  enter: '',
  leave: '',
  fieldHead: `const t = r.byte() & 255;
      if (t === 0) break;
      const id = r.i16();`,
  fieldCase: (f, v, read, cur) =>
    `case ${f.id}: if (t === ${ttypeOf(f.type)}) { ${cur} ${read} cur = ''; } else r.skip(t); break;`,
};

const COMPACT: ReadDialect = {
  protocol: 'compact',
  decoders: new WeakMap(),
  mismatch: compactElemMismatch,
  code: (t) => compactOf(ttypeOf(t)),
  differs: (et, want) => (want === 1 ? `(${et} !== 1 && ${et} !== 2)` : `${et} !== ${want}`),
  listHead: (et, n) => `const ${et} = r.listBegin(); const ${n} = r.size;`,
  mapHead: (kt, vt, n, g) => {
    const kv = g.local('kv');
    return `const ${kv} = r.mapBegin(); const ${kt} = ${kv} >> 4; const ${vt} = ${kv} & 15; const ${n} = r.size;`;
  },
  enter: 'const lastField = r.lastField; r.lastField = 0;',
  leave: 'r.lastField = lastField;',
  fieldHead: `const t = r.field();
      if (t === 0) break;
      const id = r.lastField;`,
  fieldCase: (f, v, read, cur) =>
    f.type.kind === 'bool'
      ? `case ${f.id}: if (t === 1 || t === 2) ${v} = t === 1; else r.skip(t); break;`
      : `case ${f.id}: if (t === ${compactOf(ttypeOf(f.type))}) { ${cur} ${read} cur = ''; } else r.skip(t); break;`,
};

const DIALECTS: Record<Protocol, ReadDialect> = { binary: BINARY, compact: COMPACT };

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
export function decoderFor(spec: StructSpec, protocol: Protocol = 'binary'): StructDecoder {
  const d = DIALECTS[protocol];
  const cached = d.decoders.get(spec);
  if (cached) return cached;
  const slot: StructDecoder = {
    read: (r) => {
      slot.read = compileDecoder(spec, d).read; // left as is when compiling throws
      return slot.read(r);
    },
  };
  d.decoders.set(spec, slot);
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

function compileDecoder(spec: StructSpec, d: ReadDialect): StructDecoder {
  const g = new CodeGen();
  const $prefix = g.ref(prefixProtocolPath);
  const $mismatch = g.ref(d.mismatch);
  const $uuid = g.ref(bytesToUuid);
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
        return `${target} = ${g.ref(decoderFor(t, d.protocol))}.read(r);`;
      case 'list':
      case 'set': {
        const want = d.code(t.valueType);
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
        return `{ r.open(); const ${at} = r.pos; ${d.listHead(et, n, g)}
if (${d.differs(et, want)} && ${n} !== 0) throw ${$mismatch}(${at}, ${et}, ${want}, 'element');
${isObjectValue(t.valueType) ? `r.reserve(${n});` : ''}
const ${a} = ${t.kind === 'list' ? `new Array(${n})` : 'new Set()'}; let ${i} = 0;
try { for (; ${i} < ${n}; ${i}++) { let ${e}; ${lossy ? `const ${p} = r.pos;` : ''} ${readStmts(t.valueType, e)} ${add} } }
catch (err) { throw ${$prefix}(err, '[' + ${i} + ']'); }
r.depth--; ${target} = ${a}; }`;
      }
      case 'map': {
        const wk = d.code(t.keyType);
        const wv = d.code(t.valueType);
        const [at, kt, vt, n, i, m, k, x, p] = ['at', 'kt', 'vt', 'n', 'i', 'm', 'k', 'x', 'p'].map(
          (y) => g.local(y),
        ) as [string, string, string, string, string, string, string, string, string];
        const lossy = t.keyType.kind === 'double';
        const objects = (isObjectValue(t.keyType) ? 1 : 0) + (isObjectValue(t.valueType) ? 1 : 0);
        return `{ r.open(); const ${at} = r.pos; ${d.mapHead(kt, vt, n, g)}
if (${n} !== 0) { if (${d.differs(kt, wk)}) throw ${$mismatch}(${at}, ${kt}, ${wk}, 'map key');
  if (${d.differs(vt, wv)}) throw ${$mismatch}(${at} + 1, ${vt}, ${wv}, 'map value'); }
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
    return d.fieldCase(f, v, read, `cur = ${lit('.' + f.name)};`);
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
  r.open();${d.enter}
  ${vars.length ? `let ${vars.join(', ')};` : ''}
  let cur = '';
  try {
    for (;;) {
      ${d.fieldHead}
      switch (id) {
        ${cases.join('\n        ')}
        default: r.skip(t);
      }
    }
  } catch (err) { throw ${$prefix}(err, cur); }
  r.depth--;${d.leave}
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
 * Decodes one value of `spec` from all of `bytes` with `protocol` (default binary; trailing bytes
 * are an error). Throws only ProtocolError subclasses, whose message names the type, field path
 * and byte offset.
 */
export function decodeStruct(
  spec: StructSpec,
  bytes: Uint8Array,
  limits?: DecodeLimits,
  protocol: Protocol = 'binary',
): object {
  if (protocol === 'compact') return readTop(spec, new CompactReader(bytes, limits), true);
  return readTop(spec, new BinaryReader(bytes, limits), true);
}

/**
 * Reads one value of `spec` from `r` (the protocol is the reader's); with `whole`, the value must
 * end the input. Throws ProtocolError subclasses.
 */
export function readTop(spec: StructSpec, r: Reader, whole: boolean): object {
  let v: object;
  try {
    const d =
      r instanceof BinaryReader
        ? (BINARY.decoders.get(spec) ?? decoderFor(spec))
        : decoderFor(spec, 'compact');
    v = d.read(r);
  } catch (e) {
    throw prefixProtocolPath(r.stackOverflow(e), spec.name);
  }
  if (whole && r.pos !== r.end) {
    throw new InvalidDataError(`${r.end - r.pos} trailing bytes after the value`, r.pos, spec.name);
  }
  return v;
}
