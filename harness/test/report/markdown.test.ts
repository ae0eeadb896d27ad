// summary.md: the verdict line, the peers × verdicts table, stale entries, the failing causes with
// their first case's diff, hex and replay command in code blocks and their shrunk case, a table of
// every cause, data only inside code, and the size budget.
import t from 'tap';
import type { CaseResult, RunReport } from '../../runner/result.js';
import { formatMarkdown, mdBlock, mdCode } from '../../report/markdown.js';
import { REPORT, SHRUNK, hasRawControl } from './fixture.js';

const md = formatMarkdown(REPORT);

/** The text outside fenced code blocks and code spans. */
function prose(text: string): string {
  return text
    .replace(/^(`{3,})[^\n]*\n[\s\S]*?\n\1$/gm, '')
    .replace(/(`+)(?!`)[\s\S]*?(?<!`)\1(?!`)/g, '');
}

void t.test('verdict line and the peers table', (t) => {
  const lines = md.split('\n');
  t.equal(
    lines[0],
    '## ❌ thrift-conform: NOT conformant: 8 cases, 2 mismatches, 1 peer error, 1 stale known failure, 1 known failure, 1 allowed variant (seed 1234)',
  );
  t.ok(
    lines.includes(
      '| peer | version | ✅ identical | ☑️ allowed-variant | 🎲 known-flaky | 📝 known-failure | ⏸️ not-run | 💥 peer-error | ❌ mismatch |',
    ),
  );
  t.ok(lines.includes('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |'));
  t.ok(lines.includes('| `thriftrw-py` | `1.9.0` | 2 | 1 | 0 | 0 | 0 | 0 | 1 |'));
  t.ok(lines.includes('| `apache-py` | `0.17.0` | 1 | 0 | 0 | 1 | 0 | 1 | 1 |'));
  t.ok(lines.includes('| **all** | | **3** | **1** | **0** | **1** | **0** | **1** | **2** |'));
  t.ok(
    lines.includes(
      '- `apache-py` was not given 15 cases (the schema needs what it cannot do): 12 `no uuid (the uuid type)`; 3 `names it cannot take: <reserved> & co`',
    ),
    'cases a peer was not given, with why',
  );
  t.match(
    md,
    /\*\*Stale known failures\*\*[^\n]*\n\n- `thriftrw-py` `binary\/peer:thriftrw-py\/map-order set-order`: `matched nothing in this run <& "stale">`/,
  );
  t.end();
});

void t.test('failing causes with diff, hex and replay blocks; a table of every cause', (t) => {
  const headings = md.split('\n').filter((l) => l.startsWith('#### '));
  t.same(headings, [
    '#### 1. ❌ mismatch ×1 · `field:Item.count:value`',
    '#### 2. ❌ mismatch ×1 · `field:Note.note:missing`',
    '#### 3. 💥 peer-error ×1 · `peer-error`',
  ]);
  t.match(
    md,
    /\npeers `thriftrw-py` · properties `peer-roundtrip` · wire `binary framed strict`\n/,
  );
  t.match(md, /\n### Failures by cause \(3\)\n/);
  t.match(
    md,
    /\n### Causes \(4, worst first\)\n\n\| verdict \| cases \| cause \| peers \| properties \|\n/,
  );
  t.match(
    md,
    /\n\| 📝 known-failure \| 1 \| `cases\/known-failures\/apache-py\.txt:1` \| `apache-py` \| `peer-roundtrip` \|\n/,
  );
  const replays = [...md.matchAll(/^```sh\n(.*)\n```$/gm)].map((m) => m[1]);
  t.same(
    replays,
    [2, 7, 5]
      .map((i) => REPORT.results[i]!)
      .flatMap((r) => [r.replay, r.shrunk?.replay].filter((x) => x !== undefined)),
    'each failure its replay command, then its shrunk one',
  );
  t.match(md, /```diff\n- value\.count: 42\n\+ value\.count: 43\n/);
  t.match(md, /```text\noffset {2}wanted \(49 bytes\)[^\n]*\n0000 {4}0b 00 01/);
  t.notMatch(md, /i8-negative/, 'known failures are counted, not detailed');
  t.end();
});

void t.test('data never escapes its code span or block', (t) => {
  const outside = prose(md);
  t.notMatch(outside, /<script|<\/script|<b>|&"|@/, 'no markup from data outside code');
  t.notOk(hasRawControl(md), 'no raw control or bidi characters');
  t.equal(mdCode('a`b'), '``a`b``');
  t.equal(mdCode('`x`'), '`` `x` ``');
  t.equal(mdCode('l1\nl2'), '`l1\\nl2`');
  t.equal(mdBlock('x\n```\ny', 'sh'), '````sh\nx\n```\ny\n````');
  t.end();
});

void t.test('a passing run has no failures section', (t) => {
  const ok: RunReport = {
    ...REPORT,
    results: REPORT.results.filter((r) => r.verdict === 'identical'),
    staleKnownFailures: [],
    exitCode: 0,
  };
  const text = formatMarkdown(ok);
  t.match(text, /^## ✅ thrift-conform: conformant: 3 cases \(seed 1234\)\n/);
  t.notMatch(text, /Failures|Stale/);
  t.end();
});

void t.test('many big failures stay under the budget and say how many were left out', (t) => {
  const big = REPORT.results[2]!;
  const results: CaseResult[] = Array.from({ length: 400 }, (_, i) => ({
    ...big,
    name: `${big.name}-${i}`,
    fingerprint: `field:Item.count${i}:value`,
    summary: 'x'.repeat(5000),
    valueDiff: Array.from({ length: 50 }, (_, j) => ({
      path: `v.f${j}`,
      wanted: 'w'.repeat(400),
      got: 'g',
    })),
    replay: `replay ${i} ${'y'.repeat(3000)}`,
  }));
  const report: RunReport = { ...REPORT, results };
  for (const [maxBytes, maxFailures] of [
    [60_000, 1000],
    [60_000, 10],
    [8_000, 10],
  ] as const) {
    const text = formatMarkdown(report, { maxBytes, maxFailures });
    const size = Buffer.byteLength(text);
    t.ok(size <= maxBytes, `${size} <= ${maxBytes} bytes`);
    const shown = text.split('\n').filter((l) => l.startsWith('#### ')).length;
    t.ok(shown >= 1 && shown <= maxFailures, `${shown} causes shown`);
    t.match(
      text,
      new RegExp(`_${shown} of 400 failing causes shown; all of them are in \`report\\.html\``),
    );
  }
  t.end();
});

void t.test(
  'the shrunk case of a failure: headline, diff, hex, folded IDL and value, replay',
  (t) => {
    const first = md.slice(md.indexOf('#### 1. '), md.indexOf('#### 2. '));
    const at = first.indexOf('**Shrunk in 3 steps to:** `value.count: wanted 0, got 1 <i>&</i>`');
    t.ok(at > first.indexOf('```sh'), 'after the replay command of the failure');
    const shrunk = first.slice(at);
    t.match(shrunk, /```diff\n- value\.count: 0\n\+ value\.count: 1\n```/);
    t.match(
      shrunk,
      /```text\noffset {2}wanted \(8 bytes\)[^\n]*first difference at 0x6\n0000 {4}08 00 02 00 00 00 00 00/,
    );
    t.match(
      shrunk,
      /<details><summary>shrunk IDL and value \(type `Item`\)<\/summary>\n\n```thrift\n\/\/ shrunk\/item\.thrift\nnamespace py conform\n/,
    );
    t.match(shrunk, /```json\n\{"count":0,"note":"<\/script>"\}\n```\n\n<\/details>/);
    t.match(shrunk, /\nshrunk bundle: `bundles\/thriftrw-py\/struct-nested-shrunk`/);
    const one = formatMarkdown({
      ...REPORT,
      results: [{ ...REPORT.results[2]!, shrunk: { ...SHRUNK, steps: 1 } }],
    });
    t.match(one, /\*\*Shrunk in 1 step to:\*\*/);
    const { shrunk: _s, ...unshrunk } = REPORT.results[2]!;
    const none = formatMarkdown({
      ...REPORT,
      results: [unshrunk],
    });
    t.notMatch(none, /Shrunk|shrunk/, 'nothing when there is no shrunk case');
    t.end();
  },
);

void t.test('stale entries show their kind; a table of known failures', (t) => {
  t.match(md, /: `matched nothing in this run <& "stale">` \(unmatched\)\n/);
  const lines = md.split('\n');
  const head = lines.indexOf('| peer | entry | reason | matched | passing |');
  t.ok(head > 0, 'the known failures table');
  t.same(lines.slice(head + 1, head + 4), [
    '| --- | --- | --- | ---: | ---: |',
    '| `thriftrw-py` | `binary/peer:thriftrw-py/map-order set-order` | `thriftrw-py sorts sets <b>maybe</b>` | 0 | 0 |',
    '| `apache-py` | `field:Bytes.b:value` | `apache-py reads i8 as unsigned <b>byte</b> & "sign" bug THRIFT-0000` | 1 | 0 |',
  ]);
  const nowPassing = formatMarkdown({
    ...REPORT,
    staleKnownFailures: [
      { peer: 'apache-py', entry: 'x|y', kind: 'now-passing', why: '2 cases it names passed' },
    ],
  });
  t.match(nowPassing, /- `apache-py` `x\|y`: `2 cases it names passed` \(now-passing\)/);
  // A report without knownFailures (older or recovered): rows from the known-failure results.
  const { knownFailures: _k, ...old } = REPORT;
  const fallback = formatMarkdown(old);
  t.match(
    fallback,
    /\n\| `apache-py` \| `field:Bytes\.b:value` \| `apache-py reads i8 [^`]*` \| 1 \| \? \|\n/,
  );
  t.notMatch(fallback, /thriftrw-py sorts sets/);
  const bare = formatMarkdown({
    ...old,
    results: REPORT.results.filter((r) => r.verdict !== 'known-failure'),
  });
  t.notMatch(bare, /Known failures/, 'no table when there is nothing to show');
  t.end();
});
