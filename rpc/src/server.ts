/**
 * An envelope RPC server over TCP. Handlers are registered per service (the seed's
 * `register(Service, handler)` idea): an object with one (sync or async) function per method,
 * called with the request struct; what it returns becomes `success`; a thrown instance of a
 * declared exception becomes that exception's field of the REPLY. Anything else is answered with
 * an EXCEPTION message: TApplicationException UNKNOWN_METHOD for a method no service has,
 * INTERNAL_ERROR for a handler crash, PROTOCOL_ERROR for a body that does not decode. A malformed
 * or oversized frame closes only its connection; other connections keep being served.
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
  ServiceFunction,
  ServiceObject,
  ThriftModule,
} from '../../codec/src/index.js';
import type { BytesTap, TransportKind } from './transport.js';
import { DEFAULT_MAX_FRAME_SIZE, frame, MessageReader } from './transport.js';

/** A handler: one function per method name, given the request struct (its fields are the arguments). */
export type Handler = Record<string, (request: Record<string, unknown>) => unknown>;

/** Server options. */
export interface ServerOptions {
  /** framed (default) or buffered. */
  readonly transport?: TransportKind;
  /** Reply with a strict header: `'same'` as the request (default), or always true / false. */
  readonly strictReplies?: boolean | 'same';
  /** Largest frame or message accepted (default 16,384,000). */
  readonly maxFrameSize?: number;
  /** Called for every connection-level problem (bad frame, socket error); default: ignore. */
  readonly onError?: (error: unknown) => void;
  /** Sees every byte sent and received, by connection (1, 2, … in order of arrival); default none. */
  readonly onBytes?: BytesTap;
}

interface Registered {
  readonly module: ThriftModule;
  readonly service: ServiceObject;
  readonly fn: ServiceFunction;
  readonly impl: (request: Record<string, unknown>) => unknown;
}

/** A Thrift server; `listen` resolves with the port. */
export class ThriftServer {
  private readonly methods = new Map<string, Registered>();
  /** Open connections and their numbers (for the byte tap). */
  private readonly sockets = new Map<Socket, number>();
  private connections = 0;
  private server: Server | undefined;
  private readonly transport: TransportKind;
  private readonly maxFrameSize: number;
  /** The byte tap (initially `options.onBytes`); may be set or cleared at any time. */
  onBytes: BytesTap | undefined;

  /** Creates a server (framed transport, replies as strict as requests, 16,384,000-byte frames). */
  constructor(private readonly options: ServerOptions = {}) {
    this.transport = options.transport ?? 'framed';
    this.maxFrameSize = options.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE;
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
    return (server.address() as AddressInfo).port;
  }

  /** Stops listening and closes every connection. */
  async close(): Promise<void> {
    for (const s of this.sockets.keys()) s.destroy();
    const server = this.server;
    if (server === undefined) return;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private serve(socket: Socket): void {
    const connection = ++this.connections;
    this.sockets.set(socket, connection);
    socket.setNoDelay(true);
    const reader = new MessageReader(this.transport, this.maxFrameSize);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', (e) => this.options.onError?.(e));
    socket.on('data', (chunk: Buffer) => {
      this.onBytes?.('received', chunk, connection);
      let messages: Uint8Array[];
      try {
        messages = reader.push(chunk);
      } catch (e) {
        this.options.onError?.(e);
        socket.destroy();
        return;
      }
      for (const m of messages) void this.handle(socket, m);
    });
  }

  private send(socket: Socket, bytes: Uint8Array): void {
    if (socket.destroyed) return;
    const out = frame(this.transport, bytes);
    if (this.onBytes !== undefined) this.onBytes('sent', out, this.sockets.get(socket) ?? 0);
    socket.write(out);
  }

  private strictFor(requestStrict: boolean): boolean {
    const s = this.options.strictReplies ?? 'same';
    return s === 'same' ? requestStrict : s;
  }

  private async handle(socket: Socket, bytes: Uint8Array): Promise<void> {
    let head: EnvelopeHeader;
    try {
      head = peekEnvelope(bytes);
    } catch (e) {
      // Not even a header: nothing to answer to, so close this connection only.
      this.options.onError?.(e);
      socket.destroy();
      return;
    }
    const strict = this.strictFor(head.strict);
    const fail = (type: number, text: string): void => {
      if (head.messageType === MessageType.ONEWAY) return;
      const ex = new TApplicationException(type, text);
      this.send(socket, encodeApplicationExceptionMessage(ex, head.name, head.seqid, strict));
    };
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
        limits: { maxMessageSize: this.maxFrameSize },
      });
    } catch (e) {
      this.options.onError?.(e);
      return fail(
        ApplicationExceptionType.PROTOCOL_ERROR,
        e instanceof Error ? e.message : String(e),
      );
    }
    const oneway = head.messageType === MessageType.ONEWAY || entry.fn.oneway;
    const Response = entry.fn.response;
    let reply: Uint8Array;
    try {
      const result = await entry.impl(message.body as Record<string, unknown>);
      if (oneway) return;
      const hasSuccess = Response.__spec__.fields.some((f) => f.id === 0);
      reply = entry.module.dumps.message(
        new Response(
          hasSuccess && result !== undefined && result !== null ? { success: result } : {},
        ),
        head.seqid,
        { strict },
      );
    } catch (e) {
      if (oneway) {
        this.options.onError?.(e);
        return;
      }
      const field = Response.__spec__.fields.find(
        (f) => f.id !== 0 && f.type.kind === 'struct' && e instanceof classFor(f.type),
      );
      if (field === undefined) {
        this.options.onError?.(e);
        return fail(
          ApplicationExceptionType.INTERNAL_ERROR,
          `Internal error processing ${head.name}: ${e instanceof Error ? e.message : String(e)}`,
        );
      }
      reply = entry.module.dumps.message(new Response({ [field.name]: e }), head.seqid, { strict });
    }
    this.send(socket, reply);
  }
}
