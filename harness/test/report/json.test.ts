// report.json: everything, and read back as the same report.
import t from 'tap';
import { formatJson, parseJsonReport } from '../../report/json.js';
import { REPORT } from './fixture.js';

void t.test('report.json holds the whole report and parses back', (t) => {
  const text = formatJson(REPORT);
  t.ok(text.endsWith('}\n'));
  t.same(parseJsonReport(text), REPORT);
  t.match(text, /"summary": "value.count: wanted 42/);
  t.match(text, /\\ud800/, 'a lone surrogate is escaped, so the file is valid UTF-8');
  t.ok(Buffer.from(text, 'utf8').toString('utf8') === text);
  t.throws(
    () => parseJsonReport('{"schemaVersion":2,"results":[]}'),
    /not a thrift-conform report/,
  );
  t.throws(() => parseJsonReport('nope'), SyntaxError);
  t.end();
});
