// The value generator: unknownEnumValues gives enum positions values the enum does not define
// (and only then); fields with defaults are sometimes left to their default; generated values
// of generated IDLs round-trip in our codec. Prints its seed.
import t from 'tap';
import fc from 'fast-check';
import { compile, print } from '../../../codec/src/index.js';
import type { StructClass, StructSpec } from '../../../codec/src/index.js';
import { programArb } from '../../arbitraries/idl.js';
import { structArb, valueArb } from '../../arbitraries/values.js';

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
