// The trace recorder and its rendering, without peers: the byte taps of our client and server
// see exactly what crossed (framed and buffered), each message is cut into frame length,
// envelope and body and annotated with field paths; chunks that split a message, streams that
// cannot be cut, unknown methods and messages left whole at the end are said as such; control
// messages show their bytes annotated and IDL texts as pointers; the recording codec sees encode
// and decode; the control-channel taps see each request and answer and never break the channel.
import t from 'tap';
import { PassThrough } from 'node:stream';
import { ThriftClient } from '../../../rpc/src/client.js';
import { ThriftServer } from '../../../rpc/src/server.js';
import type { Handler } from '../../../rpc/src/server.js';
import { frame } from '../../../rpc/src/transport.js';
import { ControlChannel, tapControlChannels } from '../../peers/control.js';
import type { ControlLine } from '../../peers/control.js';
import { compileSchema } from '../../runner/cases.js';
import { OUR_CODEC } from '../../runner/codec.js';
import { renderTrace, Trace } from '../../runner/trace.js';
import type { TraceEvent } from '../../runner/trace.js';

const IDL = `struct P {
  1: required i32 n,
  2: optional string s,
}

service Echo {
  P echoP(1: P v),
}
`;
const schema = compileSchema({ 'generated.thrift': IDL });
const P = schema.classes.get('P')!;

/** Our echo server and our client on `transport`, both tapped into `trace`; calls echoP once. */
async function echoOnce(trace: Trace, transport: 'framed' | 'buffered', strict: boolean) {
  const handler: Handler = { echoP: (req) => req.v };
  const server = new ThriftServer({ transport, onBytes: trace.serverTap(transport) }).register(
    schema.mod,
    schema.echo,
    handler,
  );
  const port = await server.listen();
  const client = await ThriftClient.connect(schema.mod, schema.echo, port, '127.0.0.1', {
    transport,
    strict,
    onBytes: trace.clientTap(transport),
  });
  try {
    return await client.call('echoP', { v: new P({ n: 7, s: 'hi' }) });
  } finally {
    client.close();
    await server.close();
  }
}

const total = (events: readonly TraceEvent[], pick: (e: TraceEvent) => boolean) =>
  events.filter(pick).reduce((n, e) => n + (e.kind === 'socket' ? e.bytes.length : 0), 0);

void t.test('framed, strict: every byte both ways, annotated', async (t) => {
  const trace = new Trace();
  const back = (await echoOnce(trace, 'framed', true)) as { n: number };
  t.equal(back.n, 7);
  // echoP request: envelope 4 + 4+5 + 4, v 3 + (n 3+4, s 3+4+2, stop), stop = 38
  const sent = (e: TraceEvent) => e.kind === 'socket' && e.link === 'our-client';
  t.equal(
    total(trace.events, (e) => sent(e) && e.kind === 'socket' && e.direction === 'sent'),
    4 + 38,
    'our client sent one frame',
  );
  t.equal(
    total(
      trace.events,
      (e) => e.kind === 'socket' && e.link === 'our-server' && e.direction === 'received',
    ),
    4 + 38,
    'our server received the same bytes',
  );
  const text = renderTrace(trace, { schema, peer: 'somebody' }).join('\n');
  t.match(text, /our client → somebody's server \(framed, connection 1\): 42 bytes/);
  t.match(text, /somebody's client → our server \(framed, connection 1\): 42 bytes/);
  t.match(text, /our server → somebody's client \(framed, connection 1\)/);
  t.match(text, /somebody's server → our client \(framed, connection 1\)/);
  t.match(text, /^ +0 {2}00 00 00 26 +frame length 38$/m, 'the frame length');
  t.match(text, /^ +4 {2}80 01 00 01 +envelope\.version: .*strict.*CALL/m, 'strict, CALL');
  t.match(text, /^ +12 {2}65 63 68 6f 50 +envelope\.name: method name "echoP"$/m);
  t.match(text, /envelope\.seqid: seqid 1/);
  t.match(text, /Echo_echoP_request\.v\.n: value 7/, 'the request body by field path');
  t.match(text, /Echo_echoP_response\.success\.s: "hi"/, 'the reply body by field path');
});

void t.test('buffered, non-strict: no frame length, the non-strict envelope', async (t) => {
  const trace = new Trace();
  await echoOnce(trace, 'buffered', false);
  const text = renderTrace(trace, { schema }).join('\n');
  t.notMatch(text, /frame length/);
  t.match(text, /method name length 5 \(non-strict envelope\)/);
  t.match(text, /envelope\.type: message type CALL \(1\)/);
  t.match(text, /envelope\.type: message type REPLY \(2\)/);
  t.match(text, /the peer's server → our client/, 'the peer unnamed');
});

const FRAME = frame(
  'framed',
  schema.mod.dumps.message(
    new (schema.echo.__functions__.get('echoP')!.request)({ v: new P({ n: 1 }) }),
    9,
  ),
);

/** A trace of hand-made socket events on our client's connection 1. */
function socketTrace(transport: 'framed' | 'buffered', chunks: Uint8Array[]): string {
  const trace = new Trace();
  const tap = trace.clientTap(transport);
  for (const c of chunks) tap('received', c, 1);
  return renderTrace(trace, { schema }).join('\n');
}

void t.test('a message split over chunks is shown whole when its last byte arrives', async (t) => {
  const text = socketTrace('framed', [FRAME.subarray(0, 10), FRAME.subarray(10)]);
  t.match(text, /: 10 bytes \(part of a message; 10 bytes so far\)/);
  t.match(text, /envelope\.seqid: seqid 9/);
  t.match(text, /Echo_echoP_request\.v\.n: value 1/);
});

void t.test('what cannot be cut or read is plain hex, with the reason', async (t) => {
  const huge = socketTrace('framed', [Uint8Array.of(0x7f, 0, 0, 0, 1, 2)]);
  t.match(huge, /7f 00 00 00 01 02 +not cut into messages: frame length 2130706432 exceeds/);
  const garbage = socketTrace('buffered', [Uint8Array.of(0x80, 0x07, 0, 1, 0, 0, 0, 0)]);
  t.match(garbage, /not cut into messages: no message can start here/);
  const other = schema.mod.dumps.message(
    new (schema.echo.__functions__.get('echoP')!.request)({ v: new P({ n: 1 }) }),
    1,
  );
  const renamed = Uint8Array.from(other);
  renamed.set(Buffer.from('nope!'), 8); // same length as "echoP"
  const unknown = socketTrace('buffered', [renamed]);
  t.match(unknown, /method name "nope!"/);
  t.match(unknown, /not annotated: the Echo service has no method "nope!"/);
  const cut = socketTrace('framed', [FRAME.subarray(0, FRAME.length - 3)]);
  t.match(cut, /the last \d+ bytes never made a whole message/);
  t.match(cut, /frame length 29/);
  t.match(cut, /malformed: /, 'the partial message annotated as far as it goes');
});

void t.test('control messages: bytes annotated, IDL pointed to, answers matched', async (t) => {
  const trace = new Trace();
  const tap = trace.controlTap('p');
  const bytes = OUR_CODEC.encode(schema.mod, P, new P({ n: 5 }));
  const b64 = Buffer.from(bytes).toString('base64');
  const line = (direction: ControlLine['direction'], o: object): ControlLine => ({
    peer: 'p',
    direction,
    text: JSON.stringify(o),
    at: performance.now(),
  });
  tap(line('request', { id: 1, op: 'load_idl', files: { 'generated.thrift': IDL }, entry: 'x' }));
  tap(line('request', { id: 2, op: 'roundtrip', module: 'm1', type: 'P', bytes: b64 }));
  tap(line('answer', { id: 2, ok: true, value: { n: 5 }, bytes: b64, trailing: 0 }));
  tap(line('request', { id: 3, op: 'batch', requests: [{ op: 'encode', type: 'P', value: {} }] }));
  tap(line('answer', { id: 3, ok: true, responses: [{ ok: true, bytes: 'AA==' }] }));
  tap({ peer: 'other', direction: 'request', text: '{"id":9}', at: performance.now() });
  tap({ peer: 'p', direction: 'answer', text: 'not json', at: performance.now() });
  const text = renderTrace(trace, {
    schema,
    peer: 'p',
    shownFiles: { 'generated.thrift': IDL },
  }).join('\n');
  t.match(text, /"files":\{"generated.thrift":"<idl\/generated.thrift, shown above>"\}/);
  t.notMatch(text, /struct P/, 'the IDL text is not repeated');
  t.match(text, /control → p: .*"bytes":"<bytes #1: 8 bytes, below>"/);
  t.match(text, /bytes #1: 8 bytes of P\n +0 {2}08 00 01 +P\.n: field header/);
  t.match(text, /P\.n: value 5/);
  t.match(text, /the same 8 bytes as at \+[\d.]+ ms \(P\)/, 'the answer points to the request');
  t.match(text, /bytes #1: 1 bytes of P\n +0 {2}00 +P: stop \(required field missing: n\)/);
  t.notMatch(text, /"id":9/, 'only the peer asked for');
  t.match(text, /control ← p: not json\n +\(not JSON\)/);
});

void t.test('the recording codec sees encode and decode, and what they threw', async (t) => {
  const trace = new Trace();
  const codec = trace.recordingCodec(OUR_CODEC);
  const bytes = codec.encode(schema.mod, P, new P({ n: 3 }));
  codec.decode(schema.mod, P, bytes);
  t.throws(() => codec.decode(schema.mod, P, Uint8Array.of(8, 0)));
  t.same(
    trace.events.map((e) =>
      e.kind === 'codec' ? [e.op, e.bytes.length, e.error !== undefined] : [],
    ),
    [
      ['encode', 8, false],
      ['decode', 8, false],
      ['decode', 2, true],
    ],
    'the bytes of each call, and that the last one threw',
  );
  const text = renderTrace(trace, { schema }).join('\n');
  t.match(text, /our codec \(ours\) encoded a value of P: 8 bytes/);
  t.match(text, /handed to our codec \(ours\) to decode as P: 2 bytes; it threw \w+Error: /);
  t.match(text, /P: malformed: the field header in P needs 3 bytes/);
});

void t.test('control-channel taps: each request and answer, until untapped', async (t) => {
  const stdout = new PassThrough();
  const stdin = new PassThrough();
  const mine: ControlLine[] = [];
  const every: ControlLine[] = [];
  const untap = tapControlChannels((l) => every.push(l));
  t.teardown(untap);
  const channel = new ControlChannel(
    'p',
    stdout,
    stdin,
    () => '',
    (l) => mine.push(l),
  );
  const broken = tapControlChannels(() => {
    throw new Error('a broken tap');
  });
  stdin.on('data', (c: Buffer) => {
    const req = JSON.parse(c.subarray(4).toString('utf8')) as { id: number };
    const body = Buffer.from(JSON.stringify({ id: req.id, ok: true, x: 1 }));
    const head = Buffer.alloc(4);
    head.writeUInt32BE(body.length);
    stdout.write(Buffer.concat([head, body]));
  });
  const answer = await channel.request('ping', { a: 1 }, 1000);
  broken();
  t.equal(answer.x, 1, 'a tap that throws does not break the channel');
  t.same(
    mine.map((l) => [l.peer, l.direction, l.text]),
    [
      ['p', 'request', '{"id":1,"op":"ping","a":1}'],
      ['p', 'answer', '{"id":1,"ok":true,"x":1}'],
    ],
  );
  t.same(every, mine, 'the tap on every channel saw the same');
  t.ok(mine[0]!.at <= mine[1]!.at, 'with times');
  untap();
  channel.tap = undefined;
  await channel.request('ping', {}, 1000);
  t.equal(every.length + mine.length, 4, 'nothing after untapping');
});
