// The runner's core against the real peers (fixed seed, small): every property runs for every
// peer, our codec round-trips every value, and no comparison is a real mismatch. A peer wrapper
// that flips one byte of what it sends back shows that a fault is caught and explained.
import t from 'tap';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCases } from '../../runner/run.js';
import { defaultProcessPeers, ProcessPeer } from '../../peers/process.js';
import type { Peer } from '../../peers/peer.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const seed = Number(process.env.FC_SEED ?? 20261121);
t.comment(`runner seed ${seed} (replay with FC_SEED=${seed})`);

void t.test('every property, every peer; no real mismatch', async (t) => {
  const peers = await Promise.all(defaultProcessPeers(root).map((s) => ProcessPeer.start(s)));
  t.teardown(() => Promise.all(peers.map((p) => p.stop())));
  const seen: string[] = [];
  const results = await runCases({
    peers,
    seed,
    schemas: 3,
    valuesPerSchema: 8,
    onResult: (r) => seen.push(r.name),
  });
  t.equal(seen.length, results.length, 'onResult saw every result as it came');
  const props = new Set(results.map((r) => `${r.peer}/${r.property}`));
  for (const p of ['thriftrw-py', 'apache-py']) {
    for (const prop of ['peer-roundtrip', 'our-client-peer-server', 'peer-client-our-server'])
      t.ok(props.has(`${p}/${prop}`), `${p} ${prop} ran`);
  }
  t.ok(
    results.filter((r) => r.property === 'codec-roundtrip').every((r) => r.verdict === 'identical'),
    'our codec round-trips every value',
  );
  const bad = results.filter((r) => r.verdict === 'mismatch' || r.verdict === 'peer-error');
  t.same(
    bad.map((r) => `${r.name}: ${r.summary}`),
    [],
    'no mismatch and no peer error',
  );
  t.ok(
    results.every((r) => r.idl !== undefined && r.valueJson !== undefined),
    'every result carries its IDL and value',
  );
});

void t.test('a fault in what a peer sends back is caught and named', async (t) => {
  const [spec] = defaultProcessPeers(root).filter((s) => s.name === 'thriftrw-py');
  const real = await ProcessPeer.start(spec!);
  t.teardown(() => real.stop());
  // Flips the last byte before the final STOP of every re-encoded value.
  const faulty = Object.create(real) as Peer & { roundtrip: Peer['roundtrip'] };
  Object.defineProperty(faulty, 'name', { value: 'faulty' });
  faulty.roundtrip = async (module, type, bytes) => {
    const r = await real.roundtrip(module, type, bytes);
    const b = Uint8Array.from(r.bytes);
    if (b.length >= 2) b[b.length - 2] = b[b.length - 2]! ^ 0x01;
    return { ...r, bytes: b };
  };
  const results = await runCases({ peers: [faulty], seed, schemas: 1, valuesPerSchema: 4 });
  const rt = results.filter((r) => r.property === 'peer-roundtrip');
  t.ok(rt.length > 0);
  t.ok(
    rt.every((r) => r.verdict === 'mismatch'),
    'every corrupted round trip is a mismatch',
  );
  t.ok(
    rt.every((r) => (r.byteDiff?.length ?? 0) > 0 && r.summary.length > 0),
    'with a byte diff and a summary',
  );
  t.comment(rt[0]!.summary);
});
