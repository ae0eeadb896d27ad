// The diff over compact-protocol bytes: every varint's bytes mapped to their field and meaning
// (field headers with deltas and the long form, bools in field headers, list and map headers,
// zigzag values, envelopes); the encodings the compact protocol allows (field order, set and map
// order, a long-form field or list header, bool element codes) are allowed variants; real
// differences are located on both sides; bytes that go wrong end in one `malformed` span.
import t from 'tap';
import { compile, TApplicationException } from '../../../codec/src/index.js';
import type { ServiceObject, StructClass } from '../../../codec/src/index.js';
import { annotate, renderAnnotation } from '../../diff/annotate.js';
import { byteDiff, classifyBytes, renderSideBySide } from '../../diff/bytes.js';
import { classify } from '../../diff/classify.js';
import { bytes, cls, coverageProblem, lines, specOf } from './helpers.js';

const m = compile(`
enum Color { RED = 1, GREEN = 2 }
struct Small {
  1: optional bool flag
  2: optional i32 count
  3: optional list<i32> ints
  4: optional map<string, i64> totals
  20: optional double ratio
  5: optional list<bool> flags
  6: optional Color color
}
service S { i32 add(1: i32 a, 2: i32 b) }
`);
const Small = cls(m, 'Small');
const spec = specOf(m, 'Small');
const compact = { protocol: 'compact' } as const;
const add = (m['S'] as ServiceObject)['add'] as { request: StructClass; response: StructClass };

void t.test('every varint is one span, named with its field and meaning', async (t) => {
  const v = new Small({
    flag: true,
    count: 300,
    ints: [1, -1, 2],
    totals: new Map([['a', -2n]]),
    ratio: 1.5,
    flags: [false],
    color: 2,
  });
  const b = m.dumps(v, compact);
  const a = annotate(spec, b, compact);
  t.equal(a.protocol, 'compact');
  t.equal(coverageProblem(a, b.length), undefined, 'every byte once');
  t.same(lines(a), [
    '0-1 Small.flag: field header (delta 1, bool true), id 1 (flag)',
    '1-2 Small.count: field header (delta 1, i32), id 2 (count)',
    '2-4 Small.count: value 300 (zigzag varint)',
    '4-5 Small.ints: field header (delta 1, list), id 3 (ints)',
    '5-6 Small.ints: list header (size 3, i32)',
    '6-7 Small.ints[0]: value 1 (zigzag varint)',
    '7-8 Small.ints[1]: value -1 (zigzag varint)',
    '8-9 Small.ints[2]: value 2 (zigzag varint)',
    '9-10 Small.totals: field header (delta 1, map), id 4 (totals)',
    '10-12 Small.totals: map header (size 1, binary → i64)',
    '12-13 Small.totals{"a"}: string length 1 (varint)',
    '13-14 Small.totals{"a"}: "a"',
    '14-15 Small.totals["a"]: value -2 (zigzag varint)',
    '15-17 Small.ratio: field header (long form, double), id 20 (ratio)',
    '17-25 Small.ratio: value 1.5 (little-endian)',
    '25-27 Small.flags: field header (long form, list), id 5 (flags)',
    '27-28 Small.flags: list header (size 1, bool)',
    '28-29 Small.flags[0]: value false',
    '29-30 Small.color: field header (delta 1, i32), id 6 (color)',
    '30-31 Small.color: value 2 (GREEN) (zigzag varint)',
    '31-32 Small: stop',
  ]);
  t.match(renderAnnotation(a, b), /15 {2}0728 +Small\.ratio: field header \(long form, double\)/);
});

void t.test('envelopes of every type, and an EXCEPTION body', async (t) => {
  const call = m.dumps.message(new add.request({ a: 1, b: -1 }), -1, compact);
  const a = annotate(add.request.__spec__, call, { ...compact, envelope: true });
  t.same(lines(a).slice(0, 4), [
    '0-2 envelope.version: compact protocol id 0x82, version 1, message type CALL (1)',
    '2-7 envelope.seqid: seqid -1 (varint)',
    '7-8 envelope.name: method name length 3 (varint)',
    '8-11 envelope.name: method name "add"',
  ]);
  t.same([a.envelope?.seqid, a.envelope?.seqidLength, a.envelope?.messageType], [-1, 5, 1]);
  const exc = m.dumps.message(new TApplicationException(6, 'boom'), 9, { name: 'add', ...compact });
  const e = annotate(add.request.__spec__, exc, { ...compact, envelope: true });
  t.equal(e.malformed, undefined);
  t.match(lines(e).join('\n'), /TApplicationException\.type: value 6 \(zigzag varint\)/);
});

void t.test('allowed compact variants', async (t) => {
  // count = 1 with a short header (delta 2) and with the long form.
  const short = bytes('25 02 00');
  const long = bytes('05 04 02 00');
  t.same(
    lines(annotate(spec, long, compact))[0],
    '0-2 Small.count: field header (long form, i32), id 2 (count)',
  );
  const c = classifyBytes(spec, short, long, compact);
  t.ok(c.allowed, 'a long-form field header is allowed');
  // flags = [false]: byte 2 (Apache) vs 0 (the spec).
  const two = bytes('59 11 02 00');
  const zero = bytes('59 11 00 00');
  const bools = classifyBytes(spec, two, zero, compact);
  t.same([bools.allowed, bools.reasons], [true, ['bool encoding']]);
  // bool element type 2 in the list header; list of 3 in the long form.
  t.same(classifyBytes(spec, two, bytes('59 12 02 00'), compact).reasons, ['header form']);
  const ints = classifyBytes(
    spec,
    bytes('39 35 02 04 06 00'),
    bytes('39 f5 03 02 04 06 00'),
    compact,
  );
  t.same([ints.allowed, ints.reasons], [true, ['header form']]);
  // Fields in another order: count then flag vs flag then count (the deltas change).
  const order = classifyBytes(spec, bytes('11 15 02 00'), bytes('25 02 01 02 00'), compact);
  t.same([order.allowed, order.reasons], [true, ['field order']]);
  // Map entries in another order.
  const maps = classifyBytes(
    spec,
    bytes('4b 02 86 01 61 02 01 62 04 00'),
    bytes('4b 02 86 01 62 04 01 61 02 00'),
    compact,
  );
  t.same([maps.allowed, maps.reasons], [true, ['map order']]);
});

void t.test('real differences, located on both sides', async (t) => {
  const c = classifyBytes(spec, bytes('11 15 02 00'), bytes('12 15 02 00'), compact);
  t.equal(c.allowed, false, 'true vs false in the header');
  t.same(
    c.differences.map((d) => [d.path, d.role]),
    [['Small.flag', 'value']],
  );
  const d = byteDiff(spec, bytes('25 d8 04 00'), bytes('25 d6 04 00'), compact);
  t.same(
    d.spans.map((s) => [s.offset, s.path, s.meaning]),
    [[1, 'Small.count', 'value 300 (zigzag varint) / got: value 299 (zigzag varint)']],
  );
  t.match(
    renderSideBySide(spec, bytes('25 d8 04 00'), bytes('25 d6 04 00'), compact),
    /1 {2}d804 +d604 +! Small\.count: value 300 \(zigzag varint\) \/ got: Small\.count: value 299/,
  );
  const verdict = classify({
    spec,
    wanted: new Small({ count: 300 }),
    got: new Small({ count: 300 }),
    ourBytes: bytes('25 d8 04 00'),
    theirBytes: bytes('25 d8 84 00 00'),
    protocol: 'compact',
  });
  t.equal(verdict.verdict, 'mismatch', 'a padded varint is a real difference');
  t.match(verdict.summary, /Small\.count/);
});

void t.test('bytes that go wrong end in one malformed span', async (t) => {
  for (const [hex, reason] of [
    ['25 ff ff', /input ends inside an i32 \(a varint\)/],
    ['25 ff ff ff ff ff 01 00', /an i32: varint longer than 5 bytes/],
    ['2e 00', /unknown type code 14/],
    ['39 f5 ff ff ff ff 0f', /the list size -1 is negative/],
    ['59 11 05 00', /bool byte 5 is not 1 \(true\) or 0 or 2 \(false\)/],
    ['39 f5 64 00', /list of 100 elements needs at least 100 bytes, only 1 remain/],
  ] as const) {
    const b = bytes(hex);
    const a = annotate(spec, b, compact);
    t.equal(coverageProblem(a, b.length), undefined, `${hex}: every byte once`);
    t.match(a.malformed?.reason, reason, hex);
  }
});
