/**
 * Generated classes for struct, union, exception, request and response specs. A constructor
 * takes one object of field values (`new User({ name: 'John' })`), applies defaults (fresh
 * copies), normalises convenient inputs (i64 from a number, a set from an Array), and validates:
 * unknown field, missing required field, wrong type or integer out of range each throw a
 * ValidationError naming `Type.field[...]`. Unions take exactly one field. Exceptions extend
 * Error. Every field is an own property (`undefined` when unset), always in IDL order.
 */
import { IdlCompileError, ValidationError } from '../errors.js';
import { describeValue } from './checks.js';
import { equals } from './equals.js';
// primitive.ts imports this file too; each only calls the other at run time
import { fromPrimitive, toPrimitive } from './primitive.js';
import type { ConstValueSpec, FieldSpec, StructSpec } from './spec.js';
import type { Normalizer, Validator } from './values.js';
import { materialize, normalizerFor, setClassLookup, validatorFor } from './values.js';

/** Passed instead of field values by decoders: builds an empty instance without checks. */
export const RAW: unique symbol = Symbol('thrift-conform.raw');

/**
 * What every generated struct-like class carries. `new User({ name: 'John' })` is a StructValue
 * (default `T`), so `john.toPrimitive()` and `john.equals(other)` type-check without a cast; a
 * typed view takes `T` (`new User<{ name: string }>({...})`), as the module's `fromPrimitive` does.
 * The constructor throws ValidationError naming `Type.field` for an unknown, missing or ill-typed
 * field.
 */
export interface StructClass {
  new <T extends object = StructValue>(init?: Record<string, unknown>): T;
  /**
   * The same, untyped: what generic code infers from the class (`loads(User, bytes)` stays a
   * StructInstance, so casting it to a shape of its fields needs no `unknown` first).
   */
  new (init?: Record<string, unknown>): StructInstance;
  readonly __spec__: StructSpec;
  readonly name: string;
  /**
   * Builds an instance from its primitive form (`User.fromPrimitive({ name: 'Jane' })`, as
   * thriftrw's `from_primitive`); unrecognised fields are ignored. Throws ValidationError naming
   * the field path.
   */
  fromPrimitive(primitive: unknown): StructValue;
}

/** An instance of a generated class: its fields by name. */
export type StructInstance = Record<string, unknown>;

/**
 * What an instance of a generated class is: its fields by name and the methods every instance
 * has (`new User({ name: 'John' }).toPrimitive()`; `new` and `fromPrimitive` are typed
 * StructValue). A field may not be named `toPrimitive` or `fromPrimitive`: the compiler refuses
 * it, as thriftrw does.
 */
export type StructValue = StructInstance & {
  /** The primitive form (`john.toPrimitive()`, as thriftrw's `to_primitive`): set fields only. */
  toPrimitive(): Record<string, unknown>;
  /** Equality by meaning (the module's `equals`). */
  equals(other: unknown): boolean;
};

interface FieldPlan {
  readonly name: string;
  /** The name is also an Object.prototype member (`constructor`, `toString`, …). */
  readonly inherited: boolean;
  readonly spec: FieldSpec;
  readonly required: boolean;
  readonly defaultValue: (() => unknown) | undefined;
  readonly normalize: Normalizer | null;
  readonly validate: Validator;
}

const classes = new WeakMap<StructSpec, StructClass>();

/** Node's util.inspect hook, by its registered name (no import of node:util here). */
const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/**
 * Whether a default can be shared by every instance as is: booleans, numbers, bigints and
 * strings are immutable; binaries, containers and structs are not (each instance needs a copy).
 */
export function isSharedDefault(c: ConstValueSpec): boolean {
  return c.kind === 'scalar' && !(c.value instanceof Uint8Array);
}

const lazyDescriptors = new WeakMap<FieldSpec, PropertyDescriptor>();
/** Defaults built for instances that were frozen before the field was read. */
const frozenDefaults = new WeakMap<object, Map<string, unknown>>();

/**
 * The property descriptor decoders give a field that was absent on the wire and whose default is
 * mutable (a list, set, map, struct or binary): an enumerable accessor, shared by every instance,
 * that builds the default on first read (or takes an assigned value) and then turns itself into
 * an ordinary data property in the same position. Decoding thus costs nothing for defaults nobody
 * reads, and what users read, assign, enumerate, compare and print is what an eagerly built
 * default would give. Throws nothing; `field` must have a default.
 */
export function lazyDefault(field: FieldSpec): PropertyDescriptor {
  const cached = lazyDescriptors.get(field);
  if (cached !== undefined) return cached;
  const { name, type } = field;
  const value = field.defaultValue;
  if (value === undefined) throw new Error(`field '${name}' has no default (a codec bug)`);
  const settle = (o: object, v: unknown): boolean =>
    Reflect.defineProperty(o, name, {
      value: v,
      writable: true,
      enumerable: true,
      configurable: true,
    });
  const descriptor: PropertyDescriptor = {
    get(this: object): unknown {
      const kept = frozenDefaults.get(this);
      if (kept?.has(name)) return kept.get(name);
      const v = materialize(type, value);
      if (!settle(this, v)) {
        const map = kept ?? new Map<string, unknown>();
        map.set(name, v);
        frozenDefaults.set(this, map);
      }
      return v;
    },
    set(this: object, v: unknown): void {
      if (!settle(this, v)) throw new TypeError(`Cannot assign to read only property '${name}'`);
    },
    enumerable: true,
    configurable: true,
  };
  lazyDescriptors.set(field, descriptor);
  return descriptor;
}

/** Field names JavaScript objects cannot hold as plain own data properties. */
const FORBIDDEN = new Set(['__proto__']);

/** Returns the (cached) class of `spec`. Throws IdlCompileError for a field named `__proto__`. */
export function classFor(spec: StructSpec): StructClass {
  const cached = classes.get(spec);
  if (cached) return cached;
  const C = buildClass(spec);
  classes.set(spec, C);
  return C;
}

setClassLookup({
  classFor: (s) => classFor(s) as unknown as new (init?: Record<string, unknown>) => object,
});

function plansFor(spec: StructSpec): FieldPlan[] {
  return spec.fields.map((f) => {
    if (FORBIDDEN.has(f.name)) {
      throw new IdlCompileError(
        `field '${f.name}' of '${spec.name}' cannot be represented in JavaScript; please rename it`,
        f.loc,
      );
    }
    const dv = f.defaultValue;
    return {
      name: f.name,
      inherited: f.name in Object.prototype,
      spec: f,
      required: f.requiredness === 'required' && spec.variant !== 'union',
      defaultValue: dv === undefined ? undefined : () => materialize(f.type, dv),
      normalize: normalizerFor(f.type),
      validate: validatorFor(f.type),
    };
  });
}

function buildClass(spec: StructSpec): StructClass {
  let plans: FieldPlan[] | undefined;
  let names: Set<string> | undefined;
  const isUnion = spec.variant === 'union';
  const typeName = spec.name;

  function init(self: StructInstance, values: Record<string, unknown> | undefined): void {
    plans ??= plansFor(spec);
    names ??= new Set(plans.map((p) => p.name));
    const given = values ?? {};
    if (typeof given !== 'object' || given === null) {
      throw new ValidationError(
        typeName,
        `expected an object of field values, got ${describeValue(given)}`,
      );
    }
    for (const k of Object.keys(given)) {
      if (!names.has(k)) {
        throw new ValidationError(
          `${typeName}.${k}`,
          `unknown field; ${typeName} has ${plans.length === 0 ? 'no fields' : `fields ${[...names].join(', ')}`}`,
        );
      }
    }
    let set = 0;
    for (const p of plans) {
      // A field named after an Object.prototype member (`constructor`, `toString`) must not pick
      // up the inherited member when the caller did not give it.
      let v = p.inherited && !Object.hasOwn(given, p.name) ? undefined : given[p.name];
      if (v === undefined || v === null) {
        v = p.defaultValue === undefined ? undefined : p.defaultValue();
      } else if (p.normalize !== null) {
        v = p.normalize(v);
      }
      if (v === undefined) {
        if (p.required)
          throw new ValidationError(`${typeName}.${p.name}`, 'is required but was not given');
      } else {
        p.validate(v, `${typeName}.${p.name}`);
        set++;
      }
      self[p.name] = v;
    }
    if (isUnion && set !== 1) {
      throw new ValidationError(
        typeName,
        set === 0
          ? `a union needs exactly one field set, got none (fields: ${[...names].join(', ')})`
          : `a union needs exactly one field set, got ${set}: ${plans
              .filter((p) => self[p.name] !== undefined)
              .map((p) => p.name)
              .join(', ')}`,
      );
    }
  }

  let C: StructClass;
  if (spec.variant === 'exception') {
    const hasMessage = spec.fields.some((f) => f.name === 'message');
    C = class extends Error {
      constructor(values?: Record<string, unknown> | typeof RAW) {
        super();
        if (values === RAW) return;
        init(this as unknown as StructInstance, values);
      }
    } as unknown as StructClass;
    if (!hasMessage) {
      Object.defineProperty(C.prototype, 'message', {
        get(this: StructInstance) {
          return describeFields(spec, this);
        },
        configurable: true,
      });
    }
    Object.defineProperty(C.prototype, 'name', {
      value: typeName,
      configurable: true,
      writable: true,
    });
  } else {
    C = class {
      constructor(values?: Record<string, unknown> | typeof RAW) {
        if (values === RAW) return;
        init(this as unknown as StructInstance, values);
      }
    } as unknown as StructClass;
  }
  const lazy = spec.fields.filter(
    (f) => f.defaultValue !== undefined && !isSharedDefault(f.defaultValue),
  );
  if (lazy.length > 0) {
    // A decoded instance may hold lazyDefault accessors: build them before Node prints it, so
    // console.log shows the values and not [Getter/Setter].
    Object.defineProperty(C.prototype, INSPECT, {
      value(this: StructInstance): unknown {
        for (const f of lazy) void this[f.name];
        return this;
      },
      configurable: true,
      writable: true,
    });
  }
  Object.defineProperty(C, 'name', { value: typeName });
  Object.defineProperty(C, '__spec__', { value: spec });
  Object.defineProperty(C.prototype, 'equals', {
    value(this: object, other: unknown): boolean {
      return equals(this, other);
    },
    configurable: true,
    writable: true,
  });
  Object.defineProperty(C.prototype, 'toPrimitive', {
    value(this: object): unknown {
      return toPrimitive(spec, this);
    },
    configurable: true,
    writable: true,
  });
  Object.defineProperty(C, 'fromPrimitive', {
    value(primitive: unknown): unknown {
      return fromPrimitive(spec, primitive);
    },
    configurable: true,
    writable: true,
  });
  Object.defineProperty(C.prototype, 'toString', {
    value(this: StructInstance): string {
      return `${typeName}(${describeFields(spec, this)})`;
    },
    configurable: true,
    writable: true,
  });
  return C;
}

function describeFields(spec: StructSpec, v: StructInstance): string {
  return spec.fields
    .filter((f) => v[f.name] !== undefined)
    .map((f) => `${f.name}=${describeValue(v[f.name])}`)
    .join(', ');
}
