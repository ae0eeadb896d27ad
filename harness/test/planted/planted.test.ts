// The harness catches planted bugs in our own codec: the runner, handed a codec with one small
// deliberate fault (faulty-codec.ts, test-only), must fail the run and shrink the failure to a
// case whose summary names a field of the faulty kind in the shrunk IDL. Against a real peer
// (thriftrw-py), with the run's seed printed.
import t from 'tap';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TypeSpec } from '../../../codec/src/index.js';
import { defaultProcessPeers, ProcessPeer } from '../../peers/process.js';
import { compileSchema } from '../../runner/cases.js';
import { runCases } from '../../runner/run.js';
import type { CaseResult } from '../../runner/result.js';
import { FAULT_DESCRIPTIONS, makeFaultyCodec } from './faulty-codec.js';
import type { Fault } from './faulty-codec.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const seed = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
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

const FAULTY_FIELD: Record<Exclude<Fault, 'none' | 'dropped-default'>, (t: TypeSpec) => boolean> = {
  'i32-byte-order': (t) => has(t, (x) => x.kind === 'i32'),
  'field-written-twice': () => true,
  'length-off-by-one': (t) => has(t, (x) => x.kind === 'string' || x.kind === 'binary'),
  'set-as-list': (t) => has(t, (x) => x.kind === 'set'),
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
    // The summary names Type.field; that field exists in the shrunk IDL and has the faulty kind.
    const schema = compileSchema(s.idl);
    const named = [...s.summary.matchAll(/\b([A-Za-z_]\w*)\.([A-Za-z_]\w*)/g)].filter(
      ([, type, field]) => {
        const C = schema.mod.__types__[type!] as {
          __spec__?: { fields: { name: string; type: TypeSpec }[] };
        };
        const f = C?.__spec__?.fields.find((x) => x.name === field);
        return f !== undefined && FAULTY_FIELD[fault](f.type);
      },
    );
    t.ok(named.length > 0, `the shrunk summary names a field of the faulty kind: ${s.summary}`);
    t.ok(
      s.idl['generated.thrift']!.length <= first.idl!['generated.thrift']!.length,
      'the shrunk IDL is no larger than the original',
    );
  });
}
