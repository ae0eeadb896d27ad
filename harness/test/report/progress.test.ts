// The progress display with a fake stream and a fake clock: the redrawn TTY line (bar, counts,
// rate, throttling, notes above it, width, done), and plain CI lines (failures as noted, a
// progress line at most every interval, nothing but plain text).
import t from 'tap';
import { Writable } from 'node:stream';
import { createProgress, formatElapsed } from '../../report/progress.js';
import type { CaseResult, Verdict } from '../../runner/result.js';

const CLEAR = '\r\u001b[2K';

/** A stream that keeps what is written, with a TTY flag and a width. */
class FakeStream extends Writable {
  readonly chunks: string[] = [];
  isTTY: boolean;
  columns: number;
  constructor(isTTY = false, columns = 200) {
    super({
      write: (chunk: Buffer, _enc, cb) => {
        this.chunks.push(chunk.toString('utf8'));
        cb();
      },
    });
    this.isTTY = isTTY;
    this.columns = columns;
  }
  get text(): string {
    return this.chunks.join('');
  }
  /** The chunks written since the last call. */
  private seen = 0;
  fresh(): string[] {
    const out = this.chunks.slice(this.seen);
    this.seen = this.chunks.length;
    return out;
  }
}

const result = (verdict: Verdict = 'identical'): CaseResult => ({
  name: 'binary/peer:a/x',
  peer: 'a',
  protocol: 'binary',
  property: 'peer-roundtrip',
  verdict,
  summary: 's',
  durationMs: 1,
});

function clock(start = 1000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

void t.test('TTY with a total: a bar, redrawn at most every 100 ms', (t) => {
  const out = new FakeStream(true);
  const c = clock();
  const p = createProgress({ stream: out, total: 10, now: c.now });
  t.same(out.chunks, [], 'nothing before the first tick');
  c.advance(500);
  p.tick(result());
  t.same(out.fresh(), [
    `${CLEAR}[##------------------] 10% 1/10 cases (ETA 0:04) · 2.0/s · 0 mismatch · 0 peer-error · 0:00`,
  ]);
  c.advance(50);
  p.tick(result('mismatch'));
  t.same(out.fresh(), [], 'not within 100 ms of the last draw');
  c.advance(50);
  p.tick(result('peer-error'));
  t.same(out.fresh(), [
    `${CLEAR}[######--------------] 30% 3/10 cases (ETA 0:01) · 5.0/s · 1 mismatch · 1 peer-error · 0:00`,
  ]);
  c.advance(100);
  p.tick(result('known-failure'));
  t.match(
    out.fresh()[0],
    / 40% 4\/10 cases .* · 1 mismatch · 1 peer-error · 1 known-failure · 0:00$/,
  );
  t.same(p.counts(), { done: 4, mismatch: 1, peerError: 1, knownFailure: 1, elapsedMs: 700 });
  t.notOk(out.text.includes('\n'), 'one line, redrawn in place');
  for (let i = 0; i < 8; i++) p.tick(result());
  c.advance(100);
  p.tick(result());
  t.match(
    out.fresh()[0],
    /\[####################\] 100% 13\/10 cases · /,
    'more than the total: full, no ETA',
  );
  t.end();
});

void t.test('TTY notes go above the bar, which is drawn again', (t) => {
  const out = new FakeStream(true);
  const c = clock();
  const p = createProgress({ stream: out, now: c.now, intervalMs: 1000 });
  p.note('before any tick');
  t.same(out.fresh(), ['before any tick\n'], 'no bar yet: just the line');
  p.tick(result());
  out.fresh();
  c.advance(10);
  p.note('mismatch: x: \u001b[31mred\u001b[0m\n');
  t.same(out.fresh(), [
    `${CLEAR}mismatch: x: \\u001b[31mred\\u001b[0m\n`,
    `${CLEAR}1 cases · 100/s · 0 mismatch · 0 peer-error · 0:00`,
  ]);
  t.end();
});

void t.test('TTY without a total: a bar of the time budget, or elapsed time', (t) => {
  const out = new FakeStream(true);
  const c = clock();
  const p = createProgress({ stream: out, now: c.now, budgetMs: 60_000, label: 'runs' });
  c.advance(30_000);
  p.tick(result());
  t.same(out.fresh(), [
    `${CLEAR}[##########----------] 0:30 / 1:00 · 1 runs · 0.0/s · 0 mismatch · 0 peer-error`,
  ]);
  p.setTotal(4);
  c.advance(100);
  p.tick(result());
  t.ok(
    out.fresh()[0]?.startsWith(`${CLEAR}[##########----------] 50% 2/4 runs (ETA 0:30) · `),
    'a bar of cases once the total is known',
  );
  t.throws(() => p.setTotal(-1), RangeError);
  const bare = new FakeStream(true);
  const q = createProgress({ stream: bare, now: c.now });
  c.advance(65_000);
  q.tick(result());
  t.same(bare.chunks, [`${CLEAR}1 cases · 0.0/s · 0 mismatch · 0 peer-error · 1:05`]);
  c.advance(3_725_000);
  q.done();
  t.equal(bare.chunks[1], `${CLEAR}1 cases · 0.0/s · 0 mismatch · 0 peer-error · 1:03:10\n`);
  t.end();
});

void t.test('the line is cut to the terminal width', (t) => {
  const out = new FakeStream(true, 40);
  const c = clock();
  const p = createProgress({ stream: out, total: 100, now: c.now });
  p.tick(result());
  const line = out.chunks[0]!.slice(CLEAR.length);
  t.equal([...line].length, 39, 'one less than the width, so the terminal never wraps');
  t.ok(line.endsWith('…'));
  const wide = new FakeStream(true, 40);
  createProgress({ stream: wide, total: 100, now: c.now, columns: 120 }).tick(result());
  t.notOk(wide.chunks[0]!.endsWith('…'), 'columns given wins over the stream');
  t.end();
});

void t.test('done: the last state and a newline, once; ticks after it draw nothing', (t) => {
  const out = new FakeStream(true);
  const c = clock();
  const p = createProgress({ stream: out, total: 2, now: c.now });
  p.tick(result());
  c.advance(10);
  p.tick(result());
  out.fresh();
  c.advance(1990);
  p.done();
  t.same(out.fresh(), [
    `${CLEAR}[####################] 100% 2/2 cases · 1.0/s · 0 mismatch · 0 peer-error · 0:02\n`,
  ]);
  p.done();
  c.advance(1000);
  p.tick(result());
  t.same(out.fresh(), [], 'nothing more');
  p.note('after the end');
  t.same(out.fresh(), ['after the end\n'], 'a plain line after the end');
  t.end();
});

void t.test('plain (CI): noted lines and a progress line at most every 10 s', (t) => {
  const out = new FakeStream(false);
  const c = clock();
  const p = createProgress({ stream: out, now: c.now });
  for (let i = 0; i < 3399; i++) {
    c.advance(10_000 / 3400);
    p.tick(result());
  }
  t.same(out.fresh(), [], 'no line before 10 s');
  p.note('mismatch: binary/peer:a/x: value.count differs');
  t.same(
    out.fresh(),
    ['mismatch: binary/peer:a/x: value.count differs\n'],
    'a failure is one line',
  );
  c.advance(10);
  p.tick(result());
  t.same(out.fresh(), ['progress: 3400 cases (340/s), 0 mismatch, 0 peer-error\n']);
  c.advance(9_000);
  p.tick(result('mismatch'));
  t.same(out.fresh(), [], 'not again within 10 s');
  c.advance(1_000);
  p.tick(result('peer-error'));
  t.same(out.fresh(), ['progress: 3402 cases (170/s), 1 mismatch, 1 peer-error\n']);
  p.done();
  t.same(out.fresh(), ['progress: 3402 cases (170/s), 1 mismatch, 1 peer-error; done in 0:20\n']);
  t.notOk(
    out.text.includes('\r') || out.text.includes('\u001b'),
    'no carriage return or escape in a log',
  );
  t.end();
});

void t.test('plain with a total or a budget; defaults from the stream', (t) => {
  const out = new FakeStream(false);
  const c = clock();
  const p = createProgress({ stream: out, now: c.now, total: 100, intervalMs: 1000 });
  c.advance(10_000);
  for (let i = 0; i < 50; i++) p.tick(result(i === 0 ? 'known-failure' : 'identical'));
  t.same(out.fresh(), [
    'progress: 1/100 cases (1%, 0.1/s), 0 mismatch, 0 peer-error, 1 known-failure\n',
  ]);
  t.equal(
    p.line(),
    'progress: 50/100 cases (50%, 5.0/s), 0 mismatch, 0 peer-error, 1 known-failure',
  );
  const budget = createProgress({ stream: new FakeStream(false), now: c.now, budgetMs: 120_000 });
  c.advance(61_000);
  t.equal(budget.line(), 'progress: 0 cases (0.0/s), 0 mismatch, 0 peer-error; 1:01 of 2:00');

  // Defaults: TTY from the stream's isTTY, 100 ms there and 10 s plain.
  const tty = new FakeStream(true);
  const a = createProgress({ stream: tty, now: c.now });
  a.tick(result());
  c.advance(99);
  a.tick(result());
  c.advance(1);
  a.tick(result());
  t.equal(tty.chunks.length, 2, 'redrawn after 100 ms');
  const log = new FakeStream(false);
  const b = createProgress({ stream: log, now: c.now });
  c.advance(9_999);
  b.tick(result());
  c.advance(1);
  b.tick(result());
  t.equal(log.chunks.length, 1, 'one line after 10 s');
  const forced = new FakeStream(true);
  createProgress({ stream: forced, isTTY: false, now: c.now }).done();
  t.equal(forced.text, 'progress: 0 cases (0.0/s), 0 mismatch, 0 peer-error; done in 0:00\n');
  t.throws(() => createProgress({ stream: log, total: -1 }), RangeError);
  t.throws(() => createProgress({ stream: log, intervalMs: Number.NaN }), RangeError);
  t.end();
});

void t.test('the real clock and process streams type-check and work', (t) => {
  const out = new FakeStream(false);
  const p = createProgress({ stream: out });
  p.tick(result());
  p.done();
  t.match(out.text, /^progress: 1 cases \([\d.]+\/s\), 0 mismatch, 0 peer-error; done in 0:00\n$/);
  t.type(createProgress({ stream: process.stderr, isTTY: false }).line, 'function');
  t.equal(formatElapsed(0), '0:00');
  t.equal(formatElapsed(59_999), '0:59');
  t.equal(formatElapsed(3_600_000), '1:00:00');
  t.equal(formatElapsed(-5), '0:00');
  t.end();
});

void t.test(
  'a finished run ends at 100% when the total was an upper bound; a stopped one does not',
  (t) => {
    for (const [complete, want] of [
      [undefined, '100% 3/3 cases'],
      [false, '30% 3/10 cases'],
    ] as const) {
      const out = new FakeStream(true);
      const c = clock();
      const p = createProgress({ stream: out, total: 10, now: c.now });
      for (let i = 0; i < 3; i++) p.tick(result());
      c.advance(1000);
      out.fresh();
      p.done(complete);
      t.match(out.fresh().join(''), want);
    }
    t.end();
  },
);
