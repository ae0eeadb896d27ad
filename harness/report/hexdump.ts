/**
 * Side-by-side hex diffs of wanted and got bytes: rows of 16 bytes from the first difference,
 * each byte marked when it differs and tied to the byte-diff span (field path and meaning) that
 * covers it. One model ({@link hexWindow}) rendered as text here and as HTML in html.ts.
 */
import type { ByteDiffSpan } from '../runner/result.js';
import { oneLine } from './text.js';

/** Bytes per row. */
export const ROW = 16;

/** One byte position on one side of a row. */
export interface HexCell {
  readonly offset: number;
  /** The byte, or undefined past the end of that side. */
  readonly byte: number | undefined;
  /** The other side has another byte (or none) here, or a span covers it. */
  readonly differs: boolean;
  /** Index into {@link HexWindow.spans} of the span that covers this offset, if any. */
  readonly span: number | undefined;
}

/** One row of 16 offsets, both sides. */
export interface HexRow {
  readonly offset: number;
  readonly wanted: readonly HexCell[];
  readonly got: readonly HexCell[];
  readonly differs: boolean;
}

/** The rows to show of one diff, and what was left out. */
export interface HexWindow {
  /** Offset of the first differing byte, or -1 when the bytes are equal. */
  readonly first: number;
  readonly wantedLength: number;
  readonly gotLength: number;
  readonly rows: readonly HexRow[];
  /** Bytes (of the longer side) before the first row and after the last one. */
  readonly before: number;
  readonly after: number;
  /** The spans as given; cells refer to them by index. */
  readonly spans: readonly ByteDiffSpan[];
  /** Indexes of the spans that cover a shown offset, in offset order. */
  readonly shownSpans: readonly number[];
  /** Hex digits of the offset column. */
  readonly offsetWidth: number;
}

/** Options of {@link hexWindow}. */
export interface HexWindowOptions {
  /** At most this many rows (default 8). */
  readonly rows?: number;
  /** Rows shown before the first difference (default 1). */
  readonly contextRows?: number;
}

/**
 * Decodes a hex string (case-insensitive; whitespace ignored) into bytes.
 * Throws a RangeError naming the position on an odd length or a non-hex character.
 */
export function hexToBytes(hex: string): Uint8Array {
  const clean = hex.replace(/\s+/g, '');
  if (clean.length % 2 !== 0) throw new RangeError(`hex text has an odd length (${clean.length})`);
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) {
    const pair = clean.slice(2 * i, 2 * i + 2);
    if (!/^[0-9a-fA-F]{2}$/.test(pair))
      throw new RangeError(`hex text has ${JSON.stringify(pair)} at ${2 * i}`);
    out[i] = parseInt(pair, 16);
  }
  return out;
}

/** The offset of the first byte where `a` and `b` differ (a shorter side differs at its end), or -1. Never throws. */
export function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

/** The index of the first span covering `offset` (a zero-length span covers its own offset), or undefined. Never throws. */
export function spanAt(spans: readonly ByteDiffSpan[], offset: number): number | undefined {
  for (let i = 0; i < spans.length; i++) {
    const s = spans[i];
    if (s && offset >= s.offset && offset < s.offset + Math.max(1, s.length)) return i;
  }
  return undefined;
}

/** A byte as two lower-case hex digits. Never throws. */
export function hexByte(b: number): string {
  return b.toString(16).padStart(2, '0');
}

/** An offset as hex, padded to `width` digits. Never throws. */
export function hexOffset(offset: number, width: number): string {
  return offset.toString(16).padStart(width, '0');
}

/**
 * Builds the rows to show of a wanted/got pair: from one context row before the first difference
 * (or the first span, when the bytes are equal), at most `rows` rows (defaults: 8 rows, 1 context
 * row). Cells are marked differing where the bytes differ or a span covers them. Never throws.
 */
export function hexWindow(
  wanted: Uint8Array,
  got: Uint8Array,
  spans: readonly ByteDiffSpan[] = [],
  options: HexWindowOptions = {},
): HexWindow {
  const maxRows = Math.max(1, options.rows ?? 8);
  const context = Math.max(0, options.contextRows ?? 1);
  const longest = Math.max(wanted.length, got.length);
  const first = firstDifference(wanted, got);
  const anchor = first >= 0 ? first : spans.reduce((m, s) => Math.min(m, s.offset), longest);
  const startRow = Math.max(
    0,
    Math.floor(Math.min(anchor, Math.max(0, longest - 1)) / ROW) - context,
  );
  const totalRows = Math.ceil(longest / ROW);
  const endRow = Math.min(totalRows, startRow + maxRows);
  const rows: HexRow[] = [];
  const shown = new Set<number>();
  const cell = (side: Uint8Array, other: Uint8Array, offset: number): HexCell => {
    const byte = side[offset];
    const span = spanAt(spans, offset);
    if (span !== undefined && offset < longest) shown.add(span);
    const differs = byte !== other[offset] || (span !== undefined && byte !== undefined);
    return { offset, byte, differs, span };
  };
  for (let r = startRow; r < endRow; r++) {
    const w: HexCell[] = [];
    const g: HexCell[] = [];
    for (let i = r * ROW; i < (r + 1) * ROW; i++) {
      w.push(cell(wanted, got, i));
      g.push(cell(got, wanted, i));
    }
    rows.push({
      offset: r * ROW,
      wanted: w,
      got: g,
      differs: w.some((c) => c.differs) || g.some((c) => c.differs),
    });
  }
  const shownSpans = [...shown].sort(
    (a, b) => (spans[a]?.offset ?? 0) - (spans[b]?.offset ?? 0) || a - b,
  );
  return {
    first,
    wantedLength: wanted.length,
    gotLength: got.length,
    rows,
    before: Math.min(startRow * ROW, longest),
    after: Math.max(0, longest - endRow * ROW),
    spans,
    shownSpans,
    offsetWidth: Math.max(4, hexOffset(Math.max(0, longest - 1), 1).length),
  };
}

/** The hex window of a result's hex strings, or undefined when either side is missing or not hex. Never throws. */
export function hexWindowOf(
  wantedHex: string | undefined,
  gotHex: string | undefined,
  spans: readonly ByteDiffSpan[] | undefined,
  options: HexWindowOptions = {},
): HexWindow | undefined {
  if (wantedHex === undefined || gotHex === undefined) return undefined;
  try {
    return hexWindow(hexToBytes(wantedHex), hexToBytes(gotHex), spans ?? [], options);
  } catch {
    return undefined;
  }
}

/** A cell's two characters: the byte, `--` where only the other side has a byte, else blanks. Never throws. */
export function cellText(c: HexCell): string {
  return c.byte !== undefined ? hexByte(c.byte) : c.differs ? '--' : '  ';
}

/** One side of a text row: 16 cells, 47 characters. */
function textSide(cells: readonly HexCell[]): string {
  return cells.map(cellText).join(' ');
}

/** The marker line under one side: `^^` under each differing byte. */
function markSide(cells: readonly HexCell[]): string {
  return cells.map((c) => (c.differs ? '^^' : '  ')).join(' ');
}

/**
 * Renders a hex window as plain text: a header, then per row the offset, the wanted and the got
 * bytes side by side, a `^^` marker line under differing bytes, and a list of the spans shown
 * (offset, length, field path, meaning). Never throws.
 */
export function formatHexWindow(win: HexWindow): string {
  const col = Math.max(win.offsetWidth, 6);
  const pad = ' '.repeat(col);
  const width = ROW * 3 - 1;
  const lines: string[] = [];
  const where = win.first >= 0 ? `first difference at 0x${hexOffset(win.first, 1)}` : 'same bytes';
  lines.push(
    `${'offset'.padEnd(col)}  ${`wanted (${win.wantedLength} bytes)`.padEnd(width)} | got (${win.gotLength} bytes); ${where}`,
  );
  if (win.before > 0) lines.push(`${pad}  … ${win.before} bytes before`);
  for (const row of win.rows) {
    lines.push(
      `${hexOffset(row.offset, win.offsetWidth).padEnd(col)}  ${textSide(row.wanted)} | ${textSide(row.got)}`.trimEnd(),
    );
    if (row.differs) lines.push(`${pad}  ${markSide(row.wanted)}   ${markSide(row.got)}`.trimEnd());
  }
  if (win.after > 0) lines.push(`${pad}  … ${win.after} bytes after`);
  for (const i of win.shownSpans) {
    const s = win.spans[i];
    if (s)
      lines.push(
        `${pad}  0x${hexOffset(s.offset, 1)} +${s.length}  ${oneLine(s.path)}  ${oneLine(s.meaning)}`,
      );
  }
  return lines.join('\n');
}

/**
 * A result's hex diff as text (see {@link formatHexWindow}), or undefined when it has no wanted
 * and got bytes. Defaults as {@link hexWindow}. Never throws.
 */
export function formatHexDiff(
  wantedHex: string | undefined,
  gotHex: string | undefined,
  spans: readonly ByteDiffSpan[] | undefined,
  options: HexWindowOptions = {},
): string | undefined {
  const win = hexWindowOf(wantedHex, gotHex, spans, options);
  return win && formatHexWindow(win);
}
