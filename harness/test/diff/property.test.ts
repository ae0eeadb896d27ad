// Properties of the diff, in each protocol, over generated values of a fixed IDL (every base type, nested
// containers, a union, struct map keys): annotate(dumps(v)) covers every byte exactly once in
// order; valueDiff(v, v) is empty; writing every set and map in reverse order, and the envelope
// in the other form, is the same meaning and an allowed byte variant; a mutated encoding is
// still annotated byte by byte. Prints its seed; replay with FC_SEED=<seed>.
import t from 'tap';
import fc from 'fast-check';
import { classFor, compile } from '../../../codec/src/index.js';
import type { ServiceObject, StructClass, TypeSpec } from '../../../codec/src/index.js';
import { structArb } from '../../arbitraries/values.js';
import { annotate } from '../../diff/annotate.js';
import { classifyBytes } from '../../diff/bytes.js';
import { classify } from '../../diff/classify.js';
import { valueDiff } from '../../diff/semantic.js';
import { coverageProblem, specOf } from './helpers.js';

const seed = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
const numRuns = Number(process.env.FC_RUNS ?? 200);
t.comment(`fast-check seed ${seed} (replay with FC_SEED=${seed})`);

const m = compile(`
enum Color { RED = 1, GREEN = 2, BLUE = -3 }
struct Leaf { 1: required i32 x, 2: optional string s }
union Choice { 1: string text, 2: i64 num, 3: Leaf leaf }
struct All {
  1: optional bool b
  2: optional byte y
  3: optional i16 s
  4: optional i32 i
  5: optional i64 l
  6: optional double d
  7: optional string str
  8: optional binary bin
  9: optional Color color
  10: optional uuid id
  11: optional list<Leaf> leaves
  12: optional set<string> tags
  13: optional map<string, list<i64>> lists
  14: optional map<Leaf, set<double>> byLeaf
  15: optional Choice choice
  16: required list<map<i16, binary>> maps
  17: optional set<set<i32>> nestedSets
}
service Svc { void put(1: All all) }
`);
const spec = specOf(m, 'All');
const put = (m['Svc'] as ServiceObject)['put'] as { request: StructClass };

/** The same value with every set and map in reverse order (and new struct instances). */
function reversed(t: TypeSpec, v: unknown): unknown {
  if (v === undefined) return v;
  switch (t.kind) {
    case 'list':
      return (v as unknown[]).map((x) => reversed(t.valueType, x));
    case 'set':
      return new Set([...(v as Set<unknown>)].reverse().map((x) => reversed(t.valueType, x)));
    case 'map':
      return new Map(
        [...(v as Map<unknown, unknown>)]
          .reverse()
          .map(([k, x]) => [reversed(t.keyType, k), reversed(t.valueType, x)]),
      );
    case 'struct': {
      const init: Record<string, unknown> = {};
      for (const f of t.fields)
        init[f.name] = reversed(f.type, (v as Record<string, unknown>)[f.name]);
      return new (classFor(t))(init);
    }
    default:
      return v;
  }
}

for (const protocol of ['binary', 'compact'] as const) {
  const p = { protocol };
  void t.test(
    `${protocol}: annotate covers every byte once; valueDiff(v, v) is empty`,
    async (t) => {
      let cases = 0;
      fc.assert(
        fc.property(structArb(spec), (v) => {
          cases++;
          const b = m.dumps(v, p);
          const a = annotate(spec, b, p);
          const problem = coverageProblem(a, b.length);
          if (problem !== undefined) throw new Error(problem);
          if (a.malformed !== undefined) throw new Error(`malformed: ${a.malformed.reason}`);
          const d = valueDiff(spec, v, v);
          if (d.length > 0) throw new Error(`valueDiff(v, v): ${JSON.stringify(d)}`);
        }),
        { seed, numRuns },
      );
      t.ok(cases >= numRuns, `${cases} cases ran`);
    },
  );

  void t.test(
    `${protocol}: reversed sets and maps${protocol === 'binary' ? ', and the other envelope form,' : ''} are allowed variants`,
    async (t) => {
      let variants = 0;
      fc.assert(
        fc.property(structArb(spec), fc.boolean(), (v, strict) => {
          const w = reversed(spec, v) as object;
          const d = valueDiff(spec, v, w);
          if (d.length > 0) throw new Error(`same meaning expected: ${JSON.stringify(d)}`);
          const c = classifyBytes(spec, m.dumps(v, p), m.dumps(w, p), p);
          if (!c.allowed) throw new Error(`not allowed: ${JSON.stringify(c.differences)}`);
          if (c.reasons.some((r) => r !== 'set order' && r !== 'map order')) {
            throw new Error(`unexpected reasons ${c.reasons.join(', ')}`);
          }
          const verdict = classify({
            spec,
            wanted: v,
            got: w,
            ourBytes: m.dumps(v, p),
            theirBytes: m.dumps(w, p),
            protocol,
          });
          if (verdict.verdict !== 'identical' && verdict.verdict !== 'allowed-variant') {
            throw new Error(`verdict ${verdict.verdict}: ${verdict.summary}`);
          }
          if (verdict.verdict === 'allowed-variant') variants++;
          const rs = put.request.__spec__;
          const form = protocol === 'binary' ? strict : true;
          const ours = m.dumps.message(new put.request({ all: v }), 1, p);
          const theirs = m.dumps.message(new put.request({ all: w }), 1, { strict: form, ...p });
          const e = classifyBytes(rs, ours, theirs, { envelope: true, ...p });
          if (!e.allowed) throw new Error(`message not allowed: ${JSON.stringify(e.differences)}`);
          if (!form && !e.reasons.includes('envelope form'))
            throw new Error('envelope form missing');
        }),
        { seed, numRuns },
      );
      t.ok(variants > 0, `${variants} cases were allowed variants`);
    },
  );

  void t.test(`${protocol}: a mutated encoding is still annotated byte by byte`, async (t) => {
    fc.assert(
      fc.property(structArb(spec), fc.nat(), fc.integer({ min: 0, max: 255 }), (v, at, byte) => {
        const b = m.dumps(v, p).slice();
        b[at % b.length] = byte;
        const a = annotate(spec, b, p);
        const problem = coverageProblem(a, b.length);
        if (problem !== undefined) throw new Error(problem);
      }),
      { seed, numRuns },
    );
    t.pass('covered');
  });
}
