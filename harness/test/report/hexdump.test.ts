// Hex diffs: decoding hex, finding the first difference, the window of rows, which bytes are
// marked and which span (field path, meaning) each one belongs to, and the text rendering.
import t from 'tap';
import {
  firstDifference,
  formatHexDiff,
  hexToBytes,
  hexWindow,
  spanAt,
} from '../../report/hexdump.js';
import { COUNT_AT, EMOJI_AT, GOT, WANTED } from './fixture.js';

void t.test('hexToBytes decodes, ignores whitespace and rejects bad text', (t) => {
  t.same([...hexToBytes('00 ff\n0A')], [0, 255, 10]);
  t.same([...hexToBytes('')], []);
  t.throws(() => hexToBytes('abc'), { name: 'RangeError', message: /odd length/ });
  t.throws(() => hexToBytes('0g'), { name: 'RangeError', message: /"0g" at 0/ });
  t.end();
});

void t.test('firstDifference finds the first differing byte, or the shorter end', (t) => {
  const b = (...x: number[]) => Uint8Array.from(x);
  t.equal(firstDifference(b(1, 2, 3), b(1, 2, 3)), -1);
  t.equal(firstDifference(b(1, 2, 3), b(1, 9, 3)), 1);
  t.equal(firstDifference(b(1, 2, 3), b(1, 2)), 2);
  t.equal(firstDifference(b(), b(7)), 0);
  t.end();
});

void t.test('spanAt maps an offset to its span; zero-length spans cover their offset', (t) => {
  const spans = [
    { offset: 4, length: 2, path: 'a', meaning: 'value' },
    { offset: 9, length: 0, path: 'b', meaning: 'stop' },
  ];
  t.equal(spanAt(spans, 3), undefined);
  t.equal(spanAt(spans, 4), 0);
  t.equal(spanAt(spans, 5), 0);
  t.equal(spanAt(spans, 6), undefined);
  t.equal(spanAt(spans, 9), 1);
  t.end();
});

void t.test('hexWindow starts one row before the first difference and marks bytes', (t) => {
  const wanted = new Uint8Array(100).map((_, i) => i);
  const got = Uint8Array.from(wanted);
  got[50] = 0xee;
  const spans = [{ offset: 50, length: 1, path: 'x.y', meaning: 'i8 value' }];
  const win = hexWindow(wanted, got, spans, { rows: 2 });
  t.equal(win.first, 50);
  t.same(
    win.rows.map((r) => r.offset),
    [0x20, 0x30],
    'row of 0x32 and one context row',
  );
  t.equal(win.before, 32);
  t.equal(win.after, 100 - 64);
  const row = win.rows[1];
  const marked = row?.wanted.filter((c) => c.differs).map((c) => c.offset);
  t.same(marked, [50]);
  t.equal(row?.got[2]?.byte, 0xee);
  t.equal(row?.got[2]?.span, 0, 'the got side points at the same span');
  t.same(win.shownSpans, [0]);
  t.equal(win.rows[0]?.differs, false);
  t.end();
});

void t.test('a shorter side shows -- where only the other has bytes', (t) => {
  const text = formatHexDiff('0102030405', '0102', undefined);
  t.equal(
    text,
    [
      'offset  wanted (5 bytes)                                | got (2 bytes); first difference at 0x2',
      '0000    01 02 03 04 05                                  | 01 02 -- -- --',
      '              ^^ ^^ ^^                                          ^^ ^^ ^^',
    ].join('\n'),
  );
  t.end();
});

void t.test('formatHexDiff renders the fixture mismatch with markers and span list', (t) => {
  const hex = (b: number[]) => Buffer.from(b).toString('hex');
  const spans = [
    { offset: COUNT_AT, length: 1, path: 'value.count', meaning: 'i32 value' },
    { offset: EMOJI_AT, length: 1, path: 'value.tags[1]', meaning: 'string bytes' },
  ];
  const text = formatHexDiff(hex(WANTED), hex(GOT), spans) ?? '';
  const lines = text.split('\n');
  t.match(
    lines[0],
    /^offset {2}wanted \(49 bytes\) +\| got \(49 bytes\); first difference at 0x15$/,
  );
  t.equal(lines[1]?.slice(0, 8), '0000    ', 'context row from offset 0');
  const row = lines.findIndex((l) => l.startsWith('0010'));
  t.match(lines[row + 1], /^ {8}( {3}){5}\^\^/, 'marker under byte 5 of row 0x10 (offset 0x15)');
  t.ok(lines.includes('        0x15 +1  value.count  i32 value'));
  t.ok(lines.includes('        0x2f +1  value.tags[1]  string bytes'));
  t.equal(formatHexDiff(undefined, 'aa', []), undefined, 'nothing without both sides');
  t.equal(formatHexDiff('zz', 'aa', []), undefined, 'nothing for bad hex');
  t.end();
});

void t.test('equal bytes anchor the window at the first span', (t) => {
  const bytes = new Uint8Array(80);
  const win = hexWindow(bytes, bytes, [{ offset: 70, length: 1, path: 'p', meaning: 'm' }]);
  t.equal(win.first, -1);
  t.equal(win.rows[0]?.offset, 0x30);
  t.ok(win.rows[1]?.wanted[6]?.differs, 'the span is marked');
  t.end();
});
