/**
 * The binary protocol's reader. Every read checks the bytes that remain first, so truncated or
 * hostile input throws an EndOfInputError / LimitExceededError / InvalidDataError (all
 * ProtocolErrors) with the byte offset, and never allocates more than the input could hold.
 */
import { EndOfInputError, InvalidDataError, LimitExceededError } from '../../errors.js';
import { TType, ttypeName } from '../../wire/ttype.js';
import type { DecodeLimits } from '../limits.js';
import { DEFAULT_LIMITS } from '../limits.js';
import type { ReaderBase } from '../reader-base.js';
import { initReader, withReaderBase } from '../reader-base.js';
import { takeDouble, takeI64 } from './scratch.js';

/** Smallest number of bytes one value of each wire type takes, for container size checks. */
const MIN_SIZE: readonly number[] = [0, 0, 1, 1, 8, 0, 2, 0, 4, 0, 8, 4, 1, 6, 5, 5, 16];

/** A cursor over binary-protocol input with limits. */
// The methods of ReaderBase are copied in below (see ReaderBase for why not `extends`).
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging, @typescript-eslint/no-empty-object-type
export interface BinaryReader extends ReaderBase {}
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class BinaryReader {
  /**
   * Reads `buf` from `start` to its end, with `limits` (defaults: DEFAULT_LIMITS).
   */
  constructor(buf: Uint8Array, limits: DecodeLimits = DEFAULT_LIMITS, start = 0) {
    initReader(this, buf, limits, start);
  }

  /** Reads a bool byte (any non-zero byte is true, as Apache's readers do). */
  bool(): boolean {
    if (this.pos >= this.end) this.need(1);
    return this.buf[this.pos++] !== 0;
  }

  /** Reads an i8. */
  byte(): number {
    if (this.pos >= this.end) this.need(1);
    return (this.buf[this.pos++]! << 24) >> 24;
  }

  /** Reads a big-endian i16. */
  i16(): number {
    const p = this.pos;
    if (this.end - p < 2) this.need(2);
    this.pos = p + 2;
    return ((this.buf[p]! << 24) >> 16) | this.buf[p + 1]!;
  }

  /** Reads a big-endian i32. */
  i32(): number {
    const p = this.pos;
    if (this.end - p < 4) this.need(4);
    const b = this.buf;
    this.pos = p + 4;
    return (b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!;
  }

  /** Reads a big-endian i64 as a bigint. */
  i64(): bigint {
    if (this.end - this.pos < 8) this.need(8);
    const v = takeI64(this.buf, this.pos);
    this.pos += 8;
    return v;
  }

  /** Reads a big-endian IEEE 754 double. */
  double(): number {
    if (this.end - this.pos < 8) this.need(8);
    const v = takeDouble(this.buf, this.pos);
    this.pos += 8;
    return v;
  }

  /**
   * Reads a length prefix and checks it against `max` and the bytes that remain (the checks of
   * ReaderBase.checkLength, written out: this is the hot path of every string).
   */
  length(max: number, what: string): number {
    const at = this.pos;
    const n = this.i32();
    if (n < 0) throw new InvalidDataError(`negative ${what} length ${n}`, at);
    if (n > max)
      throw new LimitExceededError(`${what} length ${n} exceeds the limit of ${max}`, at);
    if (n > this.end - this.pos) {
      throw new EndOfInputError(
        `${what} length ${n} but only ${this.end - this.pos} bytes remain`,
        at,
      );
    }
    return n;
  }

  /** Reads a length-prefixed UTF-8 string; invalid UTF-8 is an InvalidDataError. */
  string(): string {
    const n = this.length(this.limits.maxStringLength, 'string');
    return this.utf8At(this.pos, this.pos + n);
  }

  /** Reads a string used as a map key (short ASCII keys go through a cache; see `keyAt`). */
  mapKey(): string {
    const n = this.length(this.limits.maxStringLength, 'string');
    return this.keyAt(this.pos, this.pos + n);
  }

  /**
   * Reads length-prefixed binary data as a copy (so it outlives the input buffer). Copies up to
   * 32 KiB come from the shared pool (see `allocate`), which saves an ArrayBuffer per value.
   */
  binary(): Uint8Array {
    return this.copy(this.length(this.limits.maxStringLength, 'binary'));
  }

  /**
   * Reads a container size (after its element type codes) and checks that `size` elements of
   * the given wire types could fit in the bytes that remain.
   */
  containerSize(elemMin: number): number {
    const at = this.pos;
    const n = this.i32();
    if (n < 0) throw new InvalidDataError(`negative container size ${n}`, at);
    if (n > this.limits.maxContainerLength) {
      throw new LimitExceededError(
        `container size ${n} exceeds the limit of ${this.limits.maxContainerLength}`,
        at,
      );
    }
    if (n * elemMin > this.end - this.pos) {
      throw new EndOfInputError(
        `container of ${n} elements needs at least ${n * elemMin} bytes but only ${this.end - this.pos} remain`,
        at,
      );
    }
    return n;
  }

  /** Reads an element/key/value type code and checks it is a value type. */
  elemType(): number {
    const at = this.pos;
    const t = this.byte() & 0xff;
    if (MIN_SIZE[t] === undefined || t < 2 || MIN_SIZE[t] === 0) {
      throw new InvalidDataError(`invalid element type code ${t}`, at);
    }
    return t;
  }

  /** Smallest size of one value of wire type `t` (for container size checks). */
  static minSize(t: number): number {
    return MIN_SIZE[t] ?? 1;
  }

  /** Skips one value of wire type `t`, recursively, with the same checks as reading it. */
  skip(t: number): void {
    switch (t) {
      case TType.BOOL:
      case TType.BYTE:
        this.need(1);
        this.pos += 1;
        return;
      case TType.I16:
        this.need(2);
        this.pos += 2;
        return;
      case TType.I32:
        this.need(4);
        this.pos += 4;
        return;
      case TType.I64:
      case TType.DOUBLE:
        this.need(8);
        this.pos += 8;
        return;
      case TType.UUID:
        this.need(16);
        this.pos += 16;
        return;
      case TType.STRING: {
        const n = this.length(this.limits.maxStringLength, 'string');
        this.pos += n;
        return;
      }
      case TType.STRUCT: {
        this.enter();
        for (;;) {
          const at = this.pos;
          const ft = this.byte() & 0xff;
          if (ft === TType.STOP) break;
          if (MIN_SIZE[ft] === undefined || ft < 2 || MIN_SIZE[ft] === 0) {
            throw new InvalidDataError(`invalid field type code ${ft}`, at);
          }
          this.i16();
          this.skip(ft);
        }
        this.depth--;
        return;
      }
      case TType.MAP: {
        this.enter();
        const kt = this.elemType();
        const vt = this.elemType();
        const n = this.containerSize(MIN_SIZE[kt]! + MIN_SIZE[vt]!);
        for (let i = 0; i < n; i++) {
          this.skip(kt);
          this.skip(vt);
        }
        this.depth--;
        return;
      }
      case TType.SET:
      case TType.LIST: {
        this.enter();
        const et = this.elemType();
        const n = this.containerSize(MIN_SIZE[et]!);
        for (let i = 0; i < n; i++) this.skip(et);
        this.depth--;
        return;
      }
      default:
        throw new InvalidDataError(`cannot skip a value of ${ttypeName(t)}`, this.pos);
    }
  }
}

withReaderBase(BinaryReader);
