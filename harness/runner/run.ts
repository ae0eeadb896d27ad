/**
 * The runner: replays the regression corpus, then sweeps generated cases (a fast-check property
 * over `caseArb`, so the run's seed and a case's path name it exactly), checks every value with
 * every property against our codec and each peer (check.ts), tells who is the odd one out when
 * peers disagree, applies the known-failures entries, writes a bundle for every failure, and
 * shrinks the first failure of each (peer, property, kind of failure) to the smallest schema and
 * value that still fail that way.
 *
 * Results go to `onResult` as they happen; the resolved outcome has them all, with the shrunk
 * cases attached (`CaseResult.shrunk`).
 */
import fc from 'fast-check';
import { AsyncLocalStorage } from 'node:async_hooks';
import { join, relative } from 'node:path';
import type { Protocol, StructClass } from '../../codec/src/index.js';
import type { EquivalencePolicy } from '../diff/semantic.js';
import { fromPeerJson, toPeerJson } from '../peers/json-values.js';
import type { Json } from '../peers/json-values.js';
import type { Peer } from '../peers/peer.js';
import type { Bundle, BundleCase } from './bundle.js';
import { bundleSlug, writeBundle } from './bundle.js';
import type { CaseArbOptions, CompiledSchema, GeneratedCase } from './cases.js';
import { caseArb, compileSchema } from './cases.js';
import type { AnyProperty, CheckOutcome, Property, RpcWire, SchemaProperty } from './check.js';
import {
  checkIdlRoundtrip,
  checkValue,
  isFailing,
  loadFailure,
  outcomeFields,
  needsWire,
  OUR_PROPERTIES,
  OurServers,
  PEER_PROPERTIES,
  peerSupports,
  isSchemaProperty,
  openSession,
  PeerSession,
  wireFor,
  wireText,
} from './check.js';
import { PeerKeeper } from './keeper.js';
import {
  invalidCaseName,
  invalidCasesFor,
  matrixRow,
  readCasesOurs,
  readCasesPeer,
} from '../invalid/check.js';
import { baselineOf } from '../invalid/check.js';
import type { InvalidAnswer } from '../invalid/check.js';
import type { ReadResult } from '../invalid/readers.js';
import { runEnvelopeMatrix } from '../invalid/envelopes.js';
import type { EnvelopeMatrix } from '../invalid/envelopes.js';
import { MatrixBuilder } from '../invalid/matrix.js';
import type { InvalidMatrix } from '../invalid/matrix.js';
import type { MatrixCell } from '../invalid/model.js';
import { userCaseArb } from './user-idl.js';
import { propertyApplies, whyNotGivenCall } from './user-rpc.js';
import type { UserSchema } from './user-idl.js';
import type { PeerHealth } from './keeper.js';
import type { CodecUnderTest } from './codec.js';
import { OUR_CODEC } from './codec.js';
import { KnownFailures, globRegExp } from './known-failures.js';
import { caseSize, reduceCase } from './reduce.js';
import {
  generatorProfiles,
  reasonKind,
  schemaNeeds,
  UNDECLARED_ENUM_REASON,
  whyNot,
  withholdsValue,
} from './schedule.js';
import type { SchemaNeeds } from './schedule.js';
import type { ReducibleCase } from './reduce.js';
import type { KnownFailureEntry, KnownFailureUse, RunReport, ShrunkCase } from './result.js';
import type { CaseResult } from './result.js';

/**
 * Generated schemas in a default run: 125 × 12 values gives every peer here at least 1,000 cases
 * (peers whose generated code cannot take a schema lose all its values) in about two minutes on a
 * 2-core machine with nothing built yet (half a minute with builds cached).
 */
export const DEFAULT_RUNS = 125;

/** Generated schemas checked at the same time (their results are still emitted in order). */
export const SCHEMAS_IN_FLIGHT = 2;

/** Shrinking bounds. */
export interface ShrinkOptions {
  /** Most failure groups shrunk in one run. Default 8. */
  readonly maxGroups?: number;
  /** Time for one group. Default 20 s. */
  readonly groupMs?: number;
  /** Time for all shrinking. Default 45 s. */
  readonly totalMs?: number;
}

/** What to run. */
export interface RunCasesOptions {
  /** Started peers to check against (may be empty: then only our codec is checked). */
  readonly peers: readonly Peer[];
  /** The fast-check seed of the whole run. */
  readonly seed: number;
  /** Generated schemas (fast-check runs). Default DEFAULT_RUNS; with `timeBudgetMs` and no `runs`, unbounded. */
  readonly runs?: number;
  /** Values per schema. Default 12. */
  readonly values?: number;
  /** Stop generating new schemas after this long (the corpus and shrinking are not counted). */
  readonly timeBudgetMs?: number;
  /** Run only schema numbers ≡ index-1 (mod count), and corpus cases likewise (by their order). */
  readonly shard?: { readonly index: number; readonly count: number };
  /** Fail allowed byte variants too. Default false. */
  readonly strictBytes?: boolean;
  /** The equivalence policy. Default DEFAULT_POLICY. */
  readonly policy?: Partial<EquivalencePolicy>;
  /** The codec under test. Default OUR_CODEC. */
  readonly codec?: CodecUnderTest;
  /** Shrinking bounds, or false for none. Default {}. */
  readonly shrink?: ShrinkOptions | false;
  /** Regression corpus cases, replayed first against every selected peer. */
  readonly corpus?: readonly Bundle[];
  /** Known-failures entries of the selected peers. */
  readonly knownFailures?: readonly KnownFailureEntry[];
  /** Known-flaky entries (`--known-flaky`): a failure they name is `known-flaky`, never failing the run. */
  readonly knownFlaky?: readonly KnownFailureEntry[];
  /** Which cases to run (default all): case-name globs to run and to skip, and properties. */
  readonly select?: CaseSelection;
  /**
   * The user's own schemas (`--idl`, user-idl.ts): the sweep draws values of their types instead
   * of generating schemas; shrinking shrinks the values only (the schema is the user's).
   */
  readonly userSchemas?: readonly UserSchema[];
  /** Where bundles go (`<reportDir>/bundles/…`); none are written without it. */
  readonly reportDir?: string;
  /** Most bundles written for unshrunk failures. Default 50 (each shrunk case always gets one). */
  readonly maxBundles?: number;
  /** The command that replays a bundle folder. Default `npm run conform -- replay <dir>`. */
  readonly replayCommand?: (bundleDir: string) => string;
  /** What the generator may produce (keyword names, unknown enum values). Default: all of it. */
  readonly generator?: GeneratorOptions;
  /** Called with every result as soon as it is known. */
  readonly onResult?: (r: CaseResult) => void;
  /** The protocols every property runs in (each peer in those its abilities name). Default binary. */
  readonly protocols?: readonly Protocol[];
  /**
   * Starts a second instance of each peer in `peers`, for the envelope cases of the invalid-input
   * matrix: they then run on those from the start, beside the corpus and the sweep, and a peer the
   * sweep stops (a hung read) breaks no envelope case. The run stops them. Without it (default),
   * the envelope cases run after the sweep on `peers`.
   */
  readonly startEnvelopePeers?: () => Promise<Peer[]>;
  /** When aborted, no new schema is started (those in flight finish); shrinking is skipped. */
  readonly signal?: AbortSignal;
  /** Restarts of a peer that died, per peer, before its cases are reported as not run. Default MAX_RESTARTS. */
  readonly maxRestarts?: number;
  /** Called when shrinking of a group starts (for progress lines). */
  readonly onShrink?: (r: CaseResult) => void;
}

/** Which cases a run runs (`--run`, `--skip`, `--properties`). */
export interface CaseSelection {
  /** Case-name globs (`*` matches anything); a case runs when it matches one. Default: all. */
  readonly run?: readonly string[];
  /** Case-name globs; a case that matches one does not run. Default: none. */
  readonly skip?: readonly string[];
  /** The properties (checks) to run. Default: all. */
  readonly properties?: readonly string[];
}

/** Whether a case named `name`, of `property`, is selected by `s`. Never throws. */
export function isSelected(s: CaseSelection | undefined, name: string, property: string): boolean {
  if (s === undefined) return true;
  if (s.properties !== undefined && !s.properties.includes(property)) return false;
  if (s.run !== undefined && s.run.length > 0 && !s.run.some((g) => globRegExp(g).test(name)))
    return false;
  return !(s.skip ?? []).some((g) => globRegExp(g).test(name));
}

/** What a run produced. */
export interface RunOutcome {
  readonly results: CaseResult[];
  /** Every known-failures entry with its counts. */
  readonly knownFailures: KnownFailureUse[];
  /** Every known-flaky entry with its counts (an unused one has `matched: 0`). */
  readonly knownFlaky: KnownFailureUse[];
  readonly staleKnownFailures: RunReport['staleKnownFailures'];
  /** Generated schemas checked (not counting other shards' or skipped ones). */
  readonly schemas: number;
  /** Values checked per peer (`ours` too). */
  readonly casesPerPeer: Readonly<Record<string, number>>;
  /** Per peer: values it was not given because the schema needs what it cannot do, by reason. */
  readonly notGiven: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** How long the corpus and the generated cases took (without shrinking), in ms. */
  readonly sweepMs: number;
  /** Corpus cases replayed (in this shard). */
  readonly corpusCases: number;
  /**
   * What failed inside the harness (a bug, a corpus case that no longer compiles). The run stops
   * generating at the first one; the results so far are kept and reported.
   */
  readonly harnessErrors: readonly string[];
  /** Why generation stopped before `runs` schemas (the time budget), when it did. */
  readonly stoppedEarly?: string;
  /** Per peer: restarts, values not run (the `not-run` results) and why it last died. */
  readonly peerHealth: Readonly<Record<string, PeerHealth & { readonly notRun: number }>>;
  /** The invalid-input matrix (harness/invalid/matrix.ts), when any case of it ran. */
  readonly invalidMatrix?: InvalidMatrix;
}

/**
 * The generator options for a set of peers: one IDL profile per distinct peer profile (the
 * features it has, the names it cannot take; schedule.ts), so each schema fits at least one
 * selected peer and no peer's gaps narrow the others' coverage.
 */
export function caseOptionsFor(
  peers: readonly Peer[],
  values: number,
  generator: GeneratorOptions = {},
): CaseArbOptions {
  return {
    idl: generatorProfiles(peers, { keywordNames: generator.keywordNames ?? true }),
    values,
    valueBounds: {
      maxLength: 3,
      maxDepth: 3,
      unknownEnumValues: generator.unknownEnumValues ?? true,
    },
  };
}

/** What the generator may produce beyond plain names and known enum values. */
export interface GeneratorOptions {
  /** Names that are keywords or special in peer languages (`class`, `__slots__`, `await`). Default true. */
  readonly keywordNames?: boolean;
  /** Enum positions sometimes hold numbers the enum does not define. Default true. */
  readonly unknownEnumValues?: boolean;
}

/** `meaning:Foo.bar:missing` → `meaning:missing`: the kind of failure, without names (they shrink). */
export function failureKind(fingerprint: string): string {
  const parts = fingerprint.split(':');
  if (parts[0] === 'peer-error' || parts[0] === 'invalid') return fingerprint;
  if (parts[0] === 'bytes' && parts[1] === 'malformed') return parts.slice(0, 3).join(':');
  return `${parts[0]}:${parts[parts.length - 1]}`;
}

/**
 * The invalid-input kind a case name records (`…/invalid-input/<where>/<group>/<kind>/<n>`, a
 * trailing ` (shrunk)` allowed), as a one-element list; empty for any other name. Never throws.
 */
export function invalidKindOf(name: string): string[] {
  const rest = name.replace(/ \(shrunk\)$/, '').split('/invalid-input/')[1];
  const parts = rest?.split('/') ?? [];
  const kind = parts.length >= 3 ? parts[parts.length - 2] : undefined;
  return kind !== undefined && /^[a-z0-9-]+$/.test(kind) ? [kind] : [];
}

/**
 * A case's name (`binary/framed/strict/peer:some-peer/our-client-peer-server/s3/Foo#7`; over
 * TChannel, which has no envelope, `binary/tchannel/peer:some-peer/…`).
 */
export function caseName(
  peer: string,
  property: string,
  wire: RpcWire | undefined,
  where: string,
  protocol: Protocol = 'binary',
): string {
  const w = wire ? `${wireText(wire, '/')}/` : '';
  return `${protocol}/${w}peer:${peer}/${property}/${where}`;
}

interface Where {
  readonly origin: 'generated' | 'corpus';
  /** The protocol of the check (binary when absent). */
  readonly protocol?: Protocol;
  readonly si?: number;
  readonly wire?: RpcWire;
  readonly type: string;
  readonly value: object;
  readonly schema: CompiledSchema;
}

/**
 * Runs the corpus and the generated cases (see the module comment) and resolves with every
 * result. Peer failures become `peer-error` results, never exceptions; rejects only on a harness
 * bug (or a file-system error writing bundles).
 */
export async function runCases(options: RunCasesOptions): Promise<RunOutcome> {
  const { peers, seed } = options;
  const codec = options.codec ?? OUR_CODEC;
  const judge = {
    strictBytes: options.strictBytes ?? false,
    ...(options.policy !== undefined ? { policy: options.policy } : {}),
  };
  const protocols: readonly Protocol[] = options.protocols ?? ['binary'];
  const known = new KnownFailures(options.knownFailures ?? []);
  const flaky = new KnownFailures(options.knownFlaky ?? []);
  const select = options.select;
  const selected = (name: string, property: string) => isSelected(select, name, property);
  const invalidWanted =
    select?.properties === undefined || select.properties.includes('invalid-input');
  const replayCommand =
    options.replayCommand ??
    ((dir: string) => `npm run conform -- replay ${relative(process.cwd(), dir) || '.'}`);
  const results: CaseResult[] = [];
  const matrix = new MatrixBuilder();
  const where = new Map<CaseResult, Where>();
  const casesPerPeer: Record<string, number> = { [codec.name]: 0 };
  const notGiven: Record<string, Record<string, number>> = {};
  for (const p of peers) {
    casesPerPeer[p.name] = 0;
    notGiven[p.name] = {};
  }
  let bundles = 0;
  const maxBundles = options.maxBundles ?? 50;

  const bundleFor = (
    r: CaseResult,
    w: Where,
    sub: string,
    path: string | undefined,
    reducedEdits = 0,
  ) => {
    if (options.reportDir === undefined) return {};
    const dir = join(options.reportDir, 'bundles', bundleSlug(sub));
    const C = w.schema.classes.get(w.type)!;
    const c: BundleCase = {
      schemaVersion: 1,
      name: r.name,
      peer: r.peer,
      property: r.property as AnyProperty,
      protocol: w.protocol ?? 'binary',
      ...(w.wire ? { wire: w.wire } : {}),
      type: w.type,
      main: w.schema.main,
      ...(w.schema.dialect === 'apache' ? { dialect: 'apache' as const } : {}),
      ...(w.schema.user ? { userIdl: true as const } : {}),
      ...(w.origin === 'generated' ? { seed } : {}),
      ...(path !== undefined ? { path } : {}),
      ...(reducedEdits > 0 ? { reducedEdits } : {}),
      fingerprint: r.fingerprint ?? '',
      summary: r.summary,
      ...(judge.strictBytes ? { strictBytes: true } : {}),
    };
    const replay = replayCommand(dir);
    writeBundle(dir, {
      case: c,
      files: w.schema.files,
      value: toPeerJson(C.__spec__, w.value),
      ...(r.wantedHex !== undefined ? { wantedHex: r.wantedHex } : {}),
      ...(r.gotHex !== undefined ? { gotHex: r.gotHex } : {}),
      ...(r.valueDiff !== undefined ? { valueDiff: r.valueDiff } : {}),
      ...(r.byteDiff !== undefined ? { byteDiff: r.byteDiff } : {}),
      replay,
    });
    return { bundle: relative(options.reportDir, dir), replay };
  };

  const keeper = new PeerKeeper({
    ...(options.maxRestarts !== undefined ? { maxRestarts: options.maxRestarts } : {}),
    ...(options.signal !== undefined ? { signal: options.signal } : {}),
  });
  /** The keeper's generation of the peer when each session was opened (a restart loses it). */
  const openedAt = new WeakMap<PeerSession, number>();
  const notRunCounts: Record<string, number> = {};
  const countNotRun = (peer: Peer, n: number) => {
    if (n > 0) notRunCounts[peer.name] = (notRunCounts[peer.name] ?? 0) + n;
  };
  /** The `not-run` result of a value `peer` could not be given: it died and stayed dead. */
  const notRunOf = (
    peer: Peer,
    it: { readonly type: string; readonly label: Item['label'] },
    w: Where,
    why: string,
  ): { r: CaseResult; w: Where } => ({
    r: {
      name: it.label(peer.name, 'not-run' as Property, undefined, w.protocol ?? 'binary'),
      peer: peer.name,
      protocol: w.protocol ?? 'binary',
      property: 'not-run',
      verdict: 'not-run',
      summary: `not run: ${peer.name} died and was not started again (${why})`,
      fingerprint: 'not-run:peer-dead',
      durationMs: 0,
      type: it.type,
      origin: w.origin,
      ...(w.origin === 'generated' && w.si !== undefined ? { seed, path: String(w.si) } : {}),
    },
    w,
  });

  /** Counts `n` values `peer` was not given, for `reason`. */
  const countNotGiven = (peer: Peer, reason: string, n: number) => {
    if (n <= 0) return;
    const counts = (notGiven[peer.name] ??= {});
    counts[reason] = (counts[reason] ?? 0) + n;
  };
  /** What a schema needs, read off its IDL once (prepareAhead and the sweep both ask). */
  const needsCache = new WeakMap<CompiledSchema, SchemaNeeds>();
  const needsOf = (schema: CompiledSchema): SchemaNeeds => {
    let n = needsCache.get(schema);
    if (n === undefined)
      needsCache.set(
        schema,
        (n = {
          ...schemaNeeds(schema.files),
          ...(schema.dialect === 'apache' ? { dialect: 'apache' as const } : {}),
        }),
      );
    return n;
  };

  /** Results of a schema checked beside another wait here, to be emitted in schema order. */
  const sink = new AsyncLocalStorage<{ raw: CaseResult; w: Where }[]>();
  const emit = (raw: CaseResult, w: Where) => {
    const buffer = sink.getStore();
    if (buffer !== undefined) buffer.push({ raw, w });
    else emitNow(raw, w);
  };
  /** `raw` with the known-failures and known-flaky entries applied. */
  const applyKnown = (raw: CaseResult): CaseResult => {
    const r = known.apply(raw);
    const f = flaky.apply(r);
    return f.verdict === 'known-failure' && r.verdict !== 'known-failure'
      ? { ...f, verdict: 'known-flaky' }
      : r;
  };
  const emitNow = (raw: CaseResult, w: Where) => {
    let r = applyKnown(raw);
    if (isFailing(r.verdict) && bundles < maxBundles) {
      bundles++;
      r = { ...r, ...bundleFor(r, w, r.name, r.path) };
    }
    results.push(r);
    where.set(r, w);
    options.onResult?.(r);
  };

  /** Emits a result that has no value behind it (the envelope cases): known failures apply, no bundle. */
  const emitPlain = (raw: CaseResult) => {
    const r = applyKnown(raw);
    results.push(r);
    options.onResult?.(r);
  };

  const resultOf = (
    peer: string,
    property: string,
    o: CheckOutcome,
    w: Where,
    name: string,
    path: string | undefined,
  ): CaseResult => {
    const C = w.schema.classes.get(w.type)!;
    return {
      name,
      peer,
      protocol: w.protocol ?? 'binary',
      ...(w.wire ? { transport: w.wire.transport } : {}),
      ...(w.wire?.envelope !== undefined ? { envelope: w.wire.envelope } : {}),
      property,
      ...outcomeFields(o),
      idl: w.schema.files,
      valueJson: JSON.stringify(toPeerJson(C.__spec__, w.value)),
      ...(w.origin === 'generated' ? { seed } : {}),
      ...(path !== undefined ? { path } : {}),
      type: w.type,
      origin: w.origin,
    };
  };

  /** One value to check: its type, the value, its case-name label and wire choice. */
  interface Item {
    readonly type: string;
    readonly value: object;
    readonly label: (
      peer: string,
      property: Property,
      wire: RpcWire | undefined,
      protocol: Protocol,
    ) => string;
    readonly wireOf: (peer: Peer, property: Property, protocol: Protocol) => RpcWire | undefined;
    /**
     * invalid-input kinds this value must be read with besides the usual pick: a corpus case
     * recorded for one kind (`…/invalid-input/…/<group>/<kind>/<n>`) replays that kind.
     */
    readonly invalidKinds?: readonly string[];
  }

  /**
   * Checks a schema's values with every property: ours, then every peer (peers in parallel; per
   * peer, the checks that go through the control channel run for all values at once, so they
   * travel in batches, then our client's calls to the peer's server one after another), then
   * says who is the odd one out where peers disagree, and emits the results value by value in a
   * fixed order.
   */
  const checkAll = async (
    schema: CompiledSchema,
    sessions: ReadonlyMap<Peer, PeerSession>,
    servers: OurServers,
    items: readonly Item[],
    origin: 'generated' | 'corpus',
    si: number | undefined,
    path: string | undefined,
  ) => {
    // Every protocol in turn; a peer is given a protocol its abilities name.
    for (const protocol of protocols) {
      const given = new Map(
        [...sessions].filter(([peer]) => peer.info.abilities.protocols.includes(protocol)),
      );
      for (const peer of sessions.keys())
        if (!given.has(peer)) countNotGiven(peer, `no ${protocol} protocol`, items.length);
      await checkAllIn(protocol, schema, given, servers, items, origin, si, path);
    }
  };

  /** checkAll for one protocol. */
  const checkAllIn = async (
    protocol: Protocol,
    schema: CompiledSchema,
    sessions: ReadonlyMap<Peer, PeerSession>,
    servers: OurServers,
    items: readonly Item[],
    origin: 'generated' | 'corpus',
    si: number | undefined,
    path: string | undefined,
  ) => {
    type Pending = { r: CaseResult; w: Where };
    const baseOf = (it: Item): Where => ({
      origin,
      ...(si !== undefined ? { si } : {}),
      ...(protocol !== 'binary' ? { protocol } : {}),
      type: it.type,
      value: it.value,
      schema,
    });
    const pj = { ...judge, protocol };
    // invalid-input: a few cases per value (harness/invalid/), each read by every reader; every
    // reader's cell of a case is kept here (by reader: a rerun replaces) for the matrix.
    const invalid = items.map((it) => {
      // Not read at all when the run leaves the property out (not read and then dropped).
      if (!invalidWanted) return [];
      const C = schema.classes.get(it.type)!;
      const picked = invalidCasesFor(
        schema,
        C,
        it.value,
        protocol,
        it.label('', 'invalid-input', undefined, protocol),
      );
      const kinds = it.invalidKinds ?? [];
      if (kinds.length === 0) return picked;
      // The recorded kind's first instances (at most 2 per kind), then the usual pick.
      const all = invalidCasesFor(schema, C, it.value, protocol, '', 'all');
      const named = kinds.flatMap((k) => all.filter((c) => c.kind === k).slice(0, 2));
      return [...named, ...picked.filter((c) => !named.some((n) => n.kind === c.kind))];
    });
    const invalidCells = invalid.map((cases) => cases.map(() => new Map<string, MatrixCell>()));
    /** The pending results of `answers` (one reader, value i), their cells kept for the matrix. */
    const invalidPending = (
      i: number,
      reader: string,
      answers: readonly InvalidAnswer[],
      w: Where,
      label: string,
    ): Pending[] => {
      // A rerun (the peer died beside these values) replaces what the reader answered before.
      for (const m of invalidCells[i]!) m.delete(reader);
      return answers.flatMap((a) => {
        const name = invalidCaseName(label, a.case, a.index);
        if (!selected(name, 'invalid-input')) return [];
        invalidCells[i]![a.index]!.set(reader, a.cell);
        const o: CheckOutcome = {
          verdict: a.verdict,
          summary: a.summary,
          fingerprint: a.fingerprint,
          wantedHex: Buffer.from(a.case.bytes).toString('hex'),
          byteDiff: [],
          valueDiff: [],
          durationMs: a.durationMs,
        };
        return [{ r: resultOf(reader, 'invalid-input', o, w, name, path), w }];
      });
    };
    const ours: Pending[][] = [];
    for (const [i, it] of items.entries()) {
      const w0 = baseOf(it);
      const list: Pending[] = [];
      let ran = false;
      for (const property of OUR_PROPERTIES) {
        // A user's service calls are for the user-rpc properties only (user-rpc.ts).
        if (!propertyApplies(schema, it.type, property)) continue;
        if (property === 'invalid-input') {
          const label = it.label(codec.name, property, undefined, protocol);
          const C = schema.classes.get(it.type)!;
          const mine = invalidPending(
            i,
            codec.name,
            readCasesOurs(codec, schema, C, it.value, invalid[i]!, protocol),
            w0,
            label,
          );
          if (mine.length > 0) ran = true;
          list.push(...mine);
          continue;
        }
        if (!selected(it.label(codec.name, property, undefined, protocol), property)) continue;
        ran = true;
        // The reference peer is a second opinion for codec-roundtrip only.
        const ref = property === 'codec-roundtrip' ? referenceOf(sessions) : {};
        const o = await checkValue({ schema, codec, ...ref, ...pj }, property, it.type, it.value);
        const label = it.label(codec.name, property, undefined, protocol);
        list.push({ r: resultOf(codec.name, property, o, w0, label, path), w: w0 });
      }
      ours.push(list);
      if (ran) casesPerPeer[codec.name] = (casesPerPeer[codec.name] ?? 0) + 1;
    }
    const perPeer = await Promise.all(
      [...sessions].map(async ([peer, session]) => {
        // A value with an enum value the IDL does not declare is not given to a peer whose enums
        // cannot hold one (corpus cases are: they show what the peer does).
        const skip = items.map(
          (it) =>
            origin === 'generated' &&
            withholdsValue(peer, schema.classes.get(it.type)!.__spec__, it.value),
        );
        const skipped = skip.filter(Boolean).length;
        countNotGiven(peer, UNDECLARED_ENUM_REASON, skipped);
        // A call of the user's service the peer cannot take (a oneway function, an inherited one).
        items.forEach((it, i) => {
          const why = skip[i] ? undefined : whyNotGivenCall(schema, it.type, peer);
          if (why !== undefined) countNotGiven(peer, why, 1);
        });
        const fresh = () => items.map(() => new Map<Property, Pending | Pending[]>());
        const ranFor = new Set<number>();
        // What the peer did with each value's valid bytes (its peer-roundtrip, which runs first):
        // invalid-input's baseline, so it need not ask again.
        const baselines = new Map<number, ReadResult>();
        const one = async (
          slots: Map<Property, Pending | Pending[]>[],
          s: PeerSession,
          i: number,
          property: Property,
          alone = false,
        ) => {
          if (skip[i]) return;
          const it = items[i]!;
          if (!propertyApplies(schema, it.type, property, peer)) return;
          const wire = it.wireOf(peer, property, protocol);
          if (property === 'invalid-input') {
            if (invalid[i]!.length === 0) return;
            const label = it.label(peer.name, property, undefined, protocol);
            const C = schema.classes.get(it.type)!;
            const answers = await readCasesPeer(s, C, it.value, invalid[i]!, protocol, {
              ...(baselines.has(i) ? { baseline: baselines.get(i)! } : {}),
              stop: () => keeper.stopHung(peer),
              alone,
            });
            const mine = invalidPending(i, peer.name, answers, baseOf(it), label);
            if (mine.length > 0) ranFor.add(i);
            slots[i]!.set(property, mine);
            return;
          }
          if (needsWire(property) && !wire) return;
          if (!selected(it.label(peer.name, property, wire, protocol), property)) return;
          ranFor.add(i);
          const o = await checkValue(
            { schema, codec, session: s, servers, ...pj },
            property,
            it.type,
            it.value,
            wire,
          );
          const w: Where = { ...baseOf(it), ...(wire ? { wire } : {}) };
          if (property === 'peer-roundtrip') {
            const b = baselineOf(schema.classes.get(it.type)!.__spec__, it.value, o);
            if (b !== undefined) baselines.set(i, b);
          }
          const label = it.label(peer.name, property, wire, protocol);
          slots[i]!.set(property, { r: resultOf(peer.name, property, o, w, label, path), w });
        };
        // A peer that closes its connection on a failed call would fail the calls in flight
        // beside it, so our client's calls go one at a time; the rest go together (they batch).
        // The user-rpc calls too: a peer's server answers what it was told for the next call.
        const sequential: readonly Property[] = [
          'our-client-peer-server',
          'user-rpc-our-client',
          'user-rpc-peer-client',
        ];
        let slots = await keeper.shared(peer, async () => {
          const out = fresh();
          await Promise.all(
            items.map(async (_, i) => {
              for (const property of PEER_PROPERTIES)
                if (!sequential.includes(property)) await one(out, session, i, property);
            }),
          );
          for (let i = 0; i < items.length; i++)
            for (const property of sequential) await one(out, session, i, property);
          return out;
        });
        const notRun: (Pending | undefined)[] = items.map(() => undefined);
        if (keeper.isDead(peer) || keeper.generation(peer) !== openedAt.get(session)) {
          // The peer died while these values ran (or was restarted for another schema's): what it
          // answered cannot be told from what its death did. Rerun them with the peer alone,
          // value by value: a value that kills it again is the one that does.
          slots = await keeper.alone(peer, async () => {
            const out = fresh();
            let s: PeerSession | undefined;
            for (let i = 0; i < items.length; i++) {
              if (skip[i]) continue;
              let why: string | undefined;
              if (s === undefined) {
                if (await keeper.revive(peer)) {
                  const opened = await openSession(peer, schema);
                  if ('session' in opened) s = opened.session;
                  else why = `it could not load the schema again: ${opened.failure.summary}`;
                } else why = keeper.health(peer).gaveUp ?? 'it died';
              }
              if (s === undefined) {
                notRun[i] = notRunOf(peer, items[i]!, baseOf(items[i]!), why ?? 'it died');
                // What it answered of this value's invalid-input cases before it died is gone too.
                for (const m of invalidCells[i]!) m.delete(peer.name);
                continue;
              }
              for (const property of PEER_PROPERTIES) await one(out, s, i, property, true);
              if (keeper.isDead(peer)) {
                s.close();
                s = undefined;
              }
            }
            s?.close();
            return out;
          });
        }
        const lost = notRun.filter((x) => x !== undefined).length;
        countNotRun(peer, lost);
        casesPerPeer[peer.name] =
          (casesPerPeer[peer.name] ?? 0) +
          [...ranFor].filter((i) => notRun[i] === undefined).length;
        return slots.map((m, i) => [
          ...PEER_PROPERTIES.flatMap((p) => m.get(p) ?? []),
          ...(notRun[i] ? [notRun[i]] : []),
        ]);
      }),
    );
    for (const [i, list] of ours.entries()) {
      const pending = [...list, ...perPeer.flatMap((p) => p[i]!)];
      for (const { r, w } of oddOneOut(pending, codec.name)) emit(r, w);
      const it = items[i]!;
      const where = it.label('', 'invalid-input', undefined, protocol).split('/invalid-input/')[1]!;
      invalid[i]!.forEach((c, j) => {
        const cells = [...invalidCells[i]![j]!.values()];
        if (cells.length > 0) matrix.add(matrixRow(c, j, protocol, where, it.type, cells));
      });
    }
  };

  const harnessErrors: string[] = [];
  const describe = (e: unknown) => (e instanceof Error ? (e.stack ?? e.message) : String(e));
  const shard = options.shard;
  const inShard = (i: number) => shard === undefined || i % shard.count === shard.index - 1;

  // The envelope cases of the invalid-input matrix (harness/invalid/envelopes.ts): once per run
  // (in the first shard), against every selected peer's servers and clients and ours; beside the
  // sweep on peers of their own when the caller can start them, else after it.
  const envelopesHere = (shard === undefined || shard.index === 1) && invalidWanted;
  const envelopesBeside =
    envelopesHere && options.startEnvelopePeers !== undefined
      ? // Settled at once (a rejection is kept for later, not left unhandled meanwhile).
        envelopeMatrixBeside(options.startEnvelopePeers).then(
          (env) => ({ env }),
          (error: unknown) => ({ error }),
        )
      : undefined;

  // 1. The regression corpus, first and in order (each case in one shard only, so that merged
  // shards hold each corpus result once).
  const sweepStart = performance.now();
  let corpusCases = 0;
  for (const [i, b] of (options.corpus ?? []).entries()) {
    if (!inShard(i)) continue;
    corpusCases++;
    try {
      await replayCorpusCase(b);
    } catch (e) {
      // A corpus case that cannot be replayed any more says so in its message (no stack needed).
      harnessErrors.push(e instanceof Error ? e.message : String(e));
    }
  }

  async function replayCorpusCase(b: Bundle): Promise<void> {
    const name = b.dir.split(/[\\/]/).pop() ?? b.dir;
    let schema: CompiledSchema;
    try {
      schema = compileSchema(b.files, b.case.main, b.case.dialect ?? 'thriftrw');
      if (b.case.userIdl === true) schema = { ...schema, user: true };
    } catch (e) {
      throw new Error(
        `corpus case ${b.dir}: our codec cannot compile its IDL any more: ${(e as Error).message}`,
      );
    }
    const C = schema.classes.get(b.case.type);
    if (C === undefined)
      throw new Error(`corpus case ${b.dir}: its IDL has no echoable type ${b.case.type}`);
    checkSchemaText(schema, `corpus:${name}`, undefined);
    let value: object;
    try {
      value = fromPeerJson(C.__spec__, b.value) as object;
    } catch (e) {
      // A schema case (load-idl, idl-roundtrip) has no value to check: loading the IDL on every
      // peer (and our IDL round trip, above) is the case.
      if (!isSchemaProperty(b.case.property))
        throw new Error(
          `corpus case ${b.dir}: value.json does not fit ${b.case.type}: ${(e as Error).message}`,
        );
      await withSessions(schema, `corpus:${name}`, undefined, 0, b.case.peer, async () => {});
      return;
    }
    await withSessions(
      schema,
      `corpus:${name}`,
      undefined,
      1,
      b.case.peer,
      async (sessions, servers) => {
        const item: Item = {
          type: b.case.type,
          value,
          label: (peer, property, wire, protocol) =>
            caseName(peer, property, wire, `corpus:${name}/${b.case.type}`, protocol),
          ...(b.case.property === 'invalid-input'
            ? { invalidKinds: invalidKindOf(b.case.name) }
            : {}),
          wireOf: (peer, property, protocol) => {
            const recorded = b.case.wire;
            return recorded && peerSupports(peer, property, recorded, protocol)
              ? recorded
              : wireFor(peer, property, 0, protocol);
          },
        };
        await checkAll(schema, sessions, servers, [item], 'corpus', undefined, undefined);
      },
    );
  }

  /** Where a result about a whole schema comes from (no value, no wire). */
  function schemaWhere(schema: CompiledSchema, si: number | undefined): Where {
    return {
      origin: si === undefined ? 'corpus' : 'generated',
      ...(si !== undefined ? { si } : {}),
      type: [...schema.classes.keys()][0] ?? '',
      value: {},
      schema,
    };
  }

  /** Emits the result of a schema check (`load-idl`, `idl-roundtrip`) when selected: no value, no wire. */
  function emitSchemaResult(
    peer: string,
    property: SchemaProperty,
    o: CheckOutcome,
    schema: CompiledSchema,
    label: string,
    si: number | undefined,
  ): void {
    if (!selected(caseName(peer, property, undefined, label), property)) return;
    const w = schemaWhere(schema, si);
    emit(
      {
        name: caseName(peer, property, undefined, label),
        peer,
        protocol: 'binary',
        property,
        ...outcomeFields(o),
        idl: schema.files,
        ...(si !== undefined ? { seed, path: String(si) } : {}),
        origin: w.origin,
      },
      w,
    );
  }

  /** The one `not-run` result of a schema `peer` was not given because it died and stayed dead. */
  function emitNotRunSchema(
    peer: Peer,
    schema: CompiledSchema,
    label: string,
    si: number | undefined,
    values: number,
    why: string,
  ): void {
    const w = schemaWhere(schema, si);
    emit(
      {
        name: caseName(peer.name, 'not-run', undefined, label),
        peer: peer.name,
        protocol: 'binary',
        property: 'not-run',
        verdict: 'not-run',
        summary: `not run: ${values} value${values === 1 ? '' : 's'} of this schema: ${peer.name} died and was not started again (${why})`,
        fingerprint: 'not-run:peer-dead',
        durationMs: 0,
        ...(si !== undefined ? { seed, path: String(si) } : {}),
        origin: w.origin,
      },
      w,
    );
  }

  /** Our codec's print(parse(idl)) ≡ idl on every file of the schema: one `idl-roundtrip` result. */
  function checkSchemaText(schema: CompiledSchema, label: string, si: number | undefined): void {
    if (!selected(caseName(codec.name, 'idl-roundtrip', undefined, label), 'idl-roundtrip')) return;
    emitSchemaResult(
      codec.name,
      'idl-roundtrip',
      checkIdlRoundtrip(schema.files, schema.user === true),
      schema,
      label,
      si,
    );
  }

  /**
   * Loads a schema on every peer whose abilities cover it (a peer that cannot load it gets a
   * `load-idl` result; one it does not fit is counted in `notGiven` with the reason, `values`
   * times), then runs `body`. `owner`, the peer a corpus case was recorded for, is always given it.
   */
  async function withSessions(
    schema: CompiledSchema,
    label: string,
    si: number | undefined,
    values: number,
    owner: string | undefined,
    body: (sessions: Map<Peer, PeerSession>, servers: OurServers) => Promise<void>,
  ): Promise<void> {
    const sessions = new Map<Peer, PeerSession>();
    const servers = new OurServers(schema);
    const needs = needsOf(schema);
    const given = peers.filter((peer) => {
      const why = peer.name === owner ? undefined : whyNot(peer, needs, si === undefined);
      if (why === undefined) return true;
      // Counted per protocol, as cases are: the schema's reason for those the peer speaks.
      for (const p of protocols)
        countNotGiven(
          peer,
          peer.info.abilities.protocols.includes(p) ? reasonKind(why) : `no ${p} protocol`,
          values,
        );
      return false;
    });
    try {
      // Loaded in parallel; sessions and load-idl results in the peers' order (a fixed run order).
      // A peer that died is started again first; one that died loading is started again and
      // asked once more (a second death while loading this schema is the schema's doing).
      const loads = await Promise.all(
        given.map(async (peer) => {
          for (let attempt = 0; ; attempt++) {
            if (!(await keeper.revive(peer))) return { peer, dead: true as const };
            const generation = keeper.generation(peer);
            const opened = await keeper.shared(peer, () => openSession(peer, schema));
            if ('session' in opened) {
              openedAt.set(opened.session, generation);
              return { peer, session: opened.session };
            }
            if (attempt > 0 || !keeper.isDead(peer)) return { peer, failure: opened.failure };
          }
        }),
      );
      for (const l of loads) {
        if ('session' in l) sessions.set(l.peer, l.session);
        else if ('failure' in l)
          emitSchemaResult(l.peer.name, 'load-idl', l.failure, schema, label, si);
        else {
          const why = keeper.health(l.peer).gaveUp ?? 'it died';
          countNotRun(
            l.peer,
            values * protocols.filter((p) => l.peer.info.abilities.protocols.includes(p)).length,
          );
          emitNotRunSchema(l.peer, schema, label, si, values, why);
        }
      }
      await body(sessions, servers);
    } finally {
      for (const s of sessions.values()) s.close();
      await servers.close();
    }
  }

  // 2. The generated cases.
  const caseOptions = caseOptionsFor(peers, options.values ?? 12, options.generator);
  const userSchemas = options.userSchemas ?? [];
  const arb =
    userSchemas.length > 0
      ? userCaseArb(userSchemas, options.values ?? 12, caseOptions.valueBounds)
      : caseArb(caseOptions);
  const budget = options.timeBudgetMs;
  const runs = options.runs ?? (budget !== undefined ? 1_000_000 : DEFAULT_RUNS);
  const deadline = budget !== undefined ? performance.now() + budget : Infinity;
  let schemas = 0;
  // A harness bug stops the sweep; it is reported with the results so far.
  let harnessError: string | undefined;
  let stoppedEarly: string | undefined;
  // fc.sample(arb, { seed, numRuns: n }) gives exactly the first n cases fc.check gives with that
  // seed (case i is path "i", which shrinking and replay use), so the sweep takes them in chunks:
  // a bounded run at once, an unbounded one in doubling chunks (each regenerates the ones before
  // it: at most twice the work). Peers that build code per schema are told each chunk ahead.
  let generated = 0;
  // Two schemas are checked at a time (one's checks while the peers load the next), their results
  // emitted in schema order.
  const inFlight: Promise<{ raw: CaseResult; w: Where }[]>[] = [];
  const flushOne = (buffer: readonly { raw: CaseResult; w: Where }[]) => {
    for (const { raw, w } of buffer) emitNow(raw, w);
  };
  const aborted = () => options.signal?.aborted === true;
  while (
    generated < runs &&
    harnessError === undefined &&
    !aborted() &&
    performance.now() <= deadline
  ) {
    const end = options.runs !== undefined ? runs : Math.min(runs, Math.max(16, generated * 2));
    const start = generated;
    const chunk = fc.sample(arb, { seed, numRuns: end }).slice(start);
    generated = end;
    await prepareAhead(chunk.flatMap((c, j) => (inShard(start + j) ? [c.schema] : [])));
    for (const [j, c] of chunk.entries()) {
      const n = start + j;
      if (!inShard(n)) continue;
      if (harnessError !== undefined || aborted()) break;
      if (performance.now() > deadline) {
        stoppedEarly = `the time budget (${budget} ms) ran out after ${schemas} generated schema${schemas === 1 ? '' : 's'}`;
        break;
      }
      schemas++;
      const buffer: { raw: CaseResult; w: Where }[] = [];
      inFlight.push(sink.run(buffer, () => sweepSchema(c, n)).then(() => buffer));
      if (inFlight.length >= SCHEMAS_IN_FLIGHT) flushOne(await inFlight.shift()!);
    }
  }
  while (inFlight.length > 0) flushOne(await inFlight.shift()!);

  if (envelopesHere) {
    try {
      let env: EnvelopeMatrix | undefined;
      if (envelopesBeside !== undefined) {
        const beside = await envelopesBeside;
        if ('error' in beside) throw beside.error;
        env = beside.env;
      } else if (harnessError === undefined && !aborted()) {
        const alive: Peer[] = [];
        for (const p of peers) if (await keeper.revive(p)) alive.push(p);
        env = await runEnvelopeMatrix({ peers: alive, protocols });
      }
      if (env !== undefined && harnessError === undefined && !aborted()) {
        for (const row of env.rows) matrix.add(row);
        for (const raw of env.results) if (selected(raw.name, raw.property)) emitPlain(raw);
      }
    } catch (e) {
      harnessErrors.push(`the envelope cases of the invalid-input matrix: ${describe(e)}`);
    }
  }

  /**
   * The envelope matrix on peers of its own (`start`), stopped when it ends or the run is
   * interrupted. Rejects when they cannot be started or our RPC layer cannot serve.
   */
  async function envelopeMatrixBeside(start: () => Promise<Peer[]>): Promise<EnvelopeMatrix> {
    const own = await start();
    const stopAll = () => Promise.all(own.map((p) => p.stop().catch(() => undefined)));
    const onAbort = () => void stopAll();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return await runEnvelopeMatrix({ peers: own, protocols });
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
      await stopAll();
    }
  }
  if (harnessError !== undefined) harnessErrors.push(harnessError);
  if (stoppedEarly === undefined && generated < runs && budget !== undefined)
    stoppedEarly = `the time budget (${budget} ms) ran out after ${schemas} generated schema${schemas === 1 ? '' : 's'}`;

  /** Checks generated schema number `n`; a harness bug is kept in `harnessError`. Never rejects. */
  async function sweepSchema(c: GeneratedCase, n: number): Promise<void> {
    checkSchemaText(c.schema, `s${n}`, n);
    const present = [...c.values.entries()].flatMap(([k, cv]) =>
      cv === undefined ? [] : [{ k, cv }],
    );
    await withSessions(c.schema, `s${n}`, n, present.length, undefined, (sessions, servers) =>
      checkAll(
        c.schema,
        sessions,
        servers,
        present.map(({ k, cv }) => ({
          type: cv.type,
          value: cv.value,
          label: (peer, property, wire, protocol) =>
            caseName(peer, property, wire, `s${n}/${cv.type}#${k}`, protocol),
          wireOf: (peer, property, protocol) => wireFor(peer, property, k, protocol),
        })),
        'generated',
        n,
        String(n),
      ),
    ).catch((e: unknown) => {
      harnessError ??= `harness error in schema ${n} (seed ${seed}, path ${n}): ${describe(e)}`;
    });
  }

  const sweepMs = performance.now() - sweepStart;

  // 3. Shrink the first failure of each (peer, property, kind of failure).
  if (options.shrink !== false && !aborted()) {
    const s = options.shrink ?? {};
    const totalEnd = performance.now() + (s.totalMs ?? 45_000);
    const groups = new Map<string, CaseResult>();
    for (const r of results) {
      if (!isFailing(r.verdict) || r.origin !== 'generated') continue;
      const key = `${r.peer}|${r.property}|${failureKind(r.fingerprint ?? '')}`;
      if (!groups.has(key)) groups.set(key, r);
    }
    for (const first of [...groups.values()].slice(0, s.maxGroups ?? 8)) {
      if (performance.now() > totalEnd) break;
      options.onShrink?.(first);
      let shrunk: ShrunkCase | undefined;
      try {
        shrunk = await shrinkGroup(
          first,
          Math.min(totalEnd, performance.now() + (s.groupMs ?? 20_000)),
        );
      } catch (e) {
        harnessErrors.push(`shrinking ${first.name}: ${describe(e)}`);
      }
      if (shrunk === undefined) continue;
      const at = results.indexOf(first);
      results[at] = { ...first, shrunk };
    }
  }

  /**
   * Tells each peer that takes `prepare` which of `chunk`'s schemas it will be given, so it can
   * build them ahead. Never rejects.
   */
  async function prepareAhead(chunk: readonly CompiledSchema[]): Promise<void> {
    const needs = chunk.map((schema) => ({ schema, needs: needsOf(schema) }));
    await Promise.all(
      peers.map(async (peer) => {
        const mine = needs.flatMap(({ schema, needs: n }) =>
          whyNot(peer, n) === undefined ? [{ files: schema.files, entry: schema.main }] : [],
        );
        await peer.prepare?.(mine);
      }),
    );
  }

  /**
   * The peer whose encoding is the second opinion when our codec cannot read its own bytes: the
   * first selected peer that loaded the schema (so the sweep and shrinking ask the same one).
   */
  function referenceOf(sessions: ReadonlyMap<Peer, PeerSession>): { session?: PeerSession } {
    const p = peers.find((x) => sessions.has(x));
    return p === undefined ? {} : { session: sessions.get(p)! };
  }

  async function shrinkGroup(first: CaseResult, end: number): Promise<ShrunkCase | undefined> {
    const w = where.get(first)!;
    const kind = failureKind(first.fingerprint ?? '');
    const peer = peers.find((p) => p.name === first.peer);
    const property = first.property as AnyProperty;
    // fast-check's shrinking orders candidates by the generator's structure, not by how much a
    // person must read: a later candidate can be larger in text (a chained arbitrary regenerates
    // the included files). So the smallest failing candidate seen (IDL text + value JSON) is kept,
    // with the fast-check path that replays it.
    type Found = { c: GeneratedCase; type: string; value: object; o: CheckOutcome; path: string };
    let best: Found | undefined;
    let failures = 0;
    const startPath = first.path ?? String(w.si ?? 0);
    let lastFailPath: string | undefined;
    let sinceFail = 0;
    let candidatePath = startPath;
    const asReducible = (f: Omit<Found, 'path'>): ReducibleCase => {
      const C = f.c.schema.classes.get(f.type);
      return {
        files: f.c.schema.files,
        main: f.c.schema.main,
        type: f.type,
        value: C ? toPeerJson(C.__spec__, f.value) : {},
      };
    };
    const keep = (f: Omit<Found, 'path'>) => {
      if (best === undefined || caseSize(asReducible(f)) <= caseSize(asReducible(best)))
        best = { ...f, path: reducing ? best!.path : candidatePath };
    };
    // fast-check shrinks for up to half the time; the reducer has the rest (see reduce.ts).
    let phaseEnd = performance.now() + (end - performance.now()) / 2;
    let reducing = false;
    const stillFails = async (c: GeneratedCase): Promise<boolean> => {
      if (performance.now() > phaseEnd) return false;
      if (property === 'idl-roundtrip') {
        const o = checkIdlRoundtrip(c.schema.files, c.schema.user === true);
        if (!isFailing(o.verdict) || failureKind(o.fingerprint) !== kind) return false;
        keep({ c, type: [...c.schema.classes.keys()][0] ?? '', value: {}, o });
        return true;
      }
      const servers = new OurServers(c.schema);
      let session: PeerSession | undefined;
      try {
        if (peer === undefined && property === 'codec-roundtrip') {
          // Our own codec's failure: the reference peer as in the sweep (see referenceOf).
          for (const p of peers) {
            session = await PeerSession.open(p, c.schema).catch(() => undefined);
            if (session !== undefined) break;
          }
        }
        if (peer !== undefined) {
          // A candidate the peer would not be given is not the same failure; a peer that died
          // and stays dead cannot tell.
          if (whyNot(peer, needsOf(c.schema)) !== undefined) return false;
          if (!(await keeper.revive(peer))) return false;
          try {
            session = await PeerSession.open(peer, c.schema);
          } catch (e) {
            if (property !== 'load-idl') return false;
            const type = [...c.schema.classes.keys()][0] ?? '';
            const o = loadFailure(peer, e, performance.now());
            if (o.fingerprint !== first.fingerprint) return false;
            keep({ c, type, value: {}, o });
            return true;
          }
          if (property === 'load-idl') return false;
        }
        for (const cv of c.values) {
          if (cv === undefined) continue;
          if (
            peer !== undefined &&
            withholdsValue(peer, c.schema.classes.get(cv.type)!.__spec__, cv.value)
          )
            continue; // a value the sweep would not give this peer
          const o = await checkValue(
            {
              schema: c.schema,
              codec,
              ...(session ? { session } : {}),
              servers,
              ...judge,
              protocol: first.protocol,
              // invalid-input: the same case kind must show the same outcome.
              ...(property === 'invalid-input'
                ? { invalidFingerprint: first.fingerprint ?? '' }
                : {}),
            },
            property as Property,
            cv.type,
            cv.value,
            w.wire,
          );
          if (isFailing(o.verdict) && failureKind(o.fingerprint) === kind) {
            keep({ c, type: cv.type, value: cv.value, o });
            return true;
          }
        }
        return false;
      } catch {
        return false; // a candidate the harness cannot run is not the same failure
      } finally {
        session?.close();
        await servers.close();
      }
    };
    const out = await fc.check(
      fc.asyncProperty(arb, async (c: GeneratedCase) => {
        // The path of this candidate: fast-check replays `startPath` first, then tries the shrinks
        // of the latest failing candidate in order (path segment = index among them).
        candidatePath = lastFailPath === undefined ? startPath : `${lastFailPath}:${sinceFail}`;
        sinceFail++;
        const fails = await stillFails(c);
        if (fails) {
          failures++;
          lastFailPath = candidatePath;
          sinceFail = 0;
        }
        return !fails;
      }),
      {
        seed,
        path: startPath,
        interruptAfterTimeLimit: Math.max(1, phaseEnd - performance.now()),
      },
    );
    if (best === undefined) return undefined;
    // The paths kept beside candidates follow fast-check's own numbering; when they did not end
    // where fast-check did, they cannot be trusted to replay the smallest case: its bundle then
    // names the path of the case the shrinking started from (it still holds the case itself).
    const pathTrusted = out.counterexamplePath == null || lastFailPath === out.counterexamplePath;
    if (!pathTrusted) best = { ...best, path: startPath };
    // Then the reducer edits the smallest case found, for the rest of the time; every edit it
    // keeps has been kept as `best` by stillFails. A user's schema is theirs: only its value shrinks.
    reducing = true;
    phaseEnd = end;
    const { steps: reduced } =
      userSchemas.length > 0
        ? { steps: 0 }
        : await reduceCase(asReducible(best), {
            deadline: end,
            stillFails: (r) =>
              stillFails({ schema: r.schema, values: [{ type: r.type, value: r.codecValue }] }),
          });
    const b = best as Found;
    const schema = b.c.schema;
    const bw: Where = {
      origin: 'generated',
      ...(w.protocol !== undefined ? { protocol: w.protocol } : {}),
      type: b.type,
      value: b.value,
      schema,
      ...(w.wire ? { wire: w.wire } : {}),
    };
    const path = b.path;
    const asResult = resultOf(first.peer, first.property, b.o, bw, `${first.name} (shrunk)`, path);
    const files = bundleFor(
      asResult,
      bw,
      `${first.name}-shrunk`,
      pathTrusted ? path : undefined,
      reduced,
    );
    const C: StructClass | undefined = schema.classes.get(b.type);
    return {
      steps: Math.max(0, failures - 1) + reduced,
      ...(reduced > 0 ? { reduced } : {}),
      summary: b.o.summary,
      fingerprint: b.o.fingerprint,
      type: b.type,
      idl: schema.files,
      valueJson: C ? JSON.stringify(toPeerJson(C.__spec__, b.value)) : '{}',
      path,
      ...(b.o.wantedHex !== undefined ? { wantedHex: b.o.wantedHex } : {}),
      ...(b.o.gotHex !== undefined ? { gotHex: b.o.gotHex } : {}),
      byteDiff: b.o.byteDiff,
      valueDiff: b.o.valueDiff,
      ...files,
    };
  }

  return {
    results,
    knownFailures: known.uses(),
    knownFlaky: flaky.uses(),
    staleKnownFailures: known.stale(),
    schemas,
    casesPerPeer,
    notGiven,
    sweepMs,
    corpusCases,
    harnessErrors,
    ...(matrix.result().rows.length > 0 ? { invalidMatrix: matrix.result() } : {}),
    peerHealth: Object.fromEntries(
      peers.map((p) => [p.name, { ...keeper.health(p), notRun: notRunCounts[p.name] ?? 0 }]),
    ),
    ...(stoppedEarly !== undefined ? { stoppedEarly } : {}),
  };
}

/**
 * Where peers disagree on the same value and property, says who is the odd one out: a failing
 * peer while another agrees with us, or every peer failing the same way (then suspect our codec).
 * Appends that to the failing results' summaries. Results of `us` (our codec, default `ours`) are
 * left as they are. Never throws.
 */
export function oddOneOut<T extends { r: CaseResult }>(items: readonly T[], us = 'ours'): T[] {
  const byProperty = new Map<string, T[]>();
  for (const it of items) {
    // Our own results are the yardstick ("with us"), not one of the peers compared; invalid-input
    // cases are compared in the matrix instead.
    if (it.r.peer === us || it.r.property === 'invalid-input') continue;
    const list = byProperty.get(it.r.property) ?? [];
    list.push(it);
    byProperty.set(it.r.property, list);
  }
  const note = new Map<T, string>();
  for (const list of byProperty.values()) {
    if (list.length < 2) continue;
    const failing = list.filter((x) => isFailing(x.r.verdict));
    const passing = list.filter((x) => !isFailing(x.r.verdict));
    if (failing.length === 0) continue;
    if (passing.length > 0) {
      const agree = passing.map((x) => x.r.peer).join(' and ');
      for (const x of failing)
        note.set(
          x,
          `odd one out: ${x.r.peer} (${agree} agree${passing.length > 1 ? '' : 's'} with us)`,
        );
    } else if (new Set(failing.map((x) => x.r.fingerprint)).size === 1) {
      for (const x of failing) note.set(x, `every peer fails the same way: check our side too`);
    }
  }
  return items.map((it) => {
    const n = note.get(it);
    return n === undefined ? it : { ...it, r: { ...it.r, summary: `${it.r.summary} [${n}]` } };
  });
}

/** Converts a JSON value of `C` from a bundle into a value (for `replay`). Throws when it does not fit. */
export function bundleValue(C: StructClass, value: Json): object {
  return fromPeerJson(C.__spec__, value) as object;
}
