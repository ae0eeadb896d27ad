// report.html as text: self-contained (no external asset, a CSP with the hashes of its own style
// and script), no markup from data, the matrix cells, one card per cause with its details in the
// page's data (highlighted bytes titled with their field path, a legend, the shrunk case, every
// case name), passing results as tallies. The page in a real browser: html.browser.test.ts.
import t from 'tap';
import { createHash } from 'node:crypto';
import { formatHtml, htmlEscape } from '../../report/html.js';
import type { RunReport } from '../../runner/result.js';
import { REPORT, SHRUNK, hasRawControl } from './fixture.js';

const html = formatHtml(REPORT);

interface PageData {
  causes: { search: string; html: string; names: string[] }[];
}

/** The page's data block, parsed. */
function dataOf(page: string): PageData {
  const json = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(
    page,
  )?.[1];
  return JSON.parse(json ?? 'null') as PageData;
}
const data = dataOf(html);
/** Every cause's details, as the script puts them into the page. */
const details = data.causes.map((c) => c.html).join('\n');

void t.test('one self-contained page with a CSP that admits only its own style and script', (t) => {
  t.ok(html.startsWith('<!doctype html>\n<html lang="en">'));
  t.equal(html.match(/<script/gi)?.length, 2, 'the data and our script');
  t.equal(html.match(/<\/script/gi)?.length, 2);
  t.equal(html.match(/<script>/gi)?.length, 1, 'one that runs');
  t.equal(html.match(/<style/gi)?.length, 1);
  t.notMatch(
    html,
    /<link|<img|<iframe|@import|url\(|src=|href="(https?:)?\/\//i,
    'no external asset',
  );
  const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html)?.[1] ?? '';
  const style = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? '';
  const script = /<script>([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '';
  const hash = (s: string) => createHash('sha256').update(s).digest('base64');
  t.match(csp, /^default-src 'none'; /);
  t.ok(csp.includes(`style-src 'sha256-${hash(style)}'`), 'style hash matches');
  t.ok(csp.includes(`script-src 'sha256-${hash(script)}'`), 'script hash matches');
  t.end();
});

void t.test('data is escaped everywhere', (t) => {
  t.notMatch(html, /<script>alert|<\/script><script>|<b>byte|<module>/);
  t.notMatch(details, /<script>alert|<\/script><script>|<b>byte|<module>/, 'nor in the details');
  const block = /id="report-data">([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '';
  t.notMatch(block, /[<>&]/, 'the data block holds no < > &');
  t.match(html, /&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt; \]\]&gt; &amp; &#39;q&#39;/);
  t.match(
    html,
    /\\u0001\\u001b\[31m 😀𝕏 \\u202e rtl \\ud800/,
    'controls, bidi and lone surrogates visible',
  );
  t.notOk(hasRawControl(html), 'none raw');
  t.notOk(hasRawControl(JSON.stringify(data)), 'none in the data either');
  t.match(
    details,
    /<pre class="idl">namespace py conform\n\/\* \]\]&gt; &lt;\/script&gt;&lt;script&gt;alert\(1\)/,
  );
  t.match(details, /<summary><code>inc\/&lt;b&gt;\.thrift<\/code><\/summary>/);
  t.equal(htmlEscape(`<a href='x'>&"</a>`), '&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;');
  t.end();
});

void t.test(
  'the matrix: properties × peers × protocols, counts coloured by the worst verdict',
  (t) => {
    const cells = [
      ...html.matchAll(
        /<td class="v-([a-z-]+)" data-peer="([^"]*)" data-property="([^"]*)" data-protocol="([^"]*)" data-worst="[a-z-]+"><a [^>]*><b>(\d+)<\/b><small>([^<]*)<\/small>/g,
      ),
    ].map((m) => `${m[2]} ${m[3]} ${m[4]}: ${m[5]} ${m[1]} (${m[6]})`);
    t.same(cells, [
      'thriftrw-py codec-roundtrip binary: 1 identical (1 ✓)',
      'thriftrw-py peer-roundtrip binary: 2 mismatch (1 ✓ · 1 ✗)',
      'thriftrw-py peer-roundtrip compact: 1 allowed-variant (1 ≈)',
      'apache-py peer-roundtrip binary: 1 known-failure (1 K)',
      'apache-py peer-roundtrip compact: 1 identical (1 ✓)',
      'apache-py our-client-peer-server binary: 1 peer-error (1 !)',
      'apache-py peer-client-our-server binary: 1 mismatch (1 ✗)',
    ]);
    t.equal(html.match(/<td class="none"/g)?.length, 16 - 7, 'empty cells');
    t.same(
      [...html.matchAll(/<tr data-v="([a-z-]+)"><th scope="row">([^<]*)<\/th>/g)].map(
        (m) => `${m[2]}:${m[1]}`,
      ),
      [
        'codec-roundtrip:identical',
        'peer-roundtrip:mismatch',
        'our-client-peer-server:peer-error',
        'peer-client-our-server:mismatch',
      ],
    );
    t.end();
  },
);

void t.test('one card per cause, worst first; details and names in the data', (t) => {
  const cards = [
    ...html.matchAll(
      /<details class="cause v-([a-z-]+)" id="(cause-\d+)" data-v="[a-z-]+" data-i="(\d+)"><summary>.*?<code class="key">([^<]*)<\/code> <span class="facts">([^]*?)<\/span><span class="text">/g,
    ),
  ];
  t.same(
    cards.map((m) => [m[1], m[2], m[3], m[4], m[5]]),
    [
      [
        'mismatch',
        'cause-1',
        '0',
        'field:Item.count:value',
        '<b>1</b> case · thriftrw-py · peer-roundtrip · <span class="mono">binary framed strict</span>',
      ],
      [
        'mismatch',
        'cause-2',
        '1',
        'field:Note.note:missing',
        '<b>1</b> case · apache-py · peer-client-our-server · <span class="mono">binary buffered nonstrict</span>',
      ],
      [
        'peer-error',
        'cause-3',
        '2',
        'peer-error',
        '<b>1</b> case · apache-py · our-client-peer-server · <span class="mono">binary framed strict</span>',
      ],
      [
        'known-failure',
        'cause-4',
        '3',
        'cases/known-failures/apache-py.txt:1',
        '<b>1</b> case · apache-py · peer-roundtrip · <span class="mono">binary framed strict</span>',
      ],
    ],
  );
  t.match(html, /<h2>Causes \(4; 4 results not passing\)<\/h2>/);
  t.equal(data.causes.length, 4);
  t.same(data.causes[0]?.names, [REPORT.results[2]!.name.replace('<', '<')]);
  t.match(
    data.causes[0]?.search,
    /^mismatch field:item\.count:value thriftrw-py peer-roundtrip binary framed strict /,
  );
  t.notMatch(html, /<div class="body">[^<]/, 'no details in the page until a card opens');
  t.match(
    data.causes[3]?.html,
    /<p class="reason">Known failure \(<code>cases\/known-failures\/apache-py\.txt:1<\/code>\): apache-py reads i8 as unsigned &lt;b&gt;byte&lt;\/b&gt;/,
  );
  t.match(
    details,
    /<td class="w mono">− &quot;&lt;\/script&gt;&lt;script&gt;alert\(2\)&lt;\/script&gt;&quot;<\/td><td class="g mono">\+ \(unset\)<\/td>/,
  );
  t.match(
    details,
    /<pre class="replay">npx tsx harness\/cli\.ts replay --seed 1234 --path &#39;3:1:0&#39;/,
  );
  t.match(details, /bundle <a href="bundles\/thriftrw-py\/struct-nested">/);
  t.match(details, /<section class="example v-mismatch" id="cause-1-example-1">/);
  t.end();
});

void t.test('passing results as tallies per peer, property and wire, and per variant kind', (t) => {
  const passing = /<section id="passing">([\s\S]*?)<\/section>/.exec(html)?.[1] ?? '';
  t.equal(passing.match(/<tr data-v=/g)?.length, 4);
  t.match(
    passing,
    /<tr data-v="allowed-variant"><td>thriftrw-py<\/td><td>peer-roundtrip<\/td><td class="mono">compact<\/td><td class="num">0<\/td><td class="num">1<\/td><\/tr>/,
  );
  t.match(passing, /<td class="mono">set-order<\/td><td class="num">1<\/td>/);
  t.end();
});

void t.test(
  'highlighted bytes carry their field path and meaning; a legend names each span',
  (t) => {
    t.match(
      details,
      /<span class="x s0" title="value\.count — i32 value; byte 0x15 \(wanted\): 2a, got 2b" data-path="value\.count">2a<\/span>/,
    );
    t.match(
      details,
      /<span class="x s1" title="value\.tags\[1\]&lt;script&gt; — string bytes &amp; &quot;utf-8&quot;; byte 0x2f \(got\): 81, wanted 80"/,
    );
    t.match(
      details,
      /<span class="key"><span class="sw s0"><\/span><code>0x15\+1<\/code> <code>value\.count<\/code> i32 value<\/span>/,
    );
    t.match(
      details,
      /<span class="x s0" title="value\.note — field header; byte 0x8 \(got\): none, wanted 00" data-path="value\.note">--<\/span>/,
      'a missing byte is marked',
    );
    t.end();
  },
);

void t.test('bundles with a scheme are not links; an empty report renders', (t) => {
  const evil: RunReport = {
    ...REPORT,
    results: [{ ...REPORT.results[2]!, bundle: 'javascript:alert(1)' }],
  };
  const page = dataOf(formatHtml(evil))
    .causes.map((c) => c.html)
    .join('');
  t.notMatch(page, /href="javascript/);
  t.match(page, /bundle <code>javascript:alert\(1\)<\/code>/);
  const empty = formatHtml({ ...REPORT, results: [], staleKnownFailures: [], exitCode: 0 });
  t.match(empty, /<p>No results\.<\/p>/);
  t.match(
    empty,
    /<h2>Causes \(0; 0 results not passing\)<\/h2>\n<p>None: every result passed\.<\/p>/,
  );
  t.end();
});

void t.test(
  'many results of one cause: one card, the first 300 names in the data, 3 examples',
  (t) => {
    const mismatch = REPORT.results[2]!;
    const results = Array.from({ length: 500 }, (_, i) => ({
      ...mismatch,
      name: `same-${i}`,
      shrunk: undefined as never,
    }));
    const page = formatHtml({ ...REPORT, results });
    t.equal(page.match(/<details class="cause /g)?.length, 1);
    const d = dataOf(page);
    // The page lists the first 300 names of a cause (results.jsonl has them all) and says so.
    t.equal(d.causes[0]?.names.length, 300);
    t.equal((d.causes[0] as { total?: number } | undefined)?.total, 500);
    t.equal(d.causes[0]?.html.match(/<section class="example /g)?.length, 3);
    t.match(page, /<b>500<\/b> cases/);
    t.end();
  },
);

void t.test('the shrunk case: the diff and hex dump, folded IDL and value, replay', (t) => {
  const block = /<div class="shrunk" id="cause-1-shrunk">([\s\S]*?)<\/div>/.exec(details)?.[1];
  t.ok(block, 'the shrunk block of the cause');
  if (!block) return t.end();
  t.match(block, /^<h4>Shrunk case<\/h4><p class="shrunk-summary">Shrunk in 3 steps to: /);
  t.match(
    block,
    /of <code>binary\/peer:thriftrw-py\/struct-&lt;script&gt;&amp;&quot;nested&quot;<\/code> · type <code>Item<\/code> · path <code>3:1:0:0:2<\/code> · fingerprint <code>field:Item\.count:value<\/code> · bundle <a href="bundles\/thriftrw-py\/struct-nested-shrunk">/,
  );
  t.match(block, /<td class="w mono">− 0<\/td><td class="g mono">\+ 1<\/td>/);
  t.match(
    block,
    /<span class="x s0" title="value\.count — i32 value; byte 0x6 \(wanted\): 00, got 01" data-path="value\.count">00<\/span>/,
  );
  t.match(
    block,
    /<details class="shrunk-idl"><summary>shrunk IDL: <code>shrunk\/item\.thrift<\/code><\/summary>/,
    'the IDL is folded (no open attribute)',
  );
  t.match(
    block,
    /<details class="shrunk-value"><summary>shrunk value as JSON \(30 characters\)<\/summary><pre class="value">\{&quot;count&quot;:0,&quot;note&quot;:&quot;&lt;\/script&gt;&quot;\}<\/pre><\/details>/,
  );
  t.match(
    block,
    /<pre class="replay">npx tsx harness\/cli\.ts replay --seed 1234 --path &#39;3:1:0:0:2&#39;/,
  );
  t.equal(details.match(/class="shrunk"/g)?.length, 1, 'only the cause with a shrunk case has one');
  const one = formatHtml({
    ...REPORT,
    results: [{ ...REPORT.results[2]!, shrunk: { ...SHRUNK, steps: 1, bundle: 'javascript:x' } }],
  });
  const oneDetails = dataOf(one)
    .causes.map((c) => c.html)
    .join('');
  t.match(oneDetails, /Shrunk in 1 step to:/);
  t.match(
    oneDetails,
    /bundle <code>javascript:x<\/code>/,
    'a shrunk bundle with a scheme is no link',
  );
  t.end();
});

void t.test('stale entries with their kind; the known failures table', (t) => {
  t.match(
    html,
    /<tr data-kind="unmatched"><td>thriftrw-py<\/td><td class="mono">binary\/peer:thriftrw-py\/map-order set-order<\/td><td class="nw">unmatched<\/td><td>matched nothing in this run &lt;&amp; &quot;stale&quot;&gt;<\/td><\/tr>/,
  );
  const known = /<section id="known">([\s\S]*?)<\/section>/.exec(html)?.[1] ?? '';
  const rows = [
    ...known.matchAll(
      /<tr( class="stale")?><td>([^<]*)<\/td><td class="mono" title="([^"]*)">([^<]*)<\/td><td>([^<]*)<\/td><td class="num">(\d+)<\/td><td class="num">(\d+)<\/td><\/tr>/g,
    ),
  ].map((m) => [m[1] !== undefined, m[2], m[3], m[4], m[5], m[6], m[7]]);
  t.same(rows, [
    [
      true,
      'thriftrw-py',
      'cases/known-failures/thriftrw-py.txt:3',
      'binary/peer:thriftrw-py/map-order set-order',
      'thriftrw-py sorts sets &lt;b&gt;maybe&lt;/b&gt;',
      '0',
      '0',
    ],
    [
      false,
      'apache-py',
      'cases/known-failures/apache-py.txt:1',
      'field:Bytes.b:value',
      'apache-py reads i8 as unsigned &lt;b&gt;byte&lt;/b&gt; &amp; &quot;sign&quot; bug THRIFT-0000',
      '1',
      '0',
    ],
  ]);
  t.ok(html.indexOf('<section id="stale">') < html.indexOf('<section id="known">'));
  const { knownFailures: _k, ...old } = REPORT;
  t.match(
    formatHtml(old),
    /<tr><td>apache-py<\/td><td class="mono">field:Bytes\.b:value<\/td><td>apache-py reads i8[^<]*<\/td><td class="num">1<\/td><td class="num">\?<\/td><\/tr>/,
    'without knownFailures: rows from the known-failure results',
  );
  t.notMatch(
    formatHtml({ ...old, results: [] }),
    /id="known"/,
    'no table when there is nothing to show',
  );
  t.end();
});

void t.test('cases a peer was not given are listed with why, escaped', (t) => {
  t.match(
    html,
    /<li><b>apache-py<\/b> was not given 15 cases: 12 no uuid \(the uuid type\); 3 names it cannot take: &lt;reserved&gt; &amp; co<\/li>/,
  );
  t.end();
});
