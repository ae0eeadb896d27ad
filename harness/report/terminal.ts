/**
 * The summary printed at the end of a run (or a merge): plain ASCII text of at most ~40 lines
 * whatever the size of the run. The headline and schemas/time, one line per peer (cases, cases/s,
 * not given, restarts, not run, death), each cause once (worst first: verdict, count, peers,
 * properties, key, and the replay command of its smallest shrunk case, or of an example), then
 * stale known-failures entries, known-flaky entries that matched nothing, entries of an older
 * release that do not apply, harness errors, and the status line. Lists that do not fit say how
 * many were left out and where they are (report.html).
 */
import type { RunReport } from '../runner/result.js';
import type { Cause } from './causes.js';
import { causesOf } from './json.js';
import { headline, isFailure, oneLine } from './text.js';

/** Options of {@link formatTerminalSummary}. */
export interface TerminalOptions {
  /** At most this many lines in all (default 40; at least 12 are used). */
  readonly maxLines?: number;
  /** Each line cut to this many characters (default 200). */
  readonly width?: number;
  /** Where the full report is, named when something was left out (default `report.html`). */
  readonly fullReport?: string;
}

/** One line of ASCII: data made visible, anything beyond ASCII as `\uXXXX`. */
function ascii(s: string): string {
  return oneLine(s).replace(
    /[^\x20-\x7e]/gu,
    (ch) =>
      '\\u' +
      (ch.length > 1
        ? `{${(ch.codePointAt(0) ?? 0).toString(16)}}`
        : ch.charCodeAt(0).toString(16).padStart(4, '0')),
  );
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The first few of a list, joined, with how many more. */
function some(items: readonly string[], n = 3): string {
  const shown = items.slice(0, n).join(', ');
  return items.length > n ? `${shown} and ${items.length - n} more` : shown;
}

/** The line of a cause and, when known, the line of the command that replays it. */
function causeLines(c: Cause): string[] {
  const where = `${some(c.peers)}; ${some(c.properties, 2)}`;
  const lines = [`  ${c.verdict} x${c.count}: ${c.key} [${where}]`];
  const replay = c.shrunk?.replay ?? c.examples.find((r) => r.replay !== undefined)?.replay;
  if (c.shrunk !== undefined && replay !== undefined)
    lines.push(`    shrunk (${plural(c.shrunk.steps, 'step')}): ${replay}`);
  else if (replay !== undefined) lines.push(`    replay: ${replay}`);
  return lines;
}

/**
 * The end-of-run summary of a report as text (see the module comment), lines joined with `\n`
 * and a newline at the end. Defaults: at most 40 lines of at most 200 characters; the full
 * report named `report.html`. Never throws.
 */
export function formatTerminalSummary(report: RunReport, options: TerminalOptions = {}): string {
  const maxLines = Math.max(12, options.maxLines ?? 40);
  const width = Math.max(40, options.width ?? 200);
  const full = options.fullReport ?? 'report.html';
  const { causes } = causesOf(report);

  const head: string[] = [headline(report)];
  const secs = (report.durationMs / 1000).toFixed(1);
  head.push(
    `${report.schemas !== undefined ? `${plural(report.schemas, 'schema')} in ` : ''}${secs} s${report.stoppedEarly !== undefined ? `; stopped early: ${report.stoppedEarly}` : ''}`,
  );
  const peers: string[] = report.peers.map((p) => {
    const notGiven = Object.values(p.notGiven ?? {}).reduce((a, k) => a + k, 0);
    const parts = [
      `${p.cases} cases`,
      `${p.casesPerSecond.toFixed(0)}/s`,
      ...(notGiven > 0 ? [`${notGiven} not given`] : []),
      ...(p.restarts ? [`restarted ${p.restarts}x`] : []),
      ...(p.hangStops ? [`stopped ${p.hangStops}x for reads over their bounds`] : []),
      ...(p.notRun ? [`${p.notRun} NOT RUN`] : []),
      ...(p.died !== undefined ? [`died: ${p.died}`] : []),
    ];
    return `  ${p.name} ${p.version}: ${parts.join(', ')}`;
  });

  if (peers.length > 12)
    peers.splice(11, peers.length, `  ... ${peers.length - 11} more peers in ${full}`);
  const tail: string[] = [];
  const listed = (title: string, items: readonly string[], n = 3) => {
    if (items.length === 0) return;
    tail.push(`${title} (${items.length}):`);
    for (const i of items.slice(0, n)) tail.push(`  ${i}`);
    if (items.length > n) tail.push(`  ... ${items.length - n} more in ${full}`);
  };
  listed(
    'stale known failures (each fails the run)',
    report.staleKnownFailures.map((s) => `${s.peer} ${s.kind}: ${s.entry}: ${s.why}`),
  );
  listed(
    'known-flaky entries that matched nothing',
    (report.knownFlaky ?? [])
      .filter((k) => k.matched === 0)
      .map((k) => `${k.peer}: ${k.entry} (${k.source})`),
  );
  listed(
    'entries fixed in an older release',
    (report.knownFailures ?? [])
      .filter((k) => k.applies === false)
      .map(
        (k) =>
          `${k.peer} is not affected by ${k.source} (fixed in ${k.fixedIn ?? '?'})${k.matched > 0 ? `, but ${plural(k.matched, 'failure')} it names: a regression` : ''}`,
      ),
  );
  listed('harness errors', report.harnessErrors ?? []);
  const notRun = report.results.filter((r) => r.verdict === 'not-run').length;
  tail.push(
    report.exitCode === 0
      ? 'conformant'
      : report.exitCode === 1
        ? 'NOT conformant'
        : `incomplete: the harness could not finish the run${notRun > 0 ? ` (${plural(notRun, 'case')} not run)` : ''}; the reports hold what it found`,
  );

  // Causes get the room left: failing ones first with their replay line, then the others.
  let room = maxLines - head.length - peers.length - tail.length - 1;
  const body: string[] = [];
  if (causes.length > 0) {
    body.push(`causes (${causes.length}, worst first):`);
    room -= 1;
    let shown = 0;
    for (const c of causes) {
      const lines =
        isFailure(c.verdict) || c.verdict === 'not-run' ? causeLines(c) : causeLines(c).slice(0, 1);
      const left = causes.length - shown - 1;
      if (lines.length > room - (left > 0 ? 1 : 0)) break;
      body.push(...lines);
      room -= lines.length;
      shown += 1;
    }
    if (shown < causes.length) {
      const rest = causes.slice(shown);
      const results = rest.reduce((n, c) => n + c.count, 0);
      body.push(
        `  ... ${plural(rest.length, 'more cause')} (${plural(results, 'result')}) in ${full}`,
      );
    }
  }
  const lines = [...head, ...(peers.length > 0 ? ['peers:', ...peers] : []), ...body, ...tail];
  return (
    lines
      .map((l) => {
        const a = ascii(l);
        return a.length > width ? `${a.slice(0, width - 3)}...` : a;
      })
      .join('\n') + '\n'
  );
}
