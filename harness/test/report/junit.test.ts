// junit.xml: well-formed XML (checked by a strict little reader), one testsuite per peer, one
// testcase per result plus one per stale known-failures entry, the right failure/skipped
// elements and counts, and every awkward string escaped or made visible.
import t from 'tap';
import { formatJunit, xmlEscape } from '../../report/junit.js';
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
    cases.map((c) => c.attrs.classname),
    [
      'thriftrw-py.codec-roundtrip',
      'thriftrw-py.peer-roundtrip',
      'thriftrw-py.peer-roundtrip',
      'thriftrw-py.peer-roundtrip',
      'thriftrw-py.known-failures',
      'apache-py.peer-roundtrip',
      'apache-py.our-client-peer-server',
      'apache-py.peer-roundtrip',
      'apache-py.peer-client-our-server',
    ],
  );
  const mismatch = cases[2]!;
  t.equal(
    mismatch.attrs.name,
    'binary/peer:thriftrw-py/struct-<script>&"nested" [binary framed strict]',
  );
  t.equal(mismatch.attrs.time, '0.012');
  const failure = mismatch.children[0]!;
  t.equal(failure.name, 'failure');
  t.equal(failure.attrs.type, 'mismatch');
  t.match(
    failure.attrs.message,
    /^value\.count: wanted 42, got 43; .*<script>alert\("x"\)<\/script> ]]> & 'q' "dq" \\u0001\\u001b\[31m 😀𝕏 \\u202e rtl \\ud800/,
  );
  t.match(failure.text, /- value\.count: 42\n\+ value\.count: 43/);
  t.match(failure.text, /0010 {4}00 02 00 00 00 2a .*\| 00 02 00 00 00 2b/);
  t.match(failure.text, /0x15 \+1 {2}value\.count {2}i32 value/);
  t.match(failure.text, /replay: npx tsx harness\/cli\.ts replay --seed 1234 --path '3:1:0'/);
  const peerError = cases[6]!;
  t.equal(peerError.children[0]?.attrs.type, 'peer-error');
  t.match(peerError.children[1]?.text, /ValueError: bad \\u001b\[31mred/);
  const known = cases[7]!;
  t.equal(known.children[0]?.name, 'skipped');
  t.equal(
    known.children[0]?.attrs.message,
    'known failure: apache-py reads i8 as unsigned <b>byte</b> & "sign" bug THRIFT-0000',
  );
  const stale = cases[4]!;
  t.equal(stale.attrs.name, 'known-failures: binary/peer:thriftrw-py/map-order set-order');
  t.equal(stale.children[0]?.attrs.type, 'stale-known-failure');
  t.equal(cases[0]!.children.length, 0, 'an identical result is a bare testcase');
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
