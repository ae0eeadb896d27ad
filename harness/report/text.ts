/**
 * Text helpers shared by the reporters: making invisible or unholdable characters visible,
 * shortening long text, and the labels and tallies every format prints the same way.
 */
import type { CaseResult, KnownFailureUse, RunReport, Verdict } from '../runner/result.js';

/** Every verdict, from best to worst: the order of columns, counts and colours. */
export const VERDICTS: readonly Verdict[] = [
  'identical',
  'allowed-variant',
  'known-flaky',
  'known-failure',
  'not-run',
  'peer-error',
  'mismatch',
];

/** How bad a verdict is (0 = identical … 4 = mismatch); the worst one colours a matrix cell. Never throws. */
export function severity(v: Verdict): number {
  return VERDICTS.indexOf(v);
}

/** True for the verdicts that fail a run: `mismatch` and `peer-error`. Never throws. */
export function isFailure(v: Verdict): boolean {
  return v === 'mismatch' || v === 'peer-error';
}

/** True for the verdicts that pass: `identical` and `allowed-variant`. Never throws. */
export function isPass(v: Verdict): boolean {
  return v === 'identical' || v === 'allowed-variant';
}

/** A count per verdict. */
export type Tally = Record<Verdict, number>;

/** Counts results per verdict (every verdict present, zero when none). Never throws. */
export function tally(results: Iterable<CaseResult>): Tally {
  const t: Tally = {
    identical: 0,
    'allowed-variant': 0,
    'known-failure': 0,
    'known-flaky': 0,
    'not-run': 0,
    'peer-error': 0,
    mismatch: 0,
  };
  for (const r of results) t[r.verdict] += 1;
  return t;
}

/** The peers of a report in order: those of `report.peers` first, then any only results or stale entries name. Never throws. */
export function peerNames(report: RunReport): string[] {
  const names = new Set<string>(report.peers.map((p) => p.name));
  for (const r of report.results) names.add(r.peer);
  for (const s of report.staleKnownFailures) names.add(s.peer);
  return [...names];
}

/** The distinct values of `key(item)` in first-seen order. Never throws. */
export function distinct<T>(items: Iterable<T>, key: (item: T) => string): string[] {
  const seen = new Set<string>();
  for (const item of items) seen.add(key(item));
  return [...seen];
}

/** The wire settings of a result as one label: `binary framed strict` (absent parts left out). Never throws. */
export function wireLabel(r: CaseResult): string {
  return [r.protocol, r.transport, r.envelope].filter((x) => x !== undefined).join(' ');
}

/** The one-line headline of a run: its status and the counts that matter. Never throws. */
export function headline(report: RunReport): string {
  const t = tally(report.results);
  const parts: string[] = [];
  const n = (count: number, one: string, many: string) =>
    count > 0 ? parts.push(`${count} ${count === 1 ? one : many}`) : 0;
  n(t.mismatch, 'mismatch', 'mismatches');
  n(t['peer-error'], 'peer error', 'peer errors');
  n(report.staleKnownFailures.length, 'stale known failure', 'stale known failures');
  n(t['known-failure'], 'known failure', 'known failures');
  n(t['allowed-variant'], 'allowed variant', 'allowed variants');
  const status =
    report.exitCode === 0 ? 'conformant' : report.exitCode === 1 ? 'NOT conformant' : 'incomplete';
  const cases = `${report.results.length} ${report.results.length === 1 ? 'case' : 'cases'}`;
  return `${status}: ${[cases, ...parts].join(', ')} (seed ${report.seed})`;
}

/** One row of a "Known failures" table: an entry and how it fared (passing unknown when absent). */
export interface KnownFailureRow {
  readonly peer: string;
  readonly entry: string;
  readonly reason: string;
  readonly matched: number;
  readonly passing?: number;
  readonly source?: string;
}

/**
 * The rows of a "Known failures" table: `report.knownFailures` as they are; for a report without
 * them (older or recovered), the known-failure results grouped by peer, fingerprint (or name)
 * and reason, counted as matched, passing unknown. Never throws.
 */
export function knownFailureRows(report: RunReport): KnownFailureRow[] {
  if (report.knownFailures !== undefined)
    return report.knownFailures.map((u: KnownFailureUse) => ({
      ...u,
      ...(u.fixedIn !== undefined && u.applies === false
        ? { reason: `fixed in ${u.fixedIn} (this version is not affected): ${u.reason}` }
        : {}),
    }));
  const rows = new Map<string, { row: KnownFailureRow; matched: number }>();
  for (const r of report.results) {
    if (r.verdict !== 'known-failure') continue;
    const entry = r.fingerprint ?? r.name;
    const reason = r.knownReason ?? 'no reason given';
    const key = `${r.peer}\u0000${entry}\u0000${reason}`;
    const seen = rows.get(key) ?? { row: { peer: r.peer, entry, reason, matched: 0 }, matched: 0 };
    seen.matched += 1;
    rows.set(key, seen);
  }
  return [...rows.values()].map(({ row, matched }) => ({ ...row, matched }));
}

/** True for a code point a reader cannot see or a report format cannot hold as it is. */
function unholdable(cp: number): boolean {
  return (
    (cp < 0x20 && cp !== 0x09 && cp !== 0x0a) ||
    (cp >= 0x7f && cp <= 0x9f) ||
    cp === 0x2028 ||
    cp === 0x2029 ||
    (cp >= 0x202a && cp <= 0x202e) ||
    (cp >= 0x2066 && cp <= 0x2069) ||
    (cp >= 0xd800 && cp <= 0xdfff) ||
    cp === 0xfffe ||
    cp === 0xffff
  );
}

/**
 * Replaces control characters (but tab and newline), C1 controls, bidi overrides, line/paragraph
 * separators, lone surrogates and U+FFFE/U+FFFF with `\uXXXX` text, so every format can hold the
 * text and a reader sees what is there. Astral characters stay as they are. Never throws.
 */
export function visible(s: string): string {
  let out = '';
  let clean = 0;
  let i = 0;
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    if (unholdable(cp)) {
      out += s.slice(clean, i) + '\\u' + cp.toString(16).padStart(4, '0');
      clean = i + ch.length;
    }
    i += ch.length;
  }
  return clean === 0 ? s : out + s.slice(clean);
}

/** {@link visible}, and newlines and tabs as `\n` and `\t` too: for text that must stay on one line. Never throws. */
export function oneLine(s: string): string {
  return visible(s).replace(/\n/g, '\\n').replace(/\t/g, '\\t');
}

/**
 * Cuts `s` to at most `max` UTF-16 units (never inside a surrogate pair) and says how much was
 * left out: `… (1234 more characters)`. Returns `s` itself when short enough. Never throws.
 */
export function truncate(s: string, max: number): string {
  if (s.length <= max) return s;
  let cut = Math.max(0, max);
  const last = s.charCodeAt(cut - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut -= 1;
  return `${s.slice(0, cut)}… (${s.length - cut} more characters)`;
}

/** The value of a `- wanted / + got` side: its JSON text, or `(unset)` when absent. Never throws. */
export function sideText(json: string | undefined): string {
  return json ?? '(unset)';
}

/** Escapes text for HTML content and quoted attributes (control characters made visible). Never throws. */
export function htmlEscape(s: string): string {
  return visible(s)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}
