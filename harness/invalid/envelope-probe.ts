/**
 * Raw sockets for the envelope cases: a probe that sends hand-built bytes to a server and says
 * what came back within a time bound, and a raw server that answers a client's call with bytes
 * built from its request. Neither uses the codec under test.
 */
import { connect, createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import type { Outcome } from './model.js';
import type { ReadHeader, WireProtocol } from './envelope-bytes.js';
import {
  hex,
  Malformed,
  messageEnd,
  readApplicationException,
  readHeader,
} from './envelope-bytes.js';

/** How long a hung server is watched after our side ends the stream, in ms. */
const AFTER_END_MS = 500;

/** What a server did with one case's bytes. */
export interface ProbeResult {
  readonly outcome: Outcome;
  /** One line for a person: what came back, or why nothing did. */
  readonly detail: string;
  /** Every byte received, as hex. */
  readonly gotHex: string;
  /** The header of the answer, when one arrived. */
  readonly header?: ReadHeader;
  /** A TApplicationException's type and message, when the answer was an EXCEPTION. */
  readonly applicationException?: { readonly type: number; readonly message: string };
}

/** How to talk to one server. */
export interface ProbeTarget {
  readonly port: number;
  readonly transport: 'framed' | 'buffered';
  readonly protocol: WireProtocol;
  /** How long to wait for an answer, in ms. */
  readonly boundMs: number;
}

/**
 * Sends `bytes` (already framed as the transport wants) on a new connection to 127.0.0.1 and
 * waits up to `boundMs` for one whole answer. `halfClose` ends our side after sending (for a
 * buffered message cut short: the server then sees the end of the stream). Resolves with:
 * accepted (a REPLY, or any other non-EXCEPTION answer), refused (an EXCEPTION message, or the
 * connection closed without a whole answer), crashed (no connection could be made), hung
 * (nothing within the bound; the detail says whether the server closed within 0.5 s of our side
 * then ending the stream). Never rejects.
 */
export function probe(
  target: ProbeTarget,
  bytes: Uint8Array,
  halfClose = false,
): Promise<ProbeResult> {
  return new Promise<ProbeResult>((resolve) => {
    const chunks: Buffer[] = [];
    let settled = false;
    let connected = false;
    const socket: Socket = connect({ port: target.port, host: '127.0.0.1' });
    const finish = (r: Omit<ProbeResult, 'gotHex'>): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ ...r, gotHex: hex(Buffer.concat(chunks)) });
    };
    // Past the bound the outcome is hung; what the server does when our side then ends the
    // stream (closes, or still nothing) is added to the detail for a person.
    let hungAt: number | undefined;
    const hung = (after: string): void =>
      finish({
        outcome: 'hung',
        detail: `no whole answer and the connection still open after ${target.boundMs} ms (${Buffer.concat(chunks).length} bytes received); ${after}`,
      });
    let timer = setTimeout(() => {
      hungAt = Date.now();
      if (halfClose) return hung('our side had ended the stream');
      socket.end();
      timer = setTimeout(
        () => hung(`still open ${AFTER_END_MS} ms after our side ended the stream`),
        AFTER_END_MS,
      );
    }, target.boundMs);
    socket.setNoDelay(true);
    socket.on('connect', () => {
      connected = true;
      socket.write(bytes);
      if (halfClose) socket.end();
    });
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      const all = Buffer.concat(chunks);
      let end: number;
      try {
        end = messageEnd(all, target.transport, target.protocol);
      } catch (e) {
        finish({ outcome: 'refused', detail: `answered bytes that are no message: ${String(e)}` });
        return;
      }
      if (end >= 0) finish(classifyAnswer(all.subarray(0, end), target));
    });
    socket.on('error', (e: NodeJS.ErrnoException) => {
      if (!connected)
        finish({ outcome: 'crashed', detail: `could not connect: ${e.code ?? e.message}` });
      else
        finish({
          outcome: 'refused',
          detail: `connection failed without a whole answer: ${e.code ?? e.message}`,
        });
    });
    socket.on('close', () => {
      if (hungAt !== undefined)
        return hung(`closed ${Date.now() - hungAt} ms after our side ended the stream`);
      finish({
        outcome: 'refused',
        detail: `connection closed without a whole answer (${Buffer.concat(chunks).length} bytes received)`,
      });
    });
  });
}

/** What one whole answer (with its frame length, if framed) says. */
function classifyAnswer(answer: Uint8Array, target: ProbeTarget): Omit<ProbeResult, 'gotHex'> {
  const body = target.transport === 'framed' ? answer.subarray(4) : answer;
  let header: ReadHeader;
  try {
    header = readHeader(body, target.protocol);
  } catch (e) {
    return {
      outcome: 'refused',
      detail: `answered a message whose header does not read: ${String(e)}`,
    };
  }
  const names = ['0', 'CALL', 'REPLY', 'EXCEPTION', 'ONEWAY', '5', '6', '7'];
  const what = `${names[header.type] ?? header.type} '${header.name}' seqid ${header.seqid}`;
  if (header.type === 3) {
    try {
      const x = readApplicationException(body, target.protocol, header.end);
      return {
        outcome: 'refused',
        detail: `${what}: TApplicationException type ${x.type} (${APPLICATION_EXCEPTION_TYPES[x.type] ?? 'not a known type'}): ${x.message.slice(0, 160)}`,
        header,
        applicationException: { type: x.type, message: x.message },
      };
    } catch (e) {
      return {
        outcome: 'refused',
        detail: `${what} whose TApplicationException does not read: ${String(e)}`,
        header,
      };
    }
  }
  return {
    outcome: 'accepted',
    detail: `answered ${what} (${body.length - header.end} body bytes)`,
    header,
  };
}

/** TApplicationException type names (thrift-rpc.md, "Response struct"). */
export const APPLICATION_EXCEPTION_TYPES: Readonly<Record<number, string>> = {
  0: 'UNKNOWN',
  1: 'UNKNOWN_METHOD',
  2: 'INVALID_MESSAGE_TYPE',
  3: 'WRONG_METHOD_NAME',
  4: 'BAD_SEQUENCE_ID',
  5: 'MISSING_RESULT',
  6: 'INTERNAL_ERROR',
  7: 'PROTOCOL_ERROR',
  8: 'INVALID_TRANSFORM',
  9: 'INVALID_PROTOCOL',
  10: 'UNSUPPORTED_CLIENT_TYPE',
};

/** A raw server's answer to one request: the bytes to send (framed by the server), or none. */
export type Answerer = (request: ReadHeader, requestBytes: Uint8Array) => Uint8Array;

/** A raw server that answers each whole request with `answer`'s bytes; records what it sent and got. */
export class RawServer {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  /** Every request received (whole messages, without the frame length), as hex. */
  readonly received: string[] = [];
  /** Every answer sent (as on the wire), as hex. */
  readonly sent: string[] = [];
  /** Problems reading requests (for the log). */
  readonly problems: string[] = [];

  /**
   * @param transport how requests arrive and answers go out
   * @param protocol the protocol of requests
   * @param answer builds the answer's message bytes (unframed) from each request
   */
  constructor(
    private readonly transport: 'framed' | 'buffered',
    private readonly protocol: WireProtocol,
    private answer: Answerer,
  ) {}

  /** Replaces the answerer (for the next request on). */
  setAnswer(answer: Answerer): void {
    this.answer = answer;
  }

  /** Listens on 127.0.0.1, any free port; resolves with the port. */
  async listen(): Promise<number> {
    const server = createServer((socket) => this.serve(socket));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return (server.address() as AddressInfo).port;
  }

  /** Closes every connection (a waiting client then sees the end of its stream). */
  dropConnections(): void {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  /** Stops listening and closes every connection. Never rejects. */
  async close(): Promise<void> {
    this.dropConnections();
    const server = this.server;
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private serve(socket: Socket): void {
    this.sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('error', () => undefined);
    socket.on('close', () => this.sockets.delete(socket));
    let buf = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      for (;;) {
        let end: number;
        try {
          end = messageEnd(buf, this.transport, this.protocol);
        } catch (e) {
          this.problems.push(e instanceof Malformed ? e.message : String(e));
          socket.destroy();
          return;
        }
        if (end < 0) return;
        const message = buf.subarray(this.transport === 'framed' ? 4 : 0, end);
        buf = buf.subarray(end);
        this.received.push(hex(message));
        let out: Uint8Array;
        try {
          out = this.answer(readHeader(message, this.protocol), message);
        } catch (e) {
          this.problems.push(String(e));
          socket.destroy();
          return;
        }
        const wire =
          this.transport === 'framed'
            ? Buffer.concat([lengthPrefix(out.length), Buffer.from(out)])
            : Buffer.from(out);
        this.sent.push(hex(wire));
        socket.write(wire);
      }
    });
  }
}

function lengthPrefix(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}
