// The IDL generator itself: the same seed gives the same IDL; every generated IDL compiles in our
// codec; and every generated IDL loads in each peer (the peers claim every feature the generator
// uses: no uuid, no service inheritance). Prints its seed.
import t from 'tap';
import fc from 'fast-check';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile, print } from '../../../codec/src/index.js';
import { programArb } from '../../arbitraries/idl.js';
import { APACHE_RESERVED_NAMES } from '../../arbitraries/reserved.js';
import { defaultProcessPeers, ProcessPeer } from '../../peers/process.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const seed = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
t.comment(`fast-check seed ${seed} (replay with FC_SEED=${seed})`);

void t.test('the same seed gives the same IDL', async (t) => {
  const a = fc.sample(programArb(), { seed, numRuns: 20 }).map(print);
  const b = fc.sample(programArb(), { seed, numRuns: 20 }).map(print);
  t.same(a, b);
  t.ok(new Set(a).size > 10, 'and different IDLs for different runs');
});

void t.test('every generated IDL compiles in our codec, both dialects', async (t) => {
  for (const dialect of ['thriftrw', 'apache'] as const) {
    let n = 0;
    fc.assert(
      fc.property(programArb({ dialect }), (p) => {
        compile(print(p), { file: 'generated.thrift', dialect });
        n++;
      }),
      { seed, numRuns: 200 },
    );
    t.equal(n, 200, `${dialect}: 200 IDLs compiled`);
  }
});

for (const spec of defaultProcessPeers(root)) {
  void t.test(`every generated IDL loads in ${spec.name}`, async (t) => {
    const peer = await ProcessPeer.start(spec);
    t.teardown(() => peer.stop());
    const { dialect, features } = peer.info.abilities;
    // Apache's compiler refuses its reserved words whatever the language; thriftrw takes them.
    const avoidNames = dialect === 'apache' ? APACHE_RESERVED_NAMES : new Set<string>();
    const programs = fc.sample(programArb({ dialect, features, avoidNames }), {
      seed,
      numRuns: 25,
    });
    const failures: string[] = [];
    for (const p of programs) {
      const idl = print(p);
      try {
        await peer.loadIdl({ 'generated.thrift': idl }, 'generated.thrift');
      } catch (e) {
        failures.push(`${e instanceof Error ? e.message.split('\n')[0] : String(e)}\n${idl}`);
      }
    }
    t.same(failures, [], `${programs.length - failures.length}/${programs.length} loaded`);
  });
}
