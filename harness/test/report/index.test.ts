// writeReports writes every format into a folder; runReporter streams results.jsonl during the
// run and writes the other formats at its end; a killed run's results.jsonl renders too.
import t from 'tap';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ALL_FORMATS, metaOf, readJsonl, runReporter, writeReports } from '../../report/index.js';
import { READ_BACK, REPORT } from './fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'tc-reports-'));

void t.test('writeReports writes the chosen formats and returns their paths', (t) => {
  const out = join(dir, 'all');
  const paths = writeReports(out, REPORT);
  t.same(
    paths.map((p) => p.slice(out.length + 1)),
    ['report.json', 'junit.xml', 'report.tap', 'summary.md', 'report.html'],
  );
  for (const p of paths) t.ok(readFileSync(p, 'utf8').length > 100, `${p} has content`);
  t.equal(ALL_FORMATS.length, 5);
  const some = writeReports(join(dir, 'some'), REPORT, ['junit', 'junit', 'markdown']);
  t.same(
    some.map((p) => p.slice(join(dir, 'some').length + 1)),
    ['junit.xml', 'summary.md'],
  );
  t.end();
});

void t.test('runReporter: results.jsonl while running, every report at the end', async (t) => {
  const out = join(dir, 'run');
  const reporter = runReporter(out);
  await reporter.onStart(metaOf(REPORT));
  for (const r of REPORT.results.slice(0, 3)) await reporter.onResult(r);
  t.notOk(existsSync(join(out, 'report.html')), 'nothing but results.jsonl before the end');
  const partial = readJsonl(join(out, 'results.jsonl'));
  t.equal(partial.report.results.length, 3);
  const killed = writeReports(join(dir, 'killed'), partial.report, ['html', 'markdown']);
  t.match(readFileSync(killed[0]!, 'utf8'), /the run did not finish/);
  t.match(
    readFileSync(killed[1]!, 'utf8'),
    /^## ⚠️ thrift-conform: incomplete: 3 cases, 1 mismatch/,
  );
  for (const r of REPORT.results.slice(3)) await reporter.onResult(r);
  await reporter.onEnd(REPORT);
  for (const f of [
    'results.jsonl',
    'report.json',
    'junit.xml',
    'report.tap',
    'summary.md',
    'report.html',
  ])
    t.ok(existsSync(join(out, f)), f);
  t.same(readJsonl(join(out, 'results.jsonl')).report, { ...REPORT, results: READ_BACK });
});
