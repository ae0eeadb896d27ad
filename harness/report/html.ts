/**
 * report.html: one self-contained page (inline CSS, a little inline JS, no external asset, a
 * Content-Security-Policy that allows nothing else) that stays small and quick for a default run
 * of ~48,000 results. A matrix of properties × peers × protocols with counts coloured by the
 * worst verdict; filters by verdict and text; one card per cause (causes.ts: verdict, count,
 * peers, properties, wire settings, the key, the summary) — worst first; the passing results as
 * tallies per peer, property and wire setting, and per allowed-variant kind. A card's details
 * are built only when it is opened, from the page's data (`<script type="application/json">`):
 * the smallest shrunk case (diff, hex dump, IDL and value folded, replay command and bundle),
 * a few example cases (summary, field-path table of `- wanted / + got`, a side-by-side hex dump
 * with the differing bytes highlighted and titled with their field path, stderr, IDL, value,
 * replay command) and the name of every case. Stale known-failures entries with their kind, and
 * every known-failures entry with its reason and counts. Every piece of data is HTML-escaped in
 * the data, which is never run: the script (allowed by its hash) reads it with JSON.parse and
 * puts names in with textContent.
 */
import { createHash } from 'node:crypto';
import type { CaseResult, RunReport, ShrunkCase, ValueDiff, Verdict } from '../runner/result.js';
import type { Cause, Causes } from './causes.js';
import { causesOf } from './json.js';
import { hexWindowOf } from './hexdump.js';
import { SCRIPT, STYLE } from './html-assets.js';
import { MATRIX_STYLE, matrixHtml } from './matrix.js';
import { hexTable } from './html-hex.js';
import {
  VERDICTS,
  distinct,
  headline,
  htmlEscape,
  isFailure,
  knownFailureRows,
  peerNames,
  severity,
  sideText,
  tally,
  truncate,
  visible,
  wireLabel,
} from './text.js';

/** The default file name in a report folder. */
export const HTML_FILE = 'report.html';

/** Options of {@link formatHtml}. */
export interface HtmlOptions {
  /** Rows of 16 bytes in each hex dump (default 8). */
  readonly hexRows?: number;
  /** Each IDL file, value JSON and stderr cut to this many characters (default 20,000). */
  readonly maxTextChars?: number;
  /** Example cases shown in full per cause (default 3, at most as many as the causes hold). */
  readonly maxExamples?: number;
}

export { htmlEscape };

const esc = htmlEscape;

const LABEL: Record<Verdict, string> = {
  identical: 'identical',
  'allowed-variant': 'allowed variant',
  'known-failure': 'known failure',
  'known-flaky': 'known flaky',
  'not-run': 'not run',
  'peer-error': 'peer error',
  mismatch: 'mismatch',
};

const GLYPH: Record<Verdict, string> = {
  identical: '✓',
  'allowed-variant': '≈',
  'known-failure': 'K',
  'known-flaky': '~',
  'not-run': '-',
  'peer-error': '!',
  mismatch: '✗',
};

const sha256 = (s: string) => `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`;

function worst(results: readonly CaseResult[]): Verdict {
  let w: Verdict = 'identical';
  for (const r of results) if (severity(r.verdict) > severity(w)) w = r.verdict;
  return w;
}

function badge(v: Verdict, extra = ''): string {
  return `<span class="badge v-${v}${extra}">${LABEL[v]}</span>`;
}

function header(report: RunReport): string {
  const status =
    report.exitCode === 0
      ? `<span class="badge status v-identical">conformant</span>`
      : report.exitCode === 1
        ? `<span class="badge status v-mismatch">NOT conformant</span>`
        : `<span class="badge status v-known-failure">incomplete</span>`;
  const meta: [string, string][] = [
    ['command', `<code>${esc(report.command)}</code>`],
    ['seed', `<code>${esc(String(report.seed))}</code>`],
    ['started', esc(report.startedAt)],
    ['duration', `${(report.durationMs / 1000).toFixed(1)} s`],
    ['tool', `${esc(report.tool.name)} ${esc(report.tool.version)}`],
  ];
  if (report.shard) meta.push(['shard', `${report.shard.index} of ${report.shard.count}`]);
  if (report.exitCode === 2)
    meta.push(['note', 'the run did not finish: this report holds the results written so far']);
  return (
    `<header><h1>${status}${esc(report.tool.name)} report</h1>` +
    `<div class="headline">${esc(headline(report).replace(/^[^:]*: /, ''))}</div>` +
    `<dl class="meta">${meta.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('')}</dl></header>`
  );
}

function peersSection(report: RunReport): string {
  const rows = peerNames(report).map((name) => {
    const p = report.peers.find((x) => x.name === name);
    const t = tally(report.results.filter((r) => r.peer === name));
    const counts = VERDICTS.map((v) => `<td class="num">${t[v] || ''}</td>`).join('');
    return (
      `<tr><th scope="row">${esc(name)}</th><td>${esc(p?.version ?? '?')}</td>` +
      `<td>${esc(p?.backend ?? '?')}</td><td class="num">${p ? p.startMs.toFixed(0) : ''}</td>` +
      `<td class="num">${p ? p.cases : ''}</td><td class="num">${p ? p.casesPerSecond.toFixed(1) : ''}</td>${counts}</tr>`
    );
  });
  const heads = VERDICTS.map((v) => `<th>${badge(v)}</th>`).join('');
  const notGiven = report.peers.flatMap((p) => {
    const why = Object.entries(p.notGiven ?? {});
    if (why.length === 0) return [];
    const n = why.reduce((a, [, k]) => a + k, 0);
    return [
      `<li><b>${esc(p.name)}</b> was not given ${n} case${n === 1 ? '' : 's'}: ${why.map(([w, k]) => `${k} ${esc(w)}`).join('; ')}</li>`,
    ];
  });
  return (
    `<section id="peers"><h2>Peers</h2><table class="peers"><thead><tr><th>peer</th><th>version</th>` +
    `<th>backend</th><th>start ms</th><th>cases</th><th>cases/s</th>${heads}</tr></thead>` +
    `<tbody>${rows.join('')}</tbody></table>` +
    (notGiven.length
      ? `<p class="muted">Cases a peer was not given, because the schema needs what it cannot do:</p><ul class="not-given">${notGiven.join('')}</ul>`
      : '') +
    `</section>`
  );
}

function filters(report: RunReport): string {
  const t = tally(report.results);
  const boxes = VERDICTS.map(
    (v) =>
      `<label class="v-${v}"><input type="checkbox" checked data-verdict="${v}"${isFailure(v) ? ' data-failure' : ''}>` +
      `${LABEL[v]} <b>${t[v]}</b></label>`,
  ).join('');
  return (
    `<nav class="filters" id="filters">${boxes}` +
    `<button type="button" id="only-failures">Only failures</button>` +
    `<button type="button" id="show-all">Show all</button>` +
    `<input type="search" id="search" placeholder="Filter: peer, property, cause, case name…" aria-label="filter">` +
    `<span id="shown" class="muted"></span></nav>`
  );
}

function matrix(report: RunReport): string {
  const peers = peerNames(report).filter((p) => report.results.some((r) => r.peer === p));
  const protocols = distinct(report.results, (r) => r.protocol);
  const properties = distinct(report.results, (r) => r.property);
  if (properties.length === 0)
    return `<section id="matrix"><h2>Matrix</h2><p>No results.</p></section>`;
  const head1 = peers.map((p) => `<th colspan="${protocols.length}">${esc(p)}</th>`).join('');
  const head2 = peers.map(() => protocols.map((pr) => `<th>${esc(pr)}</th>`).join('')).join('');
  const rows = properties.map((property) => {
    const inRow = report.results.filter((r) => r.property === property);
    const cells = peers
      .map((peer) =>
        protocols
          .map((protocol) => {
            const here = inRow.filter((r) => r.peer === peer && r.protocol === protocol);
            if (here.length === 0) return `<td class="none" title="no cases">—</td>`;
            const t = tally(here);
            const w = worst(here);
            const parts = VERDICTS.filter((v) => t[v] > 0);
            const small = parts.map((v) => `${t[v]} ${GLYPH[v]}`).join(' · ');
            const title = `${peer} · ${property} · ${protocol}: ${parts.map((v) => `${t[v]} ${LABEL[v]}`).join(', ')}`;
            const q = `${peer} ${property} ${protocol}`.toLowerCase();
            return (
              `<td class="v-${w}" data-peer="${esc(peer)}" data-property="${esc(property)}" data-protocol="${esc(protocol)}" data-worst="${w}">` +
              `<a href="#causes" title="${esc(title)}" data-q="${esc(q)}"><b>${here.length}</b><small>${small}</small></a></td>`
            );
          })
          .join(''),
      )
      .join('');
    return `<tr data-v="${worst(inRow)}"><th scope="row">${esc(property)}</th>${cells}</tr>`;
  });
  const legend = VERDICTS.map((v) => `<span>${GLYPH[v]} ${LABEL[v]}</span>`).join('');
  return (
    `<section id="matrix"><h2>Matrix: properties × peers × protocols</h2>` +
    `<table class="matrix"><thead><tr><th rowspan="2">property</th>${head1}</tr><tr>${head2}</tr></thead>` +
    `<tbody>${rows.join('')}</tbody></table>` +
    `<p class="legend-line">Cells: number of cases, then per verdict; coloured by the worst. ${legend} Click a cell to filter the causes.</p></section>`
  );
}

/** A relative link to a bundle, or plain text when it carries a scheme (never a javascript: link). */
function bundleLink(bundle: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(bundle) || bundle.startsWith('//'))
    return `<code>${esc(bundle)}</code>`;
  return `<a href="${esc(encodeURI(bundle))}"><code>${esc(bundle)}</code></a>`;
}

/** `Shrunk in 3 steps` (1 step). */
function stepsText(s: ShrunkCase): string {
  return `Shrunk in ${s.steps} ${s.steps === 1 ? 'step' : 'steps'}`;
}

/** The field-path table of `- wanted / + got`. */
function valuesTable(diffs: readonly ValueDiff[]): string {
  const rows = diffs.map(
    (d) =>
      `<tr><td class="mono">${esc(d.path)}</td><td class="w mono">− ${esc(truncate(sideText(d.wanted), 2000))}</td>` +
      `<td class="g mono">+ ${esc(truncate(sideText(d.got), 2000))}</td></tr>`,
  );
  return (
    `<table class="values"><thead><tr><th>field path</th><th>− wanted</th><th>+ got</th></tr></thead>` +
    `<tbody>${rows.join('')}</tbody></table>`
  );
}

/** The shrunk case of a failure: headline, facts, diff, hex dump, IDL and value folded, replay. */
function shrunkBlock(
  s: ShrunkCase,
  id: string,
  options: Required<HtmlOptions>,
  of?: string,
): string {
  const max = options.maxTextChars;
  const where = [
    ...(of !== undefined ? [`of <code>${esc(of)}</code>`] : []),
    `type <code>${esc(s.type)}</code>`,
    `path <code>${esc(s.path)}</code>`,
    `fingerprint <code>${esc(s.fingerprint)}</code>`,
  ];
  if (s.bundle !== undefined) where.push(`bundle ${bundleLink(s.bundle)}`);
  const parts: string[] = [
    `<h4>Shrunk case</h4>`,
    `<p class="shrunk-summary">${stepsText(s)} to: ${esc(s.summary)}</p>`,
    `<p class="where">${where.join(' · ')}</p>`,
  ];
  if (s.valueDiff && s.valueDiff.length > 0) parts.push(valuesTable(s.valueDiff));
  const win = hexWindowOf(s.wantedHex, s.gotHex, s.byteDiff, { rows: options.hexRows });
  if (win) parts.push(hexTable(win));
  const idl = Object.entries(s.idl);
  if (idl.length > 0)
    parts.push(
      `<details class="shrunk-idl"><summary>shrunk IDL: ${idl.map(([file]) => `<code>${esc(file)}</code>`).join(', ')}</summary>` +
        idl
          .map(
            ([file, text]) =>
              `<p class="file"><code>${esc(file)}</code></p><pre class="idl">${esc(truncate(text, max))}</pre>`,
          )
          .join('') +
        `</details>`,
    );
  parts.push(
    `<details class="shrunk-value"><summary>shrunk value as JSON (${s.valueJson.length} characters)</summary><pre class="value">${esc(truncate(s.valueJson, max))}</pre></details>`,
  );
  if (s.replay !== undefined) parts.push(`<pre class="replay">${esc(s.replay)}</pre>`);
  return `<div class="shrunk" id="${id}">${parts.join('')}</div>`;
}

/** One example case of a cause, in full. */
function exampleSection(r: CaseResult, id: string, options: Required<HtmlOptions>): string {
  const max = options.maxTextChars;
  const where = [
    esc(r.peer),
    esc(r.property),
    `<span class="mono">${esc(wireLabel(r))}</span>`,
    `${r.durationMs.toFixed(0)} ms`,
  ];
  if (r.seed !== undefined) where.push(`seed <code>${esc(String(r.seed))}</code>`);
  if (r.path !== undefined) where.push(`path <code>${esc(r.path)}</code>`);
  if (r.fingerprint !== undefined) where.push(`fingerprint <code>${esc(r.fingerprint)}</code>`);
  if (r.bundle !== undefined) where.push(`bundle ${bundleLink(r.bundle)}`);
  const parts: string[] = [
    `<h3>${badge(r.verdict)} <code>${esc(r.name)}</code></h3>`,
    `<p class="where">${where.join(' · ')}</p>`,
    `<p class="summary">${esc(r.summary)}</p>`,
  ];
  if (r.valueDiff && r.valueDiff.length > 0)
    parts.push(`<h4>Values</h4>${valuesTable(r.valueDiff)}`);
  const win = hexWindowOf(r.wantedHex, r.gotHex, r.byteDiff, { rows: options.hexRows });
  if (win) parts.push(`<h4>Bytes</h4>${hexTable(win)}`);
  if (r.stderr !== undefined)
    parts.push(`<h4>Peer stderr</h4><pre class="stderr">${esc(truncate(r.stderr, max))}</pre>`);
  const idl = Object.entries(r.idl ?? {});
  if (idl.length > 0) {
    parts.push(
      `<h4>IDL</h4>` +
        idl
          .map(
            ([file, text]) =>
              `<details><summary><code>${esc(file)}</code></summary><pre class="idl">${esc(truncate(text, max))}</pre></details>`,
          )
          .join(''),
    );
  }
  if (r.valueJson !== undefined)
    parts.push(
      `<h4>Value</h4><details><summary>value as JSON (${r.valueJson.length} characters)</summary><pre class="value">${esc(truncate(r.valueJson, max))}</pre></details>`,
    );
  if (r.replay !== undefined)
    parts.push(`<h4>Replay</h4><pre class="replay">${esc(r.replay)}</pre>`);
  return `<section class="example v-${r.verdict}" id="${id}">${parts.join('')}</section>`;
}

/** The closed card of a cause: what it is, in one summary line; its details come from the data. */
function causeCard(c: Cause, i: number): string {
  const facts = [
    `<b>${c.count}</b> ${c.count === 1 ? 'case' : 'cases'}`,
    esc(c.peers.join(', ')),
    esc(c.properties.join(', ')),
    `<span class="mono">${esc(c.wires.join(' · '))}</span>`,
  ];
  const text = c.knownReason ?? c.summary;
  return (
    `<details class="cause v-${c.verdict}" id="cause-${i + 1}" data-v="${c.verdict}" data-i="${i}">` +
    `<summary>${badge(c.verdict)} <code class="key">${esc(c.key)}</code> <span class="facts">${facts.join(' · ')}</span>` +
    `<span class="text">${esc(truncate(text, 300))}</span></summary><div class="body"></div></details>`
  );
}

/** Most case names of one cause the page holds (a default run's report stays small). */
export const MAX_NAMES = 300;

/** What the script needs of a cause: its search text, its details as escaped HTML, its case names. */
function causeData(c: Cause, i: number, options: Required<HtmlOptions>) {
  const id = `cause-${i + 1}`;
  const parts: string[] = [];
  if (c.knownReason !== undefined)
    parts.push(
      `<p class="reason">${c.verdict === 'known-flaky' ? 'Known flaky' : 'Known failure'}${c.knownEntry ? ` (<code>${esc(c.knownEntry)}</code>)` : ''}: ${esc(c.knownReason)}</p>`,
    );
  if (c.fingerprints.length > 0)
    parts.push(
      `<p class="where">fingerprints: ${c.fingerprints.map((f) => `<code>${esc(f)}</code>`).join(' · ')}</p>`,
    );
  if (c.shrunk !== undefined)
    parts.push(shrunkBlock(c.shrunk, `${id}-shrunk`, options, c.shrunkOf));
  const examples = c.examples.slice(0, options.maxExamples);
  parts.push(
    `<h4>${examples.length === 1 ? 'Example' : `${examples.length} examples`} of ${c.count}</h4>` +
      examples.map((r, k) => exampleSection(r, `${id}-example-${k + 1}`, options)).join(''),
  );
  const search = [
    c.verdict,
    c.key,
    c.peers.join(' '),
    c.properties.join(' '),
    c.wires.join(' '),
    c.summary,
    c.knownReason ?? '',
    c.fingerprints.join(' '),
  ]
    .join(' ')
    .toLowerCase();
  return {
    search: visible(search),
    html: parts.join(''),
    // A cause of thousands of cases lists the first MAX_NAMES here (results.jsonl has them all).
    names: c.cases.slice(0, MAX_NAMES).map((n) => visible(n)),
    total: c.cases.length,
  };
}

function staleSection(report: RunReport): string {
  if (report.staleKnownFailures.length === 0) return '';
  const rows = report.staleKnownFailures.map(
    (s) =>
      `<tr data-kind="${esc(s.kind)}"><td>${esc(s.peer)}</td><td class="mono">${esc(s.entry)}</td>` +
      `<td class="nw">${esc(s.kind)}</td><td>${esc(s.why)}</td></tr>`,
  );
  return (
    `<section id="stale"><h2>Stale known failures <span class="badge v-mismatch">${rows.length}</span></h2>` +
    `<p class="muted">Each fails the run: the entry matched nothing, or its case now passes. Remove or fix it in <code>cases/known-failures/&lt;peer&gt;.txt</code>.</p>` +
    `<table class="stale"><thead><tr><th>peer</th><th>entry</th><th>kind</th><th>why</th></tr></thead><tbody>${rows.join('')}</tbody></table></section>`
  );
}

function knownFailuresSection(report: RunReport): string {
  const known = knownFailureRows(report);
  if (known.length === 0) return '';
  const rows = known.map((k) => {
    const stale = k.matched === 0 || (k.passing ?? 0) > 0;
    const title = k.source === undefined ? '' : ` title="${esc(k.source)}"`;
    return (
      `<tr${stale ? ' class="stale"' : ''}><td>${esc(k.peer)}</td><td class="mono"${title}>${esc(k.entry)}</td>` +
      `<td>${esc(k.reason)}</td><td class="num">${k.matched}</td><td class="num">${k.passing ?? '?'}</td></tr>`
    );
  });
  return (
    `<section id="known"><h2>Known failures</h2>` +
    `<p class="muted">The entries of <code>cases/known-failures/&lt;peer&gt;.txt</code>: failures they matched (reported as known failures) and cases they name that passed.</p>` +
    `<table class="known"><thead><tr><th>peer</th><th>entry</th><th>reason</th><th>matched</th><th>passing</th></tr></thead>` +
    `<tbody>${rows.join('')}</tbody></table></section>`
  );
}

/** The passing results: per peer, property and wire setting, and per allowed-variant kind. */
function passingSection(c: Causes): string {
  if (c.passing.length === 0) return '';
  const rows = c.passing.map(
    (p) =>
      `<tr data-v="${p.allowedVariant > 0 ? 'allowed-variant' : 'identical'}"><td>${esc(p.peer)}</td><td>${esc(p.property)}</td><td class="mono">${esc(p.wire)}</td>` +
      `<td class="num">${p.identical}</td><td class="num">${p.allowedVariant}</td></tr>`,
  );
  const variants = c.variants.map(
    (v) =>
      `<tr><td class="mono">${esc(v.kind)}</td><td class="num">${v.count}</td><td>${esc(v.peers.join(', '))}</td>` +
      `<td>${esc(v.properties.join(', '))}</td><td>${esc(truncate(v.summary, 300))}</td></tr>`,
  );
  return (
    `<section id="passing"><h2>Passing</h2><details><summary>Passing results per peer, property and wire setting (${c.passing.length} rows)</summary>` +
    `<table class="passing"><thead><tr><th>peer</th><th>property</th><th>wire</th><th>identical</th><th>allowed variant</th></tr></thead>` +
    `<tbody>${rows.join('')}</tbody></table></details>` +
    (variants.length > 0
      ? `<h3>Allowed variants by kind</h3><table class="variants"><thead><tr><th>kind</th><th>count</th><th>peers</th><th>properties</th><th>first summary</th></tr></thead><tbody>${variants.join('')}</tbody></table>`
      : '') +
    `</section>`
  );
}

/** JSON for a `<script type="application/json">`: `<`, `>`, `&` and U+2028/9 escaped. */
function dataJson(x: unknown): string {
  return JSON.stringify(x)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/**
 * The report as one self-contained HTML page (see the module comment). Defaults: 8 hex rows per
 * dump, texts cut at 20,000 characters, 3 examples per cause. Never throws.
 */
export function formatHtml(report: RunReport, options: HtmlOptions = {}): string {
  const opts: Required<HtmlOptions> = {
    hexRows: options.hexRows ?? 8,
    maxTextChars: options.maxTextChars ?? 20_000,
    maxExamples: options.maxExamples ?? 3,
  };
  const c = causesOf(report);
  const cards = c.causes.map((x, i) => causeCard(x, i)).join('\n');
  const data = { causes: c.causes.map((x, i) => causeData(x, i, opts)) };
  const failing = c.causes.reduce((n, x) => n + x.count, 0);
  const csp = `default-src 'none'; style-src ${sha256(STYLE + MATRIX_STYLE)}; script-src ${sha256(SCRIPT)}; img-src data:; base-uri 'none'; form-action 'none'`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<title>${esc(`${report.tool.name}: ${headline(report)}`)}</title>
<style>${STYLE + MATRIX_STYLE}</style>
</head>
<body>
<main>
${header(report)}
${filters(report)}
${matrix(report)}
${matrixHtml(report.invalidMatrix)}
${staleSection(report)}
${knownFailuresSection(report)}
${peersSection(report)}
<section id="causes"><h2>Causes (${c.causes.length}; ${failing} ${failing === 1 ? 'result' : 'results'} not passing)</h2>
${c.causes.length === 0 ? '<p>None: every result passed.</p>' : `<p class="muted">One card per cause, worst first; open one for its shrunk case, examples and every case name.</p>\n${cards}`}
</section>
${passingSection(c)}
</main>
<script type="application/json" id="report-data">${dataJson(data)}</script>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
