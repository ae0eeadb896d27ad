// The end-of-run summary: the headline, the peers, each cause once with its count, peers and the
// replay command of its shrunk case, stale entries, harness errors and the status — plain ASCII
// and at most ~40 lines however big the run.
import t from 'tap';
import { formatTerminalSummary } from '../../report/terminal.js';
import type { CaseResult, RunReport } from '../../runner/result.js';
import { REPORT } from './fixture.js';

void t.test('the fixture: every part once, in ASCII', (t) => {
  const text = formatTerminalSummary({ ...REPORT, schemas: 3 });
  const lines = text.split('\n');
  t.equal(lines[lines.length - 1], '', 'ends with a newline');
  t.match(lines[0], /^NOT conformant: 8 cases, 2 mismatches, 1 peer error/);
  t.equal(lines[1], '3 schemas in 4.3 s');
  t.match(text, /\n {2}apache-py 0\.17\.0: 4 cases, 95\/s, 15 not given\n/);
  t.match(
    text,
    /\ncauses \(4, worst first\):\n {2}mismatch x1: field:Item\.count:value \[thriftrw-py; peer-roundtrip\]\n {4}shrunk \(3 steps\): npx tsx harness\/cli\.ts replay --seed 1234 --path '3:1:0:0:2'/,
  );
  t.match(
    text,
    /\n {2}known-failure x1: cases\/known-failures\/apache-py\.txt:1 \[apache-py; peer-roundtrip\]\n/,
  );
  t.match(
    text,
    /\nstale known failures \(each fails the run\) \(1\):\n {2}thriftrw-py unmatched: /,
  );
  t.match(lines[lines.length - 2], /^NOT conformant$/);
  t.notOk(/[^\x20-\x7e\n]/.test(text), 'plain ASCII');
  const odd = formatTerminalSummary({ ...REPORT, harnessErrors: ['bad \u202e 😀 é'] });
  t.match(
    odd,
    /harness errors \(1\):\n {2}bad \\u202e \\u\{1f600\} \\u00e9\n/,
    'the rest as escapes',
  );
  t.end();
});

void t.test('a huge run with many causes stays within 40 lines', (t) => {
  const results: CaseResult[] = [];
  for (let i = 0; i < 20_000; i++)
    results.push({
      name: `binary/peer:p${i % 30}/peer-roundtrip/s${i}/T#0`,
      peer: `p${i % 30}`,
      protocol: 'binary',
      property: 'peer-roundtrip',
      verdict: i % 3 === 0 ? 'mismatch' : i % 3 === 1 ? 'known-failure' : 'identical',
      summary: 'x',
      fingerprint: `meaning:T.f:kind${i % 200}`,
      ...(i % 3 === 1 ? { knownEntry: `k.txt:${i % 50}` } : {}),
      replay: `replay ${i}`,
      durationMs: 1,
    });
  const report: RunReport = {
    ...REPORT,
    results,
    peers: Array.from({ length: 30 }, (_, i) => ({
      name: `p${i}`,
      version: '1',
      backend: 'process' as const,
      startMs: 1,
      cases: 100,
      casesPerSecond: 10,
      ...(i === 3 ? { restarts: 2, notRun: 5, died: 'exit 137' } : {}),
    })),
    harnessErrors: ['one', 'two', 'three', 'four'],
    staleKnownFailures: Array.from({ length: 9 }, (_, i) => ({
      peer: 'p1',
      entry: `e${i}`,
      kind: 'unmatched' as const,
      why: 'w',
    })),
    exitCode: 2,
  };
  const lines = formatTerminalSummary(report).trimEnd().split('\n');
  t.ok(lines.length <= 40, `${lines.length} lines`);
  t.match(lines.join('\n'), /\.\.\. \d+ more causes \(\d+ results\) in report\.html/);
  t.match(lines.join('\n'), /\.\.\. 19 more peers in report\.html/);
  t.match(
    lines.join('\n'),
    /harness errors \(4\):\n {2}one\n {2}two\n {2}three\n {2}\.\.\. 1 more/,
  );
  t.match(lines[lines.length - 1], /^incomplete: /);
  t.ok(lines.every((l) => l.length <= 200));
  t.end();
});
