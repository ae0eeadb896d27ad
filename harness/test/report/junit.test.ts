// junit.xml: well-formed XML (checked by a strict little reader), one testsuite per peer, one
// testcase per property, wire setting and cause (passing ones together) plus one per stale
// known-failures entry, names that do not change with the seed, the right failure/skipped
// elements and counts, and every awkward string escaped or made visible.
import t from 'tap';
import { formatJunit, xmlEscape } from '../../report/junit.js';
import { messageKind } from '../../diff/text.js';
import type { CaseResult, RunReport } from '../../runner/result.js';
import { AWKWARD, REPORT } from './fixture.js';
import { all, checkChars, parseXml } from './xml.js';

const xml = formatJunit(REPORT);
const root = parseXml(xml);

void t.test('the little XML reader rejects what is not well-formed', (t) => {
  const head = '<?xml version="1.0"?>';
  t.throws(() => parseXml(`${head}<a><b></a></b>`), /closing tag/);
  t.throws(() => parseXml(`${head}<a x="1" x="2"/>`), /duplicate attribute/);
  t.throws(() => parseXml(`${head}<a>1 < 2</a>`), /bad tag/);
  t.throws(() => parseXml(`${head}<a>R&D</a>`), /bare &/);
  t.throws(() => parseXml(`${head}<a>x]]>y</a>`), /]]>/);
  t.throws(() => parseXml(`${head}<a>\u0001</a>`), /U\+1 not allowed/);
  t.throws(() => parseXml(`${head}<a>&#1;</a>`), /not allowed/);
  t.throws(() => parseXml(`${head}<a/><b/>`), /more than one root/);
  t.same(parseXml(`${head}<a k='&lt;&#x1F600;'>x &amp; y</a>`), {
    name: 'a',
    attrs: { k: '<😀' },
    children: [],
    text: 'x & y',
  });
  t.end();
});

void t.test('structure and counts', (t) => {
  t.equal(root.name, 'testsuites');
  t.same(
    [root.attrs.tests, root.attrs.failures, root.attrs.errors, root.attrs.skipped],
    ['9', '4', '0', '1'],
  );
  t.equal(root.attrs.time, '4.321');
  t.equal(root.attrs.timestamp, '2025-01-02T03:04:05');
  const suites = all(root, 'testsuite');
  t.same(
    suites.map((s) => [s.attrs.name, s.attrs.tests, s.attrs.failures, s.attrs.skipped]),
    [
      ['thriftrw-py', '5', '2', '0'],
      ['apache-py', '4', '2', '1'],
    ],
  );
  t.equal(all(root, 'testcase').length, 9);
  t.equal(all(root, 'failure').length, 4);
  t.equal(all(root, 'skipped').length, 1);
  t.equal(all(root, 'system-err').length, 1);
  t.equal(
    all(root, 'property').length,
    10,
    'seed, command, tool, peer version and backend per suite',
  );
  const props = Object.fromEntries(
    all(suites[1]!, 'property').map((p) => [p.attrs.name, p.attrs.value]),
  );
  t.same(props, {
    seed: '1234',
    command: REPORT.command,
    'tool.version': '0.1.0',
    'peer.version': '0.17.0',
    'peer.backend': 'container',
  });
  t.end();
});

void t.test('testcases: names, classnames, failures, skipped', (t) => {
  const cases = all(root, 'testcase');
  t.same(
    cases.map((c) => `${c.attrs.classname} | ${c.attrs.name}`),
    [
      'thriftrw-py.codec-roundtrip | codec-roundtrip [binary framed strict] passes',
      'thriftrw-py.peer-roundtrip | peer-roundtrip [compact] passes',
      'thriftrw-py.peer-roundtrip | peer-roundtrip [binary framed strict] mismatch field:Item.count:value',
      'thriftrw-py.peer-roundtrip | peer-roundtrip [binary buffered strict] passes',
      'thriftrw-py.known-failures | known-failures: binary/peer:thriftrw-py/map-order set-order',
      'apache-py.peer-roundtrip | peer-roundtrip [compact] passes',
      'apache-py.our-client-peer-server | our-client-peer-server [binary framed strict] peer-error peer-error',
      'apache-py.peer-roundtrip | peer-roundtrip [binary framed strict] known-failure cases/known-failures/apache-py.txt:1',
      'apache-py.peer-client-our-server | peer-client-our-server [binary buffered nonstrict] mismatch field:Note.note:missing',
    ],
  );
  const mismatch = cases[2]!;
  t.equal(mismatch.attrs.time, '0.012');
  const failure = mismatch.children[0]!;
  t.equal(failure.name, 'failure');
  t.equal(failure.attrs.type, 'mismatch');
  t.match(
    failure.attrs.message,
    /^1 case: value\.count: wanted 42, got 43; .*<script>alert\("x"\)<\/script> ]]> & 'q' "dq" \\u0001\\u001b\[31m 😀𝕏 \\u202e rtl \\ud800/,
  );
  t.match(failure.text, /- value\.count: 42\n\+ value\.count: 43/);
  t.match(failure.text, /0010 {4}00 02 00 00 00 2a .*\| 00 02 00 00 00 2b/);
  t.match(failure.text, /0x15 \+1 {2}value\.count {2}i32 value/);
  t.match(failure.text, /replay: npx tsx harness\/cli\.ts replay --seed 1234 --path '3:1:0'/);
  t.match(
    failure.text,
    /\nfirst of 1 case; every case:\nbinary\/peer:thriftrw-py\/struct-<script>&"nested"$/,
  );
  const peerError = cases[6]!;
  t.equal(peerError.children[0]?.attrs.type, 'peer-error');
  t.match(peerError.children[1]?.text, /ValueError: bad \\u001b\[31mred/);
  const known = cases[7]!;
  t.equal(known.children[0]?.name, 'skipped');
  t.equal(
    known.children[0]?.attrs.message,
    'known failure: apache-py reads i8 as unsigned <b>byte</b> & "sign" bug THRIFT-0000',
  );
  t.match(known.children[1]?.text, /every case:\nbinary\/peer:apache-py\/i8-negative$/);
  const stale = cases[4]!;
  t.equal(stale.children[0]?.attrs.type, 'stale-known-failure');
  t.equal(cases[0]!.children[0]?.text, '1 case pass: 1 identical, 0 allowed variants');
  t.equal(
    cases[1]!.children[0]?.text,
    '1 case pass: 0 identical, 1 allowed variant\n  1 set-order',
  );
  t.end();
});

/** A report of one "seed": the same failures in schemas with other generated names and indexes. */
function seedReport(seed: number, names: string[]): RunReport {
  const results: CaseResult[] = [];
  names.forEach((type, i) => {
    const idl = {
      'generated.thrift': `struct ${type} { 1: optional map<i64, ${type}> f${i} }\nservice Echo { ${type} echo${type}(1: ${type} v) }\n`,
    };
    const base = {
      peer: 'thriftrw-js',
      protocol: 'binary' as const,
      durationMs: 1,
      idl,
      seed,
    };
    results.push(
      {
        ...base,
        name: `binary/framed/strict/peer:thriftrw-js/our-client-peer-server/s${i * seed}/${type}#0`,
        property: 'our-client-peer-server',
        transport: 'framed',
        envelope: 'strict',
        verdict: 'identical',
        summary: 'identical',
      },
      {
        ...base,
        name: `binary/framed/strict/peer:thriftrw-js/our-client-peer-server/s${i * seed}/${type}#1`,
        property: 'our-client-peer-server',
        transport: 'framed',
        envelope: 'strict',
        verdict: 'peer-error',
        summary: `peer error: EncodeError: echo${type}: RangeError: the value of "value" is out of range`,
        fingerprint: `peer-error:EncodeError:${messageKind(`echo${type}: RangeError: the value of "value" is out of range`)}`,
      },
      {
        ...base,
        name: `binary/peer:thriftrw-js/peer-roundtrip/s${i * seed}/${type}#2`,
        property: 'peer-roundtrip',
        verdict: 'mismatch',
        summary: `${type}.f${i}[...] missing`,
        fingerprint: `meaning:${type}.f${i}${'[]'.repeat(1)}:missing`,
      },
      {
        ...base,
        name: `binary/peer:thriftrw-js/rejects-invalid/s${i * seed}/${type}#3`,
        property: 'rejects-invalid',
        verdict: 'known-failure',
        summary: `accepts union ${type} with no field set`,
        fingerprint: 'accepts-invalid:union-empty',
        knownEntry: 'cases/known-failures/thriftrw-js.txt:4',
        knownReason: 'accepts an empty union',
      },
    );
  });
  return {
    ...REPORT,
    seed,
    results: results.map((r) => JSON.parse(JSON.stringify(r)) as CaseResult),
    staleKnownFailures: [],
  };
}

void t.test('test names are the same for two seeds (no generated name, no case index)', (t) => {
  const names = (r: RunReport) =>
    all(parseXml(formatJunit(r)), 'testcase').map((c) => `${c.attrs.classname} | ${c.attrs.name}`);
  const one = names(seedReport(1, ['Awo', 'Qjwstcr', 'k_neo']));
  const two = names(seedReport(7, ['Zuytrdh', 'B8', 'Fallthrough', 'L']));
  t.same(one, two);
  t.same(one, [
    'thriftrw-js.our-client-peer-server | our-client-peer-server [binary framed strict] passes',
    'thriftrw-js.our-client-peer-server | our-client-peer-server [binary framed strict] peer-error peer-error:EncodeError:<X>-rangeerror-the-value-of-is-out-of-range',
    'thriftrw-js.peer-roundtrip | peer-roundtrip [binary] mismatch meaning:*[]:missing',
    'thriftrw-js.rejects-invalid | rejects-invalid [binary] known-failure cases/known-failures/thriftrw-js.txt:4',
  ]);
  const xml = formatJunit(seedReport(1, ['Awo', 'Qjwstcr', 'k_neo']));
  t.match(xml, /<failure message="3 cases: peer error: EncodeError: echoAwo: RangeError/);
  t.match(
    xml,
    /every case:\nbinary\/framed\/strict\/peer:thriftrw-js\/our-client-peer-server\/s0\/Awo#1\n[^\n]*s1\/Qjwstcr#1\n[^\n]*s2\/k_neo#1</,
  );
  t.end();
});

void t.test('case names are capped per testcase', (t) => {
  const big = seedReport(
    1,
    Array.from({ length: 30 }, (_, i) => `T${'abcdefghijklmnopqrstuvwxyz'[i % 26]}${i}`),
  );
  const xml = formatJunit(big, { maxNames: 5 });
  t.match(xml, /… 25 more \(report\.json has them all\)/);
  t.end();
});

void t.test('escaping: no raw markup or forbidden characters from data', (t) => {
  t.notMatch(xml, /<script>/);
  t.notMatch(xml, /]]>/);
  t.doesNotThrow(() => checkChars(xml, 'junit.xml'));
  t.equal(xmlEscape(AWKWARD).includes('<'), false);
  t.equal(xmlEscape('a"b\'c\nd\te', true), 'a&quot;b&apos;c&#10;d&#9;e');
  t.equal(xmlEscape('a"b\nc'), 'a"b\nc', 'text keeps quotes and newlines');
  t.equal(
    parseXml(`<?xml version="1.0"?><a v="${xmlEscape('x\ny\t"', true)}"/>`).attrs.v,
    'x\ny\t"',
  );
  t.end();
});

void t.test('the failure text carries the shrunk case; stale entries their kind', (t) => {
  const cases = all(root, 'testcase');
  const text = cases[2]!.children[0]!.text;
  const at = text.indexOf('shrunk in 3 steps to: value.count: wanted 0, got 1 <i>&</i>');
  t.ok(at > text.indexOf('replay: '), 'after the replay facts of the failure');
  const shrunk = text.slice(at);
  t.match(shrunk, /\n- value\.count: 0\n\+ value\.count: 1\n/);
  t.match(shrunk, /\n0000 {4}08 00 02 00 00 00 00 00 {25}\| 08 00 02 00 00 00 01 00\n/);
  t.match(shrunk, /\nshrunk IDL:\n\/\/ shrunk\/item\.thrift\nnamespace py conform\n/);
  t.match(shrunk, /\nshrunk value: \{"count":0,"note":"<\/script>"\}\n/);
  t.match(shrunk, /\nshrunk path: 3:1:0:0:2\n/);
  t.match(shrunk, /\nshrunk bundle: bundles\/thriftrw-py\/struct-nested-shrunk\n/);
  t.match(
    shrunk,
    /\nshrunk replay: npx tsx harness\/cli\.ts replay --seed 1234 --path '3:1:0:0:2'/,
  );
  t.notMatch(xml, /<\/script><script>alert\(3\)/, 'escaped');
  const stale = cases[4]!.children[0]!;
  t.equal(
    stale.attrs.message,
    'stale known failure (unmatched): matched nothing in this run <& "stale">',
  );
  t.match(stale.text, /\nunmatched: matched nothing in this run/);
  t.end();
});
