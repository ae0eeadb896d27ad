// Shared helpers of the diff tests: specs of generated classes, hex in and out, span coverage.
import type { StructClass, StructSpec, ThriftModule } from '../../../codec/src/index.js';
import type { Annotation } from '../../diff/annotate.js';

/** The generated class `name` of `mod`. */
export function cls(mod: ThriftModule, name: string): StructClass {
  return mod[name] as StructClass;
}

/** The spec of the generated class `name` of `mod`. */
export function specOf(mod: ThriftModule, name: string): StructSpec {
  return cls(mod, name).__spec__;
}

/** Bytes from hex text (spaces ignored). */
export function bytes(hexText: string): Uint8Array {
  const h = hexText.replace(/\s+/g, '');
  return Uint8Array.from(h.match(/../g) ?? [], (x) => parseInt(x, 16));
}

/** Every span as `start-end path: meaning`, for exact comparisons. */
export function lines(a: Annotation): string[] {
  return a.spans.map((s) => `${s.start}-${s.end} ${s.path}: ${s.meaning}`);
}

/** Why the spans do not cover `[0, length)` exactly once in order (undefined when they do). */
export function coverageProblem(a: Annotation, length: number): string | undefined {
  let at = 0;
  for (const s of a.spans) {
    if (s.start !== at) return `span ${s.start}-${s.end} starts at ${s.start}, expected ${at}`;
    if (s.end < s.start) return `span ${s.start}-${s.end} ends before it starts`;
    if (s.end === s.start && s.role !== 'malformed') return `empty span at ${s.start}`;
    at = s.end;
  }
  return at === length ? undefined : `spans end at ${at}, bytes at ${length}`;
}
