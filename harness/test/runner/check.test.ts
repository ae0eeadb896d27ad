// checkIdlRoundtrip: our codec's print(parse(idl)) ≡ idl on every file of a schema — identical
// for printer output, a mismatch naming file and line for text the printer would write otherwise,
// a peer error with the parser's message for text that does not parse; the invalid variants the
// rejects-invalid property sends. (The value properties run against real peers in run.test.ts and
// the planted-bug test.)
import t from 'tap';
import { compile, print, parse } from '../../../codec/src/index.js';
import type { StructClass } from '../../../codec/src/index.js';
import { checkIdlRoundtrip, invalidApplies, invalidVariant } from '../../runner/check.js';

const printed = print(parse('struct A {\n  1: required i32 a\n}\n'));

void t.test('printer output comes back identical, in every file', async (t) => {
  const o = checkIdlRoundtrip({ 'generated.thrift': printed, 'shared.thrift': printed });
  t.match(o, { verdict: 'identical', summary: 'identical', fingerprint: 'identical' });
});

void t.test(
  'text the printer writes otherwise: a mismatch with file, line and both lines',
  async (t) => {
    const o = checkIdlRoundtrip({
      'generated.thrift': printed,
      'shared.thrift': 'struct B {\n  1:   required i32 b\n}\n',
    });
    t.equal(o.verdict, 'mismatch');
    t.equal(
      o.summary,
      'print(parse(shared.thrift)) differs at line 2: wanted "  1:   required i32 b", got "  1: required i32 b,"',
    );
    t.equal(
      o.fingerprint,
      'idl-roundtrip:required',
      'the fingerprint names the kind of line, not its names',
    );
  },
);

void t.test('text that does not parse: a peer error with the parser message', async (t) => {
  const o = checkIdlRoundtrip({ 'generated.thrift': 'struct {\n' });
  t.equal(o.verdict, 'peer-error');
  t.match(
    o.summary,
    /^our parser rejects generated\.thrift, which our printer wrote: .*generated\.thrift/,
  );
  t.match(o.fingerprint, /^peer-error:idl-roundtrip:/);
});

void t.test('invalid variants: an empty union, a struct without its required field', async (t) => {
  const m = compile(`
union U { 1: i32 x, 2: string y }
struct S { 1: optional i32 o, 2: required string r, 3: required i32 d = 4 }
struct D { 1: required i32 d = 4, 2: optional i32 o }
`);
  const spec = (n: string) => (m[n] as StructClass).__spec__;
  const U = m['U'] as StructClass;
  const S = m['S'] as StructClass;
  t.ok(invalidApplies(spec('U')) && invalidApplies(spec('S')), 'unions and required fields');
  t.notOk(invalidApplies(spec('D')), 'not a required field with a default (a reader may fill it)');
  const u = invalidVariant(spec('U'), m.dumps(new U({ x: 1 })));
  t.match(u, { what: 'union U with no field set', kind: 'union-empty' });
  t.same([...u!.bytes], [0], 'the STOP byte alone');
  const bytes = m.dumps(new S({ o: 7, r: 'x', d: 4 }));
  const s = invalidVariant(spec('S'), bytes);
  t.match(s, { what: 'S without its required field r (id 2)', kind: 'required-missing' });
  // i32 o (7 bytes), string r (3 + 4 + 1 bytes, cut out), i32 d (7 bytes), STOP
  t.equal(Buffer.from(s!.bytes).toString('hex'), '08000100000007' + '08000300000004' + '00');
  t.throws(
    () => m.loads(S, s!.bytes),
    /required field 'r' \(id 2\) is missing/,
    'our codec refuses it',
  );
  t.equal(invalidVariant(spec('D'), m.dumps(new (m['D'] as StructClass)({ d: 1 }))), undefined);
});
