/**
 * A TChannel server for Thrift (`as=thrift`): handlers registered per Thrift service as with
 * ThriftServer (`register(module, Service, handler)`), served under one TChannel service name.
 * Each call's endpoint is arg1 `Service::method`; its handler gets the args struct and a
 * {@link TChannelRequest} (application and transport headers, caller name, ttl, a deadline and an
 * AbortSignal) and returns the result or throws a declared exception (answered with code 0x01
 * and that exception's field of the result struct). Everything else is an error frame:
 * BadRequest (0x06) for an unknown service or endpoint, args that do not decode or a checksum
 * that does not match; UnexpectedError (0x05) for any other handler failure; Timeout (0x01)
 * when the ttl runs out; Busy (0x03) past `maxInFlight`; Cancelled (0x02) after a cancel frame.
 *
 * Bytes that break the protocol (a frame too short or too large, a size larger than what is left,
 * an unknown frame type, a call before init) are answered with a fatal error frame (0xFF) and
 * close only their connection. Limits: TCHANNEL_SERVER_DEFAULTS, docs/rpc-limits.md.
 */
import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { classFor } from '../../../codec/src/index.js';
import type { ServiceFunction, ServiceObject, ThriftModule } from '../../../codec/src/index.js';
import { admitConnection, describe, ServerLimitError } from '../server.js';
import type { BytesTap } from '../transport.js';
import { ErrorCode, TChannelProtocolError } from './errors.js';
import {
  ArgsAssembler,
  ArgsError,
  decodeCallFrame,
  decodeCancel,
  decodeInit,
  encodeCall,
  encodeError,
  encodeFrame,
  encodeInit,
  FrameReader,
  FrameType,
  frameTypeName,
  MAX_FRAME_SIZE,
  MORE_FRAGMENTS,
  NO_ID,
  PROTOCOL_VERSION,
} from './frames.js';
import type { CallHead, Frame, Headers } from './frames.js';
import { decodeAppHeaders, encodeAppHeaders } from './thrift-args.js';

/** What a handler is told about its call, besides the args. */
export interface TChannelRequest {
  /** The message id of the call on its connection. */
  readonly id: number;
  /** The TChannel service name the caller asked for. */
  readonly service: string;
  /** arg1: `Service::method`. */
  readonly endpoint: string;
  /** The Thrift method name. */
  readonly method: string;
  /** The application headers (arg2). */
  readonly headers: Readonly<Headers>;
  /** The transport headers of the call req (`as`, `cn`, `re`, …). */
  readonly transportHeaders: Readonly<Headers>;
  /** The `cn` transport header ('' when absent). */
  readonly callerName: string;
  /** The ttl the caller sent, in ms. */
  readonly ttlMs: number;
  /** When the call must be answered (ms since the epoch): ttl, capped by handlerTimeoutMs. */
  readonly deadline: number;
  /** Aborted when the deadline passes, the caller cancels, or the connection closes. */
  readonly signal: AbortSignal;
  /** Application headers to send back with the answer: the handler may set them. */
  readonly responseHeaders: Headers;
}

/** One function per method name, given the args struct and the request. */
export type TChannelHandler = Record<
  string,
  (args: Record<string, unknown>, request: TChannelRequest) => unknown
>;

/** The limits of a TChannel server; each is an option of {@link TChannelServerOptions}. */
export interface TChannelServerLimits {
  /** Largest frame accepted (default and at most 65,535, the protocol's). */
  readonly maxFrameSize: number;
  /** Most arg bytes (arg1 + arg2 + arg3, over all its frames) of one call (default 16,384,000). */
  readonly maxArgsSize: number;
  /** Connections open at once; more are closed as they arrive (default 1,024). */
  readonly maxConnections: number;
  /** Calls of one connection received or running at once; past it a call is answered Busy (default 64). */
  readonly maxInFlight: number;
  /** A connection with no call running and no byte moving either way for this long is closed (default 120,000 ms). */
  readonly idleTimeoutMs: number;
  /** While bytes of an unfinished frame or call are held, a whole frame must arrive at least this often (default 30,000 ms). */
  readonly readTimeoutMs: number;
  /** The longest a handler may run, whatever the ttl (default 60,000 ms); then Timeout. */
  readonly handlerTimeoutMs: number;
  /** Bytes of unfinished frames and calls the whole server holds (default 256 MiB). */
  readonly maxBufferedBytes: number;
}

/** The documented defaults of {@link TChannelServerLimits} (docs/rpc-limits.md). */
export const TCHANNEL_SERVER_DEFAULTS: TChannelServerLimits = Object.freeze({
  maxFrameSize: MAX_FRAME_SIZE,
  maxArgsSize: 16_384_000,
  maxConnections: 1024,
  maxInFlight: 64,
  idleTimeoutMs: 120_000,
  readTimeoutMs: 30_000,
  handlerTimeoutMs: 60_000,
  maxBufferedBytes: 256 * 1024 * 1024,
});

/** Server options: the TChannel service name, and the limits (each optional). */
export interface TChannelServerOptions extends Partial<TChannelServerLimits> {
  /** The TChannel service name calls must name (required). */
  readonly serviceName: string;
  /** `process_name` of the init res (default `thrift-conform[<pid>]`). */
  readonly processName?: string;
  /** Called for every connection-level problem and every call answered with an error frame; default ignore. Never breaks the server. */
  readonly onError?: (error: unknown) => void;
  /** Sees every byte sent and received, by connection (1, 2, …); default none. */
  readonly onBytes?: BytesTap;
}

interface Endpoint {
  readonly module: ThriftModule;
  readonly service: ServiceObject;
  readonly fn: ServiceFunction;
  readonly impl: (args: Record<string, unknown>, request: TChannelRequest) => unknown;
}

interface Incoming {
  readonly head: CallHead;
  /** The checksum type of the call, which its answer uses too (as npm tchannel does). */
  readonly checksumType: number;
  readonly assembler: ArgsAssembler;
}

interface Connection {
  readonly socket: Socket;
  readonly number: number;
  readonly reader: FrameReader;
  ready: boolean;
  /** Calls whose frames are still arriving. */
  readonly incoming: Map<number, Incoming>;
  /** Calls being handled, by id. */
  readonly running: Map<number, AbortController>;
  /** Ids whose remaining fragments are dropped (their call was already answered with an error). */
  readonly skipping: Set<number>;
  held: number;
  readTimer: NodeJS.Timeout | undefined;
  closing: boolean;
}

/** The version string we send as `tchannel_version`. */
const OUR_VERSION = '1.0.0';

/** The language headers of our init req / res. */
export function languageHeaders(): Headers {
  return {
    tchannel_language: 'typescript',
    tchannel_language_version: process.version,
    tchannel_version: OUR_VERSION,
  };
}

/** Thrown by the race in `run` when the deadline passes. */
class Deadline {
  constructor(readonly why: string) {}
}

/** A TChannel server for Thrift; `listen` resolves with the port. */
export class TChannelServer {
  private readonly endpoints = new Map<string, Endpoint>();
  private readonly connections = new Map<Socket, Connection>();
  private connectionCount = 0;
  private buffered = 0;
  private server: Server | undefined;
  private hostPort = '0.0.0.0:0';
  /** The limits in force (the options over TCHANNEL_SERVER_DEFAULTS). */
  readonly limits: TChannelServerLimits;
  /** The byte tap; may be set or cleared at any time. */
  onBytes: BytesTap | undefined;

  /**
   * Creates a server for TChannel service `options.serviceName`. Throws RangeError for a
   * missing service name or a limit that is not a positive integer (maxFrameSize: 64 to 65,535).
   */
  constructor(private readonly options: TChannelServerOptions) {
    if (typeof options.serviceName !== 'string' || options.serviceName === '')
      throw new RangeError('TChannelServer needs a serviceName (the TChannel service calls name)');
    const limits: Record<string, number> = { ...TCHANNEL_SERVER_DEFAULTS };
    for (const key of Object.keys(TCHANNEL_SERVER_DEFAULTS) as (keyof TChannelServerLimits)[]) {
      const v = options[key];
      if (v === undefined) continue;
      if (!Number.isSafeInteger(v) || v <= 0)
        throw new RangeError(`server option ${key} must be a positive integer, got ${String(v)}`);
      limits[key] = v;
    }
    if (limits.maxFrameSize! < 64 || limits.maxFrameSize! > MAX_FRAME_SIZE)
      throw new RangeError(
        `server option maxFrameSize must be 64 to 65,535, got ${limits.maxFrameSize}`,
      );
    this.limits = Object.freeze(limits as unknown as TChannelServerLimits);
    this.onBytes = options.onBytes;
  }

  /**
   * Registers `handler` for Thrift service `service` of `module`: one endpoint
   * `Service::method` per method, inherited ones included (registered under `service`'s name,
   * as thrift.md asks). Throws Error naming a method without a function or already registered.
   */
  register(module: ThriftModule, service: ServiceObject, handler: TChannelHandler): this {
    for (const [name, fn] of service.__functions__) {
      const impl = handler[name];
      if (typeof impl !== 'function')
        throw new Error(
          `handler for ${service.__name__} has no function '${name}'; give one for every method`,
        );
      const endpoint = `${service.__name__}::${name}`;
      if (this.endpoints.has(endpoint))
        throw new Error(`endpoint ${endpoint} is already registered`);
      this.endpoints.set(endpoint, { module, service, fn, impl: impl.bind(handler) });
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
    const a = server.address() as AddressInfo;
    this.hostPort = `${a.address.includes(':') ? `[${a.address}]` : a.address}:${a.port}`;
    return a.port;
  }

  /** Stops listening and closes every connection (running handlers are aborted). */
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

  /** Bytes of unfinished frames and calls held over every connection. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  private report(e: unknown): void {
    try {
      this.options.onError?.(e);
    } catch {
      // a callback never breaks the server
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
      reader: new FrameReader(this.limits.maxFrameSize),
      ready: false,
      incoming: new Map(),
      running: new Map(),
      skipping: new Set(),
      held: 0,
      readTimer: undefined,
      closing: false,
    };
    this.connections.set(socket, c);
    socket.setNoDelay(true);
    socket.setTimeout(this.limits.idleTimeoutMs);
    socket.on('timeout', () => this.onIdle(c));
    socket.on('close', () => this.drop(c));
    socket.on('data', (chunk: Buffer) => this.onData(c, chunk));
  }

  private drop(c: Connection): void {
    clearTimeout(c.readTimer);
    c.readTimer = undefined;
    this.buffered -= c.held;
    c.held = 0;
    c.incoming.clear();
    for (const a of c.running.values()) a.abort(new Error('the connection closed'));
    c.running.clear();
    this.connections.delete(c.socket);
    c.socket.destroy();
  }

  private onIdle(c: Connection): void {
    if (c.running.size > 0) {
      c.socket.setTimeout(this.limits.idleTimeoutMs);
      return;
    }
    this.report(
      new ServerLimitError(
        `closed connection ${c.number}: no byte moved either way for ${this.limits.idleTimeoutMs} ms (idleTimeoutMs); raise idleTimeoutMs to keep idle connections longer`,
        'idleTimeoutMs',
      ),
    );
    this.drop(c);
  }

  private write(c: Connection, bytes: Uint8Array): void {
    if (c.socket.destroyed || c.closing) return;
    if (this.onBytes !== undefined) {
      try {
        this.onBytes('sent', bytes, c.number);
      } catch (e) {
        this.report(e);
      }
    }
    c.socket.write(bytes);
  }

  /** Answers message `id` with an error frame (and reports why). */
  private sendError(c: Connection, id: number, code: number, message: string): void {
    this.write(c, encodeFrame(FrameType.Error, id, encodeError(code, message)));
  }

  /** A fatal protocol error: an error frame 0xFF, then the connection closes (only this one). */
  private fatal(c: Connection, e: unknown): void {
    this.report(e);
    const id = e instanceof TChannelProtocolError && e.id !== undefined ? e.id : NO_ID;
    this.sendError(c, id, ErrorCode.FatalProtocolError, describe(e));
    c.closing = true;
    c.socket.end();
    const t = setTimeout(() => this.drop(c), 1000);
    t.unref();
    this.buffered -= c.held;
    c.held = 0;
    this.connections.delete(c.socket);
  }

  private onData(c: Connection, chunk: Buffer): void {
    if (c.closing || !this.connections.has(c.socket)) return;
    if (this.onBytes !== undefined) {
      try {
        this.onBytes('received', chunk, c.number);
      } catch (e) {
        this.report(e);
      }
    }
    if (this.buffered + chunk.length > this.limits.maxBufferedBytes) {
      this.report(
        new ServerLimitError(
          `closed connection ${c.number}: the server holds ${this.buffered} bytes of unfinished frames and calls and ${chunk.length} more would pass the limit (maxBufferedBytes) of ${this.limits.maxBufferedBytes}; raise maxBufferedBytes to hold more`,
          'maxBufferedBytes',
        ),
      );
      return this.drop(c);
    }
    try {
      const frames = c.reader.push(chunk);
      // A whole frame is progress: the read clock starts again for what is still unfinished.
      if (frames.length > 0) {
        clearTimeout(c.readTimer);
        c.readTimer = undefined;
      }
      for (const f of frames) {
        this.onFrame(c, f);
        if (c.closing) return;
      }
    } catch (e) {
      return this.fatal(c, e);
    }
    this.account(c);
  }

  /** Brings the server's total of held bytes up to date; (re)starts the read clock. */
  private account(c: Connection): void {
    let held = c.reader.pending;
    for (const m of c.incoming.values()) held += m.assembler.size;
    this.buffered += held - c.held;
    c.held = held;
    if (held === 0) {
      clearTimeout(c.readTimer);
      c.readTimer = undefined;
    } else if (c.readTimer === undefined) {
      c.readTimer = setTimeout(() => {
        this.report(
          new ServerLimitError(
            `closed connection ${c.number}: no whole frame arrived for ${this.limits.readTimeoutMs} ms (readTimeoutMs) while ${c.held} bytes of an unfinished frame or call were held; raise readTimeoutMs for slower clients`,
            'readTimeoutMs',
          ),
        );
        this.drop(c);
      }, this.limits.readTimeoutMs);
      c.readTimer.unref();
    }
  }

  private onFrame(c: Connection, f: Frame): void {
    if (!c.ready) {
      if (f.type !== FrameType.InitReq)
        throw new TChannelProtocolError(
          `expected an init req (0x01) as the first frame of the connection, got ${frameTypeName(f.type)} (id ${f.id}); send init req first`,
          f.id,
        );
      const init = decodeInit(f.payload, f.type, f.id);
      if (init.version !== PROTOCOL_VERSION)
        throw new TChannelProtocolError(
          `init req asks for protocol version ${init.version}; this server speaks version 2`,
          f.id,
        );
      for (const h of ['host_port', 'process_name'])
        if (init.headers[h] === undefined)
          throw new TChannelProtocolError(
            `init req has no ${h} header; version 2 requires host_port and process_name`,
            f.id,
          );
      c.ready = true;
      this.write(
        c,
        encodeFrame(
          FrameType.InitRes,
          f.id,
          encodeInit({
            version: PROTOCOL_VERSION,
            headers: {
              host_port: this.hostPort,
              process_name: this.options.processName ?? `thrift-conform[${process.pid}]`,
              ...languageHeaders(),
            },
          }),
        ),
      );
      return;
    }
    switch (f.type) {
      case FrameType.CallReq:
        return this.onCallReq(c, f);
      case FrameType.CallReqContinue:
        return this.onContinue(c, f);
      case FrameType.PingReq:
        return this.write(c, encodeFrame(FrameType.PingRes, f.id, new Uint8Array(0)));
      case FrameType.PingRes:
      case FrameType.Claim:
        return;
      case FrameType.Cancel:
        return this.onCancel(c, f);
      case FrameType.Error:
        this.report(new Error(`the client sent an error frame for id ${f.id}`));
        return;
      default:
        throw new TChannelProtocolError(
          `a server does not take a ${frameTypeName(f.type)} frame (id ${f.id}) after init; it takes call req, call req continue, cancel, claim and ping req`,
          f.id,
        );
    }
  }

  private onCallReq(c: Connection, f: Frame): void {
    if (c.incoming.has(f.id) || c.running.has(f.id) || c.skipping.has(f.id))
      throw new TChannelProtocolError(
        `call req id ${f.id} is already in use on this connection; use a new id per call`,
        f.id,
      );
    const frame = decodeCallFrame(f.payload, f.type, f.id);
    const head = frame.head!;
    const refuse = (code: number, message: string): void => {
      this.report(new Error(`call ${f.id} refused: ${message}`));
      this.sendError(c, f.id, code, message);
      if (frame.flags & MORE_FRAGMENTS) c.skipping.add(f.id);
    };
    if (c.incoming.size + c.running.size >= this.limits.maxInFlight)
      return refuse(
        ErrorCode.Busy,
        `${c.incoming.size + c.running.size} calls are in flight on this connection, the limit (maxInFlight) is ${this.limits.maxInFlight}; retry later or raise maxInFlight`,
      );
    const m: Incoming = {
      head,
      checksumType: frame.checksumType,
      assembler: new ArgsAssembler(this.limits.maxArgsSize),
    };
    c.incoming.set(f.id, m);
    this.take(c, f.id, m, frame, 'call req');
  }

  private onContinue(c: Connection, f: Frame): void {
    const frame = decodeCallFrame(f.payload, f.type, f.id);
    if (c.skipping.has(f.id)) {
      if (!(frame.flags & MORE_FRAGMENTS)) c.skipping.delete(f.id);
      return;
    }
    const m = c.incoming.get(f.id);
    if (m === undefined)
      throw new TChannelProtocolError(
        `call req continue for id ${f.id}, which has no call req waiting for more fragments`,
        f.id,
      );
    this.take(c, f.id, m, frame, 'call req continue');
  }

  /** Adds one frame's args; dispatches the call when it is whole. */
  private take(
    c: Connection,
    id: number,
    m: Incoming,
    frame: ReturnType<typeof decodeCallFrame>,
    what: string,
  ): void {
    let args: Uint8Array[] | undefined;
    try {
      args = m.assembler.add(frame, `${what} id ${id}`);
    } catch (e) {
      if (!(e instanceof ArgsError)) throw e;
      c.incoming.delete(id);
      this.report(e);
      this.sendError(c, id, ErrorCode.BadRequest, e.message);
      if (frame.flags & MORE_FRAGMENTS) c.skipping.add(id);
      return;
    }
    if (args === undefined) return;
    c.incoming.delete(id);
    const controller = new AbortController();
    c.running.set(id, controller);
    void this.dispatch(c, id, m, args, controller).finally(() => {
      // A cancelled call's id may already serve a new call: forget only this one.
      if (c.running.get(id) === controller) c.running.delete(id);
    });
  }

  private onCancel(c: Connection, f: Frame): void {
    const body = decodeCancel(f.payload, f.id);
    const controller = c.running.get(f.id);
    if (controller === undefined) return; // already answered: the answer and the cancel crossed
    c.running.delete(f.id);
    controller.abort(new Error(`cancelled by the caller: ${body.why}`));
    this.sendError(c, f.id, ErrorCode.Cancelled, `call ${f.id} was cancelled: ${body.why}`);
  }

  /** Handles one whole call; never rejects. */
  private async dispatch(
    c: Connection,
    id: number,
    m: Incoming,
    args: Uint8Array[],
    controller: AbortController,
  ): Promise<void> {
    const head = m.head;
    const fail = (code: number, message: string): void => {
      if (c.running.get(id) !== controller) return; // cancelled, or the connection closed
      this.report(new Error(`call ${id}: ${message}`));
      this.sendError(c, id, code, message);
    };
    try {
      const as = head.headers.as;
      if (as !== 'thrift')
        return fail(
          ErrorCode.BadRequest,
          `transport header as is ${as === undefined ? 'missing' : `'${as}'`}; this server speaks as=thrift`,
        );
      if (head.service !== this.options.serviceName)
        return fail(
          ErrorCode.BadRequest,
          `no service '${head.service}' here; this server is '${this.options.serviceName}'`,
        );
      const endpointName = Buffer.from(args[0]!).toString('utf8');
      const endpoint = this.endpoints.get(endpointName);
      if (endpoint === undefined)
        return fail(
          ErrorCode.BadRequest,
          `no endpoint '${endpointName}' in service '${head.service}' (arg1 is Service::method; known: ${[...this.endpoints.keys()].join(', ') || 'none'})`,
        );
      let appHeaders: Headers;
      let body: Record<string, unknown>;
      try {
        appHeaders = decodeAppHeaders(args[1]!);
        body = endpoint.module.loads(endpoint.fn.request, args[2]!, {
          limits: { maxMessageSize: this.limits.maxArgsSize },
        }) as Record<string, unknown>;
      } catch (e) {
        return fail(
          ErrorCode.BadRequest,
          `${endpointName}: the args do not decode: ${describe(e)}`,
        );
      }
      const ttlMs = head.ttl;
      const limitMs =
        ttlMs === 0 ? this.limits.handlerTimeoutMs : Math.min(ttlMs, this.limits.handlerTimeoutMs);
      const request: TChannelRequest = {
        id,
        service: head.service,
        endpoint: endpointName,
        method: endpoint.fn.name,
        headers: appHeaders,
        transportHeaders: head.headers,
        callerName: head.headers.cn ?? '',
        ttlMs,
        deadline: Date.now() + limitMs,
        signal: controller.signal,
        responseHeaders: {},
      };
      const why =
        ttlMs !== 0 && ttlMs <= this.limits.handlerTimeoutMs
          ? `${endpointName} did not finish within its ttl of ${ttlMs} ms`
          : `${endpointName} did not finish within ${limitMs} ms (handlerTimeoutMs); raise handlerTimeoutMs for slower handlers`;
      let result: unknown;
      let thrown: { e: unknown } | undefined;
      try {
        result = await this.run(endpoint, body, request, limitMs, why, controller);
      } catch (e) {
        if (e instanceof Deadline) return fail(ErrorCode.Timeout, e.why);
        thrown = { e };
      }
      if (c.running.get(id) !== controller) return;
      const Response = endpoint.fn.response;
      let arg3: Uint8Array;
      let code = 0;
      try {
        if (thrown !== undefined) {
          const field = Response.__spec__.fields.find(
            (f) => f.id !== 0 && f.type.kind === 'struct' && thrown.e instanceof classFor(f.type),
          );
          if (field === undefined)
            return fail(ErrorCode.UnexpectedError, `${endpointName} failed: ${describe(thrown.e)}`);
          code = 1;
          arg3 = endpoint.module.dumps(new Response({ [field.name]: thrown.e }));
        } else {
          const hasSuccess = Response.__spec__.fields.some((f) => f.id === 0);
          arg3 = endpoint.module.dumps(
            new Response(
              hasSuccess && result !== undefined && result !== null ? { success: result } : {},
            ),
          );
        }
      } catch (e) {
        return fail(
          ErrorCode.UnexpectedError,
          `${endpointName}: the ${code === 1 ? 'declared exception' : 'result'} cannot be encoded: ${describe(e)}`,
        );
      }
      const frames = encodeCall(
        { kind: 'res', code, headers: { as: 'thrift' }, checksumType: m.checksumType },
        id,
        [new Uint8Array(0), encodeAppHeaders(request.responseHeaders), arg3],
        this.limits.maxFrameSize,
      );
      c.running.delete(id);
      for (const f of frames) this.write(c, f);
    } catch (e) {
      fail(ErrorCode.UnexpectedError, `internal error: ${describe(e)}`);
    }
  }

  /** Runs a handler; rejects with Deadline when `ms` pass (and aborts its signal). */
  private run(
    endpoint: Endpoint,
    body: Record<string, unknown>,
    request: TChannelRequest,
    ms: number,
    why: string,
    controller: AbortController,
  ): Promise<unknown> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort(new Error(why));
        reject(new Deadline(why));
      }, ms);
      timer.unref();
    });
    const call = Promise.resolve(body).then((b) => endpoint.impl(b, request));
    return Promise.race([call, deadline]).finally(() => clearTimeout(timer));
  }
}
