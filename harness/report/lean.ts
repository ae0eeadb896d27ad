/**
 * The compact form of results that results.jsonl and report.json (format version 2) share, so a
 * default run's ~48,000 results fit in a few MB:
 * - each schema's IDL is written once (an id), full results refer to it instead of repeating it;
 * - passing results, and known failures beyond the first few of their cause, are *lean rows*:
 *   `[group, name, durationMs, atMs?, extra?]`, where a *group* holds what many results share
 *   (peer, protocol, transport, envelope, property, verdict, fingerprint, known entry, origin,
 *   the summary of its first result, and the name prefix its rows leave out; the known reason
 *   only without a known entry, else it is taken from a full result or `knownFailures` with that
 *   entry). A lean row keeps no bytes, diffs, IDL, value or own summary (it reads back with the
 *   group's); `extra` holds the id of the schema (non-passing rows).
 * Reading turns every row back into a CaseResult (lean ones without those details).
 */
import type { CaseResult, Verdict } from '../runner/result.js';
import { causeKey } from './causes.js';
import { isFailure, isPass } from './text.js';

/** The version of results.jsonl and report.json this module writes (version 1 is still read). */
export const FORMAT_VERSION = 2;

/** What the lean rows of one group share. */
export interface LeanGroup {
  readonly peer: string;
  readonly protocol: CaseResult['protocol'];
  readonly transport?: NonNullable<CaseResult['transport']>;
  readonly envelope?: NonNullable<CaseResult['envelope']>;
  readonly property: string;
  readonly verdict: Verdict;
  readonly fingerprint?: string;
  readonly knownEntry?: string;
  readonly knownReason?: string;
  readonly origin?: NonNullable<CaseResult['origin']>;
  /** The summary of the group's first result (a row's own is in its extra when it differs). */
  readonly summary: string;
  /** What every row's name starts with (left out of the rows). */
  readonly prefix: string;
}

/** What a lean row may hold beyond the group: its own summary, its schema id. */
export interface LeanExtra {
  readonly s?: string;
  readonly schema?: number;
}

/** `[group id, name without the group's prefix, durationMs, atMs?, extra?]`. */
export type LeanRow =
  | readonly [number, string, number]
  | readonly [number, string, number, number]
  | readonly [number, string, number, number, LeanExtra];

/** Options of {@link LeanWriter}. */
export interface LeanOptions {
  /** Results of a known (or not-run) cause written in full before the rest go lean (default 3). */
  readonly fullPerCause?: number;
  /** Lean rows keep their own summary, cut to this many characters (default 0: never). */
  readonly summaryChars?: number;
}

const round = (ms: number) => Math.round(ms * 10) / 10;

/** The name prefix of a group: the name up to `peer:<peer>/<property>/`, or nothing. */
function prefixOf(r: CaseResult): string {
  const mark = `peer:${r.peer}/${r.property}/`;
  const at = r.name.indexOf(mark);
  return at < 0 ? '' : r.name.slice(0, at + mark.length);
}

/**
 * Decides which results are written in full and turns the others into lean rows, numbering
 * schemas and groups as they first appear. One writer per file; not for concurrent use.
 */
export class LeanWriter {
  private readonly schemaIds = new Map<string, number>();
  private readonly groupIds = new Map<string, number>();
  private readonly perCause = new Map<string, number>();
  private readonly summaries = new Map<string, string>();
  private readonly fullPerCause: number;
  private readonly summaryChars: number;

  /** Defaults: 3 results in full per known cause, lean rows without their own summary. */
  constructor(options: LeanOptions = {}) {
    this.fullPerCause = options.fullPerCause ?? 3;
    this.summaryChars = options.summaryChars ?? 0;
  }

  /**
   * The schema id of an IDL, and the IDL itself when it is new (to be written before the
   * result that refers to it). Never throws.
   */
  schema(idl: Readonly<Record<string, string>>): { id: number; fresh: boolean } {
    const key = JSON.stringify(idl);
    const had = this.schemaIds.get(key);
    if (had !== undefined) return { id: had, fresh: false };
    const id = this.schemaIds.size + 1;
    this.schemaIds.set(key, id);
    return { id, fresh: true };
  }

  /**
   * True when `r` is written in full: mismatches and peer errors always, results with a shrunk
   * case or a bundle, those in `always`, and the first few of every other non-passing cause;
   * other passing results never. Counts the result towards its cause. Never throws.
   */
  full(r: CaseResult, always?: ReadonlySet<CaseResult>): boolean {
    if (always?.has(r)) return true;
    if (isPass(r.verdict)) return false;
    if (isFailure(r.verdict) || r.shrunk !== undefined || r.bundle !== undefined) return true;
    const key = `${r.peer}\u0000${r.verdict}\u0000${causeKey(r)}`;
    const n = this.perCause.get(key) ?? 0;
    this.perCause.set(key, n + 1);
    return n < this.fullPerCause;
  }

  /**
   * The lean row of `r` (see the module comment) and its group when the group is new (to be
   * written before the row). `schema` is its schema id, kept for non-passing rows. Never throws.
   */
  lean(
    r: CaseResult,
    atMs?: number,
    schema?: number,
  ): { row: LeanRow; group?: { id: number; group: LeanGroup } } {
    const prefix = prefixOf(r);
    const shape = {
      peer: r.peer,
      protocol: r.protocol,
      ...(r.transport !== undefined ? { transport: r.transport } : {}),
      ...(r.envelope !== undefined ? { envelope: r.envelope } : {}),
      property: r.property,
      verdict: r.verdict,
      ...(r.fingerprint !== undefined ? { fingerprint: r.fingerprint } : {}),
      ...(r.knownEntry !== undefined ? { knownEntry: r.knownEntry } : {}),
      ...(r.knownReason !== undefined && r.knownEntry === undefined
        ? { knownReason: r.knownReason }
        : {}),
      ...(r.origin !== undefined ? { origin: r.origin } : {}),
      prefix,
    };
    const key = JSON.stringify(shape);
    let id = this.groupIds.get(key);
    let fresh: { id: number; group: LeanGroup } | undefined;
    if (id === undefined) {
      id = this.groupIds.size + 1;
      this.groupIds.set(key, id);
      fresh = { id, group: { ...shape, summary: r.summary } };
      this.summaries.set(key, r.summary);
    }
    const extra: { s?: string; schema?: number } = {};
    if (
      !fresh &&
      this.summaryChars > 0 &&
      r.verdict !== 'identical' &&
      r.summary !== this.summaries.get(key)
    )
      extra.s =
        r.summary.length > this.summaryChars
          ? r.summary.slice(0, this.summaryChars) + '…'
          : r.summary;
    if (schema !== undefined && !isPass(r.verdict)) extra.schema = schema;
    const name = r.name.slice(prefix.length);
    const ms = round(r.durationMs);
    const row: LeanRow =
      Object.keys(extra).length > 0
        ? [id, name, ms, atMs ?? 0, extra]
        : atMs !== undefined
          ? [id, name, ms, atMs]
          : [id, name, ms];
    return fresh ? { row, group: fresh } : { row };
  }
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/**
 * Checks that `x` is a lean row; returns what is wrong with it, or undefined. Never throws.
 */
export function leanRowProblem(x: unknown): string | undefined {
  if (!Array.isArray(x)) return 'not an array';
  if (x.length < 3 || x.length > 5) return `a lean row has 3 to 5 items, not ${x.length}`;
  if (!Number.isInteger(x[0])) return 'item 1 (the group id) is not an integer';
  if (typeof x[1] !== 'string') return 'item 2 (the name) is not a string';
  if (typeof x[2] !== 'number') return 'item 3 (durationMs) is not a number';
  if (x.length >= 4 && typeof x[3] !== 'number') return 'item 4 (atMs) is not a number';
  if (x.length === 5 && !isObject(x[4])) return 'item 5 (extra) is not an object';
  return undefined;
}

/**
 * What is wrong with a lean group, or undefined when it has every field a result needs.
 * Never throws.
 */
export function leanGroupProblem(x: unknown): string | undefined {
  if (!isObject(x)) return 'the group is not an object';
  for (const k of ['peer', 'protocol', 'property', 'verdict', 'summary', 'prefix'])
    if (typeof x[k] !== 'string') return `the group's ${k} is not a string`;
  return undefined;
}

/**
 * The CaseResult of a lean row: the group's fields, the name with its prefix, the row's duration
 * and summary (the group's when the row has none), and the IDL of its schema when known. Throws
 * an Error saying what is missing when the row names an unknown group or schema.
 */
export function inflate(
  row: LeanRow,
  groups: ReadonlyMap<number, LeanGroup>,
  schemas: ReadonlyMap<number, Readonly<Record<string, string>>>,
): CaseResult {
  const g = groups.get(row[0]);
  if (!g) throw new Error(`group ${row[0]} is not defined before this row`);
  const extra = row.length === 5 ? row[4] : undefined;
  let idl: Readonly<Record<string, string>> | undefined;
  if (extra?.schema !== undefined) {
    idl = schemas.get(extra.schema);
    if (!idl) throw new Error(`schema ${extra.schema} is not defined before this row`);
  }
  const { prefix, summary, ...shared } = g;
  return {
    ...shared,
    name: prefix + row[1],
    summary: extra?.s ?? summary,
    durationMs: row[2],
    ...(idl ? { idl } : {}),
  };
}

/**
 * Fills in the known reason of results that have a known entry but no reason (lean rows), from
 * a full result with the same entry or from the report's known-failures (and known-flaky) uses,
 * whose `source` is the entry. Returns the results (the same objects when nothing was missing).
 * Never throws.
 */
export function fillKnownReasons(
  results: readonly CaseResult[],
  uses: readonly { readonly source: string; readonly reason: string }[] = [],
): CaseResult[] {
  const reasons = new Map<string, string>();
  for (const u of uses) reasons.set(u.source, u.reason);
  for (const r of results)
    if (r.knownEntry !== undefined && r.knownReason !== undefined)
      reasons.set(r.knownEntry, r.knownReason);
  return results.map((r) => {
    if (r.knownEntry === undefined || r.knownReason !== undefined) return r;
    const reason = reasons.get(r.knownEntry);
    return reason === undefined ? r : { ...r, knownReason: reason };
  });
}
