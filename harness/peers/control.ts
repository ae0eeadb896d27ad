/**
 * The control channel to a peer: length-prefixed JSON over the peer's stdin/stdout (4-byte
 * big-endian length, then a UTF-8 JSON object), requests matched to answers by `id`. Garbage on
 * stdout (a length that is absurd, or bytes that are not JSON) fails every waiting request and
 * the channel, so a broken peer is reported instead of hanging the run.
 */
import type { Readable, Writable } from 'node:stream';
import type { Json } from './json-values.js';
import { PeerError } from './peer.js';

/** Largest control message accepted from a peer: 256 MiB (as the peers' own limit). */
export const MAX_CONTROL_MESSAGE_BYTES = 256 * 1024 * 1024;

/** One control message as a tap sees it: a request written or an answer read. */
export interface ControlLine {
  /** The peer's name. */
  readonly peer: string;
  readonly direction: 'request' | 'answer';
  /** The JSON text, without its 4-byte length. */
  readonly text: string;
  /** `performance.now()` when it was written or read. */
  readonly at: number;
}

/** Sees control messages; an exception it throws is ignored (a trace never breaks a channel). */
export type ControlTap = (line: ControlLine) => void;

/** Taps that see the messages of every channel (see {@link tapControlChannels}). */
const everyChannel = new Set<ControlTap>();

/**
 * Adds `tap` to every control channel, those that exist and those made later (peers are started
 * by backends that make their own channels), until the returned function is called. Filter by
 * `line.peer` when several peers run. Never throws.
 */
export function tapControlChannels(tap: ControlTap): () => void {
  everyChannel.add(tap);
  return () => everyChannel.delete(tap);
}

interface Waiting {
  readonly op: string;
  readonly resolve: (v: Record<string, Json>) => void;
  readonly reject: (e: unknown) => void;
  readonly timer: NodeJS.Timeout;
  /** performance.now() when it was sent. */
  readonly sentAt: number;
}

/** A request/response channel over a child's stdio. */
export class ControlChannel {
  private nextId = 1;
  private readonly waiting = new Map<number, Waiting>();
  private buf: Buffer = Buffer.alloc(0);
  private failed: Error | undefined;
  /** When (performance.now()) the last answer arrived; 0 before any. */
  lastAnswerAt = 0;
  /** The longest a request waited for its answer so far, in ms (0 before any answer). */
  slowestAnswerMs = 0;
  /** This channel's own tap (initially the constructor's); may be set or cleared at any time. */
  tap: ControlTap | undefined;

  /**
   * @param peer the peer's name, for errors
   * @param input the peer's stdout
   * @param output the peer's stdin
   * @param stderr returns the peer's recent stderr, attached to errors
   * @param tap sees every request written and answer read (default none)
   */
  constructor(
    private readonly peer: string,
    input: Readable,
    private readonly output: Writable,
    private readonly stderr: () => string,
    tap?: ControlTap,
  ) {
    this.tap = tap;
    input.on('data', (chunk: Buffer) => this.onData(chunk));
    input.on('end', () =>
      this.fail(new PeerError(peer, 'Exited', 'the peer closed its stdout', { stderr: stderr() })),
    );
    output.on('error', (e) =>
      this.fail(
        new PeerError(peer, 'Exited', `cannot write to the peer: ${e.message}`, {
          stderr: stderr(),
        }),
      ),
    );
  }

  /**
   * Sends `{id, op, ...params}` and resolves with the answer's fields; rejects with PeerError when
   * the answer is `ok: false`, after `timeoutMs`, or when the channel fails.
   */
  request(
    op: string,
    params: Record<string, Json>,
    timeoutMs: number,
  ): Promise<Record<string, Json>> {
    if (this.failed) return Promise.reject(this.failed);
    const id = this.nextId++;
    const body = Buffer.from(JSON.stringify({ id, op, ...params }), 'utf8');
    const head = Buffer.alloc(4);
    head.writeUInt32BE(body.length);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(
          new PeerError(this.peer, 'Timeout', `no answer to '${op}' within ${timeoutMs} ms`, {
            stderr: this.stderr(),
          }),
        );
      }, timeoutMs);
      this.waiting.set(id, { op, resolve, reject, timer, sentAt: performance.now() });
      if (this.tap !== undefined || everyChannel.size > 0) this.emit('request', body);
      this.output.write(Buffer.concat([head, body]));
    });
  }

  /** Fails every waiting request with `e` (the peer died or misbehaved). */
  fail(e: Error): void {
    this.failed ??= e;
    for (const [id, w] of this.waiting) {
      clearTimeout(w.timer);
      w.reject(e);
      this.waiting.delete(id);
    }
  }

  /** Hands one message to the taps; a tap that throws is ignored. */
  private emit(direction: ControlLine['direction'], message: Buffer | string): void {
    const line: ControlLine = {
      peer: this.peer,
      direction,
      text: typeof message === 'string' ? message : message.toString('utf8'),
      at: performance.now(),
    };
    for (const tap of [this.tap, ...everyChannel]) {
      try {
        tap?.(line);
      } catch {
        // a trace never breaks the channel
      }
    }
  }

  private onData(chunk: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    while (this.buf.length >= 4) {
      const n = this.buf.readUInt32BE(0);
      if (n > MAX_CONTROL_MESSAGE_BYTES) {
        this.fail(
          new PeerError(
            this.peer,
            'Garbage',
            `stdout gave a message length of ${n} bytes (is the peer printing to stdout?)`,
            { stderr: this.stderr() },
          ),
        );
        return;
      }
      if (this.buf.length < 4 + n) return;
      const text = this.buf.subarray(4, 4 + n).toString('utf8');
      this.buf = this.buf.subarray(4 + n);
      this.lastAnswerAt = performance.now();
      if (this.tap !== undefined || everyChannel.size > 0) this.emit('answer', text);
      let msg: Record<string, Json>;
      try {
        msg = JSON.parse(text) as Record<string, Json>;
      } catch {
        this.fail(
          new PeerError(
            this.peer,
            'Garbage',
            `stdout gave a message that is not JSON: ${JSON.stringify(text.slice(0, 80))}`,
            { stderr: this.stderr() },
          ),
        );
        return;
      }
      const w = typeof msg.id === 'number' ? this.waiting.get(msg.id) : undefined;
      if (w === undefined) continue;
      this.waiting.delete(msg.id as number);
      clearTimeout(w.timer);
      this.slowestAnswerMs = Math.max(this.slowestAnswerMs, this.lastAnswerAt - w.sentAt);
      if (msg.ok === true) w.resolve(msg);
      else w.reject(answerError(this.peer, w.op, msg, this.stderr()));
    }
  }
}

/** The PeerError of an `ok: false` answer (a whole one, or one of a batch's `responses`). */
export function answerError(
  peer: string,
  op: string,
  msg: Record<string, Json>,
  stderr: string,
): PeerError {
  const err = (msg.error ?? {}) as Record<string, Json>;
  return new PeerError(peer, String(err.type ?? 'Error'), String(err.message ?? `'${op}' failed`), {
    ...(typeof err.traceback === 'string' ? { traceback: err.traceback } : {}),
    stderr,
  });
}
