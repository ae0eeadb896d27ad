// report.json (format version 2): run facts, totals, causes, passing tallies, then every result a
// line — failures in full (IDL once, by id), passing ones as lean rows; read back as the same
// report (lean results without their details); version 1 files are still read; errors say what
// is wrong and where.
import t from 'tap';
import { formatJson, parseJsonReport } from '../../report/json.js';
import { tally } from '../../report/text.js';
import type { RunReport } from '../../runner/result.js';
import { READ_BACK, REPORT } from './fixture.js';

void t.test('report.json holds the report and parses back', (t) => {
  const text = formatJson(REPORT);
  t.ok(text.endsWith('}\n'));
  t.same(parseJsonReport(text), { ...REPORT, results: READ_BACK });
  t.match(text, /"summary":"value.count: wanted 42/);
  t.match(text, /\\ud800/, 'a lone surrogate is escaped, so the file is valid UTF-8');
  t.ok(Buffer.from(text, 'utf8').toString('utf8') === text);
  const data = JSON.parse(text) as Record<string, unknown>;
  t.equal(data.schemaVersion, 2);
  t.same(
    Object.keys(data).slice(-7),
    ['totals', 'causes', 'passing', 'variants', 'idl', 'groups', 'results'],
    'the layout',
  );
  t.same(data.totals, { cases: 8, ...tally(REPORT.results) });
  const results = data.results as unknown[];
  t.same(
    results.map((r) => (Array.isArray(r) ? 'lean' : 'full')),
    ['lean', 'lean', 'full', 'lean', 'lean', 'full', 'full', 'full'],
  );
  t.same(Object.keys(data.idl as object), ['1'], 'the IDL once');
  t.notOk('idl' in (results[2] as object), 'a full result refers to its IDL');
  t.equal((results[2] as { schema: number }).schema, 1);
  const lines = text.split('\n');
  const at = lines.indexOf('  "results": [');
  t.ok(at > 0 && lines[at + 9] === '  ]', 'one result a line');
  const causes = data.causes as { key: string; examples: number[]; cases: string[] }[];
  t.same(
    causes.map((c) => [c.key, c.examples, c.cases.length]),
    [
      ['field:Item.count:value', [2], 1],
      ['field:Note.note:missing', [7], 1],
      ['peer-error', [5], 1],
      ['cases/known-failures/apache-py.txt:1', [6], 1],
    ],
    'causes worst first, examples as indexes of results',
  );
  t.end();
});

void t.test('a version 1 report is still read', (t) => {
  const v1 = JSON.stringify({ ...REPORT, schemaVersion: 1 }, null, 2);
  t.same(parseJsonReport(v1), REPORT);
  t.end();
});

void t.test('errors say what is wrong and where', (t) => {
  t.throws(
    () => parseJsonReport('{"schemaVersion":3,"results":[]}'),
    /not a thrift-conform report \(schemaVersion 1 or 2 with results\)/,
  );
  t.throws(() => parseJsonReport('{"schemaVersion":2,"results":[]}'), {
    message: 'not a thrift-conform report: report.tool is not { name, version }',
  });
  t.throws(() => parseJsonReport('nope'), SyntaxError);
  const data = JSON.parse(formatJson(REPORT)) as { results: unknown[]; peers: unknown };
  const bad = (change: (d: typeof data) => void) => {
    const d = JSON.parse(JSON.stringify(data)) as typeof data;
    change(d);
    return () => parseJsonReport(JSON.stringify(d));
  };
  t.throws(
    bad((d) => ((d.results[2] as { verdict: string }).verdict = 'bad')),
    /report\.results\[2\]\.verdict is "bad", not one of identical/,
  );
  t.throws(
    bad((d) => (d.results[0] = [99, 'x', 1])),
    /report\.results\[0\]: group 99 is not defined before this row/,
  );
  t.throws(
    bad((d) => (d.results[0] = [1, 2])),
    /report\.results\[0\]: a lean row has 3 to 5 items/,
  );
  t.throws(
    bad((d) => (d.peers = 'x')),
    /report\.peers is a string, not an array/,
  );
  const noIdl: RunReport = {
    ...REPORT,
    results: [{ ...REPORT.results[2]!, idl: undefined as never }],
  };
  t.doesNotThrow(() => parseJsonReport(formatJson(noIdl)));
  t.end();
});
