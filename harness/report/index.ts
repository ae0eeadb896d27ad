/**
 * The reporters' entry: every format, `writeReports` for a finished (or recovered) run, a
 * Reporter that writes them all at the end of a run next to the streamed results.jsonl, the
 * merge of shard reports, and the progress display.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunReport } from '../runner/result.js';
import { HTML_FILE, formatHtml } from './html.js';
import { JSON_FILE, formatJson } from './json.js';
import { JUNIT_FILE, formatJunit } from './junit.js';
import { MARKDOWN_FILE, formatMarkdown } from './markdown.js';
import { JSONL_FILE, JsonlReporter } from './jsonl.js';
import type { Reporter, RunMeta } from './reporter.js';
import { MultiReporter, replayReport } from './reporter.js';
import { TAP_FILE, formatTap } from './tap.js';

export type { PeerStart, Reporter, RunMeta } from './reporter.js';
export { MultiReporter, metaOf, replayReport } from './reporter.js';
export { JSONL_FILE, JsonlReporter, MODEL_VERSION, parseJsonl, readJsonl } from './jsonl.js';
export type { JsonlRecord, RecoveredRun } from './jsonl.js';
export { JSON_FILE, causesOf, formatJson, parseJsonReport } from './json.js';
export type { StoredCause, StoredResult } from './json.js';
export { JUNIT_FILE, formatJunit, xmlEscape } from './junit.js';
export type { JunitOptions } from './junit.js';
export { TAP_FILE, TapReporter, formatTap, tapEscape } from './tap.js';
export type { TapOptions } from './tap.js';
export {
  MASK,
  causeKey,
  causeTitle,
  declaredNames,
  groupCauses,
  maskFingerprint,
  testGroups,
  testName,
} from './causes.js';
export type {
  Cause,
  CauseOptions,
  Causes,
  PassingTally,
  TestGroup,
  VariantTally,
} from './causes.js';
export { FORMAT_VERSION, LeanWriter, fillKnownReasons, inflate } from './lean.js';
export type { LeanExtra, LeanGroup, LeanOptions, LeanRow } from './lean.js';
export { formatTerminalSummary } from './terminal.js';
export type { TerminalOptions } from './terminal.js';
export { MARKDOWN_FILE, formatMarkdown, mdBlock, mdCode } from './markdown.js';
export type { MarkdownOptions } from './markdown.js';
export { HTML_FILE, formatHtml, htmlEscape } from './html.js';
export type { HtmlOptions } from './html.js';
export {
  formatHexDiff,
  formatHexWindow,
  firstDifference,
  hexToBytes,
  hexWindow,
  hexWindowOf,
} from './hexdump.js';
export type { HexCell, HexRow, HexWindow, HexWindowOptions } from './hexdump.js';
export { headline, tally } from './text.js';
export { commandWithoutShard, mergeReports, readReportDir } from './merge.js';
export { createProgress, formatElapsed } from './progress.js';
export type { Progress, ProgressCounts, ProgressOptions } from './progress.js';
export {
  detailsText,
  idlText,
  shrunkHeadline,
  shrunkReplayLines,
  shrunkText,
  valueDiffLines,
} from './details.js';
export type { DetailLimits } from './details.js';

/** How writeReports writes. */
export interface WriteOptions {
  /**
   * A results.jsonl with every result is (or will be) beside the reports: report.json counts the
   * passing results instead of repeating them (a default run's folder stays small). Default false.
   */
  readonly passingInJsonl?: boolean;
}

/**
 * Writes every format and a results.jsonl of the whole report into `dir` (for reports that were
 * not streamed: a merge), report.json leaving its passing results to results.jsonl. Returns the
 * paths written. Throws on file-system errors.
 */
export async function writeReportFolder(dir: string, report: RunReport): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  await replayReport(new JsonlReporter(join(dir, JSONL_FILE)), report);
  return [
    join(dir, JSONL_FILE),
    ...writeReports(dir, report, ALL_FORMATS, { passingInJsonl: true }),
  ];
}

/** The report formats written at the end of a run. */
export type ReportFormat = 'json' | 'junit' | 'tap' | 'markdown' | 'html';

/** Every format, in the order they are written. */
export const ALL_FORMATS: readonly ReportFormat[] = ['json', 'junit', 'tap', 'markdown', 'html'];

const WRITERS: Record<
  ReportFormat,
  { file: string; format: (r: RunReport, o: WriteOptions) => string }
> = {
  json: { file: JSON_FILE, format: (r, o) => formatJson(r, o) },
  junit: { file: JUNIT_FILE, format: (r) => formatJunit(r) },
  tap: { file: TAP_FILE, format: (r) => formatTap(r) },
  markdown: { file: MARKDOWN_FILE, format: (r) => formatMarkdown(r) },
  html: { file: HTML_FILE, format: (r) => formatHtml(r) },
};

/**
 * Writes the report in each format into `dir` (created if missing): report.json, junit.xml,
 * report.tap, summary.md, report.html; default all formats. Returns the paths written, in order.
 * Throws on file-system errors (after writing the formats before the failing one).
 */
export function writeReports(
  dir: string,
  report: RunReport,
  formats: readonly ReportFormat[] = ALL_FORMATS,
  options: WriteOptions = {},
): string[] {
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const f of new Set(formats)) {
    const w = WRITERS[f];
    const path = join(dir, w.file);
    writeFileSync(path, w.format(report, options), 'utf8');
    written.push(path);
  }
  return written;
}

/**
 * A Reporter that does nothing until the run ends, then writes the chosen formats into `dir`
 * (see {@link writeReports}; default all). Pair it with a JsonlReporter in a MultiReporter.
 */
export class ReportFilesReporter implements Reporter {
  readonly dir: string;
  readonly formats: readonly ReportFormat[];
  /** The paths written by the last onEnd. */
  written: readonly string[] = [];

  /** Writes into `dir`, the given formats (default all). */
  constructor(dir: string, formats: readonly ReportFormat[] = ALL_FORMATS) {
    this.dir = dir;
    this.formats = formats;
  }

  /** Nothing to do at start. Never throws. */
  onStart(_meta: RunMeta): void {}

  /** Nothing to do per result (results.jsonl streams them). Never throws. */
  onResult(): void {}

  /** Writes the report files. Throws on file-system errors. */
  onEnd(report: RunReport): void {
    // results.jsonl, streamed beside by the run's JsonlReporter, holds every result.
    this.written = writeReports(this.dir, report, this.formats, { passingInJsonl: true });
  }
}

/**
 * The usual reporter of a run writing into `dir`: results.jsonl as results come (JsonlReporter),
 * then the chosen formats at the end (default all). Throws what the parts throw.
 */
export function runReporter(
  dir: string,
  formats: readonly ReportFormat[] = ALL_FORMATS,
): MultiReporter {
  return new MultiReporter([
    new JsonlReporter(join(dir, JSONL_FILE)),
    new ReportFilesReporter(dir, formats),
  ]);
}
