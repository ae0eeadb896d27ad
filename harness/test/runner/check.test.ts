// checkIdlRoundtrip: our codec's print(parse(idl)) ≡ idl on every file of a schema — identical
// for printer output, a mismatch naming file and line for text the printer would write otherwise,
// a peer error with the parser's message for text that does not parse; that for invalid-input
// only a real refusal counts as one (a peer that died or hung, or our codec crashing, is no
// refusal; the cases themselves are tested in harness/test/invalid/); a load failure carries only what the peer printed
// for that request. (The value properties run against real peers in run.test.ts and the
// planted-bug test.)
import t from 'tap';
import { print, parse } from '../../../codec/src/index.js';
import type { StructClass } from '../../../codec/src/index.js';
import { checkIdlRoundtrip, checkValue, openSession, PeerSession } from '../../runner/check.js';
import { compileSchema } from '../../runner/cases.js';
import { OUR_CODEC } from '../../runner/codec.js';
import { PeerError } from '../../peers/peer.js';
import type { Peer } from '../../peers/peer.js';

const printed = print(parse('struct A {\n  1: required i32 a\n}\n'));

void t.test('printer output comes back identical, in every file', async (t) => {
  const o = checkIdlRoundtrip({ 'generated.thrift': printed, 'shared.thrift': printed });
  t.match(o, { verdict: 'identical', summary: 'identical', fingerprint: 'identical' });
});

void t.test(
  'text the printer writes otherwise: a mismatch with file, line and both lines',
  async (t) => {
    const o = checkIdlRoundtrip({
      'generated.thrift': printed,
      'shared.thrift': 'struct B {\n  1:   required i32 b\n}\n',
    });
    t.equal(o.verdict, 'mismatch');
    t.equal(
      o.summary,
      'print(parse(shared.thrift)) differs at line 2: wanted "  1:   required i32 b", got "  1: required i32 b,"',
    );
    t.equal(
      o.fingerprint,
      'idl-roundtrip:required',
      'the fingerprint names the kind of line, not its names',
    );
  },
);

void t.test('text that does not parse: a peer error with the parser message', async (t) => {
  const o = checkIdlRoundtrip({ 'generated.thrift': 'struct {\n' });
  t.equal(o.verdict, 'peer-error');
  t.match(
    o.summary,
    /^our parser rejects generated\.thrift, which our printer wrote: .*generated\.thrift/,
  );
  t.match(o.fingerprint, /^peer-error:idl-roundtrip:/);
});

/** A peer whose load and round trip do what `behave` says, with stderr marks like a real one. */
function fakePeer(behave: {
  load?: (print: (s: string) => void) => Promise<string>;
  roundtrip?: (print: (s: string) => void) => Promise<never>;
  /** What it printed before any request. */
  printed?: string;
}): Peer {
  let err = behave.printed ?? '';
  const print = (s: string) => (err += s);
  return {
    name: 'fake',
    info: { name: 'fake', version: '1', abilities: {} as never },
    loadIdl: () => (behave.load ?? (async () => 'm1'))(print),
    roundtrip: () => (behave.roundtrip ?? (async () => Promise.reject(new Error('no'))))(print),
    stderr: () => err,
    stderrMark: () => err.length,
    stderrSince: (mark: number) => err.slice(mark),
  } as unknown as Peer;
}

void t.test('invalid-input: only a real refusal counts', async (t) => {
  const schema = compileSchema({
    'generated.thrift':
      'union U { 1: i32 x, 2: string y }\nstruct S { 1: required U u }\nservice Echo { S echoS(1: S v) }\n',
  });
  const S = schema.classes.get('S')!;
  const U = schema.mod['U'] as StructClass;
  const value = new S({ u: new U({ x: 1 }) });
  const valid = Buffer.from(schema.mod.dumps(value));
  // The peer reads the valid bytes and answers `e` to every case made from them.
  let stopped = 0;
  const sessionWith = async (e: unknown) => {
    const peer = {
      ...fakePeer({}),
      stop: async () => void stopped++,
      roundtrip: async (_h: string, _t: string, bytes: Uint8Array) =>
        valid.equals(bytes) ? { value: { u: { x: 1 } }, bytes, trailing: 0 } : Promise.reject(e),
    } as Peer;
    return PeerSession.open(peer, schema);
  };
  const check = (session: PeerSession) =>
    checkValue({ schema, codec: OUR_CODEC, session }, 'invalid-input', 'S', value);
  const verdictWith = async (e: unknown) => check(await sessionWith(e));
  // A reader that refuses every edit refuses must-accept cases too (unknown fields, reverse order).
  t.match(await verdictWith(new PeerError('fake', 'DecodeError', 'no field set')), {
    verdict: 'mismatch',
    fingerprint: /^invalid:(unknown-field-.*|reverse-order):refused$/,
  });
  t.match(
    await verdictWith(new PeerError('fake', 'Exited', 'the peer exited (signal SIGKILL)')),
    { verdict: 'peer-error', fingerprint: 'invalid:union-empty:crashed' },
    'a peer that died did not refuse',
  );
  // No answer in time: the peer is stopped and the case left out the first time (it may have
  // waited behind another value's hang); the same bytes again (the runner's rerun) are a hang.
  const slow = await sessionWith(new PeerError('fake', 'Timeout', 'no answer in 60000 ms'));
  t.match(await check(slow), { verdict: 'identical' }, 'the first time: left out');
  t.equal(stopped, 1, 'a peer that does not answer is stopped (the runner starts it again)');
  t.match(
    await check(slow),
    { verdict: 'peer-error', fingerprint: 'invalid:union-empty:hung' },
    'the same bytes again: hung',
  );
  const crashing = {
    ...OUR_CODEC,
    name: 'crashing',
    decode: () => {
      throw new TypeError('cannot read properties of undefined');
    },
  };
  // A codec that crashes on the valid bytes too is not judged on the cases (codec-roundtrip tells).
  t.match(await checkValue({ schema, codec: crashing }, 'invalid-input', 'S', value), {
    verdict: 'identical',
  });
  const crashingOnEdits = {
    ...OUR_CODEC,
    name: 'crashing',
    decode: (...a: Parameters<typeof OUR_CODEC.decode>) => {
      if (valid.equals(a[2])) return OUR_CODEC.decode(...a);
      throw new TypeError('cannot read properties of undefined');
    },
  };
  const ours = await checkValue({ schema, codec: crashingOnEdits }, 'invalid-input', 'S', value);
  t.match(ours, {
    verdict: 'peer-error',
    summary: /crashing crashed union U at S\.u with no field set/,
  });
  // Shrinking and replay look for one kind and outcome.
  const two = await checkValue(
    { schema, codec: crashingOnEdits, invalidFingerprint: 'invalid:union-two-fields:crashed' },
    'invalid-input',
    'S',
    value,
  );
  t.match(two, { fingerprint: 'invalid:union-two-fields:crashed', wantedHex: /^0c0001/ });
});

void t.test('a load failure carries only what the peer printed for that request', async (t) => {
  const schema = compileSchema({
    'generated.thrift': 'struct A { 1: optional i32 a }\nservice Echo { A echoA(1: A v) }\n',
  });
  const earlier = 'Traceback (most recent call last):\nValueError: an earlier, unrelated failure\n';
  const refuses = fakePeer({
    load: async (print) => {
      print(earlier);
      return Promise.reject(new PeerError('fake', 'IdlError', 'identifier C is unqualified!'));
    },
  });
  const a = await openSession(refuses, schema);
  t.ok(
    'failure' in a && a.failure.stderr === undefined,
    "the peer's own answer says why: no stderr",
  );
  const dies = fakePeer({
    printed: earlier,
    load: async (print) => {
      print('MemoryError: while loading\n');
      return Promise.reject(new PeerError('fake', 'Exited', 'the peer exited (code 1)'));
    },
  });
  // stderr printed before the request is not this request's
  const b = await openSession(dies, schema);
  t.ok('failure' in b);
  t.equal(
    'failure' in b ? b.failure.stderr : '',
    'MemoryError: while loading\n',
    'what it printed',
  );
});
