/**
 * summary.md: a pull-request comment. The verdict line, a table of peers × verdict counts, stale
 * known-failures entries (with their kind), a table of the known-failures entries and how they
 * fared, then the failures by cause (causes.ts), worst first: each failing cause (mismatches,
 * peer errors, cases not run) with its count, peers, properties and wire settings, the first
 * case's summary, `- wanted / + got` lines, a short hex diff, stderr tail and replay command in
 * code blocks, and its smallest shrunk case (headline, diff, hex, IDL and value folded in a
 * <details>, replay command and bundle); then a table of every cause (known ones too).
 * Kept under a byte budget (GitHub takes 65,536 characters a comment). Data only ever appears in
 * code spans and fenced code blocks, so no HTML, Markdown or @mention in it takes effect.
 */
import { matrixMarkdown } from './matrix.js';
import type { RunReport, ShrunkCase, Verdict } from '../runner/result.js';
import type { Cause } from './causes.js';
import { causesOf } from './json.js';
import { idlText, valueDiffLines } from './details.js';
import { formatHexDiff } from './hexdump.js';
import {
  VERDICTS,
  headline,
  isFailure,
  knownFailureRows,
  oneLine,
  peerNames,
  tally,
  truncate,
  visible,
} from './text.js';

/** The default file name in a report folder. */
export const MARKDOWN_FILE = 'summary.md';

/** Options of {@link formatMarkdown}. */
export interface MarkdownOptions {
  /** At most this many failing causes in detail (default 10). */
  readonly maxFailures?: number;
  /** At most this many rows in the table of causes (default 40). */
  readonly maxCauseRows?: number;
  /** At most this many UTF-8 bytes in all (default 60,000). */
  readonly maxBytes?: number;
  /** Where the full report is, said under the list when failures were left out (default `report.html`). */
  readonly fullReport?: string;
}

const ICON: Record<Verdict, string> = {
  identical: '✅',
  'allowed-variant': '☑️',
  'known-failure': '📝',
  'known-flaky': '🎲',
  'not-run': '⏸️',
  'peer-error': '💥',
  mismatch: '❌',
};

/** An inline code span holding `s` on one line, however many backticks it contains. Never throws. */
export function mdCode(s: string): string {
  const text = oneLine(s);
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((m) => m.length));
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') || text === '' ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** A fenced code block holding `s` (control characters made visible) with an info string. Never throws. */
export function mdBlock(s: string, info = ''): string {
  const text = visible(s).replace(/\s+$/, '');
  const longest = Math.max(0, ...(text.match(/^ {0,3}`+/gm) ?? []).map((m) => m.trim().length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${info}\n${text}\n${fence}`;
}

/** A table cell: a code span with `|` escaped (GFM splits cells on it even in code). */
function cell(s: string): string {
  return mdCode(s).replace(/\|/g, '\\|');
}

function peersTable(report: RunReport): string {
  const head = `| peer | version | ${VERDICTS.map((v) => `${ICON[v]} ${v}`).join(' | ')} |`;
  const rule = `| --- | --- | ${VERDICTS.map(() => '---:').join(' | ')} |`;
  const rows = peerNames(report).map((peer) => {
    const t = tally(report.results.filter((r) => r.peer === peer));
    const version = report.peers.find((p) => p.name === peer)?.version ?? '?';
    return `| ${cell(peer)} | ${cell(version)} | ${VERDICTS.map((v) => t[v]).join(' | ')} |`;
  });
  const all = tally(report.results);
  rows.push(`| **all** | | ${VERDICTS.map((v) => `**${all[v]}**`).join(' | ')} |`);
  const notGiven = notGivenLines(report);
  return [head, rule, ...rows, ...(notGiven.length ? ['', ...notGiven] : [])].join('\n');
}

/** One line per peer that was not given some cases: how many, and why. */
function notGivenLines(report: RunReport): string[] {
  return report.peers.flatMap((p) => {
    const why = Object.entries(p.notGiven ?? {});
    if (why.length === 0) return [];
    const n = why.reduce((a, [, k]) => a + k, 0);
    return [
      `- ${mdCode(p.name)} was not given ${n} case${n === 1 ? '' : 's'} (the schema needs what it cannot do): ${why.map(([w, k]) => `${k} ${cell(w)}`).join('; ')}`,
    ];
  });
}

function causeSection(c: Cause, n: number): string {
  const r = c.examples[0];
  const where = [c.peers, c.properties, c.wires].map((xs) => xs.map(mdCode).join(', '));
  const parts: string[] = [
    `#### ${n}. ${ICON[c.verdict]} ${c.verdict} ×${c.count} · ${mdCode(truncate(c.key, 300))}`,
    `peers ${where[0]} · properties ${where[1]} · wire ${where[2]}`,
  ];
  if (r !== undefined) {
    parts.push(`first case ${mdCode(truncate(r.name, 300))}: ${mdCode(truncate(r.summary, 500))}`);
    const values = valueDiffLines(r, { maxValueDiffs: 8, maxValueChars: 200 });
    if (values.length > 0) parts.push(mdBlock(values.join('\n'), 'diff'));
    const hex = formatHexDiff(r.wantedHex, r.gotHex, r.byteDiff, { rows: 4 });
    if (hex !== undefined) parts.push(mdBlock(hex, 'text'));
    if (r.stderr !== undefined) {
      const tail = r.stderr.replace(/\s+$/, '').split('\n').slice(-8).join('\n');
      parts.push(mdBlock(truncate(tail, 1200), 'text'));
    }
    if (r.replay !== undefined) parts.push(mdBlock(truncate(r.replay, 1000), 'sh'));
  }
  if (c.shrunk !== undefined) parts.push(shrunkSection(c.shrunk));
  return parts.join('\n\n');
}

/** The shrunk case of a cause: headline, diff and hex, IDL and value folded, replay and bundle. */
function shrunkSection(s: ShrunkCase): string {
  const steps = `${s.steps} ${s.steps === 1 ? 'step' : 'steps'}`;
  const parts: string[] = [`**Shrunk in ${steps} to:** ${mdCode(truncate(s.summary, 500))}`];
  const values = valueDiffLines(s, { maxValueDiffs: 8, maxValueChars: 200 });
  if (values.length > 0) parts.push(mdBlock(values.join('\n'), 'diff'));
  const hex = formatHexDiff(s.wantedHex, s.gotHex, s.byteDiff, { rows: 4 });
  if (hex !== undefined) parts.push(mdBlock(hex, 'text'));
  const folded: string[] = [];
  const idl = idlText(s.idl, 3000);
  if (idl !== '') folded.push(mdBlock(idl, 'thrift'));
  folded.push(mdBlock(truncate(s.valueJson, 2000), 'json'));
  parts.push(
    `<details><summary>shrunk IDL and value (type ${mdCode(s.type)})</summary>\n\n${folded.join('\n\n')}\n\n</details>`,
  );
  if (s.replay !== undefined) parts.push(mdBlock(truncate(s.replay, 1000), 'sh'));
  if (s.bundle !== undefined) parts.push(`shrunk bundle: ${mdCode(truncate(s.bundle, 300))}`);
  return parts.join('\n\n');
}

/** The "Known failures" table: entry, reason and counts per entry (at most `max` rows). */
function knownFailuresTable(report: RunReport, max = 30): string | undefined {
  const rows = knownFailureRows(report);
  if (rows.length === 0) return undefined;
  const lines = [
    `**Known failures** (entries of ${mdCode('cases/known-failures/<peer>.txt')}):`,
    '',
    '| peer | entry | reason | matched | passing |',
    '| --- | --- | --- | ---: | ---: |',
    ...rows
      .slice(0, max)
      .map(
        (k) =>
          `| ${cell(k.peer)} | ${cell(truncate(k.entry, 200))} | ${cell(truncate(k.reason, 300))} | ${k.matched} | ${k.passing ?? '?'} |`,
      ),
  ];
  if (rows.length > max) lines.push(`| … ${rows.length - max} more | | | | |`);
  return lines.join('\n');
}

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

/**
 * The report as a Markdown PR comment. Defaults: 10 failures in detail, at most 60,000 bytes
 * (failure sections that would not fit are left out and counted), full report `report.html`.
 * Never throws.
 */
export function formatMarkdown(report: RunReport, options: MarkdownOptions = {}): string {
  const maxFailures = options.maxFailures ?? 10;
  const maxBytes = options.maxBytes ?? 60_000;
  const full = options.fullReport ?? 'report.html';
  const icon = report.exitCode === 0 ? '✅' : report.exitCode === 1 ? '❌' : '⚠️';
  const seconds = (report.durationMs / 1000).toFixed(1);
  const shard = report.shard ? ` · shard ${report.shard.index}/${report.shard.count}` : '';
  const head: string[] = [
    `## ${icon} ${report.tool.name}: ${headline(report)}`,
    `${mdCode(truncate(report.command, 500))} · ${seconds} s · started ${report.startedAt} · ${report.tool.name} ${report.tool.version}${shard}`,
    peersTable(report),
  ];
  if (report.staleKnownFailures.length > 0) {
    const shown = report.staleKnownFailures.slice(0, 20);
    const lines = shown.map(
      (s) => `- ${mdCode(s.peer)} ${mdCode(s.entry)}: ${mdCode(s.why)} (${s.kind})`,
    );
    if (report.staleKnownFailures.length > shown.length)
      lines.push(`- … ${report.staleKnownFailures.length - shown.length} more`);
    head.push(
      `**Stale known failures** (each fails the run; remove or fix the entry):\n\n${lines.join('\n')}`,
    );
  }
  const known = knownFailuresTable(report);
  if (known !== undefined) head.push(known);
  const invalid = matrixMarkdown(report.invalidMatrix);
  if (invalid !== '') head.push(invalid.trim());
  const causes = causesOf(report).causes;
  let out = head.join('\n\n') + '\n';
  if (causes.length === 0) return out;
  const failing = causes.filter((c) => isFailure(c.verdict) || c.verdict === 'not-run');
  const footerRoom = 300;
  if (failing.length > 0) {
    out += `\n### Failures by cause (${failing.length})\n`;
    let shown = 0;
    for (const c of failing.slice(0, maxFailures)) {
      const section = `\n${causeSection(c, shown + 1)}\n`;
      if (bytes(out) + bytes(section) + footerRoom > maxBytes) break;
      out += section;
      shown += 1;
    }
    if (shown < failing.length)
      out += `\n_${shown} of ${failing.length} failing causes shown; all of them are in ${mdCode(full)} and \`report.json\`._\n`;
  }
  const room = maxBytes - bytes(out) - 10;
  if (room > 400) out += causesTable(causes, options.maxCauseRows ?? 40, room);
  return out;
}

/** The table of every cause: verdict, count, key, peers, properties (at most `max` rows and about `room` bytes). */
function causesTable(causes: readonly Cause[], max: number, room: number): string {
  const rows: string[] = [];
  let used = 200;
  for (const c of causes.slice(0, max)) {
    const row = `| ${ICON[c.verdict]} ${c.verdict} | ${c.count} | ${cell(truncate(c.key, 200))} | ${cell(truncate(c.peers.join(', '), 200))} | ${cell(truncate(c.properties.join(', '), 200))} |`;
    used += bytes(row) + 1;
    if (used > room) break;
    rows.push(row);
  }
  if (causes.length > rows.length) rows.push(`| … ${causes.length - rows.length} more | | | | |`);
  // (`used` starts at 200: the heading, header rows and this last row.)
  return [
    `\n### Causes (${causes.length}, worst first)\n`,
    '| verdict | cases | cause | peers | properties |',
    '| --- | ---: | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}
