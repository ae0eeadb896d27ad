/**
 * toPrimitive / fromPrimitive (the seed's table, in JavaScript terms):
 *
 *   Thrift type      primitive
 *   bool             boolean
 *   byte, i16, i32   number
 *   i64              bigint        (fromPrimitive also takes a safe-integer number or a decimal string)
 *   double           number
 *   string, uuid     string
 *   binary           Uint8Array
 *   list, set        Array
 *   map              plain object when keys are strings (or string-primitive enums), else an
 *                    Array of [key, value] pairs (fromPrimitive also takes a Map)
 *   struct, union,
 *   exception        plain object of the fields that are set
 *   enum             number, or the item name with `py.primitiveType = "string"` (or
 *                    `js.primitiveType`); fromPrimitive takes either
 *
 * fromPrimitive ignores unrecognised struct fields (as the seed says) and builds values through
 * the generated constructors, so they are validated.
 */
import { ValidationError } from '../errors.js';
import { describeValue, typeMismatch } from './checks.js';
import type { EnumSpec, StructSpec, TypeSpec } from './spec.js';
import { classFor } from './struct-class.js';
import { normalizerFor, validatorFor } from './values.js';

/** True when an enum's primitive form is its item name (`py.primitiveType` / `js.primitiveType` = "string"). */
export function enumIsString(spec: EnumSpec): boolean {
  return (
    (spec.annotations.get('js.primitiveType') ?? spec.annotations.get('py.primitiveType')) ===
    'string'
  );
}

function stringKeyed(t: TypeSpec): boolean {
  return t.kind === 'string' || (t.kind === 'enum' && enumIsString(t));
}

/** Converts a value of `spec` to its primitive form (see the module comment). Throws ValidationError for a value of the wrong shape. */
export function toPrimitive(
  spec: TypeSpec,
  v: unknown,
  path = spec.kind === 'struct' ? spec.name : spec.kind,
): unknown {
  switch (spec.kind) {
    case 'enum':
      if (enumIsString(spec) && typeof v === 'number') {
        return spec.items.find((i) => i.value === v)?.name ?? v;
      }
      return v;
    case 'i64':
      return typeof v === 'number' ? BigInt(v) : v;
    case 'list':
    case 'set': {
      if (!Array.isArray(v) && !(v instanceof Set)) throw typeMismatch(path, spec, v);
      return [...v].map((x, i) => toPrimitive(spec.valueType, x, `${path}[${i}]`));
    }
    case 'map': {
      if (!(v instanceof Map)) throw typeMismatch(path, spec, v);
      if (stringKeyed(spec.keyType)) {
        const out: Record<string, unknown> = {};
        for (const [k, x] of v) {
          const pk = toPrimitive(spec.keyType, k, path) as string;
          Object.defineProperty(out, pk, {
            value: toPrimitive(spec.valueType, x, `${path}[${JSON.stringify(pk)}]`),
            enumerable: true,
            writable: true,
            configurable: true,
          });
        }
        return out;
      }
      return [...v].map(([k, x]) => [
        toPrimitive(spec.keyType, k, path),
        toPrimitive(spec.valueType, x, path),
      ]);
    }
    case 'struct': {
      if (typeof v !== 'object' || v === null) throw typeMismatch(path, spec, v);
      const out: Record<string, unknown> = {};
      for (const f of spec.fields) {
        const x = (v as Record<string, unknown>)[f.name];
        if (x === undefined || x === null) continue;
        Object.defineProperty(out, f.name, {
          value: toPrimitive(f.type, x, `${path}.${f.name}`),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return out;
    }
    default:
      return v;
  }
}

/** Builds a value of `spec` from its primitive form. Throws ValidationError naming the path. */
export function fromPrimitive(
  spec: TypeSpec,
  p: unknown,
  path = spec.kind === 'struct' ? spec.name : spec.kind,
): unknown {
  switch (spec.kind) {
    case 'enum': {
      if (typeof p === 'string') {
        const it = spec.items.find((i) => i.name === p);
        if (it === undefined) {
          throw new ValidationError(
            path,
            `'${p}' is not an item of enum ${spec.name} (items: ${spec.items.map((i) => i.name).join(', ')})`,
          );
        }
        return it.value;
      }
      validatorFor(spec)(p, path);
      return p;
    }
    case 'i64': {
      let v = p;
      if (typeof p === 'string' && /^-?\d+$/.test(p)) v = BigInt(p);
      else if (typeof p === 'number' && Number.isSafeInteger(p)) v = BigInt(p);
      validatorFor(spec)(v, path);
      return v;
    }
    case 'list':
    case 'set': {
      if (!Array.isArray(p) && !(p instanceof Set)) throw typeMismatch(path, spec, p);
      const items = [...p].map((x, i) => fromPrimitive(spec.valueType, x, `${path}[${i}]`));
      return spec.kind === 'list' ? items : new Set(items);
    }
    case 'map': {
      let entries: [unknown, unknown][];
      if (p instanceof Map) entries = [...p];
      else if (Array.isArray(p)) {
        entries = p.map((e, i) => {
          if (!Array.isArray(e) || e.length !== 2) {
            throw new ValidationError(
              `${path}[${i}]`,
              `expected a [key, value] pair, got ${describeValue(e)}`,
            );
          }
          return [e[0], e[1]];
        });
      } else if (typeof p === 'object' && p !== null && stringKeyed(spec.keyType))
        entries = Object.entries(p);
      else throw typeMismatch(path, spec, p);
      return new Map(
        entries.map(([k, x]) => [
          fromPrimitive(spec.keyType, k, `${path}{${String(k)}}`),
          fromPrimitive(spec.valueType, x, `${path}[${String(k)}]`),
        ]),
      );
    }
    case 'struct':
      return structFromPrimitive(spec, p, path);
    default: {
      const norm = normalizerFor(spec);
      const v = norm === null ? p : norm(p);
      validatorFor(spec)(v, path);
      return v;
    }
  }
}

function structFromPrimitive(spec: StructSpec, p: unknown, path: string): unknown {
  const C = classFor(spec);
  if (p instanceof C) return p;
  if (typeof p !== 'object' || p === null || Array.isArray(p)) {
    throw new ValidationError(
      path,
      `expected an object with the fields of ${spec.name}, got ${describeValue(p)}`,
    );
  }
  const init: Record<string, unknown> = {};
  for (const f of spec.fields) {
    const x = (p as Record<string, unknown>)[f.name];
    if (x === undefined || x === null) continue;
    init[f.name] = fromPrimitive(f.type, x, `${path}.${f.name}`);
  }
  try {
    return new C(init);
  } catch (e) {
    if (e instanceof ValidationError && path !== spec.name && e.path.startsWith(spec.name)) {
      throw new ValidationError(path + e.path.slice(spec.name.length), e.reason);
    }
    throw e;
  }
}
