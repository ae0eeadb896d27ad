/**
 * `npm run bench:peers`: how fast the harness checks cases against each peer, measured three ways
 * on the same seed, and printed against the targets (issue: at least 500 cases/s for each Python
 * or Node peer; a default run against every peer in at most 3 minutes with at least 1,000 cases
 * for each):
 *
 *   1. steady: one peer alone, 4 schemas x 150 values (the per-case cost: the control channel,
 *      batches, RPC both ways);
 *   2. default shape: one peer alone, 20 schemas x 12 values (per-case and per-schema costs, as a
 *      default run has them; per-schema cost = load_idl, servers, clients);
 *   3. the default run: every selected peer together, DEFAULT_RUNS schemas x 12 values, no corpus, no
 *      shrinking (what `npm run conform -- run` costs on this machine).
 *
 * A case is one value checked with every property that applies to the peer (up to four checks).
 * The machine is shared and noisy: rerun before drawing conclusions.
 *
 * Options: --peers a,b (default: the default peers), --seed N (default 1), --skip-default-run.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Peer } from '../harness/peers/peer.js';
import { discoverPeers, startPeer, startPeers } from '../harness/peers/registry.js';
import { DEFAULT_RUNS, runCases } from '../harness/runner/run.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values: o } = parseArgs({
  options: {
    peers: { type: 'string' },
    seed: { type: 'string', default: '1' },
    'skip-default-run': { type: 'boolean', default: false },
  },
});
const registry = discoverPeers(root);
const names = o.peers?.split(',') ?? registry.defaults;
const seed = Number(o.seed);
/** The per-case target for interpreted peers (Python, JavaScript). */
const TARGET_CASES_PER_S = 500;
/** The default run's target. */
const TARGET_DEFAULT_RUN_S = 180;
const INTERPRETED = new Set(['python', 'js', 'javascript', 'node']);

const log = (s: string) => process.stdout.write(s + '\n');

/** Cases per second of `peer` alone over `runs` schemas x `values` values. */
async function rate(peer: Peer, runs: number, values: number) {
  const out = await runCases({ peers: [peer], seed, runs, values, shrink: false });
  const cases = out.casesPerPeer[peer.name] ?? 0;
  return { cases, seconds: out.sweepMs / 1000, perSecond: cases / (out.sweepMs / 1000) };
}

log(`peer benchmark, seed ${seed}: ${names.join(', ')}`);
log('peer                 steady cases/s   default-shape cases/s   ms per schema   target');
for (const name of names) {
  const m = registry.get(name);
  let peer: Peer;
  try {
    peer = await startPeer(m, 'process', root);
  } catch (e) {
    log(`${name.padEnd(20)} could not start: ${(e as Error).message}`);
    continue;
  }
  try {
    await rate(peer, 1, 12); // warm-up: first load, JIT, caches
    const steady = await rate(peer, 4, 150);
    const shape = await rate(peer, 20, 12);
    // What a schema costs beyond its cases: the default shape's time minus its cases at the
    // steady rate, per schema.
    const perSchemaMs = Math.max(0, (shape.seconds - shape.cases / steady.perSecond) * 1000) / 20;
    const interpreted = INTERPRETED.has(m.language.toLowerCase());
    const target = interpreted
      ? `${(steady.perSecond / TARGET_CASES_PER_S).toFixed(2)}x of ${TARGET_CASES_PER_S}/s`
      : 'compiled: per-schema cost';
    log(
      `${name.padEnd(20)} ${steady.perSecond.toFixed(0).padStart(14)}   ${shape.perSecond.toFixed(0).padStart(21)}   ${perSchemaMs.toFixed(0).padStart(13)}   ${target}`,
    );
  } finally {
    await peer.stop();
  }
}

if (!o['skip-default-run']) {
  const peers = await startPeers(
    names.map((n) => registry.get(n)),
    'process',
    root,
  );
  try {
    const t0 = performance.now();
    const out = await runCases({ peers, seed, runs: DEFAULT_RUNS, values: 12, shrink: false });
    const secs = (performance.now() - t0) / 1000;
    log(
      `\ndefault run (${DEFAULT_RUNS} schemas x 12 values, every peer above together): ${secs.toFixed(1)} s (target ${TARGET_DEFAULT_RUN_S} s: ${(secs / TARGET_DEFAULT_RUN_S).toFixed(2)}x)`,
    );
    for (const p of peers) {
      const n = out.casesPerPeer[p.name] ?? 0;
      const skipped = Object.values(out.notGiven[p.name] ?? {}).reduce((a, b) => a + b, 0);
      log(
        `  ${p.name.padEnd(20)} ${String(n).padStart(5)} cases (${(n / secs).toFixed(0)}/s)${n < 1000 ? ' < 1,000' : ''}; ${skipped} not given`,
      );
    }
  } finally {
    await Promise.all(peers.map((p) => p.stop()));
  }
}
