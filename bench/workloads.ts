/**
 * The benchmark's three workloads over idl/bench.thrift, as values in OUR representation (the
 * adapters convert them to each library's own once, before timing).
 */
import { join } from 'node:path';
import { REPO_ROOT } from '../baselines/generate.js';

/** The IDL the benchmark uses. */
export const BENCH_IDL = join(REPO_ROOT, 'idl', 'bench.thrift');

/** One workload: a value of one struct type. */
export interface Workload {
  readonly name: 'small' | 'medium' | 'large';
  readonly typeName: 'Small' | 'Medium' | 'Large';
  readonly value: Record<string, unknown>;
}

/** A deterministic byte pattern of length `n`. */
export function pattern(n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + 7) & 0xff;
  return b;
}

/** The Small value: an i32, a 16-character string, a bool, a double and an i64. */
export function smallValue(): Record<string, unknown> {
  return { a: 123456, b: 'abcdefghijklmnop', c: true, d: 3.141592653589793, e: 1234567890123n };
}

/** Builds the three workloads: small; medium (20 names, 20 counts, a Small, 1 KiB blob); large (1 MiB binary). */
export function workloads(): Workload[] {
  const names = Array.from({ length: 20 }, (_, i) => `name-${String(i).padStart(2, '0')}`);
  const counts = new Map(names.map((n, i) => [`count-${n}`, i * 1000 + 7]));
  return [
    { name: 'small', typeName: 'Small', value: smallValue() },
    {
      name: 'medium',
      typeName: 'Medium',
      value: { names, counts, small: smallValue(), blob: pattern(1024) },
    },
    { name: 'large', typeName: 'Large', value: { data: pattern(1 << 20) } },
  ];
}
