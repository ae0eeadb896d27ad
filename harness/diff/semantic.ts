/**
 * Semantic diff: every differing leaf of two codec values, by field path (`- wanted / + got`),
 * under a documented, configurable equivalence policy. Not only the first difference: all of
 * them, in schema order.
 *
 * - struct fields are compared one by one; a field set on one side only is `wanted` only or
 *   `got` only;
 * - lists by index, plus one `Root.items.length` entry when the lengths differ;
 * - sets as unordered collections: a member on one side only is reported at `Root.tags{member}`;
 * - maps by key: a key on one side only at `Root.byName["k"]` (the value's path), values of
 *   common keys recursively;
 * - `undefined` and `null` both mean unset;
 * - values render as JSON-ish text (render.ts): `123n` (i64), `0x0102` (binary), `NaN`, `-0`,
 *   `2 (GREEN)` (enum), `[1, 2]` (list), `{1, 2}` (set), `{"k": 1n}` (map), `Foo{a: 1}` (struct).
 */
import type { TypeSpec } from '../../codec/src/index.js';
import type { ValueDiff } from '../runner/result.js';
import { enumName, isRecord, renderAny, renderValue, toBigInt } from './render.js';
import type { Loc } from './text.js';
import { fieldLoc, hex, indexLoc, keyLoc, keySegmentExact, rootLoc, valueLoc } from './text.js';

/**
 * When two values count as the same. Every switch is documented with its default
 * (`DEFAULT_POLICY`); callers pass a partial policy and the rest comes from the defaults.
 */
export interface EquivalencePolicy {
  /** NaN equals NaN (any bit pattern). Default true: peers rarely keep NaN payloads. */
  readonly nanEqualsNan: boolean;
  /** -0.0 equals 0.0. Default false: they are other bytes; a peer that drops the sign is wrong. */
  readonly negativeZeroEqualsZero: boolean;
  /** Sets must also list their members in the same order. Default false: sets are unordered. */
  readonly orderedSets: boolean;
  /** Maps must also list their entries in the same order. Default false: maps are unordered. */
  readonly orderedMaps: boolean;
  /**
   * An enum value that is not one of the enum's items, the same number on both sides: `equal`
   * (default; enums are open, the value survives) or `mismatch` (report it at its path).
   */
  readonly unknownEnumValues: 'equal' | 'mismatch';
}

/** The default policy: NaN = NaN, -0.0 ≠ 0.0, sets and maps unordered, unknown enums equal. */
export const DEFAULT_POLICY: EquivalencePolicy = Object.freeze({
  nanEqualsNan: true,
  negativeZeroEqualsZero: false,
  orderedSets: false,
  orderedMaps: false,
  unknownEnumValues: 'equal',
});

/**
 * The full policy for a partial one (missing switches take DEFAULT_POLICY's values). Never throws.
 */
export function resolvePolicy(policy: Partial<EquivalencePolicy> = {}): EquivalencePolicy {
  return { ...DEFAULT_POLICY, ...policy };
}

/**
 * What kind of difference: `missing` (wanted only), `extra` (got only), `changed`, `type` (not a
 * value of the type), `length` (list lengths), `order` (ordered sets/maps), `nan` (NaN on one
 * side, or NaN ≠ NaN by policy), `negative-zero` (-0.0 vs 0.0), `unknown-enum` (by policy),
 * `bool-flipped` (a bool read as its opposite: a kind of its own, as a reader that loses bools is
 * a different bug from one that changes numbers).
 */
export type DiffKind =
  | 'missing'
  | 'extra'
  | 'changed'
  | 'bool-flipped'
  | 'type'
  | 'length'
  | 'order'
  | 'nan'
  | 'negative-zero'
  | 'unknown-enum';

/** A ValueDiff with its kind and normalised path pattern (`Foo.items[].x`), for fingerprints. */
export interface DetailedValueDiff extends ValueDiff {
  readonly kind: DiffKind;
  readonly pattern: string;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * A string that is equal for two values exactly when they are equivalent under `policy`
 * (ignoring `unknownEnumValues`), or undefined for a value that equals nothing (a NaN when
 * `nanEqualsNan` is false). Used to match set members and map keys in O(n log n).
 */
function canonKey(spec: TypeSpec, v: unknown, p: EquivalencePolicy): string | undefined {
  switch (spec.kind) {
    case 'bool':
      return typeof v === 'boolean' ? `b${v}` : `g${renderAny(v)}`;
    case 'byte':
    case 'i16':
    case 'i32':
    case 'enum':
      return typeof v === 'number' ? `n${v}` : `g${renderAny(v)}`;
    case 'string':
      return typeof v === 'string' ? `s${JSON.stringify(v)}` : `g${renderAny(v)}`;
    case 'i64': {
      const b = toBigInt(v);
      return b === undefined ? `g${renderAny(v)}` : `l${b}`;
    }
    case 'double':
      if (typeof v !== 'number') return `g${renderAny(v)}`;
      if (Number.isNaN(v)) return p.nanEqualsNan ? 'dNaN' : undefined;
      if (v === 0) return p.negativeZeroEqualsZero || !Object.is(v, -0) ? 'd0' : 'd-0';
      return `d${v}`;
    case 'uuid':
      return typeof v === 'string' ? `u${v.toLowerCase()}` : `g${renderAny(v)}`;
    case 'binary':
      return v instanceof Uint8Array ? `x${hex(v)}` : `g${renderAny(v)}`;
    case 'list':
    case 'set': {
      if (!(Array.isArray(v) || (spec.kind === 'set' && v instanceof Set)))
        return `g${renderAny(v)}`;
      const keys: string[] = [];
      for (const x of v as Iterable<unknown>) {
        const k = canonKey(spec.valueType, x, p);
        if (k === undefined) return undefined;
        keys.push(k);
      }
      if (spec.kind === 'set' && !p.orderedSets) keys.sort();
      return `${spec.kind === 'list' ? 'L' : 'S'}(${keys.join(',')})`;
    }
    case 'map': {
      if (!(v instanceof Map)) return `g${renderAny(v)}`;
      const keys: string[] = [];
      for (const [mk, mv] of v) {
        const k = canonKey(spec.keyType, mk, p);
        const x = canonKey(spec.valueType, mv, p);
        if (k === undefined || x === undefined) return undefined;
        keys.push(`${k}=>${x}`);
      }
      if (!p.orderedMaps) keys.sort();
      return `M(${keys.join(',')})`;
    }
    case 'struct': {
      if (!isRecord(v)) return `g${renderAny(v)}`;
      const parts: string[] = [];
      for (const f of spec.fields) {
        const x = v[f.name];
        if (x === undefined || x === null) continue;
        const k = canonKey(f.type, x, p);
        if (k === undefined) return undefined;
        parts.push(`${f.id}:${k}`);
      }
      return `T(${parts.join(',')})`;
    }
  }
}

/** Compares two leaves; returns the kind of difference, or undefined when they are the same. */
function leafDiff(
  spec: TypeSpec,
  w: unknown,
  g: unknown,
  p: EquivalencePolicy,
): DiffKind | undefined {
  switch (spec.kind) {
    case 'double': {
      if (typeof w !== 'number' || typeof g !== 'number') break;
      const wn = Number.isNaN(w);
      const gn = Number.isNaN(g);
      if (wn || gn) return wn && gn && p.nanEqualsNan ? undefined : 'nan';
      if (w !== g) return 'changed';
      if (Object.is(w, g) || p.negativeZeroEqualsZero) return undefined;
      return 'negative-zero';
    }
    case 'i64': {
      const a = toBigInt(w);
      const b = toBigInt(g);
      if (a === undefined || b === undefined) break;
      return a === b ? undefined : 'changed';
    }
    case 'binary':
      if (!(w instanceof Uint8Array) || !(g instanceof Uint8Array)) break;
      return sameBytes(w, g) ? undefined : 'changed';
    case 'uuid':
      if (typeof w !== 'string' || typeof g !== 'string') break;
      return w.toLowerCase() === g.toLowerCase() ? undefined : 'changed';
    case 'bool':
      if (typeof w !== 'boolean' || typeof g !== 'boolean') break;
      return w === g ? undefined : 'bool-flipped';
    case 'enum':
      if (w !== g) break;
      return p.unknownEnumValues === 'mismatch' && enumName(spec, w) === undefined
        ? 'unknown-enum'
        : undefined;
    default:
      break;
  }
  if (w === g) return undefined;
  return typeof w === typeof g ? 'changed' : 'type';
}

class Differ {
  readonly out: DetailedValueDiff[] = [];
  constructor(readonly p: EquivalencePolicy) {}

  push(loc: Loc, kind: DiffKind, wanted: string | undefined, got: string | undefined): void {
    const d: { path: string; pattern: string; kind: DiffKind; wanted?: string; got?: string } = {
      path: loc.path,
      pattern: loc.pattern,
      kind,
    };
    if (wanted !== undefined) d.wanted = wanted;
    if (got !== undefined) d.got = got;
    this.out.push(d);
  }

  diff(spec: TypeSpec, w: unknown, g: unknown, loc: Loc): void {
    const wUnset = w === undefined || w === null;
    const gUnset = g === undefined || g === null;
    if (wUnset && gUnset) return;
    if (gUnset) return this.push(loc, 'missing', renderValue(spec, w), undefined);
    if (wUnset) return this.push(loc, 'extra', undefined, renderValue(spec, g));
    switch (spec.kind) {
      case 'struct':
        if (!isRecord(w) || !isRecord(g)) break;
        for (const f of spec.fields) this.diff(f.type, w[f.name], g[f.name], fieldLoc(loc, f.name));
        return;
      case 'list':
        if (!Array.isArray(w) || !Array.isArray(g)) break;
        if (w.length !== g.length) {
          this.push(fieldLoc(loc, 'length'), 'length', String(w.length), String(g.length));
        }
        for (let i = 0; i < Math.max(w.length, g.length); i++) {
          this.diff(spec.valueType, w[i], g[i], indexLoc(loc, i));
        }
        return;
      case 'set':
        if (!(w instanceof Set || Array.isArray(w)) || !(g instanceof Set || Array.isArray(g))) {
          break;
        }
        return this.set(
          spec.valueType,
          [...(w as Iterable<unknown>)],
          [...(g as Iterable<unknown>)],
          loc,
          spec,
        );
      case 'map':
        if (!(w instanceof Map) || !(g instanceof Map)) break;
        return this.map(spec, w, g, loc);
      default: {
        const kind = leafDiff(spec, w, g, this.p);
        if (kind !== undefined) this.push(loc, kind, renderValue(spec, w), renderValue(spec, g));
        return;
      }
    }
    // A container or struct that is not one on some side: compare as a whole.
    const wk = canonKey(spec, w, this.p);
    const gk = canonKey(spec, g, this.p);
    if (wk === undefined || wk !== gk) {
      const fits = (k: string | undefined) => k?.startsWith('g') !== true;
      const kind = fits(wk) && fits(gk) ? 'changed' : 'type';
      this.push(loc, kind, renderValue(spec, w), renderValue(spec, g));
    }
  }

  /**
   * Pairs members of `ws` and `gs` by canonical key: for each wanted member, the index of its
   * partner in `gs` (undefined when it has none), and the got members left over.
   */
  match(
    ws: readonly unknown[],
    gs: readonly unknown[],
    key: (v: unknown) => string | undefined,
  ): { partner: (number | undefined)[]; onlyG: number[]; ordered: boolean } {
    const byKey = new Map<string, number[]>();
    gs.forEach((x, j) => {
      const k = key(x);
      if (k === undefined) return;
      const list = byKey.get(k);
      if (list) list.push(j);
      else byKey.set(k, [j]);
    });
    const partner = ws.map((x) => {
      const k = key(x);
      return k === undefined ? undefined : byKey.get(k)?.shift();
    });
    const used = new Set(partner.filter((j) => j !== undefined));
    const onlyG = gs.map((_, j) => j).filter((j) => !used.has(j));
    const paired = partner.filter((j) => j !== undefined);
    const ordered =
      onlyG.length === 0 &&
      paired.length === partner.length &&
      paired.every((j, i) => i === 0 || j > paired[i - 1]!);
    return { partner, onlyG, ordered };
  }

  set(elem: TypeSpec, ws: unknown[], gs: unknown[], loc: Loc, spec: TypeSpec): void {
    const { partner, onlyG, ordered } = this.match(ws, gs, (v) => canonKey(elem, v, this.p));
    const before = this.out.length;
    ws.forEach((x, i) => {
      const j = partner[i];
      if (j === undefined) this.push(keyLoc(loc, x), 'missing', renderValue(elem, x), undefined);
      else this.diff(elem, x, gs[j], keyLoc(loc, x));
    });
    for (const j of onlyG) {
      this.push(keyLoc(loc, gs[j]), 'extra', undefined, renderValue(elem, gs[j]));
    }
    if (this.p.orderedSets && this.out.length === before && !ordered) {
      this.push(loc, 'order', renderValue(spec, ws), renderValue(spec, gs));
    }
  }

  map(
    spec: TypeSpec & { kind: 'map' },
    w: Map<unknown, unknown>,
    g: Map<unknown, unknown>,
    loc: Loc,
  ): void {
    const we = [...w];
    const ge = [...g];
    const { partner, onlyG, ordered } = this.match(
      we.map((e) => e[0]),
      ge.map((e) => e[0]),
      (v) => canonKey(spec.keyType, v, this.p),
    );
    // The key is in the path; keys a path cannot show exactly are written out in the text.
    const entryText = ([k, v]: [unknown, unknown]) =>
      keySegmentExact(k)
        ? renderValue(spec.valueType, v)
        : `${renderValue(spec.keyType, k, 80)} → ${renderValue(spec.valueType, v)}`;
    const before = this.out.length;
    we.forEach(([wk, wv], i) => {
      const j = partner[i];
      if (j === undefined) {
        this.push(valueLoc(loc, wk), 'missing', entryText([wk, wv]), undefined);
        return;
      }
      const [gk, gv] = ge[j]!;
      this.diff(spec.keyType, wk, gk, keyLoc(loc, wk));
      this.diff(spec.valueType, wv, gv, valueLoc(loc, wk));
    });
    for (const j of onlyG) {
      this.push(valueLoc(loc, ge[j]![0]), 'extra', undefined, entryText(ge[j]!));
    }
    if (this.p.orderedMaps && this.out.length === before && !ordered) {
      this.push(loc, 'order', renderValue(spec, w), renderValue(spec, g));
    }
  }
}

function rootName(spec: TypeSpec): string {
  return spec.kind === 'struct' || spec.kind === 'enum' ? spec.name : spec.kind;
}

/**
 * Every difference between `wanted` and `got` (values of `spec`) with its kind and path pattern,
 * in schema order. Policy defaults: DEFAULT_POLICY; root defaults to the spec's name (the kind
 * for unnamed types). Never throws for acyclic values (values that do not fit are `type` diffs).
 */
export function detailedValueDiff(
  spec: TypeSpec,
  wanted: unknown,
  got: unknown,
  policy: Partial<EquivalencePolicy> = {},
  root: string = rootName(spec),
): DetailedValueDiff[] {
  const d = new Differ(resolvePolicy(policy));
  d.diff(spec, wanted, got, rootLoc(root));
  return d.out;
}

/**
 * Every differing leaf between `wanted` and `got` as `- wanted / + got` by field path (see the
 * module comment). Policy defaults: DEFAULT_POLICY; root defaults to the spec's name. Never
 * throws for acyclic values.
 */
export function valueDiff(
  spec: TypeSpec,
  wanted: unknown,
  got: unknown,
  policy: Partial<EquivalencePolicy> = {},
  root: string = rootName(spec),
): ValueDiff[] {
  return detailedValueDiff(spec, wanted, got, policy, root).map(({ path, wanted: w, got: g }) => {
    const d: { path: string; wanted?: string; got?: string } = { path };
    if (w !== undefined) d.wanted = w;
    if (g !== undefined) d.got = g;
    return d;
  });
}

/**
 * True when `a` and `b` (values of `spec`) are the same under `policy` (default DEFAULT_POLICY).
 * Never throws for acyclic values.
 */
export function equivalent(
  spec: TypeSpec,
  a: unknown,
  b: unknown,
  policy: Partial<EquivalencePolicy> = {},
): boolean {
  return detailedValueDiff(spec, a, b, policy).length === 0;
}

export { renderValue } from './render.js';
