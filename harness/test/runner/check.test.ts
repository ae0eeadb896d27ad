// checkIdlRoundtrip: our codec's print(parse(idl)) ≡ idl on every file of a schema — identical
// for printer output, a mismatch naming file and line for text the printer would write otherwise,
// a peer error with the parser's message for text that does not parse. (The value properties run
// against real peers in run.test.ts and the planted-bug test.)
import t from 'tap';
import { print, parse } from '../../../codec/src/index.js';
import { checkIdlRoundtrip } from '../../runner/check.js';

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
