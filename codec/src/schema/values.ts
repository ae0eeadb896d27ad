/**
 * Value helpers that need a type: validation (constructors), normalisation of convenient inputs
 * (an i64 given as a number, a set given as an Array, a uuid in upper case) and materialising
 * constants and defaults. Built once per type as closures; not on the encode/decode hot path.
 */
import { loneSurrogateIndex } from '../util/utf8.js';
import { invalidLeafExpr, keyText, loneSurrogateError, typeMismatch, UUID_RE } from './checks.js';
import { CodeGen } from './codegen.js';
import type { ConstValueSpec, StructSpec, TypeSpec } from './spec.js';

/** Throws a ValidationError naming `path` when `v` does not fit `spec`. */
export type Validator = (v: unknown, path: string) => void;
/** Returns `v` in the codec's canonical representation (may return `v` itself). */
export type Normalizer = (v: unknown) => unknown;

/** How struct classes are found (set by struct-class.ts, avoiding an import cycle). */
export interface ClassLookup {
  classFor(spec: StructSpec): new (init?: Record<string, unknown>) => object;
}

let lookup: ClassLookup | undefined;

/** Registers the struct class lookup (called once by struct-class.ts). */
export function setClassLookup(l: ClassLookup): void {
  lookup = l;
}

function classes(): ClassLookup {
  if (lookup === undefined) throw new Error('struct classes are not initialised');
  return lookup;
}

const validators = new WeakMap<object, Validator>();

/** Returns the (cached) validator of `spec`. */
export function validatorFor(spec: TypeSpec): Validator {
  const cached = validators.get(spec);
  if (cached) return cached;
  const v = buildValidator(spec);
  validators.set(spec, v);
  return v;
}

/**
 * Compiles the leaf type check of checks.ts (the one the encoder inlines) into a predicate, so
 * constructors and the encoder apply the same rule.
 */
function leafCheck(spec: TypeSpec): (v: unknown) => boolean {
  const g = new CodeGen();
  const bad = invalidLeafExpr(spec, 'v', g.ref(UUID_RE));
  if (bad === undefined) throw new Error(`${spec.kind} is not a leaf type`);
  return g.compile<(v: unknown) => boolean>(`return (v) => !(${bad});`);
}

function leaf(spec: TypeSpec, ok: (v: unknown) => boolean): Validator {
  return (v, path) => {
    if (!ok(v)) throw typeMismatch(path, spec, v);
  };
}

function buildValidator(spec: TypeSpec): Validator {
  switch (spec.kind) {
    case 'string': {
      const isString = leafCheck(spec);
      return (v, path) => {
        if (!isString(v)) throw typeMismatch(path, spec, v);
        const i = loneSurrogateIndex(v as string);
        if (i >= 0) throw loneSurrogateError(path, i);
      };
    }
    case 'bool':
    case 'byte':
    case 'i16':
    case 'i32':
    case 'enum':
    case 'i64':
    case 'double':
    case 'binary':
    case 'uuid':
      return leaf(spec, leafCheck(spec));
    case 'list': {
      const elem = () => validatorFor(spec.valueType);
      return (v, path) => {
        if (!Array.isArray(v)) throw typeMismatch(path, spec, v);
        const e = elem();
        for (let i = 0; i < v.length; i++) e(v[i], `${path}[${i}]`);
      };
    }
    case 'set': {
      const elem = () => validatorFor(spec.valueType);
      return (v, path) => {
        if (!(v instanceof Set) && !Array.isArray(v)) throw typeMismatch(path, spec, v);
        const e = elem();
        let i = 0;
        for (const x of v as Iterable<unknown>) e(x, `${path}[${i++}]`);
      };
    }
    case 'map': {
      const key = () => validatorFor(spec.keyType);
      const val = () => validatorFor(spec.valueType);
      return (v, path) => {
        if (!(v instanceof Map)) throw typeMismatch(path, spec, v);
        const k = key();
        const x = val();
        for (const [mk, mv] of v) {
          k(mk, `${path}{${keyText(mk)}}`);
          x(mv, `${path}[${keyText(mk)}]`);
        }
      };
    }
    case 'struct':
      // An instance validated itself when it was built; the encoder re-checks everything.
      return (v, path) => {
        if (!(v instanceof classes().classFor(spec))) throw typeMismatch(path, spec, v);
      };
  }
}

const normalizers = new WeakMap<object, Normalizer | null>();

/** Returns the normaliser of `spec`, or `null` when values of `spec` never need one. */
export function normalizerFor(spec: TypeSpec): Normalizer | null {
  if (normalizers.has(spec)) return normalizers.get(spec)!;
  normalizers.set(spec, null); // cycles through structs need none: struct values are instances
  const n = buildNormalizer(spec);
  normalizers.set(spec, n);
  return n;
}

function buildNormalizer(spec: TypeSpec): Normalizer | null {
  switch (spec.kind) {
    case 'i64':
      return (v) => (typeof v === 'number' && Number.isSafeInteger(v) ? BigInt(v) : v);
    case 'uuid':
      return (v) => (typeof v === 'string' ? v.toLowerCase() : v);
    case 'list': {
      const e = normalizerFor(spec.valueType);
      return e === null ? null : (v) => (Array.isArray(v) ? v.map(e) : v);
    }
    case 'set': {
      const e = normalizerFor(spec.valueType);
      return (v) => {
        if (Array.isArray(v)) return new Set(e === null ? v : v.map(e));
        if (v instanceof Set && e !== null) return new Set([...v].map(e));
        return v;
      };
    }
    case 'map': {
      const k = normalizerFor(spec.keyType);
      const x = normalizerFor(spec.valueType);
      if (k === null && x === null) return null;
      return (v) =>
        v instanceof Map
          ? new Map([...v].map(([mk, mv]) => [k === null ? mk : k(mk), x === null ? mv : x(mv)]))
          : v;
    }
    default:
      return null;
  }
}

/**
 * Turns a compiled constant into a runtime value of `spec`: a fresh copy every call (so defaults
 * are never shared between instances). Struct constants become class instances.
 */
export function materialize(spec: TypeSpec, c: ConstValueSpec): unknown {
  switch (c.kind) {
    case 'scalar':
      return c.value instanceof Uint8Array ? c.value.slice() : c.value;
    case 'list': {
      if (spec.kind === 'list') return c.values.map((x) => materialize(spec.valueType, x));
      if (spec.kind === 'set') return new Set(c.values.map((x) => materialize(spec.valueType, x)));
      break;
    }
    case 'map':
      if (spec.kind === 'map') {
        return new Map(
          c.entries.map(([k, v]) => [materialize(spec.keyType, k), materialize(spec.valueType, v)]),
        );
      }
      break;
    case 'struct': {
      const s = c.spec;
      const init: Record<string, unknown> = {};
      for (const [name, fv] of c.fields) {
        const f = s.fields.find((x) => x.name === name);
        if (f) init[name] = materialize(f.type, fv);
      }
      const C = classes().classFor(s);
      return new C(init);
    }
  }
  throw new Error(`constant of kind ${c.kind} does not fit type ${spec.kind} (a compiler bug)`);
}
