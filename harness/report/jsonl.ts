/**
 * results.jsonl: the run written as it happens, one JSON object a line, so a killed run still
 * leaves a readable report. Lines: `{"kind":"start","meta":…}` first, `{"kind":"result","atMs":…,
 * "result":…}` per result, `{"kind":"end","report":…}` (the report without its results) last.
 * Each line goes to the file with one write(2), no fsync: a killed process loses nothing already
 * written; a crashed machine may cut the last line, which {@link readJsonl} tolerates.
 */
import { closeSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { CaseResult, PeerSummary, RunReport } from '../runner/result.js';
import type { Reporter, RunMeta } from './reporter.js';

/** The default file name in a report folder. */
export const JSONL_FILE = 'results.jsonl';

/** One line of results.jsonl. */
export type JsonlRecord =
  | { readonly kind: 'start'; readonly meta: RunMeta }
  | { readonly kind: 'result'; readonly atMs: number; readonly result: CaseResult }
  | { readonly kind: 'end'; readonly report: Omit<RunReport, 'results'> };

/** Writes results.jsonl as the run goes. Not for concurrent use by several runs. */
export class JsonlReporter implements Reporter {
  readonly file: string;
  private fd: number | undefined;
  private startMs = 0;

  /** Writes to `file` (created with its folder; an existing file is replaced at onStart). */
  constructor(file: string) {
    this.file = file;
  }

  /** Creates (or truncates) the file and writes the start line. Throws on file-system errors. */
  onStart(meta: RunMeta): void {
    if (this.fd !== undefined) closeSync(this.fd);
    mkdirSync(dirname(this.file), { recursive: true });
    this.fd = openSync(this.file, 'w');
    this.startMs = Date.now();
    this.write({ kind: 'start', meta });
  }

  /** Appends one result line. Throws if onStart was not called, or on file-system errors. */
  onResult(result: CaseResult): void {
    this.write({ kind: 'result', atMs: Date.now() - this.startMs, result });
  }

  /** Appends the end line (the report without its results) and closes the file. Throws like onResult. */
  onEnd(report: RunReport): void {
    const { results: _results, ...rest } = report;
    this.write({ kind: 'end', report: rest });
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private write(record: JsonlRecord): void {
    if (this.fd === undefined)
      throw new Error(`JsonlReporter(${this.file}): onStart must come first`);
    const bytes = Buffer.from(JSON.stringify(record) + '\n', 'utf8');
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
 * Parses results.jsonl text (see {@link readJsonl}). Throws an Error naming the line when a line
 * other than the last is not JSON, or when there is no start line.
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
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line.trim() === '') continue;
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch (e) {
      if (i === lines.length - 1) {
        droppedTail = true;
        break;
      }
      throw new Error(`${name}:${i + 1}: not a JSON line`, { cause: e });
    }
    if (!isObject(record)) {
      if (cut && i === lines.length - 1) droppedTail = true;
      continue;
    }
    if (record.kind === 'start' && isObject(record.meta)) meta = record.meta as unknown as RunMeta;
    else if (record.kind === 'result' && isObject(record.result)) {
      results.push(record.result as unknown as CaseResult);
      if (typeof record.atMs === 'number') lastAt = record.atMs;
    } else if (record.kind === 'end' && isObject(record.report))
      end = record.report as unknown as Omit<RunReport, 'results'>;
  }
  if (end) return { report: { ...end, results }, complete: true, droppedTail };
  if (!meta) throw new Error(`${name}: no start line; is it a thrift-conform results.jsonl?`);
  const partial: RunReport = {
    schemaVersion: 1,
    tool: meta.tool,
    startedAt: meta.startedAt,
    durationMs: lastAt,
    seed: meta.seed,
    command: meta.command,
    peers: partialPeers(meta, results),
    results,
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
