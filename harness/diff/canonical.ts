/**
 * Tells an encoding the spec allows from a real difference. Both byte strings are annotated
 * (annotate.ts), canonicalised via their annotation trees and compared; a side-by-side walk of
 * the two trees names each allowed variant and each real difference with its path and bytes.
 *
 * Allowed (the protocols leave these to the writer):
 * - struct field order (fields may come in any order before STOP);
 * - set element order and map entry order (both are unordered collections);
 * - binary: envelope form (strict `0x8001000t` header or the old non-strict one);
 * - compact: a field header in the long form where a delta would do, a list or set header in
 *   the long size form, bool element type 2 or 1, a false bool element as 0 or 2.
 * With the equivalence policy's `nanEqualsNan` also NaN bit patterns, with
 * `negativeZeroEqualsZero` also -0.0 written as 0.0; with `orderedSets` / `orderedMaps` the
 * corresponding order is NOT allowed. Everything else (a value, a header, an empty container's
 * element types, a non-canonical bool byte, a field present on one side only) is a real difference.
 */
import type { StructSpec } from '../../codec/src/index.js';
import { TType } from '../../codec/src/index.js';
import type { Annotation, EnvelopeInfo, FieldNode, Node } from './annotate.js';
import { annotate, spanAt } from './annotate.js';
import type { EquivalencePolicy } from './semantic.js';
import { resolvePolicy } from './semantic.js';
import { compareBytes, cut, firstDifference, hex } from './text.js';

/** Options of `classifyBytes`. */
export interface ClassifyBytesOptions {
  /** Both byte strings start with a message envelope. Default false. */
  readonly envelope?: boolean;
  /** The name at the root of paths. Default: the spec's name. */
  readonly root?: string;
  /** The equivalence policy (NaN bits, -0.0, set and map order). Default DEFAULT_POLICY. */
  readonly policy?: Partial<EquivalencePolicy>;
  /** The protocol both byte strings are in: `binary` (default) or `compact`. */
  readonly protocol?: 'binary' | 'compact';
}

/** An allowed difference: its reason and where it is. */
export interface Variant {
  /** `field order`, `set order`, `map order`, `envelope form`, `NaN bits` or `negative zero`. */
  readonly reason: string;
  readonly path: string;
  readonly pattern: string;
  /** What a person reads: `set elements written in another order`. */
  readonly text: string;
}

const VARIANT_TEXT: Readonly<Record<string, string>> = {
  'field order': 'fields written in another order',
  'set order': 'set elements written in another order',
  'map order': 'map entries written in another order',
  'NaN bits': 'NaN written with other bits',
  'negative zero': '-0.0 written as 0.0',
  'bool encoding': 'a false bool element written as 0 instead of 2 (or 2 instead of 0)',
  'header form': 'a header written in another form (long size form, or bool element type 2)',
};

/** A difference the spec does not allow, located on both sides. */
export interface RealByteDifference {
  readonly path: string;
  readonly pattern: string;
  /**
   * What differs: `value`, `field header`, `list header`, `field only in wanted`, `set order`,
   * `envelope seqid`, …
   */
  readonly role: string;
  readonly wantedAt: number | undefined;
  readonly gotAt: number | undefined;
  readonly wantedHex: string;
  readonly gotHex: string;
  /** The wanted and got meanings (annotations) when known. */
  readonly wantedMeaning?: string;
  readonly gotMeaning?: string;
}

/** What `classifyBytes` returns. */
export interface BytesClassification {
  /** The byte strings differ only in allowed ways (true for identical bytes). */
  readonly allowed: boolean;
  /** The distinct reasons of the allowed differences, in order: `['field order', 'set order']`. */
  readonly reasons: readonly string[];
  readonly variants: readonly Variant[];
  /** The differences that are not allowed (empty when `allowed`). */
  readonly differences: readonly RealByteDifference[];
  /** Set when a side's bytes could not be walked to the end. */
  readonly malformed?: {
    readonly side: 'wanted' | 'got';
    readonly at: number;
    readonly path: string;
    readonly pattern: string;
    readonly reason: string;
    /**
     * Where the two byte strings first differ, read on the side that is well formed (the bytes
     * before it are the same, so both sides mean the same up to there): often the cause. `at` is
     * the start of the span that holds the first differing byte; the hex is that span on each side.
     */
    readonly firstDifference?: {
      readonly at: number;
      readonly path: string;
      readonly meaning: string;
      readonly wantedHex: string;
      readonly gotHex: string;
    };
  };
}

interface Features {
  readonly setOrder: boolean;
  readonly mapOrder: boolean;
  readonly nan: boolean;
  readonly negativeZero: boolean;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const NAN = Uint8Array.of(0x7f, 0xf8, 0, 0, 0, 0, 0, 0);
const ZERO = new Uint8Array(8);

/** A binary-protocol-like 3-byte field header, the canonical form of a compact one. */
function fieldHeader(ttype: number, id: number): Uint8Array {
  return Uint8Array.of(ttype, (id >> 8) & 0xff, id & 0xff);
}

/** A binary-protocol-like container header (types, 4-byte size): the canonical compact one. */
function containerHeader(types: readonly number[], size: number): Uint8Array {
  return Uint8Array.of(
    ...types,
    size >>> 24,
    (size >>> 16) & 0xff,
    (size >>> 8) & 0xff,
    size & 0xff,
  );
}

/**
 * Canonical bytes of nodes of one byte string: fields by id, sets and maps sorted (memoised).
 * Compact headers (whose field ids are deltas) are rewritten in a fixed form.
 */
class Canon {
  readonly memo = new Map<Node, Uint8Array>();
  constructor(
    readonly b: Uint8Array,
    readonly f: Features,
    readonly compact = false,
  ) {}

  raw(n: { start: number; end: number }): Uint8Array {
    return this.b.subarray(n.start, n.end);
  }

  leafBytes(n: Node & { kind: 'leaf' }): Uint8Array {
    if (n.canonical !== undefined) return n.canonical;
    const raw = this.raw(n);
    if (n.ttype === TType.DOUBLE && raw.length === 8) {
      const v = new DataView(raw.buffer, raw.byteOffset, 8).getFloat64(0, this.compact);
      if (this.f.nan && Number.isNaN(v)) return NAN;
      if (this.f.negativeZero && Object.is(v, -0)) return ZERO;
    }
    return raw;
  }

  of(n: Node): Uint8Array {
    const hit = this.memo.get(n);
    if (hit) return hit;
    let out: Uint8Array;
    switch (n.kind) {
      case 'leaf':
        out = this.leafBytes(n);
        break;
      case 'struct': {
        const fields = [...n.fields].sort((x, y) => x.id - y.id);
        out = concat([
          ...fields.flatMap((x) => [
            this.compact
              ? fieldHeader(x.ttype, x.id)
              : this.b.subarray(x.headerStart, x.headerStart + 3),
            this.of(x.value),
          ]),
          Uint8Array.of(0),
        ]);
        break;
      }
      case 'list':
      case 'set': {
        const elems = n.elems.map((e) => this.of(e));
        if (n.kind === 'set' && this.f.setOrder) elems.sort(compareBytes);
        const head = this.compact
          ? containerHeader([n.elemType], n.size)
          : this.b.subarray(n.start, n.headerEnd);
        out = concat([head, ...elems]);
        break;
      }
      case 'map': {
        const entries = n.entries.map((e) => [this.of(e.key), this.of(e.value)] as const);
        if (this.f.mapOrder)
          entries.sort((x, y) => compareBytes(x[0], y[0]) || compareBytes(x[1], y[1]));
        const head = this.compact
          ? containerHeader([n.keyType, n.valueType], n.size)
          : this.b.subarray(n.start, n.headerEnd);
        out = concat([head, ...entries.flat()]);
        break;
      }
    }
    this.memo.set(n, out);
    return out;
  }
}

function strictHeader(e: EnvelopeInfo): Uint8Array {
  const out = new Uint8Array(12 + e.nameBytes.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, (0x80010000 | (e.messageType & 0xff)) >>> 0);
  v.setInt32(4, e.nameBytes.length);
  out.set(e.nameBytes, 8);
  v.setInt32(8 + e.nameBytes.length, e.seqid);
  return out;
}

/**
 * The canonical form of an annotated byte string: envelope rewritten strict, struct fields sorted
 * by id, set elements and map entries sorted by their (canonical) encoded bytes, and — as the
 * policy says — NaNs and -0.0 normalised. Undefined when the bytes are malformed. Two encodings
 * differ only in allowed ways exactly when their canonical forms are equal. Policy default:
 * DEFAULT_POLICY. Never throws.
 */
export function canonicalBytes(
  annotation: Annotation,
  bytes: Uint8Array,
  policy: Partial<EquivalencePolicy> = {},
): Uint8Array | undefined {
  if (annotation.malformed !== undefined || annotation.root === undefined) return undefined;
  const c = new Canon(bytes, features(policy), annotation.protocol === 'compact');
  const body = c.of(annotation.root);
  return annotation.envelope ? concat([strictHeader(annotation.envelope), body]) : body;
}

function features(policy: Partial<EquivalencePolicy>): Features {
  const p = resolvePolicy(policy);
  return {
    setOrder: !p.orderedSets,
    mapOrder: !p.orderedMaps,
    nan: p.nanEqualsNan,
    negativeZero: p.negativeZeroEqualsZero,
  };
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  return compareBytes(a, b) === 0;
}

/** Walks two annotation trees side by side, collecting allowed variants and real differences. */
class PairWalk {
  readonly variants: Variant[] = [];
  readonly differences: RealByteDifference[] = [];
  constructor(
    readonly a: Canon,
    readonly b: Canon,
    readonly f: Features,
  ) {}

  real(role: string, x: Located | undefined, y: Located | undefined): void {
    const loc = x ?? y!;
    let wantedAt = x?.start;
    let gotAt = y?.start;
    let wb = x ? this.a.b.subarray(x.start, x.end) : new Uint8Array(0);
    let gb = y ? this.b.b.subarray(y.start, y.end) : new Uint8Array(0);
    if (x && y) {
      // Point at the first byte that differs within the two ranges.
      const k = firstDifference(wb, gb) ?? 0;
      wantedAt = x.start + k;
      gotAt = y.start + k;
      wb = wb.subarray(k);
      gb = gb.subarray(k);
    }
    const d: { -readonly [K in keyof RealByteDifference]: RealByteDifference[K] } = {
      path: loc.path,
      pattern: loc.pattern,
      role,
      wantedAt,
      gotAt,
      wantedHex: hex(wb, 16),
      gotHex: hex(gb, 16),
    };
    if (x?.meaning !== undefined) d.wantedMeaning = x.meaning;
    if (y?.meaning !== undefined) d.gotMeaning = y.meaning;
    this.differences.push(d);
  }

  variant(reason: string, loc: { path: string; pattern: string }, text?: string): void {
    const t = text ?? VARIANT_TEXT[reason] ?? reason;
    this.variants.push({ reason, path: loc.path, pattern: loc.pattern, text: t });
  }

  node(x: Node, y: Node): void {
    if (x.kind === 'leaf' && y.kind === 'leaf') return this.leaf(x, y);
    if (same(this.a.raw(x), this.b.raw(y))) return;
    if (x.kind !== y.kind) return this.real('value', located(x), located(y));
    switch (x.kind) {
      case 'leaf':
        return;
      case 'struct':
        return this.struct(x, y as typeof x);
      case 'list':
      case 'set':
        return this.seq(x, y as typeof x);
      case 'map':
        return this.map(x, y as typeof x);
    }
  }

  leaf(x: Node & { kind: 'leaf' }, y: Node & { kind: 'leaf' }): void {
    if (x.ttype !== y.ttype || !same(this.a.of(x), this.b.of(y))) {
      return this.real('value', located(x), located(y));
    }
    const raw = this.a.raw(x);
    // A compact bool field's leaf is its header, which differs with the delta: not a variant.
    if (same(raw, this.b.raw(y)) || x.inHeader === true) return;
    if (x.ttype === TType.BOOL) return this.variant('bool encoding', x);
    const v = new DataView(raw.buffer, raw.byteOffset, 8).getFloat64(0, this.a.compact);
    return this.variant(Number.isNaN(v) ? 'NaN bits' : 'negative zero', x);
  }

  /** A compact container header written in another allowed form (same types and size). */
  headerForm(x: Node & { headerEnd: number }, y: Node & { headerEnd: number }): void {
    const hx = this.a.b.subarray(x.start, x.headerEnd);
    if (this.a.compact && !same(hx, this.b.b.subarray(y.start, y.headerEnd))) {
      this.variant('header form', x);
    }
  }

  struct(x: Node & { kind: 'struct' }, y: Node & { kind: 'struct' }): void {
    const left = [...y.fields];
    const common: [FieldNode, FieldNode][] = [];
    for (const fx of x.fields) {
      const i = left.findIndex((fy) => fy.id === fx.id);
      if (i < 0) {
        this.real('field only in wanted', fieldLocated(fx), undefined);
        continue;
      }
      common.push([fx, left[i]!]);
      left.splice(i, 1);
    }
    for (const fy of left) this.real('field only in got', undefined, fieldLocated(fy));
    const order = common.map(([, fy]) => y.fields.indexOf(fy));
    if (order.some((o, i) => i > 0 && o < order[i - 1]!)) this.variant('field order', x);
    for (const [fx, fy] of common) {
      if (fx.ttype !== fy.ttype) this.real('field header', fieldLocated(fx), fieldLocated(fy));
      else this.node(fx.value, fy.value);
    }
  }

  seq(x: Node & { kind: 'list' | 'set' }, y: Node & { kind: 'list' | 'set' }): void {
    const hx = { ...x, end: x.headerEnd };
    const hy = { ...y, end: y.headerEnd };
    if (x.elemType !== y.elemType) return this.real(`${x.kind} header`, hx, hy);
    if (x.size === y.size) this.headerForm(x, y);
    if (x.kind === 'list') {
      if (x.size !== y.size) this.real('list header', hx, hy);
      const n = Math.min(x.elems.length, y.elems.length);
      for (let i = 0; i < n; i++) this.node(x.elems[i]!, y.elems[i]!);
      for (const e of x.elems.slice(n))
        this.real('list element only in wanted', located(e), undefined);
      for (const e of y.elems.slice(n))
        this.real('list element only in got', undefined, located(e));
      return;
    }
    const { pairs, onlyX, onlyY } = pairUp(
      x.elems.map((e) => this.a.of(e)),
      y.elems.map((e) => this.b.of(e)),
    );
    for (const i of onlyX) this.real('set element only in wanted', located(x.elems[i]!), undefined);
    for (const j of onlyY) this.real('set element only in got', undefined, located(y.elems[j]!));
    this.order('set', x, y, pairs, this.f.setOrder);
    for (const [i, j] of pairs) this.node(x.elems[i]!, y.elems[j]!);
  }

  map(x: Node & { kind: 'map' }, y: Node & { kind: 'map' }): void {
    if (x.keyType !== y.keyType || x.valueType !== y.valueType) {
      return this.real('map header', { ...x, end: x.headerEnd }, { ...y, end: y.headerEnd });
    }
    if (x.size === y.size) this.headerForm(x, y);
    const { pairs, onlyX, onlyY } = pairUp(
      x.entries.map((e) => this.a.of(e.key)),
      y.entries.map((e) => this.b.of(e.key)),
    );
    for (const i of onlyX)
      this.real('map entry only in wanted', located(x.entries[i]!.value), undefined);
    for (const j of onlyY)
      this.real('map entry only in got', undefined, located(y.entries[j]!.value));
    this.order('map', x, y, pairs, this.f.mapOrder);
    for (const [i, j] of pairs) {
      this.node(x.entries[i]!.key, y.entries[j]!.key);
      this.node(x.entries[i]!.value, y.entries[j]!.value);
    }
  }

  order(
    kind: 'set' | 'map',
    x: Node,
    y: Node,
    pairs: readonly [number, number][],
    ok: boolean,
  ): void {
    if (!pairs.some(([, j], i) => i > 0 && j < pairs[i - 1]![1])) return;
    if (ok) this.variant(`${kind} order`, x);
    else this.real(`${kind} order`, located(x), located(y));
  }

  envelope(x: EnvelopeInfo, y: EnvelopeInfo): void {
    if (x.strict !== y.strict) {
      const form = (e: EnvelopeInfo) => (e.strict ? 'strict' : 'non-strict');
      this.variant(
        'envelope form',
        { path: 'envelope', pattern: 'envelope' },
        `written ${form(y)}, wanted ${form(x)}`,
      );
    }
    const part = (path: string, start: number, length: number, meaning: string): Located => ({
      path,
      pattern: path,
      start,
      end: start + length,
      meaning,
    });
    if (!same(x.nameBytes, y.nameBytes)) {
      const name = (e: EnvelopeInfo) =>
        part(
          'envelope.name',
          e.nameAt,
          e.nameBytes.length,
          `method name ${JSON.stringify(e.name)}`,
        );
      this.real('envelope name', name(x), name(y));
    }
    if (x.messageType !== y.messageType) {
      const type = (e: EnvelopeInfo) =>
        part('envelope.type', e.typeAt, 1, `message type ${e.messageType}`);
      this.real('envelope type', type(x), type(y));
    }
    if (x.seqid !== y.seqid) {
      const seqid = (e: EnvelopeInfo) =>
        part('envelope.seqid', e.seqidAt, e.seqidLength ?? 4, `seqid ${e.seqid}`);
      this.real('envelope seqid', seqid(x), seqid(y));
    }
  }
}

interface Located {
  readonly path: string;
  readonly pattern: string;
  readonly start: number;
  readonly end: number;
  readonly meaning?: string;
}

function located(n: Node): Located {
  return {
    path: n.path,
    pattern: n.pattern,
    start: n.start,
    end: n.end,
    ...('meaning' in n ? { meaning: n.meaning } : {}),
  };
}

function fieldLocated(f: FieldNode): Located {
  return {
    path: f.path,
    pattern: f.pattern,
    start: f.headerStart,
    end: f.value.end,
    meaning: f.meaning,
  };
}

/** Pairs equal byte strings of `xs` and `ys` (a multiset match), in `xs` order. */
function pairUp(
  xs: readonly Uint8Array[],
  ys: readonly Uint8Array[],
): { pairs: [number, number][]; onlyX: number[]; onlyY: number[] } {
  const byKey = new Map<string, number[]>();
  ys.forEach((y, j) => {
    const k = hex(y);
    const list = byKey.get(k);
    if (list) list.push(j);
    else byKey.set(k, [j]);
  });
  const pairs: [number, number][] = [];
  const onlyX: number[] = [];
  xs.forEach((x, i) => {
    const j = byKey.get(hex(x))?.shift();
    if (j === undefined) onlyX.push(i);
    else pairs.push([i, j]);
  });
  const used = new Set(pairs.map(([, j]) => j));
  const onlyY = ys.map((_, j) => j).filter((j) => !used.has(j));
  return { pairs, onlyX, onlyY };
}

/**
 * Decides whether two byte strings differ only in ways the spec allows (see the module comment):
 * both are canonicalised via their annotation trees and compared, and a side-by-side walk of the
 * trees names each allowed variant with its path and each real difference with its path and
 * bytes. Identical bytes are allowed with no reasons; malformed bytes are never allowed.
 * Options: envelope (default false), root (default the spec's name), policy (DEFAULT_POLICY).
 * Never throws.
 */
export function classifyBytes(
  spec: StructSpec,
  wanted: Uint8Array,
  got: Uint8Array,
  options: ClassifyBytesOptions = {},
): BytesClassification {
  if (firstDifference(wanted, got) === undefined) {
    return { allowed: true, reasons: [], variants: [], differences: [] };
  }
  const wa = annotate(spec, wanted, options);
  const ga = annotate(spec, got, options);
  const f = features(options.policy ?? {});
  for (const side of ['wanted', 'got'] as const) {
    const m = (side === 'wanted' ? wa : ga).malformed;
    if (m === undefined) continue;
    const b = side === 'wanted' ? wanted : got;
    const rest = hex(b.subarray(m.at), 16);
    const meaning = `malformed: ${m.reason}`;
    const { path, pattern, at, reason } = m;
    const first = firstDifference(wanted, got)!;
    const other = side === 'wanted' ? ga : wa;
    const fs = other.malformed === undefined ? spanAt(other, first) : undefined;
    const firstDiff =
      fs !== undefined && first < at
        ? {
            at: fs.start,
            path: fs.path,
            meaning: fs.meaning,
            wantedHex: hex(wanted.subarray(fs.start, Math.min(fs.end, fs.start + 16))),
            gotHex: hex(got.subarray(fs.start, Math.min(fs.end, fs.start + 16))),
          }
        : undefined;
    return {
      allowed: false,
      reasons: [],
      variants: [],
      differences: [
        side === 'wanted'
          ? {
              path,
              pattern,
              role: 'malformed',
              wantedAt: at,
              gotAt: undefined,
              wantedHex: rest,
              gotHex: '',
              wantedMeaning: meaning,
            }
          : {
              path,
              pattern,
              role: 'malformed',
              wantedAt: undefined,
              gotAt: at,
              wantedHex: '',
              gotHex: rest,
              gotMeaning: meaning,
            },
      ],
      malformed: {
        side,
        at,
        path,
        pattern,
        reason,
        ...(firstDiff ? { firstDifference: firstDiff } : {}),
      },
    };
  }
  const compact = options.protocol === 'compact';
  const ca = new Canon(wanted, f, compact);
  const cb = new Canon(got, f, compact);
  const walk = new PairWalk(ca, cb, f);
  if (wa.envelope && ga.envelope) walk.envelope(wa.envelope, ga.envelope);
  walk.node(wa.root!, ga.root!);
  const canonEqual = same(
    canonicalBytes(wa, wanted, options.policy)!,
    canonicalBytes(ga, got, options.policy)!,
  );
  const differences = walk.differences;
  if (!canonEqual && differences.length === 0) {
    // The walk found nothing the canonical forms disagree on: fall back to the first raw byte.
    const at = firstDifference(wanted, got)!;
    const s = spanAt(wa, at) ?? spanAt(ga, at);
    differences.push({
      path: s?.path ?? '',
      pattern: s?.pattern ?? '',
      role: s?.role ?? 'value',
      wantedAt: at,
      gotAt: at,
      wantedHex: hex(wanted.subarray(at, at + 8)),
      gotHex: hex(got.subarray(at, at + 8)),
    });
  }
  const reasons = [...new Set(walk.variants.map((v) => v.reason))];
  return {
    allowed: canonEqual && differences.length === 0,
    reasons,
    variants: walk.variants,
    differences,
  };
}

/**
 * One line for a real byte difference, e.g.
 * `bytes differ at 17 (Foo.items[2]: value): wanted 0x01, got 0x02`. Never throws.
 */
export function describeDifference(d: RealByteDifference): string {
  const at = d.wantedAt ?? `${d.gotAt ?? 0} of got`;
  const gotAt =
    d.gotAt !== undefined && d.wantedAt !== undefined && d.gotAt !== d.wantedAt
      ? ` at ${d.gotAt}`
      : '';
  const w = d.wantedHex === '' ? 'nothing' : `0x${cut(d.wantedHex, 40)}`;
  const g = d.gotHex === '' ? 'nothing' : `0x${cut(d.gotHex, 40)}`;
  return `bytes differ at ${at} (${d.path}: ${d.role}): wanted ${w}, got ${g}${gotAt}`;
}
