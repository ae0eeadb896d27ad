// Our envelope RPC over real loopback sockets: the KeyValue scenario, every message type, oneway,
// unknown methods, declared exceptions, handler crashes, strict and non-strict, framed and
// buffered, many calls in flight, timeouts, and a bad frame closing only its own connection.
import t from 'tap';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile, load, TApplicationException } from '../../codec/src/index.js';
import type { ServiceObject, StructClass } from '../../codec/src/index.js';
import { ThriftClient, CallTimeoutError, ConnectionClosedError } from '../src/client.js';
import { ThriftServer } from '../src/server.js';
import type { TransportKind } from '../src/transport.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const kv = load(join(root, 'idl/keyvalue.thrift'));
const KeyValue = kv.KeyValue as ServiceObject;
const NotFoundError = kv.NotFoundError as StructClass;

function keyValueHandler() {
  const values = new Map<string, string>();
  return {
    get({ key }: Record<string, unknown>) {
      const v = values.get(key as string);
      if (v === undefined) throw new NotFoundError({ key });
      return v;
    },
    put({ key, value }: Record<string, unknown>) {
      values.set(key as string, value as string);
    },
  };
}

for (const transport of ['framed', 'buffered'] as TransportKind[]) {
  for (const strict of [true, false]) {
    void t.test(
      `KeyValue scenario, ${transport}, ${strict ? 'strict' : 'non-strict'} envelopes`,
      async (t) => {
        const server = new ThriftServer({ transport }).register(kv, KeyValue, keyValueHandler());
        const port = await server.listen();
        t.teardown(() => server.close());
        const client = await ThriftClient.connect(kv, KeyValue, port, '127.0.0.1', {
          transport,
          strict,
        });
        t.teardown(() => client.close());
        t.equal(
          await client.call('put', { key: 'hello', value: 'world' }),
          undefined,
          'put returns nothing',
        );
        t.equal(await client.call('get', { key: 'hello' }), 'world');
        const err = await client.call('get', { key: 'missing' }).catch((e: unknown) => e);
        t.ok(err instanceof NotFoundError, 'a missing key raises NotFoundError');
        t.equal((err as Record<string, unknown>).key, 'missing');
      },
    );
  }
}

void t.test('32 calls in flight on one connection are matched by seqid', async (t) => {
  const slow = {
    async get({ key }: Record<string, unknown>) {
      await new Promise((r) => setTimeout(r, Math.random() * 20));
      return `v-${String(key)}`;
    },
    put() {},
  };
  const server = new ThriftServer().register(kv, KeyValue, slow);
  const port = await server.listen();
  t.teardown(() => server.close());
  const client = await ThriftClient.connect(kv, KeyValue, port);
  t.teardown(() => client.close());
  const keys = Array.from({ length: 32 }, (_, i) => `k${i}`);
  const calls = keys.map((key) => client.call('get', { key }));
  t.equal(client.inFlight, 32);
  t.same(
    await Promise.all(calls),
    keys.map((k) => `v-${k}`),
  );
});

const EXTRA = `
exception NotFoundError { 1: required string key }
service KeyValue {
  string get(1: string key) throws (1: NotFoundError notFound)
  void put(1: string key, 2: string value)
  oneway void fire(1: i32 n)
  i32 crash()
  i32 slow()
  i32 nope()
}`;
const extra = compile(EXTRA, { file: 'extra.thrift' });
const Extra = extra.KeyValue as ServiceObject;

void t.test('oneway, unknown method, handler crash, timeout', async (t) => {
  const fired: number[] = [];
  const handler = {
    ...keyValueHandler(),
    fire({ n }: Record<string, unknown>) {
      fired.push(n as number);
    },
    crash(): number {
      throw new RangeError('boom');
    },
    slow: () => new Promise<number>((r) => setTimeout(() => r(1), 2000)),
  };
  // The server serves a service without `nope`; the client's IDL has it.
  const served = compile(EXTRA.replace('  i32 nope()\n', ''), { file: 'served.thrift' });
  const errors: unknown[] = [];
  const server = new ThriftServer({ onError: (e) => errors.push(e) }).register(
    served,
    served.KeyValue as ServiceObject,
    handler,
  );
  const port = await server.listen();
  t.teardown(() => server.close());
  const client = await ThriftClient.connect(extra, Extra, port);
  t.teardown(() => client.close());

  t.equal(await client.call('fire', { n: 7 }), undefined, 'oneway resolves once written');
  t.equal(await client.call('put', { key: 'a', value: 'b' }), undefined);
  t.same(fired, [7], 'the oneway call reached the handler before the next call was answered');

  const unknown = await client.call('nope').catch((e: unknown) => e);
  t.ok(unknown instanceof TApplicationException);
  t.equal((unknown as TApplicationException).typeName, 'UNKNOWN_METHOD');

  const crash = await client.call('crash').catch((e: unknown) => e);
  t.equal((crash as TApplicationException).typeName, 'INTERNAL_ERROR');
  t.match((crash as Error).message, /boom/);

  const slow = await client.call('slow', {}, 100).catch((e: unknown) => e);
  t.ok(slow instanceof CallTimeoutError, 'a call times out on its own');
  t.equal(await client.call('get', { key: 'a' }), 'b', 'and the connection keeps working');
});

void t.test('a malformed or oversized frame closes only its connection', async (t) => {
  const server = new ThriftServer({ maxFrameSize: 1024 }).register(kv, KeyValue, keyValueHandler());
  const port = await server.listen();
  t.teardown(() => server.close());
  const good = await ThriftClient.connect(kv, KeyValue, port);
  t.teardown(() => good.close());
  await good.call('put', { key: 'k', value: 'v' });

  for (const bad of [
    Uint8Array.from([0x7f, 0xff, 0xff, 0xff]), // a frame of 2 GiB
    Uint8Array.from([0, 0, 0, 4, 0x80, 0x02, 0, 1]), // a frame whose header has a bad version
  ]) {
    const closed = await new Promise<boolean>((resolve) => {
      const s = connect({ port, host: '127.0.0.1' }, () => s.write(bad));
      s.on('close', () => resolve(true));
      s.on('error', () => undefined);
      setTimeout(() => resolve(false), 3000);
    });
    t.ok(closed, 'the server closed the bad connection');
  }
  t.equal(await good.call('get', { key: 'k' }), 'v', 'the other connection is still served');
});

void t.test('a server going away fails the waiting calls', async (t) => {
  const server = new ThriftServer().register(extra, Extra, {
    ...keyValueHandler(),
    fire() {},
    crash: () => 1,
    slow: () => new Promise(() => undefined),
    nope: () => 1,
  });
  const port = await server.listen();
  const client = await ThriftClient.connect(extra, Extra, port);
  const waiting = client.call('slow').catch((e: unknown) => e);
  await new Promise((r) => setTimeout(r, 50));
  await server.close();
  t.ok((await waiting) instanceof ConnectionClosedError);
  client.close();
});
