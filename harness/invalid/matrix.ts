/**
 * The invalid-input matrix as the reports hold it: one row per (protocol, group, kind), one cell
 * per reader with how often it accepted, refused, crashed or hung across the row's instances, and
 * one concrete example (bytes, what it read or its error) — small enough for report.json however
 * many cases ran. Rows from values (values.ts) and envelopes (envelopes.ts) go in alike; shards'
 * matrices merge by adding counts.
 */
import type { MatrixRow, Outcome, SpecRule } from './model.js';

/** One concrete case of a row (or a reader's violating one). */
export interface MatrixExample {
  readonly name: string;
  readonly what: string;
  /** The bytes, as hex (cut to 256 hex digits; `bytesLength` says how long they were). */
  readonly bytesHex: string;
  readonly bytesLength: number;
  readonly type: string;
  /** For must-accept cases: what a reader had to read (JSON; left out when longer than 300 characters). */
  readonly expected?: unknown;
  /** For a reader's violation: its error, or what it read (cut to 160 characters). */
  readonly detail?: string;
}

/** One reader's answers to the instances of one row. */
export interface MatrixCellSummary {
  readonly accepted: number;
  readonly refused: number;
  readonly crashed: number;
  readonly hung: number;
  /** Answers that break the row's spec rule. */
  readonly violations: number;
  /** Acceptances its manifest documents (`unions: false`), not counted as violations. */
  readonly documented: number;
  /**
   * What it did with the row's example case (its error, or what it read; cut to 120 characters),
   * or with its own first case of the row (named in `detailOf`) when it was not given that one.
   */
  readonly detail?: string;
  readonly detailOf?: string;
  /** Its first answer that broke the rule, with the case. */
  readonly violation?: MatrixExample;
}

/** One case kind in one protocol. */
export interface MatrixKindRow {
  readonly protocol: 'binary' | 'compact';
  readonly group: string;
  readonly kind: string;
  readonly spec: SpecRule;
  readonly specRef: string;
  /** Cases of this kind (each read by every reader that could take it). */
  readonly instances: number;
  /** Instances where one reader accepted and another refused. */
  readonly disagreements: number;
  /** The row's first case: every cell's `detail` is what that reader did with it. */
  readonly example?: MatrixExample;
  readonly cells: Readonly<Record<string, MatrixCellSummary>>;
}

/** The whole matrix (`report.json`'s `invalidMatrix`). */
export interface InvalidMatrix {
  /** Every reader that answered, `ours` first. */
  readonly readers: readonly string[];
  /** Sorted by protocol, group (in GROUP_ORDER), kind. */
  readonly rows: readonly MatrixKindRow[];
}

/** The order of the groups in the matrix. */
export const GROUP_ORDER: readonly string[] = [
  'unions',
  'required',
  'wire-types',
  'duplicates',
  'lengths',
  'values',
  'envelopes',
];

const EMPTY: MatrixCellSummary = {
  accepted: 0,
  refused: 0,
  crashed: 0,
  hung: 0,
  violations: 0,
  documented: 0,
};

/** JSON of at most `max` characters, else undefined. */
function small(v: unknown, max = 300): unknown {
  if (v === undefined) return undefined;
  const t = JSON.stringify(v);
  return t !== undefined && t.length <= max ? v : undefined;
}

/** The example of case `r` (without a reader's detail). */
function exampleOf(r: MatrixRow): MatrixExample {
  const expected = small(r.expected);
  return {
    name: r.name,
    what: r.what,
    bytesHex: r.bytesHex.slice(0, 256),
    bytesLength: r.bytesHex.length / 2,
    type: r.type,
    ...(expected !== undefined ? { expected } : {}),
  };
}

/** Adds up MatrixRows as they come; `result()` gives the matrix. */
export class MatrixBuilder {
  readonly #rows = new Map<
    string,
    { row: Omit<MatrixKindRow, 'cells'>; cells: Map<string, MatrixCellSummary> }
  >();
  readonly #readers = new Set<string>(['ours']);

  /** Counts one case and its cells. Never throws. */
  add(r: MatrixRow): void {
    const key = `${r.protocol}\u0000${r.group}\u0000${r.kind}`;
    let e = this.#rows.get(key);
    if (e === undefined) {
      e = {
        row: {
          protocol: r.protocol,
          group: r.group,
          kind: r.kind,
          spec: r.spec,
          specRef: r.specRef,
          instances: 0,
          disagreements: 0,
          example: exampleOf(r),
        },
        cells: new Map(),
      };
      this.#rows.set(key, e);
    }
    e.row = {
      ...e.row,
      instances: e.row.instances + 1,
      disagreements: e.row.disagreements + (r.disagree ? 1 : 0),
    };
    const isExample = e.row.example?.name === r.name;
    for (const c of r.cells) {
      this.#readers.add(c.reader);
      const was = e.cells.get(c.reader) ?? EMPTY;
      const detail = c.detail.slice(0, 120);
      e.cells.set(c.reader, {
        ...was,
        ...countOf(was, c.outcome),
        violations: was.violations + (c.violates ? 1 : 0),
        documented: was.documented + (c.documented !== undefined ? 1 : 0),
        ...(isExample ? { detail } : was.detail === undefined ? { detail, detailOf: r.name } : {}),
        ...(c.violates && was.violation === undefined
          ? { violation: { ...exampleOf(r), detail: c.detail.slice(0, 160) } }
          : {}),
      });
    }
  }

  /** The matrix so far. Never throws. */
  result(): InvalidMatrix {
    return sortMatrix({
      readers: [...this.#readers],
      rows: [...this.#rows.values()].map((e) => ({ ...e.row, cells: Object.fromEntries(e.cells) })),
    });
  }
}

/** `was` with one more `outcome`. */
function countOf(
  was: MatrixCellSummary,
  outcome: Outcome,
): Pick<MatrixCellSummary, 'accepted' | 'refused' | 'crashed' | 'hung'> {
  return {
    accepted: was.accepted + (outcome === 'accepted' ? 1 : 0),
    refused: was.refused + (outcome === 'refused' ? 1 : 0),
    crashed: was.crashed + (outcome === 'crashed' ? 1 : 0),
    hung: was.hung + (outcome === 'hung' ? 1 : 0),
  };
}

/** Rows in protocol, group, kind order; readers `ours` first, then by name. Never throws. */
function sortMatrix(m: InvalidMatrix): InvalidMatrix {
  const g = (x: string) => {
    const i = GROUP_ORDER.indexOf(x);
    return i < 0 ? GROUP_ORDER.length : i;
  };
  return {
    readers: [...m.readers].sort((a, b) =>
      a === 'ours' ? -1 : b === 'ours' ? 1 : a.localeCompare(b),
    ),
    rows: [...m.rows].sort(
      (a, b) =>
        a.protocol.localeCompare(b.protocol) ||
        g(a.group) - g(b.group) ||
        a.group.localeCompare(b.group) ||
        a.kind.localeCompare(b.kind),
    ),
  };
}

/** The fields `keys` of `x` that are set. */
function pick<K extends keyof MatrixCellSummary>(
  x: MatrixCellSummary,
  ...keys: K[]
): Partial<Pick<MatrixCellSummary, K>> {
  const out: Partial<Pick<MatrixCellSummary, K>> = {};
  for (const k of keys) if (x[k] !== undefined) out[k] = x[k];
  return out;
}

/**
 * The matrix of several shards: counts added per row and reader, the first shard's example and
 * details kept, each reader's first violation. Never throws.
 */
export function mergeMatrices(
  ms: readonly (InvalidMatrix | undefined)[],
): InvalidMatrix | undefined {
  const present = ms.filter((m): m is InvalidMatrix => m !== undefined);
  if (present.length === 0) return undefined;
  const rows = new Map<string, MatrixKindRow>();
  const readers = new Set<string>();
  for (const m of present) {
    for (const r of m.readers) readers.add(r);
    for (const row of m.rows) {
      const key = `${row.protocol}\u0000${row.group}\u0000${row.kind}`;
      const was = rows.get(key);
      if (was === undefined) {
        rows.set(key, row);
        continue;
      }
      const cells: Record<string, MatrixCellSummary> = { ...was.cells };
      for (const [reader, c] of Object.entries(row.cells)) {
        const a = cells[reader];
        if (a === undefined) {
          cells[reader] = c;
          continue;
        }
        cells[reader] = {
          accepted: a.accepted + c.accepted,
          refused: a.refused + c.refused,
          crashed: a.crashed + c.crashed,
          hung: a.hung + c.hung,
          violations: a.violations + c.violations,
          documented: a.documented + c.documented,
          ...pick(a.detail !== undefined ? a : c, 'detail', 'detailOf'),
          ...pick(a.violation !== undefined ? a : c, 'violation'),
        };
      }
      rows.set(key, {
        ...was,
        instances: was.instances + row.instances,
        disagreements: was.disagreements + row.disagreements,
        cells,
      });
    }
  }
  return sortMatrix({ readers: [...readers], rows: [...rows.values()] });
}

/** The cell's outcomes in words: `12 accepted, 3 refused`. Never throws. */
export function cellCounts(c: MatrixCellSummary): string {
  const parts: string[] = [];
  for (const k of ['accepted', 'refused', 'crashed', 'hung'] as const)
    if (c[k] > 0) parts.push(`${c[k]} ${k}`);
  return parts.join(', ') || 'none';
}

/**
 * The cell's main outcome for colouring: `crashed` or `hung` when any, else `mixed` when it both
 * accepted and refused, else the one it did. Never throws.
 */
export function cellClass(
  c: MatrixCellSummary,
): 'accepted' | 'refused' | 'crashed' | 'hung' | 'mixed' | 'none' {
  if (c.crashed > 0) return 'crashed';
  if (c.hung > 0) return 'hung';
  if (c.accepted > 0 && c.refused > 0) return 'mixed';
  if (c.accepted > 0) return 'accepted';
  if (c.refused > 0) return 'refused';
  return 'none';
}
