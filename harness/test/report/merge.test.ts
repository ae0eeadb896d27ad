// Merging shard reports: each rule (order, counts summed, durations, known-failures sums and
// recomputed stale entries, exit codes, the command note) and each error, which names the
// offending report; merged shards equal the unsharded run; readReportDir from report.json and
// from a killed run's results.jsonl, and its errors name file:line and what is wrong.
import t from 'tap';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatJson } from '../../report/json.js';
import { JsonlReporter } from '../../report/jsonl.js';
import { commandWithoutShard, mergeReports, readReportDir } from '../../report/merge.js';
import { metaOf } from '../../report/reporter.js';
import { formatHtml } from '../../report/html.js';
import { formatMarkdown } from '../../report/markdown.js';
import type { CaseResult, KnownFailureUse, RunReport } from '../../runner/result.js';
import { groupCauses } from '../../report/causes.js';
import { formatJunit } from '../../report/junit.js';
import { tally } from '../../report/text.js';
import { REPORT } from './fixture.js';
import { all as all_, parseXml } from './xml.js';

const dir = mkdtempSync(join(tmpdir(), 'tc-merge-'));

const pass = (peer: string, name: string, origin?: 'corpus'): CaseResult => ({
  name: `binary/peer:${peer}/${name}`,
  peer,
  protocol: 'binary',
  property: 'peer-roundtrip',
  verdict: 'identical',
  summary: 'same bytes, same value',
  durationMs: 1,
  ...(origin ? { origin } : {}),
});
const fail = (peer: string, name: string, verdict: CaseResult['verdict']): CaseResult => ({
  ...pass(peer, name),
  verdict,
  summary: `${verdict} in ${name}`,
});

const use = (peer: string, entry: string, matched: number, passing: number): KnownFailureUse => ({
  peer,
  entry,
  reason: `reason of ${entry}`,
  source: `cases/known-failures/${peer}.txt:1`,
  matched,
  passing,
});

/** A shard report: `a` and `b` peers, the given results, counts per peer from them. */
function shard(
  index: number,
  count: number,
  results: CaseResult[],
  extra: Partial<RunReport> = {},
): RunReport {
  const peers = ['a', 'b'].map((name) => ({
    name,
    version: `${name}-1.0`,
    backend: 'process' as const,
    startMs: 100 * index,
    cases: results.filter((r) => r.peer === name).length,
    casesPerSecond: 1,
  }));
  return {
    schemaVersion: 1,
    tool: { name: 'thrift-conform', version: '0.1.0' },
    startedAt: `2025-01-02T03:0${index}:00.000Z`,
    durationMs: 1000 * index,
    seed: 7,
    shard: { index, count },
    command: `thrift-conform run --peers a,b --seed 7 --shard ${index}/${count} --values 10`,
    peers,
    results,
    staleKnownFailures: [],
    knownFailures: [],
    exitCode: results.some((r) => r.verdict === 'mismatch' || r.verdict === 'peer-error') ? 1 : 0,
    ...extra,
  };
}

void t.test('results in shard order; durations, start and command', (t) => {
  const s1 = shard(1, 3, [pass('a', 'x1'), pass('b', 'x2')], { durationMs: 5000 });
  const s2 = shard(2, 3, [pass('a', 'y1')], { startedAt: '2025-01-01T23:59:59.000Z' });
  const s3 = shard(3, 3, [pass('b', 'z1'), pass('a', 'z2')]);
  const m = mergeReports([s3, s1, s2]);
  t.same(
    m.results.map((r) => r.name.split('/').pop()),
    ['x1', 'x2', 'y1', 'z1', 'z2'],
  );
  t.equal(m.shard, undefined, 'no shard');
  t.notOk('shard' in m);
  t.equal(m.durationMs, 5000, 'the longest shard');
  t.equal(m.startedAt, '2025-01-01T23:59:59.000Z', 'the earliest start');
  t.equal(m.seed, 7);
  t.equal(
    m.command,
    'thrift-conform run --peers a,b --seed 7 --values 10 # merged shards 1-3 of 3',
  );
  t.equal(m.exitCode, 0);
  t.same(m.staleKnownFailures, []);
  t.same(m.knownFailures, []);
  t.end();
});

void t.test('peers: counts summed, rate over the longest shard; schemas summed', (t) => {
  const s1 = shard(
    1,
    2,
    [pass('a', 'c1', 'corpus'), pass('a', 'g1'), pass('a', 'g2'), pass('b', 'g3')],
    {
      schemas: 4,
    },
  );
  const s2 = shard(2, 2, [pass('a', 'c2', 'corpus'), pass('b', 'c1', 'corpus'), pass('a', 'g4')], {
    schemas: 3,
    harnessErrors: ['boom'],
    stoppedEarly: 'the time budget',
    peers: [
      {
        name: 'a',
        version: 'other',
        backend: 'container',
        startMs: 900,
        cases: 2,
        casesPerSecond: 1,
        notGiven: { 'no uuid': 2 },
        restarts: 1,
        notRun: 3,
        died: 'exit 137',
      },
      {
        name: 'b',
        version: 'other',
        backend: 'container',
        startMs: 50,
        cases: 1,
        casesPerSecond: 1,
        notGiven: { 'no uuid': 1, other: 1 },
      },
      { name: 'c', version: 'c-2', backend: 'container', startMs: 10, cases: 0, casesPerSecond: 0 },
    ],
  });
  const m = mergeReports([s1, { ...s2, peers: s2.peers.map((p) => (p.name === 'a' ? p : p)) }]);
  t.equal(m.results.length, 7, 'every result once');
  t.same(
    m.peers.map((p) => [
      p.name,
      p.version,
      p.backend,
      p.startMs,
      p.cases,
      p.notGiven,
      p.restarts,
      p.notRun,
      p.died,
    ]),
    [
      ['a', 'a-1.0', 'process', 900, 3 + 2, { 'no uuid': 2 }, 1, 3, 'exit 137'],
      [
        'b',
        'b-1.0',
        'process',
        100,
        1 + 1,
        { 'no uuid': 1, other: 1 },
        undefined,
        undefined,
        undefined,
      ],
      ['c', 'c-2', 'container', 10, 0, undefined, undefined, undefined, undefined],
    ],
  );
  t.equal(m.peers[0]?.casesPerSecond, 5 / 2, 'cases / the longest shard (2 s)');
  t.equal(m.schemas, 7, 'schemas summed');
  t.same(m.harnessErrors, ['shard 2/2: boom']);
  t.equal(m.stoppedEarly, 'shard 2/2: the time budget');
  t.equal(m.exitCode, 2, 'a harness error makes the merge incomplete');
  t.equal(mergeReports([{ ...s1, durationMs: 0 }]).peers[0]?.casesPerSecond, 0, 'no division by 0');
  t.end();
});

void t.test('merged shards equal the unsharded run: results, causes, counts', (t) => {
  // One run's results, each schema (sN) in shard (N mod 3) + 1 as the runner deals them.
  const schemaOf = (r: CaseResult) => Number(/\/s(\d+)$/.exec(r.name)?.[1] ?? 0);
  const all: CaseResult[] = [];
  for (let s = 0; s < 12; s++)
    for (const peer of ['a', 'b']) {
      all.push(pass(peer, `s${s}`, s < 3 ? 'corpus' : undefined));
      if (s % 4 === 1)
        all.push({
          ...fail(peer, `s${s}`, 'known-failure'),
          knownEntry: `${peer}.txt:1`,
          knownReason: 'r',
        });
      if (s % 5 === 2)
        all.push({ ...fail(peer, `s${s}`, 'mismatch'), fingerprint: `meaning:T${s}.f:missing` });
    }
  const whole = shard(1, 1, all, { schemas: 12 });
  const { shard: _s, ...unsharded } = whole;
  const shards = [1, 2, 3].map((i) => {
    const results = all.filter((r) => (schemaOf(r) % 3) + 1 === i);
    return shard(i, 3, results, { schemas: 4, durationMs: whole.durationMs });
  });
  // Through the files, as `merge` reads them.
  const read = shards.map((r, i) => {
    const d = join(dir, `equal-${i + 1}`);
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, 'report.json'), formatJson(r));
    return readReportDir(d);
  });
  const m = mergeReports(read);
  const key = (r: CaseResult) => `${r.name} ${r.verdict}`;
  t.same(
    m.results.map(key).sort(),
    unsharded.results.map(key).sort(),
    'the same results by name and verdict',
  );
  const causes = (r: RunReport) =>
    groupCauses(r.results).causes.map((c) => [c.verdict, c.key, c.count, c.peers.length]);
  t.same(causes(m), causes(unsharded as RunReport), 'the same causes');
  t.same(
    m.peers.map((p) => [p.name, p.cases]),
    unsharded.peers.map((p) => [p.name, p.cases]),
    'the same cases per peer',
  );
  t.equal(m.schemas, 12);
  t.equal(m.exitCode, unsharded.exitCode);
  t.same(tally(m.results), tally(unsharded.results));
  const names = (r: RunReport) =>
    all_(parseXml(formatJunit(r)), 'testcase').map((c) => c.attrs.name);
  t.same(
    names(m),
    names(unsharded as RunReport),
    'no duplicate JUnit names, the same as unsharded',
  );
  t.end();
});

void t.test('known failures summed per entry; stale entries recomputed from the sums', (t) => {
  const s1 = shard(1, 2, [fail('a', 'k', 'known-failure')], {
    knownFailures: [
      use('a', 'matched-in-1', 1, 0),
      use('a', 'never', 0, 0),
      use('b', 'passes', 0, 0),
    ],
    staleKnownFailures: [
      { peer: 'a', entry: 'never', kind: 'unmatched', why: 'x' },
      { peer: 'b', entry: 'passes', kind: 'unmatched', why: 'x' },
    ],
    exitCode: 1,
  });
  const s2 = shard(2, 2, [pass('b', 'p')], {
    knownFailures: [
      use('a', 'matched-in-1', 0, 0),
      use('a', 'never', 0, 0),
      use('b', 'passes', 1, 2),
    ],
    staleKnownFailures: [
      { peer: 'a', entry: 'matched-in-1', kind: 'unmatched', why: 'x' },
      { peer: 'a', entry: 'never', kind: 'unmatched', why: 'x' },
      { peer: 'b', entry: 'passes', kind: 'now-passing', why: 'x' },
    ],
    exitCode: 1,
  });
  const m = mergeReports([s2, s1]);
  t.same(
    m.knownFailures?.map((u) => [u.peer, u.entry, u.matched, u.passing, u.reason, u.source]),
    [
      ['a', 'matched-in-1', 1, 0, 'reason of matched-in-1', 'cases/known-failures/a.txt:1'],
      ['a', 'never', 0, 0, 'reason of never', 'cases/known-failures/a.txt:1'],
      ['b', 'passes', 1, 2, 'reason of passes', 'cases/known-failures/b.txt:1'],
    ],
  );
  t.same(
    m.staleKnownFailures,
    [
      {
        peer: 'a',
        entry: 'never',
        kind: 'unmatched',
        why: 'cases/known-failures/a.txt:1: matched no failure in any of the merged shards 1-2 of 2: remove the entry, or add a corpus case that shows it',
      },
      {
        peer: 'b',
        entry: 'passes',
        kind: 'now-passing',
        why: 'cases/known-failures/b.txt:1: 2 cases it names passed in any of the merged shards 1-2 of 2: remove the entry or narrow it',
      },
    ],
    'an entry matched in one shard only is not stale; passing anywhere is now-passing',
  );
  t.equal(m.exitCode, 1, 'stale entries fail the merge');
  const fine = mergeReports([
    { ...s1, knownFailures: [use('a', 'e', 1, 0)], staleKnownFailures: [] },
    { ...s2, knownFailures: [use('a', 'e', 0, 0)], staleKnownFailures: [] },
  ]);
  t.same(fine.staleKnownFailures, []);
  t.equal(fine.exitCode, 0, 'a known failure and a pass: conformant');
  t.end();
});

void t.test('without knownFailures: now-passing in any shard, unmatched in every shard', (t) => {
  const strip = (r: RunReport): RunReport => {
    const { knownFailures: _k, ...rest } = r;
    return rest;
  };
  const s1 = strip(
    shard(1, 2, [], {
      staleKnownFailures: [
        { peer: 'a', entry: 'u-all', kind: 'unmatched', why: 'w1' },
        { peer: 'a', entry: 'u-one', kind: 'unmatched', why: 'w1' },
      ],
    }),
  );
  const s2 = strip(
    shard(2, 2, [], {
      staleKnownFailures: [
        { peer: 'a', entry: 'u-all', kind: 'unmatched', why: 'w2' },
        { peer: 'b', entry: 'np', kind: 'now-passing', why: 'w2' },
      ],
    }),
  );
  const m = mergeReports([s1, s2]);
  t.equal(m.knownFailures, undefined);
  t.same(
    m.staleKnownFailures.map((s) => `${s.peer} ${s.entry} ${s.kind} ${s.why}`),
    ['b np now-passing w2', 'a u-all unmatched w1'],
  );
  t.end();
});

void t.test('exit codes', (t) => {
  const ok = [shard(1, 2, [pass('a', '1')]), shard(2, 2, [pass('b', '2')])];
  t.equal(mergeReports(ok).exitCode, 0);
  t.equal(mergeReports([ok[0]!, shard(2, 2, [fail('a', 'm', 'mismatch')])]).exitCode, 1);
  t.equal(mergeReports([shard(1, 2, [fail('b', 'e', 'peer-error')]), ok[1]!]).exitCode, 1);
  t.equal(
    mergeReports([ok[0]!, shard(2, 2, [fail('a', 'k', 'known-failure')])]).exitCode,
    0,
    'a known failure does not fail',
  );
  t.equal(
    mergeReports([ok[0]!, { ...ok[1]!, exitCode: 2 }]).exitCode,
    2,
    'a shard that could not finish makes the merge incomplete',
  );
  t.equal(
    mergeReports([shard(1, 2, [fail('a', 'm', 'mismatch')]), { ...ok[1]!, exitCode: 2 }]).exitCode,
    2,
    '2 wins over 1',
  );
  t.equal(
    mergeReports([{ ...ok[0]!, exitCode: 1 }, ok[1]!]).exitCode,
    0,
    "recomputed, not copied: a shard's 1 from a stale entry another shard matched",
  );
  const partial = mergeReports([shard(1, 3, []), shard(3, 3, [])]);
  t.equal(partial.exitCode, 2, 'a missing shard makes the merge incomplete');
  t.match(partial.command, / # merged shards 1, 3 of 3; missing 2$/);
  t.end();
});

void t.test('the command: --shard removed, a note of the merged shards', (t) => {
  t.equal(commandWithoutShard('run --shard 2/8 --seed 1'), 'run --seed 1');
  t.equal(commandWithoutShard('run --seed 1 --shard=2/8'), 'run --seed 1');
  t.equal(commandWithoutShard('run --shard  3/4'), 'run');
  t.equal(commandWithoutShard('run --sharded x'), 'run --sharded x', 'only the option itself');
  const s1 = shard(1, 2, []);
  const s2 = shard(2, 2, [], { command: 'thrift-conform run --peers a --seed 7 --shard 2/2' });
  t.equal(
    mergeReports([s1, s2]).command,
    "thrift-conform run --peers a,b --seed 7 --values 10 # merged shards 1-2 of 2; the shards' commands differ beyond --shard; this is shard 1's",
  );
  const one = mergeReports([{ ...REPORT }]);
  t.equal(one.command, `${REPORT.command} # merged shard 1 of 1`, 'an unsharded report is 1/1');
  t.same(one.results, REPORT.results);
  t.same(one.knownFailures, REPORT.knownFailures);
  t.same(
    one.staleKnownFailures.map((s) => [s.peer, s.entry, s.kind]),
    REPORT.staleKnownFailures.map((s) => [s.peer, s.entry, s.kind]),
  );
  t.equal(one.exitCode, 1);
  t.end();
});

void t.test('errors name the offending report', (t) => {
  const s1 = shard(1, 3, []);
  const s2 = shard(2, 3, []);
  t.throws(() => mergeReports([]), { message: 'mergeReports: no reports to merge' });
  t.throws(() => mergeReports([s1, { ...s2, seed: 8 }]), {
    message:
      'cannot merge report 2 of 2 (shard 2/3): seed 8, but report 1 of 2 (shard 1/3) has seed 7; the shards of one run share the seed',
  });
  t.throws(() => mergeReports([s1, shard(2, 4, [])]), {
    message:
      'cannot merge report 2 of 2 (shard 2/4): 4 shards in all, but report 1 of 2 (shard 1/3) says 3; merge the shards of one run',
  });
  t.throws(() => mergeReports([s1, s2, { ...s2 }]), {
    message:
      'cannot merge report 3 of 3 (shard 2/3): report 2 of 3 (shard 2/3) is shard 2/3 too; each shard once',
  });
  t.throws(() => mergeReports([s1, { ...s2, schemaVersion: 2 as unknown as 1 }]), {
    message:
      'cannot merge report 2 of 2 (shard 2/3): schema version 2, but report 1 of 2 (shard 1/3) has 1',
  });
  t.throws(() => mergeReports([s1, { ...s2, shard: { index: 4, count: 3 } }]), {
    message: 'cannot merge report 2 of 2 (shard 4/3): shard index 4 is not in 1..3',
  });
  const { shard: _s, ...unsharded } = s2;
  t.throws(() => mergeReports([s1, unsharded]), {
    message:
      /^cannot merge report 2 of 2 \(not sharded\): 1 shard in all, but report 1 of 2 \(shard 1\/3\) says 3/,
  });
  t.end();
});

void t.test('readReportDir: report.json, or a killed run from results.jsonl', (t) => {
  const full = join(dir, 'shard-1');
  mkdirSync(full);
  const s1 = shard(1, 2, [pass('a', 'x'), fail('b', 'y', 'mismatch')]);
  writeFileSync(join(full, 'report.json'), formatJson(s1));
  writeFileSync(join(full, 'results.jsonl'), 'ignored when report.json is there\n');
  t.same(
    readReportDir(full).results.map((r) => `${r.name} ${r.verdict}`),
    s1.results.map((r) => `${r.name} ${r.verdict}`),
  );

  const killed = join(dir, 'shard-2');
  const s2 = shard(2, 2, [pass('a', 'p'), pass('b', 'q'), pass('a', 'r')]);
  const jsonl = new JsonlReporter(join(killed, 'results.jsonl'));
  jsonl.onStart(metaOf(s2));
  for (const r of s2.results.slice(0, 2)) jsonl.onResult(r);
  const partial = readReportDir(killed);
  t.equal(partial.results.length, 2, 'the results written before the kill');
  t.equal(partial.exitCode, 2);
  t.same(partial.shard, { index: 2, count: 2 });

  const m = mergeReports([readReportDir(killed), readReportDir(full)]);
  t.same(
    m.results.map((r) => r.name.split('/').pop()),
    ['x', 'y', 'p', 'q'],
  );
  t.equal(m.exitCode, 2, 'a killed shard makes the merge incomplete');
  t.doesNotThrow(() => formatHtml(m));
  t.match(formatMarkdown(m), /^## ⚠️ thrift-conform: incomplete: 4 cases, 1 mismatch/);

  t.throws(() => readReportDir(join(dir, 'nope')), {
    message: `${join(dir, 'nope')}: no such folder; is it a thrift-conform report folder?`,
  });
  const empty = join(dir, 'empty');
  mkdirSync(empty);
  t.throws(() => readReportDir(empty), {
    message: `${empty}: neither report.json nor results.jsonl in it; is it a thrift-conform report folder?`,
  });
  const bad = join(dir, 'bad');
  mkdirSync(bad);
  writeFileSync(join(bad, 'report.json'), '{"schemaVersion": 9}');
  t.throws(() => readReportDir(bad), {
    message: `${join(bad, 'report.json')}:1: not a thrift-conform report (schemaVersion 1 or 2 with results)`,
  });
  const text = formatJson(s1);
  const at = text.lastIndexOf('"verdict":"mismatch"');
  const wrong = `${text.slice(0, at)}"verdict":7${text.slice(at + '"verdict":"mismatch"'.length)}`;
  writeFileSync(join(bad, 'report.json'), wrong);
  const line = wrong.split('\n').findIndex((l) => l.includes('"verdict":7')) + 1;
  t.throws(() => readReportDir(bad), {
    message: `${join(bad, 'report.json')}:${line}: not a thrift-conform report: report.results[1].verdict is 7, not one of identical, allowed-variant, known-flaky, known-failure, not-run, peer-error, mismatch`,
  });
  writeFileSync(join(bad, 'report.json'), text.replace('"causes": [', '"causes": [,'));
  t.throws(() => readReportDir(bad), {
    message: new RegExp(`^${join(bad, 'report.json').replace(/[.]/g, '\\.')}:\\d+: not JSON`),
  });
  const badLine = join(dir, 'bad-line');
  mkdirSync(badLine);
  writeFileSync(
    join(badLine, 'results.jsonl'),
    `${JSON.stringify({ kind: 'start', meta: metaOf(s1) })}\n${JSON.stringify({ kind: 'end', report: { ...s1, results: undefined, knownFailures: 's' } })}\n`,
  );
  t.throws(() => readReportDir(badLine), {
    message: `${join(badLine, 'results.jsonl')}:2: end line: report.knownFailures is a string, not an array`,
  });

  const other = join(dir, 'other-seed');
  mkdirSync(other);
  writeFileSync(join(other, 'report.json'), formatJson({ ...s2, seed: 99 }));
  t.throws(() => mergeReports([readReportDir(full), readReportDir(other)]), {
    message: `cannot merge ${other} (shard 2/2): seed 99, but ${full} (shard 1/2) has seed 7; the shards of one run share the seed`,
  });
  t.end();
});
