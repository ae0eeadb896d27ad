// The command line: a small real run against both peers writes every report and exits 0 when
// conformant; bad arguments exit 2 with the help text.
import t from 'tap';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../cli.js';

void t.test('run: a small seeded run against both peers writes every report', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tc-cli-'));
  const code = await main([
    'run',
    '--seed',
    '42',
    '--schemas',
    '2',
    '--values',
    '5',
    '--report-dir',
    dir,
  ]);
  t.equal(code, 0, 'conformant');
  for (const f of [
    'results.jsonl',
    'report.json',
    'junit.xml',
    'report.tap',
    'summary.md',
    'report.html',
  ]) {
    t.ok(existsSync(join(dir, f)), `${f} written`);
  }
  const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as {
    seed: number;
    results: unknown[];
    exitCode: number;
  };
  t.equal(report.seed, 42);
  t.equal(report.exitCode, 0);
  t.ok(report.results.length >= 20, `${report.results.length} results`);
});

void t.test('bad arguments exit 2', async (t) => {
  t.equal(await main(['run', '--peers', 'nope']), 2);
  t.equal(await main(['run', '--schemas', '-1']), 2);
  t.equal(await main(['frobnicate']), 2);
  t.equal(await main(['--help']), 0);
});
