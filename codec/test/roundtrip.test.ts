// Property, for each protocol: for generated schemas and generated values, decode(encode(v)) ≡ v,
// and the bytes re-encode identically. Prints its seed; replay with FC_SEED=<seed>.
import t from 'tap';
import fc from 'fast-check';
import { compile, print, PROTOCOLS } from '../src/index.js';
import type { StructClass, ThriftModule } from '../src/index.js';
import { programArb } from '../../harness/arbitraries/idl.js';
import { structArb } from '../../harness/arbitraries/values.js';

const seed = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
const numRuns = Number(process.env.FC_RUNS ?? 150);
t.comment(`fast-check seed ${seed} (replay with FC_SEED=${seed})`);

function structClasses(mod: ThriftModule): StructClass[] {
  return Object.values(mod.__types__).filter(
    (x): x is StructClass => typeof x === 'function' && '__spec__' in x,
  );
}

for (const protocol of PROTOCOLS) {
  void t.test(`${protocol}: decode(encode(v)) ≡ v for generated schemas and values`, async (t) => {
    const caseArb = programArb().chain((program) => {
      const idl = print(program);
      const mod = compile(idl, { file: 'generated.thrift' });
      const classes = structClasses(mod);
      return fc
        .constantFrom(...classes)
        .chain((C) => structArb(C.__spec__).map((value) => ({ idl, mod, C, value })));
    });
    let cases = 0;
    const options = { protocol };
    fc.assert(
      fc.property(caseArb, ({ mod, C, value }) => {
        cases++;
        const bytes = mod.dumps(value, options);
        const back = mod.loads(C, bytes, options);
        if (!mod.equals(back, value))
          throw new Error(`decoded value differs: ${String(back)} vs ${String(value)}`);
        const again = mod.dumps(back, options);
        if (Buffer.compare(Buffer.from(again), Buffer.from(bytes)) !== 0)
          throw new Error('re-encoding changed the bytes');
      }),
      { seed, numRuns },
    );
    t.equal(cases >= numRuns, true, `${cases} cases ran`);
  });
}
