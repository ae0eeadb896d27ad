// `thrift-conform call` (the seed's tcurl over TCP and TChannel): the JSON mapping both ways;
// arguments checked against the IDL with the field path in the error; against our own KeyValue
// server (binary and compact, and over TChannel with application headers and error frames), the
// server of every default peer that speaks TChannel, and a real
// peer's (apache-py, both transports and envelopes): put, get, a missing key raising
// NotFoundError (exit 1), a server that is not there (exit 2).
import t from 'tap';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile, load } from '../../codec/src/index.js';
import type { ServiceObject, StructClass, StructSpec } from '../../codec/src/index.js';
import { ThriftServer } from '../../rpc/src/server.js';
import { TChannelServer } from '../../rpc/src/tchannel/server.js';
import { CALL_HELP, CallArgumentError, callMethod, fromCallJson, toCallJson } from '../call.js';
import type { CallOptions } from '../call.js';
import { ProcessPeer } from '../peers/process.js';
import { defaultProcessPeers } from '../peers/registry.js';
import { cli } from './run-cli.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const KV_IDL = join(root, 'idl', 'keyvalue.thrift');

void t.test('the JSON mapping, both ways', async (t) => {
  const m = compile(`
enum Color { RED = 1, GREEN = 2 }
struct S {
  1: optional i64 big
  2: optional double d
  3: optional binary b
  4: optional set<i32> s
  5: optional map<string, i16> ms
  6: optional map<i32, string> mi
  7: optional Color c
  8: optional list<bool> l
}`);
  const spec = (m.S as StructClass).__spec__ as StructSpec;
  const j = {
    big: '9007199254740993',
    d: '-0',
    b: 'AAEC',
    s: [1, 2],
    ms: { a: 1 },
    mi: [[3, 'x']],
    c: 'GREEN',
    l: [true, false],
  };
  const v = fromCallJson(spec, j, 'S') as Record<string, unknown>;
  t.equal(v.big, 9007199254740993n, 'i64 beyond 2^53 from a string');
  t.ok(Object.is(v.d, -0), '-0 from "-0"');
  t.same([...(v.b as Uint8Array)], [0, 1, 2], 'binary from base64');
  t.ok(v.s instanceof Set && v.ms instanceof Map && v.mi instanceof Map);
  t.equal(v.c, 2, 'an enum by its name');
  t.same(toCallJson(spec, v), j, 'and back to the same JSON');
  t.same(
    toCallJson(spec, fromCallJson(spec, { big: 5 }, 'S')),
    { big: 5 },
    'a safe i64 is a number',
  );
  const cases: [Parameters<typeof fromCallJson>[1], RegExp][] = [
    [{ big: 1.5 }, /^S\.big: expected an i64/],
    [{ s: [1, 'x'] }, /^S\.s\[1\]: expected an integer/],
    [{ nope: 1 }, /^S\.nope: S has no field nope \(its fields: big, d/],
    [{ c: 'BLUE' }, /^S\.c: expected an item of Color \(RED, GREEN\)/],
    [{ mi: { 3: 'x' } }, /^S\.mi: expected an array of \[key, value\]/],
  ];
  for (const [bad, where] of cases)
    t.throws(() => fromCallJson(spec, bad, 'S'), { name: 'CallArgumentError', message: where });
  t.ok(new CallArgumentError('x') instanceof Error);
});

/** Runs callMethod and collects its output. */
async function call(o: Omit<CallOptions, 'out' | 'idl'> & { idl?: string }) {
  const lines: string[] = [];
  const code = await callMethod({ idl: KV_IDL, ...o, out: (l) => lines.push(l) });
  return { code, out: lines.join('\n') };
}

void t.test('against our own KeyValue server', async (t) => {
  const kv = load(KV_IDL);
  const NotFoundError = kv.NotFoundError as StructClass;
  const values = new Map<string, string>();
  // One store behind both servers (binary framed, compact buffered).
  const handler = {
    get({ key }: Record<string, unknown>) {
      const value = values.get(key as string);
      if (value === undefined) throw new NotFoundError({ key });
      return value;
    },
    put({ key, value }: Record<string, unknown>) {
      values.set(key as string, value as string);
    },
  };
  const server = new ThriftServer({ transport: 'framed' });
  server.register(kv, kv.KeyValue as ServiceObject, handler);
  const port = await server.listen(0);
  t.teardown(() => server.close());
  const host = '127.0.0.1';
  t.same(
    await call({ host, port, method: 'KeyValue::put', args: '{"key":"hello","value":"world"}' }),
    {
      code: 0,
      out: 'null',
    },
  );
  t.same(await call({ host, port, method: 'KeyValue::get', args: '{"key":"hello"}' }), {
    code: 0,
    out: '"world"',
  });
  const missing = await call({ host, port, method: 'KeyValue::get', args: '{"key":"nope"}' });
  t.equal(missing.code, 1, 'a declared exception: exit 1');
  t.same(JSON.parse(missing.out), {
    exception: 'notFound',
    type: 'NotFoundError',
    value: { key: 'nope' },
  });
  const bad = await call({ host, port, method: 'KeyValue::get', args: '{"key":7}' });
  t.equal(bad.code, 2);
  t.match(bad.out, /KeyValue::get\(args\)\.key: expected a string, got 7/);
  const unknown = await call({ host, port, method: 'KeyValue::frob' });
  t.match(unknown.out, /service KeyValue has no method frob \(its methods: get, put\)/);
  const dir = mkdtempSync(join(tmpdir(), 'tc-call-'));
  writeFileSync(join(dir, 'x.thrift'), 'struct {');
  const broken = await call({ idl: join(dir, 'x.thrift'), host, port, method: 'X::y' });
  t.equal(broken.code, 2);
  t.match(broken.out, /x\.thrift:1/);
  // The compact protocol: a server speaking it, called with --protocol compact.
  const compact = new ThriftServer({ transport: 'buffered', protocol: 'compact' });
  compact.register(kv, kv.KeyValue as ServiceObject, handler);
  const cport = await compact.listen(0);
  t.teardown(() => compact.close());
  const viaCompact = {
    host,
    port: cport,
    transport: 'buffered' as const,
    protocol: 'compact' as const,
  };
  t.same(await call({ ...viaCompact, method: 'KeyValue::get', args: '{"key":"hello"}' }), {
    code: 0,
    out: '"world"',
  });
  t.equal(
    (await call({ ...viaCompact, method: 'KeyValue::get', args: '{"key":"nope"}' })).code,
    1,
    'compact: a declared exception',
  );
  const closed = await call({ host, port: 1, method: 'KeyValue::get', args: '{"key":"a"}' });
  t.equal(closed.code, 2, 'nothing listening: exit 2');
  t.match(closed.out, /KeyValue::get on 127\.0\.0\.1:1 failed: .*ECONNREFUSED/);
});

void t.test('over TChannel, against our own TChannel server', async (t) => {
  const kv = load(KV_IDL);
  const NotFoundError = kv.NotFoundError as StructClass;
  const values = new Map<string, string>();
  const server = new TChannelServer({ serviceName: 'keyvalue' }).register(
    kv,
    kv.KeyValue as ServiceObject,
    {
      get({ key }, request) {
        // 'headers' answers with the application headers the call carried.
        if (key === 'headers') return JSON.stringify(request.headers);
        const value = values.get(key as string);
        if (value === undefined) throw new NotFoundError({ key });
        return value;
      },
      put({ key, value }) {
        values.set(key as string, value as string);
      },
    },
  );
  const port = await server.listen(0);
  t.teardown(() => server.close());
  const o = { host: '127.0.0.1', port, transport: 'tchannel' as const, service: 'keyvalue' };
  t.same(
    await call({ ...o, method: 'KeyValue::put', args: '{"key":"hello","value":"world"}' }),
    { code: 0, out: 'null' },
    'put',
  );
  t.same(
    await call({ ...o, method: 'KeyValue::get', args: '{"key":"hello"}' }),
    { code: 0, out: '"world"' },
    'get',
  );
  const missing = await call({ ...o, method: 'KeyValue::get', args: '{"key":"nope"}' });
  t.equal(missing.code, 1, 'a declared exception (call res code 0x01): exit 1');
  t.same(JSON.parse(missing.out), {
    exception: 'notFound',
    type: 'NotFoundError',
    value: { key: 'nope' },
  });
  const h = await call({
    ...o,
    method: 'KeyValue::get',
    args: '{"key":"headers"}',
    headers: { trace: 'on', who: 'me' },
  });
  t.same(JSON.parse(JSON.parse(h.out) as string), { trace: 'on', who: 'me' }, '-H headers arrive');
  const { service: _service, ...noService } = o;
  void _service;
  const wrong = await call({ ...noService, method: 'KeyValue::get', args: '{"key":"hello"}' });
  t.equal(wrong.code, 2, 'the default service name (KeyValue) is not served here: exit 2');
  t.match(
    wrong.out,
    /KeyValue::get on 127\.0\.0\.1:\d+ failed: TChannelError: BadRequest \(0x06\): no service 'KeyValue' here; this server is 'keyvalue'/,
  );
  const framedHeaders = await call({
    host: '127.0.0.1',
    port,
    method: 'KeyValue::get',
    args: '{"key":"x"}',
    headers: { a: 'b' },
  });
  t.equal(framedHeaders.code, 2);
  t.match(
    framedHeaders.out,
    /the framed transport has no application headers: -H is for --transport tchannel/,
  );
  const compact = await call({
    ...o,
    protocol: 'compact',
    method: 'KeyValue::get',
    args: '{"key":"x"}',
  });
  t.match(compact.out, /Thrift over TChannel is binary: leave --protocol out/);
  const refused = await call({ ...o, port: 1, method: 'KeyValue::get', args: '{"key":"a"}' });
  t.equal(refused.code, 2, 'nothing listening: exit 2');
  t.match(
    refused.out,
    /failed: TChannelError: NetworkError \(0x07\): could not connect to 127\.0\.0\.1:1/,
  );
});

void t.test("against a real peer's server, every transport and envelope it reads", async (t) => {
  const spec = defaultProcessPeers(root).find((s) => s.name === 'apache-py')!;
  const peer = await ProcessPeer.start(spec);
  t.teardown(() => peer.stop());
  const { readFileSync } = await import('node:fs');
  const handle = await peer.loadIdl(
    { 'keyvalue.thrift': readFileSync(KV_IDL, 'utf8') },
    'keyvalue.thrift',
  );
  for (const transport of ['framed', 'buffered'] as const) {
    const port = await peer.serve(handle, 'KeyValue', { transport, impl: 'keyvalue' });
    // A peer whose server refuses non-strict envelopes (a recorded finding) is called strict only.
    const envelopes = peer.manifest?.keyvalue?.serverRejectsNonStrict
      ? (['strict'] as const)
      : (['strict', 'nonstrict'] as const);
    for (const envelope of envelopes) {
      const o = { host: '127.0.0.1', port, transport, envelope };
      const key = `k-${transport}-${envelope}`;
      t.equal(
        (await call({ ...o, method: 'KeyValue::put', args: JSON.stringify({ key, value: 'v' }) }))
          .code,
        0,
        `${transport} ${envelope}: put`,
      );
      t.same(await call({ ...o, method: 'KeyValue::get', args: JSON.stringify({ key }) }), {
        code: 0,
        out: '"v"',
      });
      const missing = await call({ ...o, method: 'KeyValue::get', args: '{"key":"missing"}' });
      t.equal(missing.code, 1, `${transport} ${envelope}: NotFoundError`);
    }
  }
});

void t.test("over TChannel, against every TChannel peer's server", async (t) => {
  const { readFileSync } = await import('node:fs');
  const specs = defaultProcessPeers(root).filter((s) =>
    s.manifest?.abilities.transports.includes('tchannel'),
  );
  t.ok(
    specs.length > 0,
    `default peers that speak TChannel: ${specs.map((s) => s.name).join(', ')}`,
  );
  for (const spec of specs) {
    const peer = await ProcessPeer.start(spec);
    t.teardown(() => peer.stop());
    const handle = await peer.loadIdl(
      { 'keyvalue.thrift': readFileSync(KV_IDL, 'utf8') },
      'keyvalue.thrift',
    );
    const port = await peer.serve(handle, 'KeyValue', {
      transport: 'tchannel',
      tchannelService: 'kv-call-test',
      impl: 'keyvalue',
    });
    const o = { host: '127.0.0.1', port, transport: 'tchannel' as const, service: 'kv-call-test' };
    const key = `k-${spec.name}`;
    t.same(
      await call({ ...o, method: 'KeyValue::put', args: JSON.stringify({ key, value: 'v' }) }),
      { code: 0, out: 'null' },
      `${spec.name}: put`,
    );
    t.same(
      await call({
        ...o,
        method: 'KeyValue::get',
        args: JSON.stringify({ key }),
        headers: { h: '1' },
      }),
      { code: 0, out: '"v"' },
      `${spec.name}: get with a header`,
    );
    const missing = await call({ ...o, method: 'KeyValue::get', args: '{"key":"missing"}' });
    t.equal(missing.code, 1, `${spec.name}: NotFoundError, exit 1`);
    t.same(JSON.parse(missing.out), {
      exception: 'notFound',
      type: 'NotFoundError',
      value: { key: 'missing' },
    });
  }
});

void t.test('the command line: call --help, -H and --transport tchannel', async (t) => {
  t.same(
    await cli(['call', '--help']),
    { code: 0, out: CALL_HELP },
    'call --help prints CALL_HELP',
  );
  for (const option of ['--transport T', 'tchannel', '--service NAME', '-H key=value', '--timeout'])
    t.match(CALL_HELP, option, `the help names ${option}`);
  const server = new TChannelServer({ serviceName: 'cli' }).register(
    load(KV_IDL),
    load(KV_IDL).KeyValue as ServiceObject,
    {
      get: (_args, request) => JSON.stringify(request.headers),
      put: () => undefined,
    },
  );
  const port = await server.listen(0);
  t.teardown(() => server.close());
  const base = ['call', '--idl', KV_IDL, '-p', `127.0.0.1:${port}`, '--transport', 'tchannel'];
  const got = await cli([
    ...base,
    '--service',
    'cli',
    '-H',
    'a=1',
    '-H',
    'b=x=y',
    'KeyValue::get',
    '{"key":"k"}',
  ]);
  t.equal(got.code, 0);
  t.same(
    JSON.parse(JSON.parse(got.out) as string),
    { a: '1', b: 'x=y' },
    'both -H headers, split at the first =',
  );
  const bad = await cli([...base, '-H', 'novalue', 'KeyValue::get', '{"key":"k"}']);
  t.equal(bad.code, 2, '-H without = is a usage error');
  const wrong = await cli([
    'call',
    '--idl',
    KV_IDL,
    '-p',
    '127.0.0.1:1',
    '--transport',
    'carrier-pigeon',
    'KeyValue::get',
  ]);
  t.equal(wrong.code, 2, 'an unknown transport is a usage error');
});
