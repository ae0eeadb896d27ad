/**
 * Leaf type checks shared by the validator (constructors) and the encoder's size pass, as
 * JavaScript expression snippets for the code generators, plus the error text they produce.
 * Each `invalid*` snippet is true when the value in variable `v` does NOT fit the type.
 */
import { ValidationError } from '../errors.js';
import type { TypeSpec } from './spec.js';

/** Canonical uuid text (any case); the codec stores lowercase. */
export const UUID_RE =
  /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/**
 * Returns a JS expression that is true when `v` is not a valid value of a leaf type, or undefined
 * for containers and structs. `uuidRe` names the generated code's binding of UUID_RE.
 */
export function invalidLeafExpr(spec: TypeSpec, v: string, uuidRe: string): string | undefined {
  switch (spec.kind) {
    case 'bool':
      return `typeof ${v} !== 'boolean'`;
    case 'byte':
      return `(typeof ${v} !== 'number' || ((${v} << 24) >> 24) !== ${v})`;
    case 'i16':
      return `(typeof ${v} !== 'number' || ((${v} << 16) >> 16) !== ${v})`;
    case 'i32':
    case 'enum':
      return `(typeof ${v} !== 'number' || (${v} | 0) !== ${v})`;
    case 'i64':
      return `(typeof ${v} === 'bigint' ? BigInt.asIntN(64, ${v}) !== ${v} : !Number.isSafeInteger(${v}))`;
    case 'double':
      return `typeof ${v} !== 'number'`;
    case 'string':
      return `typeof ${v} !== 'string'`;
    case 'binary':
      return `!(${v} instanceof Uint8Array)`;
    case 'uuid':
      return `(typeof ${v} !== 'string' || !${uuidRe}.test(${v}))`;
    default:
      return undefined;
  }
}

/** Describes what a type expects, for error messages. */
export function expectedText(spec: TypeSpec): string {
  switch (spec.kind) {
    case 'bool':
      return 'a boolean';
    case 'byte':
      return 'a byte (integer in [-128, 127])';
    case 'i16':
      return 'an i16 (integer in [-32768, 32767])';
    case 'i32':
      return 'an i32 (integer in [-2^31, 2^31-1])';
    case 'enum':
      return `a ${spec.name} enum value (an i32)`;
    case 'i64':
      return 'an i64 (bigint in [-2^63, 2^63-1], or a safe-integer number)';
    case 'double':
      return 'a double (number)';
    case 'string':
      return 'a string';
    case 'binary':
      return 'binary (a Uint8Array)';
    case 'uuid':
      return 'a uuid (string xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)';
    case 'list':
      return 'a list (an Array)';
    case 'set':
      return 'a set (a Set or an Array)';
    case 'map':
      return 'a map (a Map)';
    case 'struct':
      return `an instance of ${spec.name}`;
  }
}

/** Describes a value briefly for error messages: `3.5 (number)`, `"abc" (string)`, `Array(3)`. */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'string':
      return `${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)} (string)`;
    case 'number':
    case 'boolean':
      return `${String(v)} (${typeof v})`;
    case 'bigint':
      return `${v}n (bigint)`;
    case 'undefined':
      return 'undefined';
    case 'object': {
      if (Array.isArray(v)) return `Array(${v.length})`;
      const proto = Object.getPrototypeOf(v) as { constructor?: { name?: string } } | null;
      const ctor = proto?.constructor;
      return ctor?.name ? `${/^[AEIOU]/.test(ctor.name) ? 'an' : 'a'} ${ctor.name}` : 'an object';
    }
    default:
      return typeof v;
  }
}

/** Builds the ValidationError for a value that does not fit `spec` at `path`. */
export function typeMismatch(path: string, spec: TypeSpec, v: unknown): ValidationError {
  return new ValidationError(path, `expected ${expectedText(spec)}, got ${describeValue(v)}`);
}

/** Builds the ValidationError for a string holding a lone surrogate (at `index`, when known). */
export function loneSurrogateError(path: string, index?: number): ValidationError {
  return new ValidationError(
    path,
    `string holds a lone surrogate${index === undefined ? '' : ` at index ${index}`}, which UTF-8 cannot carry; use binary for arbitrary data`,
  );
}

/** Returns `e` with `prefix` put in front of its path (ValidationError), or `e` unchanged. */
export function prefixPath(e: unknown, prefix: string): unknown {
  if (e instanceof ValidationError)
    return new ValidationError(prefix + e.path, e.reason, { cause: e.cause });
  return e;
}

/** Formats a map key or set element for a path segment: `["a"]`, `[3]`. */
export function keyText(k: unknown): string {
  if (typeof k === 'string') return JSON.stringify(k.length > 20 ? k.slice(0, 20) + '…' : k);
  if (typeof k === 'number' || typeof k === 'bigint' || typeof k === 'boolean') return String(k);
  return '…';
}
