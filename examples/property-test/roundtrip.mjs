// A property test of your own with thrift-conform's arbitraries (run: node roundtrip.mjs in a
// project that installed thrift-conform and fast-check). For every generated value of your type
// (edge values first: i64 bounds, NaN and -0.0, empty and long strings, unset optionals), the
// binary encoding decodes back to an equal value. Replace the IDL with yours.
import fc from 'fast-check';
import { compile } from 'thrift-conform';
import { structArb } from 'thrift-conform/arbitraries';

const mod = compile(`
struct User {
  1: required string name
  2: optional i64 id
  3: optional list<double> scores
  4: optional map<string, bool> flags
}
`);

fc.assert(
  fc.property(structArb(mod.User.__spec__), (user) => {
    const back = mod.loads(mod.User, mod.dumps(user));
    return mod.equals(back, user);
  }),
  { numRuns: 200 },
);
process.stdout.write('200 values of User round-tripped\n');
