/**
 * A small timing loop for the codec benchmark: warm up, size a batch, then time several batches
 * with `process.hrtime.bigint()` and report the median rate. Results are fed into a sink so the
 * JIT cannot drop the work.
 */

/** How one case was measured. */
export interface Measurement {
  /** Median of the batches' operations per second. */
  readonly opsPerSec: number;
  /** Each batch's operations per second, in the order run. */
  readonly batchOpsPerSec: readonly number[];
  /** Operations per batch. */
  readonly opsPerBatch: number;
  /** Total timed operations (warm-up excluded). */
  readonly totalOps: number;
  /** Relative spread of the batches: (max - min) / median. */
  readonly spread: number;
}

/** Options for `measure`. */
export interface MeasureOptions {
  /** Time spent in timed batches, in milliseconds (warm-up not included). Default 1500. */
  readonly timeMs?: number;
  /** Number of timed batches. Default 7. */
  readonly batches?: number;
  /** Warm-up time in milliseconds (a calibration run of >= 20 ms follows). Default max(100, timeMs / 5). */
  readonly warmupMs?: number;
}

let sinkValue = 0;

/** Consumes a result so the work producing it stays observable. */
export function sink(v: unknown): void {
  if (v instanceof Uint8Array) sinkValue += v.length;
  else if (typeof v === 'object' && v !== null) sinkValue += 1;
  else sinkValue ^= Number(Boolean(v));
}

/** The sink's accumulated value (printed nowhere; read so it is not dead). */
export function sinkState(): number {
  return sinkValue;
}

function now(): bigint {
  return process.hrtime.bigint();
}

/** The median of a non-empty list. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

function calibrate(op: () => unknown, warmupMs: number): number {
  // Warm-up, doubling the chunk until the time is spent.
  let chunk = 1;
  const start = now();
  const warmupNs = BigInt(Math.round(warmupMs * 1e6));
  while (now() - start < warmupNs) {
    for (let i = 0; i < chunk; i++) sink(op());
    if (chunk < 1 << 20) chunk *= 2;
  }
  // Calibrate on the warm code: double n until n operations take at least 20 ms.
  for (let n = 1; ; n *= 2) {
    const t0 = now();
    for (let i = 0; i < n; i++) sink(op());
    const ns = Number(now() - t0);
    if (ns >= 20e6 || n >= 1 << 30) return n / (ns / 1e9);
  }
}

/**
 * Times several operations side by side: warms up and calibrates each, then runs `batches`
 * rounds in which every operation runs one batch of about `timeMs / batches` (the order rotates
 * from round to round), so background load hits all of them alike. Returns each one's median
 * ops/s by key. Throws whatever an operation throws.
 */
export function measureInterleaved(
  ops: ReadonlyMap<string, () => unknown>,
  options: MeasureOptions = {},
): Map<string, Measurement> {
  const timeMs = options.timeMs ?? 1500;
  const batches = Math.max(1, options.batches ?? 7);
  const warmupMs = options.warmupMs ?? Math.max(100, timeMs / 5);
  const perBatchSec = timeMs / 1000 / batches;
  const keys = [...ops.keys()];
  const sizes = new Map<string, number>();
  for (const [k, op] of ops) {
    sizes.set(k, Math.max(1, Math.round(calibrate(op, warmupMs) * perBatchSec)));
  }
  const rates = new Map<string, number[]>(keys.map((k) => [k, []]));
  for (let b = 0; b < batches; b++) {
    for (let j = 0; j < keys.length; j++) {
      const k = keys[(b + j) % keys.length] as string;
      const op = ops.get(k) as () => unknown;
      const n = sizes.get(k) ?? 1;
      const t0 = now();
      for (let i = 0; i < n; i++) sink(op());
      const ns = Number(now() - t0);
      rates.get(k)?.push(n / (Math.max(ns, 1) / 1e9));
    }
  }
  const out = new Map<string, Measurement>();
  for (const k of keys) {
    const r = rates.get(k) ?? [];
    const med = median(r);
    const n = sizes.get(k) ?? 1;
    out.set(k, {
      opsPerSec: med,
      batchOpsPerSec: r,
      opsPerBatch: n,
      totalOps: n * batches,
      spread: (Math.max(...r) - Math.min(...r)) / med,
    });
  }
  return out;
}

/** Times one operation (see `measureInterleaved`). Throws whatever `op` throws. */
export function measure(op: () => unknown, options: MeasureOptions = {}): Measurement {
  const m = measureInterleaved(new Map([['op', op]]), options).get('op');
  if (!m) throw new Error('unreachable: no measurement');
  return m;
}

/** Formats a rate with thousands separators and no decimals (one decimal under 100). */
export function formatRate(x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return '—';
  return x < 100 ? x.toFixed(1) : Math.round(x).toLocaleString('en-US');
}

/** Renders rows as an aligned text table; the first row is the header. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  const line = (r: readonly string[]): string =>
    r
      .map((c, i) =>
        i < 2 || i === r.length - 1 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0),
      )
      .join('  ')
      .trimEnd();
  const [head, ...body] = rows;
  if (!head) return '';
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}
