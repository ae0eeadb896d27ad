// The published JSON Schemas (schemas/report.schema.json, schemas/results-line.schema.json) hold
// for what the reporters write: the fixture's report.json and every results.jsonl line, and those
// of a real small run (our codec and apache-py on the regression corpus and a few generated
// schemas); and they refuse what is wrong.
import t from 'tap';
type Test = Parameters<Parameters<typeof t.test>[0]>[0];
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { formatJson } from '../../report/json.js';
import { JsonlReporter } from '../../report/jsonl.js';
import { metaOf } from '../../report/reporter.js';
import { ProcessPeer } from '../../peers/process.js';
import { defaultProcessPeers } from '../../peers/registry.js';
import { listBundles, readBundle } from '../../runner/bundle.js';
import { loadKnownFailuresFor, readerOf } from '../../runner/known-failures.js';
import { runCases } from '../../runner/run.js';
import type { RunReport } from '../../runner/result.js';
import { REPORT } from './fixture.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const dir = mkdtempSync(join(tmpdir(), 'tc-schemas-'));
const load = (name: string) =>
  JSON.parse(readFileSync(join(root, 'schemas', name), 'utf8')) as Record<string, unknown>;
// Strict, but a lean row is a tuple of 3 to 5 items, which Ajv's strictTuples takes for a mistake.
const ajv = new Ajv2020({ allErrors: true, strict: true, strictTuples: false });
ajv.addSchema(load('report.schema.json'));
ajv.addSchema(load('results-line.schema.json'));
const report = ajv.getSchema('urn:thrift-conform:report')!;
const line = ajv.getSchema('urn:thrift-conform:results-line')!;

/** Every line of the results.jsonl the JsonlReporter writes for `r`, parsed. */
function jsonlOf(r: RunReport, name: string): unknown[] {
  const file = join(dir, `${name}.jsonl`);
  const rep = new JsonlReporter(file);
  rep.onStart(metaOf(r));
  for (const x of r.results) rep.onResult(x);
  rep.onEnd(r);
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as unknown);
}

function check(r: RunReport, name: string, t: Test): void {
  const ok = report(JSON.parse(formatJson(r)));
  t.ok(ok, `${name}: report.json`, { errors: report.errors?.slice(0, 3) });
  const lines = jsonlOf(r, name);
  const bad = lines
    .map((l, i) => [i + 1, line(l), line.errors?.slice(0, 2)] as const)
    .filter((x) => !x[1]);
  t.same(bad, [], `${name}: every results.jsonl line (${lines.length})`);
}

void t.test('the fixture report and its results.jsonl', (t) => {
  check(REPORT, 'fixture', t);
  const merged: RunReport = {
    ...REPORT,
    schemas: 3,
    harnessErrors: ['x'],
    stoppedEarly: 'budget',
    knownFlaky: [],
  };
  check(merged, 'fixture-extra', t);
  t.end();
});

void t.test('the schemas refuse what is wrong', (t) => {
  const good = JSON.parse(formatJson(REPORT)) as Record<string, unknown> & { results: unknown[] };
  t.notOk(report({ ...good, schemaVersion: 1 }), 'version 1 is not this format');
  t.notOk(report({ ...good, results: [[1, 'x']] }), 'a row too short');
  t.notOk(
    report({ ...good, results: [{ ...(good.results[2] as object), verdict: 'meh' }] }),
    'a verdict',
  );
  t.notOk(report({ ...good, exitCode: 3 }));
  t.notOk(line({ kind: 'nope' }));
  t.notOk(line({ kind: 'result', atMs: 1, result: { name: 'x' } }), 'a result without its fields');
  t.ok(line([3, 's1/T#0', 0.4, 12]));
  t.ok(line({ kind: 'schema', id: 1, idl: { 'a.thrift': 'struct S {}' } }));
  t.end();
});

void t.test('a real small run: our codec and apache-py, corpus and generated', async (t) => {
  const spec = defaultProcessPeers(root).find((s) => s.name === 'apache-py');
  if (!spec) {
    t.fail('apache-py is not a default peer');
    return;
  }
  const peer = await ProcessPeer.start(spec);
  t.teardown(() => peer.stop());
  const corpus = listBundles(join(root, 'cases', 'corpus')).map(readBundle);
  const knownFailures = loadKnownFailuresFor(join(root, 'cases', 'known-failures'), [
    { name: 'ours' },
    readerOf(peer.manifest!),
  ]);
  const out = await runCases({ peers: [peer], seed: 7, runs: 3, values: 4, corpus, knownFailures });
  const r: RunReport = {
    ...REPORT,
    seed: 7,
    command: 'thrift-conform run --peers apache-py --seed 7 --runs 3 --values 4',
    results: out.results,
    staleKnownFailures: out.staleKnownFailures,
    knownFailures: out.knownFailures,
    schemas: out.schemas,
    exitCode: 0,
  };
  t.ok(
    r.results.some((x) => x.verdict === 'known-failure'),
    'with known failures',
  );
  check(r, 'real', t);
});
