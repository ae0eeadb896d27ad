/**
 * The `invalid-input` property: for one value, the cases of values.ts (our shipped encoder's bytes
 * edited), each read by one reader — our codec under test, or a peer through its roundtrip op (all
 * of a value's cases at once, so they travel in one batch) — and judged (readers.ts). One result
 * per case and reader; the runner adds every reader's cell of a case to the matrix (matrix.ts).
 */
import type { Protocol, StructClass, StructSpec } from '../../codec/src/index.js';
import { toPeerJson } from '../peers/json-values.js';
import type { CompiledSchema } from '../runner/cases.js';
import type { CodecUnderTest } from '../runner/codec.js';
import { OUR_CODEC } from '../runner/codec.js';
import type { PeerSession } from '../runner/check.js';
import type { Peer } from '../peers/peer.js';
import type { MatrixCell, MatrixRow } from './model.js';
import { judge, judgedOutcome, readOurs, readPeer } from './readers.js';
import type { ReadResult } from './readers.js';
import { invalidCases, pickCases } from './values.js';
import type { InvalidCase } from './values.js';

/** Cases of each value a run reads (rotating through the groups and kinds; see pickCases). */
export const INVALID_CASES_PER_VALUE = 1;

/** A small stable hash of a string (FNV-1a), for rotating the kinds. */
export function hashOf(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/**
 * The cases a run reads for value `v` of `C` in `protocol`: our shipped encoder's bytes (not the
 * codec under test's, so a faulty encoder cannot turn a case valid), edited; `count` of them
 * picked by `key` (or `'all'`). Empty when the value cannot be encoded.
 * Never throws.
 */
export function invalidCasesFor(
  schema: CompiledSchema,
  C: StructClass,
  v: object,
  protocol: Protocol,
  key: string,
  count: number | 'all' = INVALID_CASES_PER_VALUE,
): InvalidCase[] {
  let bytes: Uint8Array;
  try {
    bytes = OUR_CODEC.encode(schema.mod, C, v, protocol);
  } catch {
    return [];
  }
  const all = invalidCases(C.__spec__, v, bytes, protocol);
  return count === 'all' ? all : pickCases(all, count, hashOf(key));
}

/** The name of case `j` of a value whose label (for `invalid-input`) is `label`. */
export function invalidCaseName(label: string, c: InvalidCase, j: number): string {
  return `${label}/${c.group}/${c.kind}/${j}`;
}

/** One reader's judged answer to one case. */
export interface InvalidAnswer {
  readonly case: InvalidCase;
  readonly index: number;
  readonly cell: MatrixCell;
  readonly verdict: 'identical' | 'mismatch' | 'peer-error';
  readonly summary: string;
  readonly fingerprint: string;
  readonly durationMs: number;
}

/**
 * Whether a reader that did `baseline` with the valid bytes is judged on the cases made from them:
 * not when it crashed or hung on those too (a type it cannot take at all, a peer that died): that
 * is the other properties' finding, not the edit's.
 */
const judged = (baseline: ReadResult) =>
  baseline.outcome === 'accepted' || baseline.outcome === 'refused';

/** Judges every answer (`reads[k]` is the reader's answer to case `index` of the value). */
function answers(
  C: StructClass,
  reader: string,
  reads: readonly { c: InvalidCase; index: number; read: ReadResult; ms: number }[],
  features: Readonly<Record<string, boolean>>,
  baseline: ReadResult | undefined,
): InvalidAnswer[] {
  return reads.map(({ c, index, read, ms }) => {
    const j = judge(c, C.__spec__, reader, read, features, baseline);
    return { case: c, index, cell: j.cell, ...judgedOutcome(c, j), durationMs: ms };
  });
}

/**
 * Our codec under test reads the valid bytes, then each case; none is judged when it crashes on
 * the valid bytes (see `judged`). Never throws.
 */
export function readCasesOurs(
  codec: CodecUnderTest,
  schema: CompiledSchema,
  C: StructClass,
  v: object,
  cases: readonly InvalidCase[],
  protocol: Protocol,
): InvalidAnswer[] {
  if (cases.length === 0) return [];
  const valid = OUR_CODEC.encode(schema.mod, C, v, protocol);
  const baseline = readOurs(codec, schema.mod, C, valid, protocol);
  if (!judged(baseline)) return [];
  const reads = cases.map((c, index) => {
    const t0 = performance.now();
    const read = readOurs(codec, schema.mod, C, c.bytes, protocol);
    return { c, index, read, ms: performance.now() - t0 };
  });
  return answers(C, codec.name, reads, {}, baseline);
}

/**
 * A peer's reading of a value's valid bytes, from its peer-roundtrip outcome `o`: the value itself
 * when it round-tripped (identical or an allowed variant), a refusal for its DecodeError, a crash
 * for any other peer error; undefined for a mismatch (what it read is not known: invalid-input asks
 * it again). Never throws.
 */
export function baselineOf(
  spec: StructSpec,
  v: object,
  o: { readonly verdict: string; readonly fingerprint: string; readonly summary: string },
): ReadResult | undefined {
  if (o.verdict === 'identical' || o.verdict === 'allowed-variant')
    return { outcome: 'accepted', detail: 'the value', decoded: toPeerJson(spec, v) };
  if (o.verdict === 'peer-error')
    return {
      outcome: o.fingerprint.startsWith('peer-error:DecodeError') ? 'refused' : 'crashed',
      detail: o.summary.slice(0, 200),
    };
  return undefined;
}

/**
 * How long a peer may take to read one case before it counts as hung. A peer that does not answer
 * is stopped (its queue would wait behind the hang), so the runner starts it again and reruns the
 * schema's values on it alone, one at a time.
 */
export const INVALID_READ_MS = 20_000;

/** What a peer did not answer in time, in this process (by peer). */
interface Hangs {
  /** Cases (`<protocol>/<type>/<bytes hex>`) it did not answer once: maybe stuck behind another. */
  readonly once: Set<string>;
  /** `<protocol>/<kind>` it did not answer alone (a hang of its own): not sent to it again. */
  readonly kinds: Set<string>;
}
const hangsOf = new WeakMap<Peer, Hangs>();

/** `readPeer`, answering `hung` after `ms`. Never rejects. */
async function boundedRead(
  peer: Peer,
  handle: string,
  type: string,
  bytes: Uint8Array,
  protocol: Protocol,
  ms: number,
): Promise<ReadResult> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<ReadResult>((resolve) => {
    timer = setTimeout(() => resolve({ outcome: 'hung', detail: `no answer within ${ms} ms` }), ms);
  });
  try {
    return await Promise.race([readPeer(peer, handle, type, bytes, protocol), late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `session`'s peer reads the valid bytes (unless `options.baseline` says what it did), then each case, one after another (the values of a
 * schema go side by side, so the requests still travel in batches), each bounded by `ms` (default
 * INVALID_READ_MS). None is judged when it crashed or hung on the valid bytes (see `judged`). A
 * read it does not answer in time stops it and is left out (it may have waited behind another
 * value's hang); when the same bytes time out again (the runner reruns them alone) it is `hung`,
 * and that kind is not sent to that peer again. Never rejects.
 */
export async function readCasesPeer(
  session: PeerSession,
  C: StructClass,
  v: object,
  cases: readonly InvalidCase[],
  protocol: Protocol,
  options: {
    /** Bound of one read; default INVALID_READ_MS. */
    readonly ms?: number;
    /** What the peer did with the valid bytes, when known (baselineOf); default: asked. */
    readonly baseline?: ReadResult;
    /** Stops the peer after a read that hung (the runner's keeper.stopHung); default peer.stop(). */
    readonly stop?: () => Promise<void>;
  } = {},
): Promise<InvalidAnswer[]> {
  const ms = options.ms ?? INVALID_READ_MS;
  const { peer, handle } = session;
  let hangs = hangsOf.get(peer);
  if (hangs === undefined) hangsOf.set(peer, (hangs = { once: new Set(), kinds: new Set() }));
  const send = cases.flatMap((c, index) =>
    hangs.kinds.has(`${protocol}/${c.kind}`) ? [] : [{ c, index }],
  );
  if (send.length === 0) return [];
  const type = C.__spec__.name;
  /** A read bounded in time; undefined when it timed out for the first time (the peer is stopped). */
  const read = async (bytes: Uint8Array): Promise<ReadResult | undefined> => {
    const r = await boundedRead(peer, handle, type, bytes, protocol, ms);
    if (r.outcome !== 'hung') return r;
    await (options.stop ?? (() => peer.stop()))().catch(() => undefined);
    const key = `${protocol}/${type}/${Buffer.from(bytes).toString('hex')}`;
    if (hangs.once.has(key)) return r;
    hangs.once.add(key);
    return undefined;
  };
  const baseline =
    options.baseline ?? (await read(OUR_CODEC.encode(session.schema.mod, C, v, protocol)));
  if (baseline === undefined || !judged(baseline)) return [];
  const reads: { c: InvalidCase; index: number; read: ReadResult; ms: number }[] = [];
  for (const { c, index } of send) {
    const t0 = performance.now();
    const r = await read(c.bytes);
    if (r === undefined) break; // the peer is stopped: the rest goes with the rerun
    if (r.outcome === 'hung') hangs.kinds.add(`${protocol}/${c.kind}`);
    reads.push({ c, index, read: r, ms: performance.now() - t0 });
    if (r.outcome === 'hung') break;
  }
  return answers(C, peer.name, reads, peer.info.abilities.features ?? {}, baseline);
}

/**
 * The matrix row of case `c` from every reader's cell. `where` is the value's place
 * (`s3/Foo#7`). Never throws.
 */
export function matrixRow(
  c: InvalidCase,
  j: number,
  protocol: Protocol,
  where: string,
  type: string,
  cells: readonly MatrixCell[],
): MatrixRow {
  const outcomes = new Set(cells.map((x) => x.outcome));
  return {
    name: `${protocol}/invalid/${c.group}/${c.kind}/${where}/${j}`,
    protocol,
    group: c.group,
    kind: c.kind,
    what: c.what,
    spec: c.spec,
    specRef: c.specRef,
    bytesHex: Buffer.from(c.bytes).toString('hex'),
    type,
    ...(c.expected !== undefined ? { expected: c.expected } : {}),
    cells,
    disagree: outcomes.has('accepted') && outcomes.has('refused'),
  };
}

/**
 * One outcome for a value and one reader, over every case made from it (not only the run's pick):
 * for shrinking and replay. The first answer whose fingerprint is `fingerprint` (or, without one,
 * the first violating answer); else an `identical` outcome. Never rejects.
 */
export async function checkInvalidValue(
  ctx: {
    schema: CompiledSchema;
    codec: CodecUnderTest;
    session?: PeerSession;
    protocol?: Protocol;
  },
  C: StructClass,
  v: object,
  fingerprint?: string,
): Promise<{ answer?: InvalidAnswer; cases: number }> {
  const protocol = ctx.protocol ?? 'binary';
  const cases = invalidCasesFor(ctx.schema, C, v, protocol, '', 'all');
  const all =
    ctx.session !== undefined
      ? await readCasesPeer(ctx.session, C, v, cases, protocol)
      : readCasesOurs(ctx.codec, ctx.schema, C, v, cases, protocol);
  const hit = all.find((a) =>
    fingerprint !== undefined ? a.fingerprint === fingerprint : a.verdict !== 'identical',
  );
  return { ...(hit !== undefined ? { answer: hit } : {}), cases: cases.length };
}
