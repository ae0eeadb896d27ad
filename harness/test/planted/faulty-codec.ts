/**
 * A deliberately faulty binary-protocol codec, for tests only: it proves the harness catches
 * planted bugs. It is a small encoder of its own that walks a struct's spec and value and writes
 * bytes, with one fault switched on; the shipped codec never carries fault switches. With fault
 * `'none'` it writes exactly the bytes `mod.dumps` writes (faulty-codec.test.ts checks that over
 * generated schemas and values). Decoding is always the real `mod.loads`, so a test sees what our
 * real decoder makes of faulty bytes.
 */
import { classFor, equals, TType } from '../../../codec/src/index.js';
import type {
  ConstValueSpec,
  FieldSpec,
  StructClass,
  StructSpec,
  ThriftModule,
  TypeSpec,
} from '../../../codec/src/index.js';
import type { CodecUnderTest } from '../../runner/codec.js';

/**
 * A planted fault (see {@link FAULT_DESCRIPTIONS} for what each one does exactly), or `'none'`
 * for the faithful encoder.
 */
export type Fault =
  | 'none'
  | 'i32-byte-order'
  | 'field-written-twice'
  | 'length-off-by-one'
  | 'set-as-list'
  | 'dropped-default';

/** Every planted fault (not `'none'`), in a fixed order. */
export const FAULTS: readonly Exclude<Fault, 'none'>[] = Object.freeze([
  'i32-byte-order',
  'field-written-twice',
  'length-off-by-one',
  'set-as-list',
  'dropped-default',
] as const);

/** One line per fault: exactly what the faulty encoder writes differently from `mod.dumps`. */
export const FAULT_DESCRIPTIONS: Readonly<Record<Exclude<Fault, 'none'>, string>> = Object.freeze({
  'i32-byte-order':
    'i32 values (fields, elements, keys; not enums, i16, i64, lengths or counts) are written little-endian',
  'field-written-twice':
    'the first field written of every struct-like value (nested ones too) is written twice, header and value',
  'length-off-by-one':
    'every string and binary length prefix says n+1 while the n bytes follow (uuid is not affected)',
  'set-as-list':
    'wherever a set type code appears (field header, element, key or value type) it is 15 (list), not 14',
  'dropped-default':
    'a field (optional or required) whose value equals its declared default is not written at all',
});

/**
 * Returns a codec whose `encode` writes binary-protocol bytes with `fault` planted and whose
 * `decode` is our real `mod.loads`. Its name is `faulty:<fault>` (`faulty:none` for no fault).
 *
 * `encode` first runs `mod.dumps(value)` and discards the bytes, so an invalid value throws the
 * same ValidationError (with the same field path) as our codec; then it writes its own bytes.
 * `decode` throws whatever `mod.loads` throws (ProtocolError subclasses for bad bytes).
 * Throws TypeError for an unknown fault name.
 */
export function makeFaultyCodec(fault: Fault): CodecUnderTest {
  if (fault !== 'none' && !FAULTS.includes(fault)) {
    throw new TypeError(`unknown fault '${String(fault)}'; known: none, ${FAULTS.join(', ')}`);
  }
  return Object.freeze({
    name: `faulty:${fault}`,
    encode: (mod: ThriftModule, C: StructClass, value: object): Uint8Array => {
      mod.dumps(value);
      return encodeFaulty(C.__spec__, value, fault);
    },
    decode: (mod: ThriftModule, C: StructClass, bytes: Uint8Array): object =>
      mod.loads(C, bytes) as object,
  });
}

/**
 * Encodes `value` (an instance of the class of `spec`, already validated) as binary-protocol
 * bytes with `fault` planted. Default fault `'none'`: exactly the bytes of `mod.dumps(value)`.
 * Does not validate: an invalid value gives garbage or a TypeError.
 */
export function encodeFaulty(spec: StructSpec, value: object, fault: Fault = 'none'): Uint8Array {
  const w = new Out();
  writeStruct(w, spec, value as Record<string, unknown>, fault);
  return w.bytes();
}

/** A growable big-endian byte sink. */
class Out {
  private buf = new Uint8Array(64);
  private view = new DataView(this.buf.buffer);
  private pos = 0;

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  u8(v: number): void {
    this.room(1);
    this.view.setUint8(this.pos, v & 0xff);
    this.pos += 1;
  }
  i16(v: number): void {
    this.room(2);
    this.view.setInt16(this.pos, v);
    this.pos += 2;
  }
  i32(v: number, littleEndian = false): void {
    this.room(4);
    this.view.setInt32(this.pos, v, littleEndian);
    this.pos += 4;
  }
  i64(v: bigint): void {
    this.room(8);
    this.view.setBigInt64(this.pos, v);
    this.pos += 8;
  }
  double(v: number): void {
    this.room(8);
    this.view.setFloat64(this.pos, v);
    this.pos += 8;
  }
  raw(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
  bytes(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}

const utf8 = new TextEncoder();

/** The wire type code of `t`, with the set-as-list fault applied. */
function typeCode(t: TypeSpec, fault: Fault): number {
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
      return fault === 'set-as-list' ? TType.LIST : TType.SET;
    case 'map':
      return TType.MAP;
    case 'struct':
      return TType.STRUCT;
  }
}

function writeStruct(w: Out, spec: StructSpec, o: Record<string, unknown>, fault: Fault): void {
  let first = true;
  for (const f of spec.fields) {
    const v = o[f.name];
    if (v === undefined || v === null) continue;
    if (fault === 'dropped-default' && isDefault(f, v)) continue;
    const times = first && fault === 'field-written-twice' ? 2 : 1;
    first = false;
    for (let k = 0; k < times; k++) {
      w.u8(typeCode(f.type, fault));
      w.i16(f.id);
      writeValue(w, f.type, v, fault);
    }
  }
  w.u8(TType.STOP);
}

function writeValue(w: Out, t: TypeSpec, v: unknown, fault: Fault): void {
  switch (t.kind) {
    case 'bool':
      w.u8(v ? 1 : 0);
      return;
    case 'byte':
      w.u8(v as number);
      return;
    case 'i16':
      w.i16(v as number);
      return;
    case 'i32':
      w.i32(v as number, fault === 'i32-byte-order');
      return;
    case 'enum':
      w.i32(v as number);
      return;
    case 'i64':
      w.i64(typeof v === 'bigint' ? v : BigInt(v as number));
      return;
    case 'double':
      w.double(v as number);
      return;
    case 'string':
    case 'binary': {
      const b = t.kind === 'string' ? utf8.encode(v as string) : (v as Uint8Array);
      w.i32(fault === 'length-off-by-one' ? b.length + 1 : b.length);
      w.raw(b);
      return;
    }
    case 'uuid': {
      const hex = (v as string).replace(/-/g, '');
      const b = new Uint8Array(16);
      for (let i = 0; i < 16; i++) b[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
      w.raw(b);
      return;
    }
    case 'list':
    case 'set': {
      const items = Array.isArray(v) ? (v as unknown[]) : [...(v as Set<unknown>)];
      w.u8(typeCode(t.valueType, fault));
      w.i32(items.length);
      for (const x of items) writeValue(w, t.valueType, x, fault);
      return;
    }
    case 'map': {
      const m = v as Map<unknown, unknown>;
      w.u8(typeCode(t.keyType, fault));
      w.u8(typeCode(t.valueType, fault));
      w.i32(m.size);
      for (const [k, x] of m) {
        writeValue(w, t.keyType, k, fault);
        writeValue(w, t.valueType, x, fault);
      }
      return;
    }
    case 'struct':
      writeStruct(w, t, v as Record<string, unknown>, fault);
      return;
  }
}

/** True when field `f` has a declared default and `v` equals it (semantic equality). */
function isDefault(f: FieldSpec, v: unknown): boolean {
  return f.defaultValue !== undefined && equals(v, constValue(f.type, f.defaultValue));
}

/** A default value in the codec's runtime representation (as the generated constructors build it). */
function constValue(t: TypeSpec, c: ConstValueSpec): unknown {
  switch (c.kind) {
    case 'scalar':
      return c.value;
    case 'list': {
      if (t.kind !== 'list' && t.kind !== 'set') break;
      const items = c.values.map((x) => constValue(t.valueType, x));
      return t.kind === 'set' ? new Set(items) : items;
    }
    case 'map':
      if (t.kind !== 'map') break;
      return new Map(
        c.entries.map(([k, x]) => [constValue(t.keyType, k), constValue(t.valueType, x)]),
      );
    case 'struct': {
      const init: Record<string, unknown> = {};
      for (const [name, fv] of c.fields) {
        const f = c.spec.fields.find((x) => x.name === name);
        if (f) init[name] = constValue(f.type, fv);
      }
      return new (classFor(c.spec))(init);
    }
  }
  throw new Error(`default of kind ${c.kind} does not fit type ${t.kind}`);
}
