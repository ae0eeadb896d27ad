/**
 * The invalid-input matrix in the reports (harness/invalid/matrix.ts holds the data): a section of
 * report.html — rows are case kinds grouped by group, columns are readers, cells coloured by what
 * the reader did (accepted, refused, both, crashed or hung), a violation of the spec's rule marked,
 * the example opened with a click (`<details>`: no script) — and a section of summary.md.
 */
import type {
  InvalidMatrix,
  MatrixCellSummary,
  MatrixExample,
  MatrixKindRow,
} from '../invalid/matrix.js';
import { cellClass, cellCounts } from '../invalid/matrix.js';

/** The CSS of the matrix section (appended to the page's style, under its CSP hash). */
export const MATRIX_STYLE = `
table.invalid td{padding:0;vertical-align:top;min-width:90px}
table.invalid td details summary{padding:4px 8px;cursor:pointer;list-style:none;white-space:nowrap}
table.invalid td details[open]{min-width:320px}
table.invalid details div{padding:4px 8px;font-size:12px;text-align:left;overflow-wrap:anywhere;background:#fff}
table.invalid td.o-accepted{background:var(--ok-bg)}
table.invalid td.o-refused{background:var(--av-bg)}
table.invalid td.o-mixed{background:var(--kf-bg)}
table.invalid td.o-crashed,table.invalid td.o-hung{background:var(--pe-bg)}
table.invalid td.bad{outline:3px solid var(--mm);outline-offset:-3px}
table.invalid th.group{background:var(--soft);text-align:left}
table.invalid .rule{font-size:11px;color:var(--muted)}
`;

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The spec rule in a few words. */
const RULE: Readonly<Record<string, string>> = {
  'must-refuse': 'must refuse',
  'must-accept': 'must accept',
  silent: 'spec silent',
};

/** An example case as HTML: what it is, its name and bytes, what a reader had to read. */
function exampleHtml(e: MatrixExample): string {
  const cut = e.bytesHex.length < e.bytesLength * 2 ? '…' : '';
  const must =
    e.expected !== undefined
      ? `<br>must read: <code>${esc(JSON.stringify(e.expected))}</code>`
      : '';
  return `<b>${esc(e.what)}</b><br>${esc(e.name)}<br>bytes (${e.bytesLength}): <code>${esc(e.bytesHex)}${cut}</code>${must}`;
}

/** One HTML cell: counts; the click opens what the reader did with the row's example, and its first violation. */
function htmlCell(row: MatrixKindRow, c: MatrixCellSummary | undefined): string {
  if (c === undefined) return '<td class="muted"><details><summary>—</summary></details></td>';
  const bad = c.violations > 0;
  const parts: string[] = [];
  if (c.detail !== undefined)
    parts.push(
      `${c.detailOf !== undefined ? `(its own first case, ${esc(c.detailOf)}) ` : ''}${esc(c.detail)}`,
    );
  if (c.documented > 0) parts.push(`${c.documented} accepted as its manifest documents`);
  if (c.violation !== undefined)
    parts.push(`against the rule: ${exampleHtml(c.violation)}<br>${esc(c.violation.detail ?? '')}`);
  const title = `${row.kind}: ${cellCounts(c)}${bad ? `; ${c.violations} against the spec` : ''}`;
  return `<td class="o-${cellClass(c)}${bad ? ' bad' : ''}" title="${esc(title)}"><details><summary>${esc(cellCounts(c))}${bad ? ` ✗${c.violations}` : ''}</summary><div>${parts.join('<br>')}</div></details></td>`;
}

/**
 * The matrix section of report.html, or '' when the run had no invalid-input case. Never throws.
 */
export function matrixHtml(m: InvalidMatrix | undefined): string {
  if (m === undefined || m.rows.length === 0) return '';
  const head = `<tr><th>case kind</th><th class="num">cases</th>${m.readers.map((r) => `<th>${esc(r)}</th>`).join('')}</tr>`;
  const body: string[] = [];
  let last = '';
  for (const row of m.rows) {
    const g = `${row.protocol} · ${row.group}`;
    if (g !== last) {
      body.push(`<tr><th class="group" colspan="${m.readers.length + 2}">${esc(g)}</th></tr>`);
      last = g;
    }
    body.push(
      `<tr><th scope="row" title="${esc(row.specRef)}"><details><summary>${esc(row.kind)}</summary><div>${row.example ? exampleHtml(row.example) : ''}</div></details><div class="rule">${RULE[row.spec] ?? row.spec}${row.disagreements > 0 ? ` · readers disagree on ${row.disagreements}` : ''}</div></th><td class="num">${row.instances}</td>${m.readers.map((r) => htmlCell(row, row.cells[r])).join('')}</tr>`,
    );
  }
  return `<section id="invalid-matrix"><h2>Invalid-input matrix</h2>
<p class="muted">What each reader did with bytes made invalid (or edge) from the run's values: green accepted, blue refused, yellow both, orange crashed or hung; a red frame where a reader broke the spec's rule (✗ count). Hover a kind for its spec rule, click it for an example case, click a cell for what that reader did with it. docs/invalid.md explains every kind.</p>
<table class="invalid"><thead>${head}</thead><tbody>
${body.join('\n')}
</tbody></table></section>`;
}

/** One Markdown cell. */
function mdCell(c: MatrixCellSummary | undefined): string {
  if (c === undefined) return '—';
  const short = (['accepted', 'refused', 'crashed', 'hung'] as const)
    .filter((k) => c[k] > 0)
    .map((k) => `${k[0]}${c[k]}`)
    .join(' ');
  return c.violations > 0 ? `❌ **${short}**` : short || '—';
}

/**
 * The matrix section of summary.md (a table per protocol; a: accepted, r: refused, c: crashed,
 * h: hung; ❌ where a reader broke the spec's rule), or '' when the run had none. Never throws.
 */
export function matrixMarkdown(m: InvalidMatrix | undefined): string {
  if (m === undefined || m.rows.length === 0) return '';
  const out = [
    `\n### Invalid-input matrix\n`,
    "a accepted, r refused, c crashed, h hung (per case); ❌ against the spec's rule. Kinds and rules: `docs/invalid.md`.\n",
  ];
  for (const protocol of ['binary', 'compact'] as const) {
    const rows = m.rows.filter((r) => r.protocol === protocol);
    if (rows.length === 0) continue;
    out.push(
      `\n**${protocol}**\n`,
      `| kind | rule | cases | ${m.readers.join(' | ')} |`,
      `| --- | --- | ---: |${m.readers.map(() => ' --- |').join('')}`,
      ...rows.map(
        (r) =>
          `| ${r.group}/${r.kind} | ${RULE[r.spec] ?? r.spec} | ${r.instances} | ${m.readers.map((x) => mdCell(r.cells[x])).join(' | ')} |`,
      ),
    );
  }
  return `${out.join('\n')}\n`;
}
