// Readers and verdicts (harness/invalid/readers.ts): what counts as refused, accepted, crashed and
// hung for our codec and for a peer; which answers break a case's rule (a manifest's documented
// choice does not; a must-accept case is judged only when the reader reads the valid bytes); the
// outcome's fingerprint names the kind and what the reader did.
import t from 'tap';
import { compile } from '../../../codec/src/index.js';
import type { StructClass } from '../../../codec/src/index.js';
import { PeerError } from '../../peers/peer.js';
import type { Peer } from '../../peers/peer.js';
import { judge, judgedOutcome, readOurs, readPeer } from '../../invalid/readers.js';
import type { ReadResult } from '../../invalid/readers.js';
import { OUR_CODEC } from '../../runner/codec.js';
import type { InvalidCase } from '../../invalid/values.js';

const m = compile('struct T { 1: required i32 a  2: optional i8 k }');
const T = m['T'] as StructClass;
const spec = T.__spec__;
const base = { group: 'g', specRef: 'doc/specs/x.md: why', bytes: Uint8Array.of(0) };
const refuse: InvalidCase = {
  ...base,
  kind: 'union-two-fields',
  what: 'w',
  spec: 'must-refuse',
  feature: 'unions',
};
const accept: InvalidCase = {
  ...base,
  kind: 'reverse-order',
  what: 'w',
  spec: 'must-accept',
  expected: { a: 1 },
};
const leafCase: InvalidCase = {
  ...base,
  kind: 'i8-sign',
  what: 'w',
  spec: 'must-accept',
  expected: { a: 1, k: -1 },
  expectedAt: { path: ['k'], value: -1 },
};
const silent: InvalidCase = { ...base, kind: 'field-twice', what: 'w', spec: 'silent' };
const acc = (decoded: unknown): ReadResult => ({
  outcome: 'accepted',
  detail: 'x',
  decoded: decoded as never,
});
const ref: ReadResult = { outcome: 'refused', detail: 'DecodeError: no' };

void t.test('our codec: a ThriftError refuses, any other exception crashes', async (t) => {
  t.match(readOurs(OUR_CODEC, m, T, Uint8Array.of(0), 'binary'), {
    outcome: 'refused',
    detail: /required field 'a'/,
  });
  t.match(readOurs(OUR_CODEC, m, T, m.dumps(new T({ a: 5 })), 'binary'), {
    outcome: 'accepted',
    decoded: { a: 5 },
  });
  const crashing = {
    ...OUR_CODEC,
    decode: () => {
      throw new TypeError('x is undefined');
    },
  };
  t.match(readOurs(crashing, m, T, Uint8Array.of(0), 'binary'), {
    outcome: 'crashed',
    detail: 'TypeError: x is undefined',
  });
});

void t.test(
  'a peer: DecodeError refuses, EncodeError accepts, Timeout hangs, the rest crash',
  async (t) => {
    const peerThat = (e: unknown): Peer =>
      ({ roundtrip: () => Promise.reject(e) }) as unknown as Peer;
    const read = (e: unknown) => readPeer(peerThat(e), 'h', 'T', Uint8Array.of(0), 'binary');
    t.equal((await read(new PeerError('p', 'DecodeError', 'bad'))).outcome, 'refused');
    t.equal((await read(new PeerError('p', 'EncodeError', 'cannot write'))).outcome, 'accepted');
    t.equal((await read(new PeerError('p', 'Timeout', 'no answer'))).outcome, 'hung');
    t.equal((await read(new PeerError('p', 'Exited', 'died'))).outcome, 'crashed');
    t.equal((await read(new Error('socket'))).outcome, 'crashed');
    const ok = {
      roundtrip: async () => ({ value: { a: 1 }, bytes: Uint8Array.of(0), trailing: 2 }),
    } as unknown as Peer;
    t.match(await readPeer(ok, 'h', 'T', Uint8Array.of(1, 2, 3), 'binary'), {
      outcome: 'accepted',
      decoded: { a: 1 },
      detail: /read only 1 of 3 bytes/,
    });
  },
);

void t.test('verdicts', async (t) => {
  const j = (c: InvalidCase, r: ReadResult, f: Record<string, boolean> = {}, b?: ReadResult) => {
    const x = judge(c, spec, 'p', r, f, b);
    return { ...x, ...judgedOutcome(c, x) };
  };
  t.match(j(refuse, acc({ a: 1 })), {
    verdict: 'mismatch',
    fingerprint: 'invalid:union-two-fields:accepted',
    cell: { violates: true },
  });
  t.match(j(refuse, acc({ a: 1 }), { unions: false }), {
    verdict: 'identical',
    summary: /documented choice \(unions: false\)/,
    cell: { violates: false, documented: 'unions: false' },
  });
  t.match(j(refuse, ref), { verdict: 'identical', summary: /refused, as it must be/ });
  t.match(j(accept, ref, {}, acc({ a: 1 })), {
    verdict: 'mismatch',
    fingerprint: 'invalid:reverse-order:refused',
  });
  t.match(j(accept, ref, {}, ref), {
    verdict: 'identical',
    cell: { detail: /valid bytes are refused too/ },
  });
  t.match(j(accept, acc({ a: 2 }), {}, acc({ a: 1 })), {
    verdict: 'mismatch',
    fingerprint: 'invalid:reverse-order:wrong-value',
  });
  t.match(j(accept, acc({ a: 1 }), {}, acc({ a: 1 })), { verdict: 'identical' });
  t.match(j(leafCase, acc({ a: 1, k: 255 }), {}, acc({ a: 1, k: 3 })), {
    verdict: 'mismatch',
    fingerprint: 'invalid:i8-sign:wrong-value',
    summary: /must read as -1/,
  });
  t.match(j(leafCase, acc({ a: 1, k: -1 }), {}, acc({ a: 1, k: 3 })), { verdict: 'identical' });
  t.match(j(silent, ref), { verdict: 'identical', summary: /refused \(the spec is silent\)/ });
  t.match(j(silent, { outcome: 'crashed', detail: 'boom' }), {
    verdict: 'peer-error',
    fingerprint: 'invalid:field-twice:crashed',
  });
  t.match(j(refuse, { outcome: 'hung', detail: 'no answer' }), {
    verdict: 'peer-error',
    fingerprint: 'invalid:union-two-fields:hung',
  });
});
