/**
 * Memory benchmark: how many bytes of heap one byte of input costs when decoded, for the shapes
 * that amplify most (issue 9): lists of empty exceptions, of structs whose default is a
 * 1,000-item list, of empty 4-field structs, of empty maps and of empty binaries, next to a plain
 * list<i32>. Each shape runs in its own child process (`--expose-gc`), so one shape's garbage
 * never counts against another: heap + ArrayBuffers are measured after a full GC before decoding
 * and again after decoding with the decoded value still alive.
 *
 *   npm run bench:memory -- [--bytes <input bytes per shape, default 1048576>] [--json out.json]
 *                           [--worst] [--filter <regex on the shape name>]
 *
 * The ratio is measured with `maxValues` raised (so the limit does not cut the measurement
 * short); the `default limits` column says what the default limits do with the same input.
 * `--worst` also decodes a 16,384,000-byte message (the default size limit) of every shape with
 * the default limits, reporting the memory it took, or the error that refused it.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { compile } from '../codec/src/index.js';
import type { StructClass, ThriftModule } from '../codec/src/index.js';

/** The IDL every shape is decoded with. */
const IDL = `
exception Empty { 1: optional string why }
struct WithDefault { 1: optional list<i32> xs = [${Array.from({ length: 1000 }, (_, i) => i).join(', ')}] }
struct Four { 1: optional i32 a, 2: optional string b, 3: optional i64 c, 4: optional double d }
struct Exceptions { 1: required list<Empty> items }
struct Defaults { 1: required list<WithDefault> items }
struct Structs { 1: required list<Four> items }
struct Maps { 1: required list<map<i32, i32>> items }
struct Binaries { 1: required list<binary> items }
struct Ints { 1: required list<i32> items }
`;

/** A shape: the top-level struct and one element's wire bytes (inside a list of STRUCT etc). */
interface Shape {
  readonly name: string;
  readonly type: string;
  /** The list's element type code. */
  readonly elemType: number;
  /** One element's bytes. */
  readonly elem: readonly number[];
}

const SHAPES: readonly Shape[] = [
  { name: 'empty exceptions', type: 'Exceptions', elemType: 12, elem: [0] },
  { name: 'structs with a 1,000-item default', type: 'Defaults', elemType: 12, elem: [0] },
  { name: 'empty 4-field structs', type: 'Structs', elemType: 12, elem: [0] },
  { name: 'empty map<i32,i32>', type: 'Maps', elemType: 13, elem: [8, 8, 0, 0, 0, 0] },
  { name: 'empty binaries', type: 'Binaries', elemType: 11, elem: [0, 0, 0, 0] },
  { name: 'list<i32> (reference)', type: 'Ints', elemType: 8, elem: [0, 0, 0, 7] },
];

/** The bytes of `Top { 1: list<elem> items }` with as many elements as fit in `bytes`. */
function input(shape: Shape, bytes: number): Uint8Array {
  const head = 3 + 5;
  const n = Math.max(0, Math.floor((bytes - head - 1) / shape.elem.length));
  const out = new Uint8Array(head + n * shape.elem.length + 1);
  out.set([15, 0, 1, shape.elemType, n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
  let p = head;
  for (let i = 0; i < n; i++) {
    out.set(shape.elem, p);
    p += shape.elem.length;
  }
  out[p] = 0;
  return out;
}

/** What one child process reports. */
interface ChildResult {
  readonly shape: string;
  readonly inputBytes: number;
  /** Retained heap + ArrayBuffers per input byte, or undefined when the decode threw. */
  readonly bytesPerByte?: number;
  readonly ms: number;
  readonly error?: string;
}

function heap(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** Runs in the child: decodes one shape and prints a ChildResult as JSON. */
function child(shapeName: string, bytes: number, defaults: boolean): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run the child with --expose-gc');
  const shape = SHAPES.find((s) => s.name === shapeName);
  if (shape === undefined) throw new Error(`no shape ${shapeName}`);
  const m: ThriftModule = compile(IDL);
  const T = m[shape.type] as StructClass;
  m.loads(T, input(shape, 64)); // compile the decoder outside the measurement
  const bytesIn = input(shape, bytes);
  // Without the values limit (an older codec ignores the unknown key) unless defaults are asked.
  const limits = defaults ? {} : { maxValues: Number.MAX_SAFE_INTEGER };
  gc();
  gc();
  const before = heap();
  const t0 = performance.now();
  let value: unknown;
  let error: string | undefined;
  try {
    value = m.loads(T, bytesIn, { limits });
  } catch (e) {
    error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  }
  const ms = performance.now() - t0;
  gc();
  gc();
  const after = heap();
  const result: ChildResult = {
    shape: shape.name,
    inputBytes: bytesIn.length,
    ms,
    ...(error === undefined ? { bytesPerByte: (after - before) / bytesIn.length } : { error }),
  };
  if (value === bytesIn) console.log('unreachable'); // keeps `value` alive past the measurement
  process.stdout.write(JSON.stringify(result) + '\n');
}

function runChild(shape: Shape, bytes: number, defaults: boolean): ChildResult {
  const self = fileURLToPath(import.meta.url);
  try {
    const out = execFileSync(
      process.execPath,
      [
        '--expose-gc',
        '--import',
        'tsx',
        self,
        '--child',
        shape.name,
        '--bytes',
        String(bytes),
        ...(defaults ? ['--defaults'] : []),
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10 * 60_000 },
    );
    const line = out.trim().split('\n').pop() ?? '';
    return JSON.parse(line) as ChildResult;
  } catch (e) {
    const err = e as { status?: number | null; signal?: string | null; stderr?: string };
    const last = (err.stderr ?? '').trim().split('\n').slice(-1)[0] ?? '';
    return {
      shape: shape.name,
      inputBytes: bytes,
      ms: NaN,
      error: `process died (${err.signal ?? `exit ${err.status}`}): ${last.slice(0, 120)}`,
    };
  }
}

function main(): void {
  const { values } = parseArgs({
    options: {
      child: { type: 'string' },
      bytes: { type: 'string', default: String(1 << 20) },
      defaults: { type: 'boolean', default: false },
      json: { type: 'string' },
      worst: { type: 'boolean', default: false },
      filter: { type: 'string', default: '' },
    },
  });
  const bytes = Number(values.bytes);
  if (!Number.isInteger(bytes) || bytes < 64) throw new Error('--bytes must be an integer >= 64');
  if (values.child !== undefined) return child(values.child, bytes, values.defaults);
  const filter = new RegExp(values.filter);
  const rows: string[][] = [];
  const results: { measured: ChildResult; defaults: ChildResult; worst?: ChildResult }[] = [];
  for (const shape of SHAPES.filter((s) => filter.test(s.name))) {
    const measured = runChild(shape, bytes, false);
    const defaults = runChild(shape, bytes, true);
    const worst = values.worst ? runChild(shape, 16_384_000, true) : undefined;
    results.push({ measured, defaults, ...(worst === undefined ? {} : { worst }) });
    const fmt = (r: ChildResult) =>
      r.error !== undefined
        ? `refused in ${r.ms.toFixed(0)} ms: ${r.error.slice(0, 60)}`
        : `${r.bytesPerByte!.toFixed(1)} B/B in ${r.ms.toFixed(0)} ms`;
    rows.push([
      shape.name,
      String(measured.inputBytes),
      measured.bytesPerByte === undefined ? '—' : measured.bytesPerByte.toFixed(1),
      measured.ms.toFixed(0),
      measured.error === undefined ? fmt(defaults) : measured.error.slice(0, 80),
      ...(worst === undefined ? [] : [fmt(worst)]),
    ]);
    console.log(`  ${rows[rows.length - 1]!.join(' | ')}`);
  }
  const head = [
    'shape',
    'input bytes',
    'heap bytes per input byte',
    'ms',
    'default limits',
    ...(values.worst ? ['16,384,000 bytes, default limits'] : []),
  ];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  console.log();
  console.log(line(head));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const r of rows) console.log(line(r));
  if (values.json !== undefined) writeFileSync(values.json, JSON.stringify(results, null, 2));
}

main();
