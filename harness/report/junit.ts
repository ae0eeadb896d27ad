/**
 * junit.xml: what CI systems display. One <testsuite> per peer, one <testcase> per result
 * (classname `peer.property`), <failure> with the summary and the diff as text for mismatches and
 * peer errors (and the shrunk case, when there is one), <skipped> with the reason for known
 * failures, and one failing testcase per stale known-failures entry (with its kind). Every text is XML-escaped, and characters XML 1.0 cannot hold at all
 * (control characters, lone surrogates) are written as visible `\uXXXX` text.
 */
import type { CaseResult, RunReport } from '../runner/result.js';
import { detailsText } from './details.js';
import { oneLine, peerNames, tally, truncate, visible, wireLabel } from './text.js';

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

/** The testcase name of a result: the case name and its wire settings, `name [binary framed strict]`. Never throws. */
export function testcaseName(r: CaseResult): string {
  return `${r.name} [${wireLabel(r)}]`;
}

function testcase(r: CaseResult): string {
  const head = `    <testcase${attrs({
    name: testcaseName(r),
    classname: `${r.peer}.${r.property}`,
    time: seconds(r.durationMs),
  })}`;
  const body: string[] = [];
  if (r.verdict === 'mismatch' || r.verdict === 'peer-error') {
    const message = truncate(oneLine(r.summary), 1000);
    body.push(
      `      <failure${attrs({ message, type: r.verdict })}>${xmlEscape(detailsText(r))}</failure>`,
    );
  } else if (r.verdict === 'known-failure') {
    const reason = r.knownReason ?? 'no reason given';
    body.push(`      <skipped${attrs({ message: `known failure: ${oneLine(reason)}` })}/>`);
    body.push(`      <system-out>${xmlEscape(detailsText(r))}</system-out>`);
  } else if (r.verdict === 'allowed-variant') {
    body.push(`      <system-out>${xmlEscape(detailsText(r))}</system-out>`);
  }
  if (r.stderr !== undefined) body.push(`      <system-err>${xmlEscape(r.stderr)}</system-err>`);
  return body.length === 0 ? `${head}/>` : `${head}>\n${body.join('\n')}\n    </testcase>`;
}

function property(name: string, value: string | number | undefined): string {
  return value === undefined ? '' : `      <property${attrs({ name, value })}/>\n`;
}

/**
 * The report as JUnit XML (the common Jenkins/GitLab/GitHub dialect): testsuites → a testsuite per
 * peer with properties (seed, command, peer version and backend) → testcases. Known failures count
 * as skipped; mismatches, peer errors and stale known-failures entries as failures. Never throws.
 */
export function formatJunit(report: RunReport): string {
  const t = tally(report.results);
  const stale = report.staleKnownFailures.length;
  const failures = t.mismatch + t['peer-error'] + stale;
  const timestamp = report.startedAt.replace(/(\.\d+)?Z$/, '');
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  out.push(
    `<testsuites${attrs({
      name: `${report.tool.name} ${report.tool.version}`,
      tests: report.results.length + stale,
      failures,
      errors: 0,
      skipped: t['known-failure'],
      time: seconds(report.durationMs),
      timestamp,
    })}>`,
  );
  for (const peer of peerNames(report)) {
    const results = report.results.filter((r) => r.peer === peer);
    const staleHere = report.staleKnownFailures.filter((s) => s.peer === peer);
    const pt = tally(results);
    const info = report.peers.find((p) => p.name === peer);
    out.push(
      `  <testsuite${attrs({
        name: peer,
        tests: results.length + staleHere.length,
        failures: pt.mismatch + pt['peer-error'] + staleHere.length,
        errors: 0,
        skipped: pt['known-failure'],
        time: seconds(results.reduce((ms, r) => ms + r.durationMs, 0)),
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
    for (const r of results) out.push(testcase(r));
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
