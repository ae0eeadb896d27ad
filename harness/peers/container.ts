/**
 * The container backend: the same peer program as the process backend (peers/<name>/peer.py),
 * run in a Docker container started with testcontainers. testcontainers cannot attach a
 * container's stdin, so the image's entry point (docker/bridge.py) puts the control channel on
 * 127.0.0.1:$CONTROL_PORT — the container shares the host's network — and the harness talks to it
 * over a TCP socket with the same ControlChannel. Images are built from the manifest's
 * `container` section (images.ts; `bash scripts/docker-setup.sh` builds the default peers') and
 * tagged `thrift-conform/<peer>:<content hash of their inputs>`, so a peer whose files changed
 * since the last build is reported as missing instead of running stale code. Only loopback is ever contacted, and nothing is ever pulled: Ryuk (which
 * would be pulled from a public registry) is always off, so `stop()` removes the container itself.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type * as TestcontainersModule from 'testcontainers';
import type { StartedTestContainer } from 'testcontainers';
import { ControlChannel } from './control.js';
import { ChannelPeer, infoFrom } from './channel-peer.js';
import { ManifestError } from './manifest.js';
import type { PeerManifest } from './manifest.js';
import { PeerError } from './peer.js';
import { processGroupUsage } from './usage.js';
import type { PeerUsage } from './usage.js';
import { HELLO_TIMEOUT_MS, REQUEST_TIMEOUT_MS, STOP_GRACE_MS } from './process.js';

/**
 * How long a container may take from `docker create` to the bridge's readiness line: ~0.2 s with
 * the overlay2 storage driver, ~4 s with vfs (which copies the whole image); 60 s means the daemon
 * is stuck.
 */
export const CONTAINER_START_TIMEOUT_MS = 60_000;
/** How long connecting to the bridge may take: it listens before it prints the readiness line. */
export const CONNECT_TIMEOUT_MS = 5_000;
/** The base image scripts/docker-setup.sh makes (with debootstrap) when BASE_IMAGE is unset. */
export const DEFAULT_BASE_IMAGE = 'thrift-conform/bookworm-base:local';
/** Label of our images (set by the image build, inherited by their containers). */
export const PEER_LABEL = 'org.thrift-conform.peer';
/**
 * The label holding the pid of the process that started a peer's container: what one process
 * started can be told from another's (two runs, or two test files, at once).
 */
export const OWNER_LABEL = 'org.thrift-conform.owner';
/** The bridge's readiness line (docker/bridge.py: READY_LINE). */
const READY_LINE = /thrift-conform peer ready on \d+/;
/** Container log kept for reports. */
const STDERR_KEEP = 64 * 1024;
/** What to do when anything about Docker is missing. */
const SETUP_HINT =
  'run `bash scripts/docker-setup.sh` (or `npm run conform -- images` once Docker runs)';
/** Never part of an image's inputs, wherever they are. */
const SKIPPED = new Set(['__pycache__', 'node_modules', '.git', '.venv']);

/** How to start a containerized peer. */
export interface ContainerPeerSpec {
  readonly name: string;
  /** The image, e.g. `thrift-conform/x:0123456789ab` (must exist locally; never pulled). */
  readonly image: string;
  /** More environment for the container (CONTROL_PORT is set by the harness). */
  readonly env?: Readonly<Record<string, string>>;
  /** The manifest: when given, its abilities are the peer's. */
  readonly manifest?: PeerManifest;
}

/**
 * The files an image of `m` is built from, relative to its context root, sorted bytewise: every
 * file under each of `container.inputs`, without `__pycache__/`, `node_modules/`, `.git/`,
 * `.venv/` and `*.pyc`. Throws ManifestError when the manifest has no container section, or
 * Error when an input cannot be read.
 */
export function peerImageInputs(m: PeerManifest): string[] {
  const c = containerOf(m);
  const out: string[] = [];
  const walk = (rel: string): void => {
    const abs = join(c.context, rel);
    const st = statSync(abs);
    if (st.isFile()) {
      if (!rel.endsWith('.pyc')) out.push(rel);
      return;
    }
    for (const e of readdirSync(abs, { withFileTypes: true })) {
      if (SKIPPED.has(e.name)) continue;
      const path = rel === '.' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) walk(path);
      else if (e.isFile() && !e.name.endsWith('.pyc')) out.push(path);
    }
  };
  for (const input of c.inputs) walk(input.replace(/\/+$/, '') || '.');
  return [...new Set(out)].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

function containerOf(m: PeerManifest): NonNullable<PeerManifest['container']> {
  if (m.container === undefined)
    throw new ManifestError(
      `peer ${m.name} (${m.dir}/peer.json) has no "container" section: run it with --backend process`,
    );
  return m.container;
}

/**
 * The tag of `m`'s image for its current files: `thrift-conform/<name>:<hash>`, the first 12 hex
 * digits of the SHA-256 of the inputs' `sha256sum` lines, then `dockerfile <sha256>` and
 * `base <baseImage>`. `baseImage` defaults to $BASE_IMAGE, else DEFAULT_BASE_IMAGE. Throws when
 * an input cannot be read.
 */
export function peerImageTag(
  m: PeerManifest,
  baseImage: string = process.env.BASE_IMAGE ?? DEFAULT_BASE_IMAGE,
): string {
  const c = containerOf(m);
  const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
  const lines = peerImageInputs(m).map((f) => `${sha(join(c.context, f))}  ${f}\n`);
  const hash = createHash('sha256')
    .update(lines.join('') + `dockerfile ${sha(c.dockerfile)}\nbase ${baseImage}\n`)
    .digest('hex');
  return `thrift-conform/${m.name}:${hash.slice(0, 12)}`;
}

/**
 * The container backend's spec of `m`: the image tag of its current files and its environment.
 * Throws ManifestError when the manifest has no container section.
 */
export function containerSpecOf(m: PeerManifest, _root: string): ContainerPeerSpec {
  return {
    name: m.name,
    image: peerImageTag(m),
    env: { THRIFT_CONFORM_PEER: m.name, ...containerOf(m).env },
    manifest: m,
  };
}

type Testcontainers = typeof TestcontainersModule;
let testcontainers: Promise<Testcontainers> | undefined;

/**
 * Loads testcontainers after setting its environment: never Ryuk (its image would be pulled from
 * a public registry), and the daemon's host is loopback (not the bridge network's gateway).
 */
function loadTestcontainers(): Promise<Testcontainers> {
  process.env.TESTCONTAINERS_RYUK_DISABLED = 'true';
  process.env.TESTCONTAINERS_HOST_OVERRIDE = '127.0.0.1';
  testcontainers ??= import('testcontainers');
  return testcontainers;
}

/** A free TCP port on 127.0.0.1 (listen on port 0, close, return it). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Connects to 127.0.0.1:`port`; rejects after `timeoutMs`. */
function connectTo(port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no connection to 127.0.0.1:${port} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** A peer running in a Docker container, reached over a loopback TCP control channel. */
export class ContainerPeer extends ChannelPeer {
  private container: StartedTestContainer | undefined;
  private socket: Socket | undefined;
  /** The container's first process as the host sees it (its process group holds the peer). */
  private hostPid: number | undefined;
  /** Milliseconds from asking Docker to start the container to the bridge's readiness line. */
  readyMs = 0;

  private constructor(private readonly spec: ContainerPeerSpec) {
    super();
  }

  get name(): string {
    return this.spec.name;
  }

  get manifest(): PeerManifest | undefined {
    return this.spec.manifest;
  }

  /** The running container's id, or undefined when stopped. */
  get containerId(): string | undefined {
    return this.container?.getId();
  }

  /**
   * Starts the peer's container and waits for its hello. Rejects with PeerError when Docker is
   * not reachable or the image is missing (both: "run bash scripts/docker-setup.sh"), when the
   * container is not ready within CONTAINER_START_TIMEOUT_MS, or when the peer does not answer
   * hello within HELLO_TIMEOUT_MS (with the container's log). Never pulls an image.
   */
  static async start(spec: ContainerPeerSpec): Promise<ContainerPeer> {
    const p = new ContainerPeer(spec);
    await p.launch();
    return p;
  }

  /** Stops this peer's container and starts a new one (after a crash); module handles are lost. */
  async restart(): Promise<void> {
    await this.stop();
    await this.launch();
  }

  private async launch(): Promise<void> {
    const { image } = this.spec;
    const tc = await loadTestcontainers();
    let exists: boolean;
    try {
      const client = await tc.getContainerRuntimeClient();
      exists = await client.image.exists(tc.ImageName.fromString(image));
    } catch (e) {
      throw new PeerError(
        this.name,
        'Docker',
        `Docker is not reachable (${message(e)}); ${SETUP_HINT}`,
      );
    }
    if (!exists) {
      throw new PeerError(
        this.name,
        'Missing',
        `image ${image} does not exist (not built yet, or the peer's files changed since); ${SETUP_HINT}`,
      );
    }
    const port = await freePort();
    const t0 = performance.now();
    try {
      this.container = await new tc.GenericContainer(image)
        .withNetworkMode('host')
        .withEnvironment({ ...this.spec.env, CONTROL_PORT: String(port) })
        .withLabels({ [PEER_LABEL]: this.name, [OWNER_LABEL]: String(process.pid) })
        .withLogConsumer((stream: Readable) => {
          stream.on('data', (c: Buffer | string) => this.appendStderr(c.toString(), STDERR_KEEP));
          stream.on('error', () => undefined); // the log ends with the container
        })
        .withWaitStrategy(tc.Wait.forLogMessage(READY_LINE))
        .withStartupTimeout(CONTAINER_START_TIMEOUT_MS)
        .start();
    } catch (e) {
      throw new PeerError(
        this.name,
        'Start',
        `container of ${image} did not get ready: ${message(e)}`,
        { stderr: this.errText },
      );
    }
    this.readyMs = performance.now() - t0;
    this.hostPid = await hostPidOf(tc, this.container.getId());
    try {
      const socket = await connectTo(port, CONNECT_TIMEOUT_MS);
      socket.setNoDelay(true);
      this.socket = socket;
      this.exitText = undefined;
      const channel = new ControlChannel(this.name, socket, socket, () => this.errText);
      this.channel = channel;
      socket.on('close', () => {
        const why = 'the control connection closed (the peer exited)';
        if (this.socket === socket) this.exitText = why;
        channel.fail(new PeerError(this.name, 'Exited', why, { stderr: this.errText }));
      });
      const hello = await this.channel.request('hello', {}, HELLO_TIMEOUT_MS);
      this.startMs = performance.now() - t0;
      this.info = infoFrom(this.name, hello, this.spec.manifest);
    } catch (e) {
      await this.stop();
      throw e instanceof PeerError
        ? e
        : new PeerError(this.name, 'Connect', message(e), { stderr: this.errText });
    }
  }

  protected get requestTimeoutMs(): number {
    return REQUEST_TIMEOUT_MS;
  }

  /**
   * Stops the peer: `shutdown` over the control channel, then `docker stop` (SIGTERM, SIGKILL
   * after STOP_GRACE_MS; a no-op when the peer already exited), then removes the container.
   * Never rejects.
   */
  async stop(): Promise<void> {
    await this.end(true);
  }

  /** `docker stop` with no grace (SIGKILL) and no `shutdown` first, then removes it. Never rejects. */
  async kill(): Promise<void> {
    await this.end(false);
  }

  /**
   * Forgets the running container and removes it: with `gracefully`, `shutdown` first and
   * STOP_GRACE_MS before SIGKILL, else SIGKILL at once. Never rejects.
   */
  private async end(gracefully: boolean): Promise<void> {
    const container = this.container;
    const socket = this.socket;
    this.container = undefined;
    this.socket = undefined;
    this.hostPid = undefined;
    if (socket !== undefined) {
      if (gracefully)
        await this.channel.request('shutdown', {}, STOP_GRACE_MS).catch(() => undefined);
      socket.destroy();
    }
    const timeout = gracefully ? STOP_GRACE_MS : 0;
    await container?.stop({ timeout, remove: true }).catch(() => undefined);
  }

  /**
   * Its processes' CPU time and memory, read from the host's /proc (Docker on this machine, Linux);
   * undefined when the host cannot see them (a remote Docker). Never rejects.
   */
  async usage(): Promise<PeerUsage | undefined> {
    return this.hostPid === undefined ? undefined : processGroupUsage(this.hostPid);
  }
}

/** The host pid of a container's first process, or undefined when Docker does not say. Never rejects. */
async function hostPidOf(tc: Testcontainers, id: string): Promise<number | undefined> {
  try {
    const client = await tc.getContainerRuntimeClient();
    const info = await client.container.inspect(client.container.getById(id));
    const pid = info.State.Pid;
    return typeof pid === 'number' && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The container specs of the repository's default peers that have a container section, with the
 * image tags of their current files. Throws ManifestError for a broken manifest.
 */
export async function defaultContainerPeers(root: string): Promise<ContainerPeerSpec[]> {
  const { discoverPeers } = await import('./registry.js');
  return discoverPeers(root)
    .all.filter((m) => m.default && m.container !== undefined)
    .map((m) => containerSpecOf(m, root));
}
