/**
 * report.json: the whole RunReport, everything the runner produced, as indented JSON.
 */
import type { RunReport } from '../runner/result.js';

/** The default file name in a report folder. */
export const JSON_FILE = 'report.json';

/** The report as JSON text (2-space indent, newline at the end). Never throws for a RunReport. */
export function formatJson(report: RunReport): string {
  return JSON.stringify(report, null, 2) + '\n';
}

/**
 * Parses report.json text back into a RunReport. Throws a SyntaxError on bad JSON and an Error
 * when it is not a thrift-conform report of schemaVersion 1.
 */
export function parseJsonReport(text: string): RunReport {
  const data: unknown = JSON.parse(text);
  if (
    typeof data !== 'object' ||
    data === null ||
    (data as { schemaVersion?: unknown }).schemaVersion !== 1 ||
    !Array.isArray((data as { results?: unknown }).results)
  )
    throw new Error('not a thrift-conform report (schemaVersion 1 with results)');
  return data as RunReport;
}
