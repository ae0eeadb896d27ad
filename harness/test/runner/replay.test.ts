// Replaying one bundle against a real peer (apache-py as a process, from the shared .venv): an
// RPC failure (our client → its server on a non-strict envelope, which Apache's Python server
// cannot answer) shows the bytes, the IDL and what the peer printed, each once, and its trace
// holds the exact bytes that crossed; the peer's client → our server and the codec properties
// (peer-roundtrip, codec-roundtrip) are traced too; a peer that cannot start exits 2; a bundle
// naming an unknown peer is refused; the peer is stopped whatever happens.
import t from 'tap';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Json } from '../../peers/json-values.js';
import { writeBundle } from '../../runner/bundle.js';
import type { BundleCase } from '../../runner/bundle.js';
import { replayBundle, ReplayError } from '../../runner/replay.js';
import type { ReplayOptions } from '../../runner/replay.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const base = mkdtempSync(join(tmpdir(), 'tc-replay-'));

const IDL = `struct A {
  1: required set<string> a,
}

service Echo {
  A echoA(1: A v),
}
`;

let n = 0;
/** Writes a bundle of type A with `value` for `c` and returns its folder. */
function bundle(c: Partial<BundleCase>, value: Json): string {
  const dir = join(base, `b${++n}`);
  writeBundle(dir, {
    case: {
      schemaVersion: 1,
      name: `test/${c.property ?? 'x'}/${n}`,
      peer: 'apache-py',
      property: 'our-client-peer-server',
      protocol: 'binary',
      type: 'A',
      main: 'generated.thrift',
      ...c,
    },
    files: { 'generated.thrift': IDL },
    value,
    replay: 'replay it',
  });
  return dir;
}

/** Replays `dir`, collecting the output. */
async function replay(
  dir: string,
  options: ReplayOptions = {},
): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const code = await replayBundle(dir, { root, ...options, out: (l) => lines.push(l) });
  return { code, out: lines.join('\n') };
}

const count = (text: string, part: string) => text.split(part).length - 1;

/** Whether process `pid` is gone. */
function gone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
}

/** The pid apache-py prints when it starts (`… on Python 3.11.7; pid 2828`). */
function peerPid(out: string): number {
  const m = /; pid (\d+)/.exec(out);
  return m ? Number(m[1]) : NaN;
}

const nonstrict = bundle(
  {
    wire: { transport: 'framed', envelope: 'nonstrict' },
    summary:
      'peer error: ConnectionClosedError: connection closed by the server (the peer printed: TypeError: encoding without a string argument)',
  },
  { a: { $set: [] } },
);

void t.test('an RPC failure, traced: the bytes, the IDL and the stderr, once each', async (t) => {
  const { code, out } = await replay(nonstrict, { trace: true });
  t.equal(code, 1, out);
  t.match(out, /^peer-error: peer error: ConnectionClosedError: connection closed by the server/m);
  t.match(out, /still failing$/, 'the verdict is the last line');
  t.equal(count(out, 'struct A {'), 1, 'the IDL once');
  t.equal(count(out, '// idl/generated.thrift'), 1);
  t.equal(count(out, 'value (value.json): {"a":{"$set":[]}}'), 1, 'the value once');
  t.equal(count(out, 'what apache-py printed on stderr during this replay:'), 1);
  t.equal(count(out, 'Traceback (most recent call last)'), 1, 'the stderr once');
  t.equal(count(out, 'Apache Thrift 0.17.0 (fastbinary'), 1, 'all of it, once');
  // The trace: the control channel, then the request our client sent, byte for byte.
  t.match(
    out,
    /control → apache-py: \{"id":\d+,"op":"load_idl","files":\{"generated.thrift":"<idl\/generated.thrift, shown above>"\}/,
  );
  t.match(
    out,
    /control → apache-py: \{"id":\d+,"op":"serve","module":"m\d+","service":"Echo","transport":"framed","protocol":"binary"\}/,
  );
  t.match(out, /our client → apache-py's server \(framed, connection 1\): 31 bytes\n/);
  const request = [
    /^ +0 {2}00 00 00 1b +frame length 27$/,
    /^ +4 {2}00 00 00 05 +envelope\.name: method name length 5 \(non-strict envelope\)$/,
    /^ +8 {2}65 63 68 6f 41 +envelope\.name: method name "echoA"$/,
    /^ +13 {2}01 +envelope\.type: message type CALL \(1\)$/,
    /^ +14 {2}00 00 00 01 +envelope\.seqid: seqid 1$/,
    /^ +18 {2}0c 00 01 +Echo_echoA_request\.v: field header: struct \(12\), id 1 \(v\)$/,
    /^ +21 {2}0e 00 01 +Echo_echoA_request\.v\.a: field header: set \(14\), id 1 \(a\)$/,
    /^ +24 {2}0b 00 00 00 00 +Echo_echoA_request\.v\.a: set header: string × 0$/,
    /^ +29 {2}00 +Echo_echoA_request\.v: stop$/,
    /^ +30 {2}00 +Echo_echoA_request: stop$/,
  ];
  for (const line of request) t.match(out, new RegExp(line.source, 'm'));
  t.notMatch(out, /apache-py's server → our client/, 'nothing came back');
  t.match(out, /note: the check is done: peer-error/);
  t.ok(gone(peerPid(out)), 'the peer was stopped');
});

void t.test('without the trace: the same account, no trace', async (t) => {
  const { code, out } = await replay(nonstrict);
  t.equal(code, 1);
  t.notMatch(out, /^trace/m);
  t.notMatch(out, /frame length/);
  t.equal(count(out, 'struct A {'), 1);
  t.equal(count(out, 'Traceback (most recent call last)'), 1);
  t.notMatch(
    out,
    /when it was recorded/,
    'the recorded summary is not repeated when it is the same',
  );
  t.ok(gone(peerPid(out)), 'the peer was stopped');
});

void t.test("the peer's client → our server, buffered and strict: traced both ways", async (t) => {
  const dir = bundle(
    {
      property: 'peer-client-our-server',
      wire: { transport: 'buffered', envelope: 'strict' },
      summary: 'an old failure',
    },
    { a: { $set: ['hi'] } },
  );
  const { code, out } = await replay(dir, { trace: true });
  t.equal(code, 0, out);
  t.match(out, /passes now$/);
  t.match(out, /\(when it was recorded: an old failure\)/);
  t.notMatch(out, /printed on stderr/, 'no stderr for a pass');
  t.equal(count(out, 'struct A {'), 1, 'the IDL (the trace points to it)');
  t.match(
    out,
    /control → apache-py: \{"id":\d+,"op":"call",.*"args":\{"v":\{"a":\{"\$set":\["hi"\]\}\}\}/,
  );
  t.match(out, /apache-py's client → our server \(buffered, connection 1\): \d+ bytes/);
  t.match(out, /our server → apache-py's client \(buffered, connection 1\): \d+ bytes/);
  t.match(out, /^ +0 {2}80 01 00 02 +envelope\.version: .*REPLY/m, 'our strict reply');
  t.match(out, /Echo_echoA_request\.v\.a\[0\]: "hi"/);
  t.match(out, /Echo_echoA_response\.success\.a\[0\]: "hi"/);
  t.notMatch(out, /frame length/, 'buffered: no frames');
});

void t.test('codec properties: the bytes handed over and got back, annotated', async (t) => {
  const roundtrip = bundle({ property: 'peer-roundtrip' }, { a: { $set: ['hi'] } });
  const r = await replay(roundtrip, { trace: true });
  t.equal(r.code, 0, r.out);
  t.match(
    r.out,
    /our codec \(ours\) encoded a value of A: 15 bytes\n +0 {2}0e 00 01 +A\.a: field header: set \(14\), id 1 \(a\)/,
  );
  t.match(r.out, /^ +14 {2}00 +A: stop$/m);
  t.match(
    r.out,
    /control → apache-py: \{"id":\d+,"op":"roundtrip","module":"m\d+","type":"A","bytes":"<bytes #1: 15 bytes, below>"/,
  );
  t.match(
    r.out,
    /bytes #1: 15 bytes of A\n +the same 15 bytes as at \+[\d.]+ ms \(A\)/,
    'sent as encoded',
  );
  t.match(
    r.out,
    /control ← apache-py: \{"id":\d+,"ok":true,.*"bytes":"<bytes #1: 15 bytes, below>"/,
  );
  t.match(r.out, /A\.a\[0\]: "hi"/);
  t.ok(gone(peerPid(r.out)), 'the peer was stopped');

  const ours = bundle({ peer: 'ours', property: 'codec-roundtrip' }, { a: { $set: ['hi'] } });
  const o = await replay(ours, { trace: true });
  t.equal(o.code, 0, o.out);
  t.match(o.out, /ours codec-roundtrip, type A/);
  t.notMatch(o.out, /control/, 'no peer started');
  t.match(o.out, /our codec \(ours\) encoded a value of A: 15 bytes/);
  t.match(o.out, /handed to our codec \(ours\) to decode as A: 15 bytes\n +the same 15 bytes/);
});

void t.test('a peer that cannot start: exit 2; an unknown peer: refused', async (t) => {
  const peers = join(base, 'peers', 'broken-py');
  mkdirSync(peers, { recursive: true });
  // apache-py's manifest with a program that does not exist (and nothing that names its files).
  const manifest = JSON.parse(
    readFileSync(join(root, 'peers/apache-py/peer.json'), 'utf8'),
  ) as Record<string, unknown>;
  const { container: _c, setup: _s, avoidNames: _a, ...rest } = manifest;
  writeFileSync(
    join(peers, 'peer.json'),
    JSON.stringify({
      ...rest,
      name: 'broken-py',
      default: false,
      process: { command: [join(base, 'no-such-program')] },
    }),
  );
  const dir = bundle(
    { peer: 'broken-py', wire: { transport: 'framed', envelope: 'strict' } },
    {
      a: { $set: [] },
    },
  );
  const r = await replay(dir, { peerDirs: [peers], trace: true });
  t.equal(r.code, 2, r.out);
  t.match(r.out, /could not start broken-py: .*does not exist/);
  await t.rejects(replay(dir), ReplayError, 'without its folder the peer is unknown');
  await t.rejects(replay(join(base, 'nothing')), /is not a bundle/);
});
