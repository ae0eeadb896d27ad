// RPC over the compact protocol: client and server with `protocol: 'compact'` (framed and
// buffered), a server that tells binary from compact by each message's first byte and answers in
// kind (`detectProtocol`), the buffered compact scan over a message that arrives a byte at a
// time, errors answered as compact EXCEPTION messages, and a binary-only server refusing
// compact bytes by closing that connection only.
import t from 'tap';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load, TApplicationException } from '../../codec/src/index.js';
import type { Protocol, ServiceObject, StructClass } from '../../codec/src/index.js';
import { ThriftClient } from '../src/client.js';
import { ThriftServer } from '../src/server.js';
import { MessageReader } from '../src/transport.js';
import type { TransportKind } from '../src/transport.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const kv = load(join(root, 'idl/keyvalue.thrift'));
const KeyValue = kv.KeyValue as ServiceObject;
const NotFoundError = kv.NotFoundError as StructClass;

/** A (sub)test object, as tap hands it to a `t.test` callback. */
type TT = Parameters<Parameters<typeof t.test>[0]>[0];

function handler() {
  const values = new Map<string, string>();
  return {
    get({ key }: Record<string, unknown>) {
      const v = values.get(key as string);
      if (v === undefined) throw new NotFoundError({ key });
      return v;
    },
    put({ key, value }: Record<string, unknown>) {
      if (key === 'crash') throw new Error('boom');
      values.set(key as string, value as string);
    },
  };
}

async function scenario(t: TT, client: ThriftClient): Promise<void> {
  t.equal(await client.call('put', { key: 'hello', value: 'wörld' }), undefined, 'put');
  t.equal(await client.call('get', { key: 'hello' }), 'wörld', 'get');
  const missing = await client.call('get', { key: 'missing' }).catch((e: unknown) => e);
  t.ok(missing instanceof NotFoundError, 'a declared exception comes back');
  const crash = await client.call('put', { key: 'crash', value: '' }).catch((e: unknown) => e);
  t.ok(crash instanceof TApplicationException, 'a handler crash is an EXCEPTION message');
  t.match((crash as TApplicationException).message, /boom/);
}

for (const transport of ['framed', 'buffered'] as TransportKind[]) {
  void t.test(`compact client and server, ${transport}`, async (t) => {
    const server = new ThriftServer({ transport, protocol: 'compact' });
    server.register(kv, KeyValue, handler());
    const port = await server.listen();
    t.teardown(() => server.close());
    const client = await ThriftClient.connect(kv, KeyValue, port, '127.0.0.1', {
      transport,
      protocol: 'compact',
      onBytes: (direction, bytes) => {
        // Every request starts with the compact protocol id (after the frame length, if any).
        if (direction === 'sent') t.equal(bytes[transport === 'framed' ? 4 : 0], 0x82);
      },
    });
    t.teardown(() => client.close());
    await scenario(t, client);
  });

  void t.test(`detectProtocol answers each client in kind, ${transport}`, async (t) => {
    const server = new ThriftServer({ transport, detectProtocol: true });
    server.register(kv, KeyValue, handler());
    const port = await server.listen();
    t.teardown(() => server.close());
    for (const protocol of ['compact', 'binary', 'compact'] as Protocol[]) {
      const replies: number[] = [];
      const client = await ThriftClient.connect(kv, KeyValue, port, '127.0.0.1', {
        transport,
        protocol,
        onBytes: (direction, bytes) => {
          if (direction === 'received') replies.push(bytes[transport === 'framed' ? 4 : 0]!);
        },
      });
      await scenario(t, client);
      client.close();
      t.ok(
        replies.every((b) => b === (protocol === 'compact' ? 0x82 : 0x80)),
        `${protocol} requests get ${protocol} replies`,
      );
    }
  });
}

void t.test(
  'the buffered compact scan finds a message that arrives a byte at a time',
  async (t) => {
    const req = new (KeyValue.put as { request: StructClass }).request({
      key: 'k'.repeat(200),
      value: 'v',
    });
    const one = kv.dumps.message(req, 7, { protocol: 'compact' });
    const two = kv.dumps.message(req, 8, { protocol: 'compact' });
    const stream = Uint8Array.from([...one, ...two]);
    for (const protocol of ['compact', 'detect'] as const) {
      const reader = new MessageReader('buffered', 16_384_000, protocol);
      const got: Uint8Array[] = [];
      for (const b of stream) got.push(...reader.push(Uint8Array.of(b)));
      t.same(
        got.map((m) => Buffer.from(m).toString('hex')),
        [one, two].map((m) => Buffer.from(m).toString('hex')),
        `${protocol}: both messages, whole`,
      );
    }
    const bad = new MessageReader('buffered', 16_384_000, 'compact');
    t.throws(() => bad.push(Uint8Array.of(0x80, 0x01, 0, 1)), { name: 'InvalidDataError' });
    const deep = new MessageReader('buffered', 100, 'compact');
    t.throws(
      () => deep.push(Uint8Array.of(0x82, 0x21, 1, 1, 0x61, 0x18, 0xff, 0xff, 0x03)),
      { name: 'LimitExceededError' },
      'a string past the frame limit is refused before it arrives',
    );
  },
);

void t.test('a binary server closes a connection that speaks compact, only that one', async (t) => {
  const errors: unknown[] = [];
  const server = new ThriftServer({ onError: (e) => errors.push(e) });
  server.register(kv, KeyValue, handler());
  const port = await server.listen();
  t.teardown(() => server.close());
  const good = await ThriftClient.connect(kv, KeyValue, port);
  t.teardown(() => good.close());
  const req = new (KeyValue.get as { request: StructClass }).request({ key: 'k' });
  const bytes = kv.dumps.message(req, 1, { protocol: 'compact' });
  const socket = connect({ port, host: '127.0.0.1' });
  const frame = Buffer.alloc(4 + bytes.length);
  frame.writeUInt32BE(bytes.length);
  frame.set(bytes, 4);
  socket.write(frame);
  await new Promise((resolve) => socket.on('close', resolve));
  t.pass('the compact connection is closed');
  t.equal(await good.call('put', { key: 'a', value: 'b' }), undefined, 'others are served');
});
