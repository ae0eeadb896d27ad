// Shared text helpers: visible characters, truncation, tallies and the headline.
import t from 'tap';
import { headline, oneLine, peerNames, tally, truncate, visible } from '../../report/text.js';
import { REPORT } from './fixture.js';

void t.test(
  'visible makes controls, bidi overrides and lone surrogates visible, keeps the rest',
  (t) => {
    t.equal(visible('a\u0001b\u001b[0m'), 'a\\u0001b\\u001b[0m');
    t.equal(visible('tab\tnew\nline'), 'tab\tnew\nline');
    t.equal(visible('x\r\u007f\u0085'), 'x\\u000d\\u007f\\u0085');
    t.equal(visible('\u202eevil\u2066'), '\\u202eevil\\u2066');
    t.equal(visible('lone \ud800 and \udc00'), 'lone \\ud800 and \\udc00');
    t.equal(visible('😀𝕏 é 中'), '😀𝕏 é 中', 'astral and other characters stay');
    t.equal(visible('\u0000'), '\\u0000');
    t.equal(oneLine('a\nb\tc'), 'a\\nb\\tc');
    t.end();
  },
);

void t.test('truncate never splits a surrogate pair and says what it left out', (t) => {
  t.equal(truncate('short', 10), 'short');
  t.equal(truncate('abcdef', 3), 'abc… (3 more characters)');
  t.equal(truncate('a😀b', 2), 'a… (3 more characters)', 'cut before the pair');
  t.end();
});

void t.test('tally, peerNames and headline', (t) => {
  t.same(tally(REPORT.results), {
    identical: 3,
    'allowed-variant': 1,
    'known-failure': 1,
    'known-flaky': 0,
    'not-run': 0,
    'peer-error': 1,
    mismatch: 2,
  });
  t.same(peerNames(REPORT), ['thriftrw-py', 'apache-py']);
  t.equal(
    headline(REPORT),
    'NOT conformant: 8 cases, 2 mismatches, 1 peer error, 1 stale known failure, 1 known failure, 1 allowed variant (seed 1234)',
  );
  t.equal(
    headline({
      ...REPORT,
      results: REPORT.results.slice(0, 1),
      staleKnownFailures: [],
      exitCode: 0,
    }),
    'conformant: 1 case (seed 1234)',
  );
  t.match(headline({ ...REPORT, exitCode: 2 }), /^incomplete: /);
  t.end();
});
