// TChannelClient against a hand-driven server (raw frames over a real socket): the init
// handshake (refused, or never answered), answers split over call res continue frames, error
// frames for one call and for the whole connection, a bad frame from the server, a corrupted
// answer, the server's own ping req, and the connection closing under waiting calls.
import t from 'tap';
import type { Test } from 'tap';
import { createServer } from 'node:net';
import type { Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from '../../../codec/src/index.js';
import type { ServiceObject } from '../../../codec/src/index.js';
import { TChannelClient } from '../../src/tchannel/client.js';
import type { TChannelError } from '../../src/tchannel/errors.js';
import { ErrorCode } from '../../src/tchannel/errors.js';
import {
  ArgsAssembler,
  decodeCallFrame,
  decodeError,
  encodeCall,
  encodeError,
  encodeFrame,
  encodeInit,
  FrameReader,
  FrameType,
  NO_ID,
} from '../../src/tchannel/frames.js';
import type { Frame } from '../../src/tchannel/frames.js';
import { encodeAppHeaders } from '../../src/tchannel/thrift-args.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const kv = load(join(root, 'idl/keyvalue.thrift'));
const KeyValue = kv.KeyValue as ServiceObject;
const getFn = KeyValue.__functions__.get('get')!;

type Script = (frame: Frame, socket: Socket) => void;

/** A server that answers init req (unless `init` is false) and hands every other frame to `script`. */
async function fake(t: Test, script: Script, init = true) {
  const received: Frame[] = [];
  const server = createServer((socket) => {
    socket.on('error', () => undefined);
    const reader = new FrameReader();
    socket.on('data', (b: Buffer) => {
      for (const f of reader.push(b)) {
        received.push(f);
        if (f.type === FrameType.InitReq) {
          if (init)
            socket.write(
              encodeFrame(
                FrameType.InitRes,
                f.id,
                encodeInit({
                  version: 2,
                  headers: { host_port: '127.0.0.1:1', process_name: 'fake' },
                }),
              ),
            );
        } else script(f, socket);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  return { port, received };
}

/** The call res frames answering call `id` with result `value` for get. */
const answer = (id: number, value: string, maxFrameSize?: number) =>
  encodeCall(
    { kind: 'res', code: 0, headers: { as: 'thrift' }, checksumType: 3 },
    id,
    [
      new Uint8Array(0),
      encodeAppHeaders({ from: 'fake' }),
      kv.dumps(new getFn.response({ success: value })),
    ],
    maxFrameSize,
  );

/** The key of a one-frame get call req. */
const keyOf = (f: Frame): string =>
  (
    kv.loads(
      getFn.request,
      new ArgsAssembler().add(decodeCallFrame(f.payload, f.type, f.id), 'call req')![2]!,
    ) as { key: string }
  ).key;

/** The TChannelError `p` rejects with (throws when it resolves). */
async function rejection(p: Promise<unknown>): Promise<TChannelError> {
  return p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e as TChannelError,
  );
}

void t.test(
  'an answer in continuation frames, and a call req read back by the server',
  async (t) => {
    const big = 'z'.repeat(150_000);
    const { port, received } = await fake(t, (f, s) => {
      if (f.type === FrameType.CallReq) for (const g of answer(f.id, big)) s.write(g);
    });
    const c = await TChannelClient.connect(kv, KeyValue, port, '127.0.0.1', {
      serviceName: 'svc',
      callerName: 'me',
    });
    t.teardown(() => c.close());
    const r = await c.call('get', { key: 'k' }, { headers: { h: '1' }, ttlMs: 1234 });
    t.equal(r.result, big, 'the whole value, from 3 frames');
    t.same(r.headers, { from: 'fake' });
    const call = decodeCallFrame(received[1]!.payload, received[1]!.type, received[1]!.id);
    t.match(
      call.head,
      { ttl: 1234, service: 'svc', headers: { as: 'thrift', cn: 'me', re: 'c' } },
      'what the client sent',
    );
    t.equal(call.checksumType, 3, 'crc32c by default');
    const args = new ArgsAssembler().add(call, 'call req')!;
    t.equal(Buffer.from(args[0]!).toString(), 'KeyValue::get', 'arg1');
    t.same(args[1], encodeAppHeaders({ h: '1' }), 'arg2');
    t.same(
      args[2],
      kv.dumps(new getFn.request({ key: 'k' })),
      'arg3: the args struct, no envelope',
    );
  },
);

void t.test('init refused, or never answered', async (t) => {
  const refuse = await fake(t, () => undefined, false);
  // A server that answers init req with an error frame.
  const server = createServer((s) => {
    s.on('error', () => undefined);
    s.once('data', () =>
      s.write(encodeFrame(FrameType.Error, 1, encodeError(ErrorCode.Declined, 'go away'))),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  const e1 = await rejection(
    TChannelClient.connect(
      kv,
      KeyValue,
      (server.address() as { port: number }).port,
      '127.0.0.1',
      {},
    ),
  );
  t.equal(e1.code, ErrorCode.Declined);
  t.match(e1.message, /Declined \(0x04\): the server refused the init req: go away/);
  const e2 = await rejection(
    TChannelClient.connect(kv, KeyValue, refuse.port, '127.0.0.1', { timeoutMs: 200 }),
  );
  t.equal(e2.code, ErrorCode.Timeout);
  t.match(
    e2.message,
    /could not connect to 127\.0\.0\.1:\d+ and finish the init handshake within 200 ms/,
  );
});

void t.test('error frames: for one call, and for the connection', async (t) => {
  const { port } = await fake(t, (f, s) => {
    if (f.type !== FrameType.CallReq) return;
    const key = keyOf(f);
    if (key === 'busy')
      s.write(encodeFrame(FrameType.Error, f.id, encodeError(ErrorCode.Busy, 'try later')));
    if (key === 'fatal')
      s.write(
        encodeFrame(FrameType.Error, NO_ID, encodeError(ErrorCode.FatalProtocolError, 'bye')),
      );
    if (key === 'ok') for (const g of answer(f.id, 'fine')) s.write(g);
  });
  const c = await TChannelClient.connect(kv, KeyValue, port, '127.0.0.1', {});
  t.teardown(() => c.close());
  const busy = await rejection(c.call('get', { key: 'busy' }));
  t.same([busy.code, busy.text, busy.id], [ErrorCode.Busy, 'try later', 1], 'Busy for that call');
  t.equal((await c.call('get', { key: 'ok' })).result, 'fine', 'the connection goes on');
  const waiting = rejection(c.call('get', { key: 'never' }, { ttlMs: 5000 }));
  const fatal = await rejection(c.call('get', { key: 'fatal' }));
  t.equal(fatal.code, ErrorCode.FatalProtocolError, 'a fatal error frame fails every waiting call');
  t.equal((await waiting).code, ErrorCode.FatalProtocolError);
  t.equal(
    (await rejection(c.call('get', { key: 'ok' }))).code,
    ErrorCode.FatalProtocolError,
    'and later calls',
  );
});

void t.test('a bad frame or a corrupted answer from the server', async (t) => {
  let got: Frame | undefined;
  const { port } = await fake(t, (f, s) => {
    if (f.type === FrameType.Error) got = f;
    if (f.type !== FrameType.CallReq) return;
    const key = keyOf(f);
    if (key === 'corrupt') {
      const [g] = answer(f.id, 'fine');
      g![g!.length - 3] = g![g!.length - 3]! ^ 1;
      s.write(g!);
    }
    if (key === 'bad') s.write(encodeFrame(0x42, f.id, new Uint8Array(0)));
  });
  const c = await TChannelClient.connect(kv, KeyValue, port, '127.0.0.1', {});
  t.teardown(() => c.close());
  const corrupt = await rejection(c.call('get', { key: 'corrupt' }));
  t.equal(corrupt.code, ErrorCode.BadRequest);
  t.match(corrupt.text, /the answer cannot be accepted: call res id 1: crc32c checksum mismatch/);
  const bad = await rejection(c.call('get', { key: 'bad' }));
  t.equal(bad.code, ErrorCode.FatalProtocolError);
  t.match(
    bad.text,
    /the server's bytes break the protocol: a client does not take a unknown type 0x42 frame \(id 2\)/,
  );
  await new Promise((r) => setTimeout(r, 50));
  t.ok(got, 'the client told the server with an error frame');
  t.equal(decodeError(got!.payload, got!.id).code, 0xff);
});

void t.test(
  "the server's ping req is answered; a closed connection fails waiting calls",
  async (t) => {
    let pong: Frame | undefined;
    const { port } = await fake(t, (f, s) => {
      if (f.type === FrameType.CallReq)
        s.write(encodeFrame(FrameType.PingReq, 77, new Uint8Array(0)));
      if (f.type === FrameType.PingRes) {
        pong = f;
        s.destroy();
      }
    });
    const c = await TChannelClient.connect(kv, KeyValue, port, '127.0.0.1', {});
    t.teardown(() => c.close());
    const e = await rejection(c.call('get', { key: 'k' }));
    t.equal(pong?.id, 77, 'ping res with the same id');
    t.equal(e.code, ErrorCode.NetworkError);
    t.match(e.text, /connection closed by the server/);
    t.equal(c.inFlight, 0);
  },
);
