// Causes: generated names masked out of fingerprints (in slug form, cut tails too), known failures
// grouped by their entry, one cause per distinct kind whatever the schema, sorted worst first;
// passing results tallied; the test groups of JUnit and TAP with names that do not depend on the
// seed.
import t from 'tap';
import {
  MASK,
  causeKey,
  declaredNames,
  groupCauses,
  maskFingerprint,
  testGroups,
  testName,
} from '../../report/causes.js';
import type { CaseResult } from '../../runner/result.js';
import { REPORT } from './fixture.js';

const IDL = {
  'generated.thrift': `include "./common.thrift"
/* struct NotAName {} */
struct Awo { 1: optional map<i64, Awo> nz0b, 2: required common.Promise k_neo }
enum Qjwstcr { A = 1 }
service Echo { Awo echoAwo(1: Awo v) }
const string S = "in a string: Hidden"
`,
  'common.thrift': 'typedef i16 Promise\n',
};

void t.test('declared names: identifiers outside comments and strings, not Thrift words', (t) => {
  const names = declaredNames(IDL);
  for (const n of [
    'Awo',
    'nz0b',
    'k_neo',
    'common',
    'Promise',
    'Qjwstcr',
    'A',
    'Echo',
    'echoAwo',
    'v',
    'S',
  ])
    t.ok(names.has(n), n);
  for (const n of ['NotAName', 'Hidden', 'struct', 'i64', 'map', 'optional', 'include'])
    t.notOk(names.has(n), `not ${n}`);
  t.end();
});

void t.test('masking: paths become shapes, declared names in messages become <X>', (t) => {
  t.equal(maskFingerprint('meaning:Awo.pc.nz0b[]:missing'), 'meaning:*[]:missing');
  t.equal(maskFingerprint('meaning:Wuwo9p3.yo9[][]{}:missing'), 'meaning:*[][]{}:missing');
  t.equal(maskFingerprint('bytes:S8.ych:field-only-in-wanted'), 'bytes:*:field-only-in-wanted');
  t.equal(maskFingerprint('bytes:malformed:theirs:Awo.x[]'), 'bytes:malformed:theirs:*[]');
  t.equal(maskFingerprint('bytes:field-order+set-order', IDL), 'bytes:field-order+set-order');
  t.equal(
    maskFingerprint('peer-error:EncodeError:echoawo-rangeerror-the-value-of-is-out-of-range', IDL),
    `peer-error:EncodeError:${MASK}-rangeerror-the-value-of-is-out-of-range`,
  );
  t.equal(
    maskFingerprint(
      'peer-error:DecodeError:value-must-be-a-valid-member-of-enumeration-qjwstcr-got',
      IDL,
    ),
    `peer-error:DecodeError:value-must-be-a-valid-member-of-enumeration-${MASK}-got`,
  );
  t.equal(
    maskFingerprint('peer-error:ValidationError:k-neo-expected-a-byte-integer-in-got-number', IDL),
    `peer-error:ValidationError:${MASK}-expected-a-byte-integer-in-got-number`,
    'a name of several words as one, message words kept',
  );
  t.equal(
    maskFingerprint('peer-error:Awo:something-happened', IDL),
    `peer-error:${MASK}:something-happened`,
    'an exception type that is a declared name',
  );
  t.equal(
    maskFingerprint(
      'peer-error:ConnectionClosedError:unicodedecodeerror-codec-can-t-decode-byte-xb-in-position',
    ),
    'peer-error:ConnectionClosedError:unicodedecodeerror-codec-can-t-decode-byte-x-in-position',
    'hex byte remnants',
  );
  const long = (name: string) =>
    `peer-error:DecodeError:${`reply-to-${name}-the-generated-code-holds-a-map-as-an-object-keyed-by-strings-a-i-key`.slice(0, 80).replace(/-+$/, '')}`;
  const a = maskFingerprint(long('echoawo'), IDL);
  const b = maskFingerprint(long('echoqjwstcr'), { x: 'service E { void echoQjwstcr() }' });
  t.equal(a, b, 'slugs cut at 80 characters give the same text whatever the names');
  t.equal(a, `peer-error:DecodeError:reply-to-${MASK}-the-generated-code-holds-a-map-as-an`);
  t.end();
});

const r = (over: Partial<CaseResult>): CaseResult => ({
  name: 'n',
  peer: 'p',
  protocol: 'binary',
  property: 'peer-roundtrip',
  verdict: 'identical',
  summary: 's',
  durationMs: 1,
  ...over,
});

void t.test('cause keys: the known entry, else the masked fingerprint', (t) => {
  t.equal(
    causeKey(
      r({ verdict: 'known-failure', knownEntry: 'a.txt:3', fingerprint: 'meaning:X.y:missing' }),
    ),
    'a.txt:3',
  );
  t.equal(
    causeKey(r({ verdict: 'known-failure', fingerprint: 'meaning:X.y:missing' })),
    'meaning:*:missing',
  );
  t.equal(
    causeKey(r({ verdict: 'not-run', fingerprint: 'not-run:peer-died', peer: 'q' })),
    'not-run:peer-died (q)',
  );
  t.equal(causeKey(r({ verdict: 'peer-error' })), 'peer-error');
  t.end();
});

void t.test('groupCauses: one cause per kind, worst first, examples, shrunk, tallies', (t) => {
  const echo = (type: string, i: number, peer = 'thriftrw-js'): CaseResult =>
    r({
      name: `binary/framed/strict/peer:${peer}/our-client-peer-server/s${i}/${type}#0`,
      peer,
      property: 'our-client-peer-server',
      transport: 'framed',
      envelope: 'strict',
      verdict: 'peer-error',
      summary: `echo${type} out of range`,
      fingerprint: `peer-error:EncodeError:echo${type.toLowerCase()}-rangeerror-out-of-range`,
      idl: { 'g.thrift': `struct ${type} {}\nservice Echo { ${type} echo${type}(1: ${type} v) }` },
    });
  const shrunk = (size: number) => ({
    steps: 1,
    summary: 'small',
    fingerprint: 'f',
    type: 'T',
    idl: { 'a.thrift': 'x'.repeat(size) },
    valueJson: '{}',
    path: '0',
  });
  const results = [
    r({ name: 'ok1' }),
    echo('Awo', 1),
    r({
      name: 'ok2',
      verdict: 'allowed-variant',
      fingerprint: 'bytes:set-order',
      summary: 'set order',
    }),
    { ...echo('Qjwstcr', 2), shrunk: shrunk(50) },
    r({ name: 'k1', verdict: 'known-failure', knownEntry: 'k.txt:1', knownReason: 'why' }),
    { ...echo('Zuy', 3, 'other'), shrunk: shrunk(10) },
    echo('Bq', 4),
    r({ name: 'm1', verdict: 'mismatch', fingerprint: 'meaning:Awo.x:missing', peer: 'q' }),
    r({ name: 'k2', verdict: 'known-failure', knownEntry: 'k.txt:1' }),
    echo('Cc', 5),
  ];
  const g = groupCauses(results, { examples: 3 });
  t.same(
    g.causes.map((c) => [c.verdict, c.key, c.count, c.peers]),
    [
      ['mismatch', 'meaning:*:missing', 1, ['q']],
      [
        'peer-error',
        `peer-error:EncodeError:${MASK}-rangeerror-out-of-range`,
        5,
        ['thriftrw-js', 'other'],
      ],
      ['known-failure', 'k.txt:1', 2, ['p']],
    ],
  );
  const echoes = g.causes[1]!;
  t.same(
    echoes.examples.map((x) => x.name.split('/').pop()),
    ['Awo#0', 'Qjwstcr#0', 'Zuy#0'],
    'the first of each peer, then in run order, kept in run order',
  );
  t.equal(echoes.shrunk?.idl['a.thrift']?.length, 10, 'the smallest shrunk case');
  t.match(echoes.shrunkOf, /s3\/Zuy#0$/);
  t.equal(echoes.cases.length, 5);
  t.same(echoes.wires, ['binary framed strict']);
  t.equal(g.causes[2]?.knownReason, 'why');
  t.same(g.passing, [
    { peer: 'p', property: 'peer-roundtrip', wire: 'binary', identical: 1, allowedVariant: 1 },
  ]);
  t.same(g.variants, [
    {
      kind: 'bytes:set-order',
      count: 1,
      peers: ['p'],
      properties: ['peer-roundtrip'],
      summary: 'set order',
    },
  ]);
  t.end();
});

void t.test('test groups: per peer, property and wire; passing first, then causes', (t) => {
  const g = groupCauses(REPORT.results);
  const groups = testGroups(REPORT.results, g.causes, ['thriftrw-py', 'apache-py']);
  t.same(
    groups.map((x) => `${x.peer} ${testName(x)} ${x.results.length}`),
    [
      'thriftrw-py codec-roundtrip [binary framed strict] passes 1',
      'thriftrw-py peer-roundtrip [compact] passes 1',
      'thriftrw-py peer-roundtrip [binary framed strict] mismatch field:Item.count:value 1',
      'thriftrw-py peer-roundtrip [binary buffered strict] passes 1',
      'apache-py peer-roundtrip [compact] passes 1',
      'apache-py our-client-peer-server [binary framed strict] peer-error peer-error 1',
      'apache-py peer-roundtrip [binary framed strict] known-failure cases/known-failures/apache-py.txt:1 1',
      'apache-py peer-client-our-server [binary buffered nonstrict] mismatch field:Note.note:missing 1',
    ],
  );
  t.end();
});
