// Peers as data: every manifest in peers/ reads and fits the format; nothing under harness/ (but
// its tests) names a particular peer; broken manifests are refused with the file, the field and
// how to fix it; --peer-dir folders are found; placeholders expand.
import t from 'tap';
import {
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
  mkdirSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { avoidRuleFor, expand, ManifestError, readManifest } from '../../peers/manifest.js';
import { discoverPeers, processSpecOf } from '../../peers/registry.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');

/** A minimal valid manifest, with `over` merged in. */
function manifest(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'mine',
    description: 'a test peer',
    language: 'js',
    library: { name: 'lib', version: '1.0.0' },
    process: { command: ['{dir}/peer.mjs'] },
    abilities: {
      protocols: ['binary'],
      transports: ['framed'],
      envelopes: { read: ['strict'], write: ['strict'] },
      dialect: 'apache',
      features: { uuid: false },
    },
    ...over,
  };
}

function peerDir(json: unknown, name = 'mine'): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'tc-manifest-')), name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'peer.json'), typeof json === 'string' ? json : JSON.stringify(json));
  return dir;
}

void t.test(
  'every manifest in peers/ reads, and default peers can be started as processes',
  async (t) => {
    const reg = discoverPeers(root);
    t.ok(reg.all.length >= 2, `found ${reg.all.map((m) => m.name).join(', ')}`);
    t.ok(reg.defaults.length >= 2, 'there are default peers');
    for (const m of reg.all) {
      t.equal(m.dir, join(root, 'peers', m.name), `${m.name}: its folder is named after it`);
      if (m.process) {
        const spec = processSpecOf(m, root);
        t.notMatch(spec.command.join(' '), /\{\w+\}/, `${m.name}: placeholders expand`);
        t.equal(spec.env?.THRIFT_CONFORM_PEER, m.name, `${m.name}: started with its name`);
      }
      t.ok(m.setup || m.process === undefined || true, `${m.name}: read`);
    }
  },
);

void t.test('nothing under harness/ but its tests names a particular peer', async (t) => {
  const names = discoverPeers(root).all.map((m) => m.name);
  const offenders: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir)) {
      const path = join(dir, e);
      if (statSync(path).isDirectory()) {
        if (e !== 'test') walk(path);
      } else if (/\.(ts|mjs|js)$/.test(e)) {
        const text = readFileSync(path, 'utf8');
        for (const n of names) {
          const re = new RegExp(`(^|[^\\w-])${n.replace(/[.]/g, '\\.')}(?![\\w-])`, 'm');
          const m = re.exec(text);
          if (m) {
            const line = text.slice(0, m.index).split('\n').length;
            offenders.push(`${path.slice(root.length + 1)}:${line} names ${n}`);
          }
        }
      }
    }
  };
  walk(join(root, 'harness'));
  t.same(offenders, [], 'peer-specific facts belong in the peer manifests');
});

void t.test('broken manifests are refused with the file, the field and a fix', async (t) => {
  const cases: [string, unknown, RegExp][] = [
    ['not JSON', '{', /not valid JSON/],
    ['no name', manifest({ name: undefined }), /name must be a non-empty string/],
    ['bad name', manifest({ name: 'My Peer' }), /name "My Peer" must match/],
    ['ours', manifest({ name: 'ours' }), /"ours" is the name of our own codec/],
    ['no backend', manifest({ process: undefined }), /process or container must be given/],
    [
      'bad protocol',
      manifest({ abilities: { ...(manifest().abilities as object), protocols: ['json'] } }),
      /abilities\.protocols\[0\] must be one of binary, compact, not "json"/,
    ],
    [
      'feature not boolean',
      manifest({ abilities: { ...(manifest().abilities as object), features: { uuid: 'no' } } }),
      /abilities\.features\.uuid must be true or false/,
    ],
    [
      'avoid rule empty',
      manifest({ avoidNames: [{ reason: 'x' }] }),
      /avoidNames\[0\] needs names/,
    ],
    [
      'bad pattern',
      manifest({ avoidNames: [{ reason: 'x', pattern: '(' }] }),
      /avoidNames\[0\]\.pattern is not a valid regular expression/,
    ],
    [
      'input escapes the context',
      manifest({ container: { dockerfile: 'Dockerfile', inputs: ['../x'] } }),
      /container\.inputs\[0\] must be a path inside the context/,
    ],
  ];
  for (const [what, json, re] of cases) {
    const dir = peerDir(json);
    t.throws(() => readManifest(dir), { name: 'ManifestError', message: re }, what);
    try {
      readManifest(dir);
    } catch (e) {
      t.match((e as Error).message, join(dir, 'peer.json'), `${what}: names the file`);
    }
  }
  t.throws(
    () => readManifest(mkdtempSync(join(tmpdir(), 'tc-empty-'))),
    /peer\.json does not exist/,
  );
});

void t.test(
  '--peer-dir: a peer folder or a folder of them; clashing names are refused',
  async (t) => {
    const one = peerDir(manifest());
    const reg = discoverPeers(root, [one]);
    t.ok(reg.has('mine'), 'a folder with peer.json');
    t.equal(reg.get('mine').default, false, 'not a default peer unless it says so');
    const parent = dirname(peerDir(manifest({ name: 'other' }), 'other'));
    t.ok(discoverPeers(root, [parent]).has('other'), 'a folder of peer folders');
    t.throws(
      () => discoverPeers(root, [mkdtempSync(join(tmpdir(), 'tc-none-'))]),
      /no peer\.json there/,
    );
    const existing = discoverPeers(root).all[0]!.name;
    t.throws(
      () => discoverPeers(root, [peerDir(manifest({ name: existing }), existing)]),
      /two peers are named/,
    );
    t.throws(() => reg.get('nope'), /unknown peer nope; known: .*mine.*--peer-dir/);
  },
);

void t.test('names it cannot take: lists, files and patterns; placeholders', async (t) => {
  const dir = peerDir(
    manifest({
      avoidNames: [
        { names: ['await'], reason: 'a keyword' },
        { file: 'names.txt', reason: 'from a file' },
        { pattern: '^__\\w+__$', reason: 'dunder' },
      ],
    }),
  );
  writeFileSync(join(dir, 'names.txt'), '# comment\nalpha\n  beta  # trailing\n\n');
  const m = readManifest(dir);
  t.equal(avoidRuleFor(m, 'await')?.reason, 'a keyword');
  t.equal(avoidRuleFor(m, 'beta')?.reason, 'from a file');
  t.equal(avoidRuleFor(m, '__init__')?.reason, 'dunder');
  t.equal(avoidRuleFor(m, 'gamma'), undefined, 'other names are fine');
  const v = { root: '/r', dir: '/d', state: '/s' };
  t.equal(expand('{root}/x {dir} {state}', v), '/r/x /d /s');
  t.throws(() => expand('{home}/x', v), ManifestError);
});
