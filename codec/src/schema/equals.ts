/**
 * Semantic equality of codec values: what a person means by "the same Thrift value".
 * - doubles compare with Object.is: NaN equals NaN, but -0.0 and 0.0 differ (they are different
 *   bytes on the wire and a peer may treat them differently);
 * - an i64 given as a safe-integer number equals the same bigint;
 * - binary compares byte by byte; lists in order;
 * - sets compare as unordered collections and maps by key, both with this same equality, so
 *   sets and maps of structs, binaries or bigints compare by value;
 * - struct instances compare field by field and must be of the same class; `undefined` and a
 *   missing property are the same.
 */

/** Returns true when `a` and `b` are the same Thrift value (see the module comment). */
export function equals(a: unknown, b: unknown): boolean {
  if (a === b) return typeof a !== 'number' || Object.is(a, b);
  if (typeof a === 'number') {
    if (typeof b === 'number') return Object.is(a, b);
    if (typeof b === 'bigint') return Number.isInteger(a) && BigInt(a) === b;
    return false;
  }
  if (typeof a === 'bigint') return typeof b === 'number' && Number.isInteger(b) && BigInt(b) === a;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (a instanceof Uint8Array) {
    if (!(b instanceof Uint8Array) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!equals(a[i], b[i])) return false;
    return true;
  }
  if (a instanceof Set) return b instanceof Set && a.size === b.size && sameMembers([...a], [...b]);
  if (a instanceof Map) {
    if (!(b instanceof Map) || a.size !== b.size) return false;
    const bEntries = [...b];
    const used = new Uint8Array(bEntries.length);
    const simple = new Map<unknown, number>();
    bEntries.forEach(([k], i) => {
      if (isSimpleKey(k)) simple.set(k, i);
    });
    outer: for (const [k, v] of a) {
      const si = isSimpleKey(k) ? simple.get(k) : undefined;
      if (si !== undefined) {
        if (!equals(v, bEntries[si]![1])) return false;
        used[si] = 1;
        continue;
      }
      for (let i = 0; i < bEntries.length; i++) {
        const e = bEntries[i]!;
        if (used[i] === 0 && equals(k, e[0])) {
          if (!equals(v, e[1])) return false;
          used[i] = 1;
          continue outer;
        }
      }
      return false;
    }
    return true;
  }
  if (a instanceof Set || b instanceof Set || a instanceof Map || b instanceof Map) return false;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) {
    if (!equals((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}

function isSimpleKey(k: unknown): boolean {
  return (
    typeof k === 'string' ||
    typeof k === 'boolean' ||
    (typeof k === 'number' && !Object.is(k, -0) && k === k)
  );
}

/** Unordered comparison of two equally long arrays (a multiset match with `equals`). */
function sameMembers(a: unknown[], b: unknown[]): boolean {
  const used = new Uint8Array(b.length);
  outer: for (const x of a) {
    for (let i = 0; i < b.length; i++) {
      if (used[i] === 0 && equals(x, b[i])) {
        used[i] = 1;
        continue outer;
      }
    }
    return false;
  }
  return true;
}
