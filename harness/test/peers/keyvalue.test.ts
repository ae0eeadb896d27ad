// The KeyValue scenario (harness/scenarios/keyvalue.ts) against every default peer as a local
// process, both directions, every transport and envelope form the peer declares (TChannel for
// tchannel-node and tchannel-py: headers echoed, NotFoundError, an unknown method's error frame).
import t from 'tap';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runKeyValueScenario } from '../../scenarios/keyvalue.js';
import { ProcessPeer } from '../../peers/process.js';
import { defaultProcessPeers } from '../../peers/registry.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');

for (const spec of defaultProcessPeers(root)) {
  void t.test(`KeyValue scenario with ${spec.name} (process)`, async (t) => {
    const peer = await ProcessPeer.start(spec);
    t.teardown(() => peer.stop());
    t.equal(peer.info.name, spec.name, 'hello names the peer');
    t.comment(`${spec.name} ${peer.info.version}: hello after ${peer.startMs.toFixed(0)} ms`);
    const checks = await runKeyValueScenario(peer, root);
    const transports = peer.info.abilities.transports;
    // load, then per enveloped transport and envelope 2 steps + oneway + unknown method + the
    // peer's client; over TChannel one step each way.
    const enveloped = transports.some((x) => x !== 'tchannel');
    t.ok(checks.length >= (enveloped ? 8 : 3), `${checks.length} checks ran`);
    if (transports.includes('tchannel'))
      t.same(
        checks.filter((c) => c.name.includes('(tchannel)')).map((c) => c.name),
        [
          `our client → ${spec.name} server (tchannel)`,
          `${spec.name} client → our server (tchannel)`,
        ],
        'both directions ran over TChannel',
      );
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
}

void t.test('a failing step is reported, not thrown', async (t) => {
  const failing = {
    name: 'broken',
    info: {
      name: 'broken',
      version: '0',
      abilities: {
        protocols: [],
        transports: [],
        envelopes: { read: [], write: [] },
        dialect: 'apache',
        features: {},
      },
    },
    loadIdl: () => Promise.reject(new Error('IdlError: nope')),
  } as unknown as Parameters<typeof runKeyValueScenario>[0];
  const checks = await runKeyValueScenario(failing, root);
  t.same(checks, [{ name: 'load keyvalue.thrift', ok: false, detail: 'IdlError: nope' }]);
});
