// The same seed gives the same verdicts whichever backend runs the peers: one seeded run with the
// corpus (it holds cases whose fingerprint needs what the peer printed, e.g.
// apache-field-shadows-method) against apache-py and thriftrw-py as local processes and in
// Docker containers; every case name must come out with the same verdict and fingerprint.
// Needs `bash scripts/docker-setup.sh` first; without Docker or the images this test FAILS with
// what is missing (it never skips).
import t from 'tap';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { listBundles, readBundle } from '../../runner/bundle.js';
import { loadKnownFailuresFor, readerOf } from '../../runner/known-failures.js';
import { runCases } from '../../runner/run.js';
import { ContainerPeer, defaultContainerPeers } from '../../peers/container.js';
import { ProcessPeer } from '../../peers/process.js';
import { defaultProcessPeers } from '../../peers/registry.js';
import type { Peer } from '../../peers/peer.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const seed = Number(process.env.FC_SEED ?? 2);
t.comment(`backends seed ${seed} (FC_SEED=${seed})`);
const NAMES = ['apache-py', 'thriftrw-py'];

async function runWith(peers: Peer[]): Promise<Map<string, string>> {
  try {
    const out = await runCases({
      peers,
      seed,
      runs: 6,
      values: 4,
      shrink: false,
      corpus: listBundles(join(root, 'cases', 'corpus')).map(readBundle),
      knownFailures: loadKnownFailuresFor(join(root, 'cases', 'known-failures'), [
        { name: 'ours' },
        ...peers.map((p) => readerOf(p.manifest!)),
      ]),
    });
    return new Map(out.results.map((r) => [r.name, `${r.verdict} ${r.fingerprint ?? ''}`]));
  } finally {
    await Promise.all(peers.map((p) => p.stop()));
  }
}

void t.test('one seed, both backends, the same verdicts', async (t) => {
  const processSpecs = defaultProcessPeers(root).filter((s) => NAMES.includes(s.name));
  const containerSpecs = (await defaultContainerPeers(root)).filter((s) => NAMES.includes(s.name));
  t.equal(containerSpecs.length, NAMES.length, 'both peers have a container');
  const byProcess = await runWith(await Promise.all(processSpecs.map((s) => ProcessPeer.start(s))));
  const byContainer = await runWith(
    await Promise.all(containerSpecs.map((s) => ContainerPeer.start(s))),
  );
  t.ok(byProcess.size > 100, `${byProcess.size} results`);
  const differ: string[] = [];
  for (const name of new Set([...byProcess.keys(), ...byContainer.keys()]))
    if (byProcess.get(name) !== byContainer.get(name))
      differ.push(
        `${name}\n  process:   ${byProcess.get(name) ?? '(none)'}\n  container: ${byContainer.get(name) ?? '(none)'}`,
      );
  t.same(differ, [], 'every case has the same verdict and fingerprint in both backends');
  t.ok(
    [...byProcess.keys()].some((n) => n.includes('corpus:apache-field-shadows-method')),
    'the corpus case whose fingerprint needs the peer’s stderr ran',
  );
});
