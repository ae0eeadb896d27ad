/**
 * Merging the reports of a sharded run (`--shard 1/n` … `--shard n/n`, same seed and command) into
 * one report, and reading a report folder, also one a killed run left (results.jsonl only).
 *
 * The rules of {@link mergeReports}:
 * - Checked: every report has the same schema version and seed, the same shard count (a report
 *   without `shard` counts as shard 1/1), a shard index in 1..count, and no index twice. A report
 *   that breaks a rule is named in the Error (by its folder when it was read by
 *   {@link readReportDir}, else by its position and shard). Tool versions and commands are not
 *   checked (commands may differ in, e.g., the report folder).
 * - Results: concatenated in shard order, each shard's in its own order. Every case, generated
 *   or from the corpus, runs in exactly one shard (corpus case i in shard (i mod n) + 1), so
 *   nothing is counted twice: a peer's `cases`, `notGiven` (per reason), `restarts`,
 *   `hangStops` and `notRun` are sums, and so is `schemas`.
 * - Peers: in first-seen order; version and backend of the first shard that has the peer, startMs
 *   the largest (the slowest start), `casesPerSecond` = merged cases / the longest shard's
 *   duration, `died` the last shard's that says it.
 * - `harnessErrors`: every shard's, each prefixed with its shard; `stoppedEarly`: the shards'
 *   reasons, each with its shard.
 * - `durationMs`: the longest shard's; `startedAt`: the earliest; `shard`: left out.
 * - `knownFailures` and `knownFlaky`: summed per (peer, entry) over the shards that report them
 *   (reason and source of the first). `staleKnownFailures` recomputed from the sums: `now-passing` when the summed
 *   `passing` > 0, else `unmatched` when the summed `matched` is 0 (an entry that matched in any
 *   shard is not stale). When no shard reports `knownFailures` (older or recovered reports): an
 *   entry is `now-passing` when any shard says so, `unmatched` when every shard says so.
 * - `exitCode`: 2 when any shard is 2, a shard of 1..n is missing (the merge is incomplete), a
 *   result is not-run or a shard has harness errors; else 1 when any result is a mismatch or
 *   peer error or any entry is stale; else 0.
 * - `command`: the first shard's command without `--shard …`, then a shell comment saying which
 *   shards were merged (and which are missing, and whether the shards' commands differed).
 */
import { mergeMatrices } from '../invalid/matrix.js';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { CaseResult, KnownFailureUse, PeerSummary, RunReport } from '../runner/result.js';
import { JSON_FILE, parseJsonReport, passingResultsFile } from './json.js';
import { JSONL_FILE, readJsonl } from './jsonl.js';
import { isFailure } from './text.js';

type Stale = RunReport['staleKnownFailures'][number];

/** Where each report read by readReportDir came from (its folder), to name it in errors. */
const sources = new WeakMap<RunReport, string>();

/** The `--shard I/N` option (or `--shard=I/N`) in a command line. */
const SHARD_OPTION = /(^|\s)--shard(?:=|\s+)\S+/g;

/** A command line without its `--shard I/N` option (spaces around it collapsed). Never throws. */
export function commandWithoutShard(command: string): string {
  return command
    .replace(SHARD_OPTION, '$1')
    .replace(/\s{2,}/g, ' ')
    .trim();
}

/** Shard numbers as short text: `1-3, 5`. */
function ranges(ns: readonly number[]): string {
  const out: string[] = [];
  let i = 0;
  while (i < ns.length) {
    let j = i;
    while (j + 1 < ns.length && ns[j + 1] === (ns[j] ?? 0) + 1) j++;
    out.push(j === i ? `${ns[i]}` : `${ns[i]}-${ns[j]}`);
    i = j + 1;
  }
  return out.join(', ');
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** The earliest of ISO timestamps (compared as dates; as text when one does not parse). */
function earliest(times: readonly string[]): string {
  return times.reduce((a, b) => {
    const ta = Date.parse(a);
    const tb = Date.parse(b);
    if (Number.isNaN(ta) || Number.isNaN(tb)) return b < a ? b : a;
    return tb < ta ? b : a;
  });
}

/** Sums known-failures (or known-flaky) uses per (peer, entry), in first-seen order. */
function sumUses(
  reports: readonly RunReport[],
  which: 'knownFailures' | 'knownFlaky' = 'knownFailures',
): KnownFailureUse[] | undefined {
  const with_ = reports.filter((r) => r[which] !== undefined);
  if (with_.length === 0) return undefined;
  const sums = new Map<string, KnownFailureUse>();
  for (const r of with_)
    for (const u of r[which] ?? []) {
      const key = `${u.peer}\u0000${u.entry}`;
      const had = sums.get(key);
      sums.set(
        key,
        had
          ? { ...had, matched: had.matched + u.matched, passing: had.passing + u.passing }
          : { ...u },
      );
    }
  return [...sums.values()];
}

/** The stale entries of summed uses (the runner's rule, over all merged shards). */
function staleOfSums(uses: readonly KnownFailureUse[], shards: string): Stale[] {
  const out: Stale[] = [];
  for (const u of uses) {
    if (u.passing > 0)
      out.push({
        peer: u.peer,
        entry: u.entry,
        kind: 'now-passing',
        why: `${u.source}: ${plural(u.passing, 'case')} it names passed in ${shards}: remove the entry or narrow it`,
      });
    else if (u.matched === 0)
      out.push({
        peer: u.peer,
        entry: u.entry,
        kind: 'unmatched',
        why: `${u.source}: matched no failure in ${shards}: remove the entry, or add a corpus case that shows it`,
      });
  }
  return out;
}

/** Stale entries without uses: now-passing in any shard, or unmatched in every shard. */
function staleWithoutUses(reports: readonly RunReport[]): Stale[] {
  const out = new Map<string, Stale>();
  const key = (s: Stale) => `${s.peer}\u0000${s.entry}`;
  for (const r of reports)
    for (const s of r.staleKnownFailures)
      if (s.kind === 'now-passing' && out.get(key(s))?.kind !== 'now-passing') out.set(key(s), s);
  for (const s of reports[0]?.staleKnownFailures ?? []) {
    if (s.kind !== 'unmatched' || out.has(key(s))) continue;
    const everywhere = reports.every((r) =>
      r.staleKnownFailures.some((o) => o.kind === 'unmatched' && key(o) === key(s)),
    );
    if (everywhere) out.set(key(s), s);
  }
  return [...out.values()];
}

/** Merged per-peer summaries (see the module comment). */
function mergePeers(reports: readonly RunReport[], durationMs: number): PeerSummary[] {
  const peers = new Map<
    string,
    {
      first: PeerSummary;
      startMs: number;
      cases: number;
      notGiven: Record<string, number>;
      restarts: number;
      hangStops: number;
      notRun: number;
      died?: string;
    }
  >();
  for (const r of reports)
    for (const p of r.peers) {
      let had = peers.get(p.name);
      if (!had) {
        had = {
          first: p,
          startMs: p.startMs,
          cases: 0,
          notGiven: {},
          restarts: 0,
          hangStops: 0,
          notRun: 0,
        };
        peers.set(p.name, had);
      }
      had.startMs = Math.max(had.startMs, p.startMs);
      had.cases += p.cases;
      for (const [why, n] of Object.entries(p.notGiven ?? {}))
        had.notGiven[why] = (had.notGiven[why] ?? 0) + n;
      had.restarts += p.restarts ?? 0;
      had.hangStops += p.hangStops ?? 0;
      had.notRun += p.notRun ?? 0;
      if (p.died !== undefined) had.died = p.died;
    }
  return [...peers.values()].map((m) => ({
    name: m.first.name,
    version: m.first.version,
    backend: m.first.backend,
    startMs: m.startMs,
    cases: m.cases,
    casesPerSecond: durationMs > 0 ? m.cases / (durationMs / 1000) : 0,
    ...(Object.keys(m.notGiven).length > 0 ? { notGiven: m.notGiven } : {}),
    ...(m.restarts > 0 ? { restarts: m.restarts } : {}),
    ...(m.hangStops > 0 ? { hangStops: m.hangStops } : {}),
    ...(m.notRun > 0 ? { notRun: m.notRun } : {}),
    ...(m.died !== undefined ? { died: m.died } : {}),
  }));
}

/**
 * Merges the reports of the shards of one run (`--shard 1/n` … `n/n`, same seed) into one report,
 * following the rules in this module's comment: results in shard order, counts summed, durations
 * the longest, known-failures uses summed and stale entries recomputed, exit code 2 when a shard
 * is incomplete or missing. A single report merges to itself without its
 * shard. Throws an Error naming the offending report when there is no report, schema versions,
 * seeds or shard counts differ, a shard index is out of range, or an index is repeated.
 */
export function mergeReports(reports: readonly RunReport[]): RunReport {
  if (reports.length === 0) throw new Error('mergeReports: no reports to merge');
  const name = (r: RunReport, i: number) => {
    const shard = r.shard ? `shard ${r.shard.index}/${r.shard.count}` : 'not sharded';
    const source = sources.get(r);
    return source !== undefined
      ? `${source} (${shard})`
      : `report ${i + 1} of ${reports.length} (${shard})`;
  };
  const shardOf = (r: RunReport) => r.shard ?? { index: 1, count: 1 };
  const first = reports[0] as RunReport;
  const firstName = name(first, 0);
  const count = shardOf(first).count;
  const byIndex = new Map<number, number>();
  reports.forEach((r, i) => {
    const version: unknown = r.schemaVersion;
    if (version !== first.schemaVersion)
      throw new Error(
        `cannot merge ${name(r, i)}: schema version ${String(version)}, but ${firstName} has ${String(first.schemaVersion)}`,
      );
    if (r.seed !== first.seed)
      throw new Error(
        `cannot merge ${name(r, i)}: seed ${r.seed}, but ${firstName} has seed ${first.seed}; the shards of one run share the seed`,
      );
    const { index, count: n } = shardOf(r);
    if (n !== count)
      throw new Error(
        `cannot merge ${name(r, i)}: ${plural(n, 'shard')} in all, but ${firstName} says ${count}; merge the shards of one run`,
      );
    if (!Number.isInteger(index) || index < 1 || index > n)
      throw new Error(`cannot merge ${name(r, i)}: shard index ${index} is not in 1..${n}`);
    const other = byIndex.get(index);
    if (other !== undefined)
      throw new Error(
        `cannot merge ${name(r, i)}: ${name(reports[other] as RunReport, other)} is shard ${index}/${n} too; each shard once`,
      );
    byIndex.set(index, i);
  });

  const ordered = [...byIndex.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([, i]) => reports[i] as RunReport);
  const indexes = ordered.map((r) => shardOf(r).index);
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !byIndex.has(i));

  const results: CaseResult[] = ordered.flatMap((r) => r.results);
  const durationMs = Math.max(...ordered.map((r) => r.durationMs));
  const uses = sumUses(ordered);
  const which =
    ordered.length === 1
      ? `shard ${indexes[0]} of ${count}`
      : `shards ${ranges(indexes)} of ${count}`;
  const stale = uses ? staleOfSums(uses, `any of the merged ${which}`) : staleWithoutUses(ordered);

  const commands = ordered.map((r) => commandWithoutShard(r.command));
  const notes = [`merged ${which}`];
  if (missing.length > 0) notes.push(`missing ${ranges(missing)}`);
  if (commands.some((c) => c !== commands[0]))
    notes.push(`the shards' commands differ beyond --shard; this is shard ${indexes[0]}'s`);
  const command = `${commands[0] ?? ''} # ${notes.join('; ')}`;

  const flaky = sumUses(ordered, 'knownFlaky');
  const shardName = (r: RunReport) => `shard ${shardOf(r).index}/${count}`;
  // The invalid-input matrices add up (harness/invalid/matrix.ts).
  const invalidMatrix = mergeMatrices(ordered.map((r) => r.invalidMatrix));
  const harnessErrors = ordered.flatMap((r) =>
    (r.harnessErrors ?? []).map((e) => `${shardName(r)}: ${e}`),
  );
  const stopped = ordered
    .filter((r) => r.stoppedEarly !== undefined)
    .map((r) => `${shardName(r)}: ${r.stoppedEarly ?? ''}`);
  const schemaCounts = ordered.filter((r) => r.schemas !== undefined);
  const incomplete =
    missing.length > 0 ||
    ordered.some((r) => r.exitCode === 2) ||
    harnessErrors.length > 0 ||
    results.some((r) => r.verdict === 'not-run');
  const failed = results.some((r) => isFailure(r.verdict)) || stale.length > 0;
  const merged: RunReport = {
    schemaVersion: first.schemaVersion,
    tool: first.tool,
    startedAt: earliest(ordered.map((r) => r.startedAt)),
    durationMs,
    seed: first.seed,
    command,
    peers: mergePeers(ordered, durationMs),
    results,
    staleKnownFailures: stale,
    exitCode: incomplete ? 2 : failed ? 1 : 0,
    ...(uses ? { knownFailures: uses } : {}),
    ...(flaky ? { knownFlaky: flaky } : {}),
    ...(schemaCounts.length > 0
      ? { schemas: schemaCounts.reduce((n, r) => n + (r.schemas ?? 0), 0) }
      : {}),
    ...(harnessErrors.length > 0 ? { harnessErrors } : {}),
    ...(stopped.length > 0 ? { stoppedEarly: stopped.join('; ') } : {}),
    ...(invalidMatrix !== undefined ? { invalidMatrix } : {}),
  };
  return merged;
}

/** The 1-based line of a character offset in `text`. */
function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/**
 * Parses report.json text, naming `file:line` in every error: the line of a JSON syntax error,
 * or of the result a shape error is about (report.json writes one result a line), else line 1.
 */
function readJsonReport(file: string): RunReport {
  const text = readFileSync(file, 'utf8');
  try {
    return parseJsonReport(text);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    let line = 1;
    const position = /at position (\d+)/.exec(message);
    const result = /report\.results\[(\d+)\]/.exec(message);
    if (e instanceof SyntaxError && position) line = lineAt(text, Number(position[1]));
    else if (result) {
      const start = text.indexOf('\n  "results": [\n');
      if (start >= 0) line = lineAt(text, start + 1) + 1 + Number(result[1]);
    }
    const what = e instanceof SyntaxError ? `not JSON (${message})` : message;
    throw new Error(`${file}:${line}: ${what}`, { cause: e });
  }
}

/**
 * Reads the report in a report folder: report.json when it is there, else the run rebuilt from
 * results.jsonl (see readJsonl: a killed run gives a partial report with exitCode 2, a finished
 * one its whole report). The folder names the report in mergeReports' errors. Throws an Error
 * naming the folder when it has neither file, and `file:line` and what is wrong when one cannot
 * be read or parsed.
 */
export function readReportDir(dir: string): RunReport {
  const json = join(dir, JSON_FILE);
  const jsonl = join(dir, JSONL_FILE);
  let report: RunReport;
  if (existsSync(json)) {
    report = readJsonReport(json);
    // report.json left its passing results to results.jsonl: take every result from there.
    const elsewhere = passingResultsFile(report);
    if (elsewhere !== undefined) {
      const file = join(dir, elsewhere);
      if (!existsSync(file))
        throw new Error(
          `${json}: its passing results are in ${elsewhere}, which is not in ${dir}; copy the whole report folder`,
        );
      report = { ...report, results: readJsonl(file).report.results };
    }
  } else if (existsSync(jsonl)) report = readJsonl(jsonl).report;
  else {
    const what = !existsSync(dir)
      ? 'no such folder'
      : !statSync(dir).isDirectory()
        ? 'not a folder'
        : `neither ${JSON_FILE} nor ${JSONL_FILE} in it`;
    throw new Error(`${dir}: ${what}; is it a thrift-conform report folder?`);
  }
  sources.set(report, dir);
  return report;
}
