/**
 * The compact protocol's reader. Every read checks the bytes that remain first, and every length
 * or size is checked against its limit and the bytes that remain before anything is allocated,
 * so truncated or hostile input throws an EndOfInputError / LimitExceededError /
 * InvalidDataError (all ProtocolErrors) with the byte offset. A varint longer than its type
 * allows (5 bytes for 32 bits, 10 for 64), with bits past its width, or cut off by the end of
 * the input is refused; a varint padded with 0x80 bytes within those lengths is read, as
 * Apache's readers do.
 */
import { EndOfInputError, InvalidDataError, LimitExceededError } from '../../errors.js';
import type { DecodeLimits } from '../limits.js';
import { DEFAULT_LIMITS } from '../limits.js';
import type { ReaderBase } from '../reader-base.js';
import { initReader, withReaderBase } from '../reader-base.js';
import { i64FromHalves, takeDoubleLE } from './scratch.js';
import { CType, ctypeName } from './types.js';

/**
 * Smallest number of bytes one value of each compact element type takes (for container size
 * checks); 0 marks codes that are not element types.
 */
const MIN_SIZE: readonly number[] = [0, 1, 1, 1, 1, 1, 1, 8, 1, 1, 1, 1, 1, 16];

/** A cursor over compact-protocol input with limits. */
// The methods of ReaderBase are copied in below (see ReaderBase for why not `extends`).
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging, @typescript-eslint/no-empty-object-type
export interface CompactReader extends ReaderBase {}
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class CompactReader {
  /**
   * Reads `buf` from `start` to its end, with `limits` (defaults: DEFAULT_LIMITS).
   */
  constructor(buf: Uint8Array, limits: DecodeLimits = DEFAULT_LIMITS, start = 0) {
    initReader(this, buf, limits, start);
  }

  /** The id of the previous field of the struct being read (field headers carry deltas). */
  lastField = 0;

  /**
   * Reads a bool inside a container: 1 is true, 0 or 2 false (Apache's libraries write 2, the
   * spec says 0). Any other byte is an InvalidDataError.
   */
  bool(): boolean {
    if (this.pos >= this.end) this.need(1);
    const v = this.buf[this.pos++]!;
    if (v === 1) return true;
    if (v === 0 || v === 2) return false;
    throw new InvalidDataError(
      `bool byte ${v} is neither 1 (true) nor 0 or 2 (false)`,
      this.pos - 1,
    );
  }

  /** Reads an i8. */
  byte(): number {
    if (this.pos >= this.end) this.need(1);
    return (this.buf[this.pos++]! << 24) >> 24;
  }

  /**
   * Reads a varint of at most 5 bytes whose value fits in 32 bits; returns it as an int32 (the
   * caller reads it as unsigned with `>>> 0`). Throws for a varint that is cut off, longer than
   * 5 bytes or wider than 32 bits.
   */
  varint(): number {
    const b = this.buf;
    const p = this.pos;
    if (p < this.end) {
      const x = b[p]!;
      if (x < 0x80) {
        this.pos = p + 1;
        return x;
      }
    }
    return this.varintSlow(p);
  }

  private varintSlow(at: number): number {
    const b = this.buf;
    let p = at;
    let v = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (p >= this.end) {
        throw new EndOfInputError(
          `the input ends inside a varint (${p - at} byte${p - at === 1 ? '' : 's'} read, each with the continuation bit set)`,
          at,
        );
      }
      const x = b[p++]!;
      if (shift === 28 && x > 0x0f) {
        throw new InvalidDataError(
          x >= 0x80
            ? 'varint longer than 5 bytes for a 32-bit value (overlong or unterminated)'
            : `varint wider than 32 bits (5th byte 0x${x.toString(16)}; at most 0x0f)`,
          at,
        );
      }
      v |= (x & 0x7f) << shift;
      if (x < 0x80) {
        this.pos = p;
        return v;
      }
    }
    /* c8 ignore next */
    throw new InvalidDataError('varint longer than 5 bytes', at);
  }

  /** Reads an i32 (a zigzag varint). */
  i32(): number {
    const z = this.varint();
    return (z >>> 1) ^ -(z & 1);
  }

  /** Reads an i16 (a zigzag varint); a value outside the i16 range is an InvalidDataError. */
  i16(): number {
    const at = this.pos;
    const v = this.i32();
    if (v < -32768 || v > 32767) throw new InvalidDataError(`i16 value ${v} is out of range`, at);
    return v;
  }

  /**
   * Reads an i64 (a zigzag varint of up to 10 bytes) as a bigint. Throws for a varint that is cut
   * off, longer than 10 bytes or wider than 64 bits.
   */
  i64(): bigint {
    const b = this.buf;
    const at = this.pos;
    let p = at;
    let lo = 0;
    let hi = 0;
    let shift = 0;
    for (;;) {
      if (p >= this.end) {
        throw new EndOfInputError(
          `the input ends inside a varint (${p - at} byte${p - at === 1 ? '' : 's'} read, each with the continuation bit set)`,
          at,
        );
      }
      const x = b[p++]!;
      const bits = x & 0x7f;
      if (shift < 28) lo |= bits << shift;
      else if (shift === 28) {
        lo |= bits << 28;
        hi = bits >>> 4;
      } else if (shift < 63) hi |= bits << (shift - 32);
      else if (x > 0x01) {
        throw new InvalidDataError(
          x >= 0x80
            ? 'varint longer than 10 bytes for a 64-bit value (overlong or unterminated)'
            : `varint wider than 64 bits (10th byte 0x${x.toString(16)}; at most 0x01)`,
          at,
        );
      } else hi |= bits << 31;
      if (x < 0x80) break;
      shift += 7;
    }
    this.pos = p;
    // Un-zigzag across the halves: (z >>> 1) ^ -(z & 1).
    const sign = -(lo & 1);
    const rlo = ((lo >>> 1) | (hi << 31)) ^ sign;
    const rhi = (hi >>> 1) ^ sign;
    return i64FromHalves(rlo, rhi);
  }

  /** Reads a little-endian IEEE 754 double. */
  double(): number {
    if (this.end - this.pos < 8) this.need(8);
    const v = takeDoubleLE(this.buf, this.pos);
    this.pos += 8;
    return v;
  }

  /** Reads a varint length and checks it against `max` and the bytes that remain. */
  length(max: number, what: string): number {
    const at = this.pos;
    const n = this.varint();
    if (n < 0) {
      throw new LimitExceededError(`${what} length ${n >>> 0} exceeds the limit of ${max}`, at);
    }
    return this.checkLength(n, max, what, at);
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

  /** Reads length-prefixed binary data as a copy (so it outlives the input buffer). */
  binary(): Uint8Array {
    return this.copy(this.length(this.limits.maxStringLength, 'binary'));
  }

  /**
   * Reads a field header and returns its compact type (0 for STOP), setting `lastField` to the
   * field's id: a delta in the high nibble, or (long form) a zigzag i16 after the type byte.
   * Throws InvalidDataError for a type code that is not a field type or an id out of range.
   */
  field(): number {
    if (this.pos >= this.end) this.need(1);
    const at = this.pos;
    const h = this.buf[this.pos++]!;
    const t = h & 0x0f;
    if (h === 0) return 0;
    if (t === 0 || t > 13) throw this.badFieldType(h, at);
    const d = h >> 4;
    if (d === 0) this.lastField = this.i16();
    else {
      const id = this.lastField + d;
      if (id > 32767) {
        throw new InvalidDataError(
          `field id delta ${d} after field ${this.lastField} passes the largest id 32767`,
          at,
        );
      }
      this.lastField = id;
    }
    return t;
  }

  private badFieldType(h: number, at: number): InvalidDataError {
    return new InvalidDataError(
      `invalid field type code ${h & 0x0f} in field header byte 0x${h.toString(16).padStart(2, '0')}`,
      at,
    );
  }

  /** Reads a list or set header: returns the element type; the size is then in `size`. */
  listBegin(): number {
    if (this.pos >= this.end) this.need(1);
    const at = this.pos;
    const h = this.buf[this.pos++]!;
    const et = h & 0x0f;
    this.checkElemType(et, at, 'element');
    const n = h >> 4 === 15 ? this.sizeVarint() : h >> 4;
    this.checkRoom(n, MIN_SIZE[et]!, at);
    this.size = n;
    return et;
  }

  /** The size the last `listBegin` or `mapBegin` read. */
  size = 0;

  /**
   * Reads a map header: returns `key << 4 | value` element types (0 for an empty map, whose
   * types are not on the wire); the size is then in `size`.
   */
  mapBegin(): number {
    const at = this.pos;
    const n = this.sizeVarint();
    this.size = n;
    if (n === 0) return 0;
    if (this.pos >= this.end) this.need(1);
    const kv = this.buf[this.pos++]!;
    this.checkElemType(kv >> 4, this.pos - 1, 'map key');
    this.checkElemType(kv & 0x0f, this.pos - 1, 'map value');
    this.checkRoom(n, MIN_SIZE[kv >> 4]! + MIN_SIZE[kv & 0x0f]!, at);
    return kv;
  }

  private checkElemType(t: number, at: number, what: string): void {
    if (t === 0 || t > 13) throw new InvalidDataError(`invalid ${what} type code ${t}`, at);
  }

  /** Reads a container size varint and checks it against the limit. */
  private sizeVarint(): number {
    const at = this.pos;
    const n = this.varint();
    const max = this.limits.maxContainerLength;
    if (n < 0 || n > max) {
      throw new LimitExceededError(`container size ${n >>> 0} exceeds the limit of ${max}`, at);
    }
    return n;
  }

  private checkRoom(n: number, elemMin: number, at: number): void {
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
  }

  /** Skips one value of compact type `t` (1 and 2 are bools), with the same checks as reading it. */
  skip(t: number): void {
    switch (t) {
      case CType.BOOLEAN_TRUE:
      case CType.BOOLEAN_FALSE:
        // A field's bool is in its header; an element's is one byte (see `skipElem`).
        return;
      case CType.BYTE:
        this.need(1);
        this.pos += 1;
        return;
      case CType.I16:
        this.i16();
        return;
      case CType.I32:
        this.varint();
        return;
      case CType.I64:
        this.i64();
        return;
      case CType.DOUBLE:
        this.need(8);
        this.pos += 8;
        return;
      case CType.UUID:
        this.need(16);
        this.pos += 16;
        return;
      case CType.BINARY: {
        const n = this.length(this.limits.maxStringLength, 'string');
        this.pos += n;
        return;
      }
      case CType.STRUCT: {
        this.enter();
        const saved = this.lastField;
        this.lastField = 0;
        for (;;) {
          const ft = this.field();
          if (ft === 0) break;
          this.skip(ft);
        }
        this.lastField = saved;
        this.depth--;
        return;
      }
      case CType.MAP: {
        this.enter();
        const kv = this.mapBegin();
        const n = this.size;
        for (let i = 0; i < n; i++) {
          this.skipElem(kv >> 4);
          this.skipElem(kv & 0x0f);
        }
        this.depth--;
        return;
      }
      case CType.SET:
      case CType.LIST: {
        this.enter();
        const et = this.listBegin();
        const n = this.size;
        for (let i = 0; i < n; i++) this.skipElem(et);
        this.depth--;
        return;
      }
      default:
        throw new InvalidDataError(`cannot skip a value of ${ctypeName(t)}`, this.pos);
    }
  }

  /** Skips one container element of compact type `t` (a bool element is one byte). */
  skipElem(t: number): void {
    if (t === CType.BOOLEAN_TRUE || t === CType.BOOLEAN_FALSE) this.bool();
    else this.skip(t);
  }

  /** Smallest size of one element of compact type `t` (for container size checks). */
  static minSize(t: number): number {
    return MIN_SIZE[t] ?? 1;
  }
}

withReaderBase(CompactReader);
