// The harness catches planted bugs in our own codec: the runner, handed a codec with one small
// deliberate fault (faulty-codec.ts, test-only), must fail the run and shrink the failure to a
// case whose summary names a field of the faulty kind in the shrunk IDL. Against a real peer
// (thriftrw-py), with the run's seed printed.
import t from 'tap';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FieldSpec, TypeSpec } from '../../../codec/src/index.js';
import { ProcessPeer } from '../../peers/process.js';
import { defaultProcessPeers } from '../../peers/registry.js';
import { compileSchema } from '../../runner/cases.js';
import { runCases } from '../../runner/run.js';
import type { CaseResult } from '../../runner/result.js';
import { FAULT_DESCRIPTIONS, makeFaultyCodec } from './faulty-codec.js';
import type { Fault } from './faulty-codec.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
// A fixed default seed: what the run finds (and so what its summaries name) is then the same on
// every machine; FC_SEED explores others.
const seed = Number(process.env.FC_SEED ?? 20261121);
t.comment(`planted-bug runs, seed ${seed} (replay with FC_SEED=${seed})`);

/** Whether a type is, or contains, a type `is` accepts. */
function has(t: TypeSpec, is: (t: TypeSpec) => boolean, seen = new Set<TypeSpec>()): boolean {
  if (is(t)) return true;
  if (seen.has(t)) return false;
  seen.add(t);
  switch (t.kind) {
    case 'list':
    case 'set':
      return has(t.valueType, is, seen);
    case 'map':
      return has(t.keyType, is, seen) || has(t.valueType, is, seen);
    default:
      return false;
  }
}

/** The element types a `[…]` or `{…}` step of a path can lead to (list/set element, map key or value). */
function inside(t: TypeSpec): TypeSpec[] {
  switch (t.kind) {
    case 'list':
    case 'set':
      return [t.valueType];
    case 'map':
      return [t.keyType, t.valueType];
    default:
      return [];
  }
}

/**
 * The field paths a summary names (`Outer.inner[0].items{3}.s`), each walked from its first type
 * through the schema: yields the last field each path reaches (keys in brackets are skipped,
 * whatever they hold).
 */
function namedFields(summary: string, types: Record<string, unknown>): FieldSpec[] {
  const out: FieldSpec[] = [];
  for (const m of summary.matchAll(/\b([A-Za-z_]\w*)(?=[.[{])/g)) {
    const root = (types[m[1]!] as { __spec__?: TypeSpec } | undefined)?.__spec__;
    if (root === undefined) continue;
    let at: TypeSpec[] = [root];
    let last: FieldSpec[] = [];
    let i = m.index + m[1]!.length;
    for (;;) {
      const c = summary[i];
      if (c === '.') {
        const name = /^[A-Za-z_]\w*/.exec(summary.slice(i + 1))?.[0];
        if (name === undefined) break;
        const next = at.flatMap((t) => {
          const f = t.kind === 'struct' ? t.fields.find((x) => x.name === name) : undefined;
          return f ? [f] : [];
        });
        if (next.length === 0) break;
        last = next;
        at = next.map((f) => f.type);
        i += 1 + name.length;
      } else if (c === '[' || c === '{') {
        // Skip a balanced bracket (the key or index inside is not walked).
        let depth = 0;
        let j = i;
        for (; j < summary.length; j++) {
          if (summary[j] === '[' || summary[j] === '{') depth++;
          else if (summary[j] === ']' || summary[j] === '}') depth--;
          if (depth === 0) break;
        }
        at = at.flatMap(inside);
        i = j + 1;
      } else break;
    }
    out.push(...last);
  }
  return out;
}

/** For each fault: whether a field the summary names is one the fault touches. */
const FAULTY_FIELD: Record<Exclude<Fault, 'none'>, (f: FieldSpec) => boolean> = {
  'i32-byte-order': (f) => has(f.type, (x) => x.kind === 'i32'),
  'field-written-twice': () => true,
  'length-off-by-one': (f) => has(f.type, (x) => x.kind === 'string' || x.kind === 'binary'),
  'set-as-list': (f) => has(f.type, (x) => x.kind === 'set'),
  // Both decoders fill the default back in, so only the bytes differ: the peer writes the field.
  'dropped-default': (f) => f.defaultValue !== undefined,
};

const [spec] = defaultProcessPeers(root).filter((s) => s.name === 'thriftrw-py');

for (const fault of Object.keys(FAULTY_FIELD) as (keyof typeof FAULTY_FIELD)[]) {
  void t.test(`${fault}: ${FAULT_DESCRIPTIONS[fault]}`, async (t) => {
    const peer = await ProcessPeer.start(spec!);
    t.teardown(() => peer.stop());
    const out = await runCases({
      peers: [peer],
      seed,
      runs: 12,
      values: 6,
      codec: makeFaultyCodec(fault),
      // The planted faults are in the encoder: the value properties catch them. invalid-input
      // would also report the peer's own recorded findings (no known-failures files here).
      select: {
        properties: [
          'codec-roundtrip',
          'peer-roundtrip',
          'our-client-peer-server',
          'peer-client-our-server',
        ],
      },
      shrink: { maxGroups: 1, totalMs: 20_000 },
    });
    const failures = out.results.filter(
      (r) => r.verdict === 'mismatch' || r.verdict === 'peer-error',
    );
    t.ok(failures.length > 0, `the run fails (${failures.length} failures)`);
    const first = out.results.find((r): r is CaseResult & Required<Pick<CaseResult, 'shrunk'>> =>
      Boolean(r.shrunk),
    );
    t.ok(first, 'the first failure is shrunk');
    if (first === undefined) return;
    const s = first.shrunk;
    t.comment(`${first.property}: ${first.summary}`);
    t.comment(
      `shrunk in ${s.steps} steps to: ${s.summary}\n${s.idl['generated.thrift']}${s.valueJson}`,
    );
    // The summary names a field path (Type.field, or deeper: Type.a[0].b) that exists in the
    // shrunk IDL and ends at a field of the faulty kind.
    const schema = compileSchema(s.idl);
    const named = namedFields(s.summary, schema.mod.__types__).filter(FAULTY_FIELD[fault]);
    t.ok(named.length > 0, `the shrunk summary names a field of the faulty kind: ${s.summary}`);
    // What a person must read: every IDL file and the value (the runner keeps the smallest
    // failing candidate by this measure).
    const size = (idl: Readonly<Record<string, string>>, valueJson: string) =>
      Object.values(idl).reduce((n, x) => n + x.length, 0) + valueJson.length;
    t.ok(
      size(s.idl, s.valueJson) <= size(first.idl!, first.valueJson!),
      `the shrunk case is no larger than the original (${size(s.idl, s.valueJson)} <= ${size(first.idl!, first.valueJson!)} characters)`,
    );
  });
}
