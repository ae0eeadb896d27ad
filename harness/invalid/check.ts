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
import { stopAtOnce } from '../peers/peer.js';
import type { Peer } from '../peers/peer.js';
import type { PeerUsage } from '../peers/usage.js';
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

/**
 * Bounds of one peer read. Wall time bounds every peer; where the peer can say what its processes
 * use (`Peer.usage`: local processes on Linux), a read also ends early when the peer keeps its CPU
 * busy without answering anything, or its memory grows past a bound, while the read waits.
 */
export interface ReadBounds {
  /** Wall time from sending the read. */
  readonly wallMs: number;
  /** CPU time the peer may spend, with no answer to any request, while the read waits. */
  readonly busyMs: number;
  /** Growth of the peer's resident memory while the read waits. */
  readonly memoryBytes: number;
}

/**
 * The bounds of a first read, beside other reads and loads of the same peer (a peer compiling
 * another schema is busy too, so the CPU bound is loose; going over it only stops the peer and
 * reruns its values alone, never a finding by itself). The CPU bound is the most; see firstBounds.
 */
export const FIRST_READ_BOUNDS: ReadBounds = {
  wallMs: INVALID_READ_MS,
  busyMs: 8_000,
  memoryBytes: 2 * 1024 ** 3,
};

/** The least CPU bound of a first read, in ms (see firstBounds). */
const FIRST_BUSY_MIN_MS = 3_000;

/**
 * `bounds` for a first read on `peer`: the CPU bound is twice the longest the peer ever took to
 * answer a request (a load, a batch), at least FIRST_BUSY_MIN_MS and at most `bounds.busyMs`, so
 * a peer that answers everything at once is stopped sooner than one that compiles each schema.
 * Never throws.
 */
export function firstBounds(peer: Peer, bounds: ReadBounds): ReadBounds {
  const slowest = peer.slowestAnswerMs?.();
  if (slowest === undefined) return bounds;
  const busyMs = Math.min(bounds.busyMs, Math.max(FIRST_BUSY_MIN_MS, 2 * slowest));
  return { ...bounds, busyMs };
}

/** The bounds of the rerun, alone, of bytes that went over the first bounds: its verdict. */
export const CONFIRM_READ_BOUNDS: ReadBounds = {
  wallMs: INVALID_READ_MS,
  busyMs: 2_000,
  memoryBytes: 1024 ** 3,
};

/** When a late read's peer starts being watched (its usage then is the base), in ms. */
const WATCH_AFTER_MS = 1_000;
/** How often a late read's peer is looked at, in ms. */
const WATCH_EVERY_MS = 250;

/** What a peer did not answer in time, in this process (by peer). */
interface Hangs {
  /** Cases (`<protocol>/<type>/<bytes hex>`) it did not answer once: maybe stuck behind another. */
  readonly once: Set<string>;
  /** `<protocol>/<kind>` it did not answer alone (a hang of its own): not sent to it again. */
  readonly kinds: Set<string>;
}
const hangsOf = new WeakMap<Peer, Hangs>();

/** `n` bytes for a person: `1.2 GiB`, `340 MiB`. */
function sizeText(n: number): string {
  return n >= 1024 ** 3 ? `${(n / 1024 ** 3).toFixed(1)} GiB` : `${Math.round(n / 1024 ** 2)} MiB`;
}

/** A peer's last usage reading, shared by the reads that wait on it at once (see usageOf). */
const lastUsage = new WeakMap<Peer, { at: number; usage: Promise<PeerUsage | undefined> }>();

/**
 * `peer.usage()`, read at most once per WATCH_EVERY_MS however many of its reads wait (a schema's
 * values wait side by side behind one hang); resolves undefined when it cannot tell. Never rejects.
 */
function usageOf(peer: Peer): Promise<PeerUsage | undefined> {
  if (peer.usage === undefined) return Promise.resolve(undefined);
  const now = performance.now();
  const last = lastUsage.get(peer);
  if (last !== undefined && now - last.at < WATCH_EVERY_MS) return last.usage;
  const usage = peer.usage().catch(() => undefined);
  lastUsage.set(peer, { at: now, usage });
  return usage;
}

/**
 * Resolves with `hung` (and why) when the read waiting on `peer` goes over `bounds`; `cancel`
 * stops watching. Never rejects.
 */
function watchRead(
  peer: Peer,
  bounds: ReadBounds,
): { over: Promise<ReadResult>; cancel: () => void } {
  let done = false;
  const timers: NodeJS.Timeout[] = [];
  const later = (ms: number, f: () => void) => {
    if (!done) timers.push(setTimeout(f, ms));
  };
  const over = new Promise<ReadResult>((resolve) => {
    const hung = (detail: string) => {
      done = true;
      resolve({ outcome: 'hung', detail });
    };
    later(bounds.wallMs, () => hung(`no answer within ${bounds.wallMs} ms`));
    if (peer.usage === undefined) return;
    const usage = () => usageOf(peer);
    later(WATCH_AFTER_MS, () => {
      void (async () => {
        const base = await usage();
        if (base === undefined || done) return;
        const since = performance.now();
        const look = async () => {
          const now = await usage();
          if (now === undefined || done) return;
          const busy = now.cpuMs - base.cpuMs;
          const grew = now.rssBytes - base.rssBytes;
          const quiet = (peer.lastAnswerAt?.() ?? 0) < since;
          if (grew >= bounds.memoryBytes)
            return hung(
              `its memory grew by ${sizeText(grew)} to ${sizeText(now.rssBytes)} while reading (bound ${sizeText(bounds.memoryBytes)})`,
            );
          if (quiet && busy >= bounds.busyMs)
            return hung(
              `it kept the CPU busy for ${(busy / 1000).toFixed(1)} s without answering (bound ${bounds.busyMs / 1000} s)`,
            );
          later(WATCH_EVERY_MS, () => void look());
        };
        later(WATCH_EVERY_MS, () => void look());
      })();
    });
  });
  return {
    over,
    cancel: () => {
      done = true;
      for (const t of timers) clearTimeout(t);
    },
  };
}

/** `readPeer`, answering `hung` when the read goes over `bounds` (see watchRead). Never rejects. */
async function boundedRead(
  peer: Peer,
  handle: string,
  type: string,
  bytes: Uint8Array,
  protocol: Protocol,
  bounds: ReadBounds,
): Promise<ReadResult> {
  const watch = watchRead(peer, bounds);
  try {
    return await Promise.race([readPeer(peer, handle, type, bytes, protocol), watch.over]);
  } finally {
    watch.cancel();
  }
}

/**
 * `session`'s peer reads the valid bytes (unless `options.baseline` says what it did), then each
 * case, one after another (the values of a schema go side by side, so the requests still travel
 * in batches), each within `options.first` (default FIRST_READ_BOUNDS). None is judged when it
 * crashed or hung on the valid bytes (see `judged`). A read that goes over its bounds stops the
 * peer (`options.stop`, default: kill it) and is left out (it may have waited behind another
 * value's hang); when the same bytes are read again (the runner reruns them alone) within the
 * tighter `options.confirm` (default CONFIRM_READ_BOUNDS) and go over again, the case is `hung`,
 * and its kind is not sent to that peer again. With `options.alone`, the confirm bounds apply at
 * once and the first read over them is `hung`. Never rejects.
 */
export async function readCasesPeer(
  session: PeerSession,
  C: StructClass,
  v: object,
  cases: readonly InvalidCase[],
  protocol: Protocol,
  options: {
    /** Bounds of a first read; default FIRST_READ_BOUNDS with the CPU bound of firstBounds. */
    readonly first?: ReadBounds;
    /** Bounds of a read of bytes that went over the first bounds once; default CONFIRM_READ_BOUNDS. */
    readonly confirm?: ReadBounds;
    /** What the peer did with the valid bytes, when known (baselineOf); default: asked. */
    readonly baseline?: ReadResult;
    /**
     * The peer reads nothing else meanwhile (the runner's rerun, value by value): a read that goes
     * over `confirm` is the one that hangs, with no first read needed. Default false.
     */
    readonly alone?: boolean;
    /** Stops the peer after a read that hung (the runner's keeper.stopHung); default: kill it. */
    readonly stop?: () => Promise<void>;
  } = {},
): Promise<InvalidAnswer[]> {
  const first = options.first ?? FIRST_READ_BOUNDS;
  const confirm = options.confirm ?? CONFIRM_READ_BOUNDS;
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
    const key = `${protocol}/${type}/${Buffer.from(bytes).toString('hex')}`;
    const again = options.alone === true || hangs.once.has(key);
    const bounds = again ? confirm : options.first !== undefined ? first : firstBounds(peer, first);
    const r = await boundedRead(peer, handle, type, bytes, protocol, bounds);
    if (r.outcome !== 'hung') return r;
    await (options.stop ?? (() => stopAtOnce(peer)))().catch(() => undefined);
    if (again) return r;
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
