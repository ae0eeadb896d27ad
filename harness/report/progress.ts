/**
 * The progress display of a run. On a terminal: one line redrawn in place (`\r`, clear line) at
 * most every 100 ms, with a bar when the total is known (or the time budget is), cases done,
 * cases per second, failure counts and elapsed time; lines noted (failures, shrinking) are printed
 * above it. Elsewhere (CI logs): plain lines only, the noted ones and a progress line at most every
 * 10 s, like `progress: 1200 cases (340/s), 0 mismatch, 0 peer-error`. Text from data is made
 * visible (no terminal escape from a case name reaches the terminal). No dependency; the clock
 * can be injected for tests.
 */
import type { Writable } from 'node:stream';
import type { CaseResult } from '../runner/result.js';
import { visible } from './text.js';

/** Options of {@link createProgress}. */
export interface ProgressOptions {
  /** Where to write (process.stdout or stderr, or any Writable). */
  readonly stream: NodeJS.WriteStream | Writable;
  /** Redraw one line in place (default: the stream's own `isTTY`). */
  readonly isTTY?: boolean;
  /** How many ticks the run will have, when known (a bar and a percentage). */
  readonly total?: number;
  /** The run's time budget, when it has one (a bar of time when the total is unknown). */
  readonly budgetMs?: number;
  /** What a tick counts, plural (default `cases`). */
  readonly label?: string;
  /** At most one redraw (TTY) or progress line (plain) per this many ms (default 100 on a TTY, 10,000 plain). */
  readonly intervalMs?: number;
  /** The clock in ms (default performance.now). */
  readonly now?: () => number;
  /** The terminal's width (default the stream's `columns`, else 80); the line is cut to fit. */
  readonly columns?: number;
}

/** What a progress display has counted. */
export interface ProgressCounts {
  readonly done: number;
  readonly mismatch: number;
  readonly peerError: number;
  readonly knownFailure: number;
  readonly elapsedMs: number;
}

/** A progress display (see {@link createProgress}). */
export interface Progress {
  /** Counts one result and redraws (or prints a plain line) when the interval has passed. Never throws but the stream's errors. */
  tick(result: CaseResult): void;
  /** Prints a line above the bar (on a TTY) or as it is (plain), control characters made visible. Never throws but the stream's errors. */
  note(line: string): void;
  /** Sets (or, with undefined, forgets) the total once it is known; shown from the next draw. Throws a RangeError when negative or not a number. */
  setTotal(total: number | undefined): void;
  /**
   * Draws the last state and ends the line (TTY) or prints a last plain line; later calls do
   * nothing. When `complete` (default true) the total was an upper bound the run ended below, so
   * the total becomes the count done and the bar ends at 100%; pass false for a run stopped early.
   * Never throws but the stream's errors.
   */
  done(complete?: boolean): void;
  /** The counts so far. Never throws. */
  counts(): ProgressCounts;
  /** The status text as it would be drawn now (without `\r` and clearing). Never throws. */
  line(): string;
}

const CLEAR = '\r\u001b[2K';
const BAR = 20;

/** Elapsed time as `m:ss`, or `h:mm:ss` from an hour on. Never throws. */
export function formatElapsed(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** A rate per second: one decimal under 10, else whole. Never throws. */
function rateText(perSecond: number): string {
  return perSecond < 10 ? perSecond.toFixed(1) : Math.round(perSecond).toString();
}

/** `[#####---------------]` for a fraction in 0..1. */
function bar(fraction: number): string {
  const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  const filled = Math.round(f * BAR);
  return `[${'#'.repeat(filled)}${'-'.repeat(BAR - filled)}]`;
}

/** Cuts a line to `width` characters (code points), ending with `…` when cut. */
function fit(line: string, width: number): string {
  const chars = [...line];
  if (chars.length <= width) return line;
  return chars.slice(0, Math.max(0, width - 1)).join('') + '…';
}

/**
 * Creates a progress display writing to `options.stream`. Defaults: TTY mode when the stream is
 * a TTY, label `cases`, at most one redraw per 100 ms on a TTY and one progress line per 10 s
 * otherwise, the clock performance.now, width the stream's columns or 80. Nothing is written
 * until the first tick, note or done. Throws a RangeError when total, budgetMs or intervalMs is
 * negative or not a number.
 */
export function createProgress(options: ProgressOptions): Progress {
  const stream = options.stream;
  const tty = options.isTTY ?? (stream as { isTTY?: boolean }).isTTY === true;
  const now = options.now ?? (() => performance.now());
  const interval = options.intervalMs ?? (tty ? 100 : 10_000);
  const label = options.label ?? 'cases';
  const width = () =>
    Math.max(20, options.columns ?? (stream as { columns?: number }).columns ?? 80) - 1;
  const check = (name: string, v: number | undefined) => {
    if (v !== undefined && !(v >= 0)) throw new RangeError(`${name} must be >= 0, not ${v}`);
  };
  check('total', options.total);
  check('budgetMs', options.budgetMs);
  check('intervalMs', options.intervalMs);
  let total = options.total;
  const budget = options.budgetMs;
  const start = now();
  let done = 0;
  let mismatch = 0;
  let peerError = 0;
  let knownFailure = 0;
  let lastDraw = -Infinity;
  let lastPlain = start;
  let drawn = false;
  let finished = false;

  const write = (s: string) => {
    stream.write(s);
  };
  const elapsed = () => Math.max(0, now() - start);
  const failures = () => {
    const parts = [`${mismatch} mismatch`, `${peerError} peer-error`];
    if (knownFailure > 0) parts.push(`${knownFailure} known-failure`);
    return parts;
  };
  const rate = (ms: number) => (ms > 0 ? (done * 1000) / ms : 0);

  const ttyLine = (): string => {
    const ms = elapsed();
    const parts: string[] = [];
    if (total !== undefined) {
      const fraction = total > 0 ? done / total : 1;
      let head = `${bar(fraction)} ${Math.floor(Math.min(1, fraction) * 100)}% ${done}/${total} ${label}`;
      const perSecond = rate(ms);
      if (perSecond > 0 && done < total)
        head += ` (ETA ${formatElapsed(((total - done) / perSecond) * 1000)})`;
      parts.push(head);
    } else if (budget !== undefined) {
      parts.push(
        `${bar(budget > 0 ? ms / budget : 1)} ${formatElapsed(ms)} / ${formatElapsed(budget)}`,
        `${done} ${label}`,
      );
    } else parts.push(`${done} ${label}`);
    parts.push(`${rateText(rate(ms))}/s`, ...failures());
    if (budget === undefined || total !== undefined) parts.push(formatElapsed(ms));
    return visible(parts.join(' · '));
  };

  const plainLine = (final: boolean): string => {
    const ms = elapsed();
    const count =
      total !== undefined
        ? `${done}/${total} ${label} (${total > 0 ? Math.floor(Math.min(1, done / total) * 100) : 100}%, ${rateText(rate(ms))}/s)`
        : `${done} ${label} (${rateText(rate(ms))}/s)`;
    let text = `progress: ${count}, ${failures().join(', ')}`;
    if (final) text += `; done in ${formatElapsed(ms)}`;
    else if (budget !== undefined) text += `; ${formatElapsed(ms)} of ${formatElapsed(budget)}`;
    return visible(text);
  };

  const draw = () => {
    write(CLEAR + fit(ttyLine(), width()));
    drawn = true;
    lastDraw = now();
  };

  return {
    tick(result: CaseResult): void {
      done += 1;
      if (result.verdict === 'mismatch') mismatch += 1;
      else if (result.verdict === 'peer-error') peerError += 1;
      else if (result.verdict === 'known-failure') knownFailure += 1;
      if (finished) return;
      const t = now();
      if (tty) {
        if (t - lastDraw >= interval) draw();
      } else if (t - lastPlain >= interval) {
        lastPlain = t;
        write(plainLine(false) + '\n');
      }
    },
    note(line: string): void {
      const text = visible(line).replace(/\n+$/, '');
      if (tty && drawn && !finished) {
        write(`${CLEAR}${text}\n`);
        draw();
      } else write(`${text}\n`);
    },
    setTotal(next: number | undefined): void {
      check('total', next);
      total = next;
    },
    done(complete = true): void {
      if (finished) return;
      finished = true;
      if (complete && total !== undefined && done < total) total = done;
      if (tty) write(CLEAR + fit(ttyLine(), width()) + '\n');
      else write(plainLine(true) + '\n');
    },
    counts(): ProgressCounts {
      return { done, mismatch, peerError, knownFailure, elapsedMs: elapsed() };
    },
    line(): string {
      return tty ? ttyLine() : plainLine(false);
    },
  };
}
