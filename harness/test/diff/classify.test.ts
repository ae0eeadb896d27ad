// classify: the verdict, the one-line summary and a fingerprint that stays the same for the same
// kind of problem on other values, for every category the runner sees.
import t from 'tap';
import { compile } from '../../../codec/src/index.js';
import type { ServiceObject, StructClass } from '../../../codec/src/index.js';
import { PeerError } from '../../peers/peer.js';
import { classify } from '../../diff/classify.js';
import { bytes, cls, specOf } from './helpers.js';

const m = compile(`
struct Foo {
  1: required i32 a
  2: optional string name
  3: optional list<i32> items
  4: optional set<string> tags
  5: optional map<string, i32> byName
  6: optional double d
  7: optional list<bool> bits
}
service S { void put(1: Foo foo) }
`);
const Foo = cls(m, 'Foo');
const spec = specOf(m, 'Foo');
const put = (m['S'] as ServiceObject)['put'] as { request: StructClass };

/** Compares `wanted` with `got`, both encoded by the codec. */
function run(wanted: object, got: object, extra: Record<string, unknown> = {}) {
  return classify({
    spec,
    wanted,
    got,
    ourBytes: m.dumps(wanted),
    theirBytes: m.dumps(got),
    ...extra,
  });
}

void t.test('identical', async (t) => {
  const v = new Foo({ a: 1, tags: new Set(['x']) });
  t.match(run(v, new Foo({ a: 1, tags: new Set(['x']) })), {
    verdict: 'identical',
    summary: 'identical',
    fingerprint: 'identical',
    valueDiff: [],
    byteDiff: [],
  });
  t.match(classify({ spec, wanted: v, got: v }), { verdict: 'identical' }, 'values only');
});

void t.test('allowed variants: reported, failed only with strictBytes', async (t) => {
  const a = new Foo({ a: 1, tags: new Set(['x', 'y']) });
  const b = new Foo({ a: 1, tags: new Set(['y', 'x']) });
  const c = run(a, b, { root: 'Everything' });
  t.match(c, {
    verdict: 'allowed-variant',
    summary: 'Everything.tags: set elements written in another order (allowed)',
    fingerprint: 'bytes:set-order',
    valueDiff: [],
  });
  t.ok(c.byteDiff.length > 0, 'the byte diff is there for the report');
  t.match(run(a, b, { strictBytes: true }), {
    verdict: 'mismatch',
    summary:
      'Foo.tags: set elements written in another order (allowed by the spec, but strict bytes)',
    fingerprint: 'bytes:set-order',
  });
  const both = run(
    new Foo({
      a: 1,
      tags: new Set(['x', 'y']),
      byName: new Map([
        ['k', 1],
        ['j', 2],
      ]),
    }),
    new Foo({
      a: 1,
      tags: new Set(['y', 'x']),
      byName: new Map([
        ['j', 2],
        ['k', 1],
      ]),
    }),
  );
  t.match(both, {
    verdict: 'allowed-variant',
    summary:
      'Foo.tags: set elements written in another order; Foo.byName: map entries written in another order (allowed)',
    fingerprint: 'bytes:map-order+set-order',
  });
  const fieldOrder = classify({
    spec,
    wanted: new Foo({ a: 1, name: 'x' }),
    got: new Foo({ a: 1, name: 'x' }),
    ourBytes: bytes('080001 00000001  0b0002 00000001 78  00'),
    theirBytes: bytes('0b0002 00000001 78  080001 00000001  00'),
  });
  t.match(fieldOrder, {
    verdict: 'allowed-variant',
    summary: 'Foo: fields written in another order (allowed)',
    fingerprint: 'bytes:field-order',
  });
  const r = new put.request({ foo: new Foo({ a: 1 }) });
  t.match(
    classify({
      spec: put.request.__spec__,
      wanted: r,
      got: r,
      ourBytes: m.dumps.message(r, 3),
      theirBytes: m.dumps.message(r, 3, { strict: false }),
      envelope: true,
      root: 'args',
    }),
    {
      verdict: 'allowed-variant',
      summary: 'envelope: written non-strict, wanted strict (allowed)',
      fingerprint: 'bytes:envelope-form',
    },
  );
});

void t.test('meaning mismatches: the first difference, and how many more', async (t) => {
  t.match(run(new Foo({ a: 3, name: 'x' }), new Foo({ a: 3 })), {
    verdict: 'mismatch',
    summary: 'Foo.name: wanted "x", got missing',
    fingerprint: 'meaning:Foo.name:missing',
    valueDiff: [{ path: 'Foo.name', wanted: '"x"' }],
  });
  const many = run(new Foo({ a: 3, items: [1, 2] }), new Foo({ a: 4, items: [1, 5], d: 1 }));
  t.match(many, {
    verdict: 'mismatch',
    summary: 'Foo.a: wanted 3, got 4 (and 2 more differences)',
    fingerprint: 'meaning:Foo.a:changed',
  });
  t.equal(many.valueDiff.length, 3);
  t.match(run(new Foo({ a: 1, d: -0 }), new Foo({ a: 1, d: 0 })), {
    summary: 'Foo.d: wanted -0, got 0',
    fingerprint: 'meaning:Foo.d:negative-zero',
  });
  t.match(
    run(new Foo({ a: 1, d: -0 }), new Foo({ a: 1, d: 0 }), {
      policy: { negativeZeroEqualsZero: true },
    }),
    {
      verdict: 'allowed-variant',
      summary: 'Foo.d: -0.0 written as 0.0 (allowed)',
      fingerprint: 'bytes:negative-zero',
    },
    'the policy makes it the same meaning, and the bytes an allowed variant',
  );
  t.match(run(new Foo({ a: 1, items: [1, 2, 3] }), new Foo({ a: 1, items: [1] })), {
    summary: 'Foo.items.length: wanted 3 elements, got 1 (and 2 more differences)',
    fingerprint: 'meaning:Foo.items.length:length',
  });
});

void t.test('byte mismatches with the same meaning', async (t) => {
  const v = new Foo({ a: 1, bits: [true, true] });
  const c = classify({
    spec,
    wanted: v,
    got: v,
    ourBytes: bytes('080001 00000001  0f0007 02 00000002 01 01  00'),
    theirBytes: bytes('080001 00000001  0f0007 02 00000002 01 02  00'),
  });
  t.match(c, {
    verdict: 'mismatch',
    summary: 'bytes differ at 16 (Foo.bits[1]: value): wanted 0x01, got 0x02',
    fingerprint: 'bytes:Foo.bits[]:value',
    valueDiff: [],
    byteDiff: [{ offset: 16, length: 1, path: 'Foo.bits[1]' }],
  });
  const r = new put.request({ foo: new Foo({ a: 1 }) });
  t.match(
    classify({
      spec: put.request.__spec__,
      wanted: r,
      got: r,
      ourBytes: m.dumps.message(r, 3),
      theirBytes: m.dumps.message(r, 4),
      envelope: true,
    }),
    {
      verdict: 'mismatch',
      summary: 'bytes differ at 14 (envelope.seqid: envelope seqid): wanted 0x03, got 0x04',
      fingerprint: 'bytes:envelope.seqid:envelope-seqid',
    },
  );
  t.match(
    classify({
      spec,
      wanted: v,
      got: v,
      ourBytes: m.dumps(v),
      theirBytes: bytes('080001 00000001'),
    }),
    {
      verdict: 'mismatch',
      summary:
        'their bytes are malformed at 7 (Foo): input ends where a field header or the stop of Foo should be',
      fingerprint: 'bytes:malformed:theirs:Foo',
    },
  );
  // Ours says the string is 2 bytes long where 1 follows: our bytes go wrong only at their end,
  // but where they first differ from the well-formed ones is the cause, named with its path.
  const named = new Foo({ a: 1, name: 'x' });
  t.match(
    classify({
      spec,
      wanted: named,
      got: named,
      ourBytes: bytes('080001 00000001  0b0002 00000002 78  00'),
      theirBytes: bytes('080001 00000001  0b0002 00000001 78  00'),
    }),
    {
      verdict: 'mismatch',
      summary:
        'our bytes are malformed at 16 (Foo): input ends where a field header or the stop of Foo should be; the bytes first differ at 10 (Foo.name: string length 1): wanted 0x00000002, got 0x00000001',
      fingerprint: 'bytes:malformed:ours:Foo',
    },
  );
});

void t.test('peer errors', async (t) => {
  const e = new PeerError('thriftrw-py', 'DecodeError', 'bad bytes at 17\nTraceback: …', {
    stderr: 'x',
  });
  t.same(classify({ spec, wanted: new Foo({ a: 1 }), peerError: e }), {
    verdict: 'peer-error',
    summary: 'peer error: DecodeError: bad bytes at 17',
    fingerprint: 'peer-error:DecodeError:bad-bytes-at',
    valueDiff: [],
    byteDiff: [],
  });
  t.match(classify({ spec, wanted: new Foo({ a: 1 }), peerError: new TypeError('boom') }), {
    summary: 'peer error: TypeError: boom',
    fingerprint: 'peer-error:TypeError:boom',
  });
  t.match(
    classify({ spec, wanted: new Foo({ a: 1 }), peerError: { type: 'Timeout', message: '' } }),
    {
      summary: 'peer error: Timeout',
      fingerprint: 'peer-error:Timeout',
    },
  );
});

void t.test('the fingerprint is the same for the same problem on other values', async (t) => {
  const same = (
    name: string,
    a: ReturnType<typeof classify>,
    b: ReturnType<typeof classify>,
    valuesInSummary = true,
  ) => {
    if (valuesInSummary) t.not(a.summary, b.summary, `${name}: the summaries name the values`);
    t.equal(a.fingerprint, b.fingerprint, `${name}: ${a.fingerprint}`);
  };
  same(
    'missing field',
    run(new Foo({ a: 1, name: 'x' }), new Foo({ a: 1 })),
    run(new Foo({ a: 2, name: 'yy' }), new Foo({ a: 2 })),
  );
  same(
    'changed list element',
    run(new Foo({ a: 1, items: [1, 2] }), new Foo({ a: 1, items: [1, 3] })),
    run(new Foo({ a: 1, items: [7, 8, 9] }), new Foo({ a: 1, items: [6, 8, 9] })),
  );
  same(
    'changed map value',
    run(
      new Foo({ a: 1, byName: new Map([['k', 1]]) }),
      new Foo({ a: 1, byName: new Map([['k', 2]]) }),
    ),
    run(
      new Foo({ a: 1, byName: new Map([['z', 5]]) }),
      new Foo({ a: 1, byName: new Map([['z', 6]]) }),
    ),
  );
  same(
    'set order',
    run(new Foo({ a: 1, tags: new Set(['a', 'b']) }), new Foo({ a: 1, tags: new Set(['b', 'a']) })),
    run(
      new Foo({ a: 1, tags: new Set(['x', 'y', 'z']) }),
      new Foo({ a: 1, tags: new Set(['z', 'x', 'y']) }),
    ),
    false,
  );
  const bits = (wanted: string, got: string) => {
    const v = new Foo({ a: 1, bits: [true, true, true] });
    return classify({
      spec,
      wanted: v,
      got: v,
      ourBytes: bytes(`080001 00000001 0f0007 02 00000003 ${wanted} 00`),
      theirBytes: bytes(`080001 00000001 0f0007 02 00000003 ${got} 00`),
    });
  };
  same('a non-canonical bool', bits('010101', '020101'), bits('010101', '0101ff'));
  same(
    'peer error',
    classify({ spec, wanted: 1, peerError: new PeerError('p', 'DecodeError', 'at byte 3') }),
    classify({ spec, wanted: 2, peerError: new PeerError('p', 'DecodeError', 'at byte 9') }),
  );
});
