/**
 * Where a binary-protocol message ends, found incrementally: the buffered transport has no
 * length prefix, so the envelope and body are walked to find the end. The walk keeps its place
 * between chunks (a stack of open structs and containers), so a message that arrives in many
 * small pieces is read once in total — linear time, where scanning again from the start on
 * every chunk was quadratic. Lengths and nesting are checked against the limits before the bytes
 * they announce arrive, so garbage is refused as soon as it is seen.
 */
import { InvalidDataError, LimitExceededError, TType } from '../../codec/src/index.js';

/** Limits of one scan; the transport passes the codec's defaults and its frame size. */
export interface ScanLimits {
  /** Largest whole message in bytes. */
  readonly maxMessageSize: number;
  /** Longest string or binary (the method name too). */
  readonly maxStringLength: number;
  /** Most elements in one list, set or map. */
  readonly maxContainerLength: number;
  /** Deepest nesting of structs and containers (the body struct counts as 1). */
  readonly maxDepth: number;
}

/** Smallest encoded size of a value of each wire type (0: not a value type). */
const MIN_SIZE: readonly number[] = [0, 0, 1, 1, 8, 0, 2, 0, 4, 0, 8, 4, 1, 6, 5, 5, 16];
/** Encoded size of fixed-size values (0: variable or not a value type). */
const FIXED_SIZE: readonly number[] = [0, 0, 1, 1, 8, 0, 2, 0, 4, 0, 8, 0, 0, 0, 0, 0, 16];
/** No value waiting (`pending`), or no value type (a list's `valueType`). */
export const NONE = -1;

/** An open struct (reading field headers) or container (`remaining` values of `types`). */
export interface Frame {
  readonly struct: boolean;
  readonly keyType: number;
  readonly valueType: number;
  /** Values still to skip (a map counts keys and values). */
  remaining: number;
  /** Values in all (for a map: which of key or value comes next). */
  readonly total: number;
}

const enum Stage {
  Start,
  StrictName,
  NonStrictType,
  Body,
}

/**
 * What the protocols' resumable scanners share: the place in the message, the stage of its
 * header (0 = start), the value type waiting to be skipped and the open structs and containers.
 */
export class ScanState {
  /** Offset of the next unread byte, relative to the message's first byte (may pass what has arrived: bytes still to come are being skipped). */
  protected pos = 0;
  protected stage = 0;
  protected pending = NONE;
  protected readonly frames: Frame[] = [];

  /** A scanner at the start of a message, checking `limits` (nothing is allowed beyond them). */
  constructor(protected readonly limits: ScanLimits) {}

  /** Forgets the current message (the next `scan` starts a new one). */
  reset(): void {
    this.pos = 0;
    this.stage = 0;
    this.pending = NONE;
    this.frames.length = 0;
  }

  /** Bytes of the current message walked so far. */
  get scanned(): number {
    return this.pos;
  }

  /** Moves on `n` bytes; a message growing past the limit is refused at once (LimitExceededError). */
  protected advance(n: number): void {
    this.pos += n;
    if (this.pos > this.limits.maxMessageSize) {
      throw new LimitExceededError(
        `message of more than ${this.limits.maxMessageSize} bytes exceeds the limit of ${this.limits.maxMessageSize} (maxFrameSize)`,
        this.pos - n,
      );
    }
  }

  /** Opens a struct or container; LimitExceededError past `maxDepth`. */
  protected open(frame: Frame): void {
    if (this.frames.length >= this.limits.maxDepth) {
      throw new LimitExceededError(
        `nesting deeper than the limit of ${this.limits.maxDepth}`,
        this.pos,
      );
    }
    this.frames.push(frame);
  }
}

/** Resumable search for the end of one binary-protocol message. */
export class MessageScanner extends ScanState {
  /**
   * Continues over `buf[base .. base + available)`, which holds the message's bytes from its
   * start (the same bytes as before, plus whatever arrived since). Returns the message's length
   * once it is complete, else -1. Throws InvalidDataError for bytes that cannot be a message and
   * LimitExceededError for a length, depth or size over the limits.
   */
  scan(buf: Uint8Array, base: number, available: number): number {
    const view = new DataView(buf.buffer, buf.byteOffset + base, available);
    for (;;) {
      if (this.pos > available) return -1;
      if (this.stage !== Stage.Body) {
        if (!this.header(view, available)) return -1;
        continue;
      }
      if (this.pending !== NONE) {
        if (!this.value(view, available)) return -1;
        continue;
      }
      const top = this.frames[this.frames.length - 1];
      if (top === undefined) return this.pos;
      if (top.struct) {
        if (this.pos + 1 > available) return -1;
        const at = this.pos;
        const ft = view.getUint8(at);
        if (ft === TType.STOP) {
          this.frames.pop();
          this.advance(1);
          continue;
        }
        if (!(MIN_SIZE[ft]! > 0)) throw new InvalidDataError(`invalid field type code ${ft}`, at);
        if (this.pos + 3 > available) return -1;
        this.advance(3);
        this.pending = ft;
      } else if (top.remaining === 0) {
        this.frames.pop();
      } else {
        const kSize = FIXED_SIZE[top.keyType]!;
        const vSize = top.valueType === NONE ? kSize : FIXED_SIZE[top.valueType]!;
        if (kSize > 0 && vSize > 0 && (top.total - top.remaining) % 2 === 0) {
          // Fixed-size elements (or whole key/value pairs): skip them all at once.
          const pairs = top.valueType === NONE ? top.remaining : top.remaining / 2;
          this.advance(pairs * (top.valueType === NONE ? kSize : kSize + vSize));
          top.remaining = 0;
        } else {
          const isKey = top.valueType === NONE || (top.total - top.remaining) % 2 === 0;
          top.remaining--;
          this.pending = isKey ? top.keyType : top.valueType;
        }
      }
    }
  }

  /** Reads a string length at `pos` and skips the string; false when its length has not arrived. */
  private string(view: DataView, available: number, what: string): boolean {
    if (this.pos + 4 > available) return false;
    const at = this.pos;
    const n = view.getInt32(at);
    if (n < 0) throw new InvalidDataError(`negative ${what} length ${n}`, at);
    if (n > this.limits.maxStringLength) {
      throw new LimitExceededError(
        `${what} length ${n} exceeds the limit of ${this.limits.maxStringLength}`,
        at,
      );
    }
    this.advance(4 + n);
    return true;
  }

  private header(view: DataView, available: number): boolean {
    const at = this.pos;
    switch (this.stage) {
      case Stage.Start: {
        if (at + 4 > available) return false;
        const first = view.getInt32(at);
        if (first >= 0) {
          // Non-strict: the first word is the method name's length.
          this.string(view, available, 'method name');
          this.stage = Stage.NonStrictType;
          return true;
        }
        if ((first & 0xffff0000) !== (0x80010000 | 0)) {
          throw new InvalidDataError(
            `bad envelope version 0x${(first >>> 0).toString(16).padStart(8, '0')} (expected 0x8001xxxx)`,
            at,
          );
        }
        // The third byte is unused and ignored (thrift-binary-protocol.md).
        checkMessageType(first & 0xff, at + 3);
        this.advance(4);
        this.stage = Stage.StrictName;
        return true;
      }
      case Stage.StrictName:
        if (!this.string(view, available, 'method name')) return false;
        this.advance(4); // seqid
        this.startBody();
        return true;
      case Stage.NonStrictType:
        if (at + 1 > available) return false;
        checkMessageType(view.getUint8(at), at);
        this.advance(1 + 4); // type, seqid
        this.startBody();
        return true;
      default:
        return true;
    }
  }

  private startBody(): void {
    this.stage = Stage.Body;
    this.pending = TType.STRUCT;
  }

  /** Skips (or opens) the value of type `pending` at `pos`; false when its header has not arrived. */
  private value(view: DataView, available: number): boolean {
    const t = this.pending;
    const fixed = FIXED_SIZE[t]!;
    if (fixed > 0) {
      this.advance(fixed);
    } else if (t === TType.STRING) {
      if (!this.string(view, available, 'string')) return false;
    } else if (t === TType.STRUCT) {
      this.open({ struct: true, keyType: NONE, valueType: NONE, remaining: 0, total: 0 });
    } else if (t === TType.MAP || t === TType.LIST || t === TType.SET) {
      const isMap = t === TType.MAP;
      const headerSize = isMap ? 6 : 5;
      if (this.pos + headerSize > available) return false;
      const at = this.pos;
      const kt = elemType(view, at);
      const vt = isMap ? elemType(view, at + 1) : NONE;
      const n = view.getInt32(at + headerSize - 4);
      if (n < 0) throw new InvalidDataError(`negative container size ${n}`, at + headerSize - 4);
      if (n > this.limits.maxContainerLength) {
        throw new LimitExceededError(
          `container size ${n} exceeds the limit of ${this.limits.maxContainerLength}`,
          at + headerSize - 4,
        );
      }
      const least = n * (MIN_SIZE[kt]! + (isMap ? MIN_SIZE[vt]! : 0));
      if (at + headerSize + least > this.limits.maxMessageSize) {
        throw new LimitExceededError(
          `container of ${n} elements needs at least ${least} bytes, more than the limit of ${this.limits.maxMessageSize} allows`,
          at + headerSize - 4,
        );
      }
      this.advance(headerSize);
      const total = isMap ? 2 * n : n;
      this.open({ struct: false, keyType: kt, valueType: vt, remaining: total, total });
    } else {
      throw new InvalidDataError(`cannot skip a value of type code ${t}`, this.pos);
    }
    this.pending = NONE;
    return true;
  }
}

function checkMessageType(type: number, at: number): void {
  if (type < 1 || type > 4) throw new InvalidDataError(`unknown message type ${type}`, at);
}

function elemType(view: DataView, at: number): number {
  const t = view.getUint8(at);
  if (!(MIN_SIZE[t]! > 0)) throw new InvalidDataError(`invalid element type code ${t}`, at);
  return t;
}
