// TChannelServer under hostile bytes, over raw sockets: each bad frame (too short, too large, a
// size larger than what is left, nh huge, an unknown frame type, a call before init, a
// continuation of nothing) is answered with a fatal error frame (0xFF) and closes only its
// connection; a call with a wrong checksum (crc32c or farmhash), a wrong arg scheme or
// args past maxArgsSize is answered BadRequest and the connection goes on; unfinished frames
// and extra connections are limited; a cancel frame answers Cancelled. Another connection is
// served all along.
import t from 'tap';
import type { Test } from 'tap';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from '../../../codec/src/index.js';
import type { ServiceObject } from '../../../codec/src/index.js';
import { ServerLimitError } from '../../src/server.js';
import { TChannelClient } from '../../src/tchannel/client.js';
import { ErrorCode } from '../../src/tchannel/errors.js';
import {
  decodeError,
  encodeCall,
  encodeCancel,
  encodeFrame,
  encodeInit,
  FrameReader,
  FrameType,
} from '../../src/tchannel/frames.js';
import type { ErrorBody, Frame } from '../../src/tchannel/frames.js';
import { encodeAppHeaders } from '../../src/tchannel/thrift-args.js';
import { TChannelServer } from '../../src/tchannel/server.js';
import type { TChannelServerOptions } from '../../src/tchannel/server.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const kv = load(join(root, 'idl/keyvalue.thrift'));
const KeyValue = kv.KeyValue as ServiceObject;
const getArgs = (key: string) =>
  kv.dumps(new (KeyValue.__functions__.get('get')!.request)({ key }));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function serve(t: Test, options: Partial<TChannelServerOptions> = {}) {
  const errors: unknown[] = [];
  const server = new TChannelServer({
    serviceName: 'kv',
    onError: (e) => errors.push(e),
    ...options,
  }).register(kv, KeyValue, {
    get: async (a) => {
      if (a.key === 'slow') await sleep(2000);
      const wait = /^wait:(\d+)$/.exec(a.key as string);
      if (wait !== null) await sleep(Number(wait[1]));
      return `v:${a.key as string}`;
    },
    put: () => undefined,
  });
  const port = await server.listen();
  // A well-behaved client on its own connection, checked after each hostile one.
  const good = await TChannelClient.connect(kv, KeyValue, port, '127.0.0.1', { serviceName: 'kv' });
  t.teardown(async () => {
    good.close();
    await server.close();
  });
  const stillServes = async () =>
    t.equal(
      (await good.call('get', { key: 'ok' })).result,
      'v:ok',
      'another connection is still served',
    );
  return { server, port, errors, stillServes };
}

/** A raw connection: frames received, and a promise of its close. */
async function raw(port: number) {
  const socket: Socket = connect({ port, host: '127.0.0.1' });
  socket.on('error', () => undefined);
  const frames: Frame[] = [];
  const reader = new FrameReader();
  let wake = () => {};
  socket.on('data', (b: Buffer) => {
    frames.push(...reader.push(b));
    wake();
  });
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  /** The next frame received (waits up to 3 s). */
  const next = async (): Promise<Frame> => {
    const deadline = Date.now() + 3000;
    while (frames.length === 0 && Date.now() < deadline)
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, 50);
      });
    const f = frames.shift();
    if (f === undefined) throw new Error('no frame arrived');
    return f;
  };
  const init = async () => {
    socket.write(
      encodeFrame(
        FrameType.InitReq,
        1,
        encodeInit({ version: 2, headers: { host_port: '0.0.0.0:0', process_name: 'raw' } }),
      ),
    );
    const f = await next();
    if (f.type !== FrameType.InitRes) throw new Error(`expected init res, got ${f.type}`);
  };
  return { socket, next, closed, init };
}

/** A call req for KeyValue::get(key) as frames. */
const call = (
  id: number,
  key: string,
  o: { checksumType?: number; as?: string; service?: string } = {},
) =>
  encodeCall(
    {
      kind: 'req',
      ttl: 1000,
      service: o.service ?? 'kv',
      headers: { as: o.as ?? 'thrift', cn: 'raw' },
      checksumType: o.checksumType ?? 3,
    },
    id,
    [Buffer.from('KeyValue::get'), encodeAppHeaders({}), getArgs(key)],
  );

/** Expects an error frame with `code` for `id` whose message matches `text`. */
function isError(t: Test, f: Frame, id: number, code: number, text: RegExp): ErrorBody {
  t.equal(f.type, FrameType.Error, 'an error frame');
  t.equal(f.id, id, `for id 0x${id.toString(16)}`);
  const e = decodeError(f.payload, f.id);
  t.equal(e.code, code, `code 0x${code.toString(16)}`);
  t.match(e.message, text);
  return e;
}

void t.test('a call before init: fatal error frame, only that connection closes', async (t) => {
  const { port, stillServes } = await serve(t);
  const r = await raw(port);
  for (const f of call(5, 'x')) r.socket.write(f);
  isError(
    t,
    await r.next(),
    5,
    ErrorCode.FatalProtocolError,
    /expected an init req \(0x01\) as the first frame of the connection, got call req \(id 5\)/,
  );
  await r.closed;
  t.pass('closed');
  await stillServes();
});

void t.test('frame sizes: below the header, above maxFrameSize', async (t) => {
  const { port, stillServes } = await serve(t, { maxFrameSize: 1000 });
  const a = await raw(port);
  await a.init();
  a.socket.write(Uint8Array.of(0x00, 0x05, 0x03, 0x00));
  isError(
    t,
    await a.next(),
    0xffffffff,
    0xff,
    /frame size 5 is smaller than the 16-byte frame header/,
  );
  await a.closed;
  const b = await raw(port);
  await b.init();
  b.socket.write(Uint8Array.of(0xff, 0xff)); // 65,535 announced, nothing sent: refused at once
  isError(
    t,
    await b.next(),
    0xffffffff,
    0xff,
    /frame size 65535 is larger than the limit \(maxFrameSize\) of 1000 \(at byte 0 of the frame\); raise maxFrameSize/,
  );
  await b.closed;
  await stillServes();
});

void t.test('sizes larger than what is left: nh, service, args', async (t) => {
  const { port, stillServes } = await serve(t);
  const a = await raw(port);
  // init req: version 2, nh = 65,535 in a 4-byte payload
  a.socket.write(encodeFrame(FrameType.InitReq, 1, Uint8Array.of(0x00, 0x02, 0xff, 0xff)));
  isError(
    t,
    await a.next(),
    1,
    0xff,
    /init req frame: nh: 65535 headers need at least 262140 bytes but only 0 remain at byte 20 of the frame/,
  );
  await a.closed;
  const b = await raw(port);
  await b.init();
  // call req: flags, ttl, tracing, then service~1 = 200 with 3 bytes left
  b.socket.write(
    encodeFrame(
      FrameType.CallReq,
      2,
      Uint8Array.from([0, 0, 0, 3, 0xe8, ...new Array<number>(25).fill(0), 200, 1, 2, 3]),
    ),
  );
  isError(
    t,
    await b.next(),
    2,
    0xff,
    /call req frame: service: length 200 but only 3 bytes remain at byte 47 of the frame/,
  );
  await b.closed;
  const c = await raw(port);
  await c.init();
  const [good] = call(3, 'k', { checksumType: 0 });
  const bad = good!.slice();
  bad[bad.length - 10] = 0xff; // arg3 length high byte: 65,281 more bytes than the frame holds
  c.socket.write(bad);
  isError(t, await c.next(), 3, 0xff, /call req frame: arg3: length \d+ but only 9 bytes remain/);
  await c.closed;
  // application headers (arg2) with nh = 60,000 in 2 bytes: the args do not decode
  const d = await raw(port);
  await d.init();
  for (const f of encodeCall(
    { kind: 'req', ttl: 1000, service: 'kv', headers: { as: 'thrift' }, checksumType: 0 },
    4,
    [Buffer.from('KeyValue::get'), Uint8Array.of(0xea, 0x60), getArgs('k')],
  ))
    d.socket.write(f);
  isError(
    t,
    await d.next(),
    4,
    ErrorCode.BadRequest,
    /arg2 \(application headers\): nh: 60000 headers need at least 240000 bytes but only 0 remain in arg2 at byte 2 of arg2/,
  );
  for (const f of call(5, 'after')) d.socket.write(f);
  t.equal((await d.next()).type, FrameType.CallRes, 'that connection goes on');
  d.socket.destroy();
  await stillServes();
});

void t.test('an unknown frame type, a continuation of nothing, a duplicate id', async (t) => {
  const { port, stillServes } = await serve(t);
  const a = await raw(port);
  await a.init();
  a.socket.write(encodeFrame(0x55, 9, new Uint8Array(3)));
  isError(t, await a.next(), 9, 0xff, /a server does not take a unknown type 0x55 frame \(id 9\)/);
  await a.closed;
  const b = await raw(port);
  await b.init();
  b.socket.write(encodeFrame(FrameType.CallReqContinue, 7, Uint8Array.of(0, 0, 0, 0)));
  isError(t, await b.next(), 7, 0xff, /call req continue for id 7, which has no call req waiting/);
  await b.closed;
  const c = await raw(port);
  await c.init();
  for (const f of call(8, 'slow')) c.socket.write(f);
  for (const f of call(8, 'x')) c.socket.write(f);
  isError(t, await c.next(), 8, 0xff, /call req id 8 is already in use on this connection/);
  await c.closed;
  await stillServes();
});

void t.test(
  'a wrong checksum (crc32c, farmhash), a wrong arg scheme: BadRequest, the connection goes on',
  async (t) => {
    const { port, stillServes } = await serve(t);
    const r = await raw(port);
    await r.init();
    const [f] = call(2, 'k');
    const bad = f!.slice();
    bad[bad.length - 3] = bad[bad.length - 3]! ^ 0x20; // one bit of the key
    r.socket.write(bad);
    isError(
      t,
      await r.next(),
      2,
      ErrorCode.BadRequest,
      /call req id 2: crc32c checksum mismatch: the frame says 0x[0-9a-f]{8}, its args give 0x[0-9a-f]{8}/,
    );
    const farm = f!.slice();
    // header 16, flags 1, ttl 4, tracing 25, service~1 3, nh 1, as=thrift 10, cn=raw 7: csumtype
    farm[16 + 1 + 4 + 25 + 3 + 1 + 10 + 7] = 2; // farmhash, with the crc32c value left in csum
    farm.set([0, 0, 0, 4], 4); // id 4
    r.socket.write(farm);
    isError(
      t,
      await r.next(),
      4,
      ErrorCode.BadRequest,
      /call req id 4: farmhash Fingerprint32 checksum mismatch: the frame says 0x[0-9a-f]{8}, its args give 0x[0-9a-f]{8}; the args were corrupted, or the sender computes farmhash Fingerprint32 differently/,
    );
    for (const g of call(6, 'k', { as: 'json' })) r.socket.write(g);
    isError(
      t,
      await r.next(),
      6,
      ErrorCode.BadRequest,
      /transport header as is 'json'; this server speaks as=thrift/,
    );
    for (const g of call(7, 'fine')) r.socket.write(g);
    const ok = await r.next();
    t.equal(ok.type, FrameType.CallRes, 'a good call on the same connection is answered');
    t.equal(ok.id, 7);
    r.socket.destroy();
    await stillServes();
  },
);

void t.test('args past maxArgsSize: BadRequest, the rest of the call is skipped', async (t) => {
  const { port, stillServes } = await serve(t, { maxArgsSize: 100_000 });
  const r = await raw(port);
  await r.init();
  const frames = encodeCall(
    { kind: 'req', ttl: 1000, service: 'kv', headers: { as: 'thrift' }, checksumType: 3 },
    2,
    [
      Buffer.from('KeyValue::get'),
      encodeAppHeaders({}),
      kv.dumps(new (KeyValue.__functions__.get('get')!.request)({ key: 'x'.repeat(200_000) })),
    ],
  );
  t.equal(frames.length, 4);
  for (const f of frames) r.socket.write(f);
  isError(
    t,
    await r.next(),
    2,
    ErrorCode.BadRequest,
    /the args pass the limit \(maxArgsSize\) of 100000 bytes; raise maxArgsSize/,
  );
  for (const f of call(3, 'next')) r.socket.write(f);
  const ok = await r.next();
  t.same([ok.type, ok.id], [FrameType.CallRes, 3], 'the connection goes on');
  r.socket.destroy();
  await stillServes();
});

void t.test(
  'an unfinished frame is closed after readTimeoutMs; extra connections are refused',
  async (t) => {
    const { port, errors, server, stillServes } = await serve(t, {
      readTimeoutMs: 150,
      maxConnections: 3,
    });
    const r = await raw(port);
    await r.init();
    const [f] = call(2, 'k');
    r.socket.write(f!.subarray(0, 30));
    await r.closed;
    const e = errors.find((x) => x instanceof ServerLimitError && x.limit === 'readTimeoutMs');
    t.ok(e, 'reported as readTimeoutMs');
    t.match(
      (e as Error).message,
      /no whole frame arrived for 150 ms \(readTimeoutMs\) while 30 bytes of an unfinished frame or call were held/,
    );
    t.equal(server.bufferedBytes, 0, 'nothing held afterwards');
    const keep = [await raw(port), await raw(port)];
    const extra = await raw(port);
    await extra.closed;
    t.ok(
      errors.some((x) => x instanceof ServerLimitError && x.limit === 'maxConnections'),
      'the fourth is refused',
    );
    for (const k of keep) k.socket.destroy();
    await stillServes();
  },
);

void t.test(
  'a fragmented call whose frames keep coming is not closed by readTimeoutMs',
  async (t) => {
    const { port } = await serve(t, { readTimeoutMs: 800 });
    const r = await raw(port);
    await r.init();
    const frames = encodeCall(
      { kind: 'req', ttl: 5000, service: 'kv', headers: { as: 'thrift' }, checksumType: 3 },
      2,
      [Buffer.from('KeyValue::get'), encodeAppHeaders({}), getArgs('y'.repeat(200_000))],
    );
    // Each frame in two halves 150 ms apart, 300 ms per frame: 1.2 s in all, past readTimeoutMs,
    // but a whole frame arrives every 300 ms (a loaded machine may stretch that; 800 leaves room).
    for (const f of frames) {
      r.socket.write(f.subarray(0, 1000));
      await sleep(150);
      r.socket.write(f.subarray(1000));
      await sleep(150);
    }
    const answer = await r.next();
    t.equal(answer.type, FrameType.CallRes, 'answered');
    r.socket.destroy();
  },
);

void t.test('cancel answers Cancelled; the id may serve a new call at once', async (t) => {
  const { port } = await serve(t);
  const r = await raw(port);
  await r.init();
  for (const f of call(2, 'wait:300')) r.socket.write(f);
  await sleep(50);
  r.socket.write(encodeFrame(FrameType.Cancel, 2, encodeCancel(1000, 'no longer needed')));
  isError(t, await r.next(), 2, ErrorCode.Cancelled, /call 2 was cancelled: no longer needed/);
  // The same id again while the cancelled handler still runs (it ends at 300 ms, this one at
  // about 450 ms): the new call is answered, the old one never is.
  for (const f of call(2, 'wait:400')) r.socket.write(f);
  const answer = await r.next();
  t.same([answer.type, answer.id], [FrameType.CallRes, 2], 'the new call is answered');
  r.socket.write(encodeFrame(FrameType.PingReq, 3, new Uint8Array(0)));
  const p = await r.next();
  t.same([p.type, p.id], [FrameType.PingRes, 3], 'and nothing else came');
  r.socket.destroy();
});

void t.test('property: mutated streams never break the server', async (t) => {
  const seed = Number(process.env.TCHANNEL_SEED ?? Date.now() % 2 ** 31);
  t.comment(`seed ${seed} (TCHANNEL_SEED replays it)`);
  let s = seed || 1;
  const rnd = (n: number) => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) % n;
  };
  const { port, server, stillServes } = await serve(t, { readTimeoutMs: 150 });
  const init = encodeFrame(
    FrameType.InitReq,
    1,
    encodeInit({ version: 2, headers: { host_port: '0.0.0.0:0', process_name: 'raw' } }),
  );
  let closedByServer = 0;
  for (let round = 0; round < 30; round++) {
    const stream = Buffer.concat([init, ...call(2, 'k'), ...call(3, 'x'.repeat(rnd(100_000)))]);
    for (let flips = 1 + rnd(4); flips > 0; flips--) stream[rnd(stream.length)] = rnd(256);
    const r = await raw(port);
    r.socket.write(stream.subarray(0, rnd(stream.length + 1)));
    // Each connection ends: the server closes it (a bad frame, or readTimeoutMs for an unfinished
    // one) or answers; we close it after 400 ms at most.
    if (await Promise.race([r.closed.then(() => true), sleep(400).then(() => false)]))
      closedByServer++;
    r.socket.destroy();
  }
  t.comment(`${closedByServer} of 30 connections closed by the server`);
  await sleep(50);
  await stillServes();
  t.equal(server.connectionsOpen, 1, 'only the good connection is left');
  t.equal(server.bufferedBytes, 0, 'nothing held');
});
