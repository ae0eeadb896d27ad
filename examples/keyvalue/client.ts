/**
 * Calls a KeyValue server (ours, or any peer's) with our codec:
 *   node --import tsx examples/keyvalue/client.ts <port> [framed|buffered]
 * Puts hello=world, gets it back, and gets a missing key (NotFoundError); prints each step.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load, serviceOf, structOf } from '../../codec/src/index.js';
import { ThriftClient } from '../../rpc/src/client.js';
import type { TransportKind } from '../../rpc/src/transport.js';

const kv = load(join(dirname(fileURLToPath(import.meta.url)), '../../idl/keyvalue.thrift'));
const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port <= 0) {
  process.stderr.write('usage: client.ts <port> [framed|buffered]\n');
  process.exit(2);
}
const client = await ThriftClient.connect(kv, serviceOf(kv, 'KeyValue'), port, '127.0.0.1', {
  transport: (process.argv[3] ?? 'framed') as TransportKind,
});
try {
  await client.call('put', { key: 'hello', value: 'world' });
  process.stdout.write('put hello=world\n');
  process.stdout.write(`get hello -> ${String(await client.call('get', { key: 'hello' }))}\n`);
  try {
    await client.call('get', { key: 'missing' });
    process.stdout.write('get missing -> (no error?)\n');
    process.exitCode = 1;
  } catch (e) {
    if (!(e instanceof structOf(kv, 'NotFoundError'))) throw e;
    process.stdout.write(
      `get missing -> NotFoundError(key=${String((e as Record<string, unknown>).key)})\n`,
    );
  }
} finally {
  client.close();
}
