/**
 * The seed's KeyValue service, served by our codec over TCP:
 *   node --import tsx examples/keyvalue/server.ts [port] [framed|buffered]
 * Prints `listening on 127.0.0.1:<port>` and serves until interrupted.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load, serviceOf, structOf } from '../../codec/src/index.js';
import { ThriftServer } from '../../rpc/src/server.js';
import type { TransportKind } from '../../rpc/src/transport.js';

const kv = load(join(dirname(fileURLToPath(import.meta.url)), '../../idl/keyvalue.thrift'));
const NotFoundError = structOf(kv, 'NotFoundError');
const values = new Map<string, string>();

const server = new ThriftServer({ transport: (process.argv[3] ?? 'framed') as TransportKind });
server.register(kv, serviceOf(kv, 'KeyValue'), {
  get({ key }) {
    const value = values.get(key as string);
    if (value === undefined) throw new NotFoundError({ key });
    return value;
  },
  put({ key, value }) {
    values.set(key as string, value as string);
  },
});
const port = await server.listen(Number(process.argv[2] ?? 0));
process.stdout.write(`listening on 127.0.0.1:${port}\n`);
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
process.on('SIGINT', () => void server.close().then(() => process.exit(0)));
