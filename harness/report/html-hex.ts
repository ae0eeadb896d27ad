/**
 * The side-by-side hex dump of report.html: a table of offset, wanted bytes and text, got bytes
 * and text, each highlighted byte titled with its field path and meaning, and a legend row.
 */
import type { HexCell, HexWindow } from './hexdump.js';
import { cellText, hexByte, hexOffset } from './hexdump.js';
import { htmlEscape as esc } from './text.js';

function cellTitle(c: HexCell, win: HexWindow, side: 'wanted' | 'got', other: HexCell): string {
  const span = c.span === undefined ? undefined : win.spans[c.span];
  const here = `byte 0x${hexOffset(c.offset, 1)} (${side}): ${c.byte === undefined ? 'none' : hexByte(c.byte)}, ${side === 'wanted' ? 'got' : 'wanted'} ${other.byte === undefined ? 'none' : hexByte(other.byte)}`;
  return span ? `${span.path} — ${span.meaning}; ${here}` : here;
}

function hexSide(
  cells: readonly HexCell[],
  others: readonly HexCell[],
  win: HexWindow,
  side: 'wanted' | 'got',
): [string, string] {
  let hex = '';
  let ascii = '';
  cells.forEach((c, i) => {
    const sep = i === 0 ? '' : ' ';
    const text = cellText(c);
    const ch =
      c.byte === undefined
        ? ' '
        : c.byte >= 0x20 && c.byte < 0x7f
          ? String.fromCharCode(c.byte)
          : '.';
    const other = others[i] ?? c;
    if (c.differs) {
      const cls = `x${c.span === undefined ? '' : ` s${win.shownSpans.indexOf(c.span) % 6}`}`;
      const title = esc(cellTitle(c, win, side, other));
      hex += `${sep}<span class="${cls}" title="${title}" data-path="${esc(c.span === undefined ? '' : (win.spans[c.span]?.path ?? ''))}">${text}</span>`;
      ascii += `<span class="${cls}" title="${title}">${esc(ch)}</span>`;
    } else {
      hex += sep + text;
      ascii += esc(ch);
    }
  });
  return [hex, ascii];
}

/** The hex window as an HTML table (every text escaped). Never throws. */
export function hexTable(win: HexWindow): string {
  const rows: string[] = [];
  const gap = (n: number, where: string) =>
    `<tr><td class="off"></td><td class="gap" colspan="4">… ${n} bytes ${where}</td></tr>`;
  if (win.before > 0) rows.push(gap(win.before, 'before'));
  for (const row of win.rows) {
    const [wh, wa] = hexSide(row.wanted, row.got, win, 'wanted');
    const [gh, ga] = hexSide(row.got, row.wanted, win, 'got');
    rows.push(
      `<tr class="${row.differs ? 'diff' : 'same'}"><td class="off">${hexOffset(row.offset, win.offsetWidth)}</td>` +
        `<td class="bytes">${wh}</td><td class="ascii">${wa}</td><td class="bytes">${gh}</td><td class="ascii">${ga}</td></tr>`,
    );
  }
  if (win.after > 0) rows.push(gap(win.after, 'after'));
  const keys = win.shownSpans.map((i, k) => {
    const s = win.spans[i];
    if (!s) return '';
    return (
      `<span class="key"><span class="sw s${k % 6}"></span><code>0x${hexOffset(s.offset, 1)}+${s.length}</code> ` +
      `<code>${esc(s.path)}</code> ${esc(s.meaning)}</span>`
    );
  });
  const first =
    win.first >= 0 ? `first difference at byte 0x${hexOffset(win.first, 1)}` : 'same bytes';
  const legend =
    `<tr class="legend"><td colspan="5"><span class="key"><span class="sw"></span>differs</span>${keys.join('')}` +
    `<span class="key muted">${first}; hover a highlighted byte for its field</span></td></tr>`;
  return (
    `<table class="hex"><thead><tr><th>offset</th><th>wanted (${win.wantedLength} bytes)</th><th>text</th>` +
    `<th>got (${win.gotLength} bytes)</th><th>text</th></tr></thead><tbody>${rows.join('')}</tbody>` +
    `<tfoot>${legend}</tfoot></table>`
  );
}
