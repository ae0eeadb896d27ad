/**
 * report.html: one self-contained page (inline CSS, a little inline JS, no external asset, a
 * Content-Security-Policy that allows nothing else). A matrix of properties × peers × protocols
 * with counts coloured by the worst verdict, filters by verdict and text, every result in a
 * table, and one section per failure: summary, field-path table of `- wanted / + got`, a
 * side-by-side hex dump from the first difference with the differing bytes highlighted (each
 * one's field path and meaning in its title, and a legend), the IDL, the value and the replay
 * command, and the shrunk case when there is one (the same diff and hex dump, its IDL and value
 * folded, its replay command and bundle). Stale known-failures entries with their kind, and a
 * table of every known-failures entry with its reason and counts. Every piece of data is
 * HTML-escaped and none of it is ever put inside the script.
 */
import { createHash } from 'node:crypto';
import type { CaseResult, RunReport, ShrunkCase, ValueDiff, Verdict } from '../runner/result.js';
import { hexWindowOf } from './hexdump.js';
import { SCRIPT, STYLE } from './html-assets.js';
import { hexTable } from './html-hex.js';
import {
  VERDICTS,
  distinct,
  headline,
  htmlEscape,
  isFailure,
  isPass,
  knownFailureRows,
  peerNames,
  severity,
  sideText,
  tally,
  truncate,
  wireLabel,
} from './text.js';

/** The default file name in a report folder. */
export const HTML_FILE = 'report.html';

/** Options of {@link formatHtml}. */
export interface HtmlOptions {
  /** Rows of 16 bytes in each hex dump (default 16). */
  readonly hexRows?: number;
  /** Each IDL file, value JSON and stderr cut to this many characters (default 50,000). */
  readonly maxTextChars?: number;
  /** At most this many failure sections (default 300); the rest are only rows of the results table. */
  readonly maxSections?: number;
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

/** The lower-cased text the search box matches against. */
function searchKey(r: CaseResult): string {
  return [
    r.peer,
    r.property,
    wireLabel(r),
    r.verdict,
    r.name,
    truncate(r.summary, 300),
    r.fingerprint ?? '',
  ]
    .join(' ')
    .toLowerCase();
}

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
    `<input type="search" id="search" placeholder="Filter: peer, property, name, path…" aria-label="filter">` +
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
              `<a href="#results" title="${esc(title)}" data-q="${esc(q)}"><b>${here.length}</b><small>${small}</small></a></td>`
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
    `<p class="legend-line">Cells: number of cases, then per verdict; coloured by the worst. ${legend} Click a cell to filter the results.</p></section>`
  );
}

function resultsTable(report: RunReport, anchors: Map<CaseResult, string>): string {
  const rows = report.results.map((r) => {
    const anchor = anchors.get(r);
    const breakable = esc(r.name).replace(/\//g, '/<wbr>');
    const name = anchor ? `<a href="#${anchor}">${breakable}</a>` : breakable;
    return (
      `<tr data-v="${r.verdict}" data-key="${esc(searchKey(r))}"><td>${badge(r.verdict)}</td>` +
      `<td class="nw">${esc(r.peer)}</td><td class="nw">${esc(r.property)}</td><td class="mono nw">${esc(wireLabel(r))}</td>` +
      `<td class="name mono">${name}</td><td class="summary">${esc(truncate(r.summary, 400))}</td>` +
      `<td class="num">${r.durationMs.toFixed(0)}</td></tr>`
    );
  });
  return (
    `<section id="results"><h2>Results</h2><table class="results"><thead><tr><th>verdict</th><th>peer</th>` +
    `<th>property</th><th>wire</th><th>case</th><th>summary</th><th>ms</th></tr></thead>` +
    `<tbody>${rows.join('')}</tbody></table></section>`
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
function shrunkBlock(s: ShrunkCase, id: string, options: Required<HtmlOptions>): string {
  const max = options.maxTextChars;
  const where = [
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

function failureSection(r: CaseResult, id: string, options: Required<HtmlOptions>): string {
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
  if (r.knownReason !== undefined)
    parts.push(`<p class="reason">Known failure: ${esc(r.knownReason)}</p>`);
  if (r.shrunk !== undefined)
    parts.push(
      `<p class="shrunk-line">${stepsText(r.shrunk)} to: <a href="#${id}-shrunk">${esc(r.shrunk.summary)}</a></p>`,
    );
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
            ([file, text], i) =>
              `<details${i === 0 ? ' open' : ''}><summary><code>${esc(file)}</code></summary><pre class="idl">${esc(truncate(text, max))}</pre></details>`,
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
  if (r.shrunk !== undefined) parts.push(shrunkBlock(r.shrunk, `${id}-shrunk`, options));
  return `<section class="failure v-${r.verdict}" id="${id}" data-v="${r.verdict}" data-key="${esc(searchKey(r))}">${parts.join('')}</section>`;
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

/**
 * The order of failure sections: worst verdict first; within one verdict, the first result of
 * each peer and fingerprint before repeats, so a capped page still shows every kind of failure.
 */
function sectionOrder(failing: readonly CaseResult[]): CaseResult[] {
  const seen = new Set<string>();
  const keyed = failing.map((r, i) => {
    const key = `${r.peer}\u0000${r.fingerprint ?? r.name}`;
    const repeat = seen.has(key) ? 1 : 0;
    seen.add(key);
    return { r, i, repeat };
  });
  keyed.sort(
    (a, b) => severity(b.r.verdict) - severity(a.r.verdict) || a.repeat - b.repeat || a.i - b.i,
  );
  return keyed.map((k) => k.r);
}

/**
 * The report as one self-contained HTML page. Defaults: 16 hex rows per dump, texts cut at
 * 50,000 characters, at most 300 failure sections (for mismatches, peer errors and known
 * failures, see sectionOrder).
 * Never throws.
 */
export function formatHtml(report: RunReport, options: HtmlOptions = {}): string {
  const opts: Required<HtmlOptions> = {
    hexRows: options.hexRows ?? 16,
    maxTextChars: options.maxTextChars ?? 50_000,
    maxSections: options.maxSections ?? 300,
  };
  const failing = sectionOrder(report.results.filter((r) => !isPass(r.verdict)));
  const withSection = failing.slice(0, opts.maxSections);
  const anchors = new Map<CaseResult, string>();
  withSection.forEach((r, i) => anchors.set(r, `failure-${i + 1}`));
  let sections = withSection.map((r) => failureSection(r, anchors.get(r) ?? '', opts)).join('\n');
  if (failing.length > withSection.length)
    sections += `\n<p class="muted">${failing.length - withSection.length} more failures are rows of the results table only; report.json has all their details.</p>`;
  const csp = `default-src 'none'; style-src ${sha256(STYLE)}; script-src ${sha256(SCRIPT)}; img-src data:; base-uri 'none'; form-action 'none'`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<title>${esc(`${report.tool.name}: ${headline(report)}`)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${header(report)}
${filters(report)}
${matrix(report)}
${staleSection(report)}
${knownFailuresSection(report)}
${peersSection(report)}
<section id="failures"><h2>Failures (${failing.length})</h2>
${failing.length === 0 ? '<p>None.</p>' : sections}
</section>
${resultsTable(report, anchors)}
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
