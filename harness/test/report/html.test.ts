// report.html as text: self-contained (no external asset, a CSP with the hashes of its own style
// and script), no markup from data, the matrix cells, one section per failure, highlighted bytes
// titled with their field path, and a legend. The page in a real browser: html.browser.test.ts.
import t from 'tap';
import { createHash } from 'node:crypto';
import { formatHtml, htmlEscape } from '../../report/html.js';
import type { RunReport } from '../../runner/result.js';
import { FAILING, REPORT, SHRUNK, hasRawControl } from './fixture.js';

const html = formatHtml(REPORT);

void t.test('one self-contained page with a CSP that admits only its own style and script', (t) => {
  t.ok(html.startsWith('<!doctype html>\n<html lang="en">'));
  t.equal(html.match(/<script/gi)?.length, 1, 'one script element, ours');
  t.equal(html.match(/<\/script/gi)?.length, 1);
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
  t.match(html, /&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt; \]\]&gt; &amp; &#39;q&#39;/);
  t.match(
    html,
    /\\u0001\\u001b\[31m 😀𝕏 \\u202e rtl \\ud800/,
    'controls, bidi and lone surrogates visible',
  );
  t.notOk(hasRawControl(html), 'none raw');
  t.match(
    html,
    /<pre class="idl">namespace py conform\n\/\* \]\]&gt; &lt;\/script&gt;&lt;script&gt;alert\(1\)/,
  );
  t.match(html, /<summary><code>inc\/&lt;b&gt;\.thrift<\/code><\/summary>/);
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

void t.test('one section per failure, worst first, linked from the results table', (t) => {
  const sections = [...html.matchAll(/<section class="failure v-([a-z-]+)" id="(failure-\d+)"/g)];
  t.equal(sections.length, FAILING.length);
  t.same(
    sections.map((m) => m[1]),
    ['mismatch', 'mismatch', 'peer-error', 'known-failure'],
  );
  for (const m of sections) t.match(html, new RegExp(`<a href="#${m[2]}">`), `${m[2]} is linked`);
  t.match(html, /<h2>Failures \(4\)<\/h2>/);
  t.equal(
    html.match(/<tr data-v="[a-z-]+" data-key=/g)?.length,
    REPORT.results.length,
    'a row per result',
  );
  t.match(
    html,
    /<p class="reason">Known failure: apache-py reads i8 as unsigned &lt;b&gt;byte&lt;\/b&gt;/,
  );
  t.match(
    html,
    /<td class="w mono">− &quot;&lt;\/script&gt;&lt;script&gt;alert\(2\)&lt;\/script&gt;&quot;<\/td><td class="g mono">\+ \(unset\)<\/td>/,
  );
  t.match(
    html,
    /<pre class="replay">npx tsx harness\/cli\.ts replay --seed 1234 --path &#39;3:1:0&#39;/,
  );
  t.match(html, /bundle <a href="bundles\/thriftrw-py\/struct-nested">/);
  t.end();
});

void t.test(
  'highlighted bytes carry their field path and meaning; a legend names each span',
  (t) => {
    t.match(
      html,
      /<span class="x s0" title="value\.count — i32 value; byte 0x15 \(wanted\): 2a, got 2b" data-path="value\.count">2a<\/span>/,
    );
    t.match(
      html,
      /<span class="x s1" title="value\.tags\[1\]&lt;script&gt; — string bytes &amp; &quot;utf-8&quot;; byte 0x2f \(got\): 81, wanted 80"/,
    );
    t.match(
      html,
      /<span class="key"><span class="sw s0"><\/span><code>0x15\+1<\/code> <code>value\.count<\/code> i32 value<\/span>/,
    );
    t.match(
      html,
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
  const page = formatHtml(evil);
  t.notMatch(page, /href="javascript/);
  t.match(page, /bundle <code>javascript:alert\(1\)<\/code>/);
  const empty = formatHtml({ ...REPORT, results: [], staleKnownFailures: [], exitCode: 0 });
  t.match(empty, /<p>No results\.<\/p>/);
  t.match(empty, /<h2>Failures \(0\)<\/h2>\n<p>None\.<\/p>/);
  t.end();
});

void t.test('failure sections are capped; each kind of failure comes before repeats', (t) => {
  const mismatch = REPORT.results[2]!;
  const results = [
    ...Array.from({ length: 5 }, (_, i) => ({ ...mismatch, name: `same-${i}` })),
    { ...mismatch, name: 'other-kind', fingerprint: 'set-order' },
    ...REPORT.results,
  ];
  const page = formatHtml({ ...REPORT, results }, { maxSections: 3 });
  const names = [
    ...page.matchAll(/<section class="failure [^>]*><h3>.*?<code>([^<]*)<\/code>/g),
  ].map((m) => m[1]);
  t.same(names, ['same-0', 'other-kind', 'binary/peer:apache-py/optional-missing']);
  t.match(page, /<h2>Failures \(10\)<\/h2>/);
  t.match(page, /7 more failures are rows of the results table only/);
  t.end();
});

void t.test(
  'the shrunk case: a linked headline, the diff and hex dump, folded IDL and value',
  (t) => {
    t.match(
      html,
      /<p class="shrunk-line">Shrunk in 3 steps to: <a href="#failure-1-shrunk">value\.count: wanted 0, got 1 &lt;i&gt;&amp;&lt;\/i&gt;<\/a><\/p>/,
    );
    const block = /<div class="shrunk" id="failure-1-shrunk">([\s\S]*?)<\/div><\/section>/.exec(
      html,
    )?.[1];
    t.ok(block, 'the shrunk block closes its failure section');
    if (!block) return t.end();
    t.match(block, /^<h4>Shrunk case<\/h4><p class="shrunk-summary">Shrunk in 3 steps to: /);
    t.match(
      block,
      /type <code>Item<\/code> · path <code>3:1:0:0:2<\/code> · fingerprint <code>field:Item\.count:value<\/code> · bundle <a href="bundles\/thriftrw-py\/struct-nested-shrunk">/,
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
      /<pre class="idl">namespace py conform\n\/\* &lt;\/script&gt;&lt;script&gt;alert\(3\)/,
    );
    t.match(
      block,
      /<details class="shrunk-value"><summary>shrunk value as JSON \(30 characters\)<\/summary><pre class="value">\{&quot;count&quot;:0,&quot;note&quot;:&quot;&lt;\/script&gt;&quot;\}<\/pre><\/details>/,
    );
    t.match(
      block,
      /<pre class="replay">npx tsx harness\/cli\.ts replay --seed 1234 --path &#39;3:1:0:0:2&#39;/,
    );
    t.equal(html.match(/class="shrunk"/g)?.length, 1, 'only the result with a shrunk case has one');
    const one = formatHtml({
      ...REPORT,
      results: [{ ...REPORT.results[2]!, shrunk: { ...SHRUNK, steps: 1, bundle: 'javascript:x' } }],
    });
    t.match(one, /Shrunk in 1 step to:/);
    t.match(one, /bundle <code>javascript:x<\/code>/, 'a shrunk bundle with a scheme is no link');
    t.end();
  },
);

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
