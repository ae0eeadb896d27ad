/**
 * Adapter for npm `thriftrw` (v3, Uber's JavaScript implementation) behind the CodecAdapter shape.
 *
 * npm thriftrw's own representation, which this converts to and from OUR representation:
 * - i64: an 8-byte big-endian Buffer when read (it also writes numbers, Long-likes, hex strings);
 *   here bigint <-> Buffer via writeBigInt64BE / readBigInt64BE.
 * - binary: Buffer (read: a copy); here a Uint8Array view of it.
 * - enum: the member's NAME as a string (`'GREEN'`), not its number.
 * - set: Array (no uniqueness check); map: plain Object keyed by the string form of the key (so
 *   only string and integer keys work, and integer-like keys iterate in ascending numeric order,
 *   not insertion order: the bytes' entry order follows that); a Map here becomes such an object.
 * - struct/union/exception: instances of the model's constructor; unset fields are null.
 * - Fields are written in IDL declaration order (not id order); unset (null) fields are skipped.
 * - i8: written from -128..127 but READ as 0..255 (unsigned); this adapter signs it back.
 * - Envelopes: `new Thrift().Message` is non-strict (version 0) by default; this adapter writes
 *   strict (version 1) headers unless `{ strictEnvelopes: false }`. The header name is written
 *   with the `ascii` encoding, and the seqid as an UNSIGNED 32-bit int (a negative seqid throws
 *   in thriftrw): this adapter passes `seqid >>> 0` and reads back `| 0`. Reading an
 *   EXCEPTION envelope hands the decoded TApplicationException back as the read's error (a bug);
 *   this adapter takes the body from it. The exception type is an enum name there, too.
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import type { CodecAdapter, Envelope, MessageTypeCode } from './adapter.js';
import { MessageType } from './adapter.js';
import type { RwStructModel, RwThrift, Schema, StructShape, TypeRef } from './schema.js';
import { functionOf, schemaOf, structOf, thriftrwFromSource, mapSetFields } from './schema.js';

const require = createRequire(import.meta.url);

const MESSAGE_TYPE_NAMES: Record<MessageTypeCode, string> = {
  1: 'CALL',
  2: 'REPLY',
  3: 'EXCEPTION',
  4: 'ONEWAY',
};

const MESSAGE_TYPE_CODES: Record<string, MessageTypeCode> = {
  CALL: 1,
  REPLY: 2,
  EXCEPTION: 3,
  ONEWAY: 4,
};

const APP_EXCEPTION_TYPES = [
  'UNKNOWN',
  'UNKNOWN_METHOD',
  'INVALID_MESSAGE_TYPE',
  'WRONG_METHOD_NAME',
  'BAD_SEQUENCE_ID',
  'MISSING_RESULT',
  'INTERNAL_ERROR',
  'PROTOCOL_ERROR',
  'INVALID_TRANSFORM',
  'INVALID_PROTOCOL',
  'UNSUPPORTED_CLIENT_TYPE',
];

interface RwResult<T> {
  readonly err: Error | null;
  readonly value: T;
}
interface RwMessageRW {
  toBuffer(message: object): RwResult<Buffer>;
  fromBuffer(bytes: Buffer): RwResult<{
    id: number;
    name: string;
    type: string;
    version: number;
    body: Record<string, unknown>;
  }>;
}
interface RwFunction {
  readonly argumentsMessageRW: RwMessageRW;
  readonly resultMessageRW: RwMessageRW;
}

/** A Buffer sharing the memory of `u8` (no copy). */
export function asBuffer(u8: Uint8Array): Buffer {
  return Buffer.isBuffer(u8) ? u8 : Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);
}

/** A plain Uint8Array sharing the memory of `b` (no copy). */
export function asUint8Array(b: Uint8Array): Uint8Array {
  return Buffer.isBuffer(b) ? new Uint8Array(b.buffer, b.byteOffset, b.byteLength) : b;
}

/** bigint (or a safe integer number) → 8-byte big-endian Buffer. Throws RangeError outside i64. */
export function i64ToBuffer(v: unknown): Buffer {
  const b = Buffer.allocUnsafe(8);
  b.writeBigInt64BE(typeof v === 'bigint' ? v : BigInt(v as number));
  return b;
}

/** The string used as an object key for a map key of type `t`. Throws for unsupported keys. */
function objectKey(t: TypeRef, k: unknown, lib: string, enumKey: (k: number) => string): string {
  switch (t.kind) {
    case 'string':
      return k as string;
    case 'i8':
    case 'i16':
    case 'i32':
      return String(k);
    case 'enum':
      return enumKey(k as number);
    default:
      throw new Error(`${lib} represents maps as objects: a ${t.kind} map key is not supported`);
  }
}

/** Options for `createThriftrwAdapter`. */
export interface ThriftrwAdapterOptions {
  /** Write version-1 (strict) envelope headers. Default true (thriftrw's own default is false). */
  readonly strictEnvelopes?: boolean;
}

/** The npm thriftrw adapter plus its parsed Thrift instance and the schema read off it. */
export interface ThriftrwAdapter extends CodecAdapter {
  readonly thrift: RwThrift;
  readonly schema: Schema;
}

/**
 * Builds the npm thriftrw adapter for an IDL file (`strict: false, allowOptionalArguments: true`).
 * Throws thriftrw's error for IDL it cannot parse; the adapter's methods throw thriftrw's errors
 * for values it rejects and Error for an unknown type, function or enum value.
 */
export function createThriftrwAdapter(
  idlPath: string,
  options: ThriftrwAdapterOptions = {},
): ThriftrwAdapter {
  const source = readFileSync(idlPath, 'utf8');
  const thrift = thriftrwFromSource(source);
  const schema = schemaOf(thrift, source);
  const strict = options.strictEnvelopes ?? true;
  const models = new Map<string, RwStructModel>();
  const model = (name: string): RwStructModel => {
    let m = models.get(name);
    if (!m) {
      m = thrift.models[name] as RwStructModel | undefined;
      if (!m || !m.Constructor) throw new Error(`npm thriftrw: no struct ${name}`);
      models.set(name, m);
    }
    return m;
  };

  const enumName = (t: TypeRef & { kind: 'enum' }, v: number): string => {
    const n = t.valuesToNames.get(v);
    if (n === undefined) throw new Error(`npm thriftrw: ${v} is not a value of enum ${t.name}`);
    return n;
  };
  const enumValue = (t: TypeRef & { kind: 'enum' }, n: unknown): number => {
    const v = t.namesToValues.get(n as string);
    if (v === undefined) throw new Error(`npm thriftrw: ${String(n)} is not a member of ${t.name}`);
    return v;
  };

  function toNativeValue(t: TypeRef, v: unknown): unknown {
    switch (t.kind) {
      case 'i64':
        return i64ToBuffer(v);
      case 'binary':
        return asBuffer(v as Uint8Array);
      case 'enum':
        return enumName(t, v as number);
      case 'list':
        return (v as unknown[]).map((x) => toNativeValue(t.elem, x));
      case 'set':
        return [...(v as Iterable<unknown>)].map((x) => toNativeValue(t.elem, x));
      case 'map': {
        const o: Record<string, unknown> = {};
        const entries = v instanceof Map ? v : new Map(Object.entries(v as object));
        for (const [k, x] of entries) {
          const key = objectKey(t.key, k, 'npm thriftrw', (n) =>
            enumName(t.key as TypeRef & { kind: 'enum' }, n),
          );
          o[key] = toNativeValue(t.value, x);
        }
        return o;
      }
      case 'struct':
        return structToNative(structOf(schema, t.name), v as Record<string, unknown>);
      default:
        return v;
    }
  }

  function structToNative(s: StructShape, v: Record<string, unknown>): Record<string, unknown> {
    return new (model(s.name).Constructor)(mapSetFields(s, v, toNativeValue));
  }

  function fromNativeValue(t: TypeRef, v: unknown): unknown {
    switch (t.kind) {
      case 'i8':
        // thriftrw reads i8 as UNSIGNED (0..255) though it writes -128..127: sign it back.
        return ((v as number) << 24) >> 24;
      case 'i64':
        return (v as Buffer).readBigInt64BE(0);
      case 'binary':
        return asUint8Array(v as Buffer);
      case 'enum':
        return enumValue(t, v);
      case 'list':
        return (v as unknown[]).map((x) => fromNativeValue(t.elem, x));
      case 'set':
        return new Set((v as unknown[]).map((x) => fromNativeValue(t.elem, x)));
      case 'map': {
        const m = new Map<unknown, unknown>();
        for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
          const key =
            t.key.kind === 'string'
              ? k
              : t.key.kind === 'enum'
                ? enumValue(t.key, k)
                : fromNativeValue(t.key, Number(k));
          m.set(key, fromNativeValue(t.value, x));
        }
        return m;
      }
      case 'struct':
        return structFromNative(structOf(schema, t.name), v as Record<string, unknown>);
      default:
        return v;
    }
  }

  function structFromNative(s: StructShape, v: Record<string, unknown>): Record<string, unknown> {
    return mapSetFields(s, v, fromNativeValue);
  }

  const rwFunction = (service: string, name: string): RwFunction => {
    const svc = thrift.models[service] as { functionsByName?: Record<string, RwFunction> };
    const fn = svc.functionsByName?.[name];
    if (!fn) throw new Error(`npm thriftrw: no function ${service}.${name}`);
    return fn;
  };

  const appExceptionToNative = (b: Record<string, unknown>): Record<string, unknown> => {
    const o: Record<string, unknown> = {};
    if (b['message'] !== undefined && b['message'] !== null) o['message'] = b['message'];
    if (typeof b['type'] === 'number') {
      const n = APP_EXCEPTION_TYPES[b['type']];
      if (n === undefined) throw new Error(`npm thriftrw: unknown exception type ${b['type']}`);
      o['type'] = n;
    }
    return o;
  };

  const adapter: ThriftrwAdapter = {
    name: 'npm thriftrw',
    thrift,
    schema,
    toNative(typeName, value) {
      return structToNative(structOf(schema, typeName), value as Record<string, unknown>);
    },
    encodeNative(typeName, native) {
      return model(typeName).toBuffer(native);
    },
    decodeNative(typeName, bytes) {
      return model(typeName).fromBuffer(asBuffer(bytes));
    },
    encode(typeName, value) {
      return asUint8Array(model(typeName).toBuffer(adapter.toNative(typeName, value)));
    },
    decode(typeName, bytes) {
      const native = model(typeName).fromBuffer(asBuffer(bytes));
      return structFromNative(structOf(schema, typeName), native);
    },
    encodeMessage(service, message) {
      const fn = rwFunction(service, message.name);
      const shape = functionOf(schema, service, message.name);
      const request =
        message.messageType === MessageType.CALL || message.messageType === MessageType.ONEWAY;
      const body =
        message.messageType === MessageType.EXCEPTION
          ? appExceptionToNative(message.body)
          : structToNative(structOf(schema, request ? shape.args : shape.result), message.body);
      const rw = request ? fn.argumentsMessageRW : fn.resultMessageRW;
      const res = rw.toBuffer({
        version: strict ? 1 : 0,
        type: MESSAGE_TYPE_NAMES[message.messageType],
        name: message.name,
        id: message.seqid >>> 0,
        body,
      });
      if (res.err) throw res.err;
      return asUint8Array(res.value);
    },
    decodeMessage(service, bytes) {
      const buf = asBuffer(bytes);
      // Peek at the header for the name and type, to pick the function's reader.
      let name: string;
      let type: number;
      if (buf.readInt8(0) < 0) {
        type = buf.readUInt8(3);
        name = buf.toString('utf8', 8, 8 + buf.readUInt32BE(4));
      } else {
        const n = buf.readUInt32BE(0);
        name = buf.toString('utf8', 4, 4 + n);
        type = buf.readUInt8(4 + n);
      }
      const fn = rwFunction(service, name);
      const shape = functionOf(schema, service, name);
      const request = type === MessageType.CALL || type === MessageType.ONEWAY;
      const res = (request ? fn.argumentsMessageRW : fn.resultMessageRW).fromBuffer(buf);
      const m = res.value;
      // thriftrw 3.12 bug: MessageRW.poolReadFrom returns an EXCEPTION envelope's (correctly
      // decoded) body as the read's *error*. Accept exactly that case; the bytes were read fine.
      const exceptionBug =
        type === MessageType.EXCEPTION && res.err !== null && (res.err as unknown) === m?.body;
      if (res.err && !exceptionBug) throw res.err;
      const messageType = MESSAGE_TYPE_CODES[m.type];
      if (messageType === undefined) throw new Error(`npm thriftrw: message type ${m.type}`);
      let body: Record<string, unknown>;
      if (m.type === 'EXCEPTION') {
        body = {};
        if (m.body['message'] != null) body['message'] = m.body['message'];
        if (m.body['type'] != null)
          body['type'] = APP_EXCEPTION_TYPES.indexOf(m.body['type'] as string);
      } else {
        body = structFromNative(structOf(schema, request ? shape.args : shape.result), m.body);
      }
      return {
        name: m.name,
        seqid: m.id | 0,
        messageType,
        body,
      } satisfies Envelope;
    },
  };
  return adapter;
}

/** Loads `thriftrw` (CommonJS) and returns its package version, e.g. `3.12.0`. */
export function thriftrwVersion(): string {
  return (require('thriftrw/package.json') as { version: string }).version;
}
