/**
 * Sockets for Node peers whose library has no transport of its own (thriftrw-js): a small TCP
 * server and client that move whole Thrift messages in Apache's two transports.
 *
 * - framed: a 4-byte big-endian length, then the message;
 * - buffered: the bare message on the stream. A stream has no boundaries, so the caller gives a
 *   `measure(buf)` function that says how long the complete message at the start of `buf` is,
 *   or null when more bytes are needed (the library's own decoder does the measuring).
 *
 * The limits are those of peers/common/netio.py.
 */
import { Buffer } from 'node:buffer';
import { setTimeout, clearTimeout } from 'node:timers';
import net from 'node:net';
import { PeerError } from './channel.mjs';
import { checkHost } from './params.mjs';

/** Milliseconds to wait for a TCP connection. */
export const CONNECT_TIMEOUT_MS = 5_000;
/** Milliseconds a client waits for each reply of a call. */
export const CALL_IO_TIMEOUT_MS = 30_000;
/** Milliseconds a server connection may stay idle before the server closes it. */
export const SERVER_IDLE_TIMEOUT_MS = 600_000;
/** Largest frame (framed) or buffered message accepted. */
export const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

/** The bytes on the wire cannot be a message (bad frame size, undecodable header). */
export class MessageError extends Error {}

/**
 * Collects a socket's bytes and cuts them into messages.
 */
class MessageReader {
  /**
   * @param {'framed'|'buffered'} transport
   * @param {(buf: Buffer) => number | null} measure
   */
  constructor(transport, measure) {
    this.transport = transport;
    this.measure = measure;
    this.buf = Buffer.alloc(0);
  }

  /**
   * Adds received bytes.
   * @param {Buffer} chunk
   * @returns {void}
   */
  push(chunk) {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
  }

  /**
   * The next complete message, or null when more bytes are needed. Throws MessageError.
   * @returns {Buffer | null}
   */
  next() {
    if (this.transport === 'framed') {
      if (this.buf.length < 4) return null;
      const size = this.buf.readInt32BE(0);
      if (size < 0 || size > MAX_MESSAGE_BYTES)
        throw new MessageError(`frame size ${size} out of range 0..${MAX_MESSAGE_BYTES}`);
      if (this.buf.length < 4 + size) return null;
      const msg = this.buf.subarray(4, 4 + size);
      this.buf = this.buf.subarray(4 + size);
      return msg;
    }
    if (this.buf.length === 0) return null;
    const n = this.measure(this.buf);
    if (n === null) {
      if (this.buf.length > MAX_MESSAGE_BYTES)
        throw new MessageError(`no complete message within ${MAX_MESSAGE_BYTES} bytes`);
      return null;
    }
    const msg = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return msg;
  }
}

/**
 * A message as it goes on the wire in `transport`.
 * @param {'framed'|'buffered'} transport
 * @param {Buffer} payload
 * @returns {Buffer}
 */
function onWire(transport, payload) {
  if (transport === 'buffered') return payload;
  const head = Buffer.allocUnsafe(4);
  head.writeInt32BE(payload.length, 0);
  return Buffer.concat([head, payload]);
}

/**
 * Listens on 127.0.0.1 (a port chosen by the OS) and answers each message of each connection,
 * one at a time per connection, with what `handle` returns: a Buffer to send, null to send
 * nothing (oneway), or 'close' to hang up.
 * @param {object} o
 * @param {'framed'|'buffered'} o.transport
 * @param {(buf: Buffer) => number | null} o.measure
 * @param {(msg: Buffer) => Buffer | null | 'close'} o.handle
 * @param {(msg: string) => void} o.log
 * @returns {Promise<{port: number, close: () => void}>}
 */
export function startServer({ transport, measure, handle, log }) {
  const server = net.createServer((sock) => {
    sock.setNoDelay(true);
    sock.setTimeout(SERVER_IDLE_TIMEOUT_MS, () => sock.destroy());
    sock.on('error', () => {});
    const reader = new MessageReader(transport, measure);
    sock.on('data', (chunk) => {
      reader.push(chunk);
      try {
        for (let msg = reader.next(); msg !== null; msg = reader.next()) {
          const reply = handle(msg);
          if (reply === 'close') {
            sock.destroy();
            return;
          }
          if (reply !== null) sock.write(onWire(transport, reply));
        }
      } catch (e) {
        log(`server ${port}: connection dropped: ${e?.constructor?.name}: ${e?.message}`);
        sock.destroy();
      }
    });
  });
  let port = 0;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', 64, () => {
      port = server.address().port;
      resolve({ port, close: () => server.close() });
    });
  });
}

/** One client connection that sends messages and reads replies. */
export class ClientConnection {
  /**
   * Connects to a loopback host (TransportError when it cannot).
   * @param {string} host
   * @param {number} port
   * @param {'framed'|'buffered'} transport
   * @param {(buf: Buffer) => number | null} measure
   * @returns {Promise<ClientConnection>}
   */
  static async open(host, port, transport, measure) {
    const addr = checkHost(host);
    const sock = await new Promise((resolve, reject) => {
      const s = net.connect({ host: addr, port });
      const timer = setTimeout(() => {
        s.destroy();
        reject(new PeerError('TransportError', `cannot connect to ${host}:${port}: timed out`));
      }, CONNECT_TIMEOUT_MS);
      s.once('connect', () => {
        clearTimeout(timer);
        resolve(s);
      });
      s.once('error', (e) => {
        clearTimeout(timer);
        reject(
          new PeerError('TransportError', `cannot connect to ${host}:${port}: ${e.message}`, e),
        );
      });
    });
    sock.setNoDelay(true);
    return new ClientConnection(sock, transport, measure);
  }

  /**
   * @param {net.Socket} sock
   * @param {'framed'|'buffered'} transport
   * @param {(buf: Buffer) => number | null} measure
   */
  constructor(sock, transport, measure) {
    this.sock = sock;
    this.transport = transport;
    this.reader = new MessageReader(transport, measure);
    this.closed = false;
    /** @type {(() => void) | null} */
    this.wake = null;
    sock.on('data', (c) => {
      this.reader.push(c);
      this.wake?.();
    });
    /** The connection is gone: readers stop waiting. @returns {void} */
    const end = () => {
      this.closed = true;
      this.wake?.();
    };
    sock.on('end', end);
    sock.on('close', end);
    sock.on('error', end);
  }

  /**
   * Sends one message.
   * @param {Buffer} payload
   * @returns {void}
   */
  send(payload) {
    this.sock.write(onWire(this.transport, payload));
  }

  /**
   * The next message from the server. Rejects with TransportError when the server closes the
   * connection (or does not answer within CALL_IO_TIMEOUT_MS), MessageError for broken bytes.
   * @param {string} what the function name, for messages
   * @returns {Promise<Buffer>}
   */
  async read(what) {
    const deadline = Date.now() + CALL_IO_TIMEOUT_MS;
    for (;;) {
      const msg = this.reader.next();
      if (msg !== null) return msg;
      if (this.closed)
        throw new PeerError(
          'TransportError',
          `${what}: the server closed the connection without a reply`,
        );
      const left = deadline - Date.now();
      if (left <= 0)
        throw new PeerError('TransportError', `${what}: no reply within ${CALL_IO_TIMEOUT_MS} ms`);
      await new Promise((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = null;
    }
  }

  /** Closes the connection. @returns {void} */
  close() {
    this.sock.destroy();
  }
}
