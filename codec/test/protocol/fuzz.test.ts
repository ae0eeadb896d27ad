// Property: any byte string given to `loads` / `loads.message` either decodes or throws a
// ProtocolError subclass; nothing else escapes and nothing hangs. Random bytes and mutations of
// valid encodings (flipped bytes, truncations, insertions, huge lengths). Prints its seed.
import t from 'tap';
import fc from 'fast-check';
import { compile, PROTOCOLS, ProtocolError } from '../../src/index.js';
import type { Protocol, ServiceObject, StructClass } from '../../src/index.js';
import { STRUCT_VECTORS, MESSAGE_VECTORS, bytesOf } from '../golden/vectors.js';
import {
  COMPACT_IDL,
  COMPACT_MESSAGE_VECTORS,
  COMPACT_VECTORS,
  DECODE_ONLY,
} from '../golden/compact-vectors.js';

const seed = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
const numRuns = Number(process.env.FC_RUNS ?? 3000);
t.comment(`fast-check seed ${seed} (replay with FC_SEED=${seed})`);

const mod = compile(
  COMPACT_IDL +
    `
struct Tree { 1: optional list<Tree> kids, 2: optional map<string, Tree> byName, 3: optional set<binary> tags, 4: optional Value v }
`,
  { file: 'fuzz.thrift', dialect: 'apache' },
);
const types = [
  'Bases',
  'Containers',
  'Value',
  'WithDefaults',
  'Ids',
  'Tree',
  'NotFoundError',
  'Flags',
  'Signed',
].map((n) => mod[n] as StructClass);
const KeyValue = mod.KeyValue as ServiceObject;
/** Valid encodings to mutate, per protocol: the golden vectors. */
const SEEDS: Record<Protocol, Uint8Array[]> = {
  binary: [...STRUCT_VECTORS, ...MESSAGE_VECTORS].map((v) => bytesOf(v.lines)),
  compact: [...COMPACT_VECTORS, ...DECODE_ONLY, ...COMPACT_MESSAGE_VECTORS].map((v) =>
    bytesOf(v.lines),
  ),
};

function onlyProtocolErrors(run: () => unknown): void {
  try {
    run();
  } catch (e) {
    if (!(e instanceof ProtocolError)) {
      throw new Error(
        `a non-ProtocolError escaped: ${e instanceof Error ? `${e.name}: ${e.message}\n${e.stack}` : String(e)}`,
      );
    }
  }
}

function mutated(seeds: readonly Uint8Array[]): fc.Arbitrary<Uint8Array> {
  return fc
    .tuple(
      fc.constantFrom(...seeds),
      fc.array(
        fc.tuple(
          fc.nat(),
          fc.integer({ min: 0, max: 255 }),
          fc.constantFrom('set', 'cut', 'insert', 'big'),
        ),
        { minLength: 1, maxLength: 4 },
      ),
    )
    .map(([base, edits]) => {
      let b = Uint8Array.from(base);
      for (const [pos, byte, op] of edits) {
        const i = b.length === 0 ? 0 : pos % b.length;
        if (op === 'set') b[i] = byte;
        else if (op === 'cut') b = b.slice(0, i);
        else if (op === 'insert') b = Uint8Array.from([...b.slice(0, i), byte, ...b.slice(i)]);
        else if (b.length >= i + 4) b.set([0x7f, 0xff, 0xff, byte], i);
      }
      return b;
    });
}

for (const protocol of PROTOCOLS) {
  const inputs = fc.oneof(fc.uint8Array({ maxLength: 64 }), mutated(SEEDS[protocol]));
  const options = { protocol };

  void t.test(`${protocol}: loads of any bytes throws only ProtocolErrors`, async (t) => {
    let decoded = 0;
    let rejected = 0;
    fc.assert(
      fc.property(inputs, fc.constantFrom(...types), (bytes, Type) => {
        onlyProtocolErrors(() => {
          mod.loads(Type, bytes, options);
          decoded++;
        });
        rejected++;
      }),
      { seed, numRuns },
    );
    t.ok(decoded > 0, `some inputs decoded (${decoded})`);
    t.ok(rejected - decoded > 0, `some inputs were rejected (${rejected - decoded})`);
  });

  void t.test(`${protocol}: loads.message of any bytes throws only ProtocolErrors`, async (t) => {
    fc.assert(
      fc.property(inputs, (bytes) => {
        onlyProtocolErrors(() => mod.loads.message(KeyValue, bytes, options));
      }),
      { seed, numRuns },
    );
    t.pass(`${numRuns} inputs`);
  });
}

void t.test('deep nesting stops at the depth limit with a ProtocolError', async (t) => {
  // Tree.kids = [ Tree{ kids = [ ... ] } ] nested 200 deep.
  const parts: number[] = [];
  for (let i = 0; i < 200; i++) parts.push(0x0f, 0x00, 0x01, 0x0c, 0, 0, 0, 1);
  const bytes = Uint8Array.from([...parts, ...new Array(201).fill(0)]);
  t.throws(() => mod.loads(mod.Tree as StructClass, bytes), { name: 'LimitExceededError' });
  const ok = mod.loads(mod.Tree as StructClass, bytes, { limits: { maxDepth: 1000 } });
  t.ok(ok, 'the same bytes decode with a larger limit');
});

void t.test('a huge length is refused before anything is allocated', async (t) => {
  const Bases = mod.Bases as StructClass;
  const Containers = mod.Containers as StructClass;
  // string length 2^31-1: over the 16,384,000 limit
  t.throws(() => mod.loads(Bases, Uint8Array.from([0x0b, 0, 7, 0x7f, 0xff, 0xff, 0xff, 0x61])), {
    name: 'LimitExceededError',
    message:
      /cannot decode Bases\.str: string length 2147483647 exceeds the limit of 16384000 at byte 3/,
  });
  // string length 4096 with 1 byte left
  t.throws(() => mod.loads(Bases, Uint8Array.from([0x0b, 0, 7, 0, 0, 0x10, 0, 0x61])), {
    name: 'EndOfInputError',
    message: /Bases\.str: string length 4096 but only 1 bytes remain at byte 3/,
  });
  // list<i32> of 1,000,000 elements needs 4,000,000 bytes
  t.throws(
    () => mod.loads(Containers, Uint8Array.from([0x0f, 0, 1, 0x08, 0, 0x0f, 0x42, 0x40, 0])),
    {
      name: 'EndOfInputError',
      message: /Containers\.ints: container of 1000000 elements needs at least 4000000 bytes/,
    },
  );
  t.throws(
    () => mod.loads(Containers, Uint8Array.from([0x0f, 0, 1, 0x08, 0x7f, 0xff, 0xff, 0xff])),
    {
      name: 'LimitExceededError',
    },
  );
});

void t.test('compact: deep nesting stops at the depth limit, read or skipped', async (t) => {
  const Tree = mod.Tree as StructClass;
  const compact = { protocol: 'compact' } as const;
  // Tree.kids = [ Tree{ kids = [ ... ] } ] nested 200 deep: field header 0x19, list header 0x1c.
  const deep = Uint8Array.from([
    ...new Array<number[]>(200).fill([0x19, 0x1c]).flat(),
    ...new Array(201).fill(0),
  ]);
  t.throws(() => mod.loads(Tree, deep, compact), {
    name: 'LimitExceededError',
    message: /nesting deeper than the limit of 64 \(limits\.maxDepth\)/,
  });
  t.ok(
    mod.loads(Tree, deep, { ...compact, limits: { maxDepth: 1000 } }),
    'decodes with a larger limit',
  );
  // An unknown field (id 9) of list<list<…>> nested 200 deep is skipped with the same limit.
  const skipped = Uint8Array.from([0x99, ...new Array(199).fill(0x19), 0x03, 0]);
  t.throws(() => mod.loads(Tree, skipped, compact), { name: 'LimitExceededError' });
  t.throws(
    () => mod.loads(Tree, Uint8Array.from([0x19, 0xfc, 0xff, 0xff, 0xff, 0xff, 0x07]), compact),
    {
      name: 'LimitExceededError',
      message: /Tree\.kids: container size 2147483647 exceeds the limit of 16384000 at byte 2/,
    },
  );
});
