/**
 * An independent, schema-aware walker over binary- or compact-protocol bytes (walker.ts,
 * walker-compact.ts): every byte gets a span saying
 * which field path it belongs to and what it is (envelope part, field header, length, value,
 * stop). It does not use the codec's decoder — it must explain bytes the decoder rejects and must
 * not share its bugs — and it never throws: when the bytes end early or go wrong it ends with one
 * `malformed: …` span over the rest.
 *
 *   annotate(spec, bytes).spans
 *   // { start: 0, end: 3, path: 'Foo.count', meaning: 'field header: i32 (8), id 1 (count)', … }
 *   // { start: 3, end: 7, path: 'Foo.count', meaning: 'value 42', … }
 *   // { start: 7, end: 8, path: 'Foo', meaning: 'stop', … }
 *
 * The wire types drive the walk; the spec only names fields and enum values and notes where the
 * wire disagrees with the IDL (`expected i32 (8)`), so unknown fields and mistyped fields are
 * walked too. Besides the flat spans it returns a tree (structs, containers, leaves with their
 * byte ranges) that canonical.ts canonicalises to tell allowed encodings from real differences.
 * With `protocol: 'compact'` each varint's bytes are one span (`field header (delta 1, i32), id 3
 * (count)`, `value 300 (zigzag varint)`, `list header (size 3, i32)`).
 */
import type { StructSpec } from '../../codec/src/index.js';
import { MessageType } from '../../codec/src/index.js';
import type { Annotation, EnvelopeInfo, Malformed, Span, StructNode } from './annotation.js';
import { hex, rootLoc } from './text.js';
import { applicationExceptionSpec, Stop, Walker } from './walker.js';
import { CompactWalker } from './walker-compact.js';

export { wireType } from './walker.js';
export type * from './annotation.js';

/** Options for `annotate`. */
export interface AnnotateOptions {
  /** The bytes start with a message envelope (strict or non-strict). Default false. */
  readonly envelope?: boolean;
  /** The name of the value at the root of every path. Default: the spec's name. */
  readonly root?: string;
  /** Deepest nesting of structs and containers before the bytes count as malformed. Default 64. */
  readonly maxDepth?: number;
  /** The protocol the bytes are in: `binary` (default) or `compact`. */
  readonly protocol?: 'binary' | 'compact';
}

/**
 * Annotates binary- or compact-protocol bytes of a struct of `spec` (or a message whose body is
 * one, with `envelope: true`; an EXCEPTION message's body is read as TApplicationException).
 * Options default to binary, no envelope, root = the spec's name, maxDepth 64. Never throws: bytes that end early,
 * go wrong or go on after the value end in one `malformed: …` span over the rest (empty when the
 * input simply ended).
 */
export function annotate(
  spec: StructSpec,
  bytes: Uint8Array,
  options: AnnotateOptions = {},
): Annotation {
  const compact = options.protocol === 'compact';
  const w = new (compact ? CompactWalker : Walker)(bytes, options.maxDepth ?? 64);
  const rootName = options.root ?? spec.name;
  let envelope: EnvelopeInfo | undefined;
  let root: StructNode | undefined;
  let malformed: Malformed | undefined;
  let loc = rootLoc(rootName);
  let stop: Stop | undefined;
  try {
    if (options.envelope === true) envelope = w.envelope();
    const body =
      envelope?.messageType === MessageType.EXCEPTION ? applicationExceptionSpec() : spec;
    if (body !== spec) loc = rootLoc(body.name);
    root = w.struct(body, loc);
  } catch (e) {
    stop =
      e instanceof Stop
        ? e
        : new Stop(w.pos, loc, `internal error: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (stop === undefined && w.pos < bytes.length) {
    // The value itself is whole (root stays); only the bytes after it are wrong.
    stop = new Stop(w.pos, loc, `${bytes.length - w.pos} bytes after the end of ${loc.path}`);
  }
  if (stop !== undefined) {
    // A failed item emits no span, so nothing at or after `stop.at` is covered yet.
    const at = Math.min(stop.at, bytes.length);
    const kept = w.spans.filter((s) => s.end <= at);
    w.spans.length = 0;
    w.spans.push(...kept, {
      start: at,
      end: bytes.length,
      path: stop.loc.path,
      pattern: stop.loc.pattern,
      meaning: `malformed: ${stop.reason}`,
      role: 'malformed',
    });
    malformed = { at, path: stop.loc.path, pattern: stop.loc.pattern, reason: stop.reason };
  }
  const annotation = { spans: w.spans, root, envelope, malformed };
  return compact ? { ...annotation, protocol: 'compact' } : annotation;
}

/**
 * Returns the span that covers byte `offset` (binary search), or undefined past the end. Never
 * throws.
 */
export function spanAt(annotation: Annotation, offset: number): Span | undefined {
  const s = annotation.spans;
  let lo = 0;
  let hi = s.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const x = s[mid]!;
    if (offset < x.start) hi = mid - 1;
    else if (offset >= x.end) lo = mid + 1;
    else return x;
  }
  return undefined;
}

/**
 * Renders spans one per line: `offset  hex  path: meaning` (for golden tests and reports). Never
 * throws.
 */
export function renderAnnotation(annotation: Annotation, bytes: Uint8Array): string {
  return annotation.spans
    .map((s) => {
      const h = hex(bytes.subarray(s.start, s.end), 16).padEnd(33);
      return `${String(s.start).padStart(5)}  ${h} ${s.path}: ${s.meaning}`;
    })
    .join('\n');
}
