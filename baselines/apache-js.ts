/**
 * Adapter for the JS that Apache Thrift's compiler generates (`thrift --gen js:node,es6`, 0.17.0)
 * running on the npm `thrift` library (0.17.0, CommonJS), behind the CodecAdapter shape.
 *
 * In memory: writes go through a TBinaryProtocol over a TBufferedTransport whose flush callback
 * hands over the concatenated bytes; reads go through a TBinaryProtocol over a TBufferedTransport
 * whose input buffer is set to the bytes (read past the end throws InputBufferUnderrunError).
 *
 * The generated code's own representation, which this converts to and from OUR representation:
 * - i64: `Int64` from node-int64 (8 big-endian bytes); here bigint <-> Int64 through its buffer.
 * - binary: Buffer; string: string; enum: its number; set: Array; map: plain Object keyed by
 *   the string form of the key (string and integer keys only; integer-like keys iterate in
 *   ascending numeric order, so the bytes follow that order, not insertion order).
 * - struct/union/exception: instances of the generated classes; unset fields are null. A union
 *   is a struct whose fields are all optional (nothing checks that one is set).
 * - Fields are written in IDL declaration order (not id order); null fields are skipped.
 * - Envelopes: strict (version 1) headers by default; reads accept both forms.
 * Known library bugs this adapter does NOT paper over (the interop test documents them):
 * - `writeDouble` is a hand-written IEEE-754 encoder: -0.0 is written as +0.0.
 * - `TApplicationException.write` writes `this.code`, not `this.type`, so the type field of an
 *   EXCEPTION envelope body is dropped; an empty message is dropped too (`if (this.message)`).
 */
import { createRequire } from 'node:module';
import type { CodecAdapter, Envelope, MessageTypeCode } from './adapter.js';
import { MessageType } from './adapter.js';
import type { LoadedApacheJs } from './generate.js';
import { loadApacheJs } from './generate.js';
import type { Schema, StructShape, TypeRef } from './schema.js';
import { functionOf, loadSchema, structOf, mapSetFields } from './schema.js';

const require = createRequire(import.meta.url);

// ---- the slice of npm `thrift` used here ------------------------------------------------------

/** A TBinaryProtocol (only the methods called here). */
export interface TProtocol {
  writeMessageBegin(name: string, type: number, seqid: number): void;
  writeMessageEnd(): void;
  readMessageBegin(): { fname: string | Buffer; mtype: number; rseqid: number };
  readMessageEnd(): void;
  flush(): void;
}
/** A TBufferedTransport (the fields this adapter drives directly). */
interface TBufferedTransport {
  inBuf: Buffer;
  readCursor: number;
  writeCursor: number;
}
/** A generated struct class instance. */
interface Generated {
  read(input: TProtocol): void;
  write(output: TProtocol): void;
  [field: string]: unknown;
}
/** npm thrift's TApplicationException. */
interface AppException {
  read(input: TProtocol): void;
  write(output: TProtocol): void;
  type?: number | undefined;
  message?: string | undefined;
}
type GeneratedClass = new (args?: object) => Generated;
interface Int64Like {
  readonly buffer: Buffer;
  readonly offset: number;
}
interface ThriftLib {
  TBufferedTransport: new (
    buffer?: Buffer,
    onFlush?: (msg: Buffer, seqid?: number) => void,
  ) => TBufferedTransport;
  TBinaryProtocol: new (
    trans: TBufferedTransport,
    strictRead?: boolean,
    strictWrite?: boolean,
  ) => TProtocol;
  Int64: new (buffer: Buffer, offset?: number) => Int64Like;
  Thrift: {
    TApplicationException: new (type?: number, message?: string) => AppException;
  };
}

/** Loads the npm `thrift` library (CommonJS). */
export function thriftLib(): ThriftLib {
  return require('thrift') as ThriftLib;
}

/** Returns the npm `thrift` package version, e.g. `0.17.0`. */
export function thriftLibVersion(): string {
  return (require('thrift/package.json') as { version: string }).version;
}

function asBuffer(u8: Uint8Array): Buffer {
  return Buffer.isBuffer(u8) ? u8 : Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);
}
function asUint8Array(b: Uint8Array): Uint8Array {
  return Buffer.isBuffer(b) ? new Uint8Array(b.buffer, b.byteOffset, b.byteLength) : b;
}

/** Options for `createApacheAdapter`. */
export interface ApacheAdapterOptions {
  /** Write version-1 (strict) envelope headers. Default true (the library's default too). */
  readonly strictEnvelopes?: boolean;
  /** Already generated and loaded modules (else `loadApacheJs(idlPath)` runs the compiler). */
  readonly generated?: LoadedApacheJs;
  /** An already loaded schema of the same IDL (else it is read from `idlPath`). */
  readonly schema?: Schema;
}

/** The Apache adapter plus the generated modules it drives. */
export interface ApacheAdapter extends CodecAdapter {
  readonly generated: LoadedApacheJs;
  readonly schema: Schema;
}

/**
 * Builds the adapter for an IDL file: generates the JS with `thrift` (cached) and loads it.
 * Throws when the compiler is missing (saying how to install it) or rejects the IDL; the methods
 * throw the library's errors for bad values or bytes, and Error for unknown types or trailing bytes.
 */
export function createApacheAdapter(
  idlPath: string,
  options: ApacheAdapterOptions = {},
): ApacheAdapter {
  const lib = thriftLib();
  const generated = options.generated ?? loadApacheJs(idlPath);
  const schema = options.schema ?? loadSchema(idlPath);
  const strict = options.strictEnvelopes ?? true;

  const classes = new Map<string, GeneratedClass>();
  /** The generated class for a thriftrw model name (`Svc::fn_args` → `Svc_fn_args`). */
  const classOf = (name: string): GeneratedClass => {
    let c = classes.get(name);
    if (c) return c;
    const sep = name.indexOf('::');
    if (sep >= 0) {
      const svc = generated.services.get(name.slice(0, sep));
      const ar = svc?.['ArgsResults'] as Record<string, GeneratedClass> | undefined;
      c = ar?.[`${name.slice(0, sep)}_${name.slice(sep + 2)}`];
    } else {
      c = generated.types[name] as GeneratedClass | undefined;
    }
    if (typeof c !== 'function') throw new Error(`Apache generated JS: no class for ${name}`);
    classes.set(name, c);
    return c;
  };

  // One writer and one reader, reused (as a connection reuses its transport).
  let flushed: Buffer | undefined;
  const out = new lib.TBufferedTransport(undefined, (msg) => {
    flushed = msg;
  });
  const writer = new lib.TBinaryProtocol(out);
  const input = new lib.TBufferedTransport();
  const reader = new lib.TBinaryProtocol(input);
  const EMPTY = Buffer.alloc(0);

  const take = (): Buffer => {
    const b = flushed;
    flushed = undefined;
    if (!b) throw new Error('Apache generated JS wrote nothing');
    return b;
  };
  const feed = (bytes: Uint8Array): void => {
    input.inBuf = asBuffer(bytes);
    input.readCursor = 0;
    input.writeCursor = bytes.length;
  };
  const drain = (what: string): void => {
    const left = input.writeCursor - input.readCursor;
    input.inBuf = EMPTY;
    input.readCursor = input.writeCursor = 0;
    if (left !== 0) throw new Error(`Apache generated JS: ${left} bytes left after ${what}`);
  };

  function toNativeValue(t: TypeRef, v: unknown): unknown {
    switch (t.kind) {
      case 'i64': {
        const b = Buffer.allocUnsafe(8);
        b.writeBigInt64BE(typeof v === 'bigint' ? v : BigInt(v as number));
        return new lib.Int64(b);
      }
      case 'binary':
        return asBuffer(v as Uint8Array);
      case 'list':
        return (v as unknown[]).map((x) => toNativeValue(t.elem, x));
      case 'set':
        return [...(v as Iterable<unknown>)].map((x) => toNativeValue(t.elem, x));
      case 'map': {
        const k = t.key.kind;
        if (k !== 'string' && k !== 'i8' && k !== 'i16' && k !== 'i32' && k !== 'enum') {
          throw new Error(`Apache generated JS represents maps as objects: ${k} keys unsupported`);
        }
        const o: Record<string, unknown> = {};
        const entries = v instanceof Map ? v : new Map(Object.entries(v as object));
        for (const [key, x] of entries) o[String(key)] = toNativeValue(t.value, x);
        return o;
      }
      case 'struct':
        return structToNative(structOf(schema, t.name), v as Record<string, unknown>);
      default:
        return v;
    }
  }

  function structToNative(s: StructShape, v: Record<string, unknown>): Generated {
    // No constructor arguments: with them, the generated constructor throws on a missing required
    // field and deep-copies containers. Without, it sets every field to null or its default.
    const o = new (classOf(s.name))();
    for (const f of s.fields) {
      const x = v[f.name];
      if (x !== undefined && x !== null) o[f.name] = toNativeValue(f.type, x);
    }
    return o;
  }

  function fromNativeValue(t: TypeRef, v: unknown): unknown {
    switch (t.kind) {
      case 'i64': {
        const i = v as Int64Like;
        return i.buffer.readBigInt64BE(i.offset);
      }
      case 'binary':
        return asUint8Array(v as Buffer);
      case 'list':
        return (v as unknown[]).map((x) => fromNativeValue(t.elem, x));
      case 'set':
        return new Set((v as unknown[]).map((x) => fromNativeValue(t.elem, x)));
      case 'map': {
        const m = new Map<unknown, unknown>();
        for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
          m.set(t.key.kind === 'string' ? k : Number(k), fromNativeValue(t.value, x));
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

  const adapter: ApacheAdapter = {
    name: 'npm thrift (generated)',
    generated,
    schema,
    toNative(typeName, value) {
      return structToNative(structOf(schema, typeName), value as Record<string, unknown>);
    },
    encodeNative(_typeName, native) {
      (native as Generated).write(writer);
      writer.flush();
      return take();
    },
    decodeNative(typeName, bytes) {
      const o = new (classOf(typeName))();
      feed(bytes);
      try {
        o.read(reader);
      } finally {
        input.inBuf = EMPTY;
      }
      return o;
    },
    encode(typeName, value) {
      return asUint8Array(adapter.encodeNative(typeName, adapter.toNative(typeName, value)));
    },
    decode(typeName, bytes) {
      const o = new (classOf(typeName))();
      feed(bytes);
      o.read(reader);
      drain(typeName);
      return structFromNative(structOf(schema, typeName), o);
    },
    encodeMessage(service, message) {
      const shape = functionOf(schema, service, message.name);
      const proto = new lib.TBinaryProtocol(out, false, strict);
      proto.writeMessageBegin(message.name, message.messageType, message.seqid);
      if (message.messageType === MessageType.EXCEPTION) {
        const b = message.body;
        new lib.Thrift.TApplicationException(
          b['type'] as number | undefined,
          b['message'] as string | undefined,
        ).write(proto);
      } else {
        const request =
          message.messageType === MessageType.CALL || message.messageType === MessageType.ONEWAY;
        structToNative(structOf(schema, request ? shape.args : shape.result), message.body).write(
          proto,
        );
      }
      proto.writeMessageEnd();
      proto.flush();
      return asUint8Array(take());
    },
    decodeMessage(service, bytes) {
      feed(bytes);
      const proto = new lib.TBinaryProtocol(input);
      const head = proto.readMessageBegin();
      // Non-strict headers come back with the name as a Buffer (a library quirk).
      const name = typeof head.fname === 'string' ? head.fname : head.fname.toString('utf8');
      const messageType = head.mtype as MessageTypeCode;
      let body: Record<string, unknown>;
      if (messageType === MessageType.EXCEPTION) {
        const x = new lib.Thrift.TApplicationException();
        x.type = undefined; // the constructor sets UNKNOWN; tell "absent" from "0" on the wire
        x.read(proto);
        body = {};
        if (x.message !== undefined && x.message !== null) body['message'] = x.message;
        if (typeof x.type === 'number') body['type'] = x.type;
      } else {
        const shape = functionOf(schema, service, name);
        const request = messageType === MessageType.CALL || messageType === MessageType.ONEWAY;
        const cls = structOf(schema, request ? shape.args : shape.result);
        const o = new (classOf(cls.name))();
        o.read(proto);
        body = structFromNative(cls, o);
      }
      proto.readMessageEnd();
      drain(`the ${name} envelope`);
      return { name, seqid: head.rseqid, messageType, body } satisfies Envelope;
    },
  };
  return adapter;
}
