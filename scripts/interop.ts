/**
 * `npm run interop`: a real interop run against the default peers (Python thriftrw and Apache
 * Thrift, as local processes). For each peer:
 *   1. the KeyValue scenario in both directions over real sockets (harness/scenarios/keyvalue.ts);
 *   2. value round trips: generated values of every struct of idl/interop.thrift are encoded by our
 *      codec, decoded and re-encoded by the peer's library, and compared by meaning and by bytes.
 * Prints what it found. Exit code: 0 = the KeyValue scenario passed everywhere (value findings are
 * reported: gating on them is the job of `thrift-conform run` with its known-failures lists),
 * 1 = a KeyValue step failed, 2 = a peer could not be started.
 *
 * Options: --seed N (default 1), --runs N values per type (default 25), --peers a,b.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { compile } from '../codec/src/index.js';
import type { StructClass, ThriftModule } from '../codec/src/index.js';
import { structArb } from '../harness/arbitraries/values.js';
import { fromPeerJson } from '../harness/peers/json-values.js';
import { PeerError } from '../harness/peers/peer.js';
import { defaultProcessPeers, ProcessPeer } from '../harness/peers/process.js';
import { runKeyValueScenario } from '../harness/scenarios/keyvalue.js';

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

type Outcome = 'identical' | 'same meaning, other bytes' | 'mismatch' | 'peer error';
interface Finding {
  readonly type: string;
  readonly outcome: Outcome;
  readonly detail: string;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
function firstDiff(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return i;
  return Math.min(a.length, b.length);
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
    const values = fc.sample(structArb(C.__spec__, { maxLength: 3, maxDepth: 3 }), {
      seed,
      numRuns: runs,
    });
    for (const v of values) {
      const bytes = ours.dumps(v);
      let back: { value: unknown; bytes: Uint8Array };
      try {
        back = await peer.roundtrip(mod, name, bytes);
      } catch (e) {
        if (!(e instanceof PeerError)) throw e;
        findings.push({
          type: name,
          outcome: 'peer error',
          detail: `${e.type}: ${e.message.split('\n')[0]} — our bytes ${hex(bytes)}`,
        });
        continue;
      }
      let meaning = false;
      try {
        meaning = ours.equals(fromPeerJson(C.__spec__, back.value as never), v);
      } catch {
        meaning = false;
      }
      if (!meaning) {
        findings.push({
          type: name,
          outcome: 'mismatch',
          detail: `the peer read ${JSON.stringify(back.value)} from ${hex(bytes)}; we wrote ${String(v)}`,
        });
      } else if (hex(back.bytes) === hex(bytes)) {
        findings.push({ type: name, outcome: 'identical', detail: '' });
      } else {
        let same = false;
        try {
          same = ours.equals(ours.loads(C, back.bytes), v);
        } catch {
          same = false;
        }
        const at = firstDiff(bytes, back.bytes);
        findings.push({
          type: name,
          outcome: same ? 'same meaning, other bytes' : 'mismatch',
          detail: `bytes differ from offset ${at}: ours …${hex(bytes.subarray(at, at + 12))}… peer …${hex(back.bytes.subarray(at, at + 12))}…${same ? '' : ' and our codec reads the peer’s bytes as another value'}`,
        });
      }
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
    const t0 = performance.now();
    const findings = await roundTrips(peer);
    const secs = (performance.now() - t0) / 1000;
    const counts = new Map<Outcome, number>();
    for (const f of findings) counts.set(f.outcome, (counts.get(f.outcome) ?? 0) + 1);
    log(
      `value round trips: ${findings.length} in ${secs.toFixed(1)} s (${(findings.length / secs).toFixed(0)}/s): ${[...counts].map(([k, n]) => `${n} ${k}`).join(', ')}`,
    );
    const shown = new Set<string>();
    for (const f of findings) {
      if (f.outcome === 'identical') continue;
      const key = `${f.type}/${f.outcome}`;
      if (shown.has(key)) continue;
      shown.add(key);
      log(`  ${f.outcome}: ${f.type}: ${f.detail}`);
    }
  } finally {
    await peer.stop();
  }
}
log(exit === 0 ? '\nKeyValue scenario passed against every peer.' : `\nexit ${exit}`);
process.exit(exit);
