// The client's checks of what a server answers, against a raw server that answers with bytes we
// choose: a seqid no call has (BAD_SEQUENCE_ID, not a wait until the timeout), a CALL message
// instead of a REPLY (INVALID_MESSAGE_TYPE, not a result), and a late reply to a call that timed
// out (dropped; the connection goes on). Found by the invalid-input matrix's envelope cases.
import t from 'tap';
import { createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { ApplicationExceptionType, compile, TApplicationException } from '../../codec/src/index.js';
import type { ServiceObject, ServiceFunction } from '../../codec/src/index.js';
import { ThriftClient, CallTimeoutError } from '../src/client.js';
import { frame, MessageReader } from '../src/transport.js';

const m = compile(`service S {
  string echo(1: string s)
}
`);
const S = m.S as ServiceObject;
const echo = S.__functions__.get('echo') as ServiceFunction;

/** A framed server that answers the n-th call with `answer(seqid, n)`'s messages, in order. */
async function rawServer(
  answer: (seqid: number, n: number) => Uint8Array | readonly Uint8Array[],
): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  let n = 0;
  const server = createServer((socket) => {
    sockets.add(socket);
    const reader = new MessageReader('framed');
    socket.on('data', (chunk: Buffer) => {
      for (const bytes of reader.push(chunk)) {
        const out = answer(m.loads.message(S, bytes).seqid, n++);
        for (const o of out instanceof Uint8Array ? [out] : out) socket.write(frame('framed', o));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const reply = (seqid: number, success: string): Uint8Array =>
  m.dumps.message(new echo.response({ success }), seqid);

void t.test(
  'a reply whose seqid no call has fails the call at once with BAD_SEQUENCE_ID',
  async (t) => {
    const server = await rawServer((seqid) => reply(seqid + 1, 'pong'));
    t.teardown(server.close);
    const client = await ThriftClient.connect(m, S, server.port, '127.0.0.1', { timeoutMs: 5000 });
    t.teardown(() => client.close());
    const started = Date.now();
    const e = await client.call('echo', { s: 'ping' }).catch((x: unknown) => x);
    t.ok(e instanceof TApplicationException, `rejects with a TApplicationException (${String(e)})`);
    t.equal((e as TApplicationException).type, ApplicationExceptionType.BAD_SEQUENCE_ID);
    t.match((e as Error).message, /seqid 2, which no call in flight has \(1\)/);
    t.ok(Date.now() - started < 4000, 'without waiting for the timeout');
    const next = await client.call('echo', { s: 'again' }).catch((x: unknown) => x);
    t.ok(next instanceof TApplicationException, 'the connection is closed for later calls too');
  },
);

void t.test('a CALL message as the answer is refused with INVALID_MESSAGE_TYPE', async (t) => {
  const server = await rawServer((seqid) => m.dumps.message(new echo.request({ s: 'x' }), seqid));
  t.teardown(server.close);
  const client = await ThriftClient.connect(m, S, server.port);
  t.teardown(() => client.close());
  const e = await client.call('echo', { s: 'ping' }).catch((x: unknown) => x);
  t.ok(e instanceof TApplicationException, `rejects (${String(e)}), does not return a result`);
  t.equal((e as TApplicationException).type, ApplicationExceptionType.INVALID_MESSAGE_TYPE);
  t.match(
    (e as Error).message,
    /message type 1; a server answers with REPLY \(2\) or EXCEPTION \(3\)/,
  );
});

void t.test('a late reply to a call that timed out is dropped; the next call works', async (t) => {
  // Call 1 gets no answer (it times out); call 2 is answered with call 1's late reply first.
  const server = await rawServer((seqid, n) =>
    n === 0 ? [] : n === 1 ? [reply(1, 'late'), reply(seqid, 'pong 2')] : reply(seqid, 'pong 3'),
  );
  t.teardown(server.close);
  const client = await ThriftClient.connect(m, S, server.port);
  t.teardown(() => client.close());
  const e = await client.call('echo', { s: 'slow' }, 100).catch((x: unknown) => x);
  t.ok(e instanceof CallTimeoutError, `the first call times out (${String(e)})`);
  t.equal(await client.call('echo', { s: 'next' }), 'pong 2', 'the late reply is dropped');
  t.equal(await client.call('echo', { s: 'more' }), 'pong 3', 'and the connection goes on');
});
