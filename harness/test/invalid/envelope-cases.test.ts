// Golden bytes of every envelope case, annotated byte by byte from the Apache specs
// (doc/specs/thrift-binary-protocol.md and thrift-compact-protocol.md, "Message" and "Struct"):
// the server cases as sent (binary strict, binary non-strict, compact; framed adds the length),
// and the client cases' answers to a request `echo` with seqid 1.
import t from 'tap';
import type { EnvelopeForm } from '../../invalid/envelope-cases.js';
import { CLIENT_CASES, SERVER_CASES } from '../../invalid/envelope-cases.js';
import { hex } from '../../invalid/envelope-bytes.js';
import type { WireProtocol } from '../../invalid/envelope-bytes.js';

/** Joins annotated pieces: each `[hex, what]` (spaces in hex are for reading). */
function golden(...pieces: readonly (readonly [string, string])[]): string {
  return pieces.map(([h]) => h.replace(/ /g, '')).join('');
}
const utf8 = (s: string): string => Buffer.from(s, 'utf8').toString('hex');

// Pieces shared by the goldens.
const B_ECHO = ['00000004 6563686f', 'name length 4, "echo"'] as const;
const B_SEQ7 = ['00000007', 'seqid 7'] as const;
const B_ARGS = [
  ['0b 0001', 'field header: type 11 (string), id 1 (s)'],
  ['00000004 70696e67', 'length 4, "ping"'],
  ['00', 'stop'],
] as const;
const C_ECHO = ['04 6563686f', 'name length 4 (var int), "echo"'] as const;
const C_ARGS = [
  ['18', 'field header: delta 1, type 8 (binary)'],
  ['04 70696e67', 'length 4 (var int), "ping"'],
  ['00', 'stop'],
] as const;

/** Server cases: kind → form → golden message (unframed). */
const SERVER_GOLDEN: Record<string, Partial<Record<string, string>>> = {
  'server-wrong-version': {
    'binary-strict': golden(
      ['8002 00 01', 'strict: 1 + version 2 (15 bits), unused 0, type 1 CALL'],
      B_ECHO,
      B_SEQ7,
      ...B_ARGS,
    ),
    compact: golden(
      ['82', 'protocol id'],
      ['22', 'type 1 CALL (3 high bits) | version 2 (5 low bits)'],
      ['07', 'seqid 7 (var int)'],
      C_ECHO,
      ...C_ARGS,
    ),
  },
  'server-unused-byte-set': {
    'binary-strict': golden(
      ['8001 01 01', 'version 1, unused byte 0x01, type 1 CALL'],
      B_ECHO,
      B_SEQ7,
      ...B_ARGS,
    ),
  },
  'server-message-type-5': {
    'binary-strict': golden(['8001 00 05', 'version 1, type 5'], B_ECHO, B_SEQ7, ...B_ARGS),
    'binary-nonstrict': golden(B_ECHO, ['05', 'type 5'], B_SEQ7, ...B_ARGS),
    compact: golden(
      ['82', 'protocol id'],
      ['a1', 'type 5 | version 1'],
      ['07', 'seqid 7'],
      C_ECHO,
      ...C_ARGS,
    ),
  },
  'server-message-type-7': {
    'binary-strict': golden(['8001 00 07', 'version 1, type 7'], B_ECHO, B_SEQ7, ...B_ARGS),
    'binary-nonstrict': golden(B_ECHO, ['07', 'type 7'], B_SEQ7, ...B_ARGS),
    compact: golden(
      ['82', 'protocol id'],
      ['e1', 'type 7 | version 1'],
      ['07', 'seqid 7'],
      C_ECHO,
      ...C_ARGS,
    ),
  },
  'server-reply-type': {
    'binary-strict': golden(['8001 00 02', 'version 1, type 2 REPLY'], B_ECHO, B_SEQ7, ...B_ARGS),
    'binary-nonstrict': golden(B_ECHO, ['02', 'type 2 REPLY'], B_SEQ7, ...B_ARGS),
    compact: golden(
      ['82', 'protocol id'],
      ['41', 'type 2 REPLY | version 1'],
      ['07', 'seqid 7'],
      C_ECHO,
      ...C_ARGS,
    ),
  },
  'server-unknown-method': {
    'binary-strict': golden(
      ['8001 00 01', 'version 1, CALL'],
      ['00000006 6e6f73756368', 'name length 6, "nosuch"'],
      B_SEQ7,
      ...B_ARGS,
    ),
    'binary-nonstrict': golden(
      ['00000006 6e6f73756368', 'name length 6, "nosuch"'],
      ['01', 'CALL'],
      B_SEQ7,
      ...B_ARGS,
    ),
    compact: golden(
      ['82 21 07', 'protocol id, CALL | version 1, seqid 7'],
      ['06 6e6f73756368', 'name length 6, "nosuch"'],
      ...C_ARGS,
    ),
  },
  'server-nonstrict-call': {
    'binary-nonstrict': golden(B_ECHO, ['01', 'CALL'], B_SEQ7, ...B_ARGS),
  },
  'server-trailing-bytes': {
    'binary-strict': golden(['8001 00 01', 'version 1, CALL'], B_ECHO, B_SEQ7, ...B_ARGS, [
      'deadbeef',
      '4 trailing bytes',
    ]),
    'binary-nonstrict': golden(B_ECHO, ['01', 'CALL'], B_SEQ7, ...B_ARGS, [
      'deadbeef',
      '4 trailing bytes',
    ]),
    compact: golden(['82 21 07', 'protocol id, CALL | version 1, seqid 7'], C_ECHO, ...C_ARGS, [
      'deadbeef',
      '4 trailing bytes',
    ]),
  },
  'server-truncated-args': {
    'binary-strict': golden(
      ['8001 00 01', 'version 1, CALL'],
      B_ECHO,
      B_SEQ7,
      ['0b 0001', 'field header: string, id 1'],
      ['00000004 7069', 'length 4, but only "pi": "ng" and the stop byte are cut'],
    ),
    'binary-nonstrict': golden(
      B_ECHO,
      ['01', 'CALL'],
      B_SEQ7,
      ['0b 0001', 'string, id 1'],
      ['00000004 7069', 'length 4, "pi", cut'],
    ),
    compact: golden(
      ['82 21 07', 'protocol id, CALL | version 1, seqid 7'],
      C_ECHO,
      ['18', 'delta 1, binary'],
      ['04 7069', 'length 4, "pi", cut'],
    ),
  },
  'server-name-too-long': {
    'binary-strict': golden(
      ['8001 00 01', 'version 1, CALL'],
      ['00000044', 'name length 68: the 4 of "echo" + 64, more than the message holds'],
      ['6563686f', '"echo"'],
      B_SEQ7,
      ...B_ARGS,
    ),
    'binary-nonstrict': golden(
      ['00000044 6563686f', 'name length 68, "echo"'],
      ['01', 'CALL'],
      B_SEQ7,
      ...B_ARGS,
    ),
    compact: golden(
      ['82 21 07', 'protocol id, CALL | version 1, seqid 7'],
      ['44 6563686f', 'name length 68 (var int), "echo"'],
      ...C_ARGS,
    ),
  },
};

const B_PONG = [
  ['0b 0000', 'field header: type 11 (string), id 0 (success)'],
  ['00000004 706f6e67', 'length 4, "pong"'],
  ['00', 'stop'],
] as const;
const C_PONG = [
  ['08 00', 'long-form field header: delta 0, type 8 (binary); id 0 (zigzag i16)'],
  ['04 706f6e67', 'length 4, "pong"'],
  ['00', 'stop'],
] as const;
const B_SEQ1 = ['00000001', "seqid 1 (the request's)"] as const;
const TEXT = 'type 99 from the matrix';

/** Client cases: kind → form → golden answer to `echo` seqid 1 (unframed). */
const CLIENT_GOLDEN: Record<string, Partial<Record<string, string>>> = {
  'client-wrong-seqid': {
    'binary-strict': golden(
      ['8001 00 02', 'version 1, REPLY'],
      B_ECHO,
      ['00000002', "seqid 2: the request's + 1"],
      ...B_PONG,
    ),
    'binary-nonstrict': golden(B_ECHO, ['02', 'REPLY'], ['00000002', 'seqid 2'], ...B_PONG),
    compact: golden(
      ['82 41 02', 'protocol id, REPLY | version 1, seqid 2 (var int)'],
      C_ECHO,
      ...C_PONG,
    ),
  },
  'client-wrong-method-name': {
    'binary-strict': golden(
      ['8001 00 02', 'version 1, REPLY'],
      ['00000005 7269736b79', 'name length 5, "risky"'],
      B_SEQ1,
      ...B_PONG,
    ),
    compact: golden(
      ['82 41 01', 'protocol id, REPLY | version 1, seqid 1'],
      ['05 7269736b79', '"risky"'],
      ...C_PONG,
    ),
  },
  'client-call-type': {
    'binary-strict': golden(
      ['8001 00 01', 'version 1, CALL (not REPLY)'],
      B_ECHO,
      B_SEQ1,
      ...B_PONG,
    ),
    'binary-nonstrict': golden(B_ECHO, ['01', 'CALL'], B_SEQ1, ...B_PONG),
    compact: golden(['82 21 01', 'protocol id, CALL | version 1, seqid 1'], C_ECHO, ...C_PONG),
  },
  'client-wrong-version': {
    'binary-strict': golden(['8002 00 02', 'version 2, REPLY'], B_ECHO, B_SEQ1, ...B_PONG),
    compact: golden(['82 42 01', 'protocol id, REPLY | version 2, seqid 1'], C_ECHO, ...C_PONG),
  },
  'client-trailing-bytes': {
    'binary-strict': golden(['8001 00 02', 'version 1, REPLY'], B_ECHO, B_SEQ1, ...B_PONG, [
      'deadbeef',
      '4 trailing bytes',
    ]),
    compact: golden(['82 41 01', 'protocol id, REPLY | version 1, seqid 1'], C_ECHO, ...C_PONG, [
      'deadbeef',
      '4 trailing bytes',
    ]),
  },
  'client-unknown-exception-type': {
    'binary-strict': golden(
      ['8001 00 03', 'version 1, EXCEPTION'],
      B_ECHO,
      B_SEQ1,
      ['0b 0001', 'field header: string, id 1 (message)'],
      [`00000017 ${utf8(TEXT)}`, `length 23, "${TEXT}"`],
      ['08 0002', 'field header: i32, id 2 (type)'],
      ['00000063', 'type 99'],
      ['00', 'stop'],
    ),
    compact: golden(
      ['82 61 01', 'protocol id, EXCEPTION (3) | version 1, seqid 1'],
      C_ECHO,
      ['18', 'delta 1, binary (message)'],
      [`17 ${utf8(TEXT)}`, `length 23, "${TEXT}"`],
      ['15', 'delta 1, i32 (type)'],
      ['c6 01', 'zigzag 198 = 99 (var int)'],
      ['00', 'stop'],
    ),
  },
};

const FORMS: readonly { key: string; protocol: WireProtocol; envelope: EnvelopeForm }[] = [
  { key: 'binary-strict', protocol: 'binary', envelope: 'strict' },
  { key: 'binary-nonstrict', protocol: 'binary', envelope: 'nonstrict' },
  { key: 'compact', protocol: 'compact', envelope: 'strict' },
];

/** The one case sent as two frames: golden wire bytes (framed only). */
const ACROSS_FRAMES: Record<string, string> = {
  'binary-strict': golden(
    ['00000019', 'frame 1: length 25'],
    ['8001 00 01', 'version 1, CALL'],
    B_ECHO,
    B_SEQ7,
    ['0b 0001', 'field header: string, id 1'],
    ['00000004 7069', 'length 4, "pi": the frame ends inside the string'],
    ['00000003', 'frame 2: length 3'],
    ['6e67 00', '"ng", stop: the rest of the message'],
  ),
  'binary-nonstrict': golden(
    ['00000016', 'frame 1: length 22'],
    B_ECHO,
    ['01', 'CALL'],
    B_SEQ7,
    ['0b 0001 00000004 7069', 'string, id 1, length 4, "pi"'],
    ['00000003 6e67 00', 'frame 2: length 3, "ng", stop'],
  ),
  compact: golden(
    ['0000000c', 'frame 1: length 12'],
    ['82 21 07', 'protocol id, CALL | version 1, seqid 7'],
    C_ECHO,
    ['18 04 7069', 'delta 1 binary, length 4, "pi"'],
    ['00000003 6e67 00', 'frame 2: length 3, "ng", stop'],
  ),
};

void t.test('a message across two frames: golden wire bytes', async (t) => {
  const c = SERVER_CASES.find((x) => x.kind === 'server-message-across-frames')!;
  for (const f of FORMS) {
    t.notOk(c.applies(f.protocol, f.envelope, 'buffered'), `${f.key}: not buffered`);
    t.equal(hex(c.wire(f.protocol, f.envelope, 'framed')), ACROSS_FRAMES[f.key], f.key);
  }
});

void t.test('every server case has goldens for exactly the forms it applies to', async (t) => {
  const cases = SERVER_CASES.filter((c) => c.kind !== 'server-message-across-frames');
  t.same(Object.keys(SERVER_GOLDEN).sort(), cases.map((c) => c.kind).sort());
  for (const c of cases) {
    for (const f of FORMS) {
      const want = SERVER_GOLDEN[c.kind]![f.key];
      const transports = (['framed', 'buffered'] as const).filter((tr) =>
        c.applies(f.protocol, f.envelope, tr),
      );
      if (want === undefined) {
        t.same(transports, [], `${c.kind} ${f.key}: no golden, so the case must not apply`);
        continue;
      }
      t.ok(transports.length > 0, `${c.kind} ${f.key} applies`);
      for (const tr of transports) {
        const wire = hex(c.wire(f.protocol, f.envelope, tr));
        const framed = (want.length / 2).toString(16).padStart(8, '0') + want;
        t.equal(wire, tr === 'framed' ? framed : want, `${c.kind} ${f.key} ${tr}`);
      }
    }
  }
});

void t.test('every client case answers echo/seqid 1 with its golden bytes', async (t) => {
  t.same(Object.keys(CLIENT_GOLDEN).sort(), CLIENT_CASES.map((c) => c.kind).sort());
  const request = { name: 'echo', type: 1, seqid: 1, strict: true, end: 0 };
  for (const c of CLIENT_CASES) {
    for (const f of FORMS) {
      const want = CLIENT_GOLDEN[c.kind]![f.key];
      if (!c.applies(f.protocol, f.envelope)) {
        t.equal(want, undefined, `${c.kind} ${f.key} does not apply and has no golden`);
        continue;
      }
      // Goldens leave out some non-strict forms that only differ by the header, checked alike.
      if (want === undefined) {
        t.equal(f.key, 'binary-nonstrict', `${c.kind}: only non-strict goldens may be left out`);
        continue;
      }
      t.equal(hex(c.answer(f.protocol, f.envelope, request)), want, `${c.kind} ${f.key}`);
    }
  }
});

void t.test('rules: every case says where the spec speaks or why it is silent', async (t) => {
  const reader = { readsEnvelopes: ['strict', 'nonstrict'] as const };
  for (const c of SERVER_CASES)
    for (const p of ['binary', 'compact'] as const) {
      const r = c.rule(p, reader);
      t.match(r.specRef, /doc\/specs\/thrift-|no spec says/, `${c.kind} ${p}: ${r.spec}`);
    }
  for (const c of CLIENT_CASES)
    for (const p of ['binary', 'compact'] as const)
      t.match(c.rule(p).specRef, /doc\/specs\/thrift-|no spec says/, `${c.kind} ${p}`);
  const nonstrict = SERVER_CASES.find((c) => c.kind === 'server-nonstrict-call')!;
  t.equal(
    nonstrict.rule('binary', reader).spec,
    'must-accept',
    'a reader of both forms must take the old one',
  );
  t.equal(
    nonstrict.rule('binary', { readsEnvelopes: ['strict'] }).spec,
    'must-refuse',
    'a strict-only reader must refuse it',
  );
});
