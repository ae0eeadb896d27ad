// The command line: a small real run against both peers writes every report and exits 0 (known
// failures allowed); shards merge into one report; a bundle replays and promotes; a config file
// is read; bad arguments and configuration exit 2 with a message that says what is wrong.
import t from 'tap';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main, parseDuration } from '../cli.js';
import type { RunReport } from '../runner/result.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const seed = Number(process.env.FC_SEED ?? 42);
t.comment(`cli runs with seed ${seed} (FC_SEED=${seed})`);

/** Runs main() with stdout captured. */
async function cli(args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((s: string | Uint8Array) => {
    out += String(s);
    return true;
  }) as typeof process.stdout.write;
  try {
    return { code: await main(args), out };
  } finally {
    process.stdout.write = write;
  }
}

const read = (dir: string) =>
  JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as RunReport;

void t.test('run: a small seeded run against both peers writes every report', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tc-cli-'));
  const { code, out } = await cli([
    'run',
    '--seed',
    String(seed),
    '--runs',
    '3',
    '--values',
    '4',
    '--report-dir',
    dir,
  ]);
  t.equal(code, 0, 'conformant (known failures allowed)');
  for (const f of [
    'results.jsonl',
    'report.json',
    'junit.xml',
    'report.tap',
    'summary.md',
    'report.html',
  ])
    t.ok(existsSync(join(dir, f)), `${f} written`);
  const report = read(dir);
  t.equal(report.seed, seed);
  t.equal(report.exitCode, 0);
  t.ok(
    report.results.some((r) => r.origin === 'corpus'),
    'the corpus was replayed',
  );
  t.ok(
    report.results.some((r) => r.verdict === 'known-failure'),
    'known failures are reported',
  );
  t.ok(
    report.knownFailures && report.knownFailures.length > 0,
    'with the entries and their counts',
  );
  t.match(out, /thriftrw-py: \d+ cases, \d+ cases\/s/, 'cases per second per peer printed');
  t.match(out, /^conformant$/m);
});

void t.test('shards merge into the whole run', async (t) => {
  const base = mkdtempSync(join(tmpdir(), 'tc-shard-'));
  const args = [
    'run',
    '--peers',
    'thriftrw-py',
    '--seed',
    String(seed),
    '--runs',
    '4',
    '--values',
    '3',
    '--no-shrink',
  ];
  const whole = await cli([...args, '--report-dir', join(base, 'whole')]);
  const a = await cli([...args, '--shard', '1/2', '--report-dir', join(base, 'a')]);
  const b = await cli([...args, '--shard', '2/2', '--report-dir', join(base, 'b')]);
  t.same([whole.code, a.code, b.code], [0, 0, 0]);
  const merged = await cli([
    'merge',
    join(base, 'a'),
    join(base, 'b'),
    '--report-dir',
    join(base, 'm'),
  ]);
  t.equal(merged.code, 0, merged.out);
  const names = (r: RunReport) =>
    r.results
      .filter((x) => x.origin === 'generated')
      .map((x) => x.name)
      .sort();
  t.same(
    names(read(join(base, 'm'))),
    names(read(join(base, 'whole'))),
    'the merged report has every generated case once',
  );
  t.ok(existsSync(join(base, 'm', 'report.html')), 'and every format');
});

void t.test('replay and promote a bundle', async (t) => {
  const corpusCase = join(root, 'cases', 'corpus', 'apache-nonstrict-envelope');
  const r = await cli(['replay', corpusCase]);
  t.equal(r.code, 1, 'a known incompatibility still fails on replay');
  t.match(r.out, /still failing/);
  t.match(r.out, /apache-py our-client-peer-server \(framed, nonstrict\)/);
  const corpus = mkdtempSync(join(tmpdir(), 'tc-corpus-'));
  const p = await cli([
    'promote',
    corpusCase,
    '--name',
    'copy',
    '--reason',
    'test',
    '--corpus',
    corpus,
  ]);
  t.equal(p.code, 0, p.out);
  const c = JSON.parse(readFileSync(join(corpus, 'copy', 'case.json'), 'utf8')) as {
    reason: string;
  };
  t.equal(c.reason, 'test');
  t.equal(
    (await cli(['promote', corpusCase, '--name', 'copy', '--corpus', corpus])).code,
    2,
    'no overwrite',
  );
  t.equal((await cli(['replay', corpus])).code, 2, 'not a bundle: exit 2');
});

void t.test('a config file, and the command line wins', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tc-config-'));
  const config = join(dir, 'conform.json');
  writeFileSync(
    config,
    JSON.stringify({ peers: ['thriftrw-py'], runs: 1, values: 2, seed: 7, noShrink: true }),
  );
  const r = await cli(['run', '--config', config, '--seed', '8', '--report-dir', join(dir, 'out')]);
  t.equal(r.code, 0, r.out);
  const report = read(join(dir, 'out'));
  t.equal(report.seed, 8, 'the command line wins');
  t.same(
    report.peers.map((p) => p.name),
    ['ours', 'thriftrw-py'],
    'peers from the file',
  );
  writeFileSync(config, JSON.stringify({ peer: 'x' }));
  const bad = await cli(['run', '--config', config]);
  t.equal(bad.code, 2);
  t.match(bad.out, /unknown key "peer"/);
});

void t.test('bad arguments exit 2', async (t) => {
  t.equal((await cli(['run', '--peers', 'nope'])).code, 2);
  t.equal((await cli(['run', '--runs', '-1'])).code, 2);
  t.equal((await cli(['run', '--shard', '3/2'])).code, 2);
  t.match((await cli(['run', '--protocols', 'compact'])).out, /compact is planned/);
  t.equal((await cli(['run', '--time-budget', 'soon'])).code, 2);
  t.equal((await cli(['run', '--frobnicate'])).code, 2);
  t.equal((await cli(['frobnicate'])).code, 2);
  const help = await cli(['--help']);
  t.equal(help.code, 0);
  t.match(help.out, /--time-budget/);
  t.match(help.out, /rejects-invalid +an empty union/, 'the checks are explained');
  t.equal(parseDuration('60s', 'x'), 60_000);
  t.equal(parseDuration('2m', 'x'), 120_000);
  t.equal(parseDuration('250ms', 'x'), 250);
});

void t.test('list: every peer from its manifest, without starting any', async (t) => {
  const { code, out } = await cli(['list']);
  t.equal(code, 0);
  const { discoverPeers } = await import('../peers/registry.js');
  for (const m of discoverPeers(root).all) {
    t.match(out, new RegExp(`^${m.name.replace(/\./g, '\\.')}( \\(default\\))?: `, 'm'), m.name);
  }
  t.match(out, /protocols binary/);
});

void t.test('--peer-dir and peerDirs: a folder without a manifest is refused', async (t) => {
  const empty = mkdtempSync(join(tmpdir(), 'tc-nopeer-'));
  const a = await cli(['run', '--peer-dir', empty, '--runs', '0']);
  t.equal(a.code, 2);
  t.match(a.out, /no peer\.json there or in its sub-folders/);
  const cfgDir = mkdtempSync(join(tmpdir(), 'tc-cfg-'));
  const cfg = join(cfgDir, 'thrift-conform.json');
  writeFileSync(cfg, JSON.stringify({ peerDirs: ['missing-peers'] }));
  const b = await cli(['run', '--config', cfg, '--runs', '0']);
  t.equal(b.code, 2);
  t.match(b.out, /missing-peers: no peer\.json there/, 'relative to the config file');
  const c = await cli(['run', '--peers', 'no-such-peer', '--runs', '0']);
  t.equal(c.code, 2);
  t.match(c.out, /unknown peer no-such-peer; known: .*--peer-dir/);
});
