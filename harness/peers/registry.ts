/**
 * The peer registry: finds manifests (`<root>/peers/<name>/peer.json` and every `--peer-dir`),
 * and turns one into a started peer with either backend. The harness names peers only through
 * this registry.
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expand, ManifestError, readManifest, stateDir } from './manifest.js';
import type { PeerManifest } from './manifest.js';
import type { Peer } from './peer.js';
import { ProcessPeer } from './process.js';
import type { ProcessPeerSpec } from './process.js';

/** Which backend starts a peer. */
export type Backend = 'process' | 'container';

/** The manifests found, by name. */
export class PeerRegistry {
  readonly #byName = new Map<string, PeerManifest>();

  /**
   * @param manifests every manifest found; throws ManifestError when two share a name
   * @param broken manifests that could not be read, with why (reported, never run)
   */
  constructor(
    manifests: readonly PeerManifest[],
    readonly broken: readonly { readonly dir: string; readonly error: string }[] = [],
  ) {
    for (const m of manifests) {
      const had = this.#byName.get(m.name);
      if (had !== undefined && had.dir !== m.dir)
        throw new ManifestError(
          `two peers are named ${m.name}: ${had.dir} and ${m.dir}; rename one in its peer.json`,
        );
      this.#byName.set(m.name, m);
    }
  }

  /** Every manifest, sorted by name. */
  get all(): PeerManifest[] {
    return [...this.#byName.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The names of the default peers (manifest `default: true`), sorted. */
  get defaults(): string[] {
    return this.all.filter((m) => m.default).map((m) => m.name);
  }

  /** The manifest of `name`; throws ManifestError listing the known names when there is none. */
  get(name: string): PeerManifest {
    const m = this.#byName.get(name);
    if (m === undefined)
      throw new ManifestError(
        `unknown peer ${name}; known: ${this.all.map((x) => x.name).join(', ') || '(none)'} (add yours with --peer-dir DIR)`,
      );
    return m;
  }

  /** Whether a peer of that name is known. */
  has(name: string): boolean {
    return this.#byName.has(name);
  }
}

/**
 * Finds the manifests of `<root>/peers/*` and of each extra folder: a folder with a peer.json,
 * or a folder whose sub-folders have one. A manifest that cannot be read is kept in `broken`
 * (so one broken peer does not stop runs of the others; a folder given with --peer-dir that
 * holds a broken one throws). Throws ManifestError for an extra folder without any manifest, or
 * two peers with one name.
 */
export function discoverPeers(root: string, peerDirs: readonly string[] = []): PeerRegistry {
  const found: PeerManifest[] = [];
  const broken: { dir: string; error: string }[] = [];
  const read = (dir: string, must: boolean) => {
    try {
      const m = readManifest(dir);
      const twin = found.find((x) => x.name === m.name && x.dir !== m.dir);
      if (twin !== undefined)
        throw new ManifestError(
          `two peers are named ${m.name}: ${twin.dir} and ${m.dir}; rename one in its peer.json`,
        );
      found.push(m);
    } catch (e) {
      if (must || !(e instanceof ManifestError)) throw e;
      broken.push({ dir, error: e.message });
    }
  };
  const scan = (dir: string, must: boolean) => {
    if (existsSync(join(dir, 'peer.json'))) {
      read(dir, must);
      return;
    }
    const subs = existsSync(dir)
      ? readdirSync(dir, { withFileTypes: true }).filter(
          (e) => e.isDirectory() && existsSync(join(dir, e.name, 'peer.json')),
        )
      : [];
    if (must && subs.length === 0)
      throw new ManifestError(
        `--peer-dir ${dir}: no peer.json there or in its sub-folders (see peers/README.md for the manifest)`,
      );
    for (const e of subs) read(join(dir, e.name), must);
  };
  scan(join(root, 'peers'), false);
  for (const d of peerDirs) scan(resolve(d), true);
  return new PeerRegistry(found, broken);
}

/** Placeholder values of `m` for `root`. */
function varsOf(m: PeerManifest, root: string) {
  return { root, dir: m.dir, state: stateDir(root, m.name) };
}

/**
 * The process backend's spec of `m`: its command and environment with placeholders expanded,
 * `THRIFT_CONFORM_PEER=<name>` added. Throws ManifestError when the manifest has no `process`.
 */
export function processSpecOf(m: PeerManifest, root: string): ProcessPeerSpec {
  if (m.process === undefined)
    throw new ManifestError(
      `peer ${m.name} (${m.dir}/peer.json) has no "process" section: run it with --backend container`,
    );
  const v = varsOf(m, root);
  mkdirSync(v.state, { recursive: true });
  const env: Record<string, string> = { THRIFT_CONFORM_PEER: m.name };
  for (const [k, x] of Object.entries(m.process.env)) env[k] = expand(x, v);
  return {
    name: m.name,
    command: m.process.command.map((x) => expand(x, v)),
    env,
    ...(m.process.cwd !== undefined ? { cwd: expand(m.process.cwd, v) } : {}),
    manifest: m,
    setupHint: m.setup
      ? `run its set-up first: \`${m.setup.command.map((x) => expand(x, v)).join(' ')}\` (or \`npm run setup\`)`
      : 'check the "process.command" of its peer.json',
    ...(m.timeouts.helloMs !== undefined ? { helloTimeoutMs: m.timeouts.helloMs } : {}),
    ...(m.timeouts.requestMs !== undefined ? { requestTimeoutMs: m.timeouts.requestMs } : {}),
  };
}

/** The set-up command of `m` with placeholders expanded and its environment, or undefined. */
export function setupCommandOf(
  m: PeerManifest,
  root: string,
): { command: string[]; env: Record<string, string> } | undefined {
  if (m.setup === undefined) return undefined;
  const v = varsOf(m, root);
  return {
    command: m.setup.command.map((x) => expand(x, v)),
    env: { PEER_DIR: v.dir, PEER_STATE: v.state, THRIFT_CONFORM_ROOT: root },
  };
}

/**
 * Starts the peer of `m` with `backend` and waits for its hello. Rejects with PeerError (or
 * ManifestError when the manifest has no section for that backend).
 */
export async function startPeer(m: PeerManifest, backend: Backend, root: string): Promise<Peer> {
  if (backend === 'process') return ProcessPeer.start(processSpecOf(m, root));
  const { ContainerPeer, containerSpecOf } = await import('./container.js');
  return ContainerPeer.start(containerSpecOf(m, root));
}

/**
 * Starts several peers at once; rejects with the first failure after stopping the ones that did
 * start.
 */
export async function startPeers(
  manifests: readonly PeerManifest[],
  backend: Backend,
  root: string,
): Promise<Peer[]> {
  const started = await Promise.allSettled(manifests.map((m) => startPeer(m, backend, root)));
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    await Promise.all(started.flatMap((s) => (s.status === 'fulfilled' ? [s.value.stop()] : [])));
    throw failed.reason;
  }
  return started.map((s) => (s as PromiseFulfilledResult<Peer>).value);
}

/** The process specs of the repository's default peers (tests, scripts and benchmarks). */
export function defaultProcessPeers(root: string): ProcessPeerSpec[] {
  return discoverPeers(root)
    .all.filter((m) => m.default && m.process !== undefined)
    .map((m) => processSpecOf(m, root));
}
