// results.jsonl: written line by line as results come (each schema's IDL once, passing results as
// lean rows), rebuilt by readJsonl, also from a run that was killed (SIGKILL mid-run) or whose
// last line was cut at any byte; a version 1 file is still read; a bad line is named with what is
// wrong.
import t from 'tap';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { JsonlReporter, parseJsonl, readJsonl } from '../../report/jsonl.js';
import { metaOf } from '../../report/reporter.js';
import { READ_BACK, REPORT } from './fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'tc-jsonl-'));

void t.test('each result is on disk as soon as onResult returns', (t) => {
  const file = join(dir, 'sub', 'results.jsonl');
  const rep = new JsonlReporter(file);
  t.throws(() => rep.onResult(REPORT.results[0]!), /onStart must come first/);
  rep.onStart(metaOf(REPORT));
  REPORT.results.forEach((r, i) => {
    rep.onResult(r);
    const text = readFileSync(file, 'utf8');
    t.equal(text[text.length - 1], '\n', 'each line ends with a newline');
    t.equal(parseJsonl(text).report.results.length, i + 1, `result ${i + 1} is on disk`);
  });
  rep.onEnd(REPORT);
  const lines = readFileSync(file, 'utf8').split('\n');
  t.same(
    lines
      .slice(0, -1)
      .map((l) => (l.startsWith('[') ? 'row' : (JSON.parse(l) as { kind: string }).kind)),
    [
      'start',
      'group',
      'row',
      'group',
      'row',
      'schema',
      'result',
      'group',
      'row',
      'group',
      'row',
      'result',
      'result',
      'result',
      'end',
    ],
    'passing results as lean rows after their group, the IDL once before the first result of it',
  );
  const back = readJsonl(file);
  t.ok(back.complete);
  t.notOk(back.droppedTail);
  t.same(
    back.report,
    { ...REPORT, results: READ_BACK },
    'a finished run reads back as the same report',
  );
  t.end();
});

void t.test('a cut last line is left out at every byte; the rest is a partial report', (t) => {
  const file = join(dir, 'cut.jsonl');
  const rep = new JsonlReporter(file);
  rep.onStart(metaOf(REPORT));
  for (const r of REPORT.results.slice(0, 3)) rep.onResult(r);
  const whole = readFileSync(file);
  const lastStart = whole.subarray(0, whole.length - 1).lastIndexOf(0x0a) + 1;
  let checked = 0;
  for (let cut = lastStart + 1; cut < whole.length - 1; cut++) {
    const back = parseJsonl(whole.subarray(0, cut).toString('utf8'));
    if (back.report.results.length !== 2 || !back.droppedTail || back.complete) {
      t.fail(`cut at ${cut}: ${back.report.results.length} results, dropped ${back.droppedTail}`);
      break;
    }
    checked++;
  }
  t.equal(checked, whole.length - 1 - lastStart - 1, 'every cut inside the last line');
  t.equal(parseJsonl(whole.toString('utf8')).report.results.length, 3);
  const partial = readJsonl(file);
  t.notOk(partial.complete);
  t.equal(partial.report.results.length, 3);
  t.equal(partial.report.exitCode, 2, 'an unfinished run is incomplete');
  t.same(partial.report.staleKnownFailures, []);
  t.same(
    partial.report.peers.map((p) => [p.name, p.version, p.backend, p.cases]),
    [
      ['thriftrw-py', '1.9.0', 'process', 3],
      ['apache-py', '0.17.0', 'container', 0],
    ],
  );
  t.equal(partial.report.seed, REPORT.seed);
  t.equal(partial.report.command, REPORT.command);
  t.end();
});

void t.test('a bad line in the middle, or no start line, is an error naming it', (t) => {
  const good = JSON.stringify({ kind: 'start', meta: metaOf(REPORT) });
  t.throws(() => parseJsonl(`${good}\n{"kind":\n${good}\n`, 'x.jsonl'), {
    message: 'x.jsonl:2: not a JSON line',
  });
  t.throws(() => parseJsonl('', 'x.jsonl'), { message: /x.jsonl: no start line/ });
  const result = (r: unknown) => JSON.stringify({ kind: 'result', atMs: 1, result: r });
  t.throws(
    () =>
      parseJsonl(
        `${good}\n${result({ ...REPORT.results[0], verdict: 'meh' })}\n${good}\n`,
        'x.jsonl',
      ),
    {
      message: /^x\.jsonl:2: result line: result\.verdict is "meh", not one of identical/,
    },
  );
  t.throws(
    () => parseJsonl(`${good}\n${result({ ...REPORT.results[0], byteDiff: 's' })}\n`, 'x.jsonl'),
    {
      message: 'x.jsonl:2: result line: result.byteDiff is a string, not an array',
    },
  );
  t.throws(() => parseJsonl(`${good}\n[3,"x",1,2]\n`, 'x.jsonl'), {
    message: 'x.jsonl:2: group 3 is not defined before this row',
  });
  t.throws(() => parseJsonl(`${good}\n{"kind":"nope"}\n`, 'x.jsonl'), {
    message: /^x\.jsonl:2: unknown kind "nope"/,
  });
  t.throws(
    () =>
      parseJsonl(
        `${good}\n${JSON.stringify({ kind: 'end', report: { ...REPORT, staleKnownFailures: 's' } })}\n`,
        'x.jsonl',
      ),
    {
      message: 'x.jsonl:2: end line: report.staleKnownFailures is a string, not an array',
    },
  );
  t.throws(() => parseJsonl(`${good}\n42\n${good}\n`, 'x.jsonl'), {
    message: /^x\.jsonl:2: a JSON number, not a record/,
  });
  const file = join(dir, 'only-cut-start.jsonl');
  writeFileSync(file, good.slice(0, 20));
  t.throws(() => readJsonl(file), /no start line/);
  t.end();
});

void t.test('a run killed with SIGKILL leaves a readable results.jsonl', async (t) => {
  const file = join(dir, 'killed.jsonl');
  const child = join(dir, 'child.ts');
  const here = fileURLToPath(new URL('.', import.meta.url));
  writeFileSync(
    child,
    `import { JsonlReporter } from ${JSON.stringify(join(here, '../../report/jsonl.ts'))};
import { metaOf } from ${JSON.stringify(join(here, '../../report/reporter.ts'))};
import { REPORT } from ${JSON.stringify(join(here, 'fixture.ts'))};
const rep = new JsonlReporter(${JSON.stringify(file)});
rep.onStart(metaOf(REPORT));
for (const r of REPORT.results.slice(0, 5)) rep.onResult(r);
process.stdout.write('written\\n');
setInterval(() => {}, 1000);
`,
  );
  const proc = spawn(process.execPath, ['--import', 'tsx', child], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    proc.stdout.on('data', (d: Buffer) => {
      if (d.toString().includes('written')) resolve();
    });
    proc.on('exit', (code) => reject(new Error(`child exited early with ${code}`)));
  });
  const exited = new Promise((resolve) => proc.on('exit', (_code, signal) => resolve(signal)));
  proc.kill('SIGKILL');
  t.equal(await exited, 'SIGKILL');
  const back = readJsonl(file);
  t.notOk(back.complete);
  t.equal(back.report.results.length, 5, 'every result written before the kill');
  t.same(back.report.results, READ_BACK.slice(0, 5));
});

void t.test('a version 1 file (every result in full, IDL inline) is still read', (t) => {
  const lines = [
    JSON.stringify({ kind: 'start', meta: metaOf(REPORT) }),
    ...REPORT.results.map((r, i) => JSON.stringify({ kind: 'result', atMs: i, result: r })),
  ];
  const { results: _r, ...rest } = REPORT;
  const whole = [...lines, JSON.stringify({ kind: 'end', report: rest })].join('\n') + '\n';
  t.same(parseJsonl(whole).report, REPORT);
  t.same(parseJsonl(lines.join('\n') + '\n').report.results, REPORT.results);
  t.end();
});
