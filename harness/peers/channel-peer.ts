/**
 * What every peer backend shares once its control channel is up: the Peer requests, sent as
 * control-channel ops (peers/README.md). Backends (process, container) only start, stop and
 * connect.
 */
import type { ControlChannel } from './control.js';
import { answerError } from './control.js';
import type { Json } from './json-values.js';
import type { PeerManifest } from './manifest.js';
import type {
  CallOutcome,
  Peer,
  PeerInfo,
  ReceivedCall,
  ScriptedAnswer,
  WireSettings,
} from './peer.js';
import { PeerError } from './peer.js';

/**
 * The PeerInfo of a hello answer: the manifest's abilities (when there is a manifest) win over
 * the ones the peer says. Throws PeerError when the answer lacks a version, or has no abilities
 * and there is no manifest.
 */
export function infoFrom(
  name: string,
  hello: Record<string, Json>,
  manifest: PeerManifest | undefined,
): PeerInfo {
  if (typeof hello.version !== 'string' || hello.version === '')
    throw new PeerError(name, 'BadHello', 'the hello answer has no "version" string');
  const said = hello.abilities as unknown as PeerInfo['abilities'] | undefined;
  const abilities = manifest?.abilities ?? said;
  if (abilities === undefined)
    throw new PeerError(
      name,
      'BadHello',
      'the hello answer has no abilities and the peer has no manifest',
    );
  const { id: _id, ok: _ok, ...rest } = hello;
  return {
    ...rest,
    name,
    version: hello.version,
    abilities,
    ...(said ? { saidAbilities: said } : {}),
  };
}

/** Ops that may travel in a `batch` (the ones a check sends once per value). */
const BATCHABLE = new Set(['encode', 'roundtrip', 'call']);
/** Most sub-requests in one `batch`. */
export const MAX_BATCH = 64;

interface Queued {
  readonly op: string;
  readonly params: Record<string, Json>;
  readonly resolve: (v: Record<string, Json>) => void;
  readonly reject: (e: unknown) => void;
}

/**
 * A peer reached over a ControlChannel; subclasses set `channel`, `info` and `errText`.
 *
 * Requests of the ops a check sends once per value (encode, roundtrip, call) that are made in the
 * same turn of the event loop travel together in one `batch` request (peers/README.md), so a
 * schema's values cost a peer one control message per check instead of one per value; a peer
 * without `batch` gets them one by one, and is not asked again.
 */
export abstract class ChannelPeer implements Peer {
  protected channel!: ControlChannel;
  protected errText = '';
  /** Characters ever printed on stderr (errText keeps the tail). */
  protected errTotal = 0;
  /** Why the peer stopped running (set by the backend when it sees the exit), if it did. */
  protected exitText: string | undefined;

  /** Keeps `text` the peer printed on stderr (the last `keep` characters of all of it). */
  protected appendStderr(text: string, keep: number): void {
    this.errText = (this.errText + text).slice(-keep);
    this.errTotal += text.length;
  }

  /** A mark of how much was printed on stderr so far (see stderrSince). Never throws. */
  stderrMark(): number {
    return this.errTotal;
  }

  /** What was printed on stderr since `mark` (the kept tail when more). Never throws. */
  stderrSince(mark: number): string {
    const n = this.errTotal - mark;
    return n <= 0 ? '' : this.errText.slice(-n);
  }

  /** Why the peer is not running any more, or undefined while it runs. Never throws. */
  exitReason(): string | undefined {
    return this.exitText;
  }

  /** When (performance.now()) the peer last answered a control request; 0 before any. Never throws. */
  lastAnswerAt(): number {
    return (this.channel as ControlChannel | undefined)?.lastAnswerAt ?? 0;
  }

  /** The longest its control requests waited for an answer so far, in ms. Never throws. */
  slowestAnswerMs(): number {
    return (this.channel as ControlChannel | undefined)?.slowestAnswerMs ?? 0;
  }
  info!: PeerInfo;
  /** Milliseconds from starting the peer to its hello answer. */
  startMs = 0;

  abstract get name(): string;
  /** The manifest the peer was started from, if any. */
  abstract get manifest(): PeerManifest | undefined;
  /** How long one control request may take (a hang past it is reported as PeerError Timeout). */
  protected abstract get requestTimeoutMs(): number;
  abstract stop(): Promise<void>;

  /** Whether the peer answers `batch` (undefined until asked). */
  batches: boolean | undefined;
  /** Whether the peer answers `prepare` (undefined until asked). */
  prepares: boolean | undefined;
  #queue: Queued[] = [];
  #flushScheduled = false;

  /**
   * Sends one control op (batched with others of the same turn when it may be); rejects with
   * PeerError (ok: false, timeout, dead peer).
   */
  protected req(op: string, params: Record<string, Json> = {}): Promise<Record<string, Json>> {
    // A request that found the peer gone (stdout closed, stdin broken, exited) marks it dead at
    // once, before the exit status arrives.
    const channel = this.channel;
    return this.sendOp(op, params).catch((e: unknown) => {
      if (e instanceof PeerError && e.type === 'Exited' && this.channel === channel)
        this.exitText ??= e.message;
      throw e;
    });
  }

  private sendOp(op: string, params: Record<string, Json>): Promise<Record<string, Json>> {
    if (!BATCHABLE.has(op) || this.batches === false)
      return this.channel.request(op, params, this.requestTimeoutMs);
    return new Promise((resolve, reject) => {
      this.#queue.push({ op, params, resolve, reject });
      if (!this.#flushScheduled) {
        this.#flushScheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  #flush(): void {
    this.#flushScheduled = false;
    const queue = this.#queue;
    this.#queue = [];
    for (let i = 0; i < queue.length; i += MAX_BATCH)
      void this.#send(queue.slice(i, i + MAX_BATCH));
  }

  async #send(items: Queued[]): Promise<void> {
    const one = (q: Queued) =>
      this.channel.request(q.op, q.params, this.requestTimeoutMs).then(q.resolve, q.reject);
    if (items.length === 1 || this.batches === false) {
      await Promise.all(items.map(one));
      return;
    }
    let answer: Record<string, Json>;
    try {
      answer = await this.channel.request(
        'batch',
        { requests: items.map((q) => ({ op: q.op, ...q.params })) },
        this.requestTimeoutMs * Math.min(items.length, 3),
      );
    } catch (e) {
      if (e instanceof PeerError && e.type === 'UnknownOp' && this.batches !== true) {
        this.batches = false;
        await Promise.all(items.map(one));
      } else for (const q of items) q.reject(e);
      return;
    }
    this.batches = true;
    const responses = answer.responses;
    if (!Array.isArray(responses) || responses.length !== items.length) {
      const e = new PeerError(
        this.name,
        'BadBatch',
        `a batch of ${items.length} was answered with ${Array.isArray(responses) ? responses.length : 'no'} responses`,
        { stderr: this.errText },
      );
      for (const q of items) q.reject(e);
      return;
    }
    items.forEach((q, i) => {
      const r = (responses[i] ?? {}) as Record<string, Json>;
      if (r.ok === true) q.resolve(r);
      else q.reject(answerError(this.name, q.op, r, this.errText));
    });
  }

  /**
   * Tells the peer which schemas are coming (`prepare`), so a peer that compiles code per schema
   * can build them ahead, in batches. Resolves with whether the peer takes `prepare`; never
   * rejects (a peer without it, or a failing one, is simply not asked again).
   */
  async prepare(
    schemas: readonly { files: Readonly<Record<string, string>>; entry: string }[],
  ): Promise<boolean> {
    if (this.prepares === false || schemas.length === 0) return this.prepares ?? false;
    try {
      await this.channel.request(
        'prepare',
        { schemas: schemas.map((x) => ({ files: { ...x.files }, entry: x.entry })) },
        this.requestTimeoutMs,
      );
      this.prepares = true;
    } catch {
      this.prepares = false;
    }
    return this.prepares;
  }

  /**
   * Sends any op with its parameters and resolves with the whole answer (for check-peer and for
   * the optional ops). Rejects with PeerError as `req` does.
   */
  request(op: string, params: Record<string, Json> = {}): Promise<Record<string, Json>> {
    return this.req(op, params);
  }

  async loadIdl(files: Readonly<Record<string, string>>, entry: string): Promise<string> {
    return String((await this.req('load_idl', { files: { ...files }, entry })).module);
  }

  async serve(
    module: string,
    service: string,
    settings: WireSettings & { readonly impl?: 'keyvalue' } = {},
  ): Promise<number> {
    return Number((await this.req('serve', { module, service, ...settings })).port);
  }

  async call(
    module: string,
    service: string,
    fn: string,
    args: Json,
    port: number,
    settings: WireSettings = {},
  ): Promise<CallOutcome> {
    const r = await this.req('call', {
      module,
      service,
      function: fn,
      args,
      host: '127.0.0.1',
      port,
      ...settings,
    });
    const { id: _id, ok: _ok, ...outcome } = r;
    return outcome as unknown as CallOutcome;
  }

  async roundtrip(
    module: string,
    type: string,
    bytes: Uint8Array,
    protocol: 'binary' | 'compact' = 'binary',
  ): Promise<{ value: Json; bytes: Uint8Array; trailing: number }> {
    const r = await this.req('roundtrip', {
      module,
      type,
      bytes: Buffer.from(bytes).toString('base64'),
      protocol,
    });
    return {
      value: r.value as Json,
      bytes: new Uint8Array(Buffer.from(String(r.bytes), 'base64')),
      trailing: Number(r.trailing ?? 0),
    };
  }

  async encode(
    module: string,
    type: string,
    value: Json,
    protocol: 'binary' | 'compact' = 'binary',
  ): Promise<Uint8Array> {
    const r = await this.req('encode', { module, type, value, protocol });
    return new Uint8Array(Buffer.from(String(r.bytes), 'base64'));
  }

  async onewayLog(clear = false): Promise<{ service: string; function: string; args: Json }[]> {
    const r = await this.req('oneway_log', { clear });
    return r.calls as unknown as { service: string; function: string; args: Json }[];
  }

  /** The `answer` op (peers/README.md, "Scripted answers"). Rejects with PeerError. */
  async answer(port: number, fn: string, answer: ScriptedAnswer): Promise<number> {
    const r = await this.req('answer', { port, function: fn, answer: answer as Json, reset: true });
    return Number(r.queued);
  }

  /** The `received` op (peers/README.md, "Scripted answers"). Rejects with PeerError. */
  async received(port: number): Promise<ReceivedCall[]> {
    const r = await this.req('received', { port });
    return r.calls as unknown as ReceivedCall[];
  }

  stderr(): string {
    return this.errText;
  }
}
