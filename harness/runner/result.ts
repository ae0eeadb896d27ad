/**
 * The data model of a run's results: what the runner produces, what every reporter reads and
 * what `merge` combines across shards. Plain JSON-able data (bytes as hex strings), versioned.
 */
import type { InvalidMatrix } from '../invalid/matrix.js';

/** How one comparison came out (DESIGN.md: classify every difference). */
export type Verdict =
  /** Same bytes, same meaning. */
  | 'identical'
  /** Bytes differ, meaning is the same, and the difference is one the spec allows (field order, map/set order, envelope form). Reported, not failed, unless --strict-bytes. */
  | 'allowed-variant'
  /** A real incompatibility: the meaning differs, or bytes differ in a way the spec does not allow. */
  | 'mismatch'
  /** The peer rejected valid input, crashed or hung. */
  | 'peer-error'
  /** A mismatch or peer error that a known-failures entry names (with its reason). */
  | 'known-failure'
  /** A mismatch or peer error that a `--known-flaky` entry names: reported, never fails the run. */
  | 'known-flaky'
  /**
   * The case could not be run: its peer died and could not be restarted (or its restarts were
   * used up). Not a finding about the case; the run's exit code is 2 when any case is not run.
   */
  | 'not-run';

/** One differing byte range, mapped to what it is. */
export interface ByteDiffSpan {
  /** Offset into the expected (wanted) bytes. */
  readonly offset: number;
  readonly length: number;
  /** The field path, e.g. `args.value.items[3].key`. */
  readonly path: string;
  /** What the bytes are in the protocol: `field header`, `length`, `value`, `stop`, `list header`, … */
  readonly meaning: string;
}

/** One semantic difference: `- wanted / + got` at a field path. */
export interface ValueDiff {
  readonly path: string;
  /** JSON text of the wanted value (absent when the field should be unset). */
  readonly wanted?: string;
  /** JSON text of the value got (absent when it is unset). */
  readonly got?: string;
}

/** One comparison of one case against one peer on one wire setting. */
export interface CaseResult {
  /** Hierarchical case name: `binary/peer:some-peer/struct-nested-map`. */
  readonly name: string;
  readonly peer: string;
  readonly protocol: 'binary' | 'compact';
  /** The transport of an RPC check; `tchannel` has no envelope. */
  readonly transport?: 'framed' | 'buffered' | 'tchannel';
  readonly envelope?: 'strict' | 'nonstrict';
  /** Which property: `codec-roundtrip`, `peer-roundtrip`, `our-client-peer-server`, `peer-client-our-server`, … */
  readonly property: string;
  readonly verdict: Verdict;
  /** One line a person reads first: what differs and where. */
  readonly summary: string;
  /** A stable fingerprint of the mismatch (for known-failures matching), e.g. `set-order` or `field:Foo.bar:missing`. */
  readonly fingerprint?: string;
  /** The reason from the known-failures (or known-flaky) entry that matched. */
  readonly knownReason?: string;
  /** The `file:line` of that entry: what groups known failures by cause. */
  readonly knownEntry?: string;
  readonly wantedHex?: string;
  readonly gotHex?: string;
  readonly byteDiff?: readonly ByteDiffSpan[];
  readonly valueDiff?: readonly ValueDiff[];
  /** The IDL files of the case (path → text), the value as JSON, the seed and fast-check path. */
  readonly idl?: Readonly<Record<string, string>>;
  readonly valueJson?: string;
  readonly seed?: number;
  readonly path?: string;
  /** One command that replays just this case against just this peer. */
  readonly replay?: string;
  /** Where its bundle was written, relative to the report folder. */
  readonly bundle?: string;
  readonly durationMs: number;
  /** The peer's stderr tail, for peer errors. */
  readonly stderr?: string;
  /** The generated type the value is an instance of (`Foo`). */
  readonly type?: string;
  /** Where this case came from: generated (default), or replayed from the regression corpus. */
  readonly origin?: 'generated' | 'corpus';
  /** For the first failure of each (peer, property, fingerprint): the smallest case that still shows it. */
  readonly shrunk?: ShrunkCase;
}

/** The smallest schema and value fast-check's shrinking found that still fail the same way. */
export interface ShrunkCase {
  /** Shrinking steps fast-check took (0: the case was already minimal or shrinking was cut short). */
  readonly steps: number;
  /** The shrunk case's own summary, naming the field path. */
  readonly summary: string;
  readonly fingerprint: string;
  readonly type: string;
  readonly idl: Readonly<Record<string, string>>;
  readonly valueJson: string;
  /**
   * The fast-check path of the shrunk case (replays it with the run's seed); with `reduced`, the
   * path of the case before the reducer's edits.
   */
  readonly path: string;
  /** Edits the reducer kept after fast-check (included in `steps`); absent when none. */
  readonly reduced?: number;
  readonly wantedHex?: string;
  readonly gotHex?: string;
  readonly byteDiff?: readonly ByteDiffSpan[];
  readonly valueDiff?: readonly ValueDiff[];
  /** One command that replays the shrunk case against just this peer. */
  readonly replay?: string;
  /** Where its bundle was written, relative to the report folder. */
  readonly bundle?: string;
}

/** One entry of a known-failures file (`cases/known-failures/<peer>.txt`). */
export interface KnownFailureEntry {
  readonly peer: string;
  /** The pattern as written: a fingerprint, or a case-name glob (`*` matches anything). */
  readonly entry: string;
  readonly reason: string;
  /** `file:line` of the entry. */
  readonly source: string;
  /**
   * `fixed in X`: the first release of the peer's library seen without the failure. The entry
   * applies to peers whose library version is older; for the others it is a finding of earlier
   * releases that must stay fixed (a failure it names is a regression, not a known failure).
   */
  readonly fixedIn?: string;
}

/** How a known-failures entry fared in a run. */
export interface KnownFailureUse extends KnownFailureEntry {
  /** Failures it matched (they became `known-failure`). */
  readonly matched: number;
  /** Cases it names that passed (identical or allowed-variant). */
  readonly passing: number;
  /** False for an entry fixed in an older release than the peer's (see `fixedIn`). */
  readonly applies?: boolean;
}

/** Per-peer facts of a run. */
export interface PeerSummary {
  readonly name: string;
  readonly version: string;
  readonly backend: 'process' | 'container';
  readonly startMs: number;
  readonly cases: number;
  readonly casesPerSecond: number;
  /** Values this peer was not given (the schema needs what its abilities lack), by reason. */
  readonly notGiven?: Readonly<Record<string, number>>;
  /** Times the peer died during the run and was started again. */
  readonly restarts?: number;
  /**
   * Times the harness stopped (and started again) the peer because a read went over its bounds
   * (invalid-input: a confirmed hang, or a first read that may have waited behind one).
   */
  readonly hangStops?: number;
  /** Results of this peer with verdict `not-run`. */
  readonly notRun?: number;
  /** Why the peer last died (its exit status and the last line it printed), when it did. */
  readonly died?: string;
}

/** A whole run (or a merge of shards). */
export interface RunReport {
  readonly schemaVersion: 1;
  readonly tool: { readonly name: 'thrift-conform'; readonly version: string };
  readonly startedAt: string;
  readonly durationMs: number;
  readonly seed: number;
  readonly shard?: { readonly index: number; readonly count: number };
  readonly command: string;
  readonly peers: readonly PeerSummary[];
  readonly results: readonly CaseResult[];
  /** Known-failures entries that matched nothing or whose case now passes (each fails the run). */
  readonly staleKnownFailures: readonly {
    readonly peer: string;
    readonly entry: string;
    /** `unmatched`: it matched no failure in the run; `now-passing`: a case it names passed. */
    readonly kind: 'unmatched' | 'now-passing';
    readonly why: string;
  }[];
  /** Every known-failures entry of the selected peers and how it fared (merge sums these). */
  readonly knownFailures?: readonly KnownFailureUse[];
  /** Every `--known-flaky` entry and how it fared (an unused one is reported, never fails the run). */
  readonly knownFlaky?: readonly KnownFailureUse[];
  /** Schemas checked (generated and corpus; merge sums them). */
  readonly schemas?: number;
  /** What failed inside the harness (the run is incomplete; exit code 2). Reports are still written. */
  readonly harnessErrors?: readonly string[];
  /** Why the run stopped before its planned end, e.g. the time budget (not an error). */
  readonly stoppedEarly?: string;
  /** The invalid-input matrix: per protocol and case kind, what each reader did (harness/invalid/matrix.ts). */
  readonly invalidMatrix?: InvalidMatrix;
  /** 0 = conformant, 1 = mismatches, 2 = the harness could not run. */
  readonly exitCode: 0 | 1 | 2;
}
