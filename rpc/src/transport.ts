/**
 * Transports: how messages are cut out of a TCP byte stream.
 *   framed   — each message is preceded by its length as a 4-byte big-endian integer (Apache's
 *              TFramedTransport); frames longer than `maxFrameSize` (default 16,384,000, Apache's
 *              default) are refused.
 *   buffered — messages follow each other with no length (Apache's TBufferedTransport); where one
 *              ends is found by scanning the envelope and skipping the body.
 */
import { binaryMessageLength, DEFAULT_LIMITS, LimitExceededError } from '../../codec/src/index.js';

export type TransportKind = 'framed' | 'buffered';

/**
 * A byte tap, for traces: called with each chunk a socket sent or received, in order, before it
 * is written or after it is read, with the connection it crossed (numbered from 1 per client or
 * server). A tap must not keep `bytes` past the call without copying. Absent by default: then
 * the only cost is one check per chunk.
 */
export type BytesTap = (
  direction: 'sent' | 'received',
  bytes: Uint8Array,
  connection: number,
) => void;

/** Apache's default largest frame. */
export const DEFAULT_MAX_FRAME_SIZE = 16_384_000;

/** Cuts whole messages out of a stream of chunks. */
export class MessageReader {
  private chunks: Uint8Array[] = [];
  private length = 0;
  /** Bytes needed before the next framed message can be complete (avoids re-joining chunks). */
  private need = 0;

  /**
   * @param kind framed or buffered
   * @param maxFrameSize the largest message accepted (default 16,384,000)
   */
  constructor(
    readonly kind: TransportKind,
    readonly maxFrameSize: number = DEFAULT_MAX_FRAME_SIZE,
  ) {}

  /**
   * Adds a chunk and returns every message now complete (framing removed). Throws a
   * ProtocolError (LimitExceededError for an oversized frame, InvalidDataError for bytes that
   * cannot start a message): the connection should then be closed.
   */
  push(chunk: Uint8Array): Uint8Array[] {
    this.chunks.push(chunk);
    this.length += chunk.length;
    const out: Uint8Array[] = [];
    if (this.length < this.need) return out;
    for (;;) {
      const buf = this.peekAll();
      if (this.kind === 'framed') {
        if (buf.length < 4) break;
        const n = ((buf[0]! << 24) | (buf[1]! << 16) | (buf[2]! << 8) | buf[3]!) >>> 0;
        if (n > this.maxFrameSize) {
          throw new LimitExceededError(
            `frame of ${n} bytes exceeds the limit of ${this.maxFrameSize}`,
            0,
          );
        }
        if (buf.length < 4 + n) {
          this.need = 4 + n;
          break;
        }
        out.push(buf.slice(4, 4 + n));
        this.consume(buf, 4 + n);
      } else {
        if (buf.length === 0) break;
        const n = binaryMessageLength(buf, {
          ...DEFAULT_LIMITS,
          maxMessageSize: this.maxFrameSize,
        });
        if (n < 0) break;
        out.push(buf.slice(0, n));
        this.consume(buf, n);
      }
    }
    return out;
  }

  /** Bytes received that are not yet part of a whole message. */
  get pending(): number {
    return this.length;
  }

  private peekAll(): Uint8Array {
    if (this.chunks.length === 1) return this.chunks[0]!;
    const all = new Uint8Array(this.length);
    let p = 0;
    for (const c of this.chunks) {
      all.set(c, p);
      p += c.length;
    }
    this.chunks = [all];
    return all;
  }

  private consume(buf: Uint8Array, n: number): void {
    this.need = 0;
    const rest = buf.subarray(n);
    this.chunks = rest.length ? [rest] : [];
    this.length = rest.length;
  }
}

/** Wraps one encoded message for the wire: a 4-byte length first when framed. */
export function frame(kind: TransportKind, message: Uint8Array): Uint8Array {
  if (kind === 'buffered') return message;
  const out = new Uint8Array(4 + message.length);
  new DataView(out.buffer).setUint32(0, message.length);
  out.set(message, 4);
  return out;
}
