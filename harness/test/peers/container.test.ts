// The KeyValue scenario (harness/scenarios/keyvalue.ts) against every default peer in a Docker
// container (harness/peers/container.ts), exactly as keyvalue.test.ts runs it against processes,
// plus: the containerized peer says hello with the same abilities as the process peer.
// Needs `bash scripts/docker-setup.sh` first; without Docker or the images these tests FAIL with
// what is missing (they never skip). Measured here (2 cores): container start → hello 0.2–0.95 s
// per peer with overlay2 (1.9–2.7 s with vfs); the whole file 3–6 s in tap (13–15 s with vfs).
import t from 'tap';
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { runKeyValueScenario } from '../../scenarios/keyvalue.js';
import {
  ContainerPeer,
  defaultContainerPeers,
  OWNER_LABEL,
  PEER_LABEL,
} from '../../peers/container.js';
import { ProcessPeer } from '../../peers/process.js';
import { defaultProcessPeers } from '../../peers/registry.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const run = promisify(execFile);
/** How long `docker ps` / `docker rm -f` may take when cleaning up (each is well under a second). */
const DOCKER_CLI_TIMEOUT_MS = 30_000;

/**
 * Removes containers of our peer images that this test process started and nobody stopped (not
 * another test file's, running at the same time).
 */
async function removeLeftovers(): Promise<string[]> {
  const opts = { timeout: DOCKER_CLI_TIMEOUT_MS };
  const ps = await run(
    'docker',
    [
      'ps',
      '-aq',
      '--filter',
      'label=org.testcontainers=true',
      '--filter',
      `label=${PEER_LABEL}`,
      '--filter',
      `label=${OWNER_LABEL}=${process.pid}`,
    ],
    opts,
  );
  const ids = ps.stdout.split('\n').filter((id) => id !== '');
  if (ids.length > 0) await run('docker', ['rm', '-f', ...ids], opts);
  return ids;
}

t.teardown(async () => {
  await removeLeftovers().catch(() => undefined); // no Docker: the tests below already failed
});

const processSpecs = new Map(defaultProcessPeers(root).map((s) => [s.name, s]));

for (const spec of await defaultContainerPeers(root)) {
  void t.test(`KeyValue scenario with ${spec.name} (container)`, async (t) => {
    const peer = await ContainerPeer.start(spec);
    t.teardown(() => peer.stop());
    t.equal(peer.info.name, spec.name, 'hello names the peer');
    t.comment(
      `${spec.name} ${peer.info.version} in ${spec.image}: container start → ready ` +
        `${peer.readyMs.toFixed(0)} ms, → hello ${peer.startMs.toFixed(0)} ms`,
    );
    const checks = await runKeyValueScenario(peer, root);
    // Over TChannel only (tchannel-node, tchannel-py): load and one step each way.
    const enveloped = peer.info.abilities.transports.some((x) => x !== 'tchannel');
    t.ok(checks.length >= (enveloped ? 8 : 3), `${checks.length} checks ran`);
    for (const c of checks)
      t.ok(c.ok, `${c.name}: ${c.detail}${c.known ? ` (known: ${c.known})` : ''}`);
    t.ok(
      checks.some((c) => c.name.includes(`${spec.name} client → our server`)),
      'the peer called our server',
    );
    t.ok(
      checks.some((c) => c.name.startsWith('our client →')),
      'we called the peer',
    );
  });

  void t.test(`${spec.name}: the container says hello as the process does`, async (t) => {
    const processSpec = processSpecs.get(spec.name);
    if (processSpec === undefined) throw new Error(`no process peer named ${spec.name}`);
    const container = await ContainerPeer.start(spec);
    t.teardown(() => container.stop());
    const proc = await ProcessPeer.start(processSpec);
    t.teardown(() => proc.stop());
    t.same(container.info.abilities, proc.info.abilities, 'same abilities');
    t.equal(container.info.version, proc.info.version, 'same library version');
    t.equal(container.info.compiler, proc.info.compiler, 'same compiler (apache-py)');
    // What bounds an invalid read (harness/invalid/check.ts): the host sees its processes.
    const used = await container.usage();
    t.ok(used !== undefined && used.rssBytes > 1024 ** 2, `resident: ${used?.rssBytes} bytes`);
    await container.kill();
    t.equal(await container.usage(), undefined, 'nothing after kill');
  });
}

void t.test('a missing image fails with what to do', async (t) => {
  await t.rejects(
    ContainerPeer.start({ name: 'apache-py', image: 'thrift-conform/apache-py:does-not-exist' }),
    /does not exist.*scripts\/docker-setup\.sh|Docker is not reachable/,
  );
});

void t.test('leftover containers are removed', async (t) => {
  // Runs after the tests above (tap runs a file's subtests in order): every peer stopped itself.
  t.same(await removeLeftovers(), [], 'no container of ours was left running');
});
