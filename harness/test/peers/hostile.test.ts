// Every default peer under hostile control-channel input (issue 9, "Peers"), driven over its raw
// stdin/stdout: a request whose id is NaN (not JSON: answered BadRequest, the peer goes on); a
// length prefix of 4 GiB (refused at once, then the peer exits 2: the stream cannot be
// resynchronised); and load_idl includes that climb out of the IDL set, or are absolute, to a
// file planted outside the peer's temp dir (refused BadRequest; the file's text never comes back).
import t from 'tap';
import { spawn } from 'node:child_process';
import type { ChildProcessByStdio } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { defaultProcessPeers } from '../../peers/registry.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
/** How long one answer may take (Go and Java compile per schema on a shared machine). */
const ANSWER_MS = 120_000;
/** The exit code after a length prefix over the limit (peers/README.md, "Framing"). */
const EXIT_DESYNCED = 2;

const secretDir = mkdtempSync(join(tmpdir(), 'tc-secret-'));
const secret = join(secretDir, 'secret.thrift');
writeFileSync(secret, 'TOPSECRETTOKEN struct {\n');

/** A peer process and a reader of its answers. */
class RawPeer {
  private buf = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  readonly exited: Promise<number | null>;
  stderr = '';

  constructor(readonly child: ChildProcessByStdio<Writable, Readable, Readable>) {
    child.stdout.on('data', (c: Buffer) => {
      this.buf = Buffer.concat([this.buf, c]);
      for (const w of this.waiters.splice(0)) w();
    });
    child.stderr.on('data', (c: Buffer) => {
      this.stderr = (this.stderr + c.toString()).slice(-4000);
    });
    child.stdin.on('error', () => undefined);
    this.exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
    void this.exited.then(() => {
      for (const w of this.waiters.splice(0)) w();
    });
  }

  /** Writes raw bytes to the peer's stdin. */
  write(bytes: Buffer): void {
    this.child.stdin.write(bytes);
  }

  /** Sends one framed JSON text. */
  send(text: string): void {
    const body = Buffer.from(text);
    const head = Buffer.alloc(4);
    head.writeUInt32BE(body.length);
    this.write(Buffer.concat([head, body]));
  }

  /** The next answer; rejects after ANSWER_MS or when the peer exits first. */
  async read(): Promise<Record<string, unknown>> {
    const deadline = Date.now() + ANSWER_MS;
    for (;;) {
      if (this.buf.length >= 4 && this.buf.length >= 4 + this.buf.readUInt32BE(0)) {
        const n = this.buf.readUInt32BE(0);
        const text = this.buf.subarray(4, 4 + n).toString();
        this.buf = this.buf.subarray(4 + n);
        return JSON.parse(text) as Record<string, unknown>;
      }
      if (this.child.exitCode !== null)
        throw new Error(`exited ${this.child.exitCode}: ${this.stderr}`);
      if (Date.now() > deadline)
        throw new Error(`no answer within ${ANSWER_MS} ms: ${this.stderr}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 1000);
      });
    }
  }

  /** Sends a request and reads its answer. */
  async request(req: Record<string, unknown>): Promise<Record<string, unknown>> {
    this.send(JSON.stringify(req));
    return this.read();
  }

  /** Ends the peer: stdin closed, then SIGKILL if it lingers. */
  async stop(): Promise<void> {
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(timer);
  }
}

for (const spec of defaultProcessPeers(root)) {
  const start = () =>
    new RawPeer(
      spawn(spec.command[0]!, spec.command.slice(1), {
        cwd: spec.cwd ?? root,
        env: { ...process.env, ...spec.env },
        stdio: ['pipe', 'pipe', 'pipe'],
      }),
    );

  void t.test(`${spec.name}: hostile control input`, async (t) => {
    const peer = start();
    t.teardown(() => peer.stop());

    const nan = await peer.request({ op: 'hello', id: 1 }).then(() => {
      peer.send('{"op":"hello","id":NaN}');
      return peer.read();
    });
    t.equal(nan.ok, false, 'a request with id NaN is answered');
    t.equal((nan.error as Record<string, unknown>).type, 'BadRequest');
    t.equal((await peer.request({ op: 'hello', id: 2 })).ok, true, 'and the peer goes on');

    const climb = '../'.repeat(30) + secret.slice(1);
    for (const include of [climb, secret, `./${climb}`]) {
      const idl = `include "${include}"\nstruct S { 1: optional i32 x }\n`;
      const answer = await peer.request({
        id: 3,
        op: 'load_idl',
        files: { 'main.thrift': idl },
        entry: 'main.thrift',
      });
      t.equal(
        answer.ok,
        false,
        `an include of ${include.length > 40 ? include.slice(0, 12) + '…' + include.slice(-20) : include} is refused`,
      );
      t.equal((answer.error as Record<string, unknown>).type, 'BadRequest');
      t.notMatch(JSON.stringify(answer), /TOPSECRETTOKEN/, 'the file outside is never read');
    }
    const fine = await peer.request({
      id: 4,
      op: 'load_idl',
      files: {
        'main.thrift': 'include "./shared.thrift"\nstruct S { 1: optional shared.A x }\n',
        'shared.thrift': 'struct A { 1: optional i32 y }\n',
      },
      entry: 'main.thrift',
    });
    t.equal(
      fine.ok,
      true,
      `an include inside the set still loads ${JSON.stringify(fine.error ?? '')}`,
    );
  });

  void t.test(`${spec.name}: a length prefix of 4 GiB is refused at once`, async (t) => {
    const peer = start();
    t.teardown(() => peer.stop());
    t.equal((await peer.request({ op: 'hello', id: 1 })).ok, true);
    peer.write(Buffer.from([0xff, 0xff, 0xff, 0xff]));
    const answer = await peer.read();
    t.equal(answer.ok, false);
    t.equal((answer.error as Record<string, unknown>).type, 'BadRequest');
    t.match(
      (answer.error as Record<string, unknown>).message,
      /4294967295 bytes exceeds the limit of 268435456/,
    );
    t.equal(
      await peer.exited,
      EXIT_DESYNCED,
      'then the peer exits (the stream cannot be resynchronised)',
    );
  });
}
