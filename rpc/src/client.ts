/**
 * An envelope RPC client over TCP: several calls in flight on one connection, matched by seqid;
 * per-call timeouts; oneway calls (resolved once written). `call` resolves with `success`
 * (undefined for void), rejects with the declared exception instance the server sent, or with a
 * TApplicationException for an EXCEPTION message, or with one of ours for an answer that is not
 * a REPLY or EXCEPTION (INVALID_MESSAGE_TYPE), names another method (WRONG_METHOD_NAME) or has a
 * seqid no call in flight has (BAD_SEQUENCE_ID: every waiting call fails, the connection closes;
 * a late reply to a call that timed out is dropped).
 */
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import {
  ApplicationExceptionType,
  MessageType,
  TApplicationException,
} from '../../codec/src/index.js';
import type {
  Message,
  Protocol,
  ServiceFunction,
  ServiceObject,
  ThriftModule,
} from '../../codec/src/index.js';
import type { BytesTap, TransportKind } from './transport.js';
import { DEFAULT_MAX_FRAME_SIZE, frame, MessageReader } from './transport.js';

/** Client options. */
export interface ClientOptions {
  /** framed (default) or buffered. */
  readonly transport?: TransportKind;
  /** Write strict envelope headers (default true; binary only: compact has one form). */
  readonly strict?: boolean;
  /** The protocol of requests and replies: `binary` (default) or `compact`. */
  readonly protocol?: Protocol;
  /** Default per-call timeout in ms (default 10,000). */
  readonly timeoutMs?: number;
  /** Largest reply accepted (default 16,384,000). */
  readonly maxFrameSize?: number;
  /** Sees every byte sent and received (connection 1); default none. See {@link BytesTap}. */
  readonly onBytes?: BytesTap;
}

/** The default per-call timeout: long enough for a slow peer on a loaded 2-core machine. */
export const DEFAULT_CALL_TIMEOUT_MS = 10_000;

/** How many timed-out calls' seqids a client remembers, to drop their late replies. */
const MAX_TIMED_OUT = 1024;

/** A call that did not get its reply in time. */
export class CallTimeoutError extends Error {
  override get name(): string {
    return 'CallTimeoutError';
  }
}

/** The connection closed or failed while calls were waiting. */
export class ConnectionClosedError extends Error {
  override get name(): string {
    return 'ConnectionClosedError';
  }
}

interface Pending {
  readonly fn: ServiceFunction;
  readonly resolve: (m: Message) => void;
  readonly reject: (e: unknown) => void;
  readonly timer: NodeJS.Timeout;
}

/** A client bound to one service of one module on one connection. */
export class ThriftClient {
  private seqid = 0;
  private readonly pending = new Map<number, Pending>();
  /** Seqids of calls that timed out, whose late replies are dropped (at most MAX_TIMED_OUT). */
  private readonly timedOut = new Set<number>();
  private readonly reader: MessageReader;
  private closed: Error | undefined;
  /** The byte tap (initially `options.onBytes`); may be set or cleared at any time. */
  onBytes: BytesTap | undefined;

  private constructor(
    private readonly socket: Socket,
    private readonly module: ThriftModule,
    private readonly service: ServiceObject,
    private readonly options: ClientOptions,
  ) {
    this.reader = new MessageReader(
      options.transport ?? 'framed',
      options.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE,
      options.protocol ?? 'binary',
    );
    this.onBytes = options.onBytes;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (e) =>
      this.fail(new ConnectionClosedError(`connection failed: ${e.message}`, { cause: e })),
    );
    socket.on('close', () =>
      this.fail(new ConnectionClosedError('connection closed by the server')),
    );
  }

  /**
   * Connects to `host:port` (only loopback is ever used by the harness). Rejects when the
   * connection cannot be made within `options.timeoutMs` (default 10,000 ms).
   */
  static async connect(
    module: ThriftModule,
    service: ServiceObject,
    port: number,
    host = '127.0.0.1',
    options: ClientOptions = {},
  ): Promise<ThriftClient> {
    const socket = connect({ port, host });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.destroy();
        reject(
          new CallTimeoutError(
            `could not connect to ${host}:${port} within ${options.timeoutMs ?? DEFAULT_CALL_TIMEOUT_MS} ms`,
          ),
        );
      }, options.timeoutMs ?? DEFAULT_CALL_TIMEOUT_MS);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
    return new ThriftClient(socket, module, service, options);
  }

  /**
   * Calls `method` with `args` (its fields by name). Resolves with `success` (undefined for void
   * and oneway); rejects with the declared exception the server raised, a TApplicationException,
   * CallTimeoutError (after `timeoutMs`, default the client's) or ConnectionClosedError.
   */
  async call(
    method: string,
    args: Record<string, unknown> = {},
    timeoutMs?: number,
  ): Promise<unknown> {
    const fn = this.service.__functions__.get(method);
    if (fn === undefined) throw new Error(`${this.service.__name__} has no method '${method}'`);
    const message = await this.send(fn, new fn.request(args), timeoutMs);
    if (message === undefined) return undefined;
    if (message.messageType === MessageType.EXCEPTION) throw message.body;
    const body = message.body as Record<string, unknown>;
    for (const f of fn.response.__spec__.fields) {
      if (f.id !== 0 && body[f.name] !== undefined) throw body[f.name];
    }
    return body.success;
  }

  /**
   * Sends a request struct and resolves with the whole reply message (or undefined for oneway):
   * for callers that need the envelope itself. Rejects like `call` for timeouts and closes.
   */
  async send(
    fn: ServiceFunction,
    request: object,
    timeoutMs?: number,
  ): Promise<Message | undefined> {
    if (this.closed) throw this.closed;
    const seqid = (this.seqid = (this.seqid + 1) | 0);
    const bytes = this.module.dumps.message(request, seqid, {
      strict: this.options.strict ?? true,
      protocol: this.options.protocol ?? 'binary',
    });
    const out = frame(this.reader.kind, bytes);
    this.onBytes?.('sent', out, 1);
    if (fn.oneway) {
      await new Promise<void>((resolve, reject) =>
        this.socket.write(out, (e) => (e ? reject(e) : resolve())),
      );
      return undefined;
    }
    const ms = timeoutMs ?? this.options.timeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
    return new Promise<Message>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(seqid);
        this.timedOut.add(seqid);
        // Keep the last MAX_TIMED_OUT only: a reply later than that is a wrong seqid.
        if (this.timedOut.size > MAX_TIMED_OUT)
          this.timedOut.delete(this.timedOut.values().next().value!);
        reject(
          new CallTimeoutError(
            `${this.service.__name__}.${fn.name} (seqid ${seqid}) got no reply within ${ms} ms`,
          ),
        );
      }, ms);
      this.pending.set(seqid, { fn, resolve, reject, timer });
      this.socket.write(out);
    });
  }

  /** Number of calls waiting for replies. */
  get inFlight(): number {
    return this.pending.size;
  }

  /** Closes the connection; waiting calls reject with ConnectionClosedError. */
  close(): void {
    this.fail(new ConnectionClosedError('client closed'));
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.onBytes?.('received', chunk, 1);
    let messages: Uint8Array[];
    try {
      messages = this.reader.push(chunk);
    } catch (e) {
      this.fail(e instanceof Error ? e : new Error(String(e)));
      this.socket.destroy();
      return;
    }
    this.take(messages);
    const fault = this.reader.fault;
    if (fault !== undefined && !this.socket.destroyed) {
      // Bytes that cannot be a message came after the replies just read.
      this.fail(fault);
      this.socket.destroy();
    }
  }

  /** Settles the calls that the replies in `messages` answer. */
  private take(messages: Uint8Array[]): void {
    for (const bytes of messages) {
      let msg: Message;
      try {
        msg = this.module.loads.message(this.service, bytes, {
          protocol: this.options.protocol ?? 'binary',
        });
      } catch (e) {
        // A reply we cannot read: fail every waiting call, the stream is no longer trustworthy.
        this.fail(e instanceof Error ? e : new Error(String(e)));
        this.socket.destroy();
        return;
      }
      const p = this.pending.get(msg.seqid);
      if (p === undefined) {
        if (this.timedOut.delete(msg.seqid)) continue; // a late reply to a call that timed out
        // A seqid no call of ours has: replies can no longer be matched to calls.
        this.fail(
          new TApplicationException(
            ApplicationExceptionType.BAD_SEQUENCE_ID,
            `reply '${msg.name}' has seqid ${msg.seqid}, which no call in flight has (${[...this.pending.keys()].join(', ') || 'none'}); the server must answer with the call's seqid`,
          ),
        );
        this.socket.destroy();
        return;
      }
      this.pending.delete(msg.seqid);
      clearTimeout(p.timer);
      if (msg.messageType !== MessageType.REPLY && msg.messageType !== MessageType.EXCEPTION) {
        p.reject(
          new TApplicationException(
            ApplicationExceptionType.INVALID_MESSAGE_TYPE,
            `the answer to '${p.fn.name}' (seqid ${msg.seqid}) has message type ${msg.messageType}; a server answers with REPLY (2) or EXCEPTION (3)`,
          ),
        );
      } else if (msg.name !== p.fn.name && !(msg.body instanceof TApplicationException)) {
        p.reject(
          new TApplicationException(
            ApplicationExceptionType.WRONG_METHOD_NAME,
            `reply names '${msg.name}' but the call was '${p.fn.name}' (seqid ${msg.seqid})`,
          ),
        );
      } else p.resolve(msg);
    }
  }

  private fail(e: Error): void {
    this.closed ??= e;
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(e);
      this.pending.delete(id);
    }
  }
}
