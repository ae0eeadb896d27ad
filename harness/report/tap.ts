/**
 * TAP 14, grouped like junit.xml (stable names across seeds): one test point per peer, property
 * and wire setting for its passing results (`ok … - some-peer peer-roundtrip [binary] passes`,
 * the count in its diagnostics), and one per cause of its other results (`not ok … - some-peer
 * peer-roundtrip [binary] mismatch meaning:*[]:missing`), with a YAML block: verdict, count, the
 * first case's details, the shrunk case when there is one (`shrunk…` keys) and every case name.
 * Known failures and known-flaky ones are `not ok … # TODO reason`; one `not ok` per stale
 * known-failures entry (with its kind); the plan at the end.
 */
import type { CaseResult, RunReport } from '../runner/result.js';
import type { TestGroup } from './causes.js';
import { testGroups, testName } from './causes.js';
import { formatHexDiff } from './hexdump.js';
import { idlText, shrunkHeadline, valueDiffLines } from './details.js';
import { causesOf } from './json.js';
import type { Reporter, RunMeta } from './reporter.js';
import { metaOf } from './reporter.js';
import { headline, oneLine, peerNames, tally, truncate, visible } from './text.js';

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

/** Options of {@link formatTap}. */
export interface TapOptions {
  /** At most this many case names in a test point's diagnostics (default 50). */
  readonly maxNames?: number;
}

/** The YAML diagnostic block of a test group. */
function diagnostics(g: TestGroup, maxNames: number): string {
  const n = g.results.length;
  let y = '  ---\n';
  if (g.cause === undefined) {
    const t = tally(g.results);
    y += yamlEntry('cases', n);
    y += yamlEntry('identical', t.identical);
    y += yamlEntry('allowedVariant', t['allowed-variant']);
    return y + '  ...\n';
  }
  const c = g.cause;
  const r = g.results[0] as CaseResult;
  y += yamlEntry('verdict', c.verdict);
  y += yamlEntry('cases', n);
  y += yamlEntry('peer', g.peer);
  y += yamlEntry('property', g.property);
  y += yamlEntry('wire', g.wire);
  y += yamlEntry('cause', c.key);
  y += yamlEntry('summary', r.summary);
  if (c.knownReason !== undefined) y += yamlEntry('reason', c.knownReason);
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
  const s = g.results.find((x) => x.shrunk)?.shrunk ?? c.shrunk;
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
  const names = g.results.slice(0, maxNames).map((x) => oneLine(x.name));
  if (n > maxNames) names.push(`… ${n - maxNames} more (report.json has them all)`);
  y += yamlEntry('names', names.join('\n'));
  y += yamlEntry('durationMs', Math.round(g.results.reduce((ms, x) => ms + x.durationMs, 0)));
  return y + '  ...\n';
}

/**
 * The test point of one test group: its line and diagnostic block. `n` is its 1-based number.
 * Never throws.
 */
export function tapPoint(g: TestGroup, n: number, maxNames = 50): string {
  const v = g.cause?.verdict;
  const ok = v === undefined;
  const todo =
    v === 'known-failure' || v === 'known-flaky'
      ? ` # TODO ${tapEscape(g.cause?.knownReason ?? v.replace('-', ' '))}`
      : '';
  const description = tapEscape(`${g.peer} ${testName(g)}`);
  return `${ok ? 'ok' : 'not ok'} ${n} - ${description}${todo}\n${diagnostics(g, maxNames)}`;
}

/**
 * Writes TAP 14 to `write`: the version line at onStart; at onEnd (the grouping needs the whole
 * run) a test point per test group, then stale known-failures entries, the plan and the headline
 * as a closing comment. Results passed to onResult are not used (onEnd's report has them all).
 */
export class TapReporter implements Reporter {
  private readonly write: (chunk: string) => void;
  private readonly maxNames: number;

  /** `write` receives each chunk of TAP text in order (e.g. a stream's write); default 50 names per point. */
  constructor(write: (chunk: string) => void, options: TapOptions = {}) {
    this.write = write;
    this.maxNames = options.maxNames ?? 50;
  }

  /** Writes `TAP version 14` and a comment with the tool, seed and command. Never throws. */
  onStart(meta: RunMeta): void {
    this.write(
      `TAP version 14\n# ${tapEscape(`${meta.tool.name} ${meta.tool.version}, seed ${meta.seed}: ${meta.command}`)}\n`,
    );
  }

  /** Nothing: the points are written at onEnd. Never throws. */
  onResult(_result: CaseResult): void {}

  /** Writes every test point, a `not ok` per stale known-failures entry, the plan and the headline. Never throws. */
  onEnd(report: RunReport): void {
    let count = 0;
    const groups = testGroups(report.results, causesOf(report).causes, peerNames(report));
    for (const g of groups) this.write(tapPoint(g, ++count, this.maxNames));
    for (const s of report.staleKnownFailures) {
      count += 1;
      this.write(
        `not ok ${count} - ${tapEscape(`stale known failure: ${s.peer} ${s.entry}`)}\n  ---\n` +
          yamlEntry('peer', s.peer) +
          yamlEntry('entry', s.entry) +
          yamlEntry('kind', s.kind) +
          yamlEntry('why', s.why) +
          '  ...\n',
      );
    }
    this.write(`1..${count}\n# ${tapEscape(headline(report))}\n`);
  }
}

/** The whole report as TAP 14 text (what TapReporter writes). Default 50 names per point. Never throws. */
export function formatTap(report: RunReport, options: TapOptions = {}): string {
  let out = '';
  const tap = new TapReporter((chunk) => {
    out += chunk;
  }, options);
  tap.onStart(metaOf(report));
  tap.onEnd(report);
  return out;
}
