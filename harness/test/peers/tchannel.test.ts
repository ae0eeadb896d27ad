// The TChannel extension of the control protocol (peers/README.md, "TChannel") on the peers that
// speak it (tchannel-node, tchannel-py), as local processes: `ttlMs` reaches the wire (a call to a
// slow handler times out as tchannelError Timeout 0x01), an unknown TChannel service name,
// `headers` that are not strings, a framed transport and a oneway call are refused as documented.
import t from 'tap';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile } from '../../../codec/src/index.js';
import type { ServiceObject, StructClass } from '../../../codec/src/index.js';
import { TChannelClient } from '../../../rpc/src/tchannel/client.js';
import { TChannelError } from '../../../rpc/src/tchannel/errors.js';
import { TChannelServer } from '../../../rpc/src/tchannel/server.js';
import { keyValueIdl } from '../../scenarios/keyvalue.js';
import { ProcessPeer } from '../../peers/process.js';
import { PeerError } from '../../peers/peer.js';
import { defaultProcessPeers } from '../../peers/registry.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const idl = keyValueIdl(root);
const ours = compile(idl.ours, { file: 'keyvalue.thrift' });
const KeyValue = ours.KeyValue as ServiceObject;
const NotFoundError = ours.NotFoundError as StructClass;

const specs = defaultProcessPeers(root).filter((s) =>
  ['tchannel-node', 'tchannel-py'].includes(s.name),
);

void t.test('both TChannel peers are default peers', async (t) => {
  t.same(specs.map((s) => s.name).sort(), ['tchannel-node', 'tchannel-py']);
});

for (const spec of specs) {
  void t.test(`${spec.name}: the TChannel options of call and serve`, async (t) => {
    const peer = await ProcessPeer.start(spec);
    t.teardown(() => peer.stop());
    t.same(peer.info.abilities.transports, ['tchannel'], 'TChannel is its only transport');
    const mod = await peer.loadIdl({ 'keyvalue.thrift': idl.peer }, 'keyvalue.thrift');

    // ttlMs: our handler answers after 1.5 s; a call with a 200 ms TTL gives up first.
    const server = new TChannelServer({ serviceName: 'slow' }).register(ours, KeyValue, {
      async get() {
        await new Promise((r) => setTimeout(r, 1500));
        throw new NotFoundError({ key: 'late' });
      },
      put: () => undefined,
      fire: () => undefined,
      nope: () => 'never',
    });
    const port = await server.listen();
    t.teardown(() => server.close());
    const started = Date.now();
    const slow = await peer.call(mod, 'KeyValue', 'get', { key: 'k' }, port, {
      transport: 'tchannel',
      tchannelService: 'slow',
      ttlMs: 200,
    });
    const took = Date.now() - started;
    t.match(slow, { tchannelError: { code: 0x01, type: 'Timeout' } }, 'a Timeout (0x01)');
    t.ok(took < 1400, `the client gave up after ${took} ms, before the handler answered`);

    // Parameters the peer refuses.
    const refused = async (settings: object, fn = 'get') =>
      peer.call(mod, 'KeyValue', fn, { key: 'k' }, port, settings).then(
        () => 'answered',
        (e: unknown) => (e instanceof PeerError ? e.type : String(e)),
      );
    t.equal(
      await refused({ transport: 'tchannel', headers: { n: 1 } }),
      'BadRequest',
      'headers must be strings',
    );
    t.equal(await refused({ transport: 'framed' }), 'Unsupported', 'no framed transport');
    t.equal(await refused({ transport: 'tchannel' }, 'fire'), 'Unsupported', 'no oneway calls');

    // The peer's server under a TChannel service name of our choice.
    const served = await peer.serve(mod, 'KeyValue', {
      transport: 'tchannel',
      tchannelService: 'kv-test',
      impl: 'keyvalue',
    });
    const right = await TChannelClient.connect(ours, KeyValue, served, '127.0.0.1', {
      serviceName: 'kv-test',
    });
    t.teardown(() => right.close());
    await right.call('put', { key: 'a', value: 'b' });
    t.same((await right.call('get', { key: 'a' }, { headers: { h: 'v' } })).headers, { h: 'v' });
    const wrong = await TChannelClient.connect(ours, KeyValue, served, '127.0.0.1', {
      serviceName: 'not-kv-test',
    });
    t.teardown(() => wrong.close());
    const other = await wrong.call('get', { key: 'a' }).catch((e: unknown) => e);
    if (spec.name === 'tchannel-node')
      t.ok(
        other instanceof TChannelError && other.code === 0x06,
        `another service name is a BadRequest error frame: ${String(other)}`,
      );
    else
      t.same(
        other,
        { result: 'b', headers: {} },
        'tchannel-py does not check the service name: the call reaches the KeyValue handlers',
      );
  });
}
