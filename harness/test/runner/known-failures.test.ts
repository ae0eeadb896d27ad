// Known failures scoped to versions: an entry `fixed in X` applies to peers whose library is older
// than X; for newer ones it is a fixed finding (never stale; a failure it names is a regression,
// not a known failure); a family file is read for every peer that names it.
import t from 'tap';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  compareVersions,
  KnownFailures,
  KnownFailuresError,
  loadKnownFailuresFor,
  parseKnownFailures,
} from '../../runner/known-failures.js';
import type { CaseResult } from '../../runner/result.js';

const failure = (peer: string, fingerprint: string): CaseResult => ({
  name: `binary/peer:${peer}/peer-roundtrip/s1/T#0`,
  peer,
  protocol: 'binary',
  property: 'peer-roundtrip',
  verdict: 'peer-error',
  summary: 'peer error: boom',
  fingerprint,
  byteDiff: [],
  valueDiff: [],
  durationMs: 1,
});

void t.test('versions compare numerically', async (t) => {
  t.equal(compareVersions('0.17.0', '0.20'), -1);
  t.equal(compareVersions('0.25.0', '0.20'), 1);
  t.equal(compareVersions('0.20', '0.20.0'), 0);
  t.equal(compareVersions('1.10', '1.9'), 1);
});

void t.test('the third column says in which release a finding is fixed', async (t) => {
  const [e] = parseKnownFailures('p', 'peer-error:x | it breaks | fixed in 0.20\n', 'p.txt');
  t.equal(e?.reason, 'it breaks');
  t.equal(e?.fixedIn, '0.20');
  t.throws(
    () => parseKnownFailures('p', 'a | b | fixed in soon\n', 'p.txt'),
    KnownFailuresError,
    'a version must look like one',
  );
});

void t.test('a family file serves old and new releases; fixed findings stay fixed', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tc-kf-'));
  writeFileSync(
    join(dir, 'fam.txt'),
    'peer-error:old-bug | broken before 0.20 | fixed in 0.20\npeer-error:always | broken in every release\n',
  );
  const entries = loadKnownFailuresFor(dir, [
    { name: 'fam', version: '0.17.0' },
    { name: 'fam-new', version: '0.25.0', files: ['fam'] },
  ]);
  t.same(
    entries.map((e) => `${e.peer} ${e.entry} ${e.applies}`),
    [
      'fam peer-error:old-bug true',
      'fam peer-error:always true',
      'fam-new peer-error:old-bug false',
      'fam-new peer-error:always true',
    ],
  );
  const kf = new KnownFailures(entries);
  t.equal(kf.apply(failure('fam', 'peer-error:old-bug')).verdict, 'known-failure', 'old: known');
  t.equal(kf.apply(failure('fam-new', 'peer-error:always')).verdict, 'known-failure');
  const regression = kf.apply(failure('fam-new', 'peer-error:old-bug'));
  t.equal(regression.verdict, 'peer-error', 'new: a failure the fixed entry names stays a failure');
  t.match(regression.summary, /a regression: fam\.txt:1 says this was fixed in 0\.20/);
  kf.apply(failure('fam', 'peer-error:always'));
  t.same(kf.stale(), [], 'a fixed entry that matched is not stale');
  const fixedUse = kf.uses().find((u) => u.peer === 'fam-new' && u.fixedIn === '0.20');
  t.equal(fixedUse?.applies, false, 'reported as fixed for the new release');
  const quiet = new KnownFailures(entries);
  quiet.apply(failure('fam', 'peer-error:old-bug'));
  quiet.apply(failure('fam', 'peer-error:always'));
  quiet.apply(failure('fam-new', 'peer-error:always'));
  t.same(quiet.stale(), [], 'a fixed entry that matches nothing is not stale either');
});
