// The matrix (harness/invalid/matrix.ts): rows per protocol and kind with their first case as the
// example, counts per reader with what it did with that case and its first violation,
// disagreements counted; shards merge by adding counts; the
// report sections (harness/report/matrix.ts) show it without script, and say nothing without one.
import t from 'tap';
import { MatrixBuilder, cellClass, mergeMatrices } from '../../invalid/matrix.js';
import type { MatrixCell, MatrixRow } from '../../invalid/model.js';
import { matrixHtml, matrixMarkdown } from '../../report/matrix.js';

const row = (n: number, cells: MatrixCell[], kind = 'union-two-fields'): MatrixRow => ({
  name: `binary/invalid/unions/${kind}/s${n}/U#0/0`,
  protocol: 'binary',
  group: 'unions',
  kind,
  what: `union U at S.u with two fields (${n})`,
  spec: 'must-refuse',
  specRef: 'doc/specs/thrift-binary-protocol.md: at most 1',
  bytesHex: '0c0001000000',
  type: 'S',
  cells,
  disagree: new Set(cells.map((c) => c.outcome)).size > 1,
});
const cell = (reader: string, outcome: MatrixCell['outcome'], violates = false): MatrixCell => ({
  reader,
  outcome,
  detail: `${reader} ${outcome}`,
  violates,
});

void t.test(
  "the builder counts, keeps the first case and each reader's first violation",
  async (t) => {
    const b = new MatrixBuilder();
    b.add(row(1, [cell('ours', 'refused'), cell('p', 'refused')]));
    b.add(row(2, [cell('ours', 'refused'), cell('p', 'accepted', true)]));
    b.add(row(3, [cell('ours', 'refused'), cell('q', 'crashed', true)], 'union-empty'));
    const m = b.result();
    t.same(m.readers, ['ours', 'p', 'q']);
    t.same(
      m.rows.map((r) => r.kind),
      ['union-empty', 'union-two-fields'],
    );
    const r = m.rows[1]!;
    t.equal(r.instances, 2);
    t.equal(r.disagreements, 1);
    t.match(
      r.example,
      { what: /\(1\)/, bytesLength: 6, bytesHex: '0c0001000000' },
      'the first case',
    );
    t.match(r.cells.p, {
      accepted: 1,
      refused: 1,
      violations: 1,
      detail: 'p refused',
      violation: { what: /\(2\)/, detail: 'p accepted' },
    });
    t.match(r.cells.ours, { refused: 2, violations: 0, detail: 'ours refused' });
    t.equal(r.cells.ours!.violation, undefined);
    t.match(m.rows[0]!.cells.q, { detail: 'q crashed' }, 'its detail is of the row example');
    t.equal(cellClass(r.cells.p!), 'mixed');
    t.equal(cellClass(m.rows[0]!.cells.q!), 'crashed');
    const merged = mergeMatrices([m, m, undefined])!;
    t.match(merged.rows[1]!.cells.p, { accepted: 2, refused: 2, violations: 2 });
    t.match(merged.rows[1]!.cells.p, { detail: 'p refused', violation: { what: /\(2\)/ } });
    t.equal(merged.rows[1]!.instances, 4);
    t.equal(mergeMatrices([undefined]), undefined);

    const html = matrixHtml(m);
    t.match(html, /<section id="invalid-matrix">/);
    t.match(html, /class="o-mixed bad"/, 'a violating cell is framed');
    t.notMatch(html, /<script/, 'no script: details open on click');
    t.match(
      matrixMarkdown(m),
      /\| unions\/union-two-fields \| must refuse \| 2 \| r2 \| ❌ \*\*a1 r1\*\* \| — \|/,
    );
    t.equal(matrixHtml(undefined), '');
    t.equal(matrixMarkdown({ readers: [], rows: [] }), '');
  },
);
