// The runnable KeyValue example (examples/keyvalue/) works as its comments say: the server
// prints its port, the client puts, gets, and sees NotFoundError for a missing key.
import t from 'tap';
import { execa } from 'execa';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');

for (const transport of ['framed', 'buffered']) {
  void t.test(`examples/keyvalue server and client, ${transport}`, async (t) => {
    const server = execa(
      'node',
      ['--import', 'tsx', 'examples/keyvalue/server.ts', '0', transport],
      { cwd: root, buffer: false, reject: false },
    );
    t.teardown(() => {
      server.kill('SIGTERM');
    });
    const port = await new Promise<number>((resolve, reject) => {
      server.stdout!.on('data', (c: Buffer) => {
        const m = /listening on 127\.0\.0\.1:(\d+)/.exec(c.toString());
        if (m) resolve(Number(m[1]));
      });
      void server.then(() => reject(new Error('the example server exited before listening')));
    });
    const client = await execa(
      'node',
      ['--import', 'tsx', 'examples/keyvalue/client.ts', String(port), transport],
      { cwd: root },
    );
    t.equal(
      client.stdout,
      'put hello=world\nget hello -> world\nget missing -> NotFoundError(key=missing)',
    );
  });
}
