/**
 * junit.xml: what CI systems display, with test names that stay the same across seeds (so a CI
 * system can track a test over time). One <testsuite> per peer; in it one <testcase> per property
 * and wire setting for its passing results (`peer-roundtrip [binary] passes`, the count in
 * <system-out>), and one per cause of its other results (`peer-roundtrip [binary] mismatch
 * meaning:*[]:missing`, or `… known-failure cases/known-failures/some-peer.txt:12`; see
 * causes.ts): <failure> for mismatches and peer errors (the first case's details and the shrunk
 * case as text), <skipped> with the reason for known failures and known-flaky ones, <error> for
 * cases not run, and every case's name in <system-out>. One failing testcase per stale
 * known-failures entry (with its kind). Never a generated name or a case index in a test name.
 * Every text is XML-escaped, and characters XML 1.0 cannot hold at all (control characters, lone
 * surrogates) are written as visible `\uXXXX` text.
 */
import type { CaseResult, RunReport } from '../runner/result.js';
import type { TestGroup } from './causes.js';
import { testGroups, testName } from './causes.js';
import { detailsText } from './details.js';
import { causesOf } from './json.js';
import { oneLine, peerNames, tally, truncate, visible } from './text.js';

/** The default file name in a report folder. */
export const JUNIT_FILE = 'junit.xml';

/** Escapes text for XML element content or a double-quoted attribute. Never throws. */
export function xmlEscape(s: string, attribute = false): string {
  const out = visible(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  if (!attribute) return out;
  return out
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\n/g, '&#10;')
    .replace(/\t/g, '&#9;');
}

function attrs(pairs: Record<string, string | number | undefined>): string {
  return Object.entries(pairs)
    .filter((e): e is [string, string | number] => e[1] !== undefined)
    .map(([k, v]) => ` ${k}="${xmlEscape(String(v), true)}"`)
    .join('');
}

const seconds = (ms: number) => (ms / 1000).toFixed(3);

/** Options of {@link formatJunit}. */
export interface JunitOptions {
  /** At most this many case names in a testcase's <system-out> (default 50). */
  readonly maxNames?: number;
}

/** The case names of a group, one a line, at most `max`, then how many more. */
function namesText(results: readonly CaseResult[], max: number): string {
  const names = results.slice(0, max).map((r) => oneLine(r.name));
  if (results.length > max) names.push(`… ${results.length - max} more (report.json has them all)`);
  return names.join('\n');
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function testcase(g: TestGroup, maxNames: number): string {
  const time = seconds(g.results.reduce((ms, r) => ms + r.durationMs, 0));
  const head = `    <testcase${attrs({ name: testName(g), classname: `${g.peer}.${g.property}`, time })}`;
  const body: string[] = [];
  const n = g.results.length;
  const c = g.cause;
  if (c === undefined) {
    const t = tally(g.results);
    const variants = new Map<string, number>();
    for (const r of g.results)
      if (r.verdict === 'allowed-variant')
        variants.set(r.fingerprint ?? '?', (variants.get(r.fingerprint ?? '?') ?? 0) + 1);
    const lines = [
      `${plural(n, 'case')} pass: ${t.identical} identical, ${t['allowed-variant']} allowed variant${t['allowed-variant'] === 1 ? '' : 's'}`,
      ...[...variants].map(([k, v]) => `  ${v} ${k}`),
    ];
    body.push(`      <system-out>${xmlEscape(lines.join('\n'))}</system-out>`);
  } else {
    const first = g.results[0] as CaseResult;
    const message = truncate(`${plural(n, 'case')}: ${oneLine(first.summary)}`, 1000);
    const shrunk = c.shrunk && !g.results.some((r) => r.shrunk) ? c.shrunk : undefined;
    const details =
      detailsText(shrunk ? { ...first, shrunk } : first) +
      `\n\nfirst of ${plural(n, 'case')}; every case:\n${namesText(g.results, maxNames)}`;
    if (c.verdict === 'mismatch' || c.verdict === 'peer-error')
      body.push(
        `      <failure${attrs({ message, type: c.verdict })}>${xmlEscape(details)}</failure>`,
      );
    else if (c.verdict === 'not-run')
      body.push(`      <error${attrs({ message, type: 'not-run' })}>${xmlEscape(details)}</error>`);
    else {
      const what = c.verdict === 'known-flaky' ? 'known flaky' : 'known failure';
      const reason = c.knownReason ?? 'no reason given';
      body.push(`      <skipped${attrs({ message: `${what}: ${oneLine(reason)}` })}/>`);
      body.push(`      <system-out>${xmlEscape(details)}</system-out>`);
    }
    const stderr = g.results.find((r) => r.stderr !== undefined)?.stderr;
    if (stderr !== undefined) body.push(`      <system-err>${xmlEscape(stderr)}</system-err>`);
  }
  return `${head}>\n${body.join('\n')}\n    </testcase>`;
}

function property(name: string, value: string | number | undefined): string {
  return value === undefined ? '' : `      <property${attrs({ name, value })}/>\n`;
}

/** The counts of a list of test groups: tests, failures, errors (not run), skipped. */
function counts(groups: readonly TestGroup[]) {
  const is = (g: TestGroup, ...v: string[]) => g.cause !== undefined && v.includes(g.cause.verdict);
  return {
    tests: groups.length,
    failures: groups.filter((g) => is(g, 'mismatch', 'peer-error')).length,
    errors: groups.filter((g) => is(g, 'not-run')).length,
    skipped: groups.filter((g) => is(g, 'known-failure', 'known-flaky')).length,
  };
}

/**
 * The report as JUnit XML (the common Jenkins/GitLab/GitHub dialect): testsuites → a testsuite per
 * peer with properties (seed, command, peer version and backend) → a testcase per property, wire
 * setting and cause (see the module comment). Known failures and known-flaky ones count as
 * skipped; mismatches, peer errors and stale known-failures entries as failures; cases not run
 * as errors. Default: at most 50 case names per testcase. Never throws.
 */
export function formatJunit(report: RunReport, options: JunitOptions = {}): string {
  const maxNames = options.maxNames ?? 50;
  const groups = testGroups(report.results, causesOf(report).causes, peerNames(report));
  const stale = report.staleKnownFailures.length;
  const all = counts(groups);
  const timestamp = report.startedAt.replace(/(\.\d+)?Z$/, '');
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  out.push(
    `<testsuites${attrs({
      name: `${report.tool.name} ${report.tool.version}`,
      tests: all.tests + stale,
      failures: all.failures + stale,
      errors: all.errors,
      skipped: all.skipped,
      time: seconds(report.durationMs),
      timestamp,
    })}>`,
  );
  for (const peer of peerNames(report)) {
    const here = groups.filter((g) => g.peer === peer);
    const staleHere = report.staleKnownFailures.filter((s) => s.peer === peer);
    const pc = counts(here);
    const info = report.peers.find((p) => p.name === peer);
    const ms = here.reduce((n, g) => n + g.results.reduce((m, r) => m + r.durationMs, 0), 0);
    out.push(
      `  <testsuite${attrs({
        name: peer,
        tests: pc.tests + staleHere.length,
        failures: pc.failures + staleHere.length,
        errors: pc.errors,
        skipped: pc.skipped,
        time: seconds(ms),
        timestamp,
      })}>`,
    );
    out.push(
      '    <properties>\n' +
        property('seed', report.seed) +
        property('command', report.command) +
        property('tool.version', report.tool.version) +
        property('peer.version', info?.version) +
        property('peer.backend', info?.backend) +
        property('shard', report.shard && `${report.shard.index}/${report.shard.count}`) +
        '    </properties>',
    );
    for (const g of here) out.push(testcase(g, maxNames));
    for (const s of staleHere) {
      const message = `stale known failure (${s.kind}): ${oneLine(s.why)}`;
      out.push(
        `    <testcase${attrs({ name: `known-failures: ${s.entry}`, classname: `${peer}.known-failures`, time: '0.000' })}>\n` +
          `      <failure${attrs({ message, type: 'stale-known-failure' })}>${xmlEscape(
            `${s.entry}\n${s.kind}: ${s.why}\nRemove or fix this entry in cases/known-failures/${peer}.txt.`,
          )}</failure>\n    </testcase>`,
      );
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return out.join('\n') + '\n';
}
