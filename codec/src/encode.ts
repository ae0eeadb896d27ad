/**
 * The binary encoder: compiled once per struct type into two specialised functions, `size`
 * (validates every value and computes the exact byte length) and `write` (writes into a buffer of
 * exactly that length). Validation errors name the field path: `User.emails[2]: expected a string`.
 */
import { ValidationError } from './errors.js';
import { BinarySize, BinaryWriter } from './protocol/binary/writer.js';
import { envelopeHeaderSize, writeEnvelopeHeader } from './protocol/binary/envelope.js';
import { utf8Length } from './util/utf8.js';
import {
  invalidLeafExpr,
  keyText,
  loneSurrogateError,
  prefixPath,
  typeMismatch,
  UUID_RE,
} from './schema/checks.js';
import { CodeGen, lit, prop } from './schema/codegen.js';
import type { StructSpec, TypeSpec } from './schema/spec.js';
import { classFor } from './schema/struct-class.js';
import { uuidToBytes } from './schema/uuid.js';
import type { MessageTypeCode } from './wire/message-type.js';
import { TType } from './wire/ttype.js';

/** A compiled encoder for one struct-like type. */
export interface StructEncoder {
  /** Validates `o` and returns its encoded length in bytes. Throws ValidationError. */
  size(o: object): number;
  /** Writes `o` (already sized) into `w`. */
  write(w: BinaryWriter, o: object): void;
}

/** Returns the wire type code of a type spec. */
export function ttypeOf(t: TypeSpec): number {
  switch (t.kind) {
    case 'bool':
      return TType.BOOL;
    case 'byte':
      return TType.BYTE;
    case 'i16':
      return TType.I16;
    case 'i32':
    case 'enum':
      return TType.I32;
    case 'i64':
      return TType.I64;
    case 'double':
      return TType.DOUBLE;
    case 'string':
    case 'binary':
      return TType.STRING;
    case 'uuid':
      return TType.UUID;
    case 'list':
      return TType.LIST;
    case 'set':
      return TType.SET;
    case 'map':
      return TType.MAP;
    case 'struct':
      return TType.STRUCT;
  }
}

const FIXED: Partial<Record<TypeSpec['kind'], number>> = {
  bool: BinarySize.bool,
  byte: BinarySize.byte,
  i16: BinarySize.i16,
  i32: BinarySize.i32,
  enum: BinarySize.i32,
  i64: BinarySize.i64,
  double: BinarySize.double,
  uuid: BinarySize.uuid,
};

const encoders = new WeakMap<StructSpec, StructEncoder>();

function unionCount(name: string, n: number): ValidationError {
  return new ValidationError(name, `a union needs exactly one field set, got ${n}`);
}

/**
 * Returns the (cached) encoder of a struct-like spec. It is compiled on its first use, so a
 * schema with thousands of nested struct types compiles one type at a time, never recursively.
 */
export function encoderFor(spec: StructSpec): StructEncoder {
  const cached = encoders.get(spec);
  if (cached) return cached;
  const compile = (): StructEncoder => {
    const enc = compileEncoder(spec); // the slot is left as is when compiling throws
    slot.size = enc.size;
    slot.write = enc.write;
    return enc;
  };
  const slot: StructEncoder = {
    size: (o) => compile().size(o),
    write: (w, o) => compile().write(w, o),
  };
  encoders.set(spec, slot);
  return slot;
}

/** Struct-like types with more fields than this size and write container fields in helpers. */
const INLINE_FIELDS = 64;

function compileEncoder(spec: StructSpec): StructEncoder {
  const g = new CodeGen();
  const $mismatch = g.ref(typeMismatch);
  const $prefix = g.ref(prefixPath);
  const $utf8Length = g.ref(utf8Length);
  const $lone = g.ref(loneSurrogateError);
  const $keyText = g.ref(keyText);
  const $uuidRe = g.ref(UUID_RE);
  const $uuidBytes = g.ref(uuidToBytes);

  /** Statements that validate `v` (of type t) and add its size to `n`. `rel` = path expr. */
  function sizeStmts(t: TypeSpec, v: string, rel: string): string {
    const bad = invalidLeafExpr(t, v, $uuidRe);
    const fail = `throw ${$mismatch}(${rel}, ${g.ref(t)}, ${v});`;
    const fixed = FIXED[t.kind];
    if (bad !== undefined && fixed !== undefined) return `if (${bad}) ${fail} n += ${fixed};`;
    switch (t.kind) {
      case 'string': {
        const L = g.local('L');
        return `if (${bad}) ${fail} const ${L} = ${$utf8Length}(${v}); if (${L} < 0) throw ${$lone}(${rel}); n += 4 + ${L};`;
      }
      case 'binary':
        return `if (${bad}) ${fail} n += 4 + ${v}.length;`;
      case 'list': {
        const i = g.local('i');
        const e = g.local('e');
        return `if (!Array.isArray(${v})) ${fail} n += 5;
for (let ${i} = 0; ${i} < ${v}.length; ${i}++) { const ${e} = ${v}[${i}]; ${sizeStmts(t.valueType, e, `${rel} + '[' + ${i} + ']'`)} }`;
      }
      case 'set': {
        const i = g.local('i');
        const e = g.local('e');
        return `if (!(${v} instanceof Set) && !Array.isArray(${v})) ${fail} n += 5; let ${i} = 0;
for (const ${e} of ${v}) { ${sizeStmts(t.valueType, e, `${rel} + '[' + ${i} + ']'`)} ${i}++; }`;
      }
      case 'map': {
        const k = g.local('k');
        const x = g.local('x');
        return `if (!(${v} instanceof Map)) ${fail} n += 6;
for (const [${k}, ${x}] of ${v}) { ${sizeStmts(t.keyType, k, `${rel} + '{' + ${$keyText}(${k}) + '}'`)} ${sizeStmts(t.valueType, x, `${rel} + '[' + ${$keyText}(${k}) + ']'`)} }`;
      }
      case 'struct': {
        const C = g.ref(classFor(t));
        const E = g.ref(encoderFor(t));
        const call = `n += ${E}.size(${v});`;
        return `if (!(${v} instanceof ${C})) ${fail} ${rel === "''" ? call : `try { ${call} } catch (err) { throw ${$prefix}(err, ${rel}); }`}`;
      }
      default:
        throw new Error(`no size rule for ${t.kind}`);
    }
  }

  /** Statements that write `v` (of type t) with writer `w`. */
  function writeStmts(t: TypeSpec, v: string): string {
    switch (t.kind) {
      case 'bool':
        return `w.bool(${v});`;
      case 'byte':
        return `w.byte(${v});`;
      case 'i16':
        return `w.i16(${v});`;
      case 'i32':
      case 'enum':
        return `w.i32(${v});`;
      case 'i64':
        return `w.i64(${v});`;
      case 'double':
        return `w.double(${v});`;
      case 'string':
        return `w.string(${v});`;
      case 'binary':
        return `w.binary(${v});`;
      case 'uuid':
        return `w.raw(${$uuidBytes}(${v}));`;
      case 'list': {
        const i = g.local('i');
        const e = g.local('e');
        return `w.listBegin(${ttypeOf(t.valueType)}, ${v}.length);
for (let ${i} = 0; ${i} < ${v}.length; ${i}++) { const ${e} = ${v}[${i}]; ${writeStmts(t.valueType, e)} }`;
      }
      case 'set': {
        const e = g.local('e');
        return `w.listBegin(${ttypeOf(t.valueType)}, ${v} instanceof Set ? ${v}.size : ${v}.length);
for (const ${e} of ${v}) { ${writeStmts(t.valueType, e)} }`;
      }
      case 'map': {
        const k = g.local('k');
        const x = g.local('x');
        return `w.mapBegin(${ttypeOf(t.keyType)}, ${ttypeOf(t.valueType)}, ${v}.size);
for (const [${k}, ${x}] of ${v}) { ${writeStmts(t.keyType, k)} ${writeStmts(t.valueType, x)} }`;
      }
      case 'struct':
        return `${g.ref(encoderFor(t))}.write(w, ${v});`;
    }
  }

  const isUnion = spec.variant === 'union';
  const sizeBody: string[] = [];
  const writeBody: string[] = [];
  // Wide structs size and write their container fields in helper functions, so that no generated
  // function grows past what V8 compiles (16,000 container fields in one overflow its stack).
  const helpers: string[] = [];
  const wide = spec.fields.length > INLINE_FIELDS;
  for (const f of spec.fields) {
    const v = g.local('f');
    const get = prop('o', f.name);
    const required = f.requiredness === 'required' && !isUnion;
    let sizeIt = sizeStmts(f.type, v, "''");
    let writeIt = writeStmts(f.type, v);
    if (wide && (f.type.kind === 'list' || f.type.kind === 'set' || f.type.kind === 'map')) {
      const hs = g.local('size');
      const hw = g.local('write');
      helpers.push(`function ${hs}(${v}) { let n = 0; ${sizeIt} return n; }
function ${hw}(w, ${v}) { ${writeIt} }`);
      sizeIt = `n += ${hs}(${v});`;
      writeIt = `${hw}(w, ${v});`;
    }
    sizeBody.push(`cur = ${lit('.' + f.name)}; const ${v} = ${get};
if (${v} !== undefined && ${v} !== null) { n += 3; ${isUnion ? 'count++;' : ''} ${sizeIt} }${
      required ? ` else throw new ${g.ref(ValidationError)}('', 'is required but is not set');` : ''
    }`);
    writeBody.push(`const ${v} = ${get};
if (${v} !== undefined && ${v} !== null) { w.fieldBegin(${ttypeOf(f.type)}, ${f.id}); ${writeIt} }`);
  }
  const $unionCount = g.ref(unionCount);
  const code = `
${helpers.join('\n')}
function size(o) {
  let n = 1; let cur = ''; ${isUnion ? 'let count = 0;' : ''}
  try {
    ${sizeBody.join('\n    ')}
  } catch (err) { throw ${$prefix}(err, cur); }
  ${isUnion ? `if (count !== 1) throw ${$unionCount}('', count);` : ''}
  return n;
}
function write(w, o) {
  ${writeBody.join('\n  ')}
  w.fieldStop();
}
return { size, write };`;
  return g.compile<StructEncoder>(code);
}

/** The constructor of a generated class carries its spec; returns it or throws ValidationError. */
export function specOf(value: unknown, what = 'dumps'): StructSpec {
  // Through the prototype, not `value.constructor`: a field may be named `constructor`.
  const spec =
    typeof value === 'object' && value !== null
      ? (Object.getPrototypeOf(value) as { constructor?: { __spec__?: StructSpec } } | null)
          ?.constructor?.__spec__
      : undefined;
  if (spec === undefined || typeof value !== 'object') {
    throw new ValidationError(
      what,
      `expected an instance of a generated struct, union, exception, request or response class, got ${
        value === null
          ? 'null'
          : typeof value === 'object'
            ? 'a plain object (build it with new Type({...}))'
            : typeof value
      }`,
    );
  }
  return spec;
}

/** Encodes a struct-like value with the binary protocol. Throws ValidationError naming the field path. */
export function encodeStruct(value: object): Uint8Array {
  const spec = specOf(value);
  const enc = encoderFor(spec);
  let n: number;
  try {
    n = enc.size(value);
  } catch (e) {
    throw prefixPath(e, spec.name);
  }
  const w = new BinaryWriter(n);
  enc.write(w, value);
  if (w.pos !== n) throw new Error(`encoder wrote ${w.pos} bytes but sized ${n} (a codec bug)`);
  return w.buf;
}

/** Options for writing an envelope. */
export interface MessageWriteOptions {
  /** Write the strict (versioned) header. Default true; thriftrw Python writes non-strict only. */
  readonly strict?: boolean;
}

/** Encodes `body` inside an envelope header. Throws ValidationError for an invalid body. */
export function encodeMessage(
  name: string,
  messageType: MessageTypeCode,
  seqid: number,
  body: object,
  options: MessageWriteOptions = {},
): Uint8Array {
  const strict = options.strict ?? true;
  if ((seqid | 0) !== seqid)
    throw new ValidationError('seqid', `expected an i32, got ${String(seqid)}`);
  const spec = specOf(body, 'dumps.message');
  const enc = encoderFor(spec);
  let n: number;
  try {
    n = enc.size(body);
  } catch (e) {
    throw prefixPath(e, spec.name);
  }
  const head = envelopeHeaderSize(name, strict);
  const w = new BinaryWriter(head + n);
  writeEnvelopeHeader(w, { name, messageType, seqid }, strict);
  enc.write(w, body);
  if (w.pos !== head + n)
    throw new Error(`encoder wrote ${w.pos} bytes but sized ${head + n} (a codec bug)`);
  return w.buf;
}
