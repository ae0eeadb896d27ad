/**
 * The plain-text details of one result, as JUnit failure text, TAP diagnostics and Markdown
 * print them: `- wanted / + got` lines per field path, the hex diff, and the replay facts.
 */
import type { CaseResult } from '../runner/result.js';
import { formatHexDiff } from './hexdump.js';
import type { HexWindowOptions } from './hexdump.js';
import { oneLine, sideText, truncate } from './text.js';

/** Limits of {@link valueDiffLines} and {@link detailsText}. */
export interface DetailLimits {
  /** At most this many value differences (default 20). */
  readonly maxValueDiffs?: number;
  /** Each wanted/got value cut to this many characters (default 300). */
  readonly maxValueChars?: number;
  /** Hex window options (defaults of hexWindow). */
  readonly hex?: HexWindowOptions;
}

/**
 * A result's value differences as diff lines, `- path: wanted` then `+ path: got` per difference,
 * each on one line (control characters made visible), with a last line telling how many were left
 * out. Defaults: 20 differences, values cut at 300 characters. Never throws.
 */
export function valueDiffLines(r: CaseResult, limits: DetailLimits = {}): string[] {
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
 * Everything a reader of a text report needs about one result: summary, known reason, value diff,
 * hex diff and the replay facts, as one multi-line text (control characters made visible).
 * Defaults as {@link valueDiffLines} and hexWindow. Never throws.
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
  return parts.join('\n\n');
}
