// The planted-fault codec: with no fault it writes exactly `mod.dumps`'s bytes (a property over
// generated schemas and values, both dialects, plus a fixed IDL with uuid and defaults); with
// each fault, golden vectors show the bytes differ exactly where expected, and record what our
// real decoder makes of them. Prints its seed; replay with FC_SEED=<seed>.
import t from 'tap';
import fc from 'fast-check';
import {
  compile,
  EndOfInputError,
  InvalidDataError,
  print,
  ValidationError,
} from '../../../codec/src/index.js';
import type { StructClass, ThriftModule } from '../../../codec/src/index.js';
import { programArb } from '../../arbitraries/idl.js';
import { structArb } from '../../arbitraries/values.js';
import { encodeFaulty, FAULT_DESCRIPTIONS, FAULTS, makeFaultyCodec } from './faulty-codec.js';
import type { Fault } from './faulty-codec.js';

const seed = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
const numRuns = Number(process.env.FC_RUNS ?? 100);
t.comment(`fast-check seed ${seed} (replay with FC_SEED=${seed})`);

/** Bytes as lowercase hex without spaces. */
function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}
/** A golden vector written with spaces between its parts, as hex without spaces. */
function gold(spaced: string): string {
  return spaced.replace(/\s+/g, '');
}
/** The struct classes of a module by name. */
function typesOf(mod: ThriftModule): Record<string, StructClass> {
  return mod.__types__ as Record<string, StructClass>;
}
/** Runs `f` and returns what it threw; throws (failing the subtest) when it did not throw. */
function thrown(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a throw, got none');
}

void t.test('FAULTS, descriptions and names', async (t) => {
  t.same(FAULTS, [
    'i32-byte-order',
    'field-written-twice',
    'length-off-by-one',
    'set-as-list',
    'dropped-default',
  ]);
  t.notOk((FAULTS as readonly string[]).includes('none'), "FAULTS leaves out 'none'");
  for (const f of FAULTS) {
    t.ok(FAULT_DESCRIPTIONS[f].length > 20, `${f} has a description`);
    t.equal(makeFaultyCodec(f).name, `faulty:${f}`);
  }
  t.equal(makeFaultyCodec('none').name, 'faulty:none');
  t.throws(() => makeFaultyCodec('bogus' as Fault), TypeError, 'an unknown fault is a TypeError');
});

void t.test('encode validates like dumps: an invalid value throws ValidationError', async (t) => {
  const mod = compile('struct P { 1: required i32 n }');
  const { P } = typesOf(mod);
  const v = new P!({ n: 1 });
  (v as Record<string, unknown>)['n'] = 'one';
  for (const f of ['none', ...FAULTS] as const) {
    const e = thrown(() => makeFaultyCodec(f).encode(mod, P!, v));
    t.ok(e instanceof ValidationError, `${f}: ValidationError`);
    t.match(e.message, /^P\.n: /, `${f}: names the field`);
  }
});

/**
 * One generated case: the IDL text (for a readable counterexample), its module, and one of its
 * struct-like classes with a value (neither when the IDL has no struct-like type).
 */
type Case =
  | { idl: string; mod: ThriftModule; C: StructClass; v: object }
  | { idl: string; mod: ThriftModule; C: undefined; v: undefined };

void t.test("'none' writes exactly mod.dumps's bytes: generated schemas and values", async (t) => {
  for (const dialect of ['thriftrw', 'apache'] as const) {
    let values = 0;
    fc.assert(
      fc.property(
        programArb({ dialect }).chain((p): fc.Arbitrary<Case> => {
          const idl = print(p);
          const mod = compile(idl, { file: 'generated.thrift', dialect });
          const classes = Object.values(typesOf(mod)).filter(
            (x): x is StructClass => typeof x === 'function' && '__spec__' in x,
          );
          if (classes.length === 0) return fc.constant({ idl, mod, C: undefined, v: undefined });
          return fc
            .constantFrom(...classes)
            .chain((C) => structArb(C.__spec__).map((v) => ({ idl, mod, C, v })));
        }),
        ({ mod, C, v }) => {
          if (C === undefined || v === undefined) return;
          values++;
          const codec = makeFaultyCodec('none');
          const mine = codec.encode(mod, C, v);
          if (hex(mine) !== hex(mod.dumps(v))) return false;
          return mod.equals(codec.decode(mod, C, mine), v);
        },
      ),
      { seed, numRuns },
    );
    t.ok(values > numRuns / 2, `${dialect}: ${values} values encoded identically`);
  }
});

void t.test("'none' writes exactly mod.dumps's bytes: every kind, uuid and defaults", async (t) => {
  const mod = compile(`
enum Color { RED = 1, BLUE = -3 }
struct Leaf { 1: required i32 x = 7, 2: optional string s = "hi" }
union Choice { 1: string text, 2: i64 num, 3: Leaf leaf }
struct All {
  1: optional bool b = true
  2: optional byte y = -1
  3: optional i16 s = 300
  4: optional i32 i = 70000
  5: optional i64 l = 5
  6: optional double d = 1.5
  7: optional string str = "é"
  8: optional binary bin
  9: optional Color color = Color.BLUE
  10: optional uuid id
  11: optional list<Leaf> leaves = [{"x": 1}]
  12: optional set<string> tags = ["a", "b"]
  13: optional map<string, list<i64>> lists = {"k": [1, 2]}
  14: optional map<Leaf, set<double>> byLeaf
  15: optional Choice choice
  16: required list<map<i16, binary>> maps
  17: optional set<set<i32>> nestedSets
  18: optional Leaf leaf = {"x": 2, "s": "t"}
}
`);
  const { All } = typesOf(mod);
  let n = 0;
  fc.assert(
    fc.property(structArb(All!.__spec__), (v) => {
      n++;
      return hex(encodeFaulty(All!.__spec__, v)) === hex(mod.dumps(v));
    }),
    { seed, numRuns: numRuns * 2 },
  );
  t.equal(n, numRuns * 2, `${n} values encoded identically`);
  const defaults = new All!({ maps: [] });
  t.equal(hex(encodeFaulty(All!.__spec__, defaults)), hex(mod.dumps(defaults)), 'all defaults');
});

void t.test('i32-byte-order', async (t) => {
  const codec = makeFaultyCodec('i32-byte-order');
  const mod = compile(`
enum Color { RED = 1, BLUE = 2 }
struct Count { 1: required i32 count }
struct Mixed {
  1: required i16 a
  2: required i32 b
  3: required i64 c
  4: required Color e
  5: required string s
  6: required list<i32> xs
}
`);
  const { Count, Mixed } = typesOf(mod);

  const v = new Count!({ count: 0x01020304 });
  t.equal(hex(mod.dumps(v)), gold('08 0001  01020304  00'), 'dumps: i32 big-endian');
  t.equal(hex(codec.encode(mod, Count!, v)), gold('08 0001  04030201  00'), 'faulty: reversed');
  // Observed: our decoder reads a different number, no error.
  const back = codec.decode(mod, Count!, codec.encode(mod, Count!, v)) as Record<string, unknown>;
  t.equal(back['count'], 0x04030201, 'decodes as 0x04030201 (67305985)');

  // Only i32 values move: i16, i64, enums (i32 on the wire), string lengths and list counts
  // stay big-endian; i32 list elements are swapped.
  const m = new Mixed!({ a: 1, b: 2, c: 3n, e: 2, s: 'z', xs: [5] });
  t.equal(
    hex(mod.dumps(m)),
    gold(`06 0001 0001   08 0002 00000002   0a 0003 0000000000000003   08 0004 00000002
          0b 0005 00000001 7a   0f 0006 08 00000001 00000005   00`),
  );
  t.equal(
    hex(codec.encode(mod, Mixed!, m)),
    gold(`06 0001 0001   08 0002 02000000   0a 0003 0000000000000003   08 0004 00000002
          0b 0005 00000001 7a   0f 0006 08 00000001 05000000   00`),
    'field b and the element of xs are swapped; nothing else',
  );
  const mb = codec.decode(mod, Mixed!, codec.encode(mod, Mixed!, m)) as Record<string, unknown>;
  t.equal(mb['b'], 0x02000000);
  t.same(mb['xs'], [0x05000000]);
  t.equal(mb['e'], 2, 'the enum is intact');

  // A byte-palindromic i32 hides the fault: 0 and -1 encode the same either way.
  for (const count of [0, -1]) {
    const z = new Count!({ count });
    t.equal(hex(codec.encode(mod, Count!, z)), hex(mod.dumps(z)), `${count} hides it`);
  }
});

void t.test('field-written-twice', async (t) => {
  const codec = makeFaultyCodec('field-written-twice');
  const mod = compile(`
struct Pair { 1: required i32 left, 2: required string right }
struct Inner { 1: required string name, 2: optional i16 k }
struct Outer { 1: optional i32 skipped, 2: required Inner inner }
union Either { 1: i32 a, 2: string b }
`);
  const { Pair, Inner, Outer, Either } = typesOf(mod);

  const p = new Pair!({ left: 5, right: 'a' });
  t.equal(hex(mod.dumps(p)), gold('08 0001 00000005   0b 0002 00000001 61   00'));
  t.equal(
    hex(codec.encode(mod, Pair!, p)),
    gold('08 0001 00000005   08 0001 00000005   0b 0002 00000001 61   00'),
    'field 1, header and value, twice',
  );
  // Observed: our decoder takes the repeated field without complaint (the last one wins) and
  // gives back an equal value: only a byte comparison shows this fault.
  t.ok(mod.equals(codec.decode(mod, Pair!, codec.encode(mod, Pair!, p)), p), 'decodes equal');

  // "First written": an unset field 1 is not written, so field 2 is the one repeated; nested
  // structs repeat their own first field too.
  const o = new Outer!({ inner: new Inner!({ name: 'n', k: 1 }) });
  t.equal(hex(mod.dumps(o)), gold('0c 0002   0b 0001 00000001 6e   06 0002 0001   00   00'));
  t.equal(
    hex(codec.encode(mod, Outer!, o)),
    gold(`0c 0002   0b 0001 00000001 6e   0b 0001 00000001 6e   06 0002 0001   00
          0c 0002   0b 0001 00000001 6e   0b 0001 00000001 6e   06 0002 0001   00
          00`),
  );
  t.ok(mod.equals(codec.decode(mod, Outer!, codec.encode(mod, Outer!, o)), o), 'decodes equal');

  // A union's one field written twice: our decoder still accepts it (same field id, one field).
  const u = new Either!({ b: 'x' });
  t.equal(
    hex(codec.encode(mod, Either!, u)),
    gold('0b 0002 00000001 78   0b 0002 00000001 78   00'),
  );
  t.ok(mod.equals(codec.decode(mod, Either!, codec.encode(mod, Either!, u)), u), 'decodes equal');
});

void t.test('length-off-by-one', async (t) => {
  const codec = makeFaultyCodec('length-off-by-one');
  const mod = compile(`
struct Book { 1: required string title }
struct Blob { 1: optional binary data }
struct Page { 1: required string text, 2: required i32 number }
struct Shelf { 1: required list<string> titles }
struct Tag { 1: required uuid id }
`);
  const { Book, Blob, Page, Shelf, Tag } = typesOf(mod);

  const b = new Book!({ title: 'hey' });
  t.equal(hex(mod.dumps(b)), gold('0b 0001 00000003 686579   00'));
  t.equal(hex(codec.encode(mod, Book!, b)), gold('0b 0001 00000004 686579   00'), 'length 4');
  // Observed: the string read succeeds by swallowing the STOP byte ("hey\0"); then the struct
  // wants another field header and the input has ended. The error's path is the struct, not
  // the field: our decoder cannot tell which field was too long.
  let e = thrown(() => codec.decode(mod, Book!, codec.encode(mod, Book!, b)));
  t.ok(e instanceof EndOfInputError, 'EndOfInputError');
  t.equal(e.message, 'cannot decode Book: needed 1 byte but only 0 remain at byte 11');
  t.equal((e as EndOfInputError).path, 'Book', 'path: the struct only');
  t.notMatch(e.message, /title/, 'the message does not name the field');

  const d = new Blob!({ data: new Uint8Array([1, 2]) });
  t.equal(hex(mod.dumps(d)), gold('0b 0001 00000002 0102   00'));
  t.equal(hex(codec.encode(mod, Blob!, d)), gold('0b 0001 00000003 0102   00'), 'binary too');
  e = thrown(() => codec.decode(mod, Blob!, codec.encode(mod, Blob!, d)));
  t.equal(e.message, 'cannot decode Blob: needed 1 byte but only 0 remain at byte 10');

  // With a field after the string, the swallowed byte is that field's type code; the id's
  // first byte (00) then reads as STOP, and the error names the *next* field as missing.
  const p = new Page!({ text: 'ab', number: 1 });
  t.equal(hex(codec.encode(mod, Page!, p)), gold('0b 0001 00000003 6162   08 0002 00000001   00'));
  e = thrown(() => codec.decode(mod, Page!, codec.encode(mod, Page!, p)));
  t.ok(e instanceof InvalidDataError, 'InvalidDataError');
  t.equal(
    e.message,
    "cannot decode Page.number: required field 'number' (id 2) is missing at byte 11",
  );

  // Inside a list, the next element's length is read from shifted bytes: a huge length, and
  // this time the path names the field and element.
  const s = new Shelf!({ titles: ['a', 'b'] });
  t.equal(
    hex(codec.encode(mod, Shelf!, s)),
    gold('0f 0001 0b 00000002   00000002 61   00000002 62   00'),
  );
  e = thrown(() => codec.decode(mod, Shelf!, codec.encode(mod, Shelf!, s)));
  t.ok(e instanceof EndOfInputError, 'EndOfInputError');
  t.equal(
    e.message,
    'cannot decode Shelf.titles[1]: string length 610 but only 1 bytes remain at byte 14',
  );

  // A uuid has no length prefix: unaffected.
  const g = new Tag!({ id: '00112233-4455-6677-8899-aabbccddeeff' });
  t.equal(hex(codec.encode(mod, Tag!, g)), hex(mod.dumps(g)), 'uuid unaffected');
});

void t.test('set-as-list', async (t) => {
  const codec = makeFaultyCodec('set-as-list');
  const mod = compile(`
struct Tags { 1: optional set<i32> ids }
struct NeedTags { 1: required set<i32> ids }
struct Nested { 1: optional list<set<i32>> groups }
`);
  const { Tags, NeedTags, Nested } = typesOf(mod);

  const v = new Tags!({ ids: new Set([1]) });
  t.equal(hex(mod.dumps(v)), gold('0e 0001 08 00000001 00000001   00'));
  t.equal(
    hex(codec.encode(mod, Tags!, v)),
    gold('0f 0001 08 00000001 00000001   00'),
    'the field header says list (15)',
  );
  // Observed: a known field id with the wrong wire type is skipped (Apache's policy), so an
  // optional set silently decodes as unset; no error.
  const back = codec.decode(mod, Tags!, codec.encode(mod, Tags!, v)) as Record<string, unknown>;
  t.equal(back['ids'], undefined, 'optional: the field is dropped silently');
  t.notOk(mod.equals(back, v));

  // A required set: skipped, then missing.
  const r = new NeedTags!({ ids: new Set([1]) });
  let e = thrown(() => codec.decode(mod, NeedTags!, codec.encode(mod, NeedTags!, r)));
  t.ok(e instanceof InvalidDataError, 'InvalidDataError');
  t.equal(
    e.message,
    "cannot decode NeedTags.ids: required field 'ids' (id 1) is missing at byte 13",
  );

  // As a container's element type: rejected, naming the field.
  const n = new Nested!({ groups: [new Set([1])] });
  t.equal(hex(mod.dumps(n)), gold('0f 0001 0e 00000001   08 00000001 00000001   00'));
  t.equal(
    hex(codec.encode(mod, Nested!, n)),
    gold('0f 0001 0f 00000001   08 00000001 00000001   00'),
    'the element type says list (15)',
  );
  e = thrown(() => codec.decode(mod, Nested!, codec.encode(mod, Nested!, n)));
  t.ok(e instanceof InvalidDataError, 'InvalidDataError');
  t.equal(
    e.message,
    'cannot decode Nested.groups: element type is list (15) but the IDL says set (14) at byte 3',
  );
});

void t.test('dropped-default', async (t) => {
  const codec = makeFaultyCodec('dropped-default');
  const mod = compile(`
struct Config { 1: optional i32 retries = 3, 2: optional string name }
struct Strict { 1: required i32 level = 7 }
struct Lists { 1: optional list<string> names = ["a"] }
`);
  const { Config, Strict, Lists } = typesOf(mod);

  const v = new Config!({ retries: 3, name: 'x' });
  t.equal(hex(mod.dumps(v)), gold('08 0001 00000003   0b 0002 00000001 78   00'));
  t.equal(hex(codec.encode(mod, Config!, v)), gold('0b 0002 00000001 78   00'), 'no field 1');
  // Observed: our decoder fills in the declared default, so the value comes back equal: only a
  // byte comparison shows this fault.
  t.ok(mod.equals(codec.decode(mod, Config!, codec.encode(mod, Config!, v)), v), 'decodes equal');

  const other = new Config!({ retries: 4 });
  t.equal(hex(codec.encode(mod, Config!, other)), hex(mod.dumps(other)), 'not the default: kept');

  // A required field at its default is dropped too; our decoder still accepts the bytes
  // (the default fills the required field).
  const s = new Strict!({ level: 7 });
  t.equal(hex(mod.dumps(s)), gold('08 0001 00000007   00'));
  t.equal(hex(codec.encode(mod, Strict!, s)), gold('00'));
  t.ok(mod.equals(codec.decode(mod, Strict!, codec.encode(mod, Strict!, s)), s), 'decodes equal');

  // Containers compare by value.
  const l = new Lists!({ names: ['a'] });
  t.equal(hex(codec.encode(mod, Lists!, l)), gold('00'), 'an equal list is dropped');
});
