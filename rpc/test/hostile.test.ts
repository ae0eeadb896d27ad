// Our RPC server under hostile clients and handlers (issue 9, "RPC server"), each item reproduced
// at a small scale: a pipelining client that never reads is no longer read (and the server goes
// on serving others); any handler failure is an EXCEPTION for that call only; connections, idle
// and slow connections, unfinished messages and slow handlers are limited; error texts are cut to
// fit the frame limit; the buffered transport reads a message in pieces in linear time.
import t from 'tap';
import type { Test } from 'tap';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load, TApplicationException } from '../../codec/src/index.js';
import type { ServiceObject, StructClass } from '../../codec/src/index.js';
import { ThriftClient } from '../src/client.js';
import { cutUtf8, describe, ServerLimitError, ThriftServer } from '../src/server.js';
import type { Handler, ServerOptions } from '../src/server.js';
import { frame, MessageReader } from '../src/transport.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const kv = load(join(root, 'idl/keyvalue.thrift'));
const KeyValue = kv.KeyValue as ServiceObject;
const NotFoundError = kv.NotFoundError as StructClass;
const getFn = KeyValue.__functions__.get('get')!;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts a server with `handler` (get/put) and `options`; closed at the end of the test. */
async function serve(
  t: Test,
  handler: Handler,
  options: ServerOptions = {},
): Promise<{ server: ThriftServer; port: number; errors: unknown[] }> {
  const errors: unknown[] = [];
  const server = new ThriftServer({ onError: (e) => errors.push(e), ...options }).register(
    kv,
    KeyValue,
    handler,
  );
  const port = await server.listen();
  t.teardown(() => server.close());
  return { server, port, errors };
}

/** A handler whose get answers 'v'. */
const plain: Handler = { get: () => 'v', put: () => undefined };

/** The ServerLimitError reported for `limit` (fails the test when there is none). */
function limitError(t: Test, errors: unknown[], limit: string): ServerLimitError {
  const e = errors.find((e) => e instanceof ServerLimitError && e.limit === limit);
  t.ok(e, `a ServerLimitError for ${limit} was reported`);
  return e as ServerLimitError;
}

/** A raw socket, connected; resolves `closed` when the server closes it. */
async function rawSocket(port: number): Promise<{ socket: Socket; closed: Promise<void> }> {
  const socket = connect({ port, host: '127.0.0.1' });
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  return { socket, closed };
}

/** A framed `get` call with this seqid. */
function getCall(key: string, seqid: number): Uint8Array {
  return frame('framed', kv.dumps.message(new getFn.request({ key }), seqid));
}

/** Waits until `f()` stops changing for `quietMs` (or `maxMs` passes); returns its last value. */
async function settle(f: () => number, quietMs = 300, maxMs = 10_000): Promise<number> {
  let last = f();
  let since = performance.now();
  const end = performance.now() + maxMs;
  while (performance.now() < end) {
    await sleep(50);
    const v = f();
    if (v !== last) {
      last = v;
      since = performance.now();
    } else if (performance.now() - since >= quietMs) break;
  }
  return last;
}

void t.test(
  'a pipelining client that never reads stops being read; others are served',
  async (t) => {
    const big = 'v'.repeat(64 * 1024);
    let handled = 0;
    const { server, port } = await serve(t, {
      get: () => {
        handled++;
        return big;
      },
      put: () => undefined,
    });
    const calls = 3000; // 3000 replies of 64 KiB: 192 MiB if every one were buffered
    const { socket } = await rawSocket(port);
    socket.pause(); // never reads
    const batch: Uint8Array[] = [];
    for (let i = 1; i <= calls; i++) batch.push(getCall('k', i));
    socket.write(Buffer.concat(batch));
    const stalled = await settle(() => handled);
    t.ok(
      stalled < calls / 2,
      `the server stopped handling calls of a client that does not read (${stalled} of ${calls} handled)`,
    );
    t.ok(
      server.bufferedBytes < 1024 * 1024,
      `it holds ${server.bufferedBytes} bytes of that input`,
    );
    const other = await ThriftClient.connect(kv, KeyValue, port);
    t.teardown(() => other.close());
    const before = handled;
    t.equal(await other.call('get', { key: 'x' }), big, 'another client is served meanwhile');
    t.equal(handled, before + 1);
    // Once the client reads, every call is answered, in order.
    const reader = new MessageReader('framed');
    let replies = 0;
    let lastSeqid = 0;
    let ordered = true;
    const all = new Promise<void>((resolve) => {
      socket.on('data', (chunk: Buffer) => {
        for (const m of reader.push(chunk)) {
          const seqid = kv.loads.message(KeyValue, m).seqid;
          if (seqid !== lastSeqid + 1) ordered = false;
          lastSeqid = seqid;
          if (++replies === calls) resolve();
        }
      });
    });
    socket.resume();
    await all;
    t.equal(replies, calls, 'every call is answered once the client reads');
    t.ok(ordered, 'in order');
    socket.destroy();
  },
);

void t.test('a connection runs at most maxInFlight calls at once', async (t) => {
  let running = 0;
  let most = 0;
  const { port } = await serve(
    t,
    {
      get: async () => {
        most = Math.max(most, ++running);
        await sleep(5);
        running--;
        return 'v';
      },
      put: () => undefined,
    },
    { maxInFlight: 4 },
  );
  const client = await ThriftClient.connect(kv, KeyValue, port);
  t.teardown(() => client.close());
  const got = await Promise.all(Array.from({ length: 40 }, () => client.call('get', { key: 'k' })));
  t.equal(got.length, 40);
  t.equal(most, 4, 'never more than 4 handlers at once on the connection');
});

void t.test('every handler failure is an EXCEPTION for that call only', async (t) => {
  const nasty = new Proxy(
    {},
    {
      getPrototypeOf() {
        throw new Error('trap');
      },
      get() {
        throw new Error('trap');
      },
    },
  );
  const throws: Record<string, () => unknown> = {
    'a declared exception with an invalid field': () => {
      const e = new NotFoundError({ key: 'k' });
      (e as Record<string, unknown>).key = 42;
      throw e;
    },
    'a value without a string form': () => {
      throw Object.create(null) as object;
    },
    'a Proxy whose every trap throws': () => {
      throw nasty;
    },
    'an Error whose message getter throws': () => {
      const e = new Error('x');
      Object.defineProperty(e, 'message', {
        get() {
          throw new Error('no message');
        },
      });
      throw e;
    },
    'a result of the wrong type': () => 42,
    'a rejected promise of null': () => Promise.reject(null),
  };
  let which = '';
  const { port, errors } = await serve(
    t,
    {
      get: ({ key }) => (key === 'ok' ? 'fine' : throws[which]!()),
      put: () => undefined,
    },
    {
      onError: (e) => {
        errors.push(e);
        throw new Error('an onError that throws breaks nothing');
      },
    },
  );
  const client = await ThriftClient.connect(kv, KeyValue, port);
  t.teardown(() => client.close());
  for (const name of Object.keys(throws)) {
    which = name;
    const err = await client.call('get', { key: 'k' }).catch((e: unknown) => e);
    t.ok(err instanceof TApplicationException, `${name}: answered with an EXCEPTION`);
    t.equal((err as TApplicationException).typeName, 'INTERNAL_ERROR', name);
    t.equal(await client.call('get', { key: 'ok' }), 'fine', `${name}: the connection goes on`);
  }
  t.ok(errors.length >= Object.keys(throws).length, 'each failure was reported to onError');
  t.match(describe(Object.create(null)), /without a string form/);
});

void t.test('a slow handler is answered INTERNAL_ERROR after handlerTimeoutMs', async (t) => {
  const { port, errors } = await serve(
    t,
    { get: () => new Promise(() => undefined), put: () => undefined },
    { handlerTimeoutMs: 100 },
  );
  const client = await ThriftClient.connect(kv, KeyValue, port);
  t.teardown(() => client.close());
  const err = await client.call('get', { key: 'k' }).catch((e: unknown) => e);
  t.equal((err as TApplicationException).typeName, 'INTERNAL_ERROR');
  t.match((err as Error).message, /did not finish within 100 ms \(handlerTimeoutMs\)/);
  limitError(t, errors, 'handlerTimeoutMs');
});

void t.test('an error text longer than the frame limit is cut to fit', async (t) => {
  const huge = 'é'.repeat(40_000); // 80,000 bytes of UTF-8
  const { port } = await serve(
    t,
    {
      get: () => {
        throw new Error(huge);
      },
      put: () => undefined,
    },
    { maxFrameSize: 1024 },
  );
  const client = await ThriftClient.connect(kv, KeyValue, port, '127.0.0.1', {
    maxFrameSize: 1024,
  });
  t.teardown(() => client.close());
  const err = await client.call('get', { key: 'k' }).catch((e: unknown) => e);
  t.equal((err as TApplicationException).typeName, 'INTERNAL_ERROR', 'the client could read it');
  const text = (err as Error).message;
  t.ok(Buffer.byteLength(text) < 1024, `cut to ${Buffer.byteLength(text)} bytes`);
  t.match(text, /^Internal error processing get: é+ … \(cut\)$/, 'on a character boundary');
  t.equal(cutUtf8('abc', 3), 'abc');
  t.equal(cutUtf8('aéé', 4), 'aé', 'no half character when even the mark does not fit');
});

void t.test('connections past maxConnections are closed as they arrive', async (t) => {
  const { server, port, errors } = await serve(t, plain, { maxConnections: 3 });
  const open = await Promise.all([1, 2, 3].map(() => rawSocket(port)));
  t.teardown(() => open.forEach((s) => s.socket.destroy()));
  await settle(() => server.connectionsOpen, 100);
  const extra = await rawSocket(port);
  await extra.closed;
  t.pass('the fourth connection was closed');
  const e = limitError(t, errors, 'maxConnections');
  t.match(e.message, /the limit \(maxConnections\) is 3; raise maxConnections/);
  open[0]!.socket.destroy();
  await open[0]!.closed;
  await settle(() => server.connectionsOpen, 100);
  const client = await ThriftClient.connect(kv, KeyValue, port);
  t.equal(await client.call('get', { key: 'k' }), 'v', 'a place freed is taken again');
  client.close();
});

void t.test('an idle connection is closed after idleTimeoutMs', async (t) => {
  const { port, errors } = await serve(t, plain, { idleTimeoutMs: 200 });
  const { closed } = await rawSocket(port);
  await closed;
  limitError(t, errors, 'idleTimeoutMs');
  // A slow handler keeps its connection open past the idle timeout.
  const slow = new ThriftServer({ idleTimeoutMs: 100 }).register(kv, KeyValue, {
    get: () => sleep(400).then(() => 'late'),
    put: () => undefined,
  });
  const slowPort = await slow.listen();
  t.teardown(() => slow.close());
  const client = await ThriftClient.connect(kv, KeyValue, slowPort);
  t.equal(await client.call('get', { key: 'k' }), 'late', 'a call in progress is not idle');
  client.close();
});

void t.test('a message trickling in slower than readTimeoutMs closes its connection', async (t) => {
  const { port, errors } = await serve(t, plain, { readTimeoutMs: 300 });
  const { socket, closed } = await rawSocket(port);
  const call = getCall('key', 1);
  let sent = 0;
  const timer = setInterval(() => {
    if (sent < call.length - 1) socket.write(call.subarray(sent, ++sent)); // one byte per 50 ms
  }, 50);
  await closed;
  clearInterval(timer);
  t.ok(sent < call.length, `closed after ${sent} of ${call.length} bytes`);
  const e = limitError(t, errors, 'readTimeoutMs');
  t.match(e.message, /not whole within 300 ms \(readTimeoutMs\).*raise readTimeoutMs/);
});

void t.test(
  'unfinished messages past maxBufferedBytes close the connection that passes it',
  async (t) => {
    const { server, port, errors } = await serve(t, plain, {
      maxBufferedBytes: 1_000_000,
      maxFrameSize: 900_000,
    });
    const start = (n: number) => {
      const head = Buffer.alloc(4);
      head.writeUInt32BE(800_000);
      return Buffer.concat([head, Buffer.alloc(n)]);
    };
    const a = await rawSocket(port);
    a.socket.write(start(600_000));
    await settle(() => server.bufferedBytes, 100);
    t.ok(server.bufferedBytes >= 600_000, 'the first unfinished frame is held');
    const b = await rawSocket(port);
    b.socket.write(start(600_000));
    await b.closed;
    t.pass('the second connection, which would pass 1,000,000 bytes, was closed');
    limitError(t, errors, 'maxBufferedBytes');
    t.ok(server.bufferedBytes <= 1_000_000);
    a.socket.destroy();
    await a.closed;
    await settle(() => server.bufferedBytes, 100);
    t.equal(server.bufferedBytes, 0, 'a closed connection gives its bytes back');
  },
);

void t.test(
  'whole calls before bytes that cannot be a message are answered, then the connection closes',
  async (t) => {
    const { port, errors } = await serve(t, plain, { transport: 'buffered' });
    const { socket, closed } = await rawSocket(port);
    const received: Buffer[] = [];
    socket.on('data', (b: Buffer) => received.push(b));
    const call = (seqid: number) => kv.dumps.message(new getFn.request({ key: 'k' }), seqid);
    // Two whole calls and a strict header with a bad version, in one write.
    socket.write(Buffer.concat([call(1), call(2), Buffer.from([0x80, 0x02, 0, 1])]));
    await closed;
    const reader = new MessageReader('buffered');
    const replies = reader.push(Buffer.concat(received));
    t.same(
      replies.map((r) => kv.loads.message(KeyValue, r).seqid),
      [1, 2],
      'both calls were answered before the close',
    );
    t.equal(errors.length, 1, 'one fault reported');
    t.match(String(errors[0]), /version/i, 'the report names the bad bytes');
  },
);

void t.test('a reader hands out whole messages before a fault and keeps the fault', async (t) => {
  const reader = new MessageReader('framed', 100);
  const good = frame('framed', Uint8Array.from([1, 2, 3]));
  const bad = Uint8Array.from([0xff, 0xff, 0xff, 0xff]);
  const out = reader.push(Buffer.concat([good, bad]));
  t.same(
    out.map((m) => [...m]),
    [[1, 2, 3]],
    'the whole message comes out',
  );
  t.match(reader.fault?.message, /exceeds the limit of 100/, 'the fault is kept');
  t.throws(() => reader.push(good), /exceeds the limit of 100/, 'and thrown by the next push');
  t.throws(() => new MessageReader('framed', 100).push(bad), /exceeds/, 'alone, it is thrown');
});

void t.test('limits must be positive integers', async (t) => {
  t.throws(() => new ThriftServer({ maxConnections: 0 }), /maxConnections must be a positive/);
  t.throws(() => new ThriftServer({ readTimeoutMs: 1.5 }), RangeError);
});

void t.test('a client that never reads its replies is closed after idleTimeoutMs', async (t) => {
  const { server, port, errors } = await serve(
    t,
    { get: () => 'v'.repeat(64 * 1024), put: () => undefined },
    { idleTimeoutMs: 500 },
  );
  const { socket } = await rawSocket(port);
  socket.pause();
  const batch: Uint8Array[] = [];
  for (let i = 1; i <= 3000; i++) batch.push(getCall('k', i));
  socket.write(Buffer.concat(batch));
  for (let i = 0; i < 400 && server.connectionsOpen > 0; i++) await sleep(50);
  t.equal(server.connectionsOpen, 0, 'the server closed it');
  const e = limitError(t, errors, 'idleTimeoutMs');
  t.match(e.message, /while replies waited to be read/);
  socket.destroy();
});

void t.test('a byte tap that throws breaks no call', async (t) => {
  const { port, errors } = await serve(t, plain, {
    onBytes: () => {
      throw new Error('tap');
    },
  });
  const client = await ThriftClient.connect(kv, KeyValue, port);
  t.teardown(() => client.close());
  t.equal(await client.call('get', { key: 'k' }), 'v');
  t.ok(errors.length >= 2, 'each failure of the tap is reported');
});
