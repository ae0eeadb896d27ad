/**
 * The process backend: a peer program started with execa as a child process of the harness,
 * talking over its stdin/stdout. Used by the README's quick start and by CI.
 */
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { ControlChannel } from './control.js';
import { ChannelPeer, infoFrom } from './channel-peer.js';
import type { PeerManifest } from './manifest.js';
import { PeerError } from './peer.js';
import { processGroupUsage } from './usage.js';
import type { PeerUsage } from './usage.js';

/** How long a peer may take from start to its `hello` answer: Python plus imports is ~0.1–0.5 s; 20 s means it hangs. */
export const HELLO_TIMEOUT_MS = 20_000;
/** How long one control request may take: load_idl runs Apache's compiler (~0.2 s); 60 s means it hangs. */
export const REQUEST_TIMEOUT_MS = 60_000;
/** How long a peer gets to exit after `shutdown` or SIGTERM before the next step. */
export const STOP_GRACE_MS = 2_000;
/** stderr kept for reports. */
const STDERR_KEEP = 64 * 1024;

/** How to start a peer program. */
export interface ProcessPeerSpec {
  readonly name: string;
  /** The program and its arguments, e.g. `['.venv/bin/python', 'peers/x/peer.py']`. */
  readonly command: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  /** The working folder. Default: the harness's. */
  readonly cwd?: string;
  /** The manifest: when given, its abilities are the peer's (not the hello answer's). */
  readonly manifest?: PeerManifest;
  /** What to tell the user when the program does not exist. Default: run `npm run setup`. */
  readonly setupHint?: string;
  /** Overrides HELLO_TIMEOUT_MS (tests of hanging peers). */
  readonly helloTimeoutMs?: number;
  /** Overrides REQUEST_TIMEOUT_MS. */
  readonly requestTimeoutMs?: number;
}

/** Spawns a peer program with piped stdio, no buffering and no rejection on exit. */
function spawn(
  file: string,
  args: string[],
  env: Readonly<Record<string, string>> | undefined,
  cwd: string | undefined,
) {
  return execa(file, args, {
    ...(cwd !== undefined ? { cwd } : {}),
    stdin: 'pipe',
    stdout: 'pipe',
    stderr: 'pipe',
    buffer: false,
    reject: false,
    // Its own process group: a Ctrl-C or SIGTERM for the harness does not kill the peers under
    // it; the harness finishes what is in flight and stops them (they also exit at stdin's end).
    detached: true,
    env: { ...env },
    encoding: 'buffer',
  });
}

/** A peer running as a local process. */
export class ProcessPeer extends ChannelPeer {
  private child: ReturnType<typeof spawn> | undefined;

  private constructor(private readonly spec: ProcessPeerSpec) {
    super();
  }

  get name(): string {
    return this.spec.name;
  }

  get manifest(): PeerManifest | undefined {
    return this.spec.manifest;
  }

  /**
   * Starts the peer and waits for its hello. Rejects with PeerError (with its stderr) when the
   * program is missing, exits, or does not answer within HELLO_TIMEOUT_MS.
   */
  static async start(spec: ProcessPeerSpec): Promise<ProcessPeer> {
    const p = new ProcessPeer(spec);
    await p.launch();
    return p;
  }

  /** Stops this peer and starts it again (after a crash); module handles are lost. */
  async restart(): Promise<void> {
    await this.stop();
    await this.launch();
  }

  private async launch(): Promise<void> {
    const [file, ...args] = this.spec.command;
    if (file === undefined) throw new PeerError(this.name, 'Config', 'empty command');
    if (file.includes('/') && !existsSync(file)) {
      throw new PeerError(
        this.name,
        'Missing',
        `${file} does not exist; ${this.spec.setupHint ?? 'run `npm run setup` first'}`,
      );
    }
    const t0 = performance.now();
    const child = spawn(file, args, this.spec.env, this.spec.cwd);
    this.child = child;
    this.exitText = undefined;
    child.stderr.on('data', (c: Buffer) => this.appendStderr(c.toString('utf8'), STDERR_KEEP));
    const channel = new ControlChannel(this.name, child.stdout, child.stdin, () => this.errText);
    this.channel = channel;
    // Its stdout closing is its death too (the exit status follows a moment later).
    child.stdout.on('close', () => {
      if (this.child === child) this.exitText ??= 'the peer closed its stdout';
    });
    void child.then((r) => {
      const why = `the peer exited (${r.signal ? `signal ${r.signal}` : `code ${String(r.exitCode)}`})`;
      if (this.child === child) this.exitText = why;
      channel.fail(new PeerError(this.name, 'Exited', why, { stderr: this.errText }));
    });
    this.info = await this.channel
      .request('hello', {}, this.spec.helloTimeoutMs ?? HELLO_TIMEOUT_MS)
      .then((hello) => infoFrom(this.name, hello, this.spec.manifest))
      .catch(async (e: unknown) => {
        await this.stop();
        throw e;
      });
    this.startMs = performance.now() - t0;
  }

  protected get requestTimeoutMs(): number {
    return this.spec.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
  }

  /** Its processes' CPU time and memory (Linux /proc; undefined elsewhere). Never rejects. */
  async usage(): Promise<PeerUsage | undefined> {
    const pid = this.child?.pid;
    return pid === undefined ? undefined : processGroupUsage(pid);
  }

  /**
   * The running child and a `wait(ms)` that resolves true once it has exited (false after `ms`),
   * or undefined when it is not running. Never throws.
   */
  private running():
    | { child: NonNullable<ProcessPeer['child']>; wait: (ms: number) => Promise<boolean> }
    | undefined {
    const child = this.child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<boolean>((r) => void child.finally(() => r(true)));
    const wait = (ms: number) =>
      Promise.race([exited, new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);
    return { child, wait };
  }

  /** SIGKILL to its whole process group at once, then waits for the exit. Never rejects. */
  async kill(): Promise<void> {
    const run = this.running();
    if (run === undefined) return;
    const { child, wait } = run;
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      else child.kill('SIGKILL');
    } catch {
      child.kill('SIGKILL');
    }
    await wait(STOP_GRACE_MS);
  }

  async stop(): Promise<void> {
    const run = this.running();
    if (run === undefined) return;
    const { child, wait } = run;
    await this.channel.request('shutdown', {}, STOP_GRACE_MS).catch(() => undefined);
    if (await wait(STOP_GRACE_MS)) return;
    child.kill('SIGTERM');
    if (await wait(STOP_GRACE_MS)) return;
    child.kill('SIGKILL');
    await wait(STOP_GRACE_MS);
  }
}
