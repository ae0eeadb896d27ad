// examples/ci/thrift-conform.yml, the documented CI workflow: every `npx thrift-conform` line in it
// is a real command of the tool with real options (run through the command line itself, on a
// small run: one peer, few schemas), and its merge step, applied to its shards, gives the report
// the unsharded run gives (the same cases with the same verdicts, the same exit code).
import t from 'tap';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cli } from './run-cli.js';
import { readReportDir } from '../report/merge.js';
import type { RunReport } from '../runner/result.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const workflow = readFileSync(join(root, 'examples', 'ci', 'thrift-conform.yml'), 'utf8');

/** Splits a shell command line into words (double-quoted words kept whole). */
function words(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!);
}

const env = Object.fromEntries(
  [...workflow.matchAll(/^ {2}([A-Z_]+): '([^']*)'$/gm)].map((m) => [m[1]!, m[2]!]),
);
const shards = (/shard: \[([\d, ]+)\]/.exec(workflow)?.[1] ?? '').split(',').map((s) => s.trim());
/** The workflow's `npx thrift-conform` lines, with its env and the given matrix shard filled in. */
const commands = (shard: string) =>
  [...workflow.matchAll(/npx thrift-conform (.+)$/gm)].map((m) =>
    words(
      m[1]!
        .replace(/\$\{\{ matrix\.shard \}\}/g, shard)
        .replace(/\$([A-Z_]+)/g, (_, k: string) => env[k] ?? `$${k}`),
    ),
  );

void t.test(
  'the workflow uses the tool’s real commands, and its merge is the whole run',
  async (t) => {
    t.equal(env.SHARDS, String(shards.length), 'SHARDS matches the matrix');
    const verbs = commands('1').map((c) => c[0]);
    t.same(verbs, ['setup', 'run', 'merge'], 'set up, run a shard, merge');
    const cwd = process.cwd();
    const base = mkdtempSync(join(tmpdir(), 'tc-workflow-'));
    process.chdir(base);
    t.teardown(() => process.chdir(cwd));
    // Small and fast, but through the workflow's own words: one peer, few schemas.
    const small = ['--peers', 'thriftrw-py', '--runs', '8', '--values', '2', '--no-shrink'];
    for (const shard of shards) {
      const run = commands(shard).find((c) => c[0] === 'run')!;
      t.match(run, ['run', '--seed', env.SEED, '--shard', `${shard}/${env.SHARDS}`]);
      const r = await cli([...run, ...small]);
      t.equal(r.code, 0, `shard ${shard}: ${r.out.split('\n').slice(-2).join(' ')}`);
    }
    // The artifacts of the shards land in shards/shard-N in the merge job.
    const merge = commands('1')
      .find((c) => c[0] === 'merge')!
      .map((w) => w.replace(/^shards\/shard-(\d+)$/, 'reports/shard-$1'));
    const merged = await cli(merge);
    const whole = await cli([
      'run',
      '--seed',
      env.SEED!,
      ...small,
      '--report-dir',
      join(base, 'whole'),
    ]);
    t.equal(merged.code, whole.code, 'the same exit code');
    const key = (r: RunReport) => r.results.map((x) => `${x.name} ${x.verdict}`).sort();
    const m = readReportDir(join(base, 'reports', 'merged'));
    const w = readReportDir(join(base, 'whole'));
    t.same(
      key(m),
      key(w),
      'the merged report holds every case of the whole run once, same verdicts',
    );
    t.equal(m.schemas, w.schemas, 'and counts the same schemas');
    t.same(
      m.peers.map((p) => [p.name, p.cases]),
      w.peers.map((p) => [p.name, p.cases]),
      'and the same cases per peer',
    );
  },
);
