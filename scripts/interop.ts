/**
 * `npm run interop`: a real interop run against the default peers (Python thriftrw and Apache
 * Thrift, as local processes). For each peer:
 *   1. the KeyValue scenario in both directions over real sockets (harness/scenarios/keyvalue.ts);
 *   2. value round trips: generated values of every struct of idl/interop.thrift are encoded by our
 *      codec, decoded and re-encoded by the peer's library, and compared by meaning and by bytes.
 * Then the default conformance run (`thrift-conform run`, random schemas and values against every
 * peer, gated by cases/known-failures, reports in reports/interop).
 * Prints what it found. Exit code: the worse of the two parts — 0 = the KeyValue scenario passed
 * everywhere and the conformance run is conformant (known failures allowed), 1 = a KeyValue step
 * failed or the run found mismatches, 2 = a peer could not be started.
 *
 * Options: --seed N (default 1), --runs N values per type (default 25), --peers a,b; the
 * conformance run uses --seed too.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { compile } from '../codec/src/index.js';
import type { StructClass, ThriftModule } from '../codec/src/index.js';
import { structArb } from '../harness/arbitraries/values.js';
import { classify } from '../harness/diff/classify.js';
import { fromPeerJson } from '../harness/peers/json-values.js';
import type { Json } from '../harness/peers/json-values.js';
import type { Verdict } from '../harness/runner/result.js';
import { ProcessPeer } from '../harness/peers/process.js';
import { defaultProcessPeers } from '../harness/peers/registry.js';
import { runKeyValueScenario } from '../harness/scenarios/keyvalue.js';
import { schemaNeeds, whyNot } from '../harness/runner/schedule.js';
import { main as conform } from '../harness/cli.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values: opts } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' },
    runs: { type: 'string', default: '25' },
    peers: { type: 'string' },
  },
});
const seed = Number(opts.seed);
const runs = Number(opts.runs);
const wanted = opts.peers?.split(',');

interface Finding {
  readonly type: string;
  readonly verdict: Verdict;
  readonly summary: string;
  readonly fingerprint: string;
}

const IDL = readFileSync(join(root, 'idl/interop.thrift'), 'utf8');
const ours: ThriftModule = compile(IDL, { file: 'interop.thrift' });
const types = Object.entries(ours.__types__).filter(
  (e): e is [string, StructClass] => typeof e[1] === 'function' && '__spec__' in e[1],
);

async function roundTrips(peer: ProcessPeer): Promise<Finding[]> {
  const mod = await peer.loadIdl({ 'interop.thrift': IDL }, 'interop.thrift');
  const findings: Finding[] = [];
  for (const [name, C] of types) {
    const spec = C.__spec__;
    const values = fc.sample(structArb(spec, { maxLength: 3, maxDepth: 3 }), {
      seed,
      numRuns: runs,
    });
    for (const v of values) {
      const ourBytes = ours.dumps(v);
      let input: Parameters<typeof classify>[0];
      try {
        const back = await peer.roundtrip(mod, name, ourBytes);
        input = {
          spec,
          wanted: v,
          got: fromPeerJson(spec, back.value as Json),
          ourBytes,
          theirBytes: back.bytes,
        };
      } catch (e) {
        if (!(e instanceof Error)) throw e;
        input = { spec, wanted: v, peerError: e, ourBytes };
      }
      const c = classify(input);
      findings.push({
        type: name,
        verdict: c.verdict,
        summary: c.summary,
        fingerprint: c.fingerprint,
      });
    }
  }
  return findings;
}

let exit = 0;
const log = (s = '') => process.stdout.write(`${s}\n`);
log(
  `thrift-conform interop: seed ${seed}, ${runs} values per type, ${types.length} types of idl/interop.thrift`,
);
for (const spec of defaultProcessPeers(root).filter((p) => !wanted || wanted.includes(p.name))) {
  log(`\n## ${spec.name}`);
  let peer: ProcessPeer;
  try {
    peer = await ProcessPeer.start(spec);
  } catch (e) {
    log(`could not start: ${e instanceof Error ? e.message : String(e)}`);
    exit = 2;
    continue;
  }
  try {
    log(`${peer.info.name} ${peer.info.version}, hello after ${peer.startMs.toFixed(0)} ms`);
    const checks = await runKeyValueScenario(peer, root);
    for (const c of checks)
      log(
        `${c.ok ? 'ok    ' : 'FAILED'} KeyValue: ${c.name}: ${c.detail}${c.known ? `\n         known incompatibility: ${c.known}` : ''}`,
      );
    if (checks.some((c) => !c.ok)) exit = Math.max(exit, 1);
    // idl/interop.thrift goes to the peer only when its abilities and names allow (as in runs).
    const why = whyNot(peer, schemaNeeds({ 'interop.thrift': IDL }));
    if (why !== undefined) {
      log(`value round trips: not given (idl/interop.thrift needs what it cannot do: ${why})`);
      continue;
    }
    const t0 = performance.now();
    let findings: Finding[];
    try {
      findings = await roundTrips(peer);
    } catch (e) {
      log(`FAILED value round trips: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
      exit = Math.max(exit, 1);
      continue;
    }
    const secs = (performance.now() - t0) / 1000;
    const counts = new Map<Verdict, number>();
    for (const f of findings) counts.set(f.verdict, (counts.get(f.verdict) ?? 0) + 1);
    log(
      `value round trips: ${findings.length} in ${secs.toFixed(1)} s (${(findings.length / secs).toFixed(0)}/s): ${[...counts].map(([k, n]) => `${n} ${k}`).join(', ')}`,
    );
    const shown = new Set<string>();
    for (const f of findings) {
      if (f.verdict === 'identical' || shown.has(f.fingerprint)) continue;
      shown.add(f.fingerprint);
      log(`  ${f.verdict}: ${f.type}: ${f.summary}`);
    }
  } finally {
    await peer.stop();
  }
}
log(exit === 0 ? '\nKeyValue scenario passed against every peer.' : `\nKeyValue: exit ${exit}`);

log('\n== conformance run (thrift-conform run) ==');
const run = await conform([
  'run',
  '--seed',
  String(seed),
  '--report-dir',
  join(root, 'reports', 'interop'),
  ...(wanted ? ['--peers', wanted.join(',')] : []),
]);
exit = Math.max(exit, run);
log(`\nexit ${exit}`);
process.exit(exit);
