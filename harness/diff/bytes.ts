/**
 * Byte diff: where two encodings of a value differ (binary or compact, `options.protocol`), each
 * differing byte range mapped to its field path and protocol meaning on both sides (annotate.ts), and a side-by-side hex rendering from the
 * first difference. `classifyBytes` (canonical.ts, re-exported here) tells an encoding the spec
 * allows (field order, set and map order, envelope form) from a real difference.
 */
import type { StructSpec } from '../../codec/src/index.js';
import type { ByteDiffSpan } from '../runner/result.js';
import type { Span } from './annotate.js';
import { annotate, spanAt } from './annotate.js';
import type { ClassifyBytesOptions } from './canonical.js';
import { firstDifference, hex } from './text.js';

export { canonicalBytes, classifyBytes, describeDifference } from './canonical.js';
export type {
  BytesClassification,
  ClassifyBytesOptions,
  RealByteDifference,
  Variant,
} from './canonical.js';
export { firstDifference } from './text.js';

/** Options of `byteDiff` and `renderSideBySide` (those of `classifyBytes` and a span limit). */
export interface ByteDiffOptions extends ClassifyBytesOptions {
  /** Most spans `byteDiff` returns; the rest are counted in `omitted`. Default 100. */
  readonly maxSpans?: number;
}

/** A differing byte range, with the got side's view when it differs from the wanted side's. */
export interface ByteDiffEntry extends ByteDiffSpan {
  /** The got bytes' path at the same offset (when it differs from `path`'s wanted side). */
  readonly gotPath?: string;
  /** The got bytes' meaning at the same offset. */
  readonly gotMeaning?: string;
  readonly wantedHex: string;
  readonly gotHex: string;
}

/** What `byteDiff` returns. */
export interface ByteDiff {
  /** The first differing offset, or undefined when the bytes are identical. */
  readonly firstDifference: number | undefined;
  readonly spans: readonly ByteDiffEntry[];
  /** Differing spans left out after `maxSpans`. */
  readonly omitted: number;
}

/**
 * Maps every differing byte of `wanted` vs `got` (offset by offset) to the field path and meaning
 * of the wanted bytes, adding the got side's path and meaning when they differ (`Foo.a / got:
 * Foo.b` for a field-order swap). Bytes past one side's end are mapped on the other side alone.
 * Options: see ByteDiffOptions (defaults: binary, no envelope, root = spec name, 100 spans). Never
 * throws.
 */
export function byteDiff(
  spec: StructSpec,
  wanted: Uint8Array,
  got: Uint8Array,
  options: ByteDiffOptions = {},
): ByteDiff {
  const first = firstDifference(wanted, got);
  if (first === undefined) return { firstDifference: undefined, spans: [], omitted: 0 };
  const wa = annotate(spec, wanted, options);
  const ga = annotate(spec, got, options);
  const max = options.maxSpans ?? 100;
  const spans: ByteDiffEntry[] = [];
  let omitted = 0;
  const end = Math.max(wanted.length, got.length);
  const differs = (k: number) => !(k < wanted.length && k < got.length && wanted[k] === got[k]);
  let i = first;
  while (i < end) {
    if (!differs(i)) {
      i++;
      continue;
    }
    // One entry per pair of spans (wanted, got): from its first to its last differing byte.
    const ws = spanAt(wa, i);
    const gs = spanAt(ga, i);
    let j = i + 1;
    let last = i;
    while (j < end && spanAt(wa, j) === ws && spanAt(ga, j) === gs) {
      if (differs(j)) last = j;
      j++;
    }
    if (spans.length >= max) omitted++;
    else spans.push(entry(i, last + 1, ws, gs, wanted, got));
    i = j;
  }
  return { firstDifference: first, spans, omitted };
}

function entry(
  start: number,
  end: number,
  ws: Span | undefined,
  gs: Span | undefined,
  wanted: Uint8Array,
  got: Uint8Array,
): ByteDiffEntry {
  const wantedHex = hex(wanted.subarray(start, end), 64);
  const gotHex = hex(got.subarray(start, end), 64);
  if (ws === undefined) {
    const g = gs ?? { path: '', meaning: 'not annotated' };
    return {
      offset: start,
      length: end - start,
      path: g.path,
      meaning: `only in got: ${g.meaning}`,
      gotPath: g.path,
      gotMeaning: g.meaning,
      wantedHex,
      gotHex,
    };
  }
  if (gs === undefined) {
    return {
      offset: start,
      length: end - start,
      path: ws.path,
      meaning: `${ws.meaning} / got: (ended)`,
      wantedHex,
      gotHex,
    };
  }
  const samePath = ws.path === gs.path;
  const sameMeaning = ws.meaning === gs.meaning;
  return {
    offset: start,
    length: end - start,
    path: samePath ? ws.path : `${ws.path} / got: ${gs.path}`,
    meaning: sameMeaning ? ws.meaning : `${ws.meaning} / got: ${gs.meaning}`,
    gotPath: gs.path,
    gotMeaning: gs.meaning,
    wantedHex,
    gotHex,
  };
}

/**
 * Renders wanted and got hex side by side from the first difference, one line per wanted span
 * (then got-only spans): `!` marks lines whose bytes differ. At most `maxLines` lines (default
 * 40). Returns '' when the bytes are identical. Never throws.
 */
export function renderSideBySide(
  spec: StructSpec,
  wanted: Uint8Array,
  got: Uint8Array,
  options: ByteDiffOptions & { readonly maxLines?: number } = {},
): string {
  const first = firstDifference(wanted, got);
  if (first === undefined) return '';
  const wa = annotate(spec, wanted, options);
  const ga = annotate(spec, got, options);
  const lines = [`offset  ${'wanted'.padEnd(24)} ${'got'.padEnd(24)}   path: meaning`];
  const max = options.maxLines ?? 40;
  const rows: { start: number; end: number; path: string; meaning: string }[] = wa.spans.filter(
    (s) => s.end > first || (s.start === s.end && s.start >= first),
  );
  for (const s of ga.spans)
    if (s.start >= wanted.length) rows.push({ ...s, meaning: `only in got: ${s.meaning}` });
  for (const s of rows.slice(0, max)) {
    const start = s.start;
    const w = wanted.subarray(start, s.end);
    const g = got.subarray(start, s.end);
    const differs = firstDifference(w, g) !== undefined;
    const gs = spanAt(ga, start);
    const other =
      gs !== undefined && (gs.path !== s.path || gs.meaning !== s.meaning)
        ? ` / got: ${gs.path}: ${gs.meaning}`
        : '';
    const cols = `${String(start).padStart(6)}  ${hex(w, 11).padEnd(24)} ${hex(g, 11).padEnd(24)}`;
    lines.push(`${cols} ${differs ? '!' : ' '} ${s.path}: ${s.meaning}${differs ? other : ''}`);
  }
  if (rows.length > max) lines.push(`… ${rows.length - max} more lines`);
  return lines.join('\n');
}
