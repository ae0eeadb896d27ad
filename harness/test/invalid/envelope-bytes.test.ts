// The envelope cases' own byte reader and builder, checked against messages our codec writes
// (every protocol and envelope form, seqids that need several var-int bytes, nested containers
// of every type) and against golden bytes annotated from the specs.
import t from 'tap';
import {
  compile,
  encodeApplicationExceptionMessage,
  TApplicationException,
} from '../../../codec/src/index.js';
import type { ServiceObject } from '../../../codec/src/index.js';
import {
  applicationExceptionStruct,
  envelopeHeader,
  hex,
  messageEnd,
  NeedMore,
  readApplicationException,
  readHeader,
  structEnd,
} from '../../invalid/envelope-bytes.js';

const m = compile(`struct Inner {
  1: optional bool b
  2: optional list<bool> bs
}
struct Big {
  1: optional byte by
  2: optional i16 sh
  3: optional i64 lo
  4: optional double d
  5: optional binary bin
  6: optional map<string, list<i32>> m
  7: optional set<i64> s
  8: optional Inner inner
  20: optional string far
}
service S {
  Big f(1: Big big)
}
`);
const S = m.S as ServiceObject;
const f = S.__functions__.get('f')!;
const big = new (m.Big as new (v: object) => object)({
  by: -3,
  sh: -300,
  lo: -(2n ** 40n),
  d: 1.5,
  bin: Uint8Array.from([1, 2, 3]),
  m: new Map([
    ['a', [1, -2]],
    ['', []],
  ]),
  s: new Set([5n]),
  inner: new (m.Inner as new (v: object) => object)({ b: false, bs: [true, false] }),
  far: 'far away',
});

const FORMS = [
  { protocol: 'binary', strict: true },
  { protocol: 'binary', strict: false },
  { protocol: 'compact', strict: true },
] as const;

void t.test('readHeader and structEnd read what our codec writes, in every form', async (t) => {
  for (const form of FORMS) {
    for (const seqid of [0, 7, 300, -5, 2 ** 31 - 1]) {
      const bytes = m.dumps.message(new f.request({ big }), seqid, form);
      const h = readHeader(bytes, form.protocol);
      const label = `${form.protocol} ${form.strict ? 'strict' : 'non-strict'} seqid ${seqid}`;
      t.same(
        { name: h.name, type: h.type, seqid: h.seqid, strict: h.strict },
        { name: 'f', type: 1, seqid, strict: form.strict },
        `${label}: header`,
      );
      t.equal(structEnd(bytes, form.protocol, h.end), bytes.length, `${label}: body skipped whole`);
      t.equal(messageEnd(bytes, 'buffered', form.protocol), bytes.length, `${label}: message end`);
      for (let cut = 0; cut < bytes.length; cut++) {
        if (messageEnd(bytes.subarray(0, cut), 'buffered', form.protocol) !== -1) {
          t.fail(`${label}: a message cut at ${cut} must need more bytes`);
          break;
        }
      }
    }
  }
});

void t.test('readApplicationException reads what our codec writes', async (t) => {
  for (const form of FORMS) {
    const bytes = encodeApplicationExceptionMessage(
      new TApplicationException(7, 'bad ✓'),
      'f',
      3,
      form.strict,
      form.protocol,
    );
    const h = readHeader(bytes, form.protocol);
    t.equal(h.type, 3, `${form.protocol}: EXCEPTION`);
    t.same(
      readApplicationException(bytes, form.protocol, h.end),
      { type: 7, message: 'bad ✓', end: bytes.length },
      `${form.protocol} ${form.strict}: type and message`,
    );
  }
});

void t.test('golden headers, annotated from the specs', async (t) => {
  // Binary strict: 1vvvvvvv vvvvvvvv unused 00000mmm | name length | name | seqid.
  t.equal(
    hex(envelopeHeader({ protocol: 'binary', strict: true, type: 4, name: 'ab', seqid: -1 })),
    '80010004' + // version 1, unused 0, ONEWAY
      '00000002' + // name length 2
      '6162' + // "ab"
      'ffffffff', // seqid -1
  );
  // Binary old form: name length | name | 00000mmm | seqid.
  t.equal(
    hex(envelopeHeader({ protocol: 'binary', strict: false, type: 2, name: 'ab', seqid: 258 })),
    '00000002' + '6162' + '02' + '00000102', // length 2, "ab", REPLY, seqid 258
  );
  // Compact: 0x82 | mmmvvvvv | seqid (var int) | name length (var int) | name.
  t.equal(
    hex(envelopeHeader({ protocol: 'compact', strict: true, type: 3, name: 'ab', seqid: 300 })),
    '82' + // protocol id
      '61' + // EXCEPTION (3) << 5 | version 1
      'ac02' + // seqid 300: 0x2c | 0x80, then 0x02
      '02' + // name length 2
      '6162', // "ab"
  );
  t.equal(
    hex(applicationExceptionStruct('binary', 1, 'x')),
    '0b0001' +
      '00000001' +
      '78' + // field 1 string: length 1, "x"
      '080002' +
      '00000001' + // field 2 i32: 1
      '00', // stop
  );
  t.throws(
    () => envelopeHeader({ protocol: 'binary', strict: true, type: 8, name: '', seqid: 0 }),
    RangeError,
    'a type over 3 bits is refused',
  );
  t.throws(
    () =>
      envelopeHeader({
        protocol: 'binary',
        strict: false,
        type: 1,
        name: '',
        seqid: 0,
        version: 2,
      }),
    RangeError,
    'the old form has no version',
  );
});

void t.test('messageEnd: frames by their length; the reader says what it needs', async (t) => {
  t.equal(messageEnd(Uint8Array.from([0, 0, 0, 2, 9]), 'framed', 'binary'), -1, 'half a frame');
  t.equal(messageEnd(Uint8Array.from([0, 0, 0, 1, 9, 9]), 'framed', 'binary'), 5, 'one frame');
  t.throws(() => readHeader(Uint8Array.from([0x82, 0x21]), 'compact'), NeedMore);
});
