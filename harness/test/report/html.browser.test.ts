// report.html in headless Chromium (Debian's package, driven by playwright-core): the inline
// script runs under the page's own CSP, the matrix cells show counts and colours, the filters
// hide causes by verdict and text (case names too), a cause card builds its details when opened
// (highlighted bytes carry their field path as title), nothing is fetched, and the JUnit XML
// parses with the browser's XML parser; the filter's time on a report of 10,000 results is
// printed (a figure, not an assertion). Saves reports/screenshots/report.png and cause.png.
import t from 'tap';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { formatHtml } from '../../report/html.js';
import { groupCauses } from '../../report/causes.js';
import { formatJunit } from '../../report/junit.js';
import type { CaseResult, RunReport } from '../../runner/result.js';
import { REPORT } from './fixture.js';

// The browser globals used inside page.evaluate (the project's tsconfig has no DOM lib).
declare const window: {
  scrollTo(x: number, y: number): void;
  getComputedStyle(el: unknown): { backgroundColor: string };
};
declare const document: {
  getElementById(id: string): { value: string; dispatchEvent(e: unknown): boolean } | null;
  body: { offsetHeight: number };
};
declare const performance: { now(): number };
declare const Event: new (type: string) => unknown;
declare const DOMParser: new () => {
  parseFromString(
    text: string,
    type: string,
  ): {
    getElementsByTagName(name: string): {
      length: number;
      [i: number]: { getAttribute(name: string): string | null } | undefined;
    };
  };
};

// Debian's Chromium; CHROMIUM_PATH points elsewhere (e.g. to check the message when it is missing).
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const INSTALL = 'apt-get update && apt-get install -y chromium';
const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const shots = join(root, 'reports', 'screenshots');

void t.test('report.html in headless Chromium', async (t) => {
  if (!existsSync(CHROMIUM)) {
    t.fail(`Chromium is not installed at ${CHROMIUM}: install it with \`${INSTALL}\``);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'tc-html-'));
  const userDataDir = join(dir, 'profile');
  const file = join(dir, 'report.html');
  writeFileSync(file, formatHtml(REPORT));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1400, height: 1000 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  t.teardown(async () => {
    await context.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const problems: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(pathToFileURL(file).href);

  const shown = page.locator('#shown');
  t.equal(
    await shown.textContent(),
    '4 of 4 causes shown (4 cases)',
    'the inline script ran under the CSP',
  );

  const cell = (peer: string, property: string, protocol: string) =>
    page.locator(
      `table.matrix td[data-peer="${peer}"][data-property="${property}"][data-protocol="${protocol}"]`,
    );
  const worst = cell('thriftrw-py', 'peer-roundtrip', 'binary');
  t.equal(await worst.locator('b').textContent(), '2');
  t.equal(await worst.locator('small').textContent(), '1 ✓ · 1 ✗');
  t.equal(
    await worst.evaluate((el) => window.getComputedStyle(el).backgroundColor),
    'rgb(255, 215, 213)',
    'coloured as a mismatch',
  );
  t.equal(
    await cell('apache-py', 'peer-roundtrip', 'compact').evaluate(
      (el) => window.getComputedStyle(el).backgroundColor,
    ),
    'rgb(218, 251, 225)',
    'coloured as identical',
  );
  t.equal(await page.locator('table.matrix td.none').count(), 9);

  const cards = page.locator('details.cause');
  const visibleCards = async () => {
    let n = 0;
    for (const c of await cards.all()) if (await c.isVisible()) n++;
    return n;
  };
  t.equal(await visibleCards(), 4);
  await page.click('#only-failures');
  t.equal(await visibleCards(), 3, 'only the 2 mismatches and the peer error');
  t.equal(
    await page.locator('table.matrix tr[data-v=identical]').isVisible(),
    false,
    'the passing matrix row is hidden',
  );
  t.equal(await page.locator('details.cause[data-v=known-failure]').isVisible(), false);
  t.equal(await shown.textContent(), '3 of 4 causes shown (3 cases)');
  await page.click('#show-all');
  await page.locator('#filters input[data-verdict=mismatch]').uncheck();
  t.equal(await visibleCards(), 2, 'unchecking mismatch hides its 2 causes');
  await page.click('#show-all');
  await page.fill('#search', 'apache-py');
  t.equal(await visibleCards(), 3, 'the search keeps the causes of apache-py');
  await page.fill('#search', 'i8-negative');
  t.equal(await visibleCards(), 1, 'a case name finds its cause');
  await cell('thriftrw-py', 'peer-roundtrip', 'binary').locator('a').click();
  t.equal(await page.inputValue('#search'), 'thriftrw-py peer-roundtrip binary');
  t.equal(await visibleCards(), 1, 'clicking a cell filters to its causes');
  await page.click('#show-all');
  t.equal(await visibleCards(), 4);

  // A card builds its details when it is first opened.
  const card = page.locator('#cause-1');
  t.equal(await card.locator('.body').innerHTML(), '', 'nothing built before it opens');
  await card.locator('summary').click();
  await card.locator('ol.names li').first().waitFor();
  t.equal(await card.getAttribute('data-built'), '', 'built when opened');
  t.equal(await card.locator('ol.names li').count(), 1, 'every case name');
  t.equal(await card.locator('ol.names li').textContent(), REPORT.results[2]?.name);
  const byte = page.locator('#cause-1-example-1 > table.hex td.bytes span.x').first();
  t.equal(await byte.textContent(), '2a');
  t.equal(
    await byte.getAttribute('title'),
    'value.count — i32 value; byte 0x15 (wanted): 2a, got 2b',
    'the highlighted byte has its field path as title',
  );
  t.match(
    await page.locator('#cause-1-example-1 > table.hex tfoot').textContent(),
    /0x15\+1 value\.count i32 value/,
    'the legend names the span',
  );
  t.equal(
    await page.locator('#cause-1-example-1 p.summary').textContent(),
    REPORT.results[2]?.summary
      .replace('\u0001', '\\u0001')
      .replace('\u001b', '\\u001b')
      .replace('\u202e', '\\u202e')
      .replace('\ud800', '\\ud800'),
    'the awkward summary shows as text',
  );
  t.equal(await page.locator('main script, header script, section script').count(), 0);

  // The shrunk case: IDL and value are folded until opened.
  const shrunk = page.locator('#cause-1-shrunk');
  t.equal(await page.locator('div.shrunk').count(), 1, 'one shrunk block');
  t.ok(await shrunk.isVisible(), 'the shrunk block is visible');
  t.equal(
    await shrunk.locator('p.shrunk-summary').textContent(),
    'Shrunk in 3 steps to: value.count: wanted 0, got 1 <i>&</i>',
  );
  const shrunkByte = shrunk.locator('table.hex td.bytes span.x').first();
  t.equal(await shrunkByte.textContent(), '00');
  t.equal(
    await shrunkByte.getAttribute('title'),
    'value.count — i32 value; byte 0x6 (wanted): 00, got 01',
    'the shrunk hex dump is highlighted like the main one',
  );
  t.equal(
    await shrunkByte.evaluate((el) => window.getComputedStyle(el).backgroundColor),
    await byte.evaluate((el) => window.getComputedStyle(el).backgroundColor),
    'with the same colour',
  );
  const shrunkIdl = shrunk.locator('details.shrunk-idl pre.idl');
  t.equal(await shrunkIdl.isVisible(), false, 'the shrunk IDL starts folded');
  await shrunk.locator('details.shrunk-idl > summary').click();
  t.ok(await shrunkIdl.isVisible(), 'and shows when expanded');
  t.match(await shrunkIdl.textContent(), /<\/script><script>alert\(3\)<\/script>/, 'as text');
  const shrunkValue = shrunk.locator('details.shrunk-value pre.value');
  t.equal(await shrunkValue.isVisible(), false);
  await shrunk.locator('details.shrunk-value > summary').click();
  t.equal(await shrunkValue.textContent(), '{"count":0,"note":"</script>"}');
  t.match(
    await shrunk.locator('pre.replay').textContent(),
    /--path '3:1:0:0:2' --peer thriftrw-py/,
  );
  t.equal(
    await shrunk.locator('a[href="bundles/thriftrw-py/struct-nested-shrunk"]').count(),
    1,
    'the shrunk bundle is linked',
  );

  // A link to a cause (#cause-4) opens it.
  await page.goto(`${pathToFileURL(file).href}#cause-4`);
  t.equal(await page.locator('#cause-4').getAttribute('open'), '', 'opened by the link');
  t.match(await page.locator('#cause-4 p.reason').textContent(), /^Known failure \(cases/);

  // Known failures and stale entries with their kind.
  t.equal(await page.locator('#known table.known tbody tr').count(), 2);
  t.equal(
    await page
      .locator('#known tr.stale')
      .evaluate((el) => window.getComputedStyle(el.firstChild).backgroundColor),
    'rgb(255, 215, 213)',
    'an entry that matched nothing is marked',
  );
  t.equal(
    await page.locator('#stale tr[data-kind=unmatched] td').nth(2).textContent(),
    'unmatched',
  );

  const junit = await page.evaluate((xml) => {
    const doc = new DOMParser().parseFromString(xml, 'application/xml');
    return {
      errors: doc.getElementsByTagName('parsererror').length,
      suites: doc.getElementsByTagName('testsuite').length,
      cases: doc.getElementsByTagName('testcase').length,
      message: doc.getElementsByTagName('failure')[0]?.getAttribute('message') ?? '',
    };
  }, formatJunit(REPORT));
  t.same(
    { ...junit, message: junit.message.slice(0, 40) },
    { errors: 0, suites: 2, cases: 9, message: '1 case: value.count: wanted 42, got 43; ' },
    "the browser's XML parser reads junit.xml",
  );

  t.same(problems, [], 'no console errors (CSP violations would show here)');
  t.same(
    requests.filter((u) => !u.startsWith('file:')),
    [],
    'nothing fetched but the file',
  );

  mkdirSync(shots, { recursive: true });
  // The sticky filter bar would be drawn where the last click scrolled to: start from the top.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(shots, 'report.png'), fullPage: true });
  await page.locator('#cause-4').screenshot({ path: join(shots, 'cause.png') });
  t.comment(`screenshots in ${shots}`);

  // The filter on a report of 10,000 results (4,000 not passing, in a few hundred causes): a figure.
  const big = join(dir, 'big.html');
  const bigOne = bigReport(10_000);
  const nCauses = groupCauses(bigOne.results).causes.length;
  writeFileSync(big, formatHtml(bigOne));
  const t0 = performance.now();
  await page.goto(pathToFileURL(big).href);
  await page.locator('#shown').waitFor();
  const loadMs = performance.now() - t0;
  t.equal(await page.locator('details.cause').count(), nCauses);
  t.ok(nCauses >= 300, `${nCauses} causes`);
  const times: number[] = [];
  for (const q of [
    'peer-3',
    'case-7778',
    'err17 peer-1',
    'peer-roundtrip binary',
    'nothing-matches',
    '',
  ]) {
    times.push(
      await page.evaluate((query) => {
        const input = document.getElementById('search')!;
        const start = performance.now();
        input.value = query;
        input.dispatchEvent(new Event('input'));
        void document.body.offsetHeight;
        return performance.now() - start;
      }, q),
    );
  }
  t.equal(
    await page.locator('#shown').textContent(),
    `${nCauses} of ${nCauses} causes shown (4000 cases)`,
  );
  await page.fill('#search', 'case-7778');
  t.equal(await page.locator('details.cause:visible').count(), 1, 'a case name among 10,000');
  t.comment(
    `10,000 results: ${(statSync(big).size / 1e6).toFixed(2)} MB, loaded in ${loadMs.toFixed(0)} ms; filter ${times.map((x) => x.toFixed(1)).join(', ')} ms (max ${Math.max(...times).toFixed(1)} ms; target under 200)`,
  );
  t.same(problems, [], 'no console errors on the big page either');
});

/** A report of `n` results: 60% passing over 10 peers, the rest in a few hundred causes. */
function bigReport(n: number): RunReport {
  const results: CaseResult[] = [];
  for (let i = 0; i < n; i++) {
    const peer = `peer-${i % 10}`;
    const failing = i % 5 >= 3;
    results.push({
      name: `binary/peer:${peer}/peer-roundtrip/s${Math.floor(i / 12)}/case-${i}`,
      peer,
      protocol: 'binary',
      property: i % 2 === 0 ? 'peer-roundtrip' : 'our-client-peer-server',
      verdict: failing ? (i % 3 === 0 ? 'known-failure' : 'mismatch') : 'identical',
      summary: failing ? `value.f${i % 400}: wanted ${i}, got ${i + 1}` : 'identical',
      ...(failing ? { fingerprint: `peer-error:Err${i % 400}` } : {}),
      durationMs: 1,
    });
  }
  return { ...REPORT, results, staleKnownFailures: [] };
}
