// checkIdlRoundtrip: our codec's print(parse(idl)) ≡ idl on every file of a schema — identical
// for printer output, a mismatch naming file and line for text the printer would write otherwise,
// a peer error with the parser's message for text that does not parse; the invalid variants the
// rejects-invalid property sends, and that only a real refusal counts as one (a peer that died or
// hung, or our codec crashing, is no refusal); a load failure carries only what the peer printed
// for that request. (The value properties run against real peers in run.test.ts and the
// planted-bug test.)
import t from 'tap';
import { compile, print, parse } from '../../../codec/src/index.js';
import type { StructClass } from '../../../codec/src/index.js';
import {
  checkIdlRoundtrip,
  checkValue,
  invalidApplies,
  invalidVariant,
  openSession,
  PeerSession,
} from '../../runner/check.js';
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

void t.test('invalid variants: an empty union, a struct without its required field', async (t) => {
  const m = compile(`
union U { 1: i32 x, 2: string y }
struct S { 1: optional i32 o, 2: required string r, 3: required i32 d = 4 }
struct D { 1: required i32 d = 4, 2: optional i32 o }
`);
  const spec = (n: string) => (m[n] as StructClass).__spec__;
  const U = m['U'] as StructClass;
  const S = m['S'] as StructClass;
  t.ok(invalidApplies(spec('U')) && invalidApplies(spec('S')), 'unions and required fields');
  t.notOk(invalidApplies(spec('D')), 'not a required field with a default (a reader may fill it)');
  const u = invalidVariant(spec('U'), m.dumps(new U({ x: 1 })));
  t.match(u, { what: 'union U with no field set', kind: 'union-empty' });
  t.same([...u!.bytes], [0], 'the STOP byte alone');
  const bytes = m.dumps(new S({ o: 7, r: 'x', d: 4 }));
  const s = invalidVariant(spec('S'), bytes);
  t.match(s, { what: 'S without its required field r (id 2)', kind: 'required-missing' });
  // i32 o (7 bytes), string r (3 + 4 + 1 bytes, cut out), i32 d (7 bytes), STOP
  t.equal(Buffer.from(s!.bytes).toString('hex'), '08000100000007' + '08000300000004' + '00');
  t.throws(
    () => m.loads(S, s!.bytes),
    /required field 'r' \(id 2\) is missing/,
    'our codec refuses it',
  );
  t.equal(invalidVariant(spec('D'), m.dumps(new (m['D'] as StructClass)({ d: 1 }))), undefined);
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

void t.test('rejects-invalid: only a real refusal counts', async (t) => {
  const schema = compileSchema({
    'generated.thrift': 'union U { 1: i32 x, 2: string y }\nservice Echo { U echoU(1: U v) }\n',
  });
  const U = schema.classes.get('U')!;
  const value = new U({ x: 1 });
  const verdictWith = async (e: unknown) => {
    const peer = fakePeer({ roundtrip: async () => Promise.reject(e) });
    const session = await PeerSession.open(peer, schema);
    return checkValue({ schema, codec: OUR_CODEC, session }, 'rejects-invalid', 'U', value);
  };
  t.match(await verdictWith(new PeerError('fake', 'DecodeError', 'no field set')), {
    verdict: 'identical',
    summary: /refused, as it must be/,
  });
  for (const [type, message] of [
    ['Exited', 'the peer exited (signal SIGKILL)'],
    ['Timeout', 'no answer in 60000 ms'],
  ] as const) {
    const o = await verdictWith(new PeerError('fake', type, message));
    t.equal(
      o.verdict,
      'peer-error',
      `a peer that ${type === 'Exited' ? 'died' : 'hung'} did not refuse`,
    );
  }
  const crashing = {
    ...OUR_CODEC,
    name: 'crashing',
    decode: () => {
      throw new TypeError('cannot read properties of undefined');
    },
  };
  const ours = await checkValue({ schema, codec: crashing }, 'rejects-invalid', 'U', value);
  t.match(ours, {
    verdict: 'peer-error',
    summary: /our codec \(crashing\) crashed reading union U/,
  });
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
