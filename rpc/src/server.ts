/**
 * An envelope RPC server over TCP. Handlers are registered per service (the seed's
 * `register(Service, handler)` idea): an object with one (sync or async) function per method,
 * called with the request struct; what it returns becomes `success`; a thrown instance of a
 * declared exception becomes that exception's field of the REPLY. Anything else is answered with
 * an EXCEPTION message: TApplicationException UNKNOWN_METHOD for a method no service has,
 * INTERNAL_ERROR for any handler failure (whatever it threw, a declared exception that cannot be
 * encoded, a result that cannot be encoded, a handler that does not finish in time),
 * PROTOCOL_ERROR for a body that does not decode. A malformed or oversized frame closes only its
 * connection; other connections keep being served.
 *
 * One client cannot take the server down or starve the others: a connection whose replies are
 * not being read stops being read, a connection runs a bounded number of calls at once, and
 * connections, unfinished messages, idle connections and handlers are all limited with
 * documented defaults (SERVER_DEFAULTS; docs/rpc-limits.md), each refusal reported to `onError`
 * as a ServerLimitError that names the limit and the option that raises it.
 */
import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import {
  ApplicationExceptionType,
  classFor,
  encodeApplicationExceptionMessage,
  MessageType,
  peekEnvelope,
  TApplicationException,
} from '../../codec/src/index.js';
import type {
  EnvelopeHeader,
  Message,
  Protocol,
  ServiceFunction,
  ServiceObject,
  ThriftModule,
} from '../../codec/src/index.js';
import type { BytesTap, TransportKind } from './transport.js';
import { DEFAULT_MAX_FRAME_SIZE, detectProtocol, frame, MessageReader } from './transport.js';

/** A handler: one function per method name, given the request struct (its fields are the arguments). */
export type Handler = Record<string, (request: Record<string, unknown>) => unknown>;

/** The limits and timeouts of a server; every one is an option of {@link ServerOptions}. */
export interface ServerLimits {
  /** Largest frame or message accepted, and largest reply sent (default 16,384,000 bytes). */
  readonly maxFrameSize: number;
  /** Connections open at once; more are closed as they arrive (default 1,024). */
  readonly maxConnections: number;
  /** A connection with no call running and no byte moving either way for this long is closed (default 120,000 ms). */
  readonly idleTimeoutMs: number;
  /** A message whose first byte has arrived must be whole within this long, else the connection is closed (default 30,000 ms). */
  readonly readTimeoutMs: number;
  /** A handler that has not finished after this long is answered INTERNAL_ERROR (default 60,000 ms). */
  readonly handlerTimeoutMs: number;
  /** Calls of one connection run at once; past it the connection is not read (default 64). */
  readonly maxInFlight: number;
  /** Reply bytes a connection may have waiting to be sent before it stops being read (default 1 MiB). */
  readonly maxQueuedReplyBytes: number;
  /** Bytes of received, not yet handled messages the whole server holds; the connection that would pass it is closed (default 256 MiB). */
  readonly maxBufferedBytes: number;
  /** Longest text of an EXCEPTION message the server writes, in UTF-8 bytes; longer is cut (default 65,536, and always to fit `maxFrameSize`). */
  readonly maxErrorMessageBytes: number;
}

/** The documented defaults of {@link ServerLimits} (docs/rpc-limits.md says what each protects against). */
export const SERVER_DEFAULTS: ServerLimits = Object.freeze({
  maxFrameSize: DEFAULT_MAX_FRAME_SIZE,
  maxConnections: 1024,
  idleTimeoutMs: 120_000,
  readTimeoutMs: 30_000,
  handlerTimeoutMs: 60_000,
  maxInFlight: 64,
  maxQueuedReplyBytes: 1024 * 1024,
  maxBufferedBytes: 256 * 1024 * 1024,
  maxErrorMessageBytes: 65_536,
});

/** Server options: the limits of {@link ServerLimits} (each optional) and the ones below. */
export interface ServerOptions extends Partial<ServerLimits> {
  /** framed (default) or buffered. */
  readonly transport?: TransportKind;
  /** Reply with a strict header: `'same'` as the request (default), or always true / false (binary only). */
  readonly strictReplies?: boolean | 'same';
  /** The protocol requests come in and replies go out in: `binary` (default) or `compact`. */
  readonly protocol?: Protocol;
  /**
   * Tell binary from compact by each message's first byte (0x82: compact) and answer in kind,
   * whatever `protocol` says. Default false.
   */
  readonly detectProtocol?: boolean;
  /** Called for every connection-level problem (bad frame, socket error, a limit); default: ignore. Never breaks the server, even when it throws. */
  readonly onError?: (error: unknown) => void;
  /** Sees every byte sent and received, by connection (1, 2, … in order of arrival); default none. */
  readonly onBytes?: BytesTap;
}

/** A connection refused or closed by a limit: `limit` names the option that raises it. */
export class ServerLimitError extends Error {
  /**
   * @param message what was refused, the limit, and how to raise it
   * @param limit the option of {@link ServerLimits} that was reached
   */
  constructor(
    message: string,
    readonly limit: keyof ServerLimits,
  ) {
    super(message);
  }
  override get name(): string {
    return 'ServerLimitError';
  }
}

interface Registered {
  readonly module: ThriftModule;
  readonly service: ServiceObject;
  readonly fn: ServiceFunction;
  readonly impl: (request: Record<string, unknown>) => unknown;
}

/** One open connection's state. */
interface Connection {
  readonly socket: Socket;
  readonly number: number;
  readonly reader: MessageReader;
  /** Whole messages received and not yet handed to a handler. */
  readonly queue: Uint8Array[];
  queuedBytes: number;
  /** Bytes counted in the server's `buffered` total for this connection. */
  held: number;
  inFlight: number;
  paused: boolean;
  readTimer: NodeJS.Timeout | undefined;
}

/** How a reply is written: its protocol and (binary) envelope form. */
interface Form {
  readonly protocol: Protocol;
  readonly strict: boolean;
}

/** The error of a handler that did not finish in time. */
class HandlerTimeout {
  constructor(readonly ms: number) {}
}

/**
 * Whether connection `number` may be served with `open` connections already open: at the limit
 * `max` (maxConnections) it reports a ServerLimitError through `report`, destroys the socket and
 * says false. Shared by ThriftServer and TChannelServer. Never throws.
 */
export function admitConnection(
  socket: Socket,
  number: number,
  open: number,
  max: number,
  report: (e: unknown) => void,
): boolean {
  if (open < max) return true;
  report(
    new ServerLimitError(
      `refused connection ${number}: ${open} connections are open, the limit (maxConnections) is ${max}; raise maxConnections to allow more`,
      'maxConnections',
    ),
  );
  socket.destroy();
  return false;
}

/** A Thrift server; `listen` resolves with the port. */
export class ThriftServer {
  private readonly methods = new Map<string, Registered>();
  /** Open connections. */
  private readonly connections = new Map<Socket, Connection>();
  private connectionCount = 0;
  /** Bytes of unhandled input held over every connection. */
  private buffered = 0;
  private server: Server | undefined;
  private readonly transport: TransportKind;
  /** The limits in force (the options over SERVER_DEFAULTS). */
  readonly limits: ServerLimits;
  /** The byte tap (initially `options.onBytes`); may be set or cleared at any time. */
  onBytes: BytesTap | undefined;

  /**
   * Creates a server: framed transport, replies as strict as requests, the limits of
   * SERVER_DEFAULTS unless given. Throws RangeError for a limit that is not a positive integer.
   */
  constructor(private readonly options: ServerOptions = {}) {
    this.transport = options.transport ?? 'framed';
    const limits: Record<string, number> = { ...SERVER_DEFAULTS };
    for (const key of Object.keys(SERVER_DEFAULTS) as (keyof ServerLimits)[]) {
      const v = options[key];
      if (v === undefined) continue;
      if (!Number.isSafeInteger(v) || v <= 0)
        throw new RangeError(`server option ${key} must be a positive integer, got ${String(v)}`);
      limits[key] = v;
    }
    this.limits = Object.freeze(limits as unknown as ServerLimits);
    this.onBytes = options.onBytes;
  }

  /**
   * Registers `handler` for `service` (of module `module`); every method of the service,
   * inherited ones too, must have a function. Throws Error naming what is missing or clashes.
   */
  register(module: ThriftModule, service: ServiceObject, handler: Handler): this {
    for (const [name, fn] of service.__functions__) {
      const impl = handler[name];
      if (typeof impl !== 'function') {
        throw new Error(
          `handler for ${service.__name__} has no function '${name}'; give one for every method`,
        );
      }
      const clash = this.methods.get(name);
      if (clash && clash.service !== service) {
        throw new Error(
          `method '${name}' of ${service.__name__} is already served by ${clash.service.__name__}`,
        );
      }
      this.methods.set(name, { module, service, fn, impl: impl.bind(handler) });
    }
    return this;
  }

  /** Starts listening on `host` (default 127.0.0.1) and `port` (default 0: any free port); resolves with the port. */
  async listen(port = 0, host = '127.0.0.1'): Promise<number> {
    const server = createServer((socket) => this.serve(socket));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (e) => this.report(e));
    return (server.address() as AddressInfo).port;
  }

  /** Stops listening and closes every connection. */
  async close(): Promise<void> {
    for (const c of this.connections.values()) this.drop(c);
    const server = this.server;
    if (server === undefined) return;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Open connections (for tests and monitoring). */
  get connectionsOpen(): number {
    return this.connections.size;
  }

  /** Bytes of received, not yet handled messages held over every connection. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  /** Calls the byte tap; what it throws is reported, never raised (a trace never breaks a call). */
  private tap(direction: 'sent' | 'received', bytes: Uint8Array, connection: number): void {
    try {
      this.onBytes?.(direction, bytes, connection);
    } catch (e) {
      this.report(e);
    }
  }

  /** Calls `onError`; what it throws is ignored (a callback never breaks the server). */
  private report(e: unknown): void {
    try {
      this.options.onError?.(e);
    } catch {
      // ignored on purpose
    }
  }

  private serve(socket: Socket): void {
    const number = ++this.connectionCount;
    socket.on('error', (e) => this.report(e));
    if (
      !admitConnection(socket, number, this.connections.size, this.limits.maxConnections, (e) =>
        this.report(e),
      )
    )
      return;
    const c: Connection = {
      socket,
      number,
      reader: new MessageReader(
        this.transport,
        this.limits.maxFrameSize,
        this.options.detectProtocol === true ? 'detect' : (this.options.protocol ?? 'binary'),
      ),
      queue: [],
      queuedBytes: 0,
      held: 0,
      inFlight: 0,
      paused: false,
      readTimer: undefined,
    };
    this.connections.set(socket, c);
    socket.setNoDelay(true);
    socket.setTimeout(this.limits.idleTimeoutMs);
    socket.on('timeout', () => this.onIdle(c));
    socket.on('close', () => this.drop(c));
    socket.on('drain', () => this.pump(c));
    socket.on('data', (chunk: Buffer) => this.onData(c, chunk));
  }

  /** Forgets a connection: its timers, its share of the buffered bytes; destroys its socket. */
  private drop(c: Connection): void {
    clearTimeout(c.readTimer);
    c.readTimer = undefined;
    this.buffered -= c.held;
    c.held = 0;
    c.queue.length = 0;
    c.queuedBytes = 0;
    this.connections.delete(c.socket);
    c.socket.destroy();
  }

  private closeFor(c: Connection, error: unknown): void {
    this.report(error);
    this.drop(c);
  }

  private onData(c: Connection, chunk: Buffer): void {
    if (!this.connections.has(c.socket)) return;
    if (this.onBytes !== undefined) this.tap('received', chunk, c.number);
    if (this.buffered + chunk.length > this.limits.maxBufferedBytes) {
      return this.closeFor(
        c,
        new ServerLimitError(
          `closed connection ${c.number}: the server holds ${this.buffered} bytes of unfinished or unhandled messages and ${chunk.length} more would pass the limit (maxBufferedBytes) of ${this.limits.maxBufferedBytes}; raise maxBufferedBytes to hold more`,
          'maxBufferedBytes',
        ),
      );
    }
    let messages: Uint8Array[];
    try {
      messages = c.reader.push(chunk);
    } catch (e) {
      return this.closeFor(c, e);
    }
    for (const m of messages) {
      c.queue.push(m);
      c.queuedBytes += m.length;
    }
    this.account(c);
    if (messages.length > 0) {
      clearTimeout(c.readTimer);
      c.readTimer = undefined;
    }
    this.pump(c);
  }

  /** Brings the server's `buffered` total up to date with this connection's. */
  private account(c: Connection): void {
    const held = c.reader.pending + c.queuedBytes;
    this.buffered += held - c.held;
    c.held = held;
  }

  /**
   * Starts queued calls while the connection may run more and its replies are being read; stops
   * reading the connection while it may not, starts again when it may.
   */
  private pump(c: Connection): void {
    if (!this.connections.has(c.socket)) return;
    const blocked = () =>
      c.inFlight >= this.limits.maxInFlight ||
      c.socket.writableLength > this.limits.maxQueuedReplyBytes;
    while (c.queue.length > 0 && !blocked()) {
      const m = c.queue.shift()!;
      c.queuedBytes -= m.length;
      c.inFlight++;
      const done = (): void => {
        c.inFlight--;
        this.pump(c);
      };
      this.handle(c, m).then(done, (e: unknown) => {
        this.report(e); // `handle` does not reject; should it ever, the connection goes on
        done();
      });
    }
    this.account(c);
    const fault = c.reader.fault;
    if (fault !== undefined) {
      // Bytes that cannot be a message came after whole ones: answer those, then close.
      clearTimeout(c.readTimer);
      c.readTimer = undefined;
      if (!c.paused) {
        c.paused = true;
        c.socket.pause();
      }
      // Once: the socket's end() below marks it.
      if (c.queue.length === 0 && c.inFlight === 0 && !c.socket.writableEnded) {
        this.report(fault);
        c.socket.end(); // the replies already written still reach the client
      }
      return;
    }
    const stop = c.queue.length > 0 || blocked();
    if (stop && !c.paused) {
      c.paused = true;
      c.socket.pause();
      clearTimeout(c.readTimer);
      c.readTimer = undefined;
    } else if (!stop && c.paused) {
      c.paused = false;
      c.socket.resume();
    }
    if (!c.paused && c.reader.pending > 0 && c.readTimer === undefined) {
      const pending = c.reader.pending;
      c.readTimer = setTimeout(() => {
        this.closeFor(
          c,
          new ServerLimitError(
            `closed connection ${c.number}: a message was not whole within ${this.limits.readTimeoutMs} ms (readTimeoutMs) of its first byte (${Math.max(pending, c.reader.pending)} bytes had arrived); raise readTimeoutMs for slower clients`,
            'readTimeoutMs',
          ),
        );
      }, this.limits.readTimeoutMs);
      c.readTimer.unref();
    }
  }

  /** No byte either way for idleTimeoutMs: close, unless a handler is still running. */
  private onIdle(c: Connection): void {
    if (c.inFlight > 0) {
      c.socket.setTimeout(this.limits.idleTimeoutMs);
      return;
    }
    const stuck = c.queue.length > 0 || c.socket.writableLength > 0;
    this.closeFor(
      c,
      new ServerLimitError(
        `closed connection ${c.number}: no byte moved either way for ${this.limits.idleTimeoutMs} ms (idleTimeoutMs)${stuck ? ' while replies waited to be read' : ''}; raise idleTimeoutMs to keep idle connections longer`,
        'idleTimeoutMs',
      ),
    );
  }

  private send(c: Connection, bytes: Uint8Array): void {
    const socket = c.socket;
    if (socket.destroyed) return;
    const out = frame(this.transport, bytes);
    if (this.onBytes !== undefined) this.tap('sent', out, c.number);
    socket.write(out);
  }

  /** The reply's envelope form: compact has one; binary follows `strictReplies`. */
  private formFor(requestStrict: boolean, protocol: Protocol): Form {
    const s = this.options.strictReplies ?? 'same';
    return { protocol, strict: protocol === 'compact' || (s === 'same' ? requestStrict : s) };
  }

  /** The protocol of one message: its first byte's with `detectProtocol`, else `protocol`. */
  private protocolOf(bytes: Uint8Array): Protocol {
    if (this.options.detectProtocol === true) return detectProtocol(bytes);
    return this.options.protocol ?? 'binary';
  }

  /** Answers one message; never rejects (every failure becomes an answer, a report or a close). */
  private async handle(c: Connection, bytes: Uint8Array): Promise<void> {
    let head: EnvelopeHeader;
    const protocol = this.protocolOf(bytes);
    try {
      head = peekEnvelope(bytes, protocol);
    } catch (e) {
      // Not even a header: nothing to answer to, so close this connection only.
      return this.closeFor(c, e);
    }
    const form = this.formFor(head.strict, protocol);
    const fail = (type: number, text: string): undefined => {
      if (head.messageType !== MessageType.ONEWAY)
        this.send(c, this.exceptionMessage(type, text, head, form));
      return undefined;
    };
    try {
      const reply = await this.reply(head, bytes, form, fail);
      if (reply !== undefined) this.send(c, reply);
    } catch (e) {
      // A bug of ours (the handler's own failures are answered in `reply`): still one call only.
      this.report(e);
      fail(
        ApplicationExceptionType.INTERNAL_ERROR,
        `Internal error processing ${head.name}: ${describe(e)}`,
      );
    }
  }

  /** The REPLY for one call, or undefined when `fail` answered it or no answer is due. */
  private async reply(
    head: EnvelopeHeader,
    bytes: Uint8Array,
    form: Form,
    fail: (type: number, text: string) => undefined,
  ): Promise<Uint8Array | undefined> {
    const entry = this.methods.get(head.name);
    if (entry === undefined)
      return fail(ApplicationExceptionType.UNKNOWN_METHOD, `Unknown method ${head.name}`);
    if (head.messageType !== MessageType.CALL && head.messageType !== MessageType.ONEWAY) {
      return fail(
        ApplicationExceptionType.INVALID_MESSAGE_TYPE,
        `expected CALL or ONEWAY, got message type ${head.messageType}`,
      );
    }
    let message: Message;
    try {
      message = entry.module.loads.message(entry.service, bytes, {
        limits: { maxMessageSize: this.limits.maxFrameSize },
        protocol: form.protocol,
      });
    } catch (e) {
      this.report(e);
      return fail(ApplicationExceptionType.PROTOCOL_ERROR, describe(e));
    }
    const oneway = head.messageType === MessageType.ONEWAY || entry.fn.oneway;
    const Response = entry.fn.response;
    const internal = (what: string): undefined =>
      fail(
        ApplicationExceptionType.INTERNAL_ERROR,
        `Internal error processing ${head.name}: ${what}`,
      );
    let result: unknown;
    try {
      result = await this.run(entry, message.body as Record<string, unknown>);
    } catch (e) {
      if (oneway || e instanceof HandlerTimeout) {
        this.report(
          e instanceof HandlerTimeout
            ? new ServerLimitError(
                `handler for ${head.name} did not finish within ${e.ms} ms (handlerTimeoutMs); raise handlerTimeoutMs for slower handlers`,
                'handlerTimeoutMs',
              )
            : e,
        );
        if (oneway) return undefined;
        return internal(
          `the handler did not finish within ${e instanceof HandlerTimeout ? e.ms : 0} ms (handlerTimeoutMs)`,
        );
      }
      const field = Response.__spec__.fields.find(
        (f) => f.id !== 0 && f.type.kind === 'struct' && e instanceof classFor(f.type),
      );
      if (field === undefined) {
        this.report(e);
        return internal(describe(e));
      }
      try {
        return this.fitted(
          entry.module.dumps.message(new Response({ [field.name]: e }), head.seqid, form),
          head.name,
        );
      } catch (encodeError) {
        this.report(encodeError);
        return internal(
          `the declared exception ${field.name} the handler threw cannot be encoded: ${describe(encodeError)}`,
        );
      }
    }
    if (oneway) return undefined;
    try {
      const hasSuccess = Response.__spec__.fields.some((f) => f.id === 0);
      return this.fitted(
        entry.module.dumps.message(
          new Response(
            hasSuccess && result !== undefined && result !== null ? { success: result } : {},
          ),
          head.seqid,
          form,
        ),
        head.name,
      );
    } catch (e) {
      this.report(e);
      return internal(`the handler's result cannot be encoded: ${describe(e)}`);
    }
  }

  /** Runs a handler; rejects with HandlerTimeout after handlerTimeoutMs. */
  private run(entry: Registered, body: Record<string, unknown>): Promise<unknown> {
    const ms = this.limits.handlerTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new HandlerTimeout(ms)), ms);
      timer.unref(); // the server keeps the process alive, not a handler's deadline
    });
    // Promise.resolve().then: a handler that throws synchronously rejects like an async one.
    const call = Promise.resolve(body).then((b) => entry.impl(b));
    return Promise.race([call, timeout]).finally(() => clearTimeout(timer));
  }

  /** A reply as it is, or a RangeError when it is larger than maxFrameSize. */
  private fitted(reply: Uint8Array, name: string): Uint8Array {
    if (reply.length <= this.limits.maxFrameSize) return reply;
    throw new RangeError(
      `the reply to ${name} is ${reply.length} bytes, more than the frame limit (maxFrameSize) of ${this.limits.maxFrameSize}`,
    );
  }

  /** An EXCEPTION message whose text is cut to maxErrorMessageBytes and to fit maxFrameSize. */
  private exceptionMessage(
    type: number,
    text: string,
    head: EnvelopeHeader,
    form: Form,
  ): Uint8Array {
    const bare = encodeApplicationExceptionMessage(
      new TApplicationException(type, ''),
      head.name,
      head.seqid,
      form.strict,
      form.protocol,
    );
    const room = Math.max(
      0,
      Math.min(this.limits.maxErrorMessageBytes, this.limits.maxFrameSize - bare.length),
    );
    return encodeApplicationExceptionMessage(
      new TApplicationException(type, cutUtf8(text, room)),
      head.name,
      head.seqid,
      form.strict,
      form.protocol,
    );
  }
}

/** What a thrown value says, for an error message; never throws, whatever the value. */
export function describe(e: unknown): string {
  try {
    if (e instanceof Error) return String(e.message);
    return String(e);
  } catch {
    try {
      return `a thrown ${Object.prototype.toString.call(e)} without a string form`;
    } catch {
      return 'a thrown value without a string form';
    }
  }
}

const CUT_MARK = ' … (cut)';

/** `text` if it is at most `max` UTF-8 bytes, else its start (whole characters) and a mark, in `max` bytes. */
export function cutUtf8(text: string, max: number): string {
  if (Buffer.byteLength(text, 'utf8') <= max) return text;
  const mark = Buffer.byteLength(CUT_MARK) <= max ? CUT_MARK : '';
  const keep = max - Buffer.byteLength(mark);
  let s = Buffer.from(text, 'utf8').subarray(0, keep).toString('utf8');
  while (Buffer.byteLength(s, 'utf8') > keep) s = s.slice(0, -1);
  return s + mark;
}
