/**
 * Text and byte helpers shared by the byte and the semantic diff: hex, byte comparison, path
 * segments for map keys and set members (the syntax of the codec's error paths: `Root.items[3]`,
 * `Root.byName{"k"}` for a key, `Root.byName["k"]` for its value) and the normalised "pattern" of
 * a path, which replaces indices and keys by `[]` / `{}` so that the same problem on other values
 * has the same pattern.
 */

/**
 * Lowercase hex of `bytes`, no separators; longer than `max` bytes ends in `…`. Default max: all.
 * Never throws.
 */
export function hex(bytes: Uint8Array, max = Infinity): string {
  let out = '';
  const n = Math.min(bytes.length, max);
  for (let i = 0; i < n; i++) out += bytes[i]!.toString(16).padStart(2, '0');
  return n < bytes.length ? out + '…' : out;
}

/**
 * The first offset where `a` and `b` differ (a length difference counts), or undefined. Never
 * throws.
 */
export function firstDifference(a: Uint8Array, b: Uint8Array): number | undefined {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? undefined : n;
}

/** Orders byte strings bytewise (a prefix first), for sorting. Never throws. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/**
 * The text of a map key or set member inside a path, as the codec's `keyText` writes it: strings
 * as JSON (cut at 20 characters), numbers, bigints and booleans as themselves, anything else `…`.
 */
export function keySegment(k: unknown): string {
  if (typeof k === 'string') return JSON.stringify(k.length > 20 ? k.slice(0, 20) + '…' : k);
  if (typeof k === 'number' || typeof k === 'bigint' || typeof k === 'boolean') return String(k);
  return '…';
}

/** True when `keySegment(k)` names `k` exactly (not cut, not `…`). Never throws. */
export function keySegmentExact(k: unknown): boolean {
  if (typeof k === 'string') return k.length <= 20;
  return typeof k === 'number' || typeof k === 'bigint' || typeof k === 'boolean';
}

/** A field path and its normalised pattern, built side by side. */
export interface Loc {
  readonly path: string;
  readonly pattern: string;
}

/** The root location named `name`. Never throws. */
export function rootLoc(name: string): Loc {
  return { path: name, pattern: name };
}

/** A struct field `.name` of `loc`. Never throws. */
export function fieldLoc(loc: Loc, name: string): Loc {
  return { path: `${loc.path}.${name}`, pattern: `${loc.pattern}.${name}` };
}

/** List (or wire-order set) element `[i]` of `loc`; pattern `[]`. Never throws. */
export function indexLoc(loc: Loc, i: number): Loc {
  return { path: `${loc.path}[${i}]`, pattern: `${loc.pattern}[]` };
}

/** A map key or set member `{k}` of `loc`; pattern `{}`. Never throws. */
export function keyLoc(loc: Loc, k: unknown): Loc {
  return { path: `${loc.path}{${keySegment(k)}}`, pattern: `${loc.pattern}{}` };
}

/** The value of map key `k`, `[k]` of `loc`; pattern `[]`. Never throws. */
export function valueLoc(loc: Loc, k: unknown): Loc {
  return { path: `${loc.path}[${keySegment(k)}]`, pattern: `${loc.pattern}[]` };
}

/** Cuts `s` to `max` characters, ending in `…` when cut. Never throws. */
export function cut(s: string, max: number): string {
  return s.length > max ? s.slice(0, Math.max(0, max - 1)) + '…' : s;
}

/** Formats a double as a person reads it: `NaN`, `-0`, `Infinity`, `1.5`. Never throws. */
export function doubleText(v: number): string {
  return Object.is(v, -0) ? '-0' : String(v);
}

/**
 * The kind of an error message, without its particulars (quoted names, numbers, Apache compiler
 * warnings), as a slug: `[FAILURE:generation:1] Cannot use reserved language keyword: "False"` →
 * `failure-generation-cannot-use-reserved-language-keyword`. At most 80 characters; never throws.
 */
export function messageKind(message: string): string {
  return (message.split('\n')[0] ?? '')
    .replace(/\[WARNING.*$/, '')
    .replace(/"[^"]*"|'[^']*'|`[^`]*`/g, ' ')
    .replace(/\d+/g, ' ')
    .toLowerCase()
    .replace(/[^a-z]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80)
    .replace(/-+$/, '');
}
