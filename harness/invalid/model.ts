/**
 * The invalid-input matrix's data model: what each reader (our codec and every peer) does with
 * bytes it must refuse, or that sit at the edge of the spec. Plain JSON-able data (bytes as hex),
 * shared by the case generators (values and envelopes), the runner and the reporters.
 */

/** What one reader did with one case's bytes. */
export type Outcome =
  /** It decoded them (the cell says what it decoded). */
  | 'accepted'
  /** It refused them with an error of its decoder (the cell says which). */
  | 'refused'
  /** It failed in any other way: an unexpected exception, a dead peer process. */
  | 'crashed'
  /** It did not answer within the bounded time (or went over the bounded memory). */
  | 'hung';

/**
 * What the spec says a reader must do with a case: refuse it, accept it (and decode what
 * `expected` says), or nothing (each reader's choice is shown, disagreements are marked).
 */
export type SpecRule = 'must-refuse' | 'must-accept' | 'silent';

/** One reader's answer to one case. */
export interface MatrixCell {
  /** `ours` for our codec, else the peer's name. */
  readonly reader: string;
  readonly outcome: Outcome;
  /** One line for a person: the error's first line, or the decoded value's JSON (cut to 200 chars). */
  readonly detail: string;
  /** For `accepted`: the decoded value in the peers' JSON value encoding. */
  readonly decoded?: unknown;
  /** Whether this cell breaks the case's spec rule (must-refuse accepted, must-accept refused, any crash or hang). */
  readonly violates: boolean;
  /** Why an acceptance is not a violation: the reader's manifest says it does not check this (`unions: false`). */
  readonly documented?: string;
}

/** One invalid (or edge) case and every reader's answer to it. */
export interface MatrixRow {
  /** Stable, hierarchical: `<protocol>/invalid/<group>/<kind>/<schema id>/<type>#<n>`. */
  readonly name: string;
  readonly protocol: 'binary' | 'compact';
  /** The row group in the matrix: `unions`, `required`, `wire-types`, `duplicates`, `lengths`, `envelopes`, `values`. */
  readonly group: string;
  /** The case kind inside its group, stable across runs: `union-two-fields`, `bool-byte-2`, … */
  readonly kind: string;
  /** For a person: `union U with fields a (1) and b (2) both set, at args.u`. */
  readonly what: string;
  readonly spec: SpecRule;
  /** Where the spec says so (`doc/specs/thrift-binary-protocol.md: …`), or why it is silent. */
  readonly specRef: string;
  /** The bytes every reader was given, as hex. */
  readonly bytesHex: string;
  /** The type (or service function) the bytes were read as. */
  readonly type: string;
  /** For `must-accept` cases: the value a reader must decode, in the peers' JSON value encoding. */
  readonly expected?: unknown;
  readonly cells: readonly MatrixCell[];
  /** Readers disagree: at least one accepted and at least one refused. */
  readonly disagree: boolean;
}
