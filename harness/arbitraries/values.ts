/**
 * fast-check arbitraries of values for a compiled Thrift type: edge values first (i64 min/max,
 * 2^53±1, NaN, -0.0, ±Infinity, empty and astral-plane strings, empty containers), sizes bounded
 * so a case stays small, and every value shrinks. Values are in the codec's representation
 * (struct-likes are instances of the generated classes); optional fields and fields with a default
 * are sometimes left unset (the default applies); option `unknownEnumValues` adds enum values the
 * enum does not define. Exported for users' own properties.
 */
import fc from 'fast-check';
import { classFor, equals } from '../../codec/src/index.js';
import type { StructSpec, TypeSpec } from '../../codec/src/index.js';

/** Bounds on generated values. */
export interface ValueArbOptions {
  /** Most elements in one container. Default 4. */
  readonly maxLength?: number;
  /** Deepest struct nesting before optional struct fields are left unset. Default 4. */
  readonly maxDepth?: number;
  /**
   * Sometimes (about one time in five) give an enum-typed position an i32 that is none of the
   * enum's values (edge values first: ±2^31 bounds, one past the largest and smallest item).
   * Default false.
   */
  readonly unknownEnumValues?: boolean;
  /**
   * Always set fields written without requiredness (Apache's default requiredness, apache dialect):
   * whether a writer writes such a field when it is unset differs between Apache's generators (Go
   * and Java write their zero value, Python leaves it out), which the spec leaves to each language.
   * Default false.
   */
  readonly setDefaultFields?: boolean;
}

const I64_EDGES = [
  -(2n ** 63n),
  2n ** 63n - 1n,
  0n,
  -1n,
  2n ** 53n - 1n,
  2n ** 53n,
  2n ** 53n + 1n,
  -(2n ** 53n) - 1n,
  2n ** 31n,
  -(2n ** 31n) - 1n,
];
const DOUBLE_EDGES = [
  0,
  -0,
  NaN,
  Infinity,
  -Infinity,
  Number.MIN_VALUE,
  Number.MAX_VALUE,
  -1.5,
  2 ** 53 + 2,
];
const STRING_EDGES = ['', 'a', '😀', 'é€😀', '\u0000', 'a'.repeat(100)];

function withEdges<T>(edges: readonly T[], arb: fc.Arbitrary<T>): fc.Arbitrary<T> {
  if (edges.length === 0) return arb;
  return fc.oneof(
    { arbitrary: fc.constantFrom(...edges), weight: 1 },
    { arbitrary: arb, weight: 3 },
  );
}

/**
 * The arbitraries of the base types, made once: a string arbitrary builds a reverse mapping of
 * its characters when it first generates, which cost more than the values when it was made anew
 * for every field of every schema.
 */
const LEAVES = new Map<string, fc.Arbitrary<unknown>>();

function leafArb(kind: string): fc.Arbitrary<unknown> {
  let arb = LEAVES.get(kind);
  if (arb === undefined) {
    arb = makeLeafArb(kind);
    LEAVES.set(kind, arb);
  }
  return arb;
}

function makeLeafArb(kind: string): fc.Arbitrary<unknown> {
  switch (kind) {
    case 'bool':
      return fc.boolean();
    case 'byte':
      return intArb(8);
    case 'i16':
      return intArb(16);
    case 'i32':
      return intArb(32);
    case 'i64':
      return withEdges(I64_EDGES, fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }));
    case 'double':
      return withEdges(DOUBLE_EDGES, fc.double());
    case 'string':
      return withEdges(STRING_EDGES, fc.string({ unit: 'binary', maxLength: 12 }));
    case 'binary':
      return fc.uint8Array({ maxLength: 16 });
    default:
      return fc.uuid();
  }
}

function intArb(bits: number): fc.Arbitrary<number> {
  const min = -(2 ** (bits - 1));
  const max = 2 ** (bits - 1) - 1;
  return withEdges([min, max, 0, -1, 1], fc.integer({ min, max }));
}

/** SameValueZero or semantic equality: what a JS Set/Map would collapse, or what equals sees as one. */
function sameKey(a: unknown, b: unknown): boolean {
  return equals(a, b) || (typeof a === 'number' && a === b);
}

/** Returns an arbitrary of values of `spec` (see the module comment for what it generates). */
export function valueArb(
  spec: TypeSpec,
  options: ValueArbOptions = {},
  depth = 0,
): fc.Arbitrary<unknown> {
  const maxLength = options.maxLength ?? 4;
  const maxDepth = options.maxDepth ?? 4;
  switch (spec.kind) {
    case 'bool':
    case 'byte':
    case 'i16':
    case 'i32':
    case 'i64':
    case 'double':
    case 'string':
    case 'binary':
    case 'uuid':
      return leafArb(spec.kind);
    case 'enum': {
      const known = spec.items.map((i) => i.value);
      if (known.length === 0) return intArb(32);
      const items = fc.constantFrom(...known);
      if (options.unknownEnumValues !== true) return items;
      const isUnknown = (v: number) => !known.includes(v);
      const edges = [
        Math.max(...known) + 1,
        Math.min(...known) - 1,
        2 ** 31 - 1,
        -(2 ** 31),
        0,
      ].filter((v) => v >= -(2 ** 31) && v < 2 ** 31 && isUnknown(v));
      const unknown = withEdges(edges, intArb(32)).filter(isUnknown);
      return fc.oneof({ arbitrary: items, weight: 4 }, { arbitrary: unknown, weight: 1 });
    }
    case 'list':
      return fc.array(valueArb(spec.valueType, options, depth + 1), {
        maxLength: depth >= maxDepth ? 0 : maxLength,
      });
    case 'set':
      return fc
        .uniqueArray(valueArb(spec.valueType, options, depth + 1), {
          maxLength: depth >= maxDepth ? 0 : maxLength,
          comparator: sameKey,
        })
        .map((a) => new Set(a));
    case 'map':
      return fc
        .uniqueArray(
          fc.tuple(
            valueArb(spec.keyType, options, depth + 1),
            valueArb(spec.valueType, options, depth + 1),
          ),
          {
            maxLength: depth >= maxDepth ? 0 : maxLength,
            comparator: (a, b) => sameKey(a[0], b[0]),
          },
        )
        .map((entries) => new Map(entries));
    case 'struct':
      return structArb(spec, options, depth);
  }
}

const ranks = new WeakMap<StructSpec, number>();
const ranksWithDefaults = new WeakMap<StructSpec, number>();

/**
 * How many struct levels a smallest value of `spec` needs (Infinity when no finite value exists):
 * containers can be empty and optional fields unset, so only required struct fields and the best
 * union member count; with `setDefaultFields` (default false) fields of default requiredness count
 * too, as they are always set then. Computed as a fixpoint, so cyclic types are fine. Never throws.
 */
export function structRank(spec: StructSpec, setDefaultFields = false): number {
  const cache = setDefaultFields ? ranksWithDefaults : ranks;
  const cached = cache.get(spec);
  if (cached !== undefined) return cached;
  const all = new Set<StructSpec>();
  const visit = (s: StructSpec) => {
    if (all.has(s)) return;
    all.add(s);
    for (const f of s.fields) if (f.type.kind === 'struct') visit(f.type);
  };
  visit(spec);
  const rank = new Map<StructSpec, number>([...all].map((s) => [s, Infinity]));
  const typeRank = (t: TypeSpec) => (t.kind === 'struct' ? rank.get(t)! : 0);
  for (let changed = true; changed;) {
    changed = false;
    for (const s of all) {
      const r =
        s.variant === 'union'
          ? 1 + Math.min(Infinity, ...s.fields.map((f) => typeRank(f.type)))
          : 1 +
            Math.max(
              0,
              ...s.fields
                .filter(
                  (f) =>
                    f.requiredness === 'required' ||
                    (setDefaultFields && f.requiredness === 'default'),
                )
                .map((f) => typeRank(f.type)),
            );
      if (r < rank.get(s)!) {
        rank.set(s, r);
        changed = true;
      }
    }
  }
  for (const [s, r] of rank) cache.set(s, r);
  return rank.get(spec)!;
}

/**
 * Returns an arbitrary of instances of a struct-like spec. Values of cyclic types end: past
 * `maxDepth` optional struct fields are left unset, containers are empty and each union takes a
 * member that leads to its smallest values, so a value is at most `maxDepth` plus the type's
 * {@link structRank} levels deep. With `setDefaultFields`, fields of default requiredness are set
 * at every depth (their rank counts then) unless they lead back to their struct. Throws Error
 * naming the type when it has no finite value (a union whose every member recurses, a required
 * field that leads back to its struct).
 */
export function structArb(
  spec: StructSpec,
  options: ValueArbOptions = {},
  depth = 0,
): fc.Arbitrary<object> {
  if (structRank(spec) === Infinity)
    throw new Error(
      `${spec.name} has no finite value: every member of a union on its way recurses, or a required field leads back to it; give the union a member that does not, or make the field optional`,
    );
  const C = classFor(spec);
  const maxDepth = options.maxDepth ?? 4;
  const deep = depth >= maxDepth;
  const setDefaults = options.setDefaultFields === true;
  // Fields are looked up lazily so cyclic types do not recurse while building the arbitrary.
  return fc.constant(null).chain(() => {
    if (spec.variant === 'union') {
      // Past the depth bound, only the members that lead to the smallest values.
      const rankOf = (t: TypeSpec) => (t.kind === 'struct' ? structRank(t, setDefaults) : 0);
      const best = Math.min(...spec.fields.map((f) => rankOf(f.type)));
      const pool = deep ? spec.fields.filter((f) => rankOf(f.type) === best) : spec.fields;
      return fc.oneof(
        ...pool.map((f) => valueArb(f.type, options, depth + 1).map((v) => new C({ [f.name]: v }))),
      );
    }
    const record: Record<string, fc.Arbitrary<unknown>> = {};
    for (const f of spec.fields) {
      const v = valueArb(f.type, options, depth + 1);
      // A required field with a default may be left out too: the constructor applies it.
      if (f.requiredness === 'required' && f.defaultValue === undefined) record[f.name] = v;
      // A field of default requiredness is set past the depth bound too (a writer that writes its
      // zero value when unset writes an empty struct there), unless it leads back to its struct.
      else if (
        setDefaults &&
        f.requiredness === 'default' &&
        (f.type.kind !== 'struct' || structRank(f.type, true) < Infinity)
      )
        record[f.name] = v;
      else if (deep && f.type.kind === 'struct') record[f.name] = fc.constant(undefined);
      else record[f.name] = fc.option(v, { nil: undefined, freq: 3 });
    }
    return fc.record(record).map((init) => new C(init));
  });
}
