// TAP 14: version line, one test point per peer, property, wire setting and cause (passing ones
// together, named like junit.xml's testcases), known failures as `# TODO`, a `not ok` per stale
// known-failures entry, the plan, and YAML diagnostic blocks that are well formed (every scalar
// a JSON-compatible double-quoted string or a number, blocks indented).
import t from 'tap';
import { TapReporter, formatTap, tapEscape } from '../../report/tap.js';
import { metaOf } from '../../report/reporter.js';
import { REPORT, hasRawControl } from './fixture.js';

const tap = formatTap(REPORT);
const lines = tap.split('\n');

void t.test('version, plan and one point per test group', (t) => {
  t.equal(lines[0], 'TAP version 14');
  t.match(lines[1], /^# thrift-conform 0\.1\.0, seed 1234: thrift-conform run/);
  const points = lines.filter((l) => /^(not )?ok /.test(l));
  t.equal(points.length, 9);
  t.same(
    points.map((l) => Number(/^(?:not )?ok (\d+) - /.exec(l)?.[1])),
    [1, 2, 3, 4, 5, 6, 7, 8, 9],
  );
  t.same(
    points.map((l) => l.startsWith('ok')),
    [true, true, false, true, true, false, false, false, false],
  );
  t.ok(lines.includes('1..9'));
  t.equal(lines[lines.length - 1], '', 'ends with a newline');
  t.match(lines[lines.length - 2], /^# NOT conformant: 8 cases, 2 mismatches/);
  t.end();
});

void t.test('directives and descriptions', (t) => {
  const known = lines.find((l) => l.startsWith('not ok 7 '));
  t.equal(
    known,
    'not ok 7 - apache-py peer-roundtrip [binary framed strict] known-failure cases/known-failures/apache-py.txt:1 # TODO apache-py reads i8 as unsigned <b>byte</b> & "sign" bug THRIFT-0000',
  );
  t.equal(
    lines.find((l) => l.startsWith('not ok 9 ')),
    'not ok 9 - stale known failure: thriftrw-py binary/peer:thriftrw-py/map-order set-order',
  );
  t.equal(tapEscape('a # b \\ c\nd'), 'a \\# b \\\\ c\\\\nd');
  t.equal(lines.filter((l) => / # TODO /.test(l)).length, 1, 'only the known failure is TODO');
  t.end();
});

void t.test('YAML diagnostic blocks are balanced and their scalars parse', (t) => {
  let open = -1;
  let blocks = 0;
  let inLiteral = false;
  for (const [i, l] of lines.entries()) {
    if (l === '  ---') {
      t.equal(open, -1, `no nested block at line ${i + 1}`);
      t.match(lines[i - 1], /^(not )?ok \d+ - /, 'a block follows its test point');
      open = i;
      continue;
    }
    if (l === '  ...') {
      t.not(open, -1);
      open = -1;
      blocks++;
      inLiteral = false;
      continue;
    }
    if (open === -1) continue;
    if (inLiteral && (l.startsWith('    ') || l === '')) continue;
    const m = /^ {2}([A-Za-z]+): (.*)$/.exec(l);
    if (!m) {
      t.fail(`not a YAML entry: ${JSON.stringify(l)}`);
      continue;
    }
    const value = m[2] ?? '';
    inLiteral = value === '|-';
    if (!inLiteral && !/^\d+$/.test(value))
      t.doesNotThrow(() => JSON.parse(value), `line ${i + 1} is a quoted scalar`);
  }
  t.equal(open, -1, 'the last block is closed');
  t.equal(blocks, 9, 'every point has one');
  t.end();
});

void t.test('diagnostics carry the diff, the bytes and the replay command', (t) => {
  const block = tap.slice(tap.indexOf('not ok 3 '), tap.indexOf('ok 4 '));
  t.match(block, / {2}verdict: "mismatch"\n/);
  t.match(block, / {2}values: \|-\n {4}- value\.count: 42\n {4}\+ value\.count: 43\n/);
  t.match(block, / {2}bytes: \|-\n {4}offset {2}wanted \(49 bytes\)/);
  t.match(block, / {2}replay: "npx tsx harness\/cli\.ts replay --seed 1234 --path '3:1:0' /);
  t.match(block, / {2}seed: 1234\n/);
  t.match(block, / {2}cases: 1\n/);
  t.match(block, / {2}cause: "field:Item\.count:value"\n/);
  t.match(block, / {2}names: "binary\/peer:thriftrw-py\/struct-<script>&\\"nested\\""\n/);
  t.match(
    tap,
    /^ok 1 - thriftrw-py codec-roundtrip \[binary framed strict\] passes\n {2}---\n {2}cases: 1\n {2}identical: 1\n {2}allowedVariant: 0\n {2}\.\.\.\n/m,
  );
  t.notOk(hasRawControl(tap), 'no raw control characters');
  const peerError = tap.slice(tap.indexOf('not ok 6 '), tap.indexOf('not ok 7 '));
  t.match(peerError, / {2}stderr: "Traceback/, 'stderr with a "..." line is quoted, not a block');
  t.end();
});

void t.test('TapReporter writes the version at start and the points at the end', (t) => {
  const chunks: string[] = [];
  const rep = new TapReporter((c) => chunks.push(c));
  rep.onStart(metaOf(REPORT));
  t.equal(chunks.length, 1);
  for (const r of REPORT.results) rep.onResult(r);
  t.equal(chunks.length, 1, 'points need the whole run');
  rep.onEnd(REPORT);
  t.equal(chunks.join(''), tap, 'the same text as formatTap');
  t.end();
});

void t.test('diagnostics carry the shrunk case; stale entries their kind', (t) => {
  const block = tap.slice(tap.indexOf('not ok 3 '), tap.indexOf('ok 4 '));
  t.match(block, / {2}shrunk: "shrunk in 3 steps to: value\.count: wanted 0, got 1 <i>&<\/i>"\n/);
  t.match(block, / {2}shrunkSteps: 3\n {2}shrunkType: "Item"\n/);
  t.match(block, / {2}shrunkValues: \|-\n {4}- value\.count: 0\n {4}\+ value\.count: 1\n/);
  t.match(block, / {2}shrunkBytes: \|-\n {4}offset {2}wanted \(8 bytes\)/);
  t.match(block, / {2}shrunkIdl: \|-\n {4}\/\/ shrunk\/item\.thrift\n {4}namespace py conform\n/);
  t.match(block, / {2}shrunkValue: "\{\\"count\\":0,\\"note\\":\\"<\/script>\\"\}"\n/);
  t.match(block, / {2}shrunkPath: "3:1:0:0:2"\n/);
  t.match(block, / {2}shrunkBundle: "bundles\/thriftrw-py\/struct-nested-shrunk"\n/);
  t.match(
    block,
    / {2}shrunkReplay: "npx tsx harness\/cli\.ts replay --seed 1234 --path '3:1:0:0:2' /,
  );
  t.ok(block.indexOf('  replay: ') < block.indexOf('  shrunk: '), 'after the replay');
  const stale = tap.slice(tap.indexOf('not ok 9 '));
  t.match(stale, / {2}entry: "[^"]*"\n {2}kind: "unmatched"\n {2}why: /);
  t.end();
});
