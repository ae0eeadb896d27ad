/**
 * Memory of the example KeyValue server under a client that pipelines calls and never reads:
 *   node --import tsx rpc/bench/pipelining.bench.ts [--calls N] [--value-bytes N] [--root DIR]
 * Starts `examples/keyvalue/server.ts` of DIR (default: this checkout) as its own process, puts
 * one value, writes N `get` calls on one connection without ever reading the replies, and prints
 * the server's resident memory before and at its peak (VmHWM), the bytes of replies that the
 * calls ask for, and how long a normal client's call takes meanwhile.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { load } from '../../codec/src/index.js';
import type { ServiceObject } from '../../codec/src/index.js';
import { ThriftClient } from '../src/client.js';
import { frame } from '../src/transport.js';

const here = join(dirname(fileURLToPath(import.meta.url)), '../..');
const { values: opts } = parseArgs({
  options: {
    calls: { type: 'string', default: '20000' },
    'value-bytes': { type: 'string', default: '16384' },
    root: { type: 'string', default: here },
  },
});
const calls = Number(opts.calls);
const valueBytes = Number(opts['value-bytes']);
const root = resolve(opts.root);
const kv = load(join(here, 'idl/keyvalue.thrift'));
const KeyValue = kv.KeyValue as ServiceObject;

/** The server's resident and peak resident memory in MB (from /proc). */
function memory(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const child = spawn(process.execPath, ['--import', 'tsx', 'examples/keyvalue/server.ts', '0'], {
  cwd: root,
  stdio: ['ignore', 'pipe', 'inherit'],
});
try {
  const port = await new Promise<number>((ok, fail) => {
    child.stdout.on('data', (c: Buffer) => {
      const m = /listening on 127\.0\.0\.1:(\d+)/.exec(c.toString());
      if (m) ok(Number(m[1]));
    });
    child.once('exit', () => fail(new Error('the example server exited')));
  });
  const normal = await ThriftClient.connect(kv, KeyValue, port, '127.0.0.1', {
    timeoutMs: 120_000,
  });
  await normal.call('put', { key: 'k', value: 'v'.repeat(valueBytes) });
  await sleep(500);
  const before = memory(child.pid!);
  const get = KeyValue.__functions__.get('get')!;
  const flood = connect({ port, host: '127.0.0.1' });
  flood.on('error', () => undefined);
  flood.pause(); // never reads a reply
  await new Promise<void>((ok) => flood.once('connect', () => ok()));
  for (let i = 1; i <= calls; i++) {
    const bytes = frame('framed', kv.dumps.message(new get.request({ key: 'k' }), i));
    if (!flood.write(bytes))
      await Promise.race([sleep(50), new Promise((ok) => flood.once('drain', ok))]);
  }
  await sleep(2000);
  const t0 = performance.now();
  await normal.call('get', { key: 'k' });
  const latency = performance.now() - t0;
  await sleep(500);
  const after = memory(child.pid!);
  const lines = [
    `server: ${root === here ? 'this checkout' : root}`,
    `pipelined: ${calls} get calls of a ${valueBytes}-byte value, never read (${((calls * valueBytes) / 1e6).toFixed(0)} MB of replies asked for)`,
    `server memory: ${before.rss.toFixed(0)} MB resident before, ${after.rss.toFixed(0)} MB after, peak ${after.peak.toFixed(0)} MB (x${(after.peak / before.rss).toFixed(2)})`,
    `a normal client's get meanwhile: ${latency.toFixed(1)} ms`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
  flood.destroy();
  normal.close();
} finally {
  child.kill('SIGTERM');
}
