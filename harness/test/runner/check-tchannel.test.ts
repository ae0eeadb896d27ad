// The RPC properties over TChannel (harness/runner/check.ts): a peer whose transports include
// `tchannel` gets one TChannel wire (no envelope, binary only) for our-client-peer-server and
// peer-client-our-server; its case names leave the envelope out; and the
// echo checks run over real TChannel both ways against tchannel-node and tchannel-py (our
// TChannelClient → their server, their client → our TChannelServer).
import t from 'tap';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  checkValue,
  OurServers,
  PeerSession,
  peerSupports,
  TCHANNEL_WIRE,
  wireText,
  wiresFor,
} from '../../runner/check.js';
import { compileSchema } from '../../runner/cases.js';
import { OUR_CODEC } from '../../runner/codec.js';
import { caseName } from '../../runner/run.js';
import { ProcessPeer } from '../../peers/process.js';
import { discoverPeers, processSpecOf } from '../../peers/registry.js';
import type { Abilities, Peer } from '../../peers/peer.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');

/** A peer that only has abilities (wire choice reads nothing else). */
function peerWith(transports: Abilities['transports'], write: ('strict' | 'nonstrict')[]): Peer {
  const abilities: Abilities = {
    protocols: ['binary', 'compact'],
    transports,
    envelopes: { read: ['strict'], write },
    dialect: 'thriftrw',
    features: {},
  };
  return { name: 'p', info: { name: 'p', version: '1', abilities } } as unknown as Peer;
}

void t.test('a TChannel-only peer gets one TChannel wire, binary only', async (t) => {
  const p = peerWith(['tchannel'], []);
  t.same(wiresFor(p, 'our-client-peer-server'), [{ transport: 'tchannel' }]);
  t.same(wiresFor(p, 'peer-client-our-server'), [{ transport: 'tchannel' }]);
  t.same(wiresFor(p, 'our-client-peer-server', 'compact'), [], 'no compact over TChannel');
  t.same(wiresFor(p, 'peer-roundtrip'), [], 'no wire for a roundtrip');
  t.ok(peerSupports(p, 'our-client-peer-server', TCHANNEL_WIRE));
  t.notOk(peerSupports(p, 'our-client-peer-server', TCHANNEL_WIRE, 'compact'));
  t.notOk(peerSupports(p, 'our-client-peer-server', { transport: 'framed', envelope: 'strict' }));
});

void t.test('a peer with framed and tchannel: every enveloped wire, then TChannel', async (t) => {
  const p = peerWith(['framed', 'tchannel'], ['strict', 'nonstrict']);
  t.same(
    wiresFor(p, 'peer-client-our-server').map((w) => wireText(w)),
    ['framed strict', 'framed nonstrict', 'tchannel'],
  );
  t.notOk(
    peerSupports(peerWith(['framed'], ['strict']), 'our-client-peer-server', TCHANNEL_WIRE),
    'a peer without tchannel does not take the TChannel wire',
  );
});

void t.test('case names over TChannel have no envelope part', async (t) => {
  t.equal(
    caseName('tchannel-py', 'our-client-peer-server', TCHANNEL_WIRE, 's3/Foo#7'),
    'binary/tchannel/peer:tchannel-py/our-client-peer-server/s3/Foo#7',
  );
  t.equal(
    caseName(
      'x',
      'peer-client-our-server',
      { transport: 'framed', envelope: 'nonstrict' },
      's1/A#0',
    ),
    'binary/framed/nonstrict/peer:x/peer-client-our-server/s1/A#0',
  );
  t.equal(wireText(TCHANNEL_WIRE, ', '), 'tchannel');
});

const IDL = `struct P {
  1: optional i32 x,
  2: optional string s,
  3: optional list<i64> l,
  4: optional map<string, binary> m,
}

service Echo {
  P echoP(1: P v),
}
`;

const tchannelPeers = discoverPeers(root).all.filter(
  (m) => m.default && m.process && m.abilities.transports.includes('tchannel'),
);

void t.test('the TChannel peers are default peers', async (t) => {
  t.same(tchannelPeers.map((m) => m.name).sort(), ['tchannel-node', 'tchannel-py']);
});

for (const m of tchannelPeers) {
  void t.test(`echo over TChannel with ${m.name}, both ways`, async (t) => {
    const peer = await ProcessPeer.start(processSpecOf(m, root));
    t.teardown(() => peer.stop());
    const schema = compileSchema({ 'generated.thrift': IDL });
    const P = schema.classes.get('P')!;
    const session = await PeerSession.open(peer, schema);
    const servers = new OurServers(schema);
    t.teardown(async () => {
      session.close();
      await servers.close();
    });
    const values = [
      new P({}),
      new P({ x: -1, s: 'héllo', l: [-(2n ** 63n), 2n ** 53n + 1n] }),
      new P({ m: new Map([['k', new Uint8Array([0, 255])]]) }),
    ];
    for (const property of ['our-client-peer-server', 'peer-client-our-server'] as const) {
      const [wire] = wiresFor(peer, property);
      t.same(wire, TCHANNEL_WIRE, `${property}: the TChannel wire`);
      for (const [i, v] of values.entries()) {
        const o = await checkValue(
          { schema, codec: OUR_CODEC, session, servers },
          property,
          'P',
          v,
          wire,
        );
        t.equal(o.verdict, 'identical', `${property} value ${i}: ${o.summary}`);
      }
    }
  });
}
