/**
 * The plain-text details of one result, as JUnit failure text, TAP diagnostics and Markdown
 * print them: `- wanted / + got` lines per field path, the hex diff, and the replay facts.
 */
import type { CaseResult, ShrunkCase } from '../runner/result.js';
import { formatHexDiff } from './hexdump.js';
import type { HexWindowOptions } from './hexdump.js';
import { oneLine, sideText, truncate, visible } from './text.js';

/** Limits of {@link valueDiffLines}, {@link shrunkText} and {@link detailsText}. */
export interface DetailLimits {
  /** At most this many value differences (default 20). */
  readonly maxValueDiffs?: number;
  /** Each wanted/got value cut to this many characters (default 300). */
  readonly maxValueChars?: number;
  /** Hex window options (defaults of hexWindow). */
  readonly hex?: HexWindowOptions;
  /** Each shrunk IDL file and the shrunk value JSON cut to this many characters (default 4,000). */
  readonly maxShrunkChars?: number;
}

/**
 * A result's value differences as diff lines, `- path: wanted` then `+ path: got` per difference,
 * each on one line (control characters made visible), with a last line telling how many were left
 * out. Defaults: 20 differences, values cut at 300 characters. Never throws.
 */
export function valueDiffLines(
  r: Pick<CaseResult, 'valueDiff'>,
  limits: DetailLimits = {},
): string[] {
  const diffs = r.valueDiff ?? [];
  const max = limits.maxValueDiffs ?? 20;
  const chars = limits.maxValueChars ?? 300;
  const lines: string[] = [];
  for (const d of diffs.slice(0, max)) {
    const path = oneLine(d.path);
    lines.push(`- ${path}: ${oneLine(truncate(sideText(d.wanted), chars))}`);
    lines.push(`+ ${path}: ${oneLine(truncate(sideText(d.got), chars))}`);
  }
  if (diffs.length > max) lines.push(`  … ${diffs.length - max} more differences`);
  return lines;
}

/** The facts that replay a result: `key: value` lines for seed, path, fingerprint, bundle, replay. Never throws. */
export function replayLines(r: CaseResult): string[] {
  const lines: string[] = [];
  if (r.seed !== undefined) lines.push(`seed: ${r.seed}`);
  if (r.path !== undefined) lines.push(`path: ${oneLine(r.path)}`);
  if (r.fingerprint !== undefined) lines.push(`fingerprint: ${oneLine(r.fingerprint)}`);
  if (r.bundle !== undefined) lines.push(`bundle: ${oneLine(r.bundle)}`);
  if (r.replay !== undefined) lines.push(`replay: ${oneLine(r.replay)}`);
  return lines;
}

/**
 * The headline of a shrunk case: `shrunk in 3 steps to: <its summary>` (one line, control
 * characters made visible). Never throws.
 */
export function shrunkHeadline(s: ShrunkCase): string {
  return `shrunk in ${s.steps} ${s.steps === 1 ? 'step' : 'steps'} to: ${oneLine(s.summary)}`;
}

/** The facts that replay a shrunk case: `key: value` lines for type, path, fingerprint, bundle, replay. Never throws. */
export function shrunkReplayLines(s: ShrunkCase): string[] {
  const lines = [
    `shrunk type: ${oneLine(s.type)}`,
    `shrunk path: ${oneLine(s.path)}`,
    `shrunk fingerprint: ${oneLine(s.fingerprint)}`,
  ];
  if (s.bundle !== undefined) lines.push(`shrunk bundle: ${oneLine(s.bundle)}`);
  if (s.replay !== undefined) lines.push(`shrunk replay: ${oneLine(s.replay)}`);
  return lines;
}

/** A case's IDL files as one text: each file under a `// <path>` line. Never throws. */
export function idlText(idl: Readonly<Record<string, string>>, maxChars = 4000): string {
  return Object.entries(idl)
    .map(
      ([file, text]) =>
        `// ${oneLine(file)}\n${visible(truncate(text, maxChars)).replace(/\s+$/, '')}`,
    )
    .join('\n\n');
}

/**
 * The plain-text account of a result's shrunk case: its headline, `- wanted / + got` lines, hex
 * diff, IDL, value JSON and replay facts, or undefined when the result has none. Defaults as
 * {@link valueDiffLines} and hexWindow; IDL and value cut at 4,000 characters. Never throws.
 */
export function shrunkText(r: CaseResult, limits: DetailLimits = {}): string | undefined {
  const s = r.shrunk;
  if (s === undefined) return undefined;
  const chars = limits.maxShrunkChars ?? 4000;
  const parts: string[] = [shrunkHeadline(s)];
  const values = valueDiffLines(s, limits);
  if (values.length > 0) parts.push(values.join('\n'));
  const hex = formatHexDiff(s.wantedHex, s.gotHex, s.byteDiff, limits.hex);
  if (hex !== undefined) parts.push(hex);
  const idl = idlText(s.idl, chars);
  if (idl !== '') parts.push(`shrunk IDL:\n${idl}`);
  parts.push(`shrunk value: ${oneLine(truncate(s.valueJson, chars))}`);
  parts.push(shrunkReplayLines(s).join('\n'));
  return parts.join('\n\n');
}

/**
 * Everything a reader of a text report needs about one result: summary, known reason, value diff,
 * hex diff, the replay facts and then the shrunk case ({@link shrunkText}), as one multi-line
 * text (control characters made visible). Defaults as {@link valueDiffLines} and hexWindow.
 * Never throws.
 */
export function detailsText(r: CaseResult, limits: DetailLimits = {}): string {
  const parts: string[] = [oneLine(r.summary)];
  if (r.knownReason !== undefined) parts.push(`known failure: ${oneLine(r.knownReason)}`);
  const values = valueDiffLines(r, limits);
  if (values.length > 0) parts.push(values.join('\n'));
  const hex = formatHexDiff(r.wantedHex, r.gotHex, r.byteDiff, limits.hex);
  if (hex !== undefined) parts.push(hex);
  const replay = replayLines(r);
  if (replay.length > 0) parts.push(replay.join('\n'));
  const shrunk = shrunkText(r, limits);
  if (shrunk !== undefined) parts.push(shrunk);
  return parts.join('\n\n');
}
