// The envelope rows of the invalid-input matrix over real sockets: our ThriftServer and
// ThriftClient against every case, then two real peers as processes (Apache Thrift 0.17's Python
// and Go libraries) against the whole set. Every outcome asserted for a peer was first observed,
// then checked against the library's source (cited beside it); outcomes that depend on timing
// inside a library are not asserted.
import t from 'tap';
import { connect, createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runEnvelopeMatrix } from '../../invalid/envelopes.js';
import type { EnvelopeMatrix } from '../../invalid/envelopes.js';
import type { MatrixCell, MatrixRow } from '../../invalid/model.js';
import { ProcessPeer } from '../../peers/process.js';
import { defaultProcessPeers } from '../../peers/registry.js';
import type { Peer, PeerInfo } from '../../peers/peer.js';
import { PeerError } from '../../peers/peer.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const BOUND_MS = 2000;

/** The cell of `reader` in the row of `kind` for `form` (`<protocol>/<transport>-<envelope>`). */
function cell(m: EnvelopeMatrix, form: string, kind: string, reader: string): MatrixCell {
  const [protocol, where] = form.split('/') as [string, string];
  const row = m.rows.find(
    (r) => r.name === `${protocol}/invalid/envelopes/${kind}/${where}/Env.echo#0`,
  );
  const c = row?.cells.find((x) => x.reader === reader);
  if (c === undefined) throw new Error(`no cell ${reader} in ${form} ${kind}`);
  return c;
}

/** Every form a row exists in for a kind. */
function formsOf(m: EnvelopeMatrix, kind: string): string[] {
  return m.rows
    .filter((r: MatrixRow) => r.kind === kind)
    .map((r) => `${r.protocol}/${r.name.split('/')[4]}`);
}

interface Want {
  readonly outcome: string;
  readonly detail?: RegExp;
  readonly violates?: boolean;
}
/** What our server and client do with each case (the same in every form unless `byForm` says). */
const OURS: Record<string, Want & { byForm?: Partial<Record<'framed' | 'buffered', Want>> }> = {
  'server-wrong-version': { outcome: 'refused', detail: /closed without a whole answer/ },
  // The spec says the byte is ignored. Our reader refused it until this matrix found it
  // (codec/src/protocol/binary/envelope.ts and rpc/src/scan.ts now mask it out).
  'server-unused-byte-set': { outcome: 'accepted', detail: /REPLY 'echo' seqid 7/ },
  'server-message-type-5': { outcome: 'refused', detail: /closed without a whole answer/ },
  'server-message-type-7': { outcome: 'refused', detail: /closed without a whole answer/ },
  'server-reply-type': { outcome: 'refused', detail: /type 2 \(INVALID_MESSAGE_TYPE\)/ },
  'server-unknown-method': { outcome: 'refused', detail: /type 1 \(UNKNOWN_METHOD\)/ },
  'server-nonstrict-call': { outcome: 'accepted', detail: /REPLY 'echo' seqid 7/ },
  'server-trailing-bytes': {
    outcome: 'refused',
    detail: /type 7 \(PROTOCOL_ERROR\).*4 trailing bytes/,
  },
  'server-truncated-args': { outcome: 'refused' },
  'server-message-across-frames': { outcome: 'refused', detail: /type 7 \(PROTOCOL_ERROR\)/ },
  'server-name-too-long': { outcome: 'refused', detail: /closed without a whole answer/ },
  'client-wrong-seqid': { outcome: 'refused', detail: /which no call in flight has/ },
  'client-wrong-method-name': { outcome: 'refused', detail: /reply names 'risky'/ },
  'client-call-type': { outcome: 'refused', detail: /message type 1; a server answers with REPLY/ },
  'client-wrong-version': { outcome: 'refused', detail: /version/ },
  // Framed, the bytes are inside the reply's frame: refused. Buffered, they are the start of the
  // next message: the whole reply is returned, then the connection closes (rpc/src/transport.ts).
  'client-trailing-bytes': {
    outcome: 'refused',
    byForm: { buffered: { outcome: 'accepted', detail: /pong/ } },
  },
  'client-unknown-exception-type': { outcome: 'refused', detail: /type 99 from the matrix/ },
};

void t.test('our ThriftServer and ThriftClient against every envelope case', async (t) => {
  const m = await runEnvelopeMatrix({ peers: [], boundMs: BOUND_MS });
  t.same(
    [...new Set(m.rows.map((r) => r.kind))].sort(),
    Object.keys(OURS).sort(),
    'every kind ran',
  );
  t.equal(m.results.length, m.rows.length, 'one result per cell (one reader)');
  for (const [kind, all] of Object.entries(OURS)) {
    const forms = formsOf(m, kind);
    t.ok(forms.length > 0, `${kind} ran in ${forms.join(', ')}`);
    for (const form of forms) {
      const c = cell(m, form, kind, 'ours');
      const want = (form.includes('/buffered') ? all.byForm?.buffered : all.byForm?.framed) ?? all;
      t.equal(c.outcome, want.outcome, `${form} ${kind}: ${c.detail}`);
      if (want.detail) t.match(c.detail, want.detail, `${form} ${kind}: detail`);
      t.equal(c.violates, want.violates ?? false, `${form} ${kind}: violates`);
    }
  }
  t.equal(
    m.rows[0]!.name,
    'binary/invalid/envelopes/server-wrong-version/framed-strict/Env.echo#0',
    'rows in a fixed order',
  );
  t.equal(
    m.rows.at(-1)!.name,
    'compact/invalid/envelopes/client-unknown-exception-type/buffered-strict/Env.echo#0',
  );
  // The forms: binary strict and non-strict, compact, each framed and buffered.
  t.same(formsOf(m, 'server-unknown-method').sort(), [
    'binary/buffered-nonstrict',
    'binary/buffered-strict',
    'binary/framed-nonstrict',
    'binary/framed-strict',
    'compact/buffered-strict',
    'compact/framed-strict',
  ]);
  const r = m.results.find(
    (x) => x.name === 'binary/framed/strict/peer:ours/invalid/envelopes/server-unused-byte-set',
  )!;
  t.equal(r.verdict, 'identical', 'a kept must-accept rule passes');
  t.equal(r.property, 'invalid-input');
  t.equal(
    r.wantedHex,
    '0000001c' + '80010101' + '000000046563686f' + '00000007' + '0b00010000000470696e6700',
    'the bytes sent',
  );
  t.match(r.gotHex, /^0000001c80010002/, 'a framed strict REPLY came back');
  const ok = m.results.find(
    (x) => x.name === 'compact/buffered/strict/peer:ours/invalid/envelopes/client-wrong-seqid',
  )!;
  t.equal(ok.verdict, 'identical', 'a silent rule is never failed');
  t.equal(ok.fingerprint, undefined);
  t.equal(ok.idl, undefined, 'a passing cell does not repeat the IDL');
  t.match(ok.gotHex, /^8221/, 'gotHex: the request our client sent (compact CALL)');
  t.match(ok.wantedHex, /^8241/, 'wantedHex: the answer it was given (compact REPLY)');
});

/** The outcome of each kind in every form of one peer (forms not listed are not asserted). */
type Expect = Record<string, Record<string, string>>;
const ALL = [
  'binary/framed-strict',
  'binary/buffered-strict',
  'compact/framed-strict',
  'compact/buffered-strict',
];
const each = (forms: readonly string[], outcome: string): Record<string, string> =>
  Object.fromEntries(forms.map((f) => [f, outcome]));
const NONSTRICT = ['binary/framed-nonstrict', 'binary/buffered-nonstrict'];
const FRAMED = ['binary/framed-strict', 'compact/framed-strict'];
const BUFFERED = ['binary/buffered-strict', 'compact/buffered-strict'];

// Apache Thrift 0.17, Python (thrift/protocol/TBinaryProtocol.py, thrift/transport/TTransport.py,
// and the code `thrift --gen py` 0.17 writes for the matrix IDL, Env.py):
const APACHE_PY: Expect = {
  // readMessageBegin: `version = sz & VERSION_MASK; if version != VERSION_1: raise` (line 136-140).
  'server-wrong-version': each(ALL, 'refused'),
  'client-wrong-version': each(ALL, 'refused'),
  // VERSION_MASK is 0xffff0000 and TYPE_MASK 0x000000ff: the unused byte is never read.
  'server-unused-byte-set': each(['binary/framed-strict', 'binary/buffered-strict'], 'accepted'),
  // `type = sz & TYPE_MASK`, never checked; Processor.process dispatches by name (Env.py 152-166).
  'server-message-type-5': each(ALL, 'accepted'),
  'server-reply-type': each(ALL, 'accepted'),
  // Non-strict names are read as bytes (`self.trans.readAll(sz)`, line 148), the documented quirk.
  'server-nonstrict-call': each(NONSTRICT, 'refused'),
  'server-unknown-method': { ...each(ALL, 'refused'), ...each(NONSTRICT, 'refused') },
  // TFramedTransport.read: an exhausted frame makes it read the next one (TTransport.py 278-284),
  // so a message cut inside its frame waits for more, and one across two frames is taken.
  'server-truncated-args': { ...each(FRAMED, 'hung'), ...each(BUFFERED, 'refused') },
  'server-message-across-frames': each(FRAMED, 'accepted'),
  'server-name-too-long': { ...each(FRAMED, 'hung'), ...each(BUFFERED, 'refused') },
  // recv_echo checks only `mtype == TMessageType.EXCEPTION` (Env.py 72-85): no name, seqid or type check.
  'client-wrong-seqid': each(ALL, 'accepted'),
  'client-wrong-method-name': each(ALL, 'accepted'),
  'client-call-type': each(ALL, 'accepted'),
  'client-unknown-exception-type': each(ALL, 'refused'),
};

// Apache Thrift 0.17, Go (lib/go/thrift in the module cache, v0.17.0):
const APACHE_GO: Expect = {
  // binary_protocol.go 272-277: `version != VERSION_1` → BAD_VERSION; the type is `size & 0x0ff`.
  'server-wrong-version': each(ALL, 'refused'),
  'client-wrong-version': each(ALL, 'refused'),
  'server-unused-byte-set': each(['binary/framed-strict', 'binary/buffered-strict'], 'accepted'),
  'server-message-type-5': each(ALL, 'accepted'),
  'server-reply-type': each(ALL, 'accepted'),
  'server-nonstrict-call': each(NONSTRICT, 'accepted'),
  'server-unknown-method': { ...each(ALL, 'refused'), ...each(NONSTRICT, 'refused') },
  // framed_transport.go 157-163: "the last Read finished the last frame, so we need to read the
  // next frame": a message may continue into the next frame.
  'server-message-across-frames': each(FRAMED, 'accepted'),
  'server-name-too-long': { ...each(FRAMED, 'hung'), ...each(BUFFERED, 'refused') },
  // client.go 62-79 (TStandardClient.Recv): WRONG_METHOD_NAME, BAD_SEQUENCE_ID, INVALID_MESSAGE_TYPE.
  'client-wrong-seqid': each(ALL, 'refused'),
  'client-wrong-method-name': each(ALL, 'refused'),
  'client-call-type': each(ALL, 'refused'),
  'client-unknown-exception-type': each(ALL, 'refused'),
};

const peers = new Map(defaultProcessPeers(root).map((s) => [s.name, s]));

void t.test('two real peers (Apache 0.17 Python and Go) against the whole set', async (t) => {
  const started: Peer[] = [];
  t.teardown(() => Promise.all(started.map((p) => p.stop())));
  for (const name of ['apache-py', 'apache-go'])
    started.push(await ProcessPeer.start(peers.get(name)!));
  const m = await runEnvelopeMatrix({ peers: started, boundMs: BOUND_MS, ours: false });
  for (const [peer, expect] of [
    ['apache-py', APACHE_PY],
    ['apache-go', APACHE_GO],
  ] as const) {
    for (const [kind, forms] of Object.entries(expect))
      for (const [form, outcome] of Object.entries(forms)) {
        const c = cell(m, form, kind, peer);
        t.equal(c.outcome, outcome, `${peer} ${form} ${kind}: ${c.detail}`);
      }
  }
  t.ok(
    m.rows.every((r) => r.cells.map((c) => c.reader).join() === 'apache-py,apache-go'),
    'cells in the order the peers were given, whatever order they finished in',
  );
  t.same(
    m.results.map((r) => r.name),
    [...m.results.map((r) => r.name)].sort(),
    'results sorted by name',
  );
  // The documented quirk is the peer's choice, not a violation.
  const quirk = cell(m, 'binary/framed-nonstrict', 'server-nonstrict-call', 'apache-py');
  t.equal(quirk.violates, false, 'serverRejectsNonStrict is a documented choice');
  t.match(quirk.detail, /documented choice: peer.json keyvalue.serverRejectsNonStrict/);
  // Hangs are peer errors; the servers still served other connections afterwards (else crashed).
  const hung = m.results.find(
    (r) => r.name === 'binary/framed/strict/peer:apache-py/invalid/envelopes/server-name-too-long',
  )!;
  // A reader that takes what a stated rule says to refuse is a mismatch, with the IDL.
  const across = m.results.find(
    (r) =>
      r.name ===
      'binary/framed/strict/peer:apache-go/invalid/envelopes/server-message-across-frames',
  )!;
  t.equal(across.verdict, 'mismatch', 'a broken must-refuse rule is a mismatch');
  t.equal(across.fingerprint, 'invalid:server-message-across-frames:accepted');
  t.match(across.idl?.['envelopes.thrift'], /service Env/, 'a failure carries the IDL');
  t.equal(hung.verdict, 'peer-error');
  t.equal(hung.fingerprint, 'invalid:server-name-too-long:hung');
  t.match(hung.summary, /closed \d+ ms after our side ended the stream/);
  t.notOk(
    m.rows.some((r) => r.cells.some((c) => c.outcome === 'crashed')),
    'no server crashed',
  );
  const wrongSeqid = cell(m, 'binary/framed-strict', 'client-wrong-seqid', 'apache-go');
  t.match(wrongSeqid.detail, /TApplicationException type 4: echo: out of order sequence response/);
  const row = m.rows.find(
    (r) => r.name === 'binary/invalid/envelopes/client-wrong-seqid/framed-strict/Env.echo#0',
  )!;
  t.ok(row.disagree, 'one client accepts what the other refuses: the row is marked');
});

/**
 * A stand-in peer whose server stops listening after its first connection (a server that dies)
 * and whose client sends nothing and waits until its connection is closed (a client that hangs).
 */
function brokenPeer(): Peer {
  const info: PeerInfo = {
    name: 'broken',
    version: '0',
    abilities: {
      protocols: ['binary'],
      transports: ['framed'],
      envelopes: { read: ['strict'], write: ['strict'] },
      dialect: 'apache',
      features: {},
    },
  };
  const never = (): Promise<never> => Promise.reject(new Error('not used'));
  return {
    name: 'broken',
    info,
    loadIdl: () => Promise.resolve('m1'),
    serve: async () => {
      const server = createServer((socket) => {
        server.close();
        socket.destroy();
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return (server.address() as AddressInfo).port;
    },
    call: (_m, _s, _f, _a, port) =>
      new Promise((_resolve, reject) => {
        const socket = connect({ port, host: '127.0.0.1' });
        socket.on('error', () => undefined);
        socket.on('close', () => reject(new PeerError('broken', 'TransportError', 'closed')));
      }),
    roundtrip: never,
    encode: never,
    onewayLog: never,
    stop: () => Promise.resolve(),
    stderr: () => '',
  };
}

void t.test('a server that stops serving is crashed; a client that waits is hung', async (t) => {
  const m = await runEnvelopeMatrix({
    peers: [brokenPeer()],
    ours: false,
    boundMs: 300,
    protocols: ['binary'],
  });
  const first = cell(m, 'binary/framed-strict', 'server-wrong-version', 'broken');
  t.equal(first.outcome, 'crashed');
  t.match(
    first.detail,
    /the server stopped serving: a normal call on a new connection got "could not connect/,
  );
  t.equal(
    cell(m, 'binary/framed-strict', 'server-unknown-method', 'broken').outcome,
    'crashed',
    'and stays so',
  );
  const client = cell(m, 'binary/framed-strict', 'client-wrong-seqid', 'broken');
  t.equal(client.outcome, 'hung');
  t.match(
    client.detail,
    /no answer within 300 ms \(after the connection was closed: PeerError: broken: TransportError: closed\)/,
  );
  t.ok(client.violates, 'a hang breaks any rule, even a silent one');
  const r = m.results.find(
    (x) => x.name === 'binary/framed/strict/peer:broken/invalid/envelopes/client-wrong-seqid',
  )!;
  t.equal(r.verdict, 'peer-error');
  t.equal(r.fingerprint, 'invalid:client-wrong-seqid:hung');
  const nonstrict = m.rows.find((x) => x.kind === 'server-nonstrict-call')!;
  t.equal(nonstrict.spec, 'must-accept', "the row's rule is for a reader of both forms");
  const sides = await runEnvelopeMatrix({
    peers: [],
    sides: ['client'],
    protocols: ['compact'],
    boundMs: 300,
  });
  t.ok(
    sides.rows.every((x) => x.kind.startsWith('client-') && x.protocol === 'compact'),
    'sides and protocols select',
  );
});
