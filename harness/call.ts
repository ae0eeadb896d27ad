/**
 * `thrift-conform call`: the seed's tcurl for Thrift over TCP or TChannel — call one method of a
 * running server from the shell, with JSON arguments checked against the IDL, and print the
 * result as JSON.
 *
 *   thrift-conform call --idl service.thrift -p 127.0.0.1:4040 KeyValue::get '{"key": "hello"}'
 *   thrift-conform call --transport tchannel --service keyvalue -H trace=1 \
 *     --idl service.thrift -p 127.0.0.1:4040 KeyValue::get '{"key": "hello"}'
 *
 * The JSON mapping, both ways (arguments in, results and exceptions out):
 * - bool: true/false; byte, i8, i16, i32: numbers (range-checked);
 * - i64: a number when it is a safe integer (|v| < 2^53), else a string of digits (in: either);
 * - double: a number, or "NaN", "Infinity", "-Infinity", "-0" (JSON cannot hold them);
 * - string, uuid: strings; binary: base64 strings;
 * - enum: the item's name (in: a name or its number; a number the IDL does not declare stays a
 *   number);
 * - list and set: arrays; map: an object when its keys are strings, else an array of [key, value];
 * - struct, union, exception: an object of the fields that are set.
 * Exit codes: 0 the result (JSON, `null` for void and oneway); 1 a declared exception (printed as
 * `{"exception": "<field>", "type": "<Exception>", "value": {...}}`; over TChannel, a call res
 * with code 0x01); 2 a transport error, a TApplicationException, a TChannel error frame (the
 * message names its code, e.g. `BadRequest (0x06)`) or bad arguments, with a message that says
 * what and where.
 */
import { compile } from '../codec/src/index.js';
import type {
  Protocol,
  ServiceObject,
  StructSpec,
  ThriftModule,
  TypeSpec,
} from '../codec/src/index.js';
import { classFor } from '../codec/src/index.js';
import { ThriftClient } from '../rpc/src/client.js';
import { TChannelClient } from '../rpc/src/tchannel/client.js';
import type { TransportKind } from '../rpc/src/transport.js';
import { loadUserIdl } from './runner/user-idl.js';

/** The text of `thrift-conform call --help`. */
export const CALL_HELP = `usage: thrift-conform call --idl FILE -p HOST:PORT Service::method ['{JSON arguments}']

Calls one method of a running server (the seed's tcurl) and prints the result as JSON.

  --idl FILE          the IDL declaring the service (-I DIR for includes, --dialect
                      thriftrw|apache, default thriftrw)
  -p HOST:PORT        the server
  --transport T       framed (default), buffered or tchannel
  --protocol P        binary (default) or compact (framed and buffered only)
  --envelope E        strict (default) or nonstrict (binary framed and buffered only)
  --service NAME      tchannel: the TChannel service name (default the Thrift service's)
  -H key=value        tchannel: an application header (repeatable)
  --timeout 10s       how long to wait (tchannel: the ttl sent)

JSON: i64 beyond 2^53 as strings, binary as base64, sets as arrays, maps as objects (string
keys) or arrays of [key, value], enums by name.
Exit codes: 0 the result; 1 a declared exception, printed as
{"exception": FIELD, "type": NAME, "value": {...}}; 2 a transport failure, a
TApplicationException, a TChannel error frame (its code named, e.g. BadRequest (0x06)) or
bad arguments.

  thrift-conform call --transport tchannel --service keyvalue -H trace=on \\
    --idl idl/keyvalue.thrift -p 127.0.0.1:4040 KeyValue::get '{"key": "hello"}'
`;

/** JSON as parsed. */
type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Arguments or a result that do not fit the IDL; the message names the field path. */
export class CallArgumentError extends Error {
  override get name(): string {
    return 'CallArgumentError';
  }
}

const INT_RANGE: Record<string, [number, number]> = {
  byte: [-128, 127],
  i16: [-32768, 32767],
  i32: [-(2 ** 31), 2 ** 31 - 1],
};

/**
 * Converts JSON (the mapping in the module comment) to a codec value of `t`. Throws
 * CallArgumentError naming `path` and what was expected.
 */
export function fromCallJson(t: TypeSpec, j: Json, path: string): unknown {
  const bad = (want: string): never => {
    throw new CallArgumentError(`${path}: expected ${want}, got ${JSON.stringify(j)}`);
  };
  switch (t.kind) {
    case 'bool':
      return typeof j === 'boolean' ? j : bad('true or false');
    case 'byte':
    case 'i16':
    case 'i32': {
      const [lo, hi] = INT_RANGE[t.kind]!;
      if (typeof j !== 'number' || !Number.isInteger(j) || j < lo || j > hi)
        return bad(`an integer from ${lo} to ${hi}`);
      return j;
    }
    case 'i64': {
      const ok =
        (typeof j === 'number' && Number.isSafeInteger(j)) ||
        (typeof j === 'string' && /^-?\d+$/.test(j));
      if (!ok) return bad('an i64 (a safe integer, or a string of digits)');
      const v = BigInt(j as number | string);
      if (v < -(2n ** 63n) || v > 2n ** 63n - 1n) return bad('an i64 within ±2^63');
      return v;
    }
    case 'double':
      if (typeof j === 'number') return j;
      if (j === 'NaN') return NaN;
      if (j === 'Infinity') return Infinity;
      if (j === '-Infinity') return -Infinity;
      if (j === '-0') return -0;
      return bad('a number (or "NaN", "Infinity", "-Infinity", "-0")');
    case 'string':
    case 'uuid':
      return typeof j === 'string' ? j : bad('a string');
    case 'binary':
      if (typeof j !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(j)) return bad('base64 text');
      return new Uint8Array(Buffer.from(j, 'base64'));
    case 'enum': {
      if (typeof j === 'number' && Number.isInteger(j)) return j;
      const item = t.items.find((i) => i.name === j);
      return item !== undefined
        ? item.value
        : bad(`an item of ${t.name} (${t.items.map((i) => i.name).join(', ')}) or a number`);
    }
    case 'list':
    case 'set': {
      if (!Array.isArray(j)) return bad('an array');
      const xs = j.map((x, i) => fromCallJson(t.valueType, x, `${path}[${i}]`));
      return t.kind === 'set' ? new Set(xs) : xs;
    }
    case 'map': {
      const entries: [Json, Json][] =
        t.keyType.kind === 'string' && j !== null && typeof j === 'object' && !Array.isArray(j)
          ? Object.entries(j)
          : Array.isArray(j) && j.every((e) => Array.isArray(e) && e.length === 2)
            ? (j as [Json, Json][])
            : bad(
                t.keyType.kind === 'string'
                  ? 'an object (or an array of [key, value])'
                  : 'an array of [key, value]',
              );
      return new Map(
        entries.map(([k, v], i) => [
          fromCallJson(t.keyType, k, `${path}<key ${i}>`),
          fromCallJson(t.valueType, v, `${path}[${JSON.stringify(k)}]`),
        ]),
      );
    }
    case 'struct':
      return structFromCallJson(t, j, path);
  }
}

/** An instance of the struct `spec` from a JSON object; throws CallArgumentError naming the path. */
function structFromCallJson(spec: StructSpec, j: Json, path: string): object {
  if (j === null || typeof j !== 'object' || Array.isArray(j))
    throw new CallArgumentError(
      `${path}: expected an object of ${spec.name}'s fields, got ${JSON.stringify(j)}`,
    );
  const init: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(j)) {
    const f = spec.fields.find((x) => x.name === k);
    if (f === undefined)
      throw new CallArgumentError(
        `${path}.${k}: ${spec.name} has no field ${k} (its fields: ${spec.fields.map((x) => x.name).join(', ') || 'none'})`,
      );
    init[k] = fromCallJson(f.type, v, `${path}.${k}`);
  }
  const C = classFor(spec);
  try {
    return new C(init);
  } catch (e) {
    throw new CallArgumentError(`${path}: ${(e as Error).message}`);
  }
}

/** A codec value of `t` as JSON (the mapping in the module comment). Never throws for valid values. */
export function toCallJson(t: TypeSpec, v: unknown): Json {
  if (v === undefined || v === null) return null;
  switch (t.kind) {
    case 'i64': {
      const b = BigInt(v as bigint | number);
      return b >= -(2n ** 53n) + 1n && b <= 2n ** 53n - 1n ? Number(b) : b.toString();
    }
    case 'double': {
      const d = v as number;
      if (Number.isNaN(d)) return 'NaN';
      if (d === Infinity) return 'Infinity';
      if (d === -Infinity) return '-Infinity';
      if (Object.is(d, -0)) return '-0';
      return d;
    }
    case 'binary':
      return Buffer.from(v as Uint8Array).toString('base64');
    case 'enum':
      return t.items.find((i) => i.value === v)?.name ?? (v as number);
    case 'list':
    case 'set':
      return [...(v as Iterable<unknown>)].map((x) => toCallJson(t.valueType, x));
    case 'map': {
      const entries = [...(v as Map<unknown, unknown>)];
      if (t.keyType.kind === 'string')
        return Object.fromEntries(
          entries.map(([k, x]) => [k as string, toCallJson(t.valueType, x)]),
        );
      return entries.map(([k, x]) => [toCallJson(t.keyType, k), toCallJson(t.valueType, x)]);
    }
    case 'struct': {
      const out: Record<string, Json> = {};
      for (const f of t.fields) {
        const x = (v as Record<string, unknown>)[f.name];
        if (x !== undefined && x !== null) out[f.name] = toCallJson(f.type, x);
      }
      return out;
    }
    default:
      return v as Json;
  }
}

/** What `call` needs. */
export interface CallOptions {
  /** The IDL file declaring the service (its includes are found as with `run --idl`). */
  readonly idl: string;
  readonly includeDirs?: readonly string[];
  /** Default thriftrw. */
  readonly dialect?: 'thriftrw' | 'apache';
  readonly host: string;
  readonly port: number;
  /** `Service::method`. */
  readonly method: string;
  /** The arguments as JSON text (an object of the arguments by name). Default `{}`. */
  readonly args?: string;
  /** Default framed. */
  readonly transport?: TransportKind | 'tchannel';
  /** TChannel: the service name to call (default the Thrift service's name). */
  readonly service?: string;
  /** TChannel: application headers (arg2); framed and buffered have none (an error). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Default strict (the compact protocol has one envelope form). */
  readonly envelope?: 'strict' | 'nonstrict';
  /** Default binary (TChannel's Thrift is always binary). */
  readonly protocol?: Protocol;
  /** Default 10 s (over TChannel: the ttl sent). */
  readonly timeoutMs?: number;
  /** Receives the output (JSON text or a message), line by line. */
  readonly out: (line: string) => void;
}

/** Compiles the IDL of `options` (includes as for `run --idl`); throws CallArgumentError. */
function compileFor(options: CallOptions): ThriftModule {
  try {
    const schema = loadUserIdl(options.idl, {
      includeDirs: options.includeDirs ?? [],
      dialect: options.dialect ?? 'thriftrw',
      echo: false,
    });
    return compile(schema.files[schema.main]!, {
      file: schema.main,
      includes: schema.files,
      dialect: options.dialect ?? 'thriftrw',
    });
  } catch (e) {
    const message = (e as Error).message;
    throw new CallArgumentError(
      message.startsWith('--idl') ? message : `--idl ${options.idl}: ${message}`,
    );
  }
}

/**
 * Calls `Service::method` on the server at host:port and writes the result (see the module
 * comment); resolves with the exit code. Never rejects: every failure is an exit code and a line.
 */
export async function callMethod(options: CallOptions): Promise<number> {
  const { out } = options;
  let mod: ThriftModule;
  let service: ServiceObject;
  let fnName: string;
  let args: object;
  try {
    mod = compileFor(options);
    const m = /^([A-Za-z_][\w.]*)::([A-Za-z_]\w*)$/.exec(options.method);
    if (m === null)
      throw new CallArgumentError(
        `the method is Service::method (e.g. KeyValue::get), not ${options.method}`,
      );
    const s = mod[m[1]!] as ServiceObject | undefined;
    if (s === undefined || typeof s !== 'object' || !('__functions__' in s))
      throw new CallArgumentError(`${options.idl} has no service ${m[1]}`);
    service = s;
    const fn = s.__functions__.get(m[2]!);
    if (fn === undefined)
      throw new CallArgumentError(
        `service ${m[1]} has no method ${m[2]} (its methods: ${[...s.__functions__.keys()].join(', ')})`,
      );
    fnName = fn.name;
    let json: Json;
    try {
      json = JSON.parse(options.args ?? '{}') as Json;
    } catch (e) {
      throw new CallArgumentError(`the arguments are not JSON: ${(e as Error).message}`);
    }
    args = structFromCallJson(fn.request.__spec__, json, `${m[1]}::${m[2]}(args)`);
    const tchannel = options.transport === 'tchannel';
    if (!tchannel && Object.keys(options.headers ?? {}).length > 0)
      throw new CallArgumentError(
        `the ${options.transport ?? 'framed'} transport has no application headers: -H is for --transport tchannel`,
      );
    if (!tchannel && options.service !== undefined)
      throw new CallArgumentError(
        '--service names a TChannel service: it is for --transport tchannel',
      );
    if (tchannel && (options.protocol ?? 'binary') !== 'binary')
      throw new CallArgumentError('Thrift over TChannel is binary: leave --protocol out');
    if (tchannel && options.envelope === 'nonstrict')
      throw new CallArgumentError('Thrift over TChannel has no envelope: leave --envelope out');
  } catch (e) {
    out(`thrift-conform call: ${(e as Error).message}`);
    return 2;
  }
  const fn = service.__functions__.get(fnName)!;
  let client: ThriftClient | TChannelClient | undefined;
  try {
    let result: unknown;
    if (options.transport === 'tchannel') {
      const tc = await TChannelClient.connect(mod, service, options.port, options.host, {
        serviceName: options.service ?? service.__name__,
        callerName: 'thrift-conform-call',
        timeoutMs: options.timeoutMs ?? 10_000,
      });
      client = tc;
      result = (
        await tc.call(fnName, args as Record<string, unknown>, { headers: { ...options.headers } })
      ).result;
    } else {
      const tc = await ThriftClient.connect(mod, service, options.port, options.host, {
        transport: options.transport ?? 'framed',
        strict: (options.envelope ?? 'strict') === 'strict',
        protocol: options.protocol ?? 'binary',
        timeoutMs: options.timeoutMs ?? 10_000,
      });
      client = tc;
      result = await tc.call(fnName, args as Record<string, unknown>);
    }
    const success = fn.response.__spec__.fields.find((f) => f.id === 0);
    out(JSON.stringify(success === undefined ? null : toCallJson(success.type, result)));
    return 0;
  } catch (e) {
    const declared = fn.response.__spec__.fields.find(
      (f) => f.id !== 0 && f.type.kind === 'struct' && e instanceof classFor(f.type),
    );
    if (declared !== undefined) {
      out(
        JSON.stringify({
          exception: declared.name,
          type: (declared.type as StructSpec).name,
          value: toCallJson(declared.type, e),
        }),
      );
      return 1;
    }
    const err = e as { name?: string; message?: string; type?: number };
    out(
      `thrift-conform call: ${options.method} on ${options.host}:${options.port} failed: ${err.name ?? 'Error'}: ${err.message ?? String(e)}`,
    );
    return 2;
  } finally {
    client?.close();
  }
}
