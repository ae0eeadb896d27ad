// The command line: a small real run against both peers writes every report and exits 0 (known
// failures allowed); shards merge into one report; a bundle replays and promotes; a config file
// is read; bad arguments and configuration exit 2 with a message that says what is wrong.
import t from 'tap';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDuration } from '../cli.js';
import { cli } from './run-cli.js';

/** Every file a run writes into its report folder. */
const REPORT_FILES = [
  'results.jsonl',
  'report.json',
  'junit.xml',
  'report.tap',
  'summary.md',
  'report.html',
];
import type { RunReport } from '../runner/result.js';
import { readReportDir } from '../report/merge.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const seed = Number(process.env.FC_SEED ?? 42);
t.comment(`cli runs with seed ${seed} (FC_SEED=${seed})`);

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
  for (const f of REPORT_FILES) t.ok(existsSync(join(dir, f)), `${f} written`);
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
  t.match(out, /thriftrw-py [\d.]+: \d+ cases, \d+\/s/, 'cases per second per peer printed');
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
  t.match(
    (await cli(['run', '--protocols', 'json'])).out,
    /protocol json is not supported \(our codec speaks binary, compact\)/,
  );
  t.equal((await cli(['run', '--time-budget', 'soon'])).code, 2);
  t.equal((await cli(['run', '--frobnicate'])).code, 2);
  t.equal((await cli(['frobnicate'])).code, 2);
  const help = await cli(['--help']);
  t.equal(help.code, 0);
  t.match(help.out, /--time-budget/);
  t.match(help.out, /invalid-input +bytes made invalid/, 'the checks are explained');
  t.equal(parseDuration('60s', 'x'), 60_000);
  t.equal(parseDuration('2m', 'x'), 120_000);
  t.equal(parseDuration('250ms', 'x'), 250);
});

void t.test('list: every peer from its manifest, without starting any', async (t) => {
  const { code, out } = await cli(['list', '--long']);
  t.equal(code, 0);
  const { discoverPeers } = await import('../peers/registry.js');
  const all = discoverPeers(root).all;
  for (const m of all) {
    t.match(out, new RegExp(`^${m.name.replace(/\./g, '\\.')}( \\(default\\))?: `, 'm'), m.name);
  }
  t.match(out, /protocols binary/);
  const table = await cli(['list']);
  t.equal(table.code, 0);
  const lines = table.out.split('\n');
  t.match(lines[0], /^PEER +DEFAULT +LANGUAGE +LIBRARY +PROTOCOLS +TRANSPORTS +DIALECT +BACKENDS$/);
  for (const m of all)
    t.ok(
      lines.some((l) => l.startsWith(`${m.name} `) && l.includes(m.library.version)),
      `${m.name} has a row`,
    );
  const json = await cli(['list', '--json']);
  const peers = JSON.parse(json.out) as { name: string; abilities: { protocols: string[] } }[];
  t.same(
    peers.map((p) => p.name),
    all.map((m) => m.name),
    '--json: every peer, for machines',
  );
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

void t.test('usage errors are caught before any peer starts', async (t) => {
  const cases: [string[], RegExp][] = [
    [['run', '--peers', ''], /--peers names no peer/],
    [['run', '--seed', '1e20'], /--seed must be a whole number from 0 to 2147483647/],
    [['run', '--seed=-3'], /--seed must be a whole number/],
    [['run', '--time-budget', '0'], /--time-budget must be more than 0/],
    [['run', '--known-failures', join(tmpdir(), 'no-such-folder')], /is not a folder/],
    [['run', '--corpus', join(tmpdir(), 'no-such-folder')], /--corpus .* is not a folder/],
    [['run', '--properties', 'peer-roundtrip,frob'], /--properties takes checks from .*not frob/],
    [['run', '--known-flaky', join(tmpdir(), 'no-such-file')], /--known-flaky .* does not exist/],
    // Node's recursive mkdir spins forever under /proc: the folder is made one level at a time.
    [['run', '--report-dir', '/proc/thrift-conform'], /cannot write reports into \/proc/],
  ];
  for (const [args, message] of cases) {
    const t0 = performance.now();
    const r = await cli([...args, '--peers', args.includes('--peers') ? '' : 'thriftrw-py']);
    t.equal(r.code, 2, args.join(' '));
    t.match(r.out, message);
    t.notMatch(r.out, /seed \d+; \d+ corpus cases/, 'before the run is announced');
    t.ok(performance.now() - t0 < 30_000, 'promptly');
  }
  const flaky = join(mkdtempSync(join(tmpdir(), 'tc-flaky-')), 'flaky.txt');
  writeFileSync(flaky, 'no-such-peer bytes:* | why\n');
  const r = await cli(['run', '--peers', 'thriftrw-py', '--known-flaky', flaky]);
  t.equal(r.code, 2);
  t.match(r.out, /flaky\.txt:1: peer no-such-peer is not in this run/);
});

void t.test('--run, --skip and --properties choose the cases; --known-flaky', async (t) => {
  const base = mkdtempSync(join(tmpdir(), 'tc-select-'));
  // No known failures and no corpus: thriftrw-py's acceptance of invalid bytes (a negative
  // container size) is then a failure, and the known-flaky file turns it into known-flaky.
  const kf = join(base, 'known-failures');
  const corpus = join(base, 'corpus');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(kf);
  mkdirSync(corpus);
  const flaky = join(base, 'flaky.txt');
  writeFileSync(
    flaky,
    [
      '# testing --known-flaky',
      'thriftrw-py invalid:* | thriftrw-py reads what it should refuse',
      'apache-py bytes:never-seen | unused on purpose',
    ].join('\n'),
  );
  const dir = join(base, 'out');
  const r = await cli([
    'run',
    '--peers',
    'thriftrw-py,apache-py',
    '--seed',
    String(seed),
    '--runs',
    '4',
    '--values',
    '4',
    '--no-shrink',
    '--known-failures',
    kf,
    '--corpus',
    corpus,
    '--run',
    '*peer:apache-py/*',
    '--run',
    '*peer:thriftrw-py/*',
    '--skip',
    '*peer:thriftrw-py/peer-roundtrip/*',
    // (the envelope cases of invalid-input are findings of their own)
    '--skip',
    '*/invalid/envelopes/*',
    '--properties',
    'peer-roundtrip,rejects-invalid',
    '--known-flaky',
    flaky,
    '--report-dir',
    dir,
  ]);
  t.equal(r.code, 0, 'known-flaky failures do not fail the run');
  const report = readReportDir(dir);
  const kinds = new Set(report.results.map((x) => `${x.peer} ${x.property}`));
  t.same(
    [...kinds].sort(),
    // rejects-invalid is invalid-input's old name
    ['apache-py invalid-input', 'apache-py peer-roundtrip', 'thriftrw-py invalid-input'],
    'only the selected peers and properties, without the skipped ones',
  );
  const flakyResults = report.results.filter((x) => x.verdict === 'known-flaky');
  t.ok(flakyResults.length > 0, 'thriftrw-py accepting invalid bytes is known-flaky');
  t.ok(
    flakyResults.every((x) => x.peer === 'thriftrw-py' && /flaky\.txt:2$/.test(x.knownEntry ?? '')),
    'named by its entry',
  );
  t.match(report.knownFlaky, [
    { entry: 'invalid:*', matched: flakyResults.length },
    { entry: 'bytes:never-seen', matched: 0 },
  ]);
  t.match(
    r.out,
    /known-flaky entries that matched nothing \(1\):\n +apache-py: bytes:never-seen \(.*flaky\.txt:3\)/,
  );
  t.same(report.staleKnownFailures, [], 'a selective run does not call entries stale');
});

void t.test('a harness error still writes every report, with exit 2', async (t) => {
  const base = mkdtempSync(join(tmpdir(), 'tc-broken-'));
  const { cpSync } = await import('node:fs');
  // A corpus case whose IDL our codec cannot compile is a harness error, not a finding.
  const corpus = join(base, 'corpus');
  cpSync(join(root, 'cases', 'corpus', 'apache-nonstrict-envelope'), join(corpus, 'broken'), {
    recursive: true,
  });
  writeFileSync(join(corpus, 'broken', 'idl', 'generated.thrift'), 'struct {');
  const dir = join(base, 'out');
  const r = await cli([
    'run',
    '--peers',
    'thriftrw-py',
    '--seed',
    String(seed),
    '--runs',
    '2',
    '--values',
    '2',
    '--no-shrink',
    '--corpus',
    corpus,
    '--report-dir',
    dir,
  ]);
  t.equal(r.code, 2, 'exit 2');
  t.match(r.out, /harness errors \(1\):\n +corpus case .*broken: our codec cannot compile its IDL/);
  t.match(r.out, /^incomplete: /m);
  for (const f of REPORT_FILES) t.ok(existsSync(join(dir, f)), `${f} written`);
  const report = readReportDir(dir);
  t.equal(report.exitCode, 2);
  t.match(report.harnessErrors, [/broken/]);
  t.ok(
    report.results.some((x) => x.origin === 'generated'),
    'the rest of the run still ran',
  );
});

void t.test('promote --known-failure adds the entry the corpus case backs', async (t) => {
  const base = mkdtempSync(join(tmpdir(), 'tc-promote-'));
  const corpusCase = join(root, 'cases', 'corpus', 'apache-nonstrict-envelope');
  const kf = join(base, 'kf');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(kf);
  writeFileSync(join(kf, 'apache-py.txt'), '# existing\nbytes:x | an older entry');
  const noReason = await cli(['promote', corpusCase, '--name', 'x', '--known-failure']);
  t.equal(noReason.code, 2);
  t.match(noReason.out, /needs --reason/);
  const p = await cli([
    'promote',
    corpusCase,
    '--name',
    'nonstrict-again',
    '--reason',
    'Apache | Python writes a | in reasons',
    '--corpus',
    join(base, 'corpus'),
    '--known-failure',
    '--known-failures',
    kf,
  ]);
  t.equal(p.code, 0, p.out);
  const lines = readFileSync(join(kf, 'apache-py.txt'), 'utf8').trimEnd().split('\n');
  t.equal(lines.length, 3, 'appended on a line of its own');
  const { fingerprint } = JSON.parse(readFileSync(join(corpusCase, 'case.json'), 'utf8')) as {
    fingerprint: string;
  };
  t.equal(
    lines[2],
    `${fingerprint} | Apache / Python writes a / in reasons (corpus case nonstrict-again)`,
    "the bundle's fingerprint, the reason on one line without ' | ', and the corpus case",
  );
  const { parseKnownFailures } = await import('../runner/known-failures.js');
  t.equal(
    parseKnownFailures('apache-py', lines.join('\n'), 'apache-py.txt').length,
    2,
    'it parses',
  );
});

void t.test('a time budget ends the run cleanly: no false failures, the bar at 100%', async (t) => {
  for (const [budget, s] of [
    ['2s', seed],
    ['50ms', seed + 1],
  ] as const) {
    const dir = mkdtempSync(join(tmpdir(), 'tc-budget-'));
    const r = await cli([
      'run',
      '--peers',
      'thriftrw-py,apache-py',
      '--seed',
      String(s),
      '--time-budget',
      budget,
      '--no-shrink',
      '--report-dir',
      dir,
    ]);
    t.equal(
      r.code,
      0,
      `--time-budget ${budget}: conformant, ${r.out.split('\n').slice(-3).join(' / ')}`,
    );
    const report = readReportDir(dir);
    t.match(report.stoppedEarly, /time budget \(\d+ ms\) ran out after \d+ generated schemas?/);
    t.notOk(
      report.results.some((x) => x.verdict === 'peer-error' || x.verdict === 'mismatch'),
      'no peer errors from peers stopped under a running schema',
    );
    const done = /progress: (\d+)\/(\d+) checks \((\d+)%.*done in/.exec(r.out);
    t.ok(done, 'the progress bar ends');
    t.equal(done?.[1], done?.[2], 'with every check done');
    t.equal(done?.[3], '100');
  }
});
