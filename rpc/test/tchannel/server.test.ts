// TChannelServer with our TChannelClient over loopback: the seed's KeyValue service (put, get, a
// missing key raising NotFoundError with code 0x01), application headers both ways, the ttl
// (Timeout error frame), an unknown endpoint or service and undecodable args (BadRequest),
// a handler failure (UnexpectedError), calls in flight answered out of order, a 200 KiB value
// in continuation frames, ping, cancel, and Busy past maxInFlight.
import t from 'tap';
import type { Test } from 'tap';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from '../../../codec/src/index.js';
import type { ServiceObject, StructClass } from '../../../codec/src/index.js';
import { TChannelClient } from '../../src/tchannel/client.js';
import type { TChannelClientOptions } from '../../src/tchannel/client.js';
import { ErrorCode, TChannelError } from '../../src/tchannel/errors.js';
import { encodeAppHeaders } from '../../src/tchannel/thrift-args.js';
import { TChannelServer } from '../../src/tchannel/server.js';
import type {
  TChannelHandler,
  TChannelRequest,
  TChannelServerOptions,
} from '../../src/tchannel/server.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const kv = load(join(root, 'idl/keyvalue.thrift'));
const KeyValue = kv.KeyValue as ServiceObject;
const NotFoundError = kv.NotFoundError as StructClass;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The seed's KeyValue handler over a Map; `get` of 'slow:N' waits N ms, of 'boom' throws. */
function keyValue(seen: TChannelRequest[] = []): TChannelHandler {
  const values = new Map<string, string>();
  return {
    async get(args, request) {
      seen.push(request);
      const key = args.key as string;
      if (key.startsWith('slow:')) {
        await sleep(Number(key.slice(5)));
        return key;
      }
      if (key === 'boom') throw new TypeError('the handler broke');
      if (request.headers.echo !== undefined) request.responseHeaders.echoed = request.headers.echo;
      const v = values.get(key);
      if (v === undefined) throw new NotFoundError({ key });
      return v;
    },
    put(args) {
      values.set(args.key as string, args.value as string);
    },
  };
}

/** A server for service 'keyvalue' and a client connected to it; both closed after the test. */
async function pair(
  t: Test,
  server: Partial<TChannelServerOptions> = {},
  client: TChannelClientOptions = {},
  seen: TChannelRequest[] = [],
) {
  const errors: unknown[] = [];
  const s = new TChannelServer({
    serviceName: 'keyvalue',
    onError: (e) => errors.push(e),
    ...server,
  }).register(kv, KeyValue, keyValue(seen));
  const port = await s.listen();
  const c = await TChannelClient.connect(kv, KeyValue, port, '127.0.0.1', {
    serviceName: 'keyvalue',
    ...client,
  });
  t.teardown(async () => {
    c.close();
    await s.close();
  });
  return { s, c, port, errors };
}

/** The TChannelError a promise rejects with (fails the test when it resolves or throws something else). */
async function tchannelError(t: Test, p: Promise<unknown>): Promise<TChannelError> {
  try {
    await p;
  } catch (e) {
    t.type(e, TChannelError);
    return e as TChannelError;
  }
  t.fail('expected a TChannelError');
  return new TChannelError(0, 'none');
}

void t.test('KeyValue: put, get, a missing key', async (t) => {
  const seen: TChannelRequest[] = [];
  const { c } = await pair(t, {}, { callerName: 'tester' }, seen);
  t.same(
    await c.call('put', { key: 'hello', value: 'world' }),
    { result: undefined, headers: {} },
    'put',
  );
  t.same(await c.call('get', { key: 'hello' }), { result: 'world', headers: {} }, 'get');
  const e = await c.call('get', { key: 'missing' }).catch((x: unknown) => x);
  t.type(e, NotFoundError, 'a missing key raises the declared exception');
  t.equal((e as { key: string }).key, 'missing');
  t.match(
    seen[0],
    {
      service: 'keyvalue',
      endpoint: 'KeyValue::get',
      method: 'get',
      callerName: 'tester',
      transportHeaders: { as: 'thrift', cn: 'tester', re: 'c' },
      ttlMs: 10_000,
    },
    'the handler sees the call',
  );
  t.ok(
    seen[0]!.deadline > Date.now() + 5_000 && seen[0]!.signal instanceof AbortSignal,
    'a deadline and a signal',
  );
  t.equal(c.serverInit.tchannel_language, 'typescript', 'the init res names the language');
});

void t.test('every checksum type we compute, both ways', async (t) => {
  for (const checksumType of [0, 1, 2, 3]) {
    const { c } = await pair(t, {}, { checksumType });
    await c.call('put', { key: 'k', value: 'v' });
    t.equal((await c.call('get', { key: 'k' })).result, 'v', `checksum type ${checksumType}`);
  }
});

void t.test('application headers both ways', async (t) => {
  const { c } = await pair(t);
  await c.call('put', { key: 'h', value: 'x' });
  const r = await c.call('get', { key: 'h' }, { headers: { echo: 'ünïcode', other: '' } });
  t.same(
    r.headers,
    { echoed: 'ünïcode' },
    'the handler set a response header from a request header',
  );
});

void t.test('a 200 KiB value travels in continuation frames both ways', async (t) => {
  const frames: number[] = [];
  const { c } = await pair(t, {}, { onBytes: (d, b) => d === 'sent' && frames.push(b[2]!) });
  const big = 'é'.repeat(100 * 1024);
  await c.call('put', { key: 'big', value: big });
  t.same(
    frames,
    [0x01, 0x03, 0x13, 0x13, 0x13],
    'init req, then a call req and three call req continue frames',
  );
  t.equal((await c.call('get', { key: 'big' })).result, big, 'read back whole');
});

void t.test('calls in flight are answered out of order on one connection', async (t) => {
  const { c } = await pair(t);
  const order: string[] = [];
  // 100 ms apart at least, so a loaded machine keeps the order.
  const keys = ['slow:400', 'slow:1', 'slow:300', 'slow:150'];
  await Promise.all(
    keys.map((key) => c.call('get', { key }).then((r) => order.push(r.result as string))),
  );
  t.same(order, ['slow:1', 'slow:150', 'slow:300', 'slow:400'], 'fastest first');
  t.equal(c.inFlight, 0);
});

void t.test('the ttl: a handler slower than it is answered Timeout', async (t) => {
  const seen: TChannelRequest[] = [];
  const { c } = await pair(t, {}, {}, seen);
  const started = Date.now();
  // The client waits a little longer than the ttl it sends, to see the server's error frame.
  const e = await tchannelError(
    t,
    c
      .send(
        'KeyValue::get',
        encodeAppHeaders({}),
        kv.dumps(new (KeyValue.__functions__.get('get')!.request)({ key: 'slow:2000' })),
        200,
        {},
        2000,
      )
      .then(() => undefined),
  );
  t.equal(e.code, ErrorCode.Timeout, 'Timeout (0x01)');
  t.match(e.message, /^Timeout \(0x01\)/);
  t.ok(Date.now() - started < 1500, 'well before the handler finished');
  t.ok(seen[0]!.signal.aborted, "the handler's signal was aborted at the deadline");
});

void t.test('unknown endpoint, unknown service, args that do not decode: BadRequest', async (t) => {
  const { c, port } = await pair(t);
  const arg3 = kv.dumps(new (KeyValue.__functions__.get('get')!.request)({ key: 'x' }));
  const e1 = await tchannelError(t, c.send('KeyValue::nope', encodeAppHeaders({}), arg3, 2000));
  t.equal(e1.code, ErrorCode.BadRequest);
  t.match(
    e1.text,
    /no endpoint 'KeyValue::nope' in service 'keyvalue' \(arg1 is Service::method; known: KeyValue::get, KeyValue::put\)/,
  );
  const e2 = await tchannelError(
    t,
    c.send('KeyValue::get', encodeAppHeaders({}), Uint8Array.of(0x0b, 0, 1, 0, 0, 0, 9), 2000),
  );
  t.equal(e2.code, ErrorCode.BadRequest, 'args that do not decode');
  t.match(e2.text, /KeyValue::get: the args do not decode: /);
  const other = await TChannelClient.connect(kv, KeyValue, port, '127.0.0.1', {
    serviceName: 'elsewhere',
  });
  t.teardown(() => other.close());
  const e4 = await tchannelError(t, other.call('get', { key: 'x' }));
  t.equal(e4.code, ErrorCode.BadRequest);
  t.match(e4.text, /no service 'elsewhere' here; this server is 'keyvalue'/);
  t.equal(
    (await c.call('put', { key: 'still', value: 'ok' })).result,
    undefined,
    'the connection goes on',
  );
});

void t.test('a handler failure that is not declared: UnexpectedError', async (t) => {
  const { c } = await pair(t);
  const e = await tchannelError(t, c.call('get', { key: 'boom' }));
  t.equal(e.code, ErrorCode.UnexpectedError);
  t.match(e.text, /KeyValue::get failed: the handler broke/);
});

void t.test('ping, and a client-side timeout', async (t) => {
  const { c } = await pair(t);
  await c.ping();
  t.pass('ping res arrived');
  const e = await tchannelError(t, c.call('get', { key: 'slow:500' }, { ttlMs: 100 }));
  t.equal(e.code, ErrorCode.Timeout);
  t.equal(
    (await c.call('get', { key: 'slow:1' })).result,
    'slow:1',
    'a late answer to the timed-out call is ignored',
  );
});

void t.test('past maxInFlight a call is answered Busy', async (t) => {
  const { c } = await pair(t, { maxInFlight: 2 });
  const calls = ['slow:300', 'slow:300', 'slow:1'].map((key) =>
    c.call('get', { key }).then(
      (r) => r.result,
      (e: unknown) => e,
    ),
  );
  const [a, b, third] = await Promise.all(calls);
  t.same([a, b], ['slow:300', 'slow:300']);
  t.type(third, TChannelError);
  t.equal((third as TChannelError).code, ErrorCode.Busy);
  t.match((third as TChannelError).text, /limit \(maxInFlight\) is 2/);
});

void t.test('options are checked', async (t) => {
  t.throws(() => new TChannelServer({ serviceName: '' }), { message: /needs a serviceName/ });
  t.throws(() => new TChannelServer({ serviceName: 's', maxInFlight: 0 }), {
    message: /maxInFlight must be a positive integer/,
  });
  t.throws(() => new TChannelServer({ serviceName: 's', maxFrameSize: 70_000 }), {
    message: /maxFrameSize must be 64 to 65,535/,
  });
  t.throws(
    () => new TChannelServer({ serviceName: 's' }).register(kv, KeyValue, { get: () => 'x' }),
    {
      message: /has no function 'put'/,
    },
  );
});
