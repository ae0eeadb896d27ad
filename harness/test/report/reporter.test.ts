// The Reporter interface: MultiReporter calls every reporter in order, awaits async ones, and
// keeps going when one throws; metaOf and replayReport drive a reporter from a finished report.
import t from 'tap';
import type { CaseResult, RunReport } from '../../runner/result.js';
import type { Reporter, RunMeta } from '../../report/reporter.js';
import { MultiReporter, metaOf, replayReport } from '../../report/reporter.js';
import { REPORT } from './fixture.js';

class Recorder implements Reporter {
  readonly events: string[];
  readonly name: string;
  constructor(name: string, events: string[]) {
    this.name = name;
    this.events = events;
  }
  async onStart(meta: RunMeta): Promise<void> {
    await new Promise((r) => setTimeout(r, 5));
    this.events.push(`${this.name} start ${meta.seed}`);
  }
  onResult(result: CaseResult): void {
    this.events.push(`${this.name} result ${result.verdict}`);
  }
  onEnd(report: RunReport): void {
    this.events.push(`${this.name} end ${report.exitCode}`);
  }
}

void t.test('metaOf keeps the fields known at start', (t) => {
  const meta = metaOf(REPORT);
  t.same(meta, {
    schemaVersion: 1,
    tool: REPORT.tool,
    startedAt: REPORT.startedAt,
    seed: 1234,
    command: REPORT.command,
    peers: [
      { name: 'thriftrw-py', version: '1.9.0', backend: 'process', startMs: 310 },
      { name: 'apache-py', version: '0.17.0', backend: 'container', startMs: 1250 },
    ],
  });
  t.same(metaOf({ ...REPORT, shard: { index: 1, count: 4 } }).shard, { index: 1, count: 4 });
  t.end();
});

void t.test('MultiReporter calls each reporter in order, awaiting each', async (t) => {
  const events: string[] = [];
  const multi = new MultiReporter([new Recorder('a', events), new Recorder('b', events)]);
  await replayReport(multi, { ...REPORT, results: REPORT.results.slice(2, 4) });
  t.same(events, [
    'a start 1234',
    'b start 1234',
    'a result mismatch',
    'b result mismatch',
    'a result identical',
    'b result identical',
    'a end 1',
    'b end 1',
  ]);
});

void t.test('a reporter that throws does not stop the others', async (t) => {
  const events: string[] = [];
  const broken: Reporter = {
    onStart: () => Promise.reject(new Error('disk full')),
    onResult: () => {
      throw new Error('nope');
    },
    onEnd: () => undefined,
  };
  const multi = new MultiReporter([broken, new Recorder('ok', events), broken]);
  const err = await multi.onStart(metaOf(REPORT)).catch((e: unknown) => e);
  t.ok(err instanceof AggregateError);
  t.equal((err as AggregateError).errors.length, 2);
  t.equal((err as AggregateError).message, '2 reporter(s) failed in onStart');
  t.same(events, ['ok start 1234'], 'the good reporter still ran');
  await t.rejects(multi.onResult(REPORT.results[0]!), {
    message: '2 reporter(s) failed in onResult',
  });
  await multi.onEnd(REPORT);
  t.same(events, ['ok start 1234', 'ok result identical', 'ok end 1']);
});
