/**
 * OUR codec (codec/src/index.ts) behind the same CodecAdapter shape as the baselines, so the
 * benchmark and the interop test drive all three alike.
 *
 * OUR representation is the adapters' common one, so the conversion is only between plain objects
 * and OUR generated classes: `toNative` builds class instances (nested ones too) from plain
 * objects; decoded instances are turned back into plain objects of their fields.
 *
 * The codec is imported lazily (`loadOurCodec`), so the baselines can be benchmarked while the
 * codec is still being written: callers get a clear error instead of an import failure.
 */
import type { CodecAdapter, Envelope, MessageTypeCode } from './adapter.js';
import { MessageType } from './adapter.js';
import type { Schema, StructShape, TypeRef } from './schema.js';
import { functionOf, loadSchema, structOf, mapSetFields } from './schema.js';

/** What this adapter uses of OUR codec's module object (see codec/src/module.ts). */
export interface OurModule {
  readonly [name: string]: unknown;
  readonly dumps: ((value: object) => Uint8Array) & {
    message(
      value: object,
      seqid?: number,
      options?: { strict?: boolean; name?: string },
    ): Uint8Array;
  };
  readonly loads: (<T extends object>(type: OurClass, bytes: Uint8Array) => T) & {
    message(
      service: never,
      bytes: Uint8Array,
    ): { name: string; seqid: number; messageType: number; body: object };
  };
}
/** A generated class of OUR codec. */
export type OurClass = new (init?: Record<string, unknown>) => Record<string, unknown>;

/** What this adapter uses of OUR codec's entry point. */
export interface OurCodec {
  load(path: string): OurModule;
  TApplicationException: new (type?: number, message?: string) => Error & { type: number };
}

/** Imports OUR codec (`codec/src/index.ts`). Throws an Error naming why it cannot be loaded. */
export async function loadOurCodec(): Promise<OurCodec> {
  try {
    return (await import('../codec/src/index.js')) as unknown as OurCodec;
  } catch (e) {
    throw new Error(
      `OUR codec (codec/src/index.ts) cannot be loaded yet: ${(e as Error).message}`,
      {
        cause: e,
      },
    );
  }
}

/** OUR adapter plus the loaded module object. */
export interface OursAdapter extends CodecAdapter {
  readonly module: OurModule;
  readonly schema: Schema;
}

/** Options for `createOursAdapter`. */
export interface OursAdapterOptions {
  /** Write version-1 (strict) envelope headers. Default true (OUR codec's default too). */
  readonly strictEnvelopes?: boolean;
  /** An already loaded schema of the same IDL (else it is read from `idlPath`). */
  readonly schema?: Schema;
}

/**
 * Builds OUR adapter for an IDL file with `load(idlPath)`. Throws when the codec cannot be
 * loaded or rejects the IDL; the methods throw OUR codec's ValidationError/ProtocolError.
 */
export async function createOursAdapter(
  idlPath: string,
  options: OursAdapterOptions = {},
): Promise<OursAdapter> {
  const codec = await loadOurCodec();
  const mod = codec.load(idlPath);
  const schema = options.schema ?? loadSchema(idlPath);
  const strict = options.strictEnvelopes ?? true;

  const classes = new Map<string, OurClass>();
  /** OUR class for a thriftrw model name (`Svc::fn_args` → `mod.Svc.fn.request`). */
  const classOf = (name: string): OurClass => {
    let c = classes.get(name);
    if (c) return c;
    const m = /^(\w+)::(\w+)_(args|result)$/.exec(name);
    if (m) {
      const fn = (mod[m[1] ?? ''] as Record<string, { request: OurClass; response: OurClass }>)?.[
        m[2] ?? ''
      ];
      c = m[3] === 'args' ? fn?.request : fn?.response;
    } else {
      c = mod[name] as OurClass | undefined;
    }
    if (typeof c !== 'function') throw new Error(`OUR codec: no class for ${name}`);
    classes.set(name, c);
    return c;
  };

  function toNativeValue(t: TypeRef, v: unknown): unknown {
    switch (t.kind) {
      case 'list':
        return (v as unknown[]).map((x) => toNativeValue(t.elem, x));
      case 'set':
        return new Set([...(v as Iterable<unknown>)].map((x) => toNativeValue(t.elem, x)));
      case 'map': {
        const m = new Map<unknown, unknown>();
        for (const [k, x] of v as Map<unknown, unknown>) {
          m.set(toNativeValue(t.key, k), toNativeValue(t.value, x));
        }
        return m;
      }
      case 'struct':
        return structToNative(structOf(schema, t.name), v as Record<string, unknown>);
      default:
        return v;
    }
  }

  function structToNative(s: StructShape, v: Record<string, unknown>): Record<string, unknown> {
    return new (classOf(s.name))(mapSetFields(s, v, toNativeValue));
  }

  function fromNativeValue(t: TypeRef, v: unknown): unknown {
    switch (t.kind) {
      case 'list':
        return (v as unknown[]).map((x) => fromNativeValue(t.elem, x));
      case 'set':
        return new Set([...(v as Set<unknown>)].map((x) => fromNativeValue(t.elem, x)));
      case 'map': {
        const m = new Map<unknown, unknown>();
        for (const [k, x] of v as Map<unknown, unknown>) {
          m.set(fromNativeValue(t.key, k), fromNativeValue(t.value, x));
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

  const adapter: OursAdapter = {
    name: 'ours',
    module: mod,
    schema,
    toNative(typeName, value) {
      return structToNative(structOf(schema, typeName), value as Record<string, unknown>);
    },
    encodeNative(_typeName, native) {
      return mod.dumps(native as object);
    },
    decodeNative(typeName, bytes) {
      return mod.loads(classOf(typeName), bytes);
    },
    encode(typeName, value) {
      return mod.dumps(adapter.toNative(typeName, value) as object);
    },
    decode(typeName, bytes) {
      return structFromNative(structOf(schema, typeName), mod.loads(classOf(typeName), bytes));
    },
    encodeMessage(service, message) {
      const shape = functionOf(schema, service, message.name);
      let body: object;
      if (message.messageType === MessageType.EXCEPTION) {
        body = new codec.TApplicationException(
          message.body['type'] as number | undefined,
          message.body['message'] as string | undefined,
        );
      } else {
        const request =
          message.messageType === MessageType.CALL || message.messageType === MessageType.ONEWAY;
        body = structToNative(structOf(schema, request ? shape.args : shape.result), message.body);
      }
      return mod.dumps.message(body, message.seqid, { strict, name: message.name });
    },
    decodeMessage(service, bytes) {
      const m = mod.loads.message(mod[service] as never, bytes);
      const messageType = m.messageType as MessageTypeCode;
      let body: Record<string, unknown>;
      if (messageType === MessageType.EXCEPTION) {
        const x = m.body as { message?: string; type?: number };
        body = {};
        if (x.message !== undefined) body['message'] = x.message;
        if (x.type !== undefined) body['type'] = x.type;
      } else {
        const shape = functionOf(schema, service, m.name);
        const request = messageType === MessageType.CALL || messageType === MessageType.ONEWAY;
        body = structFromNative(
          structOf(schema, request ? shape.args : shape.result),
          m.body as Record<string, unknown>,
        );
      }
      return { name: m.name, seqid: m.seqid, messageType, body } satisfies Envelope;
    },
  };
  return adapter;
}
