/**
 * The binary protocol's reader. Every read checks the bytes that remain first, so truncated or
 * hostile input throws an EndOfInputError / LimitExceededError / InvalidDataError (all
 * ProtocolErrors) with the byte offset, and never allocates more than the input could hold.
 */
import { EndOfInputError, InvalidDataError, LimitExceededError } from '../../errors.js';
import { TType, ttypeName } from '../../wire/ttype.js';
import type { DecodeLimits } from '../limits.js';
import { DEFAULT_LIMITS } from '../limits.js';
import { allocate, takeDouble, takeI64 } from './scratch.js';

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Map keys at most this long (ASCII) go through the key cache; it holds KEY_CACHE_SIZE keys. */
const KEY_CACHE_MAX_LENGTH = 32;
const KEY_CACHE_SIZE = 1024;
const keyCache: (string | undefined)[] = new Array<string | undefined>(KEY_CACHE_SIZE);

/** Strings at most this long are decoded by hand (a loop beats TextDecoder's call cost). */
const SHORT_STRING = 48;

// Kept in this module: a call across modules costs a live-binding lookup under some loaders.
/**
 * Decodes `buf[start, end)` as UTF-8. Returns `undefined` when the bytes are not valid UTF-8 (the
 * caller turns that into a ProtocolError with its offset).
 */
function readUtf8(buf: Uint8Array, start: number, end: number): string | undefined {
  if (end - start <= SHORT_STRING) {
    let bits = 0;
    for (let i = start; i < end; i++) bits |= buf[i]!;
    if (bits < 0x80) return readAscii(buf, start, end);
  }
  try {
    return decoder.decode(buf.subarray(start, end));
  } catch {
    return undefined;
  }
}

const chr = String.fromCharCode;

/** Decodes ASCII bytes with as few String.fromCharCode calls (and string pieces) as it can. */
function readAscii(b: Uint8Array, i: number, end: number): string {
  let out = '';
  for (; i + 8 <= end; i += 8) {
    out += chr(b[i]!, b[i + 1]!, b[i + 2]!, b[i + 3]!, b[i + 4]!, b[i + 5]!, b[i + 6]!, b[i + 7]!);
  }
  switch (end - i) {
    case 0:
      return out;
    case 1:
      return out + chr(b[i]!);
    case 2:
      return out + chr(b[i]!, b[i + 1]!);
    case 3:
      return out + chr(b[i]!, b[i + 1]!, b[i + 2]!);
    case 4:
      return out + chr(b[i]!, b[i + 1]!, b[i + 2]!, b[i + 3]!);
    case 5:
      return out + chr(b[i]!, b[i + 1]!, b[i + 2]!, b[i + 3]!, b[i + 4]!);
    case 6:
      return out + chr(b[i]!, b[i + 1]!, b[i + 2]!, b[i + 3]!, b[i + 4]!, b[i + 5]!);
    default:
      return out + chr(b[i]!, b[i + 1]!, b[i + 2]!, b[i + 3]!, b[i + 4]!, b[i + 5]!, b[i + 6]!);
  }
}

/** Smallest number of bytes one value of each wire type takes, for container size checks. */
const MIN_SIZE: readonly number[] = [0, 0, 1, 1, 8, 0, 2, 0, 4, 0, 8, 4, 1, 6, 5, 5, 16];

/** A cursor over input bytes with limits. Reusable: `reset` points it at new input. */
export class BinaryReader {
  buf: Uint8Array;
  pos: number;
  end: number;
  depth = 0;
  /** How many object values (structs, containers, binaries) this reader has created. */
  values = 0;
  /** `limits.maxValues`, kept here for the generated decoders' hot path. */
  readonly maxValues: number;
  readonly limits: DecodeLimits;

  /** Reads `buf` from `start` to its end, with `limits` (defaults: DEFAULT_LIMITS). */
  constructor(buf: Uint8Array, limits: DecodeLimits = DEFAULT_LIMITS, start = 0) {
    this.buf = buf;
    this.pos = start;
    this.end = buf.length;
    this.limits = limits;
    this.maxValues = limits.maxValues ?? DEFAULT_LIMITS.maxValues;
  }

  /**
   * Counts one decoded object value (a struct or container); throws LimitExceededError past
   * `limits.maxValues`.
   */
  count(): void {
    if (++this.values > this.maxValues) throw this.tooManyValues(1);
  }

  /**
   * Checks, before a container of `n` object elements is decoded, that they fit in what remains
   * of `limits.maxValues` (each element counts itself when decoded); throws LimitExceededError.
   */
  reserve(n: number): void {
    if (this.values + n > this.maxValues) throw this.tooManyValues(n);
  }

  private tooManyValues(n: number): LimitExceededError {
    return new LimitExceededError(
      `${this.values + n} values (structs, containers and binaries) would pass the limit of ` +
        `${this.maxValues} for one message (limits.maxValues; raise it if such messages are expected)`,
      this.pos,
    );
  }

  /** Throws EndOfInputError unless `n` more bytes remain. */
  need(n: number): void {
    if (this.end - this.pos < n) {
      throw new EndOfInputError(
        `needed ${n} byte${n === 1 ? '' : 's'} but only ${this.end - this.pos} remain`,
        this.pos,
      );
    }
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

  /** Reads a length prefix and checks it against `max` and the bytes that remain. */
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
    const start = this.pos;
    const s = readUtf8(this.buf, start, start + n);
    if (s === undefined) throw new InvalidDataError('string is not valid UTF-8', start);
    this.pos = start + n;
    return s;
  }

  /**
   * Reads a string used as a map key. Short ASCII keys go through a small cache of recently seen
   * keys, as V8's JSON.parse does for object keys: map keys repeat across messages, and reusing
   * the string saves creating it and hashing it again when it goes into the Map.
   */
  mapKey(): string {
    const n = this.length(this.limits.maxStringLength, 'string');
    const start = this.pos;
    const end = start + n;
    if (n > KEY_CACHE_MAX_LENGTH) return this.finishString(start, end);
    const b = this.buf;
    let h = n;
    let bits = 0;
    for (let i = start; i < end; i++) {
      const c = b[i]!;
      bits |= c;
      h = Math.imul(h ^ c, 0x01000193);
    }
    if (bits >= 0x80) return this.finishString(start, end);
    const slot = (h >>> 0) & (KEY_CACHE_SIZE - 1);
    const cached = keyCache[slot];
    if (cached !== undefined && cached.length === n) {
      let same = true;
      for (let i = 0; i < n; i++) {
        if (cached.charCodeAt(i) !== b[start + i]) {
          same = false;
          break;
        }
      }
      if (same) {
        this.pos = end;
        return cached;
      }
    }
    const s = readAscii(b, start, end);
    keyCache[slot] = s;
    this.pos = end;
    return s;
  }

  private finishString(start: number, end: number): string {
    const s = readUtf8(this.buf, start, end);
    if (s === undefined) throw new InvalidDataError('string is not valid UTF-8', start);
    this.pos = end;
    return s;
  }

  /**
   * Reads length-prefixed binary data as a copy (so it outlives the input buffer). Copies up to
   * 32 KiB come from the shared pool (see `allocate`), which saves an ArrayBuffer per value.
   */
  binary(): Uint8Array {
    const n = this.length(this.limits.maxStringLength, 'binary');
    this.count();
    const out = allocate(n);
    out.set(this.buf.subarray(this.pos, this.pos + n));
    this.pos += n;
    return out;
  }

  /** Reads `n` raw bytes (a copy). */
  raw(n: number): Uint8Array {
    this.need(n);
    const out = this.buf.slice(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /**
   * Opens a decoded struct or container: `enter` and `count` in one call (the generated decoders'
   * hot path). Throws LimitExceededError past `maxDepth` or `maxValues`.
   */
  open(): void {
    if (++this.depth > this.limits.maxDepth) throw this.tooDeep();
    if (++this.values > this.maxValues) throw this.tooManyValues(0);
  }

  /** Enters a struct or container: throws LimitExceededError past `maxDepth`. */
  enter(): void {
    if (++this.depth > this.limits.maxDepth) throw this.tooDeep();
  }

  private tooDeep(): LimitExceededError {
    return new LimitExceededError(
      `nesting deeper than the limit of ${this.limits.maxDepth} (limits.maxDepth)`,
      this.pos,
    );
  }

  /**
   * Turns a JavaScript stack overflow met while reading into a LimitExceededError at the current
   * offset (a backstop: `maxDepth` is capped so that this should not happen, but the caller's
   * own stack may already be deep). Returns any other error unchanged.
   */
  stackOverflow(e: unknown): unknown {
    if (!(e instanceof RangeError) || !/call stack/i.test(e.message)) return e;
    return new LimitExceededError(
      `nesting at depth ${this.depth} ran out of JavaScript stack; lower limits.maxDepth or ` +
        `decode from a shallower call stack`,
      this.pos,
    );
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
