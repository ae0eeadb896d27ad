/**
 * The runtime object of an enum: item names as constant members (`Status.QUEUED === 0`), plus
 * `items`, `names`, `values`, `nameOf(value)` and `fromName(name)`.
 */
import { IdlCompileError } from '../errors.js';
import type { EnumSpec } from './spec.js';

/** The object generated for an enum. */
export interface EnumObject {
  readonly [item: string]: unknown;
  readonly __spec__: EnumSpec;
  readonly __name__: string;
  /** Items in IDL order. */
  readonly items: readonly { readonly name: string; readonly value: number }[];
  readonly names: readonly string[];
  readonly values: readonly number[];
  /** The first item name with `value`, or undefined for a value the enum does not define. */
  nameOf(value: number): string | undefined;
  /** The value of item `name`, or undefined. */
  fromName(name: string): number | undefined;
}

const MEMBERS = new Set([
  '__spec__',
  '__name__',
  '__thrift_module__',
  'items',
  'names',
  'values',
  'nameOf',
  'fromName',
]);

const enums = new WeakMap<EnumSpec, EnumObject>();

/** Returns the (cached) enum object of `spec`. Throws IdlCompileError when an item name collides with a member. */
export function enumFor(spec: EnumSpec): EnumObject {
  const cached = enums.get(spec);
  if (cached) return cached;
  const byValue = new Map<number, string>();
  const byName = new Map<string, number>();
  for (const it of spec.items) {
    if (!byValue.has(it.value)) byValue.set(it.value, it.name);
    byName.set(it.name, it.value);
  }
  const obj: Record<string, unknown> = {};
  for (const it of spec.items) {
    if (MEMBERS.has(it.name)) {
      throw new IdlCompileError(
        `enum item '${it.name}' of '${spec.name}' collides with the enum object's member of that name; please rename it`,
        it.loc,
      );
    }
    obj[it.name] = it.value;
  }
  const hidden = (value: unknown) => ({ value, enumerable: false });
  Object.defineProperties(obj, {
    __spec__: hidden(spec),
    __name__: hidden(spec.name),
    items: hidden(
      Object.freeze(spec.items.map((i) => Object.freeze({ name: i.name, value: i.value }))),
    ),
    names: hidden(Object.freeze(spec.items.map((i) => i.name))),
    values: hidden(Object.freeze(spec.items.map((i) => i.value))),
    nameOf: hidden((v: number) => byValue.get(v)),
    fromName: hidden((n: string) => byName.get(n)),
  });
  const e = obj as unknown as EnumObject;
  enums.set(spec, e);
  return e;
}
