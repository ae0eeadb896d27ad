// The process backend detects peers that die, hang or print garbage, reports them with their
// stderr, stops them (shutdown, SIGTERM, SIGKILL) and can restart a peer. The misbehaving
// programs here are tiny Node scripts written for these tests; the real peers are tested in
// keyvalue.test.ts.
import t from 'tap';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProcessPeer } from '../../peers/process.js';
import { PeerError } from '../../peers/peer.js';

const dir = mkdtempSync(join(tmpdir(), 'tc-peers-'));
function program(name: string, body: string): string[] {
  const file = join(dir, `${name}.mjs`);
  writeFileSync(file, body);
  return [process.execPath, file];
}

// A well-behaved minimal peer: answers hello, echoes `roundtrip` bytes, dies on `die`.
const GOOD = `
let buf = Buffer.alloc(0);
const send = (o) => { const b = Buffer.from(JSON.stringify(o)); const h = Buffer.alloc(4); h.writeUInt32BE(b.length); process.stdout.write(Buffer.concat([h, b])); };
process.stdin.on('data', (c) => {
  buf = Buffer.concat([buf, c]);
  while (buf.length >= 4 && buf.length >= 4 + buf.readUInt32BE(0)) {
    const m = JSON.parse(buf.subarray(4, 4 + buf.readUInt32BE(0)).toString()); buf = buf.subarray(4 + buf.readUInt32BE(0));
    if (m.op === 'hello') send({ id: m.id, ok: true, name: 'mini', version: '1', abilities: { protocols: ['binary'], transports: ['framed'], envelopes: { read: ['strict'], write: ['strict'] }, dialect: 'thriftrw', features: {} } });
    else if (m.op === 'roundtrip') send({ id: m.id, ok: true, value: null, bytes: m.bytes, trailing: 0 });
    else if (m.op === 'die') { process.stderr.write('dying on purpose\\n'); process.exit(3); }
    else if (m.op === 'shutdown') { send({ id: m.id, ok: true }); process.exit(0); }
    else send({ id: m.id, ok: false, error: { type: 'UnknownOp', message: 'no op ' + m.op } });
  }
});`;

void t.test('a peer that answers works, reports ok:false as PeerError, and restarts', async (t) => {
  const peer = await ProcessPeer.start({ name: 'mini', command: program('good', GOOD) });
  t.teardown(() => peer.stop());
  t.equal(peer.info.name, 'mini');
  const back = await peer.roundtrip('m', 'T', Uint8Array.from([1, 2, 3]));
  t.same([...back.bytes], [1, 2, 3]);
  await t.rejects(peer.encode('m', 'T', {}), { name: 'PeerError', type: 'UnknownOp' });
  await peer.restart();
  t.same(
    [...(await peer.roundtrip('m', 'T', Uint8Array.from([9]))).bytes],
    [9],
    'works after a restart',
  );
});

void t.test('a peer that exits at start is reported with its stderr', async (t) => {
  const err = await ProcessPeer.start({
    name: 'dies',
    command: program(
      'dies',
      `process.stderr.write('ImportError: no module named thriftrw\\n'); process.exit(1);`,
    ),
  }).catch((e: unknown) => e);
  t.ok(err instanceof PeerError);
  t.match((err as PeerError).message, /dies: Exited/);
  t.match((err as PeerError).detail.stderr ?? '', /ImportError: no module named thriftrw/);
});

void t.test('a peer that never answers hello times out and is killed', async (t) => {
  const t0 = performance.now();
  const err = await ProcessPeer.start({
    name: 'hangs',
    command: program('hangs', `process.on('SIGTERM', () => {}); setInterval(() => {}, 1000);`),
    helloTimeoutMs: 500,
  }).catch((e: unknown) => e);
  t.ok(err instanceof PeerError);
  t.equal((err as PeerError).type, 'Timeout');
  t.ok(performance.now() - t0 < 10_000, 'stopped with SIGKILL after ignoring SIGTERM');
});

void t.test('a peer that prints garbage on stdout fails its requests', async (t) => {
  const err = await ProcessPeer.start({
    name: 'noisy',
    command: program(
      'noisy',
      `console.log('hello world, I am a debug print'); setInterval(() => {}, 1000);`,
    ),
    helloTimeoutMs: 5000,
  }).catch((e: unknown) => e);
  t.ok(err instanceof PeerError);
  t.equal((err as PeerError).type, 'Garbage');
  t.match(
    (err as PeerError).message,
    /message length of \d+ bytes \(is the peer printing to stdout\?\)/,
  );
});

void t.test(
  'a peer that dies mid-run fails the waiting request, and can be restarted',
  async (t) => {
    const peer = await ProcessPeer.start({ name: 'mini', command: program('good2', GOOD) });
    t.teardown(() => peer.stop());
    const err = await (peer as unknown as { req(op: string): Promise<unknown> })
      .req('die')
      .catch((e: unknown) => e);
    t.ok(err instanceof PeerError);
    t.equal((err as PeerError).type, 'Exited');
    t.ok(peer.exitReason(), 'it is known to be dead');
    // Its stderr is a stream of its own: what it printed last may arrive after its stdout closed.
    for (let i = 0; i < 100 && !/dying on purpose/.test(peer.stderr()); i++)
      await new Promise((r) => setTimeout(r, 20));
    t.match(peer.stderr(), /dying on purpose/);
    await peer.restart();
    t.equal(peer.info.name, 'mini', 'restarted');
  },
);

void t.test('a missing program says how to fix it', async (t) => {
  await t.rejects(
    ProcessPeer.start({ name: 'x', command: ['/nonexistent/.venv/bin/python', 'peer.py'] }),
    {
      name: 'PeerError',
      message: /does not exist; run `npm run setup` first/,
    },
  );
});

void t.test(
  'usage shows a peer that computes without answering; kill ends its whole process group',
  { skip: process.platform !== 'linux' && 'reads /proc' },
  async (t) => {
    // GOOD, but a roundtrip never returns (a busy loop), and it starts a child in its group.
    const busy = GOOD.replace(
      "else if (m.op === 'roundtrip')",
      "else if (m.op === 'roundtrip') { for (;;) {} }\n    else if (m.op === 'never')",
    ).replace(
      'let buf = Buffer.alloc(0);',
      "import { spawn } from 'node:child_process';\nconst kid = spawn('sleep', ['600'], { stdio: 'ignore' });\nprocess.stderr.write('kid ' + kid.pid + '\\n');\nlet buf = Buffer.alloc(0);",
    );
    const peer = await ProcessPeer.start({ name: 'busy', command: program('busy', busy) });
    t.teardown(() => peer.kill());
    const kid = Number(/kid (\d+)/.exec(peer.stderr())?.[1]);
    t.ok(kid > 0, `its child is ${kid}`);
    const before = await peer.usage();
    void peer.roundtrip('m', 'T', Uint8Array.from([0]), 'binary').catch(() => undefined);
    await new Promise((r) => setTimeout(r, 1200));
    const after = await peer.usage();
    t.ok(before !== undefined && after !== undefined, 'usage read');
    const busyMs = after!.cpuMs - before!.cpuMs;
    t.ok(busyMs >= 500, `${busyMs} ms of CPU in 1.2 s of a busy loop`);
    t.ok(peer.lastAnswerAt() < performance.now() - 1000, 'and no answer meanwhile');
    await peer.kill();
    t.ok(peer.exitReason() !== undefined, `gone: ${peer.exitReason()}`);
    // Alive: not gone and not a zombie (the machine's init may be slow to reap it).
    const alive = (pid: number) => {
      try {
        return !/\) [ZX] /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
      } catch {
        return false;
      }
    };
    for (let i = 0; i < 20 && alive(kid); i++) await new Promise((r) => setTimeout(r, 50));
    t.notOk(alive(kid), 'its child is gone too');
    t.equal(await peer.usage(), undefined, 'no usage after kill');
  },
);
