/**
 * `npm run bench:rpc`: our client against each peer's KeyValue server on one connection with 32
 * calls in flight (small payloads), and peer start time (spawn to hello) as a process. For
 * reference, the same load against our own server. Prints calls/s per target.
 * Options: --seconds N per target (default 3), --inflight N (default 32).
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { compile } from '../codec/src/index.js';
import type { ServiceObject, StructClass } from '../codec/src/index.js';
import { ThriftClient } from '../rpc/src/client.js';
import { ThriftServer } from '../rpc/src/server.js';
import { ProcessPeer } from '../harness/peers/process.js';
import { defaultProcessPeers } from '../harness/peers/registry.js';
import { keyValueIdl } from '../harness/scenarios/keyvalue.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values: opts } = parseArgs({
  options: {
    seconds: { type: 'string', default: '3' },
    inflight: { type: 'string', default: '32' },
  },
});
const seconds = Number(opts.seconds);
const inflight = Number(opts.inflight);
const idl = keyValueIdl(root);
const ours = compile(idl.peer, { file: 'keyvalue.thrift' });
const KeyValue = ours.KeyValue as ServiceObject;

/** Keeps `inflight` get calls outstanding for `seconds`; returns calls per second. */
async function load(port: number): Promise<number> {
  const client = await ThriftClient.connect(ours, KeyValue, port);
  await client.call('put', { key: 'k', value: 'v'.repeat(16) });
  let done = 0;
  const end = performance.now() + seconds * 1000;
  const worker = async () => {
    while (performance.now() < end) {
      await client.call('get', { key: 'k' });
      done++;
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: inflight }, worker));
  const rate = done / ((performance.now() - t0) / 1000);
  client.close();
  return rate;
}

const rows: string[][] = [];
const NotFoundError = ours.NotFoundError as StructClass;
{
  const values = new Map<string, string>();
  const server = new ThriftServer().register(ours, KeyValue, {
    get: ({ key }) =>
      values.get(key as string) ??
      (() => {
        throw new NotFoundError({ key });
      })(),
    put: ({ key, value }) => void values.set(key as string, value as string),
    fire: () => undefined,
  });
  const port = await server.listen();
  rows.push(['our server (reference)', '—', (await load(port)).toFixed(0)]);
  await server.close();
}
for (const spec of defaultProcessPeers(root)) {
  const starts: number[] = [];
  for (let i = 0; i < 3; i++) {
    const p = await ProcessPeer.start(spec);
    starts.push(p.startMs);
    await p.stop();
  }
  const peer = await ProcessPeer.start(spec);
  try {
    const mod = await peer.loadIdl({ 'keyvalue.thrift': idl.peer }, 'keyvalue.thrift');
    const port = await peer.serve(mod, 'KeyValue', { impl: 'keyvalue' });
    const rate = await load(port);
    starts.sort((a, b) => a - b);
    rows.push([
      `${spec.name} ${peer.info.version} server`,
      `${starts[1]!.toFixed(0)} ms (median of 3)`,
      rate.toFixed(0),
    ]);
  } finally {
    await peer.stop();
  }
}
const head = [
  'target',
  'process start (spawn → hello)',
  `calls/s (${inflight} in flight, 1 connection)`,
];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ');
process.stdout.write(
  `${line(head)}\n${line(widths.map((w) => '-'.repeat(w)))}\n${rows.map(line).join('\n')}\n`,
);
process.stdout.write('targets: >= 2,000 calls/s against each Python peer; process start < 2 s\n');
