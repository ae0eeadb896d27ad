/**
 * The module object (stage 3's public face): built from a compiled ModuleSpec, it holds the
 * generated types, constants, services and included modules by name, plus `dumps`, `loads`,
 * `dumps.message`, `loads.message`, `equals`, `toPrimitive`, `fromPrimitive` and the
 * `__types__`, `__services__`, `__constants__`, `__includes__`, `__thrift_source__` members.
 * Every generated type carries `__thrift_module__`.
 */
import {
  IdlCompileError,
  InvalidDataError,
  LimitExceededError,
  UnknownMethodError,
  ValidationError,
} from './errors.js';
import { decodeStruct, prefixProtocolPath, readTop } from './decode.js';
import type { MessageWriteOptions } from './encode.js';
import { checkEnvelope, encodeMessage, encodeStruct, specOf } from './encode.js';
import {
  applicationExceptionSize,
  readApplicationException,
  readEnvelopeHeader,
  writeApplicationException,
  envelopeHeaderSize,
  writeEnvelopeHeader,
} from './protocol/binary/envelope.js';
import { BinaryReader } from './protocol/binary/reader.js';
import { BinaryWriter } from './protocol/binary/writer.js';
import {
  compactApplicationExceptionSize,
  compactEnvelopeHeaderSize,
  readCompactApplicationException,
  readCompactEnvelopeHeader,
  writeCompactApplicationException,
  writeCompactEnvelopeHeader,
} from './protocol/compact/envelope.js';
import { CompactReader } from './protocol/compact/reader.js';
import { CompactWriter } from './protocol/compact/writer.js';
import type { Protocol } from './protocol/protocol.js';
import { resolveProtocol } from './protocol/protocol.js';
import type { DecodeLimits } from './protocol/limits.js';
import { resolveLimits } from './protocol/limits.js';
import type { EnumObject } from './schema/enum-object.js';
import { enumFor } from './schema/enum-object.js';
import { equals } from './schema/equals.js';
import { fromPrimitive, toPrimitive } from './schema/primitive.js';
import type {
  FunctionSpec,
  ModuleSpec,
  NamedTypeSpec,
  ServiceSpec,
  StructSpec,
  TypeSpec,
} from './schema/spec.js';
import type { StructClass } from './schema/struct-class.js';
import { classFor } from './schema/struct-class.js';
import { materialize } from './schema/values.js';
import { TApplicationException } from './wire/application-exception.js';
import type { EnvelopeHeader } from './wire/envelope.js';
import type { MessageTypeCode } from './wire/message-type.js';
import { MessageType, messageTypeName } from './wire/message-type.js';

/** One service method: its request and response classes. */
export interface ServiceFunction {
  readonly name: string;
  readonly oneway: boolean;
  /** The arguments class: `new fn.request({ key: 'k' })`. */
  readonly request: StructClass;
  /** The result class: `success` (absent for void) plus one field per declared exception. */
  readonly response: StructClass;
  readonly service: ServiceObject;
  readonly __spec__: FunctionSpec;
}

/** A service: one ServiceFunction per method (inherited ones included) under the method's name. */
export interface ServiceObject {
  readonly [fn: string]: unknown;
  readonly __name__: string;
  readonly __spec__: ServiceSpec;
  /** The parent service object, or undefined. */
  readonly __parent__: ServiceObject | undefined;
  /** Every function, inherited ones too, by name. */
  readonly __functions__: ReadonlyMap<string, ServiceFunction>;
}

/** A decoded envelope. `body` is a request, a response, or a TApplicationException (EXCEPTION). */
export interface Message {
  readonly name: string;
  readonly seqid: number;
  readonly messageType: MessageTypeCode;
  /** Whether the header came in the strict (versioned) form. */
  readonly strict: boolean;
  readonly body: object;
}

/** Options for `loads` and `loads.message`. */
export interface LoadsOptions {
  /** Decoding limits; defaults in DEFAULT_LIMITS (depth 64, lengths and message size 16,384,000). */
  readonly limits?: Partial<DecodeLimits>;
  /** The wire protocol: `binary` (default) or `compact`. */
  readonly protocol?: Protocol;
}

/** Options for `dumps`. */
export interface DumpsOptions {
  /** The wire protocol: `binary` (default) or `compact`. */
  readonly protocol?: Protocol;
}

/** Options for `dumps.message`. */
export interface DumpsMessageOptions extends MessageWriteOptions {
  /** The method name, needed only when the body is a TApplicationException. */
  readonly name?: string;
}

export interface Dumps {
  /**
   * Encodes a generated struct/union/exception/request/response with `options.protocol` (default
   * binary). Throws ValidationError; RangeError for an unknown protocol.
   */
  (value: object, options?: DumpsOptions): Uint8Array;
  /**
   * Encodes a request (CALL, or ONEWAY for oneway functions), a response (REPLY) or a
   * TApplicationException (EXCEPTION; give `options.name`) in an envelope of `options.protocol`
   * (default binary). seqid defaults to 0; a binary header is strict unless
   * `options.strict === false` (compact has one form). Throws ValidationError.
   */
  message(value: object, seqid?: number, options?: DumpsMessageOptions): Uint8Array;
}

export interface Loads {
  /**
   * Decodes `bytes` as a value of `type` (a generated class) with `options.protocol` (default
   * binary) and `options.limits`. Throws ProtocolError subclasses.
   */
  <T extends object>(
    type: StructClass | (new (...a: never[]) => T),
    bytes: Uint8Array,
    options?: LoadsOptions,
  ): T;
  /**
   * Decodes an envelope for `service` with `options.protocol` (default binary: strict or
   * non-strict header): CALL/ONEWAY → request, REPLY → response, EXCEPTION →
   * TApplicationException. Throws UnknownMethodError for a method the service lacks, other
   * ProtocolErrors for bad bytes.
   */
  message(service: ServiceObject, bytes: Uint8Array, options?: LoadsOptions): Message;
}

/** The object `load` and `compile` return. Types, constants, services and includes are members by name. */
export interface ThriftModule {
  readonly [name: string]: unknown;
  readonly dumps: Dumps;
  readonly loads: Loads;
  /** Semantic equality of two values (see schema/equals.ts). */
  readonly equals: (a: unknown, b: unknown) => boolean;
  /** The primitive form of a generated struct-like value. */
  readonly toPrimitive: (value: object) => unknown;
  /** Builds a value of `type` from its primitive form; unknown fields are ignored. */
  readonly fromPrimitive: <T = object>(type: StructClass, primitive: unknown) => T;
  readonly __types__: Readonly<Record<string, unknown>>;
  readonly __services__: Readonly<Record<string, ServiceObject>>;
  readonly __constants__: Readonly<Record<string, unknown>>;
  readonly __includes__: Readonly<Record<string, ThriftModule>>;
  readonly __thrift_source__: string;
  readonly __spec__: ModuleSpec;
}

const RESERVED = new Set([
  'dumps',
  'loads',
  'equals',
  'toPrimitive',
  'fromPrimitive',
  '__types__',
  '__services__',
  '__constants__',
  '__includes__',
  '__thrift_source__',
  '__spec__',
  '__thrift_module__',
]);

const modules = new WeakMap<ModuleSpec, ThriftModule>();
const services = new WeakMap<ServiceSpec, ServiceObject>();

/** A typedef's runtime face: its name and the type it stands for. */
export interface TypedefObject {
  readonly __name__: string;
  readonly __spec__: NamedTypeSpec;
  /** The class or enum object of the target, or undefined for base and container targets. */
  readonly target: unknown;
}

function runtimeOf(t: TypeSpec): unknown {
  if (t.kind === 'struct') return classFor(t);
  if (t.kind === 'enum') return enumFor(t);
  return undefined;
}

function attachModule(target: object, mod: ThriftModule): void {
  if (!Object.prototype.hasOwnProperty.call(target, '__thrift_module__')) {
    Object.defineProperty(target, '__thrift_module__', { value: mod, enumerable: false });
  }
}

/** Returns the (cached) module object of a compiled module. Throws IdlCompileError for a name that collides with a module member. */
export function moduleFor(spec: ModuleSpec): ThriftModule {
  const cached = modules.get(spec);
  if (cached) return cached;
  const mod: Record<string, unknown> = {};
  modules.set(spec, mod as unknown as ThriftModule);
  const define = (
    name: string,
    value: unknown,
    loc?: { file: string; line: number; column: number },
  ) => {
    if (RESERVED.has(name) || Object.prototype.hasOwnProperty.call(mod, name)) {
      throw new IdlCompileError(
        `'${name}' collides with ${RESERVED.has(name) ? 'a member of the generated module' : 'another name in the module'}; please rename it`,
        loc,
      );
    }
    mod[name] = value;
  };
  const types: Record<string, unknown> = {};
  const constants: Record<string, unknown> = {};
  const svcs: Record<string, ServiceObject> = {};
  const includes: Record<string, ThriftModule> = {};
  for (const [name, inc] of spec.includes) {
    includes[name] = moduleFor(inc);
    define(name, includes[name]);
  }
  for (const [name, t] of spec.types) {
    let value: unknown;
    if (t.kind === 'typedef') {
      value = Object.freeze({ __name__: name, __spec__: t, target: runtimeOf(t.target) });
    } else {
      value = runtimeOf(t);
      attachModule(value as object, mod as unknown as ThriftModule);
    }
    types[name] = value;
    define(name, value, t.loc);
  }
  for (const [name, s] of spec.services) {
    svcs[name] = serviceFor(s);
    attachModule(svcs[name], mod as unknown as ThriftModule);
    define(name, svcs[name], s.loc);
  }
  for (const [name, c] of spec.constants) {
    constants[name] = materialize(c.type, c.value);
    define(name, constants[name], c.loc);
  }
  const dumps = ((value: object, options?: DumpsOptions) =>
    encodeStruct(
      value,
      options?.protocol === undefined ? 'binary' : resolveProtocol(options.protocol),
    )) as Dumps;
  dumps.message = dumpsMessage;
  const loads = (<T extends object>(
    type: StructClass | (new (...a: never[]) => T),
    bytes: Uint8Array,
    options?: LoadsOptions,
  ): T => {
    const s = (type as Partial<StructClass>).__spec__;
    if (s === undefined)
      throw new ValidationError(
        'loads',
        `expected a generated class as the type, got ${typeof type}`,
      );
    const limits = resolveLimits(options?.limits);
    if (options?.protocol === undefined) return decodeStruct(s, bytes, limits) as T;
    return decodeStruct(s, bytes, limits, resolveProtocol(options.protocol)) as T;
  }) as Loads;
  loads.message = loadsMessage;
  const hidden = (value: unknown) => ({ value, enumerable: false });
  Object.defineProperties(mod, {
    dumps: hidden(dumps),
    loads: hidden(loads),
    equals: hidden(equals),
    toPrimitive: hidden((value: object) => toPrimitive(specOf(value, 'toPrimitive'), value)),
    fromPrimitive: hidden((type: StructClass, p: unknown) => fromPrimitive(type.__spec__, p)),
    __types__: hidden(Object.freeze(types)),
    __services__: hidden(Object.freeze(svcs)),
    __constants__: hidden(Object.freeze(constants)),
    __includes__: hidden(Object.freeze(includes)),
    __thrift_source__: hidden(spec.source),
    __spec__: hidden(spec),
  });
  return mod as unknown as ThriftModule;
}

/** Returns the (cached) service object of a service spec. */
export function serviceFor(spec: ServiceSpec): ServiceObject {
  const cached = services.get(spec);
  if (cached) return cached;
  const parent = spec.parent === undefined ? undefined : serviceFor(spec.parent);
  const fns = new Map<string, ServiceFunction>(parent?.__functions__ ?? []);
  const svc: Record<string, unknown> = {};
  services.set(spec, svc as unknown as ServiceObject);
  for (const f of spec.functions) {
    const fn: ServiceFunction = Object.freeze({
      name: f.name,
      oneway: f.oneway,
      request: classFor(f.request),
      response: classFor(f.response),
      service: svc as unknown as ServiceObject,
      __spec__: f,
    });
    fns.set(f.name, fn);
  }
  for (const [name, fn] of fns) svc[name] = fn;
  const hidden = (value: unknown) => ({ value, enumerable: false });
  Object.defineProperties(svc, {
    __name__: hidden(spec.name),
    __spec__: hidden(spec),
    __parent__: hidden(parent),
    __functions__: hidden(fns),
  });
  return svc as unknown as ServiceObject;
}

function dumpsMessage(value: object, seqid = 0, options: DumpsMessageOptions = {}): Uint8Array {
  const strict = options.strict ?? true;
  const protocol = resolveProtocol(options.protocol);
  if (value instanceof TApplicationException) {
    if (options.name === undefined) {
      throw new ValidationError(
        'dumps.message',
        'a TApplicationException needs options.name (the method it answers)',
      );
    }
    return encodeApplicationExceptionMessage(value, options.name, seqid, strict, protocol);
  }
  const spec: StructSpec = specOf(value, 'dumps.message');
  const fn = spec.function;
  if (fn === undefined || (spec.variant !== 'request' && spec.variant !== 'response')) {
    throw new ValidationError(
      'dumps.message',
      `expected a request or response (Service.fn.request / .response) or a TApplicationException, got ${spec.name}`,
    );
  }
  const type: MessageTypeCode =
    spec.variant === 'response'
      ? MessageType.REPLY
      : fn.oneway
        ? MessageType.ONEWAY
        : MessageType.CALL;
  return encodeMessage(fn.name, type, seqid, value, { strict, protocol });
}

/**
 * Encodes a TApplicationException in an EXCEPTION envelope for method `name` (no module needed),
 * strict by default, in `protocol` (default binary). Throws ValidationError for a seqid that is
 * not an i32 or for `strict: false` with compact.
 */
export function encodeApplicationExceptionMessage(
  e: TApplicationException,
  name: string,
  seqid: number,
  strict = true,
  protocol: Protocol = 'binary',
): Uint8Array {
  checkEnvelope(seqid, strict, protocol);
  if (protocol === 'compact') {
    const c = new CompactWriter(
      compactEnvelopeHeaderSize(name, seqid) + compactApplicationExceptionSize(e),
    );
    writeCompactEnvelopeHeader(c, { name, messageType: MessageType.EXCEPTION, seqid });
    writeCompactApplicationException(c, e);
    return c.buf;
  }
  const w = new BinaryWriter(envelopeHeaderSize(name, strict) + applicationExceptionSize(e));
  writeEnvelopeHeader(w, { name, messageType: MessageType.EXCEPTION, seqid }, strict);
  writeApplicationException(w, e);
  return w.buf;
}

/**
 * Reads only the envelope header of `bytes` in `protocol` (default binary, either form). Throws
 * ProtocolError subclasses.
 */
export function peekEnvelope(bytes: Uint8Array, protocol: Protocol = 'binary'): EnvelopeHeader {
  if (protocol === 'compact') return readCompactEnvelopeHeader(new CompactReader(bytes));
  return readEnvelopeHeader(new BinaryReader(bytes));
}

function loadsMessage(service: ServiceObject, bytes: Uint8Array, options?: LoadsOptions): Message {
  const limits = resolveLimits(options?.limits);
  if (bytes.length > limits.maxMessageSize) {
    throw new LimitExceededError(
      `message of ${bytes.length} bytes exceeds the limit of ${limits.maxMessageSize}`,
      0,
    );
  }
  const compact = resolveProtocol(options?.protocol) === 'compact';
  const r = compact ? new CompactReader(bytes, limits) : new BinaryReader(bytes, limits);
  const h = r instanceof CompactReader ? readCompactEnvelopeHeader(r) : readEnvelopeHeader(r);
  let body: object;
  if (h.messageType === MessageType.EXCEPTION) {
    try {
      body =
        r instanceof CompactReader
          ? readCompactApplicationException(r)
          : readApplicationException(r);
    } catch (e) {
      throw prefixProtocolPath(e, 'TApplicationException');
    }
    if (r.pos !== r.end)
      throw new InvalidDataError(`${r.end - r.pos} trailing bytes after the message`, r.pos);
  } else {
    const fn = service.__functions__.get(h.name);
    if (fn === undefined) {
      const e = new UnknownMethodError(
        `service ${service.__name__} has no method '${h.name}' (${messageTypeName(h.messageType)} seqid ${h.seqid}); it has ${[...service.__functions__.keys()].join(', ') || 'no methods'}`,
        0,
      );
      e.methodName = h.name;
      e.seqid = h.seqid;
      e.messageType = h.messageType;
      throw e;
    }
    const spec = h.messageType === MessageType.REPLY ? fn.__spec__.response : fn.__spec__.request;
    body = readTop(spec, r, true);
  }
  return { name: h.name, seqid: h.seqid, messageType: h.messageType, strict: h.strict, body };
}

export type { EnumObject };

/** What `value` (a member of a module) is, for a person: `an enum`, `a service`, `a constant`. */
function kindOf(value: unknown): string {
  const spec = (value as { __spec__?: { kind?: string; variant?: string } } | null)?.__spec__;
  if (spec?.kind === 'struct')
    return spec.variant === 'exception' ? 'an exception' : `a ${spec.variant ?? 'struct'}`;
  if (spec?.kind === 'enum') return 'an enum';
  if (spec?.kind === 'typedef') return 'a typedef';
  if (value !== null && typeof value === 'object' && '__functions__' in value) return 'a service';
  if (value !== null && typeof value === 'object' && '__types__' in value) return 'an include';
  return 'a constant';
}

/** The member `name` of `mod` (a dotted name reaches into includes: `shared.Stamp`), or a ValidationError. */
function memberOf(
  mod: ThriftModule,
  name: string,
  want: string,
  listed: (m: ThriftModule) => string[],
): unknown {
  const parts = name.split('.');
  let m = mod;
  for (const inc of parts.slice(0, -1)) {
    const next = m.__includes__[inc];
    if (next === undefined)
      throw new ValidationError(
        name,
        `no include '${inc}' in module ${m.__spec__.name}; its includes: ${Object.keys(m.__includes__).join(', ') || 'none'}`,
      );
    m = next;
  }
  const last = parts.at(-1)!;
  if (!Object.prototype.hasOwnProperty.call(m, last) || RESERVED.has(last))
    throw new ValidationError(
      name,
      `no ${want} named '${last}' in module ${m.__spec__.name}; its ${want}s: ${listed(m).join(', ') || 'none'}`,
    );
  return m[last];
}

/** The names of `m`'s types whose spec has `kind` (and, for structs, any variant). */
const typeNames = (m: ThriftModule, kind: string) =>
  Object.entries(m.__types__)
    .filter(([, v]) => (v as { __spec__?: { kind?: string } }).__spec__?.kind === kind)
    .map(([k]) => k);

/**
 * The struct, union or exception class named `name` in `mod`, typed (a module's members are
 * `unknown`): `new (structOf(m, 'User'))({ name: 'Jane' })`. A dotted name reaches into an
 * include (`shared.Stamp`); a typedef of a struct gives the struct. Throws ValidationError naming
 * what `name` is instead, or listing the module's structs when it has no such name.
 */
export function structOf(mod: ThriftModule, name: string): StructClass {
  const v = memberOf(mod, name, 'struct', (m) => typeNames(m, 'struct'));
  const target = kindOf(v) === 'a typedef' ? (v as TypedefObject).target : v;
  if ((target as Partial<StructClass> | undefined)?.__spec__?.kind === 'struct')
    return target as StructClass;
  throw new ValidationError(name, `is ${kindOf(v)}, not a struct, union or exception`);
}

/**
 * The service named `name` in `mod` (a dotted name reaches into an include), typed. Throws
 * ValidationError naming what `name` is instead, or listing the module's services.
 */
export function serviceOf(mod: ThriftModule, name: string): ServiceObject {
  const v = memberOf(mod, name, 'service', (m) => Object.keys(m.__services__));
  if (kindOf(v) === 'a service') return v as ServiceObject;
  throw new ValidationError(name, `is ${kindOf(v)}, not a service`);
}

/**
 * The enum named `name` in `mod` (a dotted name reaches into an include; a typedef of an enum
 * gives the enum), typed. Throws ValidationError naming what `name` is instead, or listing the
 * module's enums.
 */
export function enumOf(mod: ThriftModule, name: string): EnumObject {
  const v = memberOf(mod, name, 'enum', (m) => typeNames(m, 'enum'));
  const target = kindOf(v) === 'a typedef' ? (v as TypedefObject).target : v;
  if ((target as Partial<EnumObject> | undefined)?.__spec__?.kind === 'enum')
    return target as EnumObject;
  throw new ValidationError(name, `is ${kindOf(v)}, not an enum`);
}
