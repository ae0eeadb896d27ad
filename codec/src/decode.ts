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
import { classFor, RAW } from './schema/struct-class.js';
import { bytesToUuid } from './schema/uuid.js';
import { materialize } from './schema/values.js';
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

/** Returns the (cached) compiled decoder of a struct-like spec. */
export function decoderFor(spec: StructSpec): StructDecoder {
  let dec = decoders.get(spec);
  if (dec) return dec;
  const slot: StructDecoder = {
    read: () => {
      throw new Error('decoder used while compiling');
    },
  };
  decoders.set(spec, slot);
  dec = compileDecoder(spec);
  slot.read = dec.read;
  return slot;
}

function compileDecoder(spec: StructSpec): StructDecoder {
  const g = new CodeGen();
  const $prefix = g.ref(prefixProtocolPath);
  const $mismatch = g.ref(elemMismatch);
  const $uuid = g.ref(bytesToUuid);
  const $min = g.ref(BinaryReader.minSize);

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
        const [at, et, n, i, a, e] = ['at', 'et', 'n', 'i', 'a', 'e'].map((p) => g.local(p)) as [
          string,
          string,
          string,
          string,
          string,
          string,
        ];
        const add = t.kind === 'list' ? `${a}[${i}] = ${e};` : `${a}.add(${e});`;
        return `{ r.enter(); const ${at} = r.pos; const ${et} = r.elemType();
const ${n} = r.containerSize(${$min}(${et}));
if (${et} !== ${want} && ${n} !== 0) throw ${$mismatch}(${at}, ${et}, ${want}, 'element');
const ${a} = ${t.kind === 'list' ? `new Array(${n})` : 'new Set()'}; let ${i} = 0;
try { for (; ${i} < ${n}; ${i}++) { let ${e}; ${readStmts(t.valueType, e)} ${add} } }
catch (err) { throw ${$prefix}(err, '[' + ${i} + ']'); }
r.depth--; ${target} = ${a}; }`;
      }
      case 'map': {
        const wk = ttypeOf(t.keyType);
        const wv = ttypeOf(t.valueType);
        const [at, kt, vt, n, i, m, k, x] = ['at', 'kt', 'vt', 'n', 'i', 'm', 'k', 'x'].map((p) =>
          g.local(p),
        ) as [string, string, string, string, string, string, string, string];
        return `{ r.enter(); const ${at} = r.pos; const ${kt} = r.elemType(); const ${vt} = r.elemType();
const ${n} = r.containerSize(${$min}(${kt}) + ${$min}(${vt}));
if (${n} !== 0) { if (${kt} !== ${wk}) throw ${$mismatch}(${at}, ${kt}, ${wk}, 'map key');
  if (${vt} !== ${wv}) throw ${$mismatch}(${at} + 1, ${vt}, ${wv}, 'map value'); }
const ${m} = new Map(); let ${i} = 0;
try { for (; ${i} < ${n}; ${i}++) { let ${k}, ${x}; ${t.keyType.kind === 'string' ? `${k} = r.mapKey();` : readStmts(t.keyType, k)} ${readStmts(t.valueType, x)} ${m}.set(${k}, ${x}); } }
catch (err) { throw ${$prefix}(err, '[' + ${i} + ']'); }
r.depth--; ${target} = ${m}; }`;
      }
    }
  }

  const isUnion = spec.variant === 'union';
  const C = g.ref(classFor(spec));
  const $RAW = g.ref(RAW);
  const vars = spec.fields.map(() => g.local('f'));
  const cases = spec.fields.map((f, idx) => {
    return `case ${f.id}: if (t === ${ttypeOf(f.type)}) { cur = ${lit('.' + f.name)}; ${readStmts(f.type, vars[idx]!)} cur = ''; } else r.skip(t); break;`;
  });
  const after: string[] = [];
  spec.fields.forEach((f, idx) => {
    const v = vars[idx]!;
    if (f.defaultValue !== undefined && !isUnion) {
      const dflt = g.ref(() => materialize(f.type, f.defaultValue!));
      after.push(`if (${v} === undefined) ${v} = ${dflt}();`);
    }
    if (f.requiredness === 'required' && !isUnion) {
      after.push(
        `if (${v} === undefined) throw ${$prefix}(${g.ref(missing)}(r.pos, ${lit(f.name)}, ${f.id}), ${lit('.' + f.name)});`,
      );
    }
  });
  if (isUnion) {
    const names = g.ref(spec.fields.map((f) => f.name));
    after.push(`{ const set = [${vars.map((v, i) => `${v} !== undefined ? ${names}[${i}] : undefined`).join(', ')}].filter((x) => x !== undefined);
if (set.length !== 1) throw ${g.ref(unionCount)}(r.pos, set);}`);
  }
  const code = `
function read(r) {
  r.enter();
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
  const o = new ${C}(${$RAW});
  ${spec.fields.map((f, i) => `o[${lit(f.name)}] = ${vars[i]};`).join(' ')}
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
    throw prefixProtocolPath(e, spec.name);
  }
  if (whole && r.pos !== r.end) {
    throw new InvalidDataError(`${r.end - r.pos} trailing bytes after the value`, r.pos, spec.name);
  }
  return v;
}
