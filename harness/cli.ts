/**
 * `thrift-conform`: the harness's command line.
 *
 *   thrift-conform run [--peers thriftrw-py,apache-py] [--seed N] [--schemas N] [--values N]
 *                      [--report-dir reports/run] [--strict-bytes] [--backend process|container]
 *   thrift-conform list
 *
 * Exit codes: 0 = conformant, 1 = mismatches or peer errors, 2 = the harness could not run (a peer
 * would not start, bad arguments). Not yet (next steps): replay, known-failures files, shrinking,
 * sharding and merge, a config file, --time-budget.
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Peer } from './peers/peer.js';
import { defaultProcessPeers, ProcessPeer } from './peers/process.js';
import { runReporter } from './report/index.js';
import type { CaseResult, PeerSummary, RunReport } from './runner/result.js';
import { runCases } from './runner/run.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const VERSION = '0.1.0';
const PEERS = ['thriftrw-py', 'apache-py'];

const HELP = `thrift-conform ${VERSION} — property-based Thrift conformance and interop runs

usage:
  thrift-conform run [options]   generate schemas and values, check our codec and every peer
  thrift-conform list            the peers and what they say they can do

run options:
  --peers a,b          peers to run against (default: ${PEERS.join(',')})
  --backend process    process (default) or container (images from scripts/docker-setup.sh)
  --seed N             fast-check seed (default: random, always printed)
  --schemas N          generated schemas (default 10)
  --values N           values per schema (default 20)
  --report-dir DIR     where results.jsonl, report.json, junit.xml, report.tap, summary.md and
                       report.html go (default reports/latest)
  --strict-bytes       fail allowed byte variants too (field order, set/map order, envelope form)

exit codes: 0 conformant, 1 mismatches or peer errors, 2 the harness could not run
`;

/** Starts the named peers with the chosen backend; rejects with the first start failure. */
async function startPeers(names: readonly string[], backend: string): Promise<Peer[]> {
  if (backend === 'container') {
    const { ContainerPeer, defaultContainerPeers } = await import('./peers/container.js');
    const specs = defaultContainerPeers(root).filter((s) => names.includes(s.name));
    return Promise.all(specs.map((s) => ContainerPeer.start(s)));
  }
  const specs = defaultProcessPeers(root).filter((s) => names.includes(s.name));
  return Promise.all(specs.map((s) => ProcessPeer.start(s)));
}

async function list(): Promise<number> {
  const peers = await startPeers(PEERS, 'process');
  try {
    for (const p of peers) {
      process.stdout.write(
        `${p.name} ${p.info.version} (${p.info.abilities.dialect} dialect)\n  ${JSON.stringify(p.info.abilities)}\n`,
      );
    }
  } finally {
    await Promise.all(peers.map((p) => p.stop()));
  }
  return 0;
}

async function run(args: string[]): Promise<number> {
  const { values: o } = parseArgs({
    args,
    options: {
      peers: { type: 'string', default: PEERS.join(',') },
      backend: { type: 'string', default: 'process' },
      seed: { type: 'string' },
      schemas: { type: 'string', default: '10' },
      values: { type: 'string', default: '20' },
      'report-dir': { type: 'string', default: join('reports', 'latest') },
      'strict-bytes': { type: 'boolean', default: false },
    },
  });
  const names = o.peers.split(',').filter(Boolean);
  const unknown = names.filter((n) => !PEERS.includes(n));
  if (unknown.length)
    throw new UsageError(`unknown peer ${unknown.join(', ')}; known: ${PEERS.join(', ')}`);
  if (o.backend !== 'process' && o.backend !== 'container')
    throw new UsageError(`--backend must be process or container`);
  const seed = o.seed === undefined ? Date.now() % 2 ** 31 : Number(o.seed);
  const schemas = Number(o.schemas);
  const valuesPerSchema = Number(o.values);
  for (const [k, v] of [
    ['--seed', seed],
    ['--schemas', schemas],
    ['--values', valuesPerSchema],
  ] as const) {
    if (!Number.isInteger(v) || v < 0) throw new UsageError(`${k} must be a non-negative integer`);
  }
  const dir = resolve(o['report-dir']);
  const command = `thrift-conform run --peers ${names.join(',')} --backend ${o.backend} --seed ${seed} --schemas ${schemas} --values ${valuesPerSchema}${o['strict-bytes'] ? ' --strict-bytes' : ''}`;
  process.stdout.write(`${command}\nseed ${seed}; reports in ${dir}\n`);

  let peers: Peer[];
  try {
    peers = await startPeers(names, o.backend);
  } catch (e) {
    process.stdout.write(
      `could not start the peers: ${e instanceof Error ? e.message : String(e)}\n`,
    );
    return 2;
  }
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  const reporter = runReporter(dir);
  const peerStarts = peers.map((p) => ({
    name: p.name,
    version: p.info.version,
    backend: o.backend as 'process' | 'container',
    startMs: (p as { startMs?: number }).startMs ?? 0,
  }));
  await reporter.onStart({
    schemaVersion: 1,
    tool: { name: 'thrift-conform', version: VERSION },
    startedAt,
    seed,
    command,
    peers: peerStarts,
  });
  const counts = new Map<string, number>();
  const pending: Promise<void>[] = [];
  let results: CaseResult[] = [];
  try {
    results = await runCases({
      peers,
      seed,
      schemas,
      valuesPerSchema,
      strictBytes: o['strict-bytes'],
      onResult: (r) => {
        pending.push(Promise.resolve(reporter.onResult(r)));
        counts.set(r.verdict, (counts.get(r.verdict) ?? 0) + 1);
        if (r.verdict === 'mismatch' || r.verdict === 'peer-error')
          process.stdout.write(`${r.verdict}: ${r.name}: ${r.summary}\n`);
      },
    });
  } finally {
    await Promise.all(peers.map((p) => p.stop()));
  }
  await Promise.all(pending);
  const durationMs = performance.now() - t0;
  const summaries: PeerSummary[] = peerStarts.map((p) => {
    const n = results.filter((r) => r.peer === p.name).length;
    return { ...p, cases: n, casesPerSecond: n / (durationMs / 1000) };
  });
  const failed = results.some((r) => r.verdict === 'mismatch' || r.verdict === 'peer-error');
  const report: RunReport = {
    schemaVersion: 1,
    tool: { name: 'thrift-conform', version: VERSION },
    startedAt,
    durationMs,
    seed,
    command,
    peers: summaries,
    results,
    staleKnownFailures: [],
    exitCode: failed ? 1 : 0,
  };
  await reporter.onEnd(report);
  for (const s of summaries)
    process.stdout.write(`${s.name}: ${s.cases} cases, ${s.casesPerSecond.toFixed(0)}/s\n`);
  process.stdout.write(
    `${[...counts].map(([k, n]) => `${n} ${k}`).join(', ')} in ${(durationMs / 1000).toFixed(1)} s\n`,
  );
  process.stdout.write(failed ? 'NOT conformant\n' : 'conformant\n');
  return report.exitCode;
}

class UsageError extends Error {}

/** Runs the command line `argv` (without node and the script) and resolves with the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    if (cmd === 'run') return await run(rest);
    if (cmd === 'list') return await list();
    process.stdout.write(HELP);
    return cmd === undefined || cmd === '--help' || cmd === 'help' ? 0 : 2;
  } catch (e) {
    process.stdout.write(
      `thrift-conform: ${e instanceof Error ? e.message : String(e)}\n${e instanceof UsageError ? '\n' + HELP : ''}`,
    );
    return 2;
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
