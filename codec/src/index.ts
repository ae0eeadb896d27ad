/**
 * thrift-conform's codec: load Thrift IDL at run time, get generated types, and read and write
 * the binary protocol, with message envelopes, toPrimitive/fromPrimitive, includes, constants and
 * cyclic types — in the model of Uber's thriftrw.
 *
 *   const kv = load('idl/keyvalue.thrift');
 *   const bytes = kv.dumps.message(new kv.KeyValue.get.request({ key: 'k' }), 1);
 *   const msg = kv.loads.message(kv.KeyValue, bytes);   // { name: 'get', seqid: 1, messageType: 1, body }
 */
import type { Dialect, IdlWarning, IncludeResolver } from './compile/index.js';
import { compileModule, memoryResolver } from './compile/index.js';
import type { ModuleSpec } from './schema/spec.js';
import type { ThriftModule } from './module.js';
import { moduleFor } from './module.js';

/** Options for `compile`. */
export interface CompileOptions {
  /** The name of the source (its base name is the module name). Default `main.thrift`. */
  readonly file?: string;
  /** `thriftrw` (default) or `apache`. */
  readonly dialect?: Dialect;
  /** Other files by path (relative to the main file's folder), for includes. */
  readonly includes?: Readonly<Record<string, string>>;
  /** A custom include resolver (takes precedence over `includes`). */
  readonly resolve?: IncludeResolver;
  /** A cache shared between calls: the same key compiles to the same module object. */
  readonly cache?: Map<string, ModuleSpec>;
  /** Receives what the apache dialect accepts but ignores (`xsd_*`, `async`); default: nothing. */
  readonly onWarning?: (warning: IdlWarning) => void;
}

/**
 * Compiles IDL text into a module object without touching the disk (for tests and generated
 * IDLs). Throws IdlSyntaxError or IdlCompileError with file:line:col and a fix.
 */
export function compile(source: string, options: CompileOptions = {}): ThriftModule {
  const file = options.file ?? 'main.thrift';
  const files: Record<string, string> = { ...(options.includes ?? {}), [file]: source };
  const resolve = options.resolve ?? memoryResolver(files);
  const spec = compileModule(
    file,
    source,
    {
      dialect: options.dialect ?? 'thriftrw',
      resolve,
      ...(options.onWarning !== undefined ? { onWarning: options.onWarning } : {}),
    },
    options.cache ?? new Map(),
  );
  return moduleFor(spec);
}

export { load, fileResolver, searchResolver } from './node/load.js';
export type { LoadOptions } from './node/load.js';
export type { Dialect, IdlWarning, IncludeResolver } from './compile/index.js';
export { memoryResolver } from './compile/index.js';
export type {
  ThriftModule,
  ServiceObject,
  ServiceFunction,
  Message,
  Dumps,
  Loads,
  LoadsOptions,
  DumpsOptions,
  DumpsMessageOptions,
  TypedefObject,
} from './module.js';
export type { EnumObject } from './schema/enum-object.js';
export type { StructClass, StructInstance, StructValue } from './schema/struct-class.js';
export { equals } from './schema/equals.js';
export { toPrimitive, fromPrimitive } from './schema/primitive.js';
export { parse } from './idl/parser.js';
export { print } from './idl/printer.js';
export type * as ast from './idl/ast.js';
export type * from './schema/spec.js';
export * from './errors.js';
export { TType, ttypeName } from './wire/ttype.js';
export { MessageType, messageTypeName } from './wire/message-type.js';
export type { MessageTypeCode } from './wire/message-type.js';
export {
  TApplicationException,
  ApplicationExceptionType,
  applicationExceptionTypeName,
} from './wire/application-exception.js';
export { DEFAULT_LIMITS } from './protocol/limits.js';
export type { DecodeLimits } from './protocol/limits.js';
export { classFor, RAW } from './schema/struct-class.js';
export { enumFor } from './schema/enum-object.js';
export {
  moduleFor,
  serviceFor,
  structOf,
  serviceOf,
  enumOf,
  encodeApplicationExceptionMessage,
  peekEnvelope,
} from './module.js';
export type { EnvelopeHeader } from './wire/envelope.js';
export { binaryMessageLength } from './protocol/binary/scan.js';
export { compactMessageLength } from './protocol/compact/scan.js';
export { COMPACT_PROTOCOL_ID } from './protocol/compact/envelope.js';
export { PROTOCOLS, resolveProtocol } from './protocol/protocol.js';
export type { Protocol } from './protocol/protocol.js';
