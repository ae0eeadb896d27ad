// The value generator: unknownEnumValues gives enum positions values the enum does not define
// (and only then); fields with defaults are sometimes left to their default; generated values
// of generated IDLs round-trip in our codec; values of cyclic types (unions recursing through
// each other, a deliberately deep cycle) are finite and bounded in depth, and a type with no
// finite value is refused by name. Prints its seed.
import t from 'tap';
import fc from 'fast-check';
import { compile, print } from '../../../codec/src/index.js';
import type { StructClass, StructSpec } from '../../../codec/src/index.js';
import { programArb } from '../../arbitraries/idl.js';
import { structArb, structRank, valueArb } from '../../arbitraries/values.js';

const seed = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
t.comment(`fast-check seed ${seed} (replay with FC_SEED=${seed})`);

const mod = compile(
  `enum E { A = 1, B = 5 }
struct S { 1: required E e, 2: optional i32 d = 7, 3: required string r = "x" }
`,
  { file: 'v.thrift' },
);
const S = mod.S as StructClass;
const spec = S.__spec__ as StructSpec;
const enumSpec = spec.fields[0]!.type;

void t.test('unknownEnumValues', async (t) => {
  const known = fc.sample(valueArb(enumSpec), { seed, numRuns: 200 });
  t.ok(
    known.every((v) => v === 1 || v === 5),
    'off by default: only the items',
  );
  const mixed = fc.sample(valueArb(enumSpec, { unknownEnumValues: true }), { seed, numRuns: 300 });
  const unknown = mixed.filter((v) => v !== 1 && v !== 5) as number[];
  t.ok(unknown.length > 20, `on: ${unknown.length}/300 unknown values`);
  t.ok(
    unknown.every((v) => Number.isInteger(v) && v >= -(2 ** 31) && v < 2 ** 31),
    'all i32',
  );
  t.ok(
    unknown.some((v) => v === 6 || v === 0 || v === 2 ** 31 - 1),
    'edge values among them',
  );
  t.ok(
    mixed.some((v) => v === 1 || v === 5),
    'and still known ones',
  );
  // They encode and decode in our codec (an unknown enum value is still an i32 on the wire).
  const structs = fc.sample(structArb(spec, { unknownEnumValues: true }), { seed, numRuns: 100 });
  t.ok(
    structs.every((v) => (mod.loads(S, mod.dumps(v)) as { equals(o: unknown): boolean }).equals(v)),
    'they round-trip in our codec',
  );
});

void t.test('fields with defaults are sometimes left to the default', async (t) => {
  const values = fc.sample(structArb(spec), { seed, numRuns: 300 }) as Record<string, unknown>[];
  t.ok(values.some((v) => v.d === 7) && values.some((v) => v.d !== 7), 'optional d: both');
  t.ok(values.some((v) => v.r === 'x') && values.some((v) => v.r !== 'x'), 'required r: both');
});

void t.test('values of generated IDLs round-trip in our codec', async (t) => {
  let n = 0;
  fc.assert(
    fc.property(
      programArb().chain((p) => {
        const m = compile(print(p), { file: 'generated.thrift' });
        const names = p.definitions.filter((d) => d.kind === 'Struct').map((d) => d.name);
        const C = m[names[0]!] as StructClass;
        return structArb(C.__spec__ as StructSpec, { unknownEnumValues: true }).map((v) => ({
          m,
          C,
          v,
        }));
      }),
      ({ m, C, v }) => {
        n++;
        return (m.loads(C, m.dumps(v)) as { equals(o: unknown): boolean }).equals(v);
      },
    ),
    { seed, numRuns: 100 },
  );
  t.equal(n, 100);
});

/** Struct-like levels of a value (containers between them do not count). */
function depthOf(v: unknown): number {
  if (v instanceof Map)
    return Math.max(0, ...[...v].map(([k, x]) => Math.max(depthOf(k), depthOf(x))));
  if (v instanceof Set || Array.isArray(v)) return Math.max(0, ...[...v].map(depthOf));
  if (v !== null && typeof v === 'object' && !(v instanceof Uint8Array))
    return 1 + Math.max(0, ...Object.values(v).map(depthOf));
  return 0;
}

/** The struct-like classes a module declares. */
function structClasses(m: ReturnType<typeof compile>): StructClass[] {
  return Object.values(m.__types__).filter(
    (x): x is StructClass => typeof x === 'function' && '__spec__' in x,
  );
}

void t.test('values of generated cyclic types are finite and bounded in depth', async (t) => {
  // Generated IDLs with unions that recurse (through themselves, each other, or structs' optional
  // fields and containers): every struct-like has a finite value (its rank), and every value is
  // finite and bounded: the generator stops after maxDepth + the largest rank struct levels, and
  // a default the constructor fills in (a constant of the IDL) adds at most 2 + the largest rank.
  const maxDepth = 3;
  let recursive = 0;
  let deepest = 0;
  for (const dialect of ['thriftrw', 'apache'] as const) {
    fc.assert(
      fc.property(
        programArb({ dialect, maxStructs: 6 }).chain((p) => {
          const m = compile(print(p), { file: 'generated.thrift', dialect });
          return fc
            .constantFrom(...structClasses(m))
            .chain((C) =>
              structArb(C.__spec__, { maxDepth, setDefaultFields: dialect === 'apache' }).map(
                (v) => ({ m, C, v }),
              ),
            );
        }),
        ({ m, C, v }) => {
          const classes = structClasses(m);
          const ranks = classes.map((x) => structRank(x.__spec__, dialect === 'apache'));
          if (ranks.includes(Infinity)) return false;
          const unions = classes.filter((x) => x.__spec__.variant === 'union');
          if (
            unions.some((u) =>
              u.__spec__.fields.some((f) => f.type.kind === 'struct' && f.type.variant === 'union'),
            )
          )
            recursive++;
          const d = depthOf(v);
          deepest = Math.max(deepest, d);
          return (
            d <= maxDepth + 2 * Math.max(0, ...ranks) + 2 &&
            (m.loads(C, m.dumps(v)) as { equals(o: unknown): boolean }).equals(v)
          );
        },
      ),
      { seed, numRuns: 300 },
    );
  }
  t.ok(recursive > 30, `${recursive}/600 values are of IDLs with a union naming a union`);
  t.comment(`deepest value: ${deepest} levels (maxDepth ${maxDepth})`);
});

void t.test(
  'a deliberately deep cycle of unions ends, past maxDepth, on its anchors',
  async (t) => {
    // U0 … U11: each may recurse to itself, to U0 or to the next; only U11 has a member that ends
    // (a string), so the smallest value of U0 is 12 unions deep.
    const n = 12;
    const idl = Array.from({ length: n }, (_, i) =>
      i < n - 1
        ? `union U${i} { 1: U${i} self, 2: U0 first, 3: U${i + 1} next }`
        : `union U${i} { 1: U0 back, 2: U${i} self, 3: string s }`,
    ).join('\n');
    const m = compile(idl, { file: 'deep.thrift' });
    const U0 = m.U0 as StructClass;
    t.equal(structRank(U0.__spec__), n, 'the smallest value of U0 is 12 unions deep');
    const maxDepth = 2;
    const values = fc.sample(structArb(U0.__spec__, { maxDepth }), { seed, numRuns: 200 });
    const depths = values.map(depthOf);
    t.ok(
      depths.every((d) => d >= n && d <= maxDepth + n),
      `200 values, ${Math.min(...depths)} to ${Math.max(...depths)} unions deep (bound ${maxDepth + n})`,
    );
    t.ok(
      values.every((v) => (m.loads(U0, m.dumps(v)) as { equals(o: unknown): boolean }).equals(v)),
      'and they round-trip in our codec',
    );
  },
);

void t.test(
  'a type with no finite value is refused by name, not by a stack overflow',
  async (t) => {
    const m = compile(
      `union A { 1: B b, 2: A a }
union B { 1: A a }
struct S { 1: required S next }`,
      { file: 'inf.thrift' },
    );
    for (const name of ['A', 'B', 'S']) {
      const C = m[name] as StructClass;
      t.equal(structRank(C.__spec__), Infinity, `${name} has no finite value`);
      t.throws(() => structArb(C.__spec__), {
        message: new RegExp(`^${name} has no finite value`),
      });
    }
  },
);

void t.test(
  'setDefaultFields: fields of default requiredness are set at every depth, past maxDepth too',
  async (t) => {
    // Found by run seed 1 schema 116 (apache-go): a struct of a map inside a list left its
    // default-requiredness struct field oh5 unset past maxDepth, where Go writes an empty struct
    // (whose required field is then missing).
    const m = compile(
      `struct G { 1: required i32 x }
struct Y { 1: optional list<map<byte, Y>> kids, 2: G g, 3: i32 n }
struct A { 1: A next, 2: i32 n }`,
      { file: 'defaults.thrift', dialect: 'apache' },
    );
    const Y = m.Y as StructClass;
    const A = m.A as StructClass;
    t.equal(structRank(Y.__spec__), 1, 'Y without defaults: 1 level');
    t.equal(structRank(Y.__spec__, true), 2, 'Y with its default field g: 2 levels');
    t.equal(structRank(A.__spec__, true), Infinity, 'A leads back to itself through next');
    // Every Y in a value, at any depth, with its g and n.
    const ys = (v: unknown, out: Record<string, unknown>[] = []): Record<string, unknown>[] => {
      const y = v as Record<string, unknown>;
      out.push(y);
      for (const map of (y.kids as Map<number, unknown>[] | undefined) ?? [])
        for (const k of map.values()) ys(k, out);
      return out;
    };
    const values = fc.sample(structArb(Y.__spec__, { maxDepth: 3, setDefaultFields: true }), {
      seed,
      numRuns: 200,
    });
    const all = values.flatMap((v) => ys(v));
    t.ok(all.length > values.length, `${all.length} Ys in 200 values (nested ones among them)`);
    t.ok(
      all.every((y) => y.g !== undefined && y.n !== undefined),
      'every one has g and n set',
    );
    // Without the option, g is sometimes unset (the thriftrw-dialect behaviour stays).
    const plain = fc.sample(structArb(Y.__spec__, { maxDepth: 3 }), { seed, numRuns: 200 });
    t.ok(
      plain.some((y) => (y as Record<string, unknown>).g === undefined),
      'without setDefaultFields g is sometimes unset',
    );
    // A default field that leads back to its struct is still left unset past maxDepth: finite.
    const depthOf = (v: unknown): number =>
      v === undefined ? 0 : 1 + depthOf((v as Record<string, unknown>).next);
    const as = fc.sample(structArb(A.__spec__, { maxDepth: 3, setDefaultFields: true }), {
      seed,
      numRuns: 100,
    });
    t.ok(
      as.every((a) => depthOf(a) <= 4 && (a as Record<string, unknown>).n !== undefined),
      `A values end (deepest ${Math.max(...as.map(depthOf))} levels, bound 4)`,
    );
  },
);
