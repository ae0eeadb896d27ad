/**
 * TAP 14: `ok` / `not ok` per result with a YAML diagnostic block for every result that is not
 * identical (with the shrunk case as `shrunk…` keys when there is one), known failures as
 * `not ok … # TODO reason`, one `not ok` per stale known-failures entry (with its kind), and the
 * plan at the end (so the same lines can be streamed while the run goes).
 */
import type { CaseResult, RunReport } from '../runner/result.js';
import { formatHexDiff } from './hexdump.js';
import { idlText, shrunkHeadline, valueDiffLines } from './details.js';
import type { Reporter, RunMeta } from './reporter.js';
import { metaOf } from './reporter.js';
import { headline, oneLine, truncate, visible, wireLabel } from './text.js';

/** The default file name in a report folder. */
export const TAP_FILE = 'report.tap';

/** Escapes a TAP description or directive text: one line, `\` and `#` escaped. Never throws. */
export function tapEscape(s: string): string {
  return oneLine(s).replace(/\\/g, '\\\\').replace(/#/g, '\\#');
}

/** A YAML scalar: a double-quoted string (JSON's escapes are YAML's) of the visible text. */
function yamlString(s: string): string {
  return JSON.stringify(visible(s));
}

/** `key: value` in the diagnostic block; multi-line text as a literal block. */
function yamlEntry(key: string, value: string | number): string {
  if (typeof value === 'number') return `  ${key}: ${value}\n`;
  const text = visible(value).replace(/\s+$/, '');
  const plain = !text.includes('\n') || /^\s/.test(text) || /^\s*(\.\.\.|---)\s*$/m.test(text);
  if (plain) return `  ${key}: ${yamlString(value)}\n`;
  const body = text
    .split('\n')
    .map((l) => (l === '' ? '' : `    ${l}`))
    .join('\n');
  return `  ${key}: |-\n${body}\n`;
}

/** The description of a result's test point: `peer property name [wire]`. */
function description(r: CaseResult): string {
  return tapEscape(`${r.peer} ${r.property} ${r.name} [${wireLabel(r)}]`);
}

/** The YAML diagnostic block of a result (empty for identical results). */
function diagnostics(r: CaseResult): string {
  if (r.verdict === 'identical') return '';
  let y = '  ---\n';
  y += yamlEntry('verdict', r.verdict);
  y += yamlEntry('peer', r.peer);
  y += yamlEntry('property', r.property);
  y += yamlEntry('wire', wireLabel(r));
  y += yamlEntry('summary', r.summary);
  if (r.knownReason !== undefined) y += yamlEntry('reason', r.knownReason);
  if (r.fingerprint !== undefined) y += yamlEntry('fingerprint', r.fingerprint);
  const values = valueDiffLines(r);
  if (values.length > 0) y += yamlEntry('values', values.join('\n'));
  const hex = formatHexDiff(r.wantedHex, r.gotHex, r.byteDiff);
  if (hex !== undefined) y += yamlEntry('bytes', hex);
  if (r.stderr !== undefined) y += yamlEntry('stderr', truncate(r.stderr, 4000));
  if (r.seed !== undefined) y += yamlEntry('seed', r.seed);
  if (r.path !== undefined) y += yamlEntry('path', r.path);
  if (r.bundle !== undefined) y += yamlEntry('bundle', r.bundle);
  if (r.replay !== undefined) y += yamlEntry('replay', r.replay);
  const s = r.shrunk;
  if (s !== undefined) {
    y += yamlEntry('shrunk', shrunkHeadline(s));
    y += yamlEntry('shrunkSteps', s.steps);
    y += yamlEntry('shrunkType', s.type);
    y += yamlEntry('shrunkFingerprint', s.fingerprint);
    const shrunkValues = valueDiffLines(s);
    if (shrunkValues.length > 0) y += yamlEntry('shrunkValues', shrunkValues.join('\n'));
    const shrunkHex = formatHexDiff(s.wantedHex, s.gotHex, s.byteDiff);
    if (shrunkHex !== undefined) y += yamlEntry('shrunkBytes', shrunkHex);
    const idl = idlText(s.idl);
    if (idl !== '') y += yamlEntry('shrunkIdl', idl);
    y += yamlEntry('shrunkValue', truncate(s.valueJson, 4000));
    y += yamlEntry('shrunkPath', s.path);
    if (s.bundle !== undefined) y += yamlEntry('shrunkBundle', s.bundle);
    if (s.replay !== undefined) y += yamlEntry('shrunkReplay', s.replay);
  }
  y += yamlEntry('durationMs', r.durationMs);
  return y + '  ...\n';
}

/** The test point of one result: its line and diagnostic block. `n` is its 1-based number. Never throws. */
export function tapPoint(r: CaseResult, n: number): string {
  const ok = r.verdict === 'identical' || r.verdict === 'allowed-variant';
  const todo =
    r.verdict === 'known-failure' ? ` # TODO ${tapEscape(r.knownReason ?? 'known failure')}` : '';
  return `${ok ? 'ok' : 'not ok'} ${n} - ${description(r)}${todo}\n${diagnostics(r)}`;
}

/**
 * Streams TAP 14 to `write` as the run goes: the version line at onStart, a test point per
 * result, then stale known-failures entries, the plan and a closing summary comment at onEnd.
 */
export class TapReporter implements Reporter {
  private readonly write: (chunk: string) => void;
  private count = 0;

  /** `write` receives each chunk of TAP text in order (e.g. a stream's write). */
  constructor(write: (chunk: string) => void) {
    this.write = write;
  }

  /** Writes `TAP version 14` and a comment with the tool, seed and command. Never throws. */
  onStart(meta: RunMeta): void {
    this.count = 0;
    this.write(
      `TAP version 14\n# ${tapEscape(`${meta.tool.name} ${meta.tool.version}, seed ${meta.seed}: ${meta.command}`)}\n`,
    );
  }

  /** Writes the result's test point. Never throws. */
  onResult(result: CaseResult): void {
    this.count += 1;
    this.write(tapPoint(result, this.count));
  }

  /** Writes a `not ok` per stale known-failures entry, the plan and the headline as a comment. Never throws. */
  onEnd(report: RunReport): void {
    for (const s of report.staleKnownFailures) {
      this.count += 1;
      this.write(
        `not ok ${this.count} - ${tapEscape(`stale known failure: ${s.peer} ${s.entry}`)}\n  ---\n` +
          yamlEntry('peer', s.peer) +
          yamlEntry('entry', s.entry) +
          yamlEntry('kind', s.kind) +
          yamlEntry('why', s.why) +
          '  ...\n',
      );
    }
    this.write(`1..${this.count}\n# ${tapEscape(headline(report))}\n`);
  }
}

/** The whole report as TAP 14 text (the same lines TapReporter streams). Never throws. */
export function formatTap(report: RunReport): string {
  let out = '';
  const tap = new TapReporter((chunk) => {
    out += chunk;
  });
  tap.onStart(metaOf(report));
  for (const r of report.results) tap.onResult(r);
  tap.onEnd(report);
  return out;
}
