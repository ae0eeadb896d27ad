// The invalid-input property's reading (harness/invalid/check.ts): a run's cases per value are
// picked by a stable key; a peer's peer-roundtrip outcome stands in for its reading of the valid
// bytes; a reader that crashes on the valid bytes is not judged on the cases; each row of the
// matrix says whether its readers disagree.
import t from 'tap';
import type { StructClass } from '../../../codec/src/index.js';
import { compileSchema } from '../../runner/cases.js';
import { OUR_CODEC } from '../../runner/codec.js';
import { PeerSession } from '../../runner/check.js';
import type { Peer } from '../../peers/peer.js';
import {
  baselineOf,
  hashOf,
  invalidCasesFor,
  matrixRow,
  FIRST_READ_BOUNDS,
  firstBounds,
  readCasesOurs,
  readCasesPeer,
} from '../../invalid/check.js';

const schema = compileSchema({
  'generated.thrift':
    'struct S { 1: required i32 a  2: optional list<string> l }\nservice Echo { S echoS(1: S v) }\n',
});
const S = schema.classes.get('S')! as StructClass;
const value = new S({ a: 3, l: ['x', 'y'] });

void t.test('picked cases: stable per key, all of them on request', async (t) => {
  const one = invalidCasesFor(schema, S, value, 'binary', 'binary/peer:/invalid-input/s1/S#0');
  t.equal(one.length, 1);
  t.same(
    invalidCasesFor(schema, S, value, 'binary', 'binary/peer:/invalid-input/s1/S#0'),
    one,
    'the same key, the same case',
  );
  t.ok(invalidCasesFor(schema, S, value, 'binary', '', 'all').length > 20);
  t.equal(hashOf('a'), 0xe40c292c, 'FNV-1a');
});

void t.test('the baseline from peer-roundtrip', async (t) => {
  t.match(
    baselineOf(S.__spec__, value, { verdict: 'identical', fingerprint: 'identical', summary: '' }),
    {
      outcome: 'accepted',
      decoded: { a: 3, l: ['x', 'y'] },
    },
  );
  t.match(
    baselineOf(S.__spec__, value, {
      verdict: 'peer-error',
      fingerprint: 'peer-error:DecodeError:bad',
      summary: 'bad',
    }),
    { outcome: 'refused' },
  );
  t.match(
    baselineOf(S.__spec__, value, {
      verdict: 'peer-error',
      fingerprint: 'peer-error:Exited',
      summary: 'died',
    }),
    { outcome: 'crashed' },
  );
  t.equal(
    baselineOf(S.__spec__, value, {
      verdict: 'mismatch',
      fingerprint: 'meaning:S.a:value',
      summary: '',
    }),
    undefined,
  );
});

void t.test(
  'readers: a baseline given is not asked for; a crash on the valid bytes is not judged',
  async (t) => {
    const cases = invalidCasesFor(schema, S, value, 'binary', '', 'all');
    const asked: string[] = [];
    const peer = {
      name: 'fake',
      info: {
        name: 'fake',
        version: '1',
        abilities: { features: { requiredFieldsChecked: false } },
      },
      loadIdl: async () => 'm1',
      stop: async () => undefined,
      roundtrip: async (_h: string, _t: string, bytes: Uint8Array) => {
        asked.push(Buffer.from(bytes).toString('hex'));
        return { value: { a: 3, l: ['x', 'y'] }, bytes, trailing: 0 };
      },
    } as unknown as Peer;
    const session = await PeerSession.open(peer, schema);
    const baseline = {
      outcome: 'accepted' as const,
      detail: 'v',
      decoded: { a: 3, l: ['x', 'y'] },
    };
    const answers = await readCasesPeer(session, S, value, cases, 'binary', { baseline });
    t.equal(asked.length, cases.length, 'every case, not the valid bytes');
    const missing = answers.find((a) => a.case.kind === 'required-missing')!;
    t.match(missing, {
      verdict: 'identical',
      cell: { outcome: 'accepted', documented: 'requiredFieldsChecked: false' },
    });
    const cut = answers.find((a) => a.case.kind === 'truncated')!;
    t.match(cut, { verdict: 'mismatch', fingerprint: 'invalid:truncated:accepted' });
    t.same(
      await readCasesPeer(session, S, value, cases, 'binary', {
        baseline: { outcome: 'crashed', detail: 'x' },
      }),
      [],
    );
    const crashing = {
      ...OUR_CODEC,
      decode: () => {
        throw new RangeError('boom');
      },
    };
    t.same(readCasesOurs(crashing, schema, S, value, cases, 'binary'), [], 'our codec too');
    const row = matrixRow(cut.case, 0, 'binary', 's1/S#0', 'S', [
      cut.cell,
      { ...cut.cell, reader: 'ours', outcome: 'refused', violates: false },
    ]);
    t.match(row, { name: /^binary\/invalid\/lengths\/truncated\/s1\/S#0\/0$/, disagree: true });
  },
);

/** A fake peer whose roundtrip of `stuck` bytes never answers, with the usage `usage` gives. */
function stuckPeer(
  stuck: string,
  usage: () => { cpuMs: number; rssBytes: number },
  lastAnswerAt: () => number = () => 0,
): { peer: Peer; kills: number[] } {
  const kills: number[] = [];
  const peer = {
    name: 'fake',
    info: { name: 'fake', version: '1', abilities: { features: {} } },
    loadIdl: async () => 'm1',
    stop: async () => undefined,
    kill: async () => void kills.push(performance.now()),
    usage: async () => usage(),
    lastAnswerAt,
    roundtrip: async (_h: string, _t: string, bytes: Uint8Array) => {
      if (Buffer.from(bytes).toString('hex') === stuck) return new Promise(() => undefined);
      return { value: { a: 3, l: ['x', 'y'] }, bytes, trailing: 0 };
    },
  } as unknown as Peer;
  return { peer, kills };
}

void t.test(
  'a read that keeps the peer busy or grows its memory ends early: first left out, then hung',
  async (t) => {
    const cases = invalidCasesFor(schema, S, value, 'binary', '', 'all').slice(0, 1);
    const stuck = Buffer.from(cases[0]!.bytes).toString('hex');
    const baseline = {
      outcome: 'accepted' as const,
      detail: 'v',
      decoded: { a: 3, l: ['x', 'y'] },
    };
    const bounds = { wallMs: 60_000, busyMs: 500, memoryBytes: 1024 ** 3 };
    // CPU: 1 ms of CPU per ms of wall time, as a read in an endless loop.
    const t0 = performance.now();
    const busy = stuckPeer(stuck, () => ({ cpuMs: performance.now() - t0, rssBytes: 1e8 }));
    const session = await PeerSession.open(busy.peer, schema);
    const opts = { baseline, first: bounds, confirm: bounds };
    const started = performance.now();
    t.same(await readCasesPeer(session, S, value, cases, 'binary', opts), [], 'first: left out');
    t.equal(busy.kills.length, 1, 'the peer was killed');
    const [again] = await readCasesPeer(session, S, value, cases, 'binary', opts);
    t.match(again, {
      verdict: 'peer-error',
      cell: { outcome: 'hung', detail: /kept the CPU busy for \d+\.\d s without answering/ },
    });
    t.ok(performance.now() - started < 10_000, 'both well before the wall bound');
    // Memory: 1 GiB more every second.
    const m0 = performance.now();
    const hungry = stuckPeer(stuck, () => ({
      cpuMs: 0,
      rssBytes: 1e8 + (performance.now() - m0) * 1024 ** 2,
    }));
    const s2 = await PeerSession.open(hungry.peer, schema);
    await readCasesPeer(s2, S, value, cases, 'binary', opts);
    const [grew] = await readCasesPeer(s2, S, value, cases, 'binary', opts);
    t.match(grew, { cell: { outcome: 'hung', detail: /memory grew by .* GiB/ } });
  },
);

void t.test('a busy peer that goes on answering other requests is not cut short', async (t) => {
  const cases = invalidCasesFor(schema, S, value, 'binary', '', 'all').slice(0, 1);
  const stuck = Buffer.from(cases[0]!.bytes).toString('hex');
  const t0 = performance.now();
  const { peer, kills } = stuckPeer(
    stuck,
    () => ({ cpuMs: performance.now() - t0, rssBytes: 1e8 }),
    () => performance.now(), // it answers something all the time
  );
  const session = await PeerSession.open(peer, schema);
  const bounds = { wallMs: 2_500, busyMs: 300, memoryBytes: 1024 ** 3 };
  const started = performance.now();
  await readCasesPeer(session, S, value, cases, 'binary', {
    baseline: { outcome: 'accepted', detail: 'v', decoded: { a: 3, l: ['x', 'y'] } },
    first: bounds,
  });
  t.ok(performance.now() - started >= 2_400, 'only the wall bound ended it');
  t.equal(kills.length, 1);
});

void t.test("a first read's CPU bound follows the peer's slowest answer", async (t) => {
  const peer = (slowest: number | undefined) =>
    ({ ...(slowest !== undefined ? { slowestAnswerMs: () => slowest } : {}) }) as unknown as Peer;
  t.equal(firstBounds(peer(100), FIRST_READ_BOUNDS).busyMs, 3_000, 'at least 3 s');
  t.equal(firstBounds(peer(2_500), FIRST_READ_BOUNDS).busyMs, 5_000, 'twice the slowest');
  t.equal(firstBounds(peer(60_000), FIRST_READ_BOUNDS).busyMs, 8_000, 'at most the bound');
  t.equal(firstBounds(peer(undefined), FIRST_READ_BOUNDS), FIRST_READ_BOUNDS, 'unknown: as given');
  t.equal(firstBounds(peer(100), FIRST_READ_BOUNDS).wallMs, FIRST_READ_BOUNDS.wallMs);
});
