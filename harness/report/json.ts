/**
 * report.json (format version 2; `schemas/report.schema.json`): the run-level facts, the verdict
 * totals, the causes (see causes.ts: each with its examples in full and every case name), the
 * passing tallies, then every result in run order — in full (without its IDL: `schema` names an
 * entry of `idl`) for mismatches, peer errors, results with a shrunk case or a bundle and the
 * first 3 of every other non-passing cause; as a lean row `[group, name, durationMs]` of a
 * `groups` entry for the others (see lean.ts). One top-level field, cause or result a line.
 * Version 1 files (every result in full) are still read.
 */
import type { CaseResult, RunReport } from '../runner/result.js';
import type { Cause, Causes } from './causes.js';
import { groupCauses } from './causes.js';
import type { LeanGroup, LeanRow } from './lean.js';
import { FORMAT_VERSION, LeanWriter, inflate, leanGroupProblem, leanRowProblem } from './lean.js';
import { MODEL_VERSION } from './jsonl.js';
import { idlProblem, reportFieldsProblem, resultProblem } from './shape.js';
import { isPass, tally } from './text.js';
import { JSONL_FILE } from './jsonl.js';

/** Options of {@link formatJson}. */
export interface JsonOptions {
  /**
   * The report is written beside a results.jsonl that holds every result: passing results are
   * counted (`passingResults`) instead of repeated, and readReportDir reads them from there.
   * Default false (report.json stands alone).
   */
  readonly passingInJsonl?: boolean;
}

/** The default file name in a report folder. */
export const JSON_FILE = 'report.json';

/** A result as report.json holds it in full: its IDL replaced by the id of an `idl` entry. */
export type StoredResult = Omit<CaseResult, 'idl'> & { readonly schema?: number };

/**
 * A cause as report.json holds it: its examples as indexes into `results` (where they are in
 * full), every other field as it is (`cases`: every case name).
 */
export type StoredCause = Omit<Cause, 'examples' | 'results'> & {
  readonly examples: readonly number[];
};

function storedCause(c: Cause, index: ReadonlyMap<CaseResult, number>): StoredCause {
  const { examples, results: _r, ...rest } = c;
  return { ...rest, examples: examples.map((r) => index.get(r) ?? -1) };
}

/** Causes memoized per report (formats of one report share them). */
const causesCache = new WeakMap<RunReport, Causes>();

/** The causes of a report (groupCauses of its results), computed once per report object. Never throws. */
export function causesOf(report: RunReport): Causes {
  const had = causesCache.get(report);
  if (had) return had;
  const c = groupCauses(report.results);
  causesCache.set(report, c);
  return c;
}

/**
 * The report as report.json text (see the module comment): one top-level field a line, arrays
 * of causes and results one item a line, newline at the end. With `passingInJsonl` (default
 * false) passing results are counted, not written (results.jsonl beside it holds them). Never
 * throws for a RunReport.
 */
export function formatJson(report: RunReport, options: JsonOptions = {}): string {
  const { results, schemaVersion: _v, ...rest } = report;
  const beside = options.passingInJsonl === true;
  const { causes, passing, variants } = causesOf(report);
  // Where each result written is in `results` (examples point there).
  const index = new Map<CaseResult, number>();
  const examples = new Set(causes.flatMap((c) => c.examples));
  const lean = new LeanWriter();
  const idl: Record<number, Readonly<Record<string, string>>> = {};
  const groups: Record<number, LeanGroup> = {};
  const stored: (StoredResult | LeanRow)[] = [];
  let leftOut = 0;
  for (const r of results) {
    // Passing results beside a results.jsonl that holds them: counted, not repeated.
    if (beside && isPass(r.verdict) && !examples.has(r)) {
      leftOut++;
      continue;
    }
    let schema: number | undefined;
    if (r.idl !== undefined) {
      const s = lean.schema(r.idl);
      schema = s.id;
      if (s.fresh) idl[s.id] = r.idl;
    }
    index.set(r, stored.length);
    if (lean.full(r, examples)) {
      const { idl: _i, ...without } = r;
      stored.push(schema !== undefined ? { ...without, schema } : without);
    } else {
      const { row, group } = lean.lean(r);
      if (group) groups[group.id] = group.group;
      stored.push(row);
    }
  }
  const doc: [string, unknown][] = [
    ['schemaVersion', FORMAT_VERSION],
    ...Object.entries(rest),
    ['totals', { cases: results.length, ...tally(results) }],
    ['causes', causes.map((c) => storedCause(c, index))],
    ['passing', passing],
    ['variants', variants],
    ['idl', idl],
    ['groups', groups],
    ...(beside
      ? [['passingResults', { file: JSONL_FILE, count: leftOut }] as [string, unknown]]
      : []),
    ['results', stored],
  ];
  const field = ([k, v]: [string, unknown]) => {
    const key = JSON.stringify(k);
    if (Array.isArray(v) && v.length > 0)
      return `  ${key}: [\n${v.map((x) => `    ${JSON.stringify(x)}`).join(',\n')}\n  ]`;
    if (k === 'idl' || k === 'groups') {
      const entries = Object.entries(v as Record<string, unknown>);
      if (entries.length > 0)
        return `  ${key}: {\n${entries.map(([id, x]) => `    ${JSON.stringify(id)}: ${JSON.stringify(x)}`).join(',\n')}\n  }`;
    }
    return `  ${key}: ${JSON.stringify(v)}`;
  };
  return `{\n${doc.map(field).join(',\n')}\n}\n`;
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/**
 * Parses report.json text (format version 2, or 1) back into a RunReport: results in run order,
 * lean rows inflated (without bytes, diffs, IDL and value; see lean.ts), causes and totals left
 * out (they follow from the results). Throws a SyntaxError on bad JSON and an Error saying what is
 * wrong (with the field path, e.g. `results[12].verdict …`) when it is not a thrift-conform report.
 */
export function parseJsonReport(text: string): RunReport {
  const data: unknown = JSON.parse(text);
  const version = isObject(data) ? data.schemaVersion : undefined;
  if (!isObject(data) || (version !== 1 && version !== 2) || !Array.isArray(data.results))
    throw new Error('not a thrift-conform report (schemaVersion 1 or 2 with results)');
  const fields = reportFieldsProblem(data);
  if (fields) throw new Error(`not a thrift-conform report: ${fields}`);
  const schemas = new Map<number, Readonly<Record<string, string>>>();
  const groups = new Map<number, LeanGroup>();
  if (version === 2) {
    if (!isObject(data.idl) || !isObject(data.groups))
      throw new Error('not a thrift-conform report: report.idl or report.groups is not an object');
    for (const [id, x] of Object.entries(data.idl)) {
      const problem = idlProblem(x, `report.idl[${id}]`);
      if (problem) throw new Error(`not a thrift-conform report: ${problem}`);
      schemas.set(Number(id), x as Record<string, string>);
    }
    for (const [id, x] of Object.entries(data.groups)) {
      const problem = leanGroupProblem(x);
      if (problem) throw new Error(`not a thrift-conform report: report.groups[${id}]: ${problem}`);
      groups.set(Number(id), x as LeanGroup);
    }
  }
  const results: CaseResult[] = (data.results as unknown[]).map((x, i) => {
    const where = `report.results[${i}]`;
    if (Array.isArray(x)) {
      const problem = version === 2 ? leanRowProblem(x) : 'a lean row in a version 1 report';
      if (problem) throw new Error(`not a thrift-conform report: ${where}: ${problem}`);
      try {
        return inflate(x as unknown as LeanRow, groups, schemas);
      } catch (e) {
        throw new Error(
          `not a thrift-conform report: ${where}: ${e instanceof Error ? e.message : String(e)}`,
        );
      }
    }
    const problem = resultProblem(x, where);
    if (problem) throw new Error(`not a thrift-conform report: ${problem}`);
    const { schema, ...r } = x as StoredResult;
    if (schema === undefined) return r as CaseResult;
    const idl = schemas.get(schema);
    if (!idl)
      throw new Error(
        `not a thrift-conform report: ${where}.schema ${schema} is not in report.idl`,
      );
    return { ...r, idl } as CaseResult;
  });
  const {
    causes: _c,
    passing: _p,
    variants: _v,
    idl: _i,
    groups: _g,
    totals: _t,
    passingResults,
    ...rest
  } = data;
  const report = { ...rest, schemaVersion: MODEL_VERSION, results } as unknown as RunReport;
  if (isObject(passingResults) && typeof passingResults.file === 'string')
    passingElsewhere.set(report, passingResults.file);
  return report;
}

/** Reports read from a report.json whose passing results are in another file (its name). */
const passingElsewhere = new WeakMap<RunReport, string>();

/**
 * The file (beside report.json) that holds the passing results a parsed report left out, or
 * undefined when report.json holds every result. Never throws.
 */
export function passingResultsFile(report: RunReport): string | undefined {
  return passingElsewhere.get(report);
}
