#!/usr/bin/env node
/**
 * `thrift-conform`: the harness's command line (run, replay, promote, merge, list). See HELP.
 *
 * Exit codes: 0 = conformant (known failures allowed), 1 = mismatches, peer errors or stale
 * known-failures entries, 2 = the harness could not run (a peer would not start, bad arguments or
 * configuration).
 */
import {
  existsSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ROOT, VERSION } from './root.js';
import type { Protocol } from '../codec/src/index.js';
import type { Peer } from './peers/peer.js';
import { discoverPeers, startPeers as startManifestPeers } from './peers/registry.js';
import type { Backend, PeerRegistry } from './peers/registry.js';
import { formatTerminalSummary, runReporter, writeReportFolder } from './report/index.js';
import { BundleError, listBundles, promoteBundle, readBundle } from './runner/bundle.js';
import type { Bundle } from './runner/bundle.js';
import { LEGACY_INVALID_PROPERTY, PROPERTIES, SCHEMA_PROPERTIES } from './runner/check.js';
import { loadKnownFailuresFor, parseKnownFlaky, readerOf } from './runner/known-failures.js';
import type { CaseResult, KnownFailureEntry, PeerSummary, RunReport } from './runner/result.js';
import { DEFAULT_RUNS, runCases } from './runner/run.js';
import type { CaseSelection } from './runner/run.js';
import { replayBundle, ReplayError } from './runner/replay.js';
import { loadUserIdl, UserIdlError } from './runner/user-idl.js';
import type { UserSchema } from './runner/user-idl.js';
import { mergeReports, readReportDir } from './report/merge.js';
import { createProgress } from './report/progress.js';

const root = ROOT;
const PROTOCOLS = ['binary', 'compact'];
/** The protocols of a run when --protocols is not given. */
const DEFAULT_PROTOCOLS = 'binary,compact';
const CONFIG_FILE = 'thrift-conform.json';

const HELP = `thrift-conform ${VERSION} — property-based Thrift conformance and interop runs

usage:
  thrift-conform run [options]        generate schemas and values; check our codec and every peer
  thrift-conform replay <bundle>      replay one failure bundle against just its peer
  thrift-conform promote <bundle> --name NAME [--reason TEXT] [--known-failure]
                                      copy a bundle into the regression corpus (cases/corpus);
                                      with --known-failure also add its known-failures entry
  thrift-conform merge <dir>... --report-dir DIR
                                      merge the reports of sharded runs into one
  thrift-conform list [--long | --json] [--peer-dir DIR]
                                      the peers (manifests) and what they can do, as a
                                      table (--long: every detail; --json: for machines)
  thrift-conform call --idl FILE -p HOST:PORT Service::method ['{JSON args}']
                                      call one method of a running server (the seed's
                                      tcurl): the result as JSON; exit 1 for a declared
                                      exception, 2 for a transport error or a TChannel
                                      error frame; options --transport
                                      framed|buffered|tchannel, --envelope
                                      strict|nonstrict, --protocol binary|compact,
                                      --service NAME (TChannel service; default the
                                      Thrift service), -H key=value (TChannel
                                      application header, repeatable), --timeout 10s
                                      (TChannel: the ttl), -I DIR, --dialect; call
                                      --help says more
  thrift-conform check-peer DIR       drive every op of the peer in DIR and say, op by op, what
                                      it gets wrong (for writing a peer: see peers/README.md)
  thrift-conform setup [--peers a,b] [--peer-dir DIR]
                                      set the peers up: Apache's compiler when one needs it
                                      and it is missing, then each peer's own set-up (its
                                      manifest's "setup"); idempotent
  thrift-conform images [--peers a,b] [--peer-dir DIR]
                                      build the container images of peers (cached by content)

run options (also read from ${CONFIG_FILE} in the current folder, or --config FILE; the
command line wins):
  --peers a,b            peers to run against (default: every peer whose manifest says
                         "default": true; \`thrift-conform list\` shows them)
  --peer-dir DIR         also the peer in DIR (a folder with peer.json, or a folder of them);
                         repeatable; config key peerDirs (an array)
  --protocols a,b        wire protocols: binary, compact (default both); every check runs in
                         each, against the peers whose manifests name it
  --backend process      process (default) or container (images from scripts/docker-setup.sh)
  --seed N               fast-check seed (default: random, always printed)
  --runs N               generated schemas (default ${DEFAULT_RUNS})
  --values N             values per schema (default 12); a case is one value of one schema
  --time-budget 60s      stop generating after this long (ms, s, m); without --runs: unbounded
  --shard I/N            run only every N-th schema and corpus case, starting at the I-th
                         (CI matrices; \`merge\` joins the shards' reports)
  --report-dir DIR       results.jsonl, report.json, junit.xml, report.tap, summary.md,
                         report.html and bundles/ (default reports/latest); bundles are kept
                         for the first 50 failures and for each shrunk case (at most 8)
  --strict-bytes         fail allowed byte variants too (field order, set/map order)
  --known-failures DIR   per-peer known-failures files (default cases/known-failures)
  --corpus DIR           regression corpus, replayed first (default cases/corpus)
  --no-shrink            do not shrink failures
  --shrink-time 45s      time for all shrinking (default 45s)
  --run GLOB             run only cases whose name matches (repeatable; \`*\` matches anything,
                         e.g. '*peer:some-peer/*' or '*/our-client-peer-server/*')
  --skip GLOB            do not run cases whose name matches (repeatable)
  --properties a,b       run only these checks (see "checks" below)
  --invalid              run only the invalid-input matrix (the same as --properties invalid-input)
  --idl FILE             your own IDL instead of generated schemas (repeatable): random values
                         of every struct and union of FILE (edge values first), through every
                         check and peer; includes are read next to the file, then from -I
  -I, --include-dir DIR  where includes of --idl files are also looked for (repeatable)
  --dialect thriftrw     the dialect of --idl files: thriftrw (default) or apache (Apache's
                         compiler's rules: implicit ids and requiredness); thriftrw-dialect
                         peers are not given apache-dialect IDL
  --known-flaky FILE     lines "<peer> <fingerprint or case-name glob> | <reason>": failures
                         they name are reported as known-flaky and never fail the run; unused
                         entries are reported, never failing either
                         (with --run, --skip, --properties, --shard or fewer --protocols, an entry
                         that matched nothing does not fail the run: merge decides for shards)
  --config FILE          a JSON file with any of the options above (camelCase keys)

replay options: --backend process|container, --strict-bytes, --peer-dir DIR, --trace
  --trace                also every byte that crossed each socket (our client <-> the peer's
                         server, the peer's client <-> our server) and the control channel, in
                         order, annotated with field paths; for RPC and codec checks alike
promote options: --name NAME (letters, digits, _ . -), --reason TEXT, --corpus DIR,
  --known-failure (append "<fingerprint> | <reason>" to <known-failures>/<peer>.txt),
  --known-failures DIR (default cases/known-failures)

checks (the "property" of each result):
  idl-roundtrip          per schema: our print(parse(idl)) gives each file back
  load-idl               per schema and peer: reported when the peer cannot load the IDL
  codec-roundtrip        our codec alone: decode(encode(v)) equals v, and the same bytes again
  peer-roundtrip         the peer decodes our bytes and encodes them again
  our-client-peer-server our client calls the peer's echo server (every transport/envelope)
  peer-client-our-server the peer's client calls our echo server
  invalid-input          bytes made invalid or edge from each value's (unions, required fields,
                         wire types, duplicates, lengths, values; docs/invalid.md), read by our
                         codec and each peer, judged by the spec's rule: the matrix in the
                         reports (its old name rejects-invalid is still taken)

exit codes: 0 conformant (known failures allowed), 1 mismatches, peer errors or stale
known-failures entries, 2 the harness could not run or finish (arguments, configuration, a
report folder it cannot write, a peer that cannot start or died for good, a harness error,
SIGINT/SIGTERM); every report is still written from what was found
`;

class UsageError extends Error {}

/** Parses `60s`, `2m`, `500ms` or a bare number of seconds into milliseconds; throws UsageError. */
export function parseDuration(text: string, option: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!m)
    throw new UsageError(`${option} must look like 500ms, 60s or 2m, not ${JSON.stringify(text)}`);
  const n = Number(m[1]);
  return Math.round(m[2] === 'ms' ? n : m[2] === 'm' ? n * 60_000 : n * 1000);
}

/** The peers' manifests: the repository's and those of `peerDirs`; throws UsageError for a broken one. */
function registryFor(peerDirs: readonly string[]): PeerRegistry {
  let registry: PeerRegistry;
  try {
    registry = discoverPeers(root, peerDirs);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  for (const b of registry.broken)
    process.stdout.write(`warning: peer in ${b.dir} left out: ${b.error}\n`);
  return registry;
}

/** Starts the named peers with the chosen backend; rejects with the first start failure. */
async function startPeers(
  registry: PeerRegistry,
  names: readonly string[],
  backend: string,
): Promise<Peer[]> {
  return startManifestPeers(
    names.map((n) => registry.get(n)),
    backend as Backend,
    root,
  );
}

/** Peer names from a `--peers` text (default: the registry's defaults); throws UsageError for unknown ones. */
function peerNames(registry: PeerRegistry, text: string | undefined): string[] {
  const names = (text ?? registry.defaults.join(',')).split(',').filter(Boolean);
  const unknown = names.filter((n) => !registry.has(n));
  if (unknown.length)
    throw new UsageError(
      `unknown peer ${unknown.join(', ')}; known: ${registry.all.map((m) => m.name).join(', ')} (add yours with --peer-dir DIR)`,
    );
  return names;
}

async function list(args: string[]): Promise<number> {
  const { values: o } = parseArgs({
    args,
    options: {
      'peer-dir': { type: 'string', multiple: true },
      json: { type: 'boolean', default: false },
      long: { type: 'boolean', default: false },
    },
  });
  const registry = registryFor(o['peer-dir'] ?? []);
  if (o.json) {
    const peers = registry.all.map((m) => ({
      name: m.name,
      default: m.default,
      description: m.description,
      language: m.language,
      library: m.library,
      ...(m.compiler ? { compiler: m.compiler } : {}),
      backends: [m.process ? 'process' : '', m.container ? 'container' : ''].filter(Boolean),
      abilities: m.abilities,
      ...(m.setup ? { setup: { fresh: m.setup.fresh, warm: m.setup.warm } } : {}),
      folder: m.dir,
    }));
    process.stdout.write(JSON.stringify(peers, null, 2) + '\n');
    return 0;
  }
  if (!o.long) {
    const rows = [
      ['PEER', 'DEFAULT', 'LANGUAGE', 'LIBRARY', 'PROTOCOLS', 'TRANSPORTS', 'DIALECT', 'BACKENDS'],
      ...registry.all.map((m) => [
        m.name,
        m.default ? 'yes' : 'no',
        m.language,
        `${m.library.name} ${m.library.version}`,
        m.abilities.protocols.join(','),
        m.abilities.transports.join(','),
        m.abilities.dialect,
        [m.process ? 'process' : '', m.container ? 'container' : ''].filter(Boolean).join(','),
      ]),
    ];
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    for (const r of rows)
      process.stdout.write(
        r
          .map((c, i) => c.padEnd(widths[i]!))
          .join('  ')
          .trimEnd() + '\n',
      );
    process.stdout.write(
      `\n${registry.all.length} peers (${registry.defaults.length} default); details: thrift-conform list --long, or --json\n`,
    );
    return 0;
  }
  for (const m of registry.all) {
    const a = m.abilities;
    const on = Object.entries(a.features)
      .filter(([, v]) => v)
      .map(([k]) => k);
    const off = Object.entries(a.features)
      .filter(([, v]) => !v)
      .map(([k]) => k);
    process.stdout.write(
      [
        `${m.name}${m.default ? ' (default)' : ''}: ${m.description}`,
        `  ${m.language}; ${m.library.name} ${m.library.version}${m.library.from ? ` from ${m.library.from}` : ''}${m.compiler ? `; ${m.compiler.name} ${m.compiler.version}` : ''}`,
        `  backends: ${[m.process ? 'process' : '', m.container ? 'container' : ''].filter(Boolean).join(', ')}; set-up: ${m.setup ? `${m.setup.fresh ?? '?'} fresh, ${m.setup.warm ?? '?'} warm` : 'none'}`,
        `  protocols ${a.protocols.join(', ')}; transports ${a.transports.join(', ')}; envelopes read ${a.envelopes.read.join('/')}, write ${a.envelopes.write.join('/')}; dialect ${a.dialect}`,
        `  features: ${on.join(', ') || '(none)'}${off.length ? `; not: ${off.join(', ')}` : ''}`,
        `  names it cannot take: ${m.avoidNames.map((r) => `${r.names.size ? `${r.names.size} names` : ''}${r.pattern ? `${r.names.size ? ' + ' : ''}/${r.pattern.source}/` : ''}`).join('; ') || 'none'}`,
        `  folder: ${m.dir}`,
        '',
      ].join('\n'),
    );
  }
  return 0;
}

async function images(args: string[]): Promise<number> {
  const { values: o } = parseArgs({
    args,
    options: { peers: { type: 'string' }, 'peer-dir': { type: 'string', multiple: true } },
  });
  const registry = registryFor(o['peer-dir'] ?? []);
  const names = peerNames(registry, o.peers).filter(
    (n) => o.peers !== undefined || registry.get(n).container !== undefined,
  );
  const { buildImage } = await import('./peers/images.js');
  let failed = 0;
  // Two builds at a time: much of a build waits on apt, pip, npm or Maven, not on the CPU.
  const queue = [...names];
  const worker = async () => {
    for (let n = queue.shift(); n !== undefined; n = queue.shift()) {
      const m = registry.get(n);
      if (m.container === undefined) {
        process.stdout.write(`${n}: no "container" section in its peer.json; skipped\n`);
        continue;
      }
      const name = n;
      const r = await buildImage(m, { log: (line) => process.stdout.write(`${name}: ${line}\n`) });
      process.stdout.write(`${n}: ${r.tag} ${r.status} (${(r.ms / 1000).toFixed(1)} s)\n`);
      if (r.status === 'failed') {
        failed++;
        process.stdout.write(`${r.error ?? ''}\n`);
      }
    }
  };
  await Promise.all([worker(), worker()]);
  return failed > 0 ? 2 : 0;
}

async function setup(args: string[]): Promise<number> {
  const { values: o } = parseArgs({
    args,
    options: { peers: { type: 'string' }, 'peer-dir': { type: 'string', multiple: true } },
  });
  const registry = registryFor(o['peer-dir'] ?? []);
  const { setupCommandOf } = await import('./peers/registry.js');
  const { execa } = await import('execa');
  const names = peerNames(registry, o.peers);
  // Apache's compiler (Debian's thrift-compiler) comes first when a selected peer's code is made
  // by it and it is not on PATH: scripts/setup.sh installs it with apt-get.
  const needsCompiler = names.some((n) => registry.get(n).compiler?.name.startsWith('thrift '));
  const hasCompiler =
    (await execa('thrift', ['--version'], { reject: false }).catch(() => ({ exitCode: 1 })))
      .exitCode === 0;
  if (needsCompiler && !hasCompiler) {
    process.stdout.write(`[setup] Apache's thrift compiler: installing (scripts/setup.sh)\n`);
    const r = await execa('bash', [join(root, 'scripts', 'setup.sh'), '--compiler-only'], {
      stdio: ['ignore', 'inherit', 'inherit'],
      reject: false,
    });
    if (r.exitCode !== 0) {
      process.stdout.write(
        `[setup] could not install Apache's thrift compiler 0.17.0 (exit code ${String(r.exitCode)}); install Debian's thrift-compiler package, or leave out the peers that need it\n`,
      );
      return 2;
    }
  }
  for (const n of names) {
    const m = registry.get(n);
    const c = setupCommandOf(m, root);
    if (c === undefined) {
      process.stdout.write(`[setup] ${n}: nothing to set up\n`);
      continue;
    }
    mkdirSync(c.env.PEER_STATE!, { recursive: true });
    const t0 = performance.now();
    process.stdout.write(`[setup] ${n}: ${c.command.join(' ')}\n`);
    const r = await execa(c.command[0]!, c.command.slice(1), {
      env: c.env,
      stdio: ['ignore', 'inherit', 'inherit'],
      reject: false,
    });
    const secs = ((performance.now() - t0) / 1000).toFixed(1);
    if (r.exitCode !== 0) {
      process.stdout.write(
        `[setup] ${n}: FAILED after ${secs} s (exit code ${String(r.exitCode)}); its output is above\n`,
      );
      return 2;
    }
    process.stdout.write(`[setup] ${n}: done in ${secs} s\n`);
  }
  return 0;
}

async function call(args: string[]): Promise<number> {
  const { values: o, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      idl: { type: 'string' },
      'include-dir': { type: 'string', multiple: true, short: 'I' },
      dialect: { type: 'string', default: 'thriftrw' },
      peer: { type: 'string', short: 'p' },
      transport: { type: 'string', default: 'framed' },
      envelope: { type: 'string', default: 'strict' },
      protocol: { type: 'string', default: 'binary' },
      timeout: { type: 'string', default: '10s' },
      service: { type: 'string' },
      header: { type: 'string', multiple: true, short: 'H' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (o.help === true) {
    const { CALL_HELP } = await import('./call.js');
    process.stdout.write(CALL_HELP);
    return 0;
  }
  if (
    o.idl === undefined ||
    o.peer === undefined ||
    positionals.length < 1 ||
    positionals.length > 2
  )
    throw new UsageError("call takes --idl FILE -p HOST:PORT Service::method ['{JSON arguments}']");
  const hp = /^(.+):(\d{1,5})$/.exec(o.peer);
  if (hp === null || Number(hp[2]) > 65535)
    throw new UsageError(`-p takes HOST:PORT (e.g. 127.0.0.1:4040), not ${o.peer}`);
  if (o.transport !== 'framed' && o.transport !== 'buffered' && o.transport !== 'tchannel')
    throw new UsageError(`--transport must be framed, buffered or tchannel, not ${o.transport}`);
  const headers: Record<string, string> = {};
  for (const h of o.header ?? []) {
    const eq = h.indexOf('=');
    if (eq <= 0) throw new UsageError(`-H takes key=value (e.g. -H trace=on), not ${h}`);
    headers[h.slice(0, eq)] = h.slice(eq + 1);
  }
  if (o.envelope !== 'strict' && o.envelope !== 'nonstrict')
    throw new UsageError(`--envelope must be strict or nonstrict, not ${o.envelope}`);
  if (o.protocol !== 'binary' && o.protocol !== 'compact')
    throw new UsageError(`--protocol must be binary or compact, not ${o.protocol}`);
  if (o.protocol === 'compact' && o.envelope === 'nonstrict')
    throw new UsageError('the compact protocol has one envelope form: leave --envelope out');
  if (o.dialect !== 'thriftrw' && o.dialect !== 'apache')
    throw new UsageError(`--dialect must be apache or thriftrw, not ${o.dialect}`);
  const { callMethod } = await import('./call.js');
  return callMethod({
    idl: o.idl,
    includeDirs: o['include-dir'] ?? [],
    dialect: o.dialect,
    host: hp[1]!,
    port: Number(hp[2]),
    method: positionals[0]!,
    ...(positionals[1] !== undefined ? { args: positionals[1] } : {}),
    transport: o.transport,
    envelope: o.envelope,
    protocol: o.protocol,
    ...(o.service !== undefined ? { service: o.service } : {}),
    headers,
    timeoutMs: parseDuration(o.timeout, '--timeout'),
    out: (line) => process.stdout.write(line + '\n'),
  });
}

async function checkPeerCommand(args: string[]): Promise<number> {
  const { values: o, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { backend: { type: 'string', default: 'process' } },
  });
  if (positionals.length !== 1) throw new UsageError('check-peer takes one peer folder');
  const { checkPeer } = await import('./peers/check-peer.js');
  const report = await checkPeer(resolve(positionals[0]!), {
    root,
    backend: o.backend as Backend,
    log: (line) => process.stdout.write(line + '\n'),
  });
  return report.ok ? 0 : 1;
}

const RUN_OPTIONS = {
  peers: { type: 'string' },
  'peer-dir': { type: 'string', multiple: true },
  protocols: { type: 'string' },
  backend: { type: 'string' },
  seed: { type: 'string' },
  runs: { type: 'string' },
  values: { type: 'string' },
  'time-budget': { type: 'string' },
  shard: { type: 'string' },
  'report-dir': { type: 'string' },
  'strict-bytes': { type: 'boolean' },
  'known-failures': { type: 'string' },
  corpus: { type: 'string' },
  'no-shrink': { type: 'boolean' },
  'shrink-time': { type: 'string' },
  run: { type: 'string', multiple: true },
  skip: { type: 'string', multiple: true },
  properties: { type: 'string' },
  invalid: { type: 'boolean' },
  'known-flaky': { type: 'string' },
  idl: { type: 'string', multiple: true },
  'include-dir': { type: 'string', multiple: true, short: 'I' },
  dialect: { type: 'string' },
  config: { type: 'string' },
  // the old name of --runs
  schemas: { type: 'string' },
} as const;

const camel = (s: string) => s.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** Reads a config file into option values (kebab-case keys); throws UsageError naming bad keys. */
function readConfig(file: string): Record<string, string | boolean | string[]> {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UsageError(`config ${file}: ${(e as Error).message}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new UsageError(`config ${file}: must be a JSON object of options`);
  const known = new Map(
    Object.keys(RUN_OPTIONS)
      .filter((k) => k !== 'config' && k !== 'schemas')
      .map((k) => [camel(k), k]),
  );
  const out: Record<string, string | boolean | string[]> = {};
  known.set('peerDirs', 'peer-dir');
  known.set('knownFlaky', 'known-flaky');
  for (const [k, v] of Object.entries(json)) {
    const opt = known.get(k);
    if (opt === undefined)
      throw new UsageError(
        `config ${file}: unknown key ${JSON.stringify(k)}; known: ${[...known.keys()].join(', ')}`,
      );
    const type = RUN_OPTIONS[opt as keyof typeof RUN_OPTIONS].type;
    if (type === 'boolean') {
      if (typeof v !== 'boolean')
        throw new UsageError(`config ${file}: ${k} must be true or false`);
      out[opt] = v;
    } else if (opt === 'peer-dir') {
      if (!Array.isArray(v) && typeof v !== 'string')
        throw new UsageError(`config ${file}: ${k} must be an array of folders`);
      // relative to the config file's folder
      out[opt] = (Array.isArray(v) ? v : [v]).map((d) => resolve(dirname(file), String(d)));
    } else if (opt === 'idl' || opt === 'include-dir') {
      if (!Array.isArray(v) && typeof v !== 'string')
        throw new UsageError(`config ${file}: ${k} must be an array of paths`);
      // relative to the config file's folder
      out[opt] = (Array.isArray(v) ? v : [v]).map((d) => resolve(dirname(file), String(d)));
    } else if (opt === 'run' || opt === 'skip') {
      if (!Array.isArray(v) && typeof v !== 'string')
        throw new UsageError(`config ${file}: ${k} must be an array of case-name globs`);
      out[opt] = (Array.isArray(v) ? v : [v]).map(String);
    } else if (opt === 'known-flaky' && typeof v === 'string') {
      out[opt] = resolve(dirname(file), v);
    } else if (Array.isArray(v) && (opt === 'peers' || opt === 'protocols')) {
      out[opt] = v.map(String).join(',');
    } else if (typeof v === 'string' || typeof v === 'number') {
      out[opt] = String(v);
    } else throw new UsageError(`config ${file}: ${k} must be a string or number`);
  }
  return out;
}

/** The largest number of most options (fast-check seeds are 32-bit; runs and values are counts). */
const INT_MAX = 2 ** 31 - 1;

/** Parses a whole number written in digits, within [min, max]; throws UsageError. */
function intOption(v: string, name: string, min = 0, max = INT_MAX): number {
  const n = /^\d+$/.test(v.trim()) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max)
    throw new UsageError(
      `${name} must be a whole number from ${min} to ${max}, written in digits, not ${JSON.stringify(v)}`,
    );
  return n;
}

/**
 * Checks before anything starts that reports can be written into `dir` (creating it): writes and
 * removes a probe file. Throws UsageError saying why not and what to do.
 */
function checkReportDir(dir: string): void {
  const probe = join(dir, `.thrift-conform-probe-${process.pid}`);
  // One level at a time: Node's recursive mkdir spins forever under /proc.
  const makeDir = (d: string): void => {
    if (existsSync(d)) return;
    const parent = dirname(d);
    if (parent !== d) makeDir(parent);
    mkdirSync(d);
  };
  try {
    makeDir(dir);
    writeFileSync(probe, 'probe\n');
    rmSync(probe, { force: true });
  } catch (e) {
    throw new UsageError(
      `cannot write reports into ${dir}: ${(e as Error).message}; choose a writable folder with --report-dir DIR`,
    );
  }
}

/** A folder the user named (or the default one), which must exist; throws UsageError. */
function existingDir(dir: string, option: string): string {
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new UsageError(
      `${option} ${dir} is not a folder; create it (it may be empty) or name another with ${option} DIR`,
    );
  return dir;
}

async function run(args: string[]): Promise<number> {
  const { values: cli } = parseArgs({ args, options: RUN_OPTIONS, strict: true });
  const configFile = cli.config ?? (existsSync(CONFIG_FILE) ? CONFIG_FILE : undefined);
  const o: Record<string, string | boolean | string[] | undefined> = {
    ...(configFile !== undefined ? readConfig(configFile) : {}),
    ...Object.fromEntries(Object.entries(cli).filter(([, v]) => v !== undefined)),
  };
  const str = (k: string, d: string) => (typeof o[k] === 'string' ? (o[k] as string) : d);
  const peerDirs = Array.isArray(o['peer-dir']) ? o['peer-dir'] : [];
  const registry = registryFor(peerDirs);
  const names = peerNames(registry, typeof o.peers === 'string' ? o.peers : undefined);
  if (names.length === 0)
    throw new UsageError(
      `--peers names no peer; name at least one (known: ${registry.all.map((m) => m.name).join(', ')}), or leave --peers out for the default peers`,
    );
  const protocols = [...new Set(str('protocols', DEFAULT_PROTOCOLS).split(',').filter(Boolean))];
  const badProtocol = protocols.filter((p) => !PROTOCOLS.includes(p));
  if (protocols.length === 0)
    throw new UsageError('--protocols names no protocol (binary, compact)');
  if (badProtocol.length)
    throw new UsageError(
      `protocol ${badProtocol.join(', ')} is not supported (our codec speaks ${PROTOCOLS.join(', ')})`,
    );
  const backend = str('backend', 'process');
  if (backend !== 'process' && backend !== 'container')
    throw new UsageError(`--backend must be process or container, not ${backend}`);
  const seed = o.seed === undefined ? Date.now() % 2 ** 31 : intOption(str('seed', ''), '--seed');
  if (o['time-budget'] !== undefined && parseDuration(str('time-budget', ''), '--time-budget') <= 0)
    throw new UsageError(
      '--time-budget must be more than 0 (e.g. 60s); leave it out for no budget',
    );
  const budgetMs =
    o['time-budget'] !== undefined
      ? parseDuration(str('time-budget', ''), '--time-budget')
      : undefined;
  const runsText = (o.runs ?? o.schemas) as string | undefined;
  const runs =
    runsText !== undefined
      ? intOption(runsText, '--runs')
      : budgetMs !== undefined
        ? undefined
        : DEFAULT_RUNS;
  const values = intOption(str('values', '12'), '--values', 1);
  let shard: { index: number; count: number } | undefined;
  if (o.shard !== undefined) {
    const m = /^(\d+)\/(\d+)$/.exec(str('shard', ''));
    if (!m || Number(m[1]) < 1 || Number(m[1]) > Number(m[2]))
      throw new UsageError(
        `--shard must be I/N with 1 <= I <= N, e.g. 2/8, not ${String(o.shard)}`,
      );
    shard = { index: Number(m[1]), count: Number(m[2]) };
  }
  const strictBytes = o['strict-bytes'] === true;
  const globs = (k: 'run' | 'skip') => {
    const v = o[k];
    const list = Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
    for (const g of list)
      if (g.trim() === '')
        throw new UsageError(`--${k} takes a case-name glob (e.g. '*peer:some-peer/*'), not ''`);
    return list;
  };
  // --invalid is --properties invalid-input; rejects-invalid is its old name.
  const properties =
    o.invalid === true && o.properties === undefined
      ? ['invalid-input']
      : typeof o.properties === 'string'
        ? o.properties
            .split(',')
            .filter(Boolean)
            .map((p) => (p === LEGACY_INVALID_PROPERTY ? 'invalid-input' : p))
        : undefined;
  const allProperties: readonly string[] = [...SCHEMA_PROPERTIES, ...PROPERTIES];
  if (properties !== undefined) {
    const bad = properties.filter((p) => !allProperties.includes(p));
    if (bad.length > 0 || properties.length === 0)
      throw new UsageError(
        `--properties takes checks from ${allProperties.join(', ')}${bad.length ? `; not ${bad.join(', ')}` : ''}`,
      );
  }
  const select: CaseSelection = {
    ...(globs('run').length > 0 ? { run: globs('run') } : {}),
    ...(globs('skip').length > 0 ? { skip: globs('skip') } : {}),
    ...(properties !== undefined ? { properties } : {}),
  };
  const selecting = Object.keys(select).length > 0;
  const idlFiles = Array.isArray(o.idl) ? o.idl : [];
  const includeDirs = Array.isArray(o['include-dir']) ? o['include-dir'] : [];
  const dialect = str('dialect', 'thriftrw');
  if (dialect !== 'thriftrw' && dialect !== 'apache')
    throw new UsageError(`--dialect must be apache or thriftrw, not ${dialect}`);
  if (idlFiles.length === 0 && (includeDirs.length > 0 || o.dialect !== undefined))
    throw new UsageError('-I and --dialect go with --idl FILE (your own IDL)');
  let userSchemas: UserSchema[] = [];
  try {
    userSchemas = idlFiles.map((f) =>
      loadUserIdl(f, {
        includeDirs,
        dialect,
        onWarning: (w) => process.stdout.write(`warning: ${w.message}\n`),
      }),
    );
  } catch (e) {
    if (e instanceof UserIdlError) throw new UsageError(e.message);
    throw e;
  }
  const shrinkMs = parseDuration(str('shrink-time', '45s'), '--shrink-time');
  const dir = resolve(str('report-dir', join('reports', 'latest')));
  const defaultKf = join(root, 'cases', 'known-failures');
  const defaultCorpus = join(root, 'cases', 'corpus');
  const kfDir = existingDir(resolve(str('known-failures', defaultKf)), '--known-failures');
  const corpusDir = existingDir(resolve(str('corpus', defaultCorpus)), '--corpus');
  checkReportDir(dir);
  // Known-failures entries are checked for staleness against the corpus beside them: an entry
  // that matched nothing fails the run only when this run replayed that whole corpus (not a
  // shard of it, not another corpus). Otherwise `merge` (of all shards) decides.
  const wholeCorpus =
    (shard === undefined || shard.count === 1) &&
    !selecting &&
    PROTOCOLS.every((p) => protocols.includes(p)) &&
    resolve(kfDir, '..', 'corpus') === corpusDir;

  const knownFailures = loadKnownFailuresFor(kfDir, [
    { name: 'ours' },
    ...names.map((n) => readerOf(registry.get(n))),
  ]);
  let knownFlaky: KnownFailureEntry[] = [];
  if (typeof o['known-flaky'] === 'string') {
    const file = resolve(o['known-flaky']);
    if (!existsSync(file))
      throw new UsageError(
        `--known-flaky ${file} does not exist; give a file of known-flaky entries`,
      );
    try {
      knownFlaky = parseKnownFlaky(readFileSync(file, 'utf8'), o['known-flaky'], [
        'ours',
        ...names,
      ]);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  }
  const corpus: Bundle[] = listBundles(corpusDir).map(readBundle);

  const command = [
    'thrift-conform run',
    `--peers ${names.join(',')}`,
    ...peerDirs.map((d) => `--peer-dir ${d}`),
    `--backend ${backend}`,
    `--protocols ${protocols.join(',')}`,
    `--seed ${seed}`,
    ...(runs !== undefined ? [`--runs ${runs}`] : []),
    `--values ${values}`,
    ...(budgetMs !== undefined ? [`--time-budget ${budgetMs}ms`] : []),
    ...(shard ? [`--shard ${shard.index}/${shard.count}`] : []),
    ...(strictBytes ? ['--strict-bytes'] : []),
    ...(select.run ?? []).map((g) => `--run '${g}'`),
    ...(select.skip ?? []).map((g) => `--skip '${g}'`),
    ...(properties ? [`--properties ${properties.join(',')}`] : []),
    ...(typeof o['known-flaky'] === 'string' ? [`--known-flaky ${o['known-flaky']}`] : []),
    ...idlFiles.map((f) => `--idl ${f}`),
    ...includeDirs.map((d) => `-I ${d}`),
    ...(idlFiles.length > 0 ? [`--dialect ${dialect}`] : []),
  ].join(' ');
  process.stdout.write(
    `${command}\nseed ${seed}; ${corpus.length} corpus case${corpus.length === 1 ? '' : 's'}, ${knownFailures.length} known-failures entr${knownFailures.length === 1 ? 'y' : 'ies'}; reports in ${dir}\n`,
  );

  let peers: Peer[];
  try {
    peers = await startPeers(registry, names, backend);
  } catch (e) {
    process.stdout.write(
      `could not start the peers: ${e instanceof Error ? e.message : String(e)}\n`,
    );
    return 2;
  }
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  const reporter = runReporter(dir);
  const peerStarts = peers.map((p) => ({
    name: p.name,
    version: p.info.version,
    backend: backend as 'process' | 'container',
    startMs: (p as { startMs?: number }).startMs ?? 0,
  }));
  // SIGINT/SIGTERM stop generating; what ran is reported (exit code 2). A second one ends now.
  const abort = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (abort.signal.aborted) process.exit(130);
    abort.abort(signal);
    process.stdout.write(`\n${signal}: stopping after the schemas in flight; reports follow\n`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const harnessErrors: string[] = [];
  const seen: CaseResult[] = [];
  const pending: Promise<void>[] = [];
  let outcome: Awaited<ReturnType<typeof runCases>> | undefined;
  // The generated schemas this shard checks (all of them without --shard).
  const schemasHere = runs === undefined ? undefined : Math.ceil(runs / (shard?.count ?? 1));
  const corpusHere =
    shard === undefined
      ? corpus.length
      : corpus.filter((_, i) => i % shard.count === shard.index - 1).length;
  const progress = createProgress({
    stream: process.stdout,
    ...(budgetMs !== undefined ? { budgetMs } : {}),
    // Per schema (generated or corpus) one IDL round trip; per value two checks for our codec and
    // four for each peer (an upper bound: some schemas have fewer values, load-idl cases none, and
    // rejects-invalid applies to unions and structs with required fields only). The bar is set to
    // the real count when the run ends.
    ...(schemasHere !== undefined
      ? {
          total:
            (schemasHere * values + corpusHere) * (2 + 4 * peers.length) * protocols.length +
            schemasHere +
            corpusHere,
        }
      : {}),
    label: 'checks',
  });
  try {
    await reporter.onStart({
      schemaVersion: 1,
      tool: { name: 'thrift-conform', version: VERSION },
      startedAt,
      seed,
      command,
      peers: peerStarts,
      ...(shard ? { shard } : {}),
    });
    outcome = await runCases({
      peers,
      seed,
      ...(runs !== undefined ? { runs } : {}),
      values,
      ...(budgetMs !== undefined ? { timeBudgetMs: budgetMs } : {}),
      ...(shard ? { shard } : {}),
      strictBytes,
      shrink: o['no-shrink'] === true ? false : { totalMs: shrinkMs },
      corpus,
      knownFailures,
      knownFlaky,
      protocols: protocols as Protocol[],
      ...(selecting ? { select } : {}),
      ...(userSchemas.length > 0 ? { userSchemas } : {}),
      reportDir: dir,
      signal: abort.signal,
      // The envelope cases run beside the sweep on peers of their own.
      startEnvelopePeers: () => startPeers(registry, names, backend),
      onResult: (r) => {
        seen.push(r);
        pending.push(Promise.resolve(reporter.onResult(r)));
        progress.tick(r);
        if (r.verdict === 'mismatch' || r.verdict === 'peer-error')
          progress.note(`${r.verdict}: ${r.name}: ${r.summary}`);
      },
      onShrink: (r) => progress.note(`shrinking ${r.peer} ${r.property}: ${r.fingerprint ?? ''}`),
    });
    harnessErrors.push(...outcome.harnessErrors);
  } catch (e) {
    harnessErrors.push(
      `the run stopped: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`,
    );
  } finally {
    // The bar ends at 100% for a run that did what it set out to do (a time budget used up is
    // that too), not for one a harness error or a signal cut short.
    const complete = harnessErrors.length === 0 && !abort.signal.aborted;
    if (complete) progress.setTotal(seen.length);
    progress.done(complete);
    await Promise.all(peers.map((p) => p.stop()));
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  for (const r of await Promise.allSettled(pending))
    if (r.status === 'rejected') harnessErrors.push(`writing results.jsonl: ${String(r.reason)}`);
  const durationMs = performance.now() - t0;
  const results = outcome?.results ?? seen;
  const summaries: PeerSummary[] = [
    {
      name: 'ours',
      version: VERSION,
      backend: 'process' as const,
      startMs: 0,
    },
    ...peerStarts,
  ].map((p) => {
    // Rates over the sweep (corpus and generated cases), without the time spent shrinking.
    const n = outcome?.casesPerPeer[p.name] ?? 0;
    const notGiven = outcome?.notGiven[p.name] ?? {};
    const health = outcome?.peerHealth[p.name];
    return {
      ...p,
      cases: n,
      casesPerSecond: n / (Math.max(1, outcome?.sweepMs ?? durationMs) / 1000),
      ...(Object.keys(notGiven).length > 0 ? { notGiven } : {}),
      ...(health?.restarts ? { restarts: health.restarts } : {}),
      ...(health?.hangStops ? { hangStops: health.hangStops } : {}),
      ...(health?.notRun ? { notRun: health.notRun } : {}),
      ...(health?.died !== undefined ? { died: health.died } : {}),
    };
  });
  for (const p of summaries)
    if (p.notRun)
      harnessErrors.push(
        `${p.notRun} value${p.notRun === 1 ? '' : 's'} not run against ${p.name}: it died and was not started again (${outcome?.peerHealth[p.name]?.gaveUp ?? 'it died'}); last death: ${p.died ?? '?'}`,
      );
  const failed = results.some((r) => r.verdict === 'mismatch' || r.verdict === 'peer-error');
  const stale = (outcome?.staleKnownFailures ?? []).filter(
    (x) => x.kind !== 'unmatched' || (wholeCorpus && harnessErrors.length === 0),
  );
  const stoppedEarly = abort.signal.aborted
    ? `interrupted by ${String(abort.signal.reason)} after ${outcome?.schemas ?? 0} generated schemas`
    : outcome?.stoppedEarly;
  if (abort.signal.aborted) harnessErrors.push(`interrupted by ${String(abort.signal.reason)}`);
  const report: RunReport = {
    schemaVersion: 1,
    tool: { name: 'thrift-conform', version: VERSION },
    startedAt,
    durationMs,
    seed,
    ...(shard ? { shard } : {}),
    command,
    peers: summaries,
    results,
    staleKnownFailures: stale,
    ...(outcome ? { knownFailures: outcome.knownFailures } : {}),
    ...(outcome && knownFlaky.length > 0 ? { knownFlaky: outcome.knownFlaky } : {}),
    schemas: (outcome?.schemas ?? 0) + (outcome?.corpusCases ?? 0),
    ...(harnessErrors.length > 0 ? { harnessErrors } : {}),
    ...(stoppedEarly !== undefined ? { stoppedEarly } : {}),
    ...(outcome?.invalidMatrix !== undefined ? { invalidMatrix: outcome.invalidMatrix } : {}),
    exitCode: harnessErrors.length > 0 ? 2 : failed || stale.length > 0 ? 1 : 0,
  };
  try {
    await reporter.onEnd(report);
  } catch (e) {
    process.stdout.write(
      `could not write every report into ${dir}: ${e instanceof Error ? e.message : String(e)}\n`,
    );
    process.stdout.write(formatTerminalSummary(report));
    return 2;
  }
  process.stdout.write(formatTerminalSummary(report));
  return report.exitCode;
}

async function replay(args: string[]): Promise<number> {
  const { values: o, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      backend: { type: 'string', default: 'process' },
      'strict-bytes': { type: 'boolean', default: false },
      'peer-dir': { type: 'string', multiple: true },
      trace: { type: 'boolean', default: false },
    },
  });
  if (positionals.length !== 1) throw new UsageError('replay takes one bundle folder');
  if (o.backend !== 'process' && o.backend !== 'container')
    throw new UsageError(`--backend is process or container, not ${o.backend}`);
  try {
    return await replayBundle(resolve(positionals[0]!), {
      backend: o.backend,
      strictBytes: o['strict-bytes'],
      peerDirs: o['peer-dir'] ?? [],
      trace: o.trace,
      root,
    });
  } catch (e) {
    if (e instanceof ReplayError || e instanceof BundleError) throw new UsageError(e.message);
    throw e;
  }
}

function promote(args: string[]): number {
  const { values: o, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      reason: { type: 'string' },
      corpus: { type: 'string', default: join(root, 'cases', 'corpus') },
      'known-failure': { type: 'boolean', default: false },
      'known-failures': { type: 'string', default: join(root, 'cases', 'known-failures') },
    },
  });
  if (positionals.length !== 1 || o.name === undefined)
    throw new UsageError('promote takes one bundle folder and --name NAME');
  if (o['known-failure'] && (o.reason === undefined || o.reason.trim() === ''))
    throw new UsageError(
      'promote --known-failure needs --reason TEXT: the entry says why it fails',
    );
  const from = resolve(positionals[0]!);
  let entry: { file: string; line: string } | undefined;
  if (o['known-failure']) {
    const c = readBundle(from).case;
    if (!c.fingerprint)
      throw new UsageError(
        `${from}: the bundle has no fingerprint to name in a known-failures entry`,
      );
    const file = join(resolve(o['known-failures']), `${c.peer}.txt`);
    // One line; a reason holding " | " would read as a `fixed in` column.
    const reason = o.reason!.replace(/\s+/g, ' ').replace(/ \| /g, ' / ').trim();
    entry = { file, line: `${c.fingerprint} | ${reason} (corpus case ${o.name})` };
  }
  const to = promoteBundle(from, resolve(o.corpus), o.name, o.reason);
  process.stdout.write(`promoted to ${to}: every run replays it first\n`);
  if (entry !== undefined) {
    const before = existsSync(entry.file) ? readFileSync(entry.file, 'utf8') : '';
    writeFileSync(
      entry.file,
      `${before}${before === '' || before.endsWith('\n') ? '' : '\n'}${entry.line}\n`,
    );
    process.stdout.write(`known-failures entry added to ${entry.file}:\n  ${entry.line}\n`);
  }
  return 0;
}

async function merge(args: string[]): Promise<number> {
  const { values: o, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { 'report-dir': { type: 'string' } },
  });
  if (positionals.length === 0 || o['report-dir'] === undefined)
    throw new UsageError('merge takes the report folders of the shards and --report-dir DIR');
  const merged = mergeReports(positionals.map((d) => readReportDir(resolve(d))));
  const out = resolve(o['report-dir']);
  await writeReportFolder(out, merged);
  process.stdout.write(formatTerminalSummary(merged));
  process.stdout.write(`merged ${positionals.length} reports into ${out}\n`);
  return merged.exitCode;
}

/** Runs the command line `argv` (without node and the script) and resolves with the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    if (cmd === 'run') return await run(rest);
    if (cmd === 'replay') return await replay(rest);
    if (cmd === 'promote') return promote(rest);
    if (cmd === 'merge') return await merge(rest);
    if (cmd === 'list') return await list(rest);
    if (cmd === 'images') return await images(rest);
    if (cmd === 'setup') return await setup(rest);
    if (cmd === 'check-peer') return await checkPeerCommand(rest);
    if (cmd === 'call') return await call(rest);
    process.stdout.write(HELP);
    return cmd === undefined || cmd === '--help' || cmd === '-h' || cmd === 'help' ? 0 : 2;
  } catch (e) {
    const usage =
      e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    process.stdout.write(
      `thrift-conform: ${e instanceof Error ? e.message : String(e)}\n${usage ? '\nrun `thrift-conform --help` for the options\n' : ''}`,
    );
    return 2;
  }
}

/** Whether this module is the program node was started with (also through npm's bin symlink). */
function isMain(): boolean {
  const argv1 = process.argv[1];
  if (argv1 === undefined) return false;
  try {
    return realpathSync(argv1) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) {
  // Output piped into a reader that stops early (`| head`) is not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  process.exitCode = await main(process.argv.slice(2));
}
