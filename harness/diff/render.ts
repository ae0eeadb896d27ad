/**
 * Values as JSON-ish text for diffs and summaries: `123n` (i64), `0x0102` (binary), `NaN`, `-0`,
 * `2 (GREEN)` (enum), `[1, 2]` (list), `{1, 2}` (set), `{"k": 1n}` (map), `Foo{a: 1}` (struct).
 */
import type { EnumSpec, TypeSpec } from '../../codec/src/index.js';
import { cut, doubleText, hex } from './text.js';

const MAX_TEXT = 200;

/** True for non-null objects. Never throws. */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

/** True for a struct-like object: not an array, set, map or binary. Never throws. */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return (
    isObject(v) &&
    !Array.isArray(v) &&
    !(v instanceof Set) &&
    !(v instanceof Map) &&
    !(v instanceof Uint8Array)
  );
}

/** An i64 as a bigint (from a bigint or a safe-integer number), else undefined. Never throws. */
export function toBigInt(v: unknown): bigint | undefined {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isSafeInteger(v)) return BigInt(v);
  return undefined;
}

/** The name of the item of `spec` with value `v`, or undefined. Never throws. */
export function enumName(spec: EnumSpec, v: unknown): string | undefined {
  return spec.items.find((i) => i.value === v)?.name;
}

/**
 * Renders a value by its JavaScript type alone (for values that do not fit their type). Never
 * throws.
 */
export function renderAny(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (v === null) return 'null';
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v);
    case 'number':
      return doubleText(v);
    case 'bigint':
      return `${v}n`;
    case 'boolean':
      return String(v);
    case 'object':
      if (v instanceof Uint8Array) return `0x${hex(v)}`;
      if (Array.isArray(v)) return `[${v.map(renderAny).join(', ')}]`;
      if (v instanceof Set) return `{${[...v].map(renderAny).join(', ')}}`;
      if (v instanceof Map) {
        return `{${[...v].map(([k, x]) => `${renderAny(k)}: ${renderAny(x)}`).join(', ')}}`;
      }
      return `{${Object.entries(v)
        .filter(([, x]) => x !== undefined)
        .map(([k, x]) => `${k}: ${renderAny(x)}`)
        .join(', ')}}`;
    default:
      return typeof v;
  }
}

function renderFull(spec: TypeSpec, v: unknown): string {
  switch (spec.kind) {
    case 'i64':
      return typeof v === 'bigint' || typeof v === 'number' ? `${toBigInt(v) ?? v}n` : renderAny(v);
    case 'enum': {
      if (typeof v !== 'number') return renderAny(v);
      const name = enumName(spec, v);
      return name === undefined ? `${v} (not in ${spec.name})` : `${v} (${name})`;
    }
    case 'list':
      return Array.isArray(v)
        ? `[${v.map((x) => renderFull(spec.valueType, x)).join(', ')}]`
        : renderAny(v);
    case 'set': {
      if (!(v instanceof Set) && !Array.isArray(v)) return renderAny(v);
      const members = [...(v as Iterable<unknown>)].map((x) => renderFull(spec.valueType, x));
      return `{${members.join(', ')}}`;
    }
    case 'map': {
      if (!(v instanceof Map)) return renderAny(v);
      const entries = [...v].map(
        ([k, x]) => `${renderFull(spec.keyType, k)}: ${renderFull(spec.valueType, x)}`,
      );
      return `{${entries.join(', ')}}`;
    }
    case 'struct': {
      if (!isRecord(v)) return renderAny(v);
      const parts = spec.fields
        .filter((f) => v[f.name] !== undefined)
        .map((f) => `${f.name}: ${renderFull(f.type, v[f.name])}`);
      return `${spec.name}{${parts.join(', ')}}`;
    }
    default:
      return renderAny(v);
  }
}

/**
 * Renders a value of `spec` as JSON-ish text (see the module comment), cut at `max` characters
 * (default 200). Never throws for acyclic values; values that do not fit the type render by their
 * JavaScript type.
 */
export function renderValue(spec: TypeSpec, v: unknown, max = MAX_TEXT): string {
  return cut(renderFull(spec, v), max);
}
