/**
 * The encoders: compiled once per struct type and protocol (binary or compact) into two
 * specialised functions, `size` (validates every value and computes the exact byte length) and
 * `write` (writes into a buffer of exactly that length). Validation errors name the field path:
 * `User.emails[2]: expected a string`. The two protocols share the generator; what differs
 * (header sizes, type codes, variable-length integers, bools in compact field headers) comes from
 * a `WireDialect`.
 */
import { ValidationError } from './errors.js';
import { BinarySize, BinaryWriter } from './protocol/binary/writer.js';
import { envelopeHeaderSize, writeEnvelopeHeader } from './protocol/binary/envelope.js';
import {
  compactEnvelopeHeaderSize,
  writeCompactEnvelopeHeader,
} from './protocol/compact/envelope.js';
import { CType, compactOf } from './protocol/compact/types.js';
import {
  CompactSize,
  CompactWriter,
  i64Size,
  varintSize,
  zigzagSize,
} from './protocol/compact/writer.js';
import type { Protocol } from './protocol/protocol.js';
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

/** The writer of either protocol (the generated code calls the same method names on both). */
export type Writer = BinaryWriter | CompactWriter;

/** A compiled encoder for one struct-like type. */
export interface StructEncoder {
  /** Validates `o` and returns its encoded length in bytes. Throws ValidationError. */
  size(o: object): number;
  /** Writes `o` (already sized) into `w` (a writer of the encoder's protocol). */
  write(w: Writer, o: object): void;
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

const COMPACT_FIXED: Partial<Record<TypeSpec['kind'], number>> = {
  bool: CompactSize.bool,
  byte: CompactSize.byte,
  double: CompactSize.double,
  uuid: CompactSize.uuid,
};

/**
 * What the encoder generator needs to know of a protocol: sizes of fixed values and headers (as
 * code), the type codes of container headers, and how a field header is sized and written.
 */
interface WireDialect {
  readonly protocol: Protocol;
  readonly fixed: Partial<Record<TypeSpec['kind'], number>>;
  readonly encoders: WeakMap<StructSpec, StructEncoder>;
  /** Code for the size of a variable-size leaf (i16/i32/i64/enum in compact), else undefined. */
  varLeafSize(t: TypeSpec, v: string, g: CodeGen): string | undefined;
  /** Code for the size of a string's length prefix, given its UTF-8 length in `L`. */
  lengthPrefix(L: string, g: CodeGen): string;
  /** Code for a list or set header's size given its length expression. */
  listHeader(len: string, g: CodeGen): string;
  /** Code for a map header's size given its size expression. */
  mapHeader(size: string, g: CodeGen): string;
  /** The type code a container header writes for elements of `t`. */
  elemCode(t: TypeSpec): number;
  /** Statements sizing field `id`'s header. */
  fieldSize(id: number): string;
  /** Statements writing field `id`'s header for value `v` (a compact bool's value too). */
  fieldWrite(id: number, t: TypeSpec, v: string): string;
  /** Whether the field's value is written after its header (not for a compact bool). */
  valueAfterHeader(t: TypeSpec): boolean;
  /** Declarations at the top of `size` and `write` (the compact field-id tracker). */
  readonly locals: string;
}

const BINARY: WireDialect = {
  protocol: 'binary',
  fixed: FIXED,
  encoders: new WeakMap(),
  varLeafSize: () => undefined,
  lengthPrefix: () => '4',
  listHeader: () => '5',
  mapHeader: () => '6',
  elemCode: (t) => ttypeOf(t),
  fieldSize: () => 'n += 3;',
  fieldWrite: (id, t) => `w.fieldBegin(${ttypeOf(t)}, ${id});`,
  valueAfterHeader: () => true,
  locals: '',
};

const COMPACT: WireDialect = {
  protocol: 'compact',
  fixed: COMPACT_FIXED,
  encoders: new WeakMap(),
  varLeafSize(t, v, g) {
    if (t.kind === 'i16' || t.kind === 'i32' || t.kind === 'enum')
      return `n += ${g.ref(zigzagSize)}(${v});`;
    if (t.kind === 'i64') return `n += ${g.ref(i64Size)}(${v});`;
    return undefined;
  },
  lengthPrefix: (L, g) => `${g.ref(varintSize)}(${L})`,
  listHeader: (len, g) => `(${len} < 15 ? 1 : 1 + ${g.ref(varintSize)}(${len}))`,
  mapHeader: (size, g) => `(${size} === 0 ? 1 : 1 + ${g.ref(varintSize)}(${size}))`,
  elemCode: (t) => compactOf(ttypeOf(t)),
  fieldSize: (id) =>
    `n += (${id} - last - 1) >>> 0 < 15 ? 1 : ${1 + zigzagSize(id)}; last = ${id};`,
  fieldWrite: (id, t, v) =>
    t.kind === 'bool'
      ? `w.field(${v} ? ${CType.BOOLEAN_TRUE} : ${CType.BOOLEAN_FALSE}, ${id}, last); last = ${id};`
      : `w.field(${compactOf(ttypeOf(t))}, ${id}, last); last = ${id};`,
  valueAfterHeader: (t) => t.kind !== 'bool',
  locals: 'let last = 0;',
};

const DIALECTS: Record<Protocol, WireDialect> = { binary: BINARY, compact: COMPACT };

function unionCount(name: string, n: number): ValidationError {
  return new ValidationError(name, `a union needs exactly one field set, got ${n}`);
}

/**
 * Returns the (cached) encoder of a struct-like spec. It is compiled on its first use, so a
 * schema with thousands of nested struct types compiles one type at a time, never recursively.
 */
export function encoderFor(spec: StructSpec, protocol: Protocol = 'binary'): StructEncoder {
  const d = DIALECTS[protocol];
  const cached = d.encoders.get(spec);
  if (cached) return cached;
  const compile = (): StructEncoder => {
    const enc = compileEncoder(spec, d); // the slot is left as is when compiling throws
    slot.size = enc.size;
    slot.write = enc.write;
    return enc;
  };
  const slot: StructEncoder = {
    size: (o) => compile().size(o),
    write: (w, o) => compile().write(w, o),
  };
  d.encoders.set(spec, slot);
  return slot;
}

/** Struct-like types with more fields than this size and write container fields in helpers. */
const INLINE_FIELDS = 64;

function compileEncoder(spec: StructSpec, d: WireDialect): StructEncoder {
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
    const fixed = d.fixed[t.kind];
    if (bad !== undefined && fixed !== undefined) return `if (${bad}) ${fail} n += ${fixed};`;
    const varSize = d.varLeafSize(t, v, g);
    if (bad !== undefined && varSize !== undefined) return `if (${bad}) ${fail} ${varSize}`;
    switch (t.kind) {
      case 'string': {
        const L = g.local('L');
        return `if (${bad}) ${fail} const ${L} = ${$utf8Length}(${v}); if (${L} < 0) throw ${$lone}(${rel}); n += ${d.lengthPrefix(L, g)} + ${L};`;
      }
      case 'binary':
        return `if (${bad}) ${fail} n += ${d.lengthPrefix(`${v}.length`, g)} + ${v}.length;`;
      case 'list': {
        const i = g.local('i');
        const e = g.local('e');
        return `if (!Array.isArray(${v})) ${fail} n += ${d.listHeader(`${v}.length`, g)};
for (let ${i} = 0; ${i} < ${v}.length; ${i}++) { const ${e} = ${v}[${i}]; ${sizeStmts(t.valueType, e, `${rel} + '[' + ${i} + ']'`)} }`;
      }
      case 'set': {
        const i = g.local('i');
        const e = g.local('e');
        return `if (!(${v} instanceof Set) && !Array.isArray(${v})) ${fail} n += ${d.listHeader(`(${v} instanceof Set ? ${v}.size : ${v}.length)`, g)}; let ${i} = 0;
for (const ${e} of ${v}) { ${sizeStmts(t.valueType, e, `${rel} + '[' + ${i} + ']'`)} ${i}++; }`;
      }
      case 'map': {
        const k = g.local('k');
        const x = g.local('x');
        return `if (!(${v} instanceof Map)) ${fail} n += ${d.mapHeader(`${v}.size`, g)};
for (const [${k}, ${x}] of ${v}) { ${sizeStmts(t.keyType, k, `${rel} + '{' + ${$keyText}(${k}) + '}'`)} ${sizeStmts(t.valueType, x, `${rel} + '[' + ${$keyText}(${k}) + ']'`)} }`;
      }
      case 'struct': {
        const C = g.ref(classFor(t));
        const E = g.ref(encoderFor(t, d.protocol));
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
        return `w.listBegin(${d.elemCode(t.valueType)}, ${v}.length);
for (let ${i} = 0; ${i} < ${v}.length; ${i}++) { const ${e} = ${v}[${i}]; ${writeStmts(t.valueType, e)} }`;
      }
      case 'set': {
        const e = g.local('e');
        return `w.listBegin(${d.elemCode(t.valueType)}, ${v} instanceof Set ? ${v}.size : ${v}.length);
for (const ${e} of ${v}) { ${writeStmts(t.valueType, e)} }`;
      }
      case 'map': {
        const k = g.local('k');
        const x = g.local('x');
        return `w.mapBegin(${d.elemCode(t.keyType)}, ${d.elemCode(t.valueType)}, ${v}.size);
for (const [${k}, ${x}] of ${v}) { ${writeStmts(t.keyType, k)} ${writeStmts(t.valueType, x)} }`;
      }
      case 'struct':
        return `${g.ref(encoderFor(t, d.protocol))}.write(w, ${v});`;
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
    const after = d.valueAfterHeader(f.type);
    // A compact bool field's value is in its header: only validate it.
    let sizeIt = after
      ? sizeStmts(f.type, v, "''")
      : `if (${invalidLeafExpr(f.type, v, $uuidRe)}) throw ${$mismatch}('', ${g.ref(f.type)}, ${v});`;
    let writeIt = after ? writeStmts(f.type, v) : '';
    if (wide && (f.type.kind === 'list' || f.type.kind === 'set' || f.type.kind === 'map')) {
      const hs = g.local('size');
      const hw = g.local('write');
      helpers.push(`function ${hs}(${v}) { let n = 0; ${sizeIt} return n; }
function ${hw}(w, ${v}) { ${writeIt} }`);
      sizeIt = `n += ${hs}(${v});`;
      writeIt = `${hw}(w, ${v});`;
    }
    sizeBody.push(`cur = ${lit('.' + f.name)}; const ${v} = ${get};
if (${v} !== undefined && ${v} !== null) { ${d.fieldSize(f.id)} ${isUnion ? 'count++;' : ''} ${sizeIt} }${
      required ? ` else throw new ${g.ref(ValidationError)}('', 'is required but is not set');` : ''
    }`);
    writeBody.push(`const ${v} = ${get};
if (${v} !== undefined && ${v} !== null) { ${d.fieldWrite(f.id, f.type, v)} ${writeIt} }`);
  }
  const $unionCount = g.ref(unionCount);
  const code = `
${helpers.join('\n')}
function size(o) {
  let n = 1; let cur = ''; ${isUnion ? 'let count = 0;' : ''}${d.locals}
  try {
    ${sizeBody.join('\n    ')}
  } catch (err) { throw ${$prefix}(err, cur); }
  ${isUnion ? `if (count !== 1) throw ${$unionCount}('', count);` : ''}
  return n;
}
function write(w, o) {${d.locals}
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

function sizeOf(spec: StructSpec, enc: StructEncoder, value: object): number {
  try {
    return enc.size(value);
  } catch (e) {
    throw prefixPath(e, spec.name);
  }
}

function finish(w: Writer, n: number): Uint8Array {
  if (w.pos !== n) throw new Error(`encoder wrote ${w.pos} bytes but sized ${n} (a codec bug)`);
  return w.buf;
}

/**
 * Encodes a struct-like value with `protocol` (default binary). Throws ValidationError naming the
 * field path.
 */
export function encodeStruct(value: object, protocol: Protocol = 'binary'): Uint8Array {
  const spec = specOf(value);
  const enc = encoderFor(spec, protocol);
  const n = sizeOf(spec, enc, value);
  const w = protocol === 'compact' ? new CompactWriter(n) : new BinaryWriter(n);
  enc.write(w, value);
  return finish(w, n);
}

/** Options for writing an envelope. */
export interface MessageWriteOptions {
  /**
   * Write the strict (versioned) header. Default true; thriftrw Python writes non-strict only.
   * The compact protocol has one form: `false` is refused there.
   */
  readonly strict?: boolean;
  /** `binary` (default) or `compact`. */
  readonly protocol?: Protocol;
}

/**
 * Encodes `body` inside an envelope header of `options.protocol` (default binary, strict).
 * Throws ValidationError for an invalid body or seqid, or for `strict: false` with compact.
 */
export function encodeMessage(
  name: string,
  messageType: MessageTypeCode,
  seqid: number,
  body: object,
  options: MessageWriteOptions = {},
): Uint8Array {
  const strict = options.strict ?? true;
  const protocol = options.protocol ?? 'binary';
  checkEnvelope(seqid, strict, protocol);
  const spec = specOf(body, 'dumps.message');
  const enc = encoderFor(spec, protocol);
  const n = sizeOf(spec, enc, body);
  const h = { name, messageType, seqid };
  if (protocol === 'compact') {
    const head = compactEnvelopeHeaderSize(name, seqid);
    const w = new CompactWriter(head + n);
    writeCompactEnvelopeHeader(w, h);
    enc.write(w, body);
    return finish(w, head + n);
  }
  const head = envelopeHeaderSize(name, strict);
  const w = new BinaryWriter(head + n);
  writeEnvelopeHeader(w, h, strict);
  enc.write(w, body);
  return finish(w, head + n);
}

/**
 * Checks an envelope's seqid (an i32) and form (compact has no non-strict form). Throws
 * ValidationError.
 */
export function checkEnvelope(seqid: number, strict: boolean, protocol: Protocol): void {
  if ((seqid | 0) !== seqid)
    throw new ValidationError('seqid', `expected an i32, got ${String(seqid)}`);
  if (protocol === 'compact' && !strict) {
    throw new ValidationError(
      'dumps.message',
      'the compact protocol has one envelope form; drop strict: false (it applies to binary only)',
    );
  }
}
