/**
 * results.jsonl: the run written as it happens, one JSON value a line, so a killed run still
 * leaves a readable report. Format version 2 (see lean.ts; `schemas/results-line.schema.json`):
 * - `{"kind":"start","meta":…}` first (meta.schemaVersion 2);
 * - `{"kind":"schema","id":N,"idl":{…}}` once per distinct IDL, before the first result of it;
 * - `{"kind":"result","atMs":…,"schema":N?,"result":…}`: a result in full, without its IDL
 *   (its schema id instead): every mismatch and peer error, results with a shrunk case or a
 *   bundle, and the first 3 of every other non-passing cause;
 * - `{"kind":"group","id":N,"group":…}` before the first lean row of a group, and lean rows
 *   `[group, name, durationMs, atMs, extra?]` for every other result (passing ones always);
 * - `{"kind":"end","report":…}` last (the report without its results).
 * Version 1 files (every result in full, IDL inline) are still read. Each result's lines go to
 * the file with one write(2), no fsync: a killed process loses nothing already written; a
 * crashed machine may cut the last line, which {@link readJsonl} tolerates.
 */
import { closeSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { CaseResult, PeerSummary, RunReport } from '../runner/result.js';
import type { LeanGroup, LeanOptions, LeanRow } from './lean.js';
import {
  FORMAT_VERSION,
  LeanWriter,
  fillKnownReasons,
  inflate,
  leanGroupProblem,
  leanRowProblem,
} from './lean.js';
import type { Reporter, RunMeta } from './reporter.js';
import { idlProblem, metaProblem, reportFieldsProblem, resultProblem } from './shape.js';

/** The default file name in a report folder. */
export const JSONL_FILE = 'results.jsonl';

/** One line of results.jsonl (format version 2; version 1 has only start, result and end). */
export type JsonlRecord =
  | { readonly kind: 'start'; readonly meta: RunMeta }
  | { readonly kind: 'schema'; readonly id: number; readonly idl: Readonly<Record<string, string>> }
  | { readonly kind: 'group'; readonly id: number; readonly group: LeanGroup }
  | {
      readonly kind: 'result';
      readonly atMs: number;
      readonly schema?: number;
      readonly result: CaseResult;
    }
  | { readonly kind: 'end'; readonly report: Omit<RunReport, 'results'> }
  | LeanRow;

/** The in-memory report version (RunReport's), whatever the file's format version. */
export const MODEL_VERSION = 1 as number as RunReport['schemaVersion'];

/** Writes results.jsonl as the run goes. Not for concurrent use by several runs. */
export class JsonlReporter implements Reporter {
  readonly file: string;
  private fd: number | undefined;
  private startMs = 0;
  private lean: LeanWriter;
  private readonly options: LeanOptions;

  /**
   * Writes to `file` (created with its folder; an existing file is replaced at onStart). Options
   * as LeanWriter's (default: 3 results in full per known cause, no own summary in lean rows).
   */
  constructor(file: string, options: LeanOptions = {}) {
    this.file = file;
    this.options = options;
    this.lean = new LeanWriter(options);
  }

  /** Creates (or truncates) the file and writes the start line. Throws on file-system errors. */
  onStart(meta: RunMeta): void {
    if (this.fd !== undefined) closeSync(this.fd);
    mkdirSync(dirname(this.file), { recursive: true });
    this.fd = openSync(this.file, 'w');
    this.startMs = Date.now();
    this.lean = new LeanWriter(this.options);
    this.write([{ kind: 'start', meta: { ...meta, schemaVersion: FORMAT_VERSION } as RunMeta }]);
  }

  /**
   * Appends the result's lines (its schema and group when new, then the result in full or as a
   * lean row) in one write. Throws if onStart was not called, or on file-system errors.
   */
  onResult(result: CaseResult): void {
    const atMs = Date.now() - this.startMs;
    const lines: JsonlRecord[] = [];
    let schema: number | undefined;
    if (result.idl !== undefined) {
      const s = this.lean.schema(result.idl);
      schema = s.id;
      if (s.fresh) lines.push({ kind: 'schema', id: s.id, idl: result.idl });
    }
    if (this.lean.full(result)) {
      const { idl: _idl, ...rest } = result;
      lines.push({
        kind: 'result',
        atMs,
        ...(schema !== undefined ? { schema } : {}),
        result: rest,
      });
    } else {
      const { row, group } = this.lean.lean(result, atMs, schema);
      if (group) lines.push({ kind: 'group', id: group.id, group: group.group });
      lines.push(row);
    }
    this.write(lines);
  }

  /** Appends the end line (the report without its results) and closes the file. Throws like onResult. */
  onEnd(report: RunReport): void {
    const { results: _results, ...rest } = report;
    this.write([
      {
        kind: 'end',
        report: { ...rest, schemaVersion: FORMAT_VERSION } as unknown as Omit<RunReport, 'results'>,
      },
    ]);
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private write(records: readonly JsonlRecord[]): void {
    if (this.fd === undefined)
      throw new Error(`JsonlReporter(${this.file}): onStart must come first`);
    const bytes = Buffer.from(records.map((r) => JSON.stringify(r) + '\n').join(''), 'utf8');
    let done = 0;
    while (done < bytes.length) done += writeSync(this.fd, bytes, done, bytes.length - done);
  }
}

/** A run rebuilt from results.jsonl. */
export interface RecoveredRun {
  /** The report: the real one when the run ended, else a partial one with exitCode 2. */
  readonly report: RunReport;
  /** True when the end line was there (the run finished). */
  readonly complete: boolean;
  /** True when a cut last line was left out. */
  readonly droppedTail: boolean;
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Per-peer summaries of a partial run: those announced at start, counted from the results. */
function partialPeers(meta: RunMeta, results: readonly CaseResult[]): PeerSummary[] {
  const byName = new Map<string, { cases: number; ms: number }>();
  for (const r of results) {
    const p = byName.get(r.peer) ?? { cases: 0, ms: 0 };
    p.cases += 1;
    p.ms += r.durationMs;
    byName.set(r.peer, p);
  }
  const peers: PeerSummary[] = [];
  const summary = (
    name: string,
    version: string,
    backend: PeerSummary['backend'],
    start: number,
  ) => {
    const p = byName.get(name) ?? { cases: 0, ms: 0 };
    byName.delete(name);
    const casesPerSecond = p.ms > 0 ? p.cases / (p.ms / 1000) : 0;
    peers.push({ name, version, backend, startMs: start, cases: p.cases, casesPerSecond });
  };
  for (const p of meta.peers ?? []) summary(p.name, p.version, p.backend, p.startMs);
  for (const name of [...byName.keys()]) summary(name, 'unknown', 'process', 0);
  return peers;
}

/**
 * Parses results.jsonl text of format version 1 or 2 (see {@link readJsonl}). Throws an Error
 * naming `name:line` and what is wrong when a line other than the last is not JSON or not a
 * record of the right shape (a result without a verdict, a row of an undefined group, …), or
 * `name` alone when there is no start line.
 */
export function parseJsonl(text: string, name = JSONL_FILE): RecoveredRun {
  const lines = text.split('\n');
  const cut = lines[lines.length - 1] !== '';
  if (!cut) lines.pop();
  let meta: RunMeta | undefined;
  let end: Omit<RunReport, 'results'> | undefined;
  let lastAt = 0;
  let droppedTail = false;
  const results: CaseResult[] = [];
  const schemas = new Map<number, Readonly<Record<string, string>>>();
  const groups = new Map<number, LeanGroup>();
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line.trim() === '') continue;
    const at = `${name}:${i + 1}`;
    const last = i === lines.length - 1;
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch (e) {
      if (last) {
        droppedTail = true;
        break;
      }
      throw new Error(`${at}: not a JSON line`, { cause: e });
    }
    const bad = (what: string): never => {
      throw new Error(`${at}: ${what}`);
    };
    if (Array.isArray(record)) {
      const problem = leanRowProblem(record);
      if (problem) bad(`a lean result row, but ${problem}`);
      try {
        results.push(inflate(record as unknown as LeanRow, groups, schemas));
      } catch (e) {
        bad(e instanceof Error ? e.message : String(e));
      }
      if (record.length >= 4) lastAt = record[3] as number;
      continue;
    }
    if (!isObject(record)) {
      if (cut && last) {
        droppedTail = true;
        break;
      }
      bad(
        `a JSON ${record === null ? 'null' : typeof record}, not a record (an object or a lean row)`,
      );
    }
    const r = record as Record<string, unknown>;
    switch (r.kind) {
      case 'start': {
        const problem = metaProblem(r.meta);
        if (problem) bad(`start line: ${problem}`);
        meta = r.meta as RunMeta;
        break;
      }
      case 'schema': {
        if (!Number.isInteger(r.id)) bad('schema line: id is not an integer');
        const problem = idlProblem(r.idl, 'idl');
        if (problem) bad(`schema line: ${problem}`);
        schemas.set(r.id as number, r.idl as Record<string, string>);
        break;
      }
      case 'group': {
        if (!Number.isInteger(r.id)) bad('group line: id is not an integer');
        const problem = leanGroupProblem(r.group);
        if (problem) bad(`group line: ${problem}`);
        groups.set(r.id as number, r.group as LeanGroup);
        break;
      }
      case 'result': {
        const problem = resultProblem(r.result);
        if (problem) bad(`result line: ${problem}`);
        let result = r.result as CaseResult;
        if (r.schema !== undefined) {
          const idl = schemas.get(r.schema as number);
          if (!idl) return bad(`result line: schema ${String(r.schema)} is not defined before it`);
          result = { ...result, idl };
        }
        results.push(result);
        if (typeof r.atMs === 'number') lastAt = r.atMs;
        break;
      }
      case 'end': {
        const problem = reportFieldsProblem(r.report);
        if (problem) bad(`end line: ${problem}`);
        end = r.report as Omit<RunReport, 'results'>;
        break;
      }
      default:
        bad(
          `unknown kind ${JSON.stringify(r.kind)} (start, schema, group, result, end or a lean row)`,
        );
    }
  }
  if (end) {
    const uses = [...(end.knownFailures ?? []), ...(end.knownFlaky ?? [])];
    const report = {
      ...end,
      schemaVersion: MODEL_VERSION,
      results: fillKnownReasons(results, uses),
    } as RunReport;
    return { report, complete: true, droppedTail };
  }
  if (!meta) throw new Error(`${name}: no start line; is it a thrift-conform results.jsonl?`);
  const partial: RunReport = {
    schemaVersion: MODEL_VERSION,
    tool: meta.tool,
    startedAt: meta.startedAt,
    durationMs: lastAt,
    seed: meta.seed,
    command: meta.command,
    peers: partialPeers(meta, results),
    results: fillKnownReasons(results),
    staleKnownFailures: [],
    exitCode: 2,
  };
  return {
    report: meta.shard ? { ...partial, shard: meta.shard } : partial,
    complete: false,
    droppedTail,
  };
}

/**
 * Rebuilds a run from a results.jsonl file, also from a killed run: then the report is partial
 * (the results written so far, peers counted from them, no stale known failures, exitCode 2 and
 * durationMs up to the last result) and a cut last line is left out. Throws on a missing file,
 * a bad line other than the last, or no start line.
 */
export function readJsonl(path: string): RecoveredRun {
  return parseJsonl(readFileSync(path, 'utf8'), path);
}
