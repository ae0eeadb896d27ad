/**
 * The one Reporter interface the runner talks to: told when a run starts, of every result as it
 * happens, and of the whole report at the end. Library code prints nothing; a reporter writes.
 */
import type { CaseResult, PeerSummary, RunReport } from '../runner/result.js';

/** A peer as known when the run starts (before any case ran). */
export type PeerStart = Pick<PeerSummary, 'name' | 'version' | 'backend' | 'startMs'>;

/** What is known of a run before its first result: the fields of RunReport fixed at start. */
export interface RunMeta {
  /** The version of the files' format (1 or 2; the writers write 2 whatever it says). */
  readonly schemaVersion: 1 | 2;
  readonly tool: RunReport['tool'];
  readonly startedAt: string;
  readonly seed: number;
  readonly shard?: RunReport['shard'];
  readonly command: string;
  /** The peers started for the run, when known. */
  readonly peers?: readonly PeerStart[];
}

/** Receives a run's events in order: `onStart` once, `onResult` per result, `onEnd` once. */
export interface Reporter {
  onStart(meta: RunMeta): void | Promise<void>;
  onResult(result: CaseResult): void | Promise<void>;
  onEnd(report: RunReport): void | Promise<void>;
}

/** The RunMeta of a finished report (for replaying a report through reporters). Never throws. */
export function metaOf(report: RunReport): RunMeta {
  const peers = report.peers.map(({ name, version, backend, startMs }) => ({
    name,
    version,
    backend,
    startMs,
  }));
  const meta: RunMeta = {
    schemaVersion: 1,
    tool: report.tool,
    startedAt: report.startedAt,
    seed: report.seed,
    command: report.command,
    peers,
  };
  return report.shard ? { ...meta, shard: report.shard } : meta;
}

/**
 * Passes every event to several reporters in order, awaiting each. A reporter that throws does
 * not stop the others: after all ran, the errors are thrown together as an AggregateError.
 */
export class MultiReporter implements Reporter {
  readonly reporters: readonly Reporter[];

  /** Reporters are called in the given order. */
  constructor(reporters: readonly Reporter[]) {
    this.reporters = reporters;
  }

  /** Calls every reporter's onStart; throws an AggregateError of those that threw. */
  async onStart(meta: RunMeta): Promise<void> {
    await this.each((r) => r.onStart(meta), 'onStart');
  }

  /** Calls every reporter's onResult; throws an AggregateError of those that threw. */
  async onResult(result: CaseResult): Promise<void> {
    await this.each((r) => r.onResult(result), 'onResult');
  }

  /** Calls every reporter's onEnd; throws an AggregateError of those that threw. */
  async onEnd(report: RunReport): Promise<void> {
    await this.each((r) => r.onEnd(report), 'onEnd');
  }

  private async each(call: (r: Reporter) => void | Promise<void>, what: string): Promise<void> {
    const errors: unknown[] = [];
    for (const r of this.reporters) {
      try {
        await call(r);
      } catch (e) {
        errors.push(e);
      }
    }
    if (errors.length > 0)
      throw new AggregateError(errors, `${errors.length} reporter(s) failed in ${what}`);
  }
}

/**
 * Sends a finished report through a reporter as if it ran: onStart, onResult for each result,
 * onEnd. Useful to render a recovered or merged report. Throws what the reporter throws.
 */
export async function replayReport(reporter: Reporter, report: RunReport): Promise<void> {
  await reporter.onStart(metaOf(report));
  for (const r of report.results) await reporter.onResult(r);
  await reporter.onEnd(report);
}
