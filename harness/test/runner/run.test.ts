// The runner against the real peers (fixed seed, small): every property runs for every peer and
// wire setting they declare; the only failures are the known ones; the corpus is replayed first;
// known-failures entries that rot fail the run; a fault is shrunk to a smaller case with a bundle;
// shards partition the schemas; the same seed gives the same run.
import t from 'tap';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { caseName, failureKind, oddOneOut, runCases } from '../../runner/run.js';
import { listBundles, readBundle } from '../../runner/bundle.js';
import { loadKnownFailuresFor, readerOf } from '../../runner/known-failures.js';
import { ProcessPeer } from '../../peers/process.js';
import { defaultProcessPeers } from '../../peers/registry.js';
import type { Peer } from '../../peers/peer.js';
import type { CaseResult } from '../../runner/result.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const seed = Number(process.env.FC_SEED ?? 20261121);
t.comment(`runner seed ${seed} (replay with FC_SEED=${seed})`);

const failing = (r: CaseResult) => r.verdict === 'mismatch' || r.verdict === 'peer-error';

void t.test('every property, every peer and wire setting; only known failures', async (t) => {
  const peers = await Promise.all(defaultProcessPeers(root).map((s) => ProcessPeer.start(s)));
  t.teardown(() => Promise.all(peers.map((p) => p.stop())));
  const corpus = listBundles(join(root, 'cases', 'corpus')).map(readBundle);
  const knownFailures = loadKnownFailuresFor(join(root, 'cases', 'known-failures'), [
    { name: 'ours' },
    ...peers.map((p) => readerOf(p.manifest!)),
  ]);
  t.ok(corpus.length > 0 && knownFailures.length > 0, 'the repository has a corpus and entries');
  const seen: string[] = [];
  const out = await runCases({
    peers,
    seed,
    runs: 3,
    values: 8,
    corpus,
    knownFailures,
    // Both protocols, as a default run: the corpus holds findings of each.
    protocols: ['binary', 'compact'],
    onResult: (r) => seen.push(r.name),
  });
  const { results } = out;
  t.equal(seen.length, results.length, 'onResult saw every result as it came');
  const firstGenerated = results.findIndex((r) => r.origin === 'generated');
  t.ok(
    results.slice(0, firstGenerated).every((r) => r.origin === 'corpus') && firstGenerated > 0,
    'the corpus is replayed first',
  );
  const settings = new Set(
    results.map((r) => `${r.peer}/${r.property}/${r.transport}/${r.envelope}`),
  );
  for (const p of peers) {
    const a = p.info.abilities;
    t.ok(
      settings.has(`${p.name}/peer-roundtrip/undefined/undefined`),
      `${p.name} peer-roundtrip ran`,
    );
    t.ok(
      settings.has(`${p.name}/invalid-input/undefined/undefined`),
      `${p.name} invalid-input ran`,
    );
    for (const tr of a.transports) {
      for (const env of a.envelopes.read)
        t.ok(
          settings.has(`${p.name}/our-client-peer-server/${tr}/${env}`),
          `${p.name} server ${tr} ${env}`,
        );
      for (const env of a.envelopes.write)
        t.ok(
          settings.has(`${p.name}/peer-client-our-server/${tr}/${env}`),
          `${p.name} client ${tr} ${env}`,
        );
    }
    // TChannel has no envelope: one wire each way.
    if (a.transports.includes('tchannel'))
      for (const property of ['our-client-peer-server', 'peer-client-our-server'])
        t.ok(
          settings.has(`${p.name}/${property}/tchannel/undefined`),
          `${p.name} ${property} over TChannel`,
        );
  }
  t.ok(
    results.filter((r) => r.property === 'codec-roundtrip').every((r) => r.verdict === 'identical'),
    'our codec round-trips every value',
  );
  t.ok(
    results.some((r) => r.peer === 'ours' && r.property === 'invalid-input') &&
      results
        .filter((r) => r.peer === 'ours' && r.property === 'invalid-input')
        .every((r) => r.verdict === 'identical'),
    'our codec reads every invalid-input case as the spec says (or the spec is silent)',
  );
  const idlChecks = results.filter((r) => r.property === 'idl-roundtrip');
  t.equal(
    idlChecks.length,
    out.schemas + corpus.length,
    'one IDL round trip (print(parse(idl)) ≡ idl) per generated and corpus schema',
  );
  t.ok(
    idlChecks.every((r) => r.peer === 'ours' && r.verdict === 'identical'),
    'every IDL round trip is identical',
  );
  t.same(
    results.filter(failing).map((r) => `${r.name}: ${r.summary}`),
    [],
    'no failure that is not a known one',
  );
  t.ok(
    results.some((r) => r.verdict === 'known-failure' && r.knownReason),
    'known failures carry their reason',
  );
  t.same(out.staleKnownFailures, [], 'no stale entry');
  t.ok(
    out.knownFailures.every(
      (u) => (u.applies === false ? u.matched === 0 : u.matched > 0) && u.passing === 0,
    ),
    "every entry matched (but those fixed in the peer's release, which matched nothing), none passed",
  );
  // The envelope cases of the invalid-input matrix use one fixed IDL, carried by the failing
  // ones only (a report's ~800 passing envelope cells stay small).
  t.ok(
    results.every(
      (r) =>
        r.idl !== undefined ||
        (r.name.includes('/invalid/envelopes/') && r.verdict === 'identical'),
    ),
    'every result carries its IDL (passing envelope cells aside)',
  );
  // A peer that cannot load a schema (a load-idl result) sees none of its values, nor does one
  // the schema does not fit (counted in notGiven); every other value reaches every peer, so each
  // peer's cases plus the values it never saw equal ours.
  const ourWheres = results
    .filter((r) => r.peer === 'ours' && r.property === 'codec-roundtrip')
    .map((r) => r.name.slice(r.name.indexOf('/codec-roundtrip/') + '/codec-roundtrip/'.length));
  for (const p of peers) {
    const unloaded = results
      .filter((r) => r.peer === p.name && r.property === 'load-idl')
      .map((r) => r.name.slice(r.name.indexOf('/load-idl/') + '/load-idl/'.length));
    const missed = ourWheres.filter((w) => unloaded.some((u) => w.startsWith(`${u}/`))).length;
    const notGiven = Object.values(out.notGiven[p.name] ?? {}).reduce((a, b) => a + b, 0);
    t.equal(
      (out.casesPerPeer[p.name] ?? 0) + missed + notGiven,
      out.casesPerPeer.ours,
      `${p.name} saw every value of the schemas it loaded and was given (${missed} in ${unloaded.length} it could not load, ${notGiven} not given)`,
    );
  }
});

void t.test('known-failures entries that rot fail the run', async (t) => {
  const out = await runCases({
    peers: [],
    seed,
    runs: 1,
    values: 2,
    knownFailures: [
      { peer: 'ours', entry: 'bytes:never-seen', reason: 'matches nothing', source: 'ours.txt:1' },
      {
        peer: 'ours',
        entry: 'binary/peer:ours/codec-roundtrip/*',
        reason: 'passes',
        source: 'ours.txt:2',
      },
    ],
  });
  t.same(
    out.staleKnownFailures.map((s) => `${s.entry} ${s.kind}`),
    ['bytes:never-seen unmatched', 'binary/peer:ours/codec-roundtrip/* now-passing'],
  );
  t.match(out.staleKnownFailures[1]!.why, /ours\.txt:2: 2 cases it names passed/);
});

void t.test(
  'a fault is caught, shrunk, bundled and told apart from the peers that agree',
  async (t) => {
    const [spec] = defaultProcessPeers(root).filter((s) => s.name === 'thriftrw-py');
    const real = await ProcessPeer.start(spec!);
    t.teardown(() => real.stop());
    // Re-encodes every value with the last byte before the final STOP flipped.
    const faulty = Object.create(real) as Peer & { roundtrip: Peer['roundtrip'] };
    Object.defineProperty(faulty, 'name', { value: 'faulty' });
    faulty.roundtrip = async (module, type, bytes) => {
      const r = await real.roundtrip(module, type, bytes);
      const b = Uint8Array.from(r.bytes);
      if (b.length >= 2) b[b.length - 2] = b[b.length - 2]! ^ 0x01;
      return { ...r, bytes: b };
    };
    const dir = mkdtempSync(join(tmpdir(), 'tc-run-'));
    const out = await runCases({ peers: [faulty], seed, runs: 2, values: 4, reportDir: dir });
    const rt = out.results.filter((r) => r.property === 'peer-roundtrip');
    t.ok(
      rt.length > 0 && rt.every((r) => r.verdict === 'mismatch'),
      'every corrupted round trip is a mismatch',
    );
    t.ok(
      rt.every((r) => (r.byteDiff?.length ?? 0) > 0 && r.bundle !== undefined),
      'each with a byte diff and a bundle',
    );
    const first = out.results.find((r) => r.shrunk !== undefined);
    t.ok(first, 'the first failure has a shrunk case');
    const s = first!.shrunk!;
    t.comment(`${first!.summary}\n  shrunk in ${s.steps} steps to: ${s.summary}`);
    t.ok(
      s.idl['generated.thrift']!.length <= first!.idl!['generated.thrift']!.length,
      'the IDL is no larger',
    );
    t.ok(s.valueJson.length <= first!.valueJson!.length || s.steps > 0, 'the value is no larger');
    t.equal(failureKind(s.fingerprint), failureKind(first!.fingerprint!), 'it fails the same way');
    t.ok(s.bundle && existsSync(join(dir, s.bundle, 'case.json')), 'the shrunk case has a bundle');
    const b = readBundle(join(dir, s.bundle!));
    t.equal(b.case.peer, 'faulty');
    t.equal(b.case.path, s.path, 'the bundle records the fast-check path');
    t.match(readFileSync(join(dir, s.bundle!, 'README.md'), 'utf8'), /npm run conform -- replay/);

    const r = (peer: string, verdict: CaseResult['verdict']) => ({
      r: {
        name: peer,
        peer,
        property: 'peer-roundtrip',
        verdict,
        summary: 's',
        durationMs: 0,
        protocol: 'binary' as const,
      },
    });
    const told = oddOneOut([r('a', 'identical'), r('b', 'mismatch'), r('c', 'allowed-variant')]);
    t.equal(told[1]!.r.summary, 's [odd one out: b (a and c agree with us)]');
    const all = oddOneOut([r('a', 'mismatch'), r('b', 'mismatch')]);
    t.match(all[0]!.r.summary, /every peer fails the same way/);
  },
);

void t.test('shards partition the schemas; the same seed gives the same run', async (t) => {
  const names = async (shard?: { index: number; count: number }) =>
    (
      await runCases({ peers: [], seed, runs: 6, values: 2, ...(shard ? { shard } : {}) })
    ).results.map((r) => `${r.name} ${r.verdict} ${r.valueJson}`);
  const all = await names();
  t.same(await names(), all, 'same seed, same cases and verdicts');
  const a = await names({ index: 1, count: 2 });
  const b = await names({ index: 2, count: 2 });
  t.ok(a.length > 0 && b.length > 0);
  t.same([...a, ...b].sort(), [...all].sort(), 'shard 1/2 and 2/2 together are the whole run');
  t.same(
    a.filter((x) => b.includes(x)),
    [],
    'and share nothing',
  );
  t.equal(
    caseName('p', 'peer-roundtrip', undefined, 's1/Foo#2'),
    'binary/peer:p/peer-roundtrip/s1/Foo#2',
  );
});

void t.test('a time budget stops generating', async (t) => {
  const t0 = performance.now();
  const out = await runCases({ peers: [], seed, values: 2, timeBudgetMs: 1500 });
  const took = performance.now() - t0;
  t.ok(out.schemas > 0, `${out.schemas} schemas in the budget`);
  t.ok(took < 15_000, `stopped (${Math.round(took)} ms)`);
});

void t.test('a peer killed mid-run is started again and what it lost is run again', async (t) => {
  const spec = defaultProcessPeers(root).find((s) => s.name === 'thriftrw-py')!;
  const pidOf = (p: Peer) => (p as unknown as { child: { pid: number } }).child.pid;
  const run = async (kill: boolean, maxRestarts?: number) => {
    const peer = await ProcessPeer.start(spec);
    let killed = false;
    try {
      const out = await runCases({
        peers: [peer],
        seed,
        runs: 8,
        values: 4,
        shrink: false,
        ...(maxRestarts !== undefined ? { maxRestarts } : {}),
        onResult: (r) => {
          if (kill && !killed && r.origin === 'generated' && r.peer === peer.name) {
            killed = true;
            process.kill(pidOf(peer), 'SIGKILL');
          }
        },
      });
      return { out, killed };
    } finally {
      await peer.stop();
    }
  };
  const verdicts = (rs: readonly CaseResult[]) => rs.map((r) => `${r.name} ${r.verdict}`).sort();
  const calm = await run(false);
  const killed = await run(true);
  t.ok(killed.killed, 'the peer was killed during the run');
  t.equal(killed.out.peerHealth['thriftrw-py']?.restarts, 1, 'it was started again once');
  t.match(killed.out.peerHealth['thriftrw-py']?.died, /signal SIGKILL|closed its stdout|EPIPE/);
  t.same(
    verdicts(killed.out.results),
    verdicts(calm.out.results),
    'the same results as a calm run',
  );
  t.equal(killed.out.casesPerPeer['thriftrw-py'], calm.out.casesPerPeer['thriftrw-py']);

  const given = await run(true, 0);
  const notRun = given.out.results.filter((r) => r.verdict === 'not-run');
  t.ok(notRun.length > 0, 'with no restarts allowed, the rest is reported as not run');
  t.ok(
    notRun.every(
      (r) => r.peer === 'thriftrw-py' && /died and was not started again/.test(r.summary),
    ),
    'each says why',
  );
  t.equal(
    given.out.peerHealth['thriftrw-py']?.notRun,
    notRun.length === 0 ? 0 : given.out.peerHealth['thriftrw-py']?.notRun,
  );
  t.ok((given.out.peerHealth['thriftrw-py']?.notRun ?? 0) >= notRun.length, 'counted per value');
  // (thriftrw-py's own invalid-input findings, e.g. a negative container size read as empty,
  // are findings of what it read before it died, not of its death)
  t.notOk(
    given.out.results.some(
      (r) =>
        r.peer === 'thriftrw-py' &&
        failing(r) &&
        !(r.property === 'invalid-input' && r.verdict === 'mismatch'),
    ),
    'its death is no finding',
  );
});

void t.test('every property runs in each protocol a peer declares', async (t) => {
  const specs = defaultProcessPeers(root).filter((s) =>
    ['apache-py', 'thriftrw-py'].includes(s.name),
  );
  const peers = await Promise.all(specs.map((s) => ProcessPeer.start(s)));
  t.teardown(() => Promise.all(peers.map((p) => p.stop())));
  const out = await runCases({
    peers,
    seed,
    runs: 3,
    values: 4,
    shrink: false,
    protocols: ['binary', 'compact'],
  });
  const compact = out.results.filter((r) => r.protocol === 'compact');
  t.ok(compact.length > 0, 'compact results');
  t.ok(
    compact.every((r) => r.name.startsWith('compact/')),
    'their names say the protocol',
  );
  const props = new Set(compact.map((r) => `${r.peer} ${r.property}`));
  for (const p of [
    'ours codec-roundtrip',
    'apache-py peer-roundtrip',
    'apache-py our-client-peer-server',
    'apache-py peer-client-our-server',
  ])
    t.ok(props.has(p), `${p} in compact`);
  t.notOk(
    compact.some((r) => r.peer === 'thriftrw-py'),
    'a peer without compact is not given compact cases',
  );
  t.ok((out.notGiven['thriftrw-py']?.['no compact protocol'] ?? 0) > 0, 'and the report says why');
  t.ok(
    compact.filter((r) => r.transport !== undefined).every((r) => r.envelope === 'strict'),
    'the compact protocol has one envelope form',
  );
  t.ok(
    out.results.some((r) => r.protocol === 'binary' && r.peer === 'thriftrw-py'),
    'binary still runs for every peer',
  );
});

void t.test('invalidKindOf: the kind a recorded invalid-input case names', async (t) => {
  const { invalidKindOf } = await import('../../runner/run.js');
  t.same(
    invalidKindOf(
      'binary/peer:thriftrw-py/invalid-input/s0/unknown#3/lengths/container-size-negative/0 (shrunk)',
    ),
    ['container-size-negative'],
  );
  t.same(
    invalidKindOf('compact/peer:apache-java/invalid-input/corpus:x/T#0/unions/union-two-fields/1'),
    ['union-two-fields'],
  );
  t.same(invalidKindOf('binary/peer:a/peer-roundtrip/s0/T#0'), [], 'another property');
  t.same(invalidKindOf('binary/peer:a/invalid-input/s0'), [], 'no kind in it');
});
