// check-peer: every peer shipped here passes it (the proof that each speaks the control protocol,
// both directions of RPC included); a peer that gets ops wrong is told, op by op, what and how to
// fix it; a broken manifest or a missing program is a failed step, not a crash.
import t from 'tap';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkPeer } from '../../peers/check-peer.js';
import { discoverPeers } from '../../peers/registry.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');

for (const m of discoverPeers(root).all.filter((x) => x.default && x.process)) {
  void t.test(`${m.name} passes check-peer`, async (t) => {
    const lines: string[] = [];
    const report = await checkPeer(m.dir, { root, log: (l) => lines.push(l) });
    const failed = report.steps.filter((s) => !s.ok && s.optional !== true);
    t.same(
      failed.map((s) => `${s.op}: ${s.what}: ${s.detail}`),
      [],
      `${report.steps.length} steps`,
    );
    t.ok(report.ok, lines.at(-1) ?? '');
    t.ok(
      report.steps.some((s) => s.op === 'serve/call' && s.ok),
      'the KeyValue scenario ran',
    );
  });
}

/** A peer folder with a manifest and a Node program `body` (the control loop is given). */
function fakePeer(body: string): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'tc-fake-peer-')), 'fake');
  mkdirSync(dir);
  writeFileSync(
    join(dir, 'peer.json'),
    JSON.stringify({
      name: 'fake',
      description: 'a peer that answers everything wrong',
      language: 'js',
      library: { name: 'none', version: '0' },
      process: { command: [process.execPath, '{dir}/peer.mjs'] },
      abilities: {
        protocols: ['binary'],
        transports: ['framed'],
        envelopes: { read: ['strict'], write: ['strict'] },
        dialect: 'apache',
        features: {},
      },
    }),
  );
  writeFileSync(
    join(dir, 'peer.mjs'),
    `let buf = Buffer.alloc(0);
const send = (o) => { const b = Buffer.from(JSON.stringify(o)); const h = Buffer.alloc(4); h.writeUInt32BE(b.length); process.stdout.write(Buffer.concat([h, b])); };
process.stdin.on('data', (c) => {
  buf = Buffer.concat([buf, c]);
  while (buf.length >= 4 && buf.length >= 4 + buf.readUInt32BE(0)) {
    const req = JSON.parse(buf.subarray(4, 4 + buf.readUInt32BE(0)).toString());
    buf = buf.subarray(4 + buf.readUInt32BE(0));
    if (req.op === 'shutdown') { send({ id: req.id, ok: true }); process.exit(0); }
    ${body}
  }
});
`,
  );
  chmodSync(join(dir, 'peer.mjs'), 0o755);
  return dir;
}

void t.test('a peer that answers ok to everything is told what each op should do', async (t) => {
  const dir = fakePeer(
    `send(req.op === 'hello' ? { id: req.id, ok: true, name: 'fake', version: '0' } : { id: req.id, ok: true, module: 'm1', bytes: '' });`,
  );
  const report = await checkPeer(dir, { root });
  t.notOk(report.ok, 'it fails');
  const failed = new Map(report.steps.filter((s) => !s.ok).map((s) => [s.what, s.detail]));
  t.match(
    failed.get('an unknown op is answered UnknownOp'),
    /answered ok .*wanted an error of type UnknownOp/,
  );
  t.match(failed.get('load_idl without files is answered BadRequest'), /BadRequest/);
  t.match(failed.get('an IDL with a syntax error is answered IdlError'), /IdlError/);
  t.match(
    failed.get('the check IDL loads, with its types and services'),
    /types undefined, wanted \["AllTypes"/,
  );
  t.ok(report.steps[0]?.ok && report.steps[1]?.ok, 'manifest and hello pass');
});

void t.test('a manifest that does not read, and a program that does not start', async (t) => {
  const bad = join(mkdtempSync(join(tmpdir(), 'tc-bad-')), 'bad');
  mkdirSync(bad);
  writeFileSync(join(bad, 'peer.json'), '{"name": "bad"}');
  const r1 = await checkPeer(bad, { root });
  t.notOk(r1.ok);
  t.match(r1.steps[0]?.detail, /peer\.json: \w+ must be .*see peers\/README\.md/);
  const dead = fakePeer(`process.exit(3);`);
  const r2 = await checkPeer(dead, { root });
  t.notOk(r2.ok);
  t.equal(r2.steps[1]?.op, 'hello');
  t.match(r2.steps[1]?.detail, /exited|closed its stdout/);
});
