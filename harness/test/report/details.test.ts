// The plain-text details every text format prints: the shrunk case after the replay facts, its
// headline, its IDL files, and nothing of it when a result has none.
import t from 'tap';
import {
  detailsText,
  idlText,
  shrunkHeadline,
  shrunkReplayLines,
  shrunkText,
} from '../../report/details.js';
import { REPORT, SHRUNK, hasRawControl } from './fixture.js';

const mismatch = REPORT.results[2]!;

void t.test('shrunkHeadline says the steps and the shrunk summary on one line', (t) => {
  t.equal(shrunkHeadline(SHRUNK), 'shrunk in 3 steps to: value.count: wanted 0, got 1 <i>&</i>');
  t.equal(shrunkHeadline({ ...SHRUNK, steps: 1 }).slice(0, 22), 'shrunk in 1 step to: v');
  t.equal(
    shrunkHeadline({ ...SHRUNK, steps: 0, summary: 'a\nb\u0001' }),
    'shrunk in 0 steps to: a\\nb\\u0001',
  );
  t.end();
});

void t.test('shrunkText: headline, diff, hex, IDL, value, replay facts', (t) => {
  const text = shrunkText(mismatch) ?? '';
  const parts = text.split('\n\n');
  t.equal(parts[0], shrunkHeadline(SHRUNK));
  t.equal(parts[1], '- value.count: 0\n+ value.count: 1');
  t.match(parts[2], /^offset {2}wanted \(8 bytes\)/);
  t.match(parts[3], /^shrunk IDL:\n\/\/ shrunk\/item\.thrift\nnamespace py conform\n/);
  t.equal(parts[4], 'shrunk value: {"count":0,"note":"</script>"}');
  t.same(parts[5]?.split('\n'), shrunkReplayLines(SHRUNK));
  const { bundle: _b, replay: _r, ...bare } = SHRUNK;
  t.same(shrunkReplayLines(bare), [
    'shrunk type: Item',
    'shrunk path: 3:1:0:0:2',
    'shrunk fingerprint: field:Item.count:value',
  ]);
  t.equal(shrunkText(REPORT.results[0]!), undefined, 'none without a shrunk case');
  const long = shrunkText(
    { ...mismatch, shrunk: { ...SHRUNK, valueJson: 'x'.repeat(100) } },
    { maxShrunkChars: 10 },
  );
  t.match(long, /shrunk value: x{10}… \(90 more characters\)/);
  t.end();
});

void t.test('detailsText puts the shrunk case after the replay facts', (t) => {
  const text = detailsText(mismatch);
  t.ok(text.indexOf('replay: npx') < text.indexOf('shrunk in 3 steps'));
  t.ok(text.endsWith(shrunkText(mismatch) ?? '?'));
  t.notMatch(detailsText(REPORT.results[6]!), /shrunk/);
  t.match(detailsText(REPORT.results[6]!), /known failure: apache-py reads i8/);
  t.end();
});

void t.test('idlText: every file under its path, control characters visible', (t) => {
  t.equal(
    idlText({ 'a.thrift': 'struct A {}\n\n', 'b\n.thrift': 'x\u0001' }),
    '// a.thrift\nstruct A {}\n\n// b\\n.thrift\nx\\u0001',
  );
  t.equal(idlText({}), '');
  t.notOk(hasRawControl(idlText({ x: '\u202e' })));
  t.end();
});
