/**
 * A TChannel client for Thrift (`as=thrift`) on one connection: init handshake, several calls in
 * flight (matched by message id), each with its ttl, application headers both ways, args
 * fragmented over continuation frames when they do not fit one frame, ping. `call` resolves with
 * `{ result, headers }`, rejects with the declared exception the server raised (call res code
 * 0x01) or a {@link TChannelError} (an error frame's code and message; a local timeout is
 * Timeout, a lost connection NetworkError).
 */
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import type { ServiceObject, ThriftModule } from '../../../codec/src/index.js';
import type { BytesTap } from '../transport.js';
import { ChecksumType } from './checksum.js';
import { ErrorCode, TChannelError, TChannelProtocolError } from './errors.js';
import {
  ArgsAssembler,
  decodeCallFrame,
  decodeError,
  decodeInit,
  encodeCall,
  encodeError,
  encodeFrame,
  encodeInit,
  FrameReader,
  FrameType,
  frameTypeName,
  MAX_FRAME_SIZE,
  NO_ID,
  PROTOCOL_VERSION,
} from './frames.js';
import type { CallHead, Frame, Headers } from './frames.js';
import { languageHeaders } from './server.js';
import { decodeAppHeaders, encodeAppHeaders } from './thrift-args.js';

/** Client options. */
export interface TChannelClientOptions {
  /** The TChannel service name to call (default: the Thrift service's name). */
  readonly serviceName?: string;
  /** The `cn` transport header: who is calling (default `thrift-conform`). */
  readonly callerName?: string;
  /** Default ttl of a call, and the time to connect and finish the init handshake (default 10,000 ms). */
  readonly timeoutMs?: number;
  /** Checksum type of calls: 0 none, 1 crc32, 2 farmhash (as npm tchannel computes it), 3 crc32c (default 3, as npm tchannel and tchannel-py send). */
  readonly checksumType?: number;
  /** Largest frame sent or accepted (default and at most 65,535). */
  readonly maxFrameSize?: number;
  /** Most arg bytes of one answer (default 16,384,000). */
  readonly maxArgsSize?: number;
  /** `process_name` of the init req (default `thrift-conform[<pid>]`). */
  readonly processName?: string;
  /** Sees every byte sent and received (connection 1); default none. */
  readonly onBytes?: BytesTap;
}

/** Per-call options. */
export interface TChannelCallOptions {
  /** Application headers (arg2); default none. */
  readonly headers?: Headers;
  /** The ttl sent, and how long to wait (default the client's timeoutMs). */
  readonly ttlMs?: number;
  /** Extra transport headers (`sk`, `fd`, …); `as` and `cn` are always set. */
  readonly transportHeaders?: Headers;
}

/** What a call resolves with: the result (undefined for void) and the answer's application headers. */
export interface TChannelResponse {
  readonly result: unknown;
  readonly headers: Headers;
}

interface Pending {
  readonly kind: 'call' | 'ping';
  readonly resolve: (v: { head: CallHead; args: Uint8Array[] } | undefined) => void;
  readonly reject: (e: unknown) => void;
  readonly timer: NodeJS.Timeout;
  assembler?: ArgsAssembler;
  head?: CallHead;
}

/** A TChannel client bound to one Thrift service of one module on one connection. */
export class TChannelClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly reader: FrameReader;
  private closed: TChannelError | undefined;
  private ready: ((e?: Error) => void) | undefined;
  /** The init res headers of the server. */
  serverInit: Headers = {};
  /** The byte tap; may be set or cleared at any time. */
  onBytes: BytesTap | undefined;

  private constructor(
    private readonly socket: Socket,
    private readonly module: ThriftModule,
    private readonly service: ServiceObject,
    private readonly options: TChannelClientOptions,
  ) {
    this.reader = new FrameReader(options.maxFrameSize ?? MAX_FRAME_SIZE);
    this.onBytes = options.onBytes;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (e) =>
      this.fail(new TChannelError(ErrorCode.NetworkError, `connection failed: ${e.message}`)),
    );
    socket.on('close', () =>
      this.fail(new TChannelError(ErrorCode.NetworkError, 'connection closed by the server')),
    );
  }

  /**
   * Connects to `host:port` and completes the init handshake. Rejects with TChannelError
   * (Timeout) when that takes longer than `options.timeoutMs` (default 10,000 ms), or with the
   * error that ended it (a refused connection, a fatal error frame, a bad init res).
   */
  static async connect(
    module: ThriftModule,
    service: ServiceObject,
    port: number,
    host = '127.0.0.1',
    options: TChannelClientOptions = {},
  ): Promise<TChannelClient> {
    const ms = options.timeoutMs ?? 10_000;
    const socket = connect({ port, host });
    const client = await new Promise<TChannelClient>((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.destroy();
        reject(
          new TChannelError(
            ErrorCode.Timeout,
            `could not connect to ${host}:${port} and finish the init handshake within ${ms} ms`,
          ),
        );
      }, ms);
      socket.once('error', (e) => {
        clearTimeout(timer);
        reject(
          new TChannelError(
            ErrorCode.NetworkError,
            `could not connect to ${host}:${port}: ${e.message}`,
          ),
        );
      });
      socket.once('connect', () => {
        const c = new TChannelClient(socket, module, service, options);
        c.ready = (e) => {
          clearTimeout(timer);
          c.ready = undefined;
          if (e === undefined) resolve(c);
          else {
            socket.destroy();
            reject(e);
          }
        };
        c.write(
          encodeFrame(
            FrameType.InitReq,
            0,
            encodeInit({
              version: PROTOCOL_VERSION,
              headers: {
                host_port: '0.0.0.0:0',
                process_name: options.processName ?? `thrift-conform[${process.pid}]`,
                ...languageHeaders(),
              },
            }),
          ),
        );
      });
    });
    return client;
  }

  private write(bytes: Uint8Array): void {
    this.onBytes?.('sent', bytes, 1);
    this.socket.write(bytes);
  }

  /**
   * Calls `method` with `args` (its fields by name). Resolves with `{ result, headers }`
   * (result undefined for void); rejects with the declared exception instance, a TChannelError
   * (error frame, Timeout after the ttl, NetworkError), or Error for an unknown method.
   */
  async call(
    method: string,
    args: Record<string, unknown> = {},
    options: TChannelCallOptions = {},
  ): Promise<TChannelResponse> {
    const fn = this.service.__functions__.get(method);
    if (fn === undefined) throw new Error(`${this.service.__name__} has no method '${method}'`);
    const arg3 = this.module.dumps(new fn.request(args));
    const endpoint = `${this.service.__name__}::${method}`;
    const ttl = options.ttlMs ?? this.options.timeoutMs ?? 10_000;
    const answer = await this.send(
      endpoint,
      encodeAppHeaders(options.headers ?? {}),
      arg3,
      ttl,
      options.transportHeaders,
    );
    const { head, args: out } = answer!;
    const headers = decodeAppHeaders(out[1]!);
    const body = this.module.loads(fn.response, out[2]!) as Record<string, unknown>;
    if (head.code !== 0) {
      for (const f of fn.response.__spec__.fields)
        if (f.id !== 0 && body[f.name] !== undefined) throw body[f.name];
      throw new TChannelError(
        ErrorCode.UnexpectedError,
        `${endpoint}: call res code ${head.code} (application error) without a declared exception set`,
      );
    }
    return { result: body.success, headers };
  }

  /**
   * Sends raw args (arg1 = `endpoint`, arg2, arg3) with ttl `ttlMs` and resolves with the
   * answer's head and args: for callers that handle the arg scheme themselves. Waits `waitMs`
   * (default `ttlMs`) for the answer. Rejects like `call`, and with RangeError or
   * UnsupportedChecksumError when the call cannot be written (a header too long, a bad checksum
   * type).
   */
  send(
    endpoint: string,
    arg2: Uint8Array,
    arg3: Uint8Array,
    ttlMs: number,
    transportHeaders: Headers = {},
    waitMs = ttlMs,
  ): Promise<{ head: CallHead; args: Uint8Array[] } | undefined> {
    if (this.closed) return Promise.reject(this.closed);
    const id = this.takeId();
    let frames: Uint8Array[];
    try {
      frames = encodeCall(
        {
          kind: 'req',
          ttl: ttlMs,
          service: this.options.serviceName ?? this.service.__name__,
          headers: {
            ...transportHeaders,
            as: 'thrift',
            cn: this.options.callerName ?? 'thrift-conform',
            re: transportHeaders.re ?? 'c',
          },
          checksumType: this.options.checksumType ?? ChecksumType.Crc32c,
        },
        id,
        [Buffer.from(endpoint, 'utf8'), arg2, arg3],
        this.options.maxFrameSize ?? MAX_FRAME_SIZE,
      );
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(
          new TChannelError(
            ErrorCode.Timeout,
            `${endpoint} (id ${id}) got no answer within ${waitMs} ms`,
            id,
          ),
        );
      }, waitMs);
      this.pending.set(id, { kind: 'call', resolve, reject, timer });
      for (const f of frames) this.write(f);
    });
  }

  /** Sends a ping req; resolves when the ping res arrives, rejects with TChannelError (Timeout after `timeoutMs`, default the client's). */
  async ping(timeoutMs?: number): Promise<void> {
    if (this.closed) throw this.closed;
    const id = this.takeId();
    const ms = timeoutMs ?? this.options.timeoutMs ?? 10_000;
    await new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(
          new TChannelError(
            ErrorCode.Timeout,
            `ping (id ${id}) got no ping res within ${ms} ms`,
            id,
          ),
        );
      }, ms);
      this.pending.set(id, { kind: 'ping', resolve, reject, timer });
      this.write(encodeFrame(FrameType.PingReq, id, new Uint8Array(0)));
    });
  }

  private takeId(): number {
    const id = this.nextId;
    this.nextId = this.nextId >= 0xfffffffe ? 1 : this.nextId + 1;
    return id;
  }

  /** Number of calls and pings waiting for answers. */
  get inFlight(): number {
    return this.pending.size;
  }

  /** Closes the connection; waiting calls reject with TChannelError NetworkError. */
  close(): void {
    this.fail(new TChannelError(ErrorCode.NetworkError, 'client closed'));
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.onBytes?.('received', chunk, 1);
    try {
      for (const f of this.reader.push(chunk)) this.onFrame(f);
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      if (e instanceof TChannelProtocolError)
        this.write(
          encodeFrame(
            FrameType.Error,
            e.id ?? NO_ID,
            encodeError(ErrorCode.FatalProtocolError, err.message),
          ),
        );
      if (this.ready) this.ready(err);
      this.fail(
        new TChannelError(
          ErrorCode.FatalProtocolError,
          `the server's bytes break the protocol: ${err.message}`,
        ),
      );
      this.socket.destroy();
    }
  }

  private onFrame(f: Frame): void {
    if (this.ready !== undefined) {
      if (f.type === FrameType.Error) {
        const err = decodeError(f.payload, f.id);
        return this.ready(
          new TChannelError(err.code, `the server refused the init req: ${err.message}`),
        );
      }
      if (f.type !== FrameType.InitRes)
        throw new TChannelProtocolError(
          `expected an init res, got ${frameTypeName(f.type)} (id ${f.id})`,
          f.id,
        );
      const init = decodeInit(f.payload, f.type, f.id);
      if (init.version !== PROTOCOL_VERSION)
        throw new TChannelProtocolError(
          `init res selects protocol version ${init.version}; we speak version 2`,
          f.id,
        );
      this.serverInit = init.headers;
      return this.ready();
    }
    switch (f.type) {
      case FrameType.CallRes:
      case FrameType.CallResContinue:
        return this.onCallRes(f);
      case FrameType.PingRes: {
        const p = this.pending.get(f.id);
        if (p?.kind !== 'ping') return;
        this.settle(f.id, p);
        return p.resolve(undefined);
      }
      case FrameType.PingReq:
        return this.write(encodeFrame(FrameType.PingRes, f.id, new Uint8Array(0)));
      case FrameType.Error: {
        const err = decodeError(f.payload, f.id);
        const p = this.pending.get(f.id);
        if (p !== undefined) {
          this.settle(f.id, p);
          return p.reject(new TChannelError(err.code, err.message, f.id));
        }
        if (f.id === NO_ID || err.code === ErrorCode.FatalProtocolError) {
          this.fail(new TChannelError(err.code, err.message));
          this.socket.destroy();
        }
        return;
      }
      case FrameType.CallReq:
        // We serve nothing on a client connection.
        this.write(
          encodeFrame(
            FrameType.Error,
            f.id,
            encodeError(ErrorCode.Declined, 'this is a client connection; it serves no calls'),
          ),
        );
        return;
      case FrameType.CallReqContinue:
      case FrameType.Cancel:
      case FrameType.Claim:
        return;
      default:
        throw new TChannelProtocolError(
          `a client does not take a ${frameTypeName(f.type)} frame (id ${f.id})`,
          f.id,
        );
    }
  }

  private onCallRes(f: Frame): void {
    const frame = decodeCallFrame(f.payload, f.type, f.id);
    const p = this.pending.get(f.id);
    if (p?.kind !== 'call') return; // late, after a timeout
    if (f.type === FrameType.CallRes) {
      if (p.assembler !== undefined)
        throw new TChannelProtocolError(`a second call res for id ${f.id}`, f.id);
      p.head = frame.head!;
      p.assembler = new ArgsAssembler(this.options.maxArgsSize ?? 16_384_000);
    } else if (p.assembler === undefined) {
      throw new TChannelProtocolError(`call res continue for id ${f.id} before its call res`, f.id);
    }
    let args: Uint8Array[] | undefined;
    try {
      args = p.assembler.add(frame, `${frameTypeName(f.type)} id ${f.id}`);
    } catch (e) {
      this.settle(f.id, p);
      return p.reject(
        new TChannelError(
          ErrorCode.BadRequest,
          `the answer cannot be accepted: ${(e as Error).message}`,
          f.id,
        ),
      );
    }
    if (args === undefined) return;
    this.settle(f.id, p);
    p.resolve({ head: p.head!, args });
  }

  private settle(id: number, p: Pending): void {
    clearTimeout(p.timer);
    this.pending.delete(id);
  }

  private fail(e: TChannelError): void {
    this.closed ??= e;
    if (this.ready) this.ready(e);
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(e);
      this.pending.delete(id);
    }
  }
}
