/**
 * Transports: how messages are cut out of a TCP byte stream.
 *   framed   — each message is preceded by its length as a 4-byte big-endian integer (Apache's
 *              TFramedTransport); frames longer than `maxFrameSize` (default 16,384,000, Apache's
 *              default) are refused.
 *   buffered — messages follow each other with no length (Apache's TBufferedTransport); where one
 *              ends is found by walking the envelope and body, resumed where it stopped as each
 *              chunk arrives (scan.ts, scan-compact.ts), so a message costs time linear in its
 *              size. The walk follows the protocol: binary, compact, or — `'detect'` — the one
 *              each message's first byte names (0x82 compact, else binary).
 */
import { COMPACT_PROTOCOL_ID, DEFAULT_LIMITS, LimitExceededError } from '../../codec/src/index.js';
import type { Protocol } from '../../codec/src/index.js';
import { MessageScanner } from './scan.js';
import type { ScanLimits } from './scan.js';
import { CompactMessageScanner } from './scan-compact.js';

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

/** A protocol, or `'detect'`: each message's first byte says (0x82 compact, else binary). */
export type ProtocolChoice = Protocol | 'detect';

/** The protocol a message is in, by its first byte (0x82: compact), for `'detect'`. */
export function detectProtocol(message: Uint8Array): Protocol {
  return message[0] === COMPACT_PROTOCOL_ID ? 'compact' : 'binary';
}

/** Scans binary, compact or (deciding on each message's first byte) either. */
class AnyScanner {
  private current: MessageScanner | CompactMessageScanner | undefined;
  private readonly binary: MessageScanner;
  private readonly compact: CompactMessageScanner;

  constructor(
    limits: ScanLimits,
    private readonly protocol: ProtocolChoice,
  ) {
    this.binary = new MessageScanner(limits);
    this.compact = new CompactMessageScanner(limits);
  }

  scan(buf: Uint8Array, base: number, available: number): number {
    if (this.current === undefined) {
      if (available === 0) return -1;
      const p = this.protocol === 'detect' ? detectProtocol(buf.subarray(base)) : this.protocol;
      this.current = p === 'compact' ? this.compact : this.binary;
    }
    return this.current.scan(buf, base, available);
  }

  reset(): void {
    this.current?.reset();
    this.current = undefined;
  }
}

/** Largest receive store kept while nothing is pending. */
const KEPT_STORE_BYTES = 64 * 1024;

/** Cuts whole messages out of a stream of chunks, in time linear in the bytes received. */
export class MessageReader {
  /** Received bytes; `store[start .. end)` are not yet part of a message handed out. */
  private store = new Uint8Array(0);
  private start = 0;
  private end = 0;
  /** The buffered transport's resumable walk of the current message. */
  private readonly scanner: AnyScanner | undefined;

  /**
   * @param kind framed or buffered
   * @param maxFrameSize the largest message accepted (default 16,384,000)
   * @param protocol what a buffered stream holds: binary (default), compact or 'detect'
   */
  constructor(
    readonly kind: TransportKind,
    readonly maxFrameSize: number = DEFAULT_MAX_FRAME_SIZE,
    protocol: ProtocolChoice = 'binary',
  ) {
    if (kind === 'buffered') {
      const limits = { ...DEFAULT_LIMITS, maxMessageSize: maxFrameSize };
      this.scanner = new AnyScanner(limits, protocol);
    }
  }

  /** The ProtocolError met after whole messages that one `push` returned; see `push`. */
  private kept: Error | undefined;

  /**
   * Adds a chunk and returns every message now complete (framing removed; each a copy that
   * outlives the reader). Throws a ProtocolError (LimitExceededError for a message over
   * `maxFrameSize`, InvalidDataError for bytes that cannot start a message) as soon as the
   * bytes show it: the connection should then be closed. When the fault follows whole messages
   * in the same chunk, those messages are returned first and the fault is kept in `fault`
   * (answer them, then close); every later `push` throws it.
   */
  push(chunk: Uint8Array): Uint8Array[] {
    if (this.kept !== undefined) throw this.kept;
    this.append(chunk);
    const out: Uint8Array[] = [];
    try {
      this.cut(out);
    } catch (e) {
      if (out.length === 0) throw e;
      this.kept = e instanceof Error ? e : new Error(String(e));
    }
    if (this.start === this.end) {
      this.start = this.end = 0;
      // A large store is not kept for a connection that has nothing pending.
      if (this.store.length > KEPT_STORE_BYTES) this.store = new Uint8Array(0);
    }
    return out;
  }

  /** The ProtocolError met after the messages the last `push` returned, if any: close after them. */
  get fault(): Error | undefined {
    return this.kept;
  }

  /** Cuts every whole message now in the store into `out`; throws at bytes that cannot be one. */
  private cut(out: Uint8Array[]): void {
    for (;;) {
      const available = this.end - this.start;
      if (this.scanner !== undefined) {
        const n = this.scanner.scan(this.store, this.start, available);
        if (n < 0) break;
        out.push(this.store.slice(this.start, this.start + n));
        this.start += n;
        this.scanner.reset();
      } else {
        if (available < 4) break;
        const s = this.store;
        const p = this.start;
        const n = ((s[p]! << 24) | (s[p + 1]! << 16) | (s[p + 2]! << 8) | s[p + 3]!) >>> 0;
        if (n > this.maxFrameSize) {
          throw new LimitExceededError(
            `frame of ${n} bytes exceeds the limit of ${this.maxFrameSize} (maxFrameSize)`,
            0,
          );
        }
        if (available < 4 + n) break;
        out.push(s.slice(p + 4, p + 4 + n));
        this.start += 4 + n;
      }
    }
  }

  /** Bytes received that are not yet part of a whole message. */
  get pending(): number {
    return this.end - this.start;
  }

  /** Appends a chunk, growing the store by doubling (amortised linear) or compacting it. */
  private append(chunk: Uint8Array): void {
    const live = this.end - this.start;
    if (this.end + chunk.length > this.store.length) {
      const needed = live + chunk.length;
      if (needed <= this.store.length / 2) {
        this.store.copyWithin(0, this.start, this.end);
      } else {
        const grown = new Uint8Array(Math.max(needed, 2 * this.store.length, 4096));
        grown.set(this.store.subarray(this.start, this.end));
        this.store = grown;
      }
      this.start = 0;
      this.end = live;
    }
    this.store.set(chunk, this.end);
    this.end += chunk.length;
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
