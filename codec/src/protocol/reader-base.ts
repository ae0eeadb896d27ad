/**
 * The part of a protocol reader that does not depend on the protocol: a cursor over input bytes,
 * the decoding limits (depth and values; lengths are checked by each protocol), and UTF-8
 * decoding. Every check throws a ProtocolError with the byte offset.
 */
import { EndOfInputError, InvalidDataError, LimitExceededError } from '../errors.js';
import { allocate } from './binary/scratch.js';
import type { DecodeLimits } from './limits.js';
import { DEFAULT_LIMITS } from './limits.js';

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

/**
 * What every protocol's reader shares: the cursor, the limits (depth, values), length checks and
 * UTF-8 decoding that reports bad bytes as a ProtocolError with their offset. Its methods are
 * copied onto each reader class (`withReaderBase`) rather than inherited: a derived class's
 * construction costs V8 about 20 ns more, which is a seventh of decoding a small message.
 */
export class ReaderBase {
  declare buf: Uint8Array;
  declare pos: number;
  declare end: number;
  declare depth: number;
  /** How many object values (structs, containers, binaries) this reader has created. */
  declare values: number;
  /** `limits.maxValues`, kept here for the generated decoders' hot path. */
  declare maxValues: number;
  declare limits: DecodeLimits;

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

  /** The error for `n` more values than `maxValues` allows. */
  tooManyValues(n: number): LimitExceededError {
    return new LimitExceededError(
      `${this.values + n} values (structs, containers and binaries) would pass the limit of ` +
        `${this.maxValues} for one message (limits.maxValues; raise it if such messages are expected)`,
      this.pos,
    );
  }

  /**
   * Checks a length `n` read at `at` against `max` and the bytes that remain; returns it. Throws
   * LimitExceededError or EndOfInputError.
   */
  checkLength(n: number, max: number, what: string, at: number): number {
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

  /** Reads `n` raw bytes (a copy). Throws EndOfInputError. */
  raw(n: number): Uint8Array {
    this.need(n);
    const out = this.buf.slice(this.pos, this.pos + n);
    this.pos += n;
    return out;
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

  /** The error for nesting past `maxDepth`. */
  tooDeep(): LimitExceededError {
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
   * Decodes the map key at `buf[start, end)` and moves past it. Short ASCII keys go through a
   * small cache of recently seen keys, as V8's JSON.parse does for object keys: map keys repeat
   * across messages, and reusing the string saves creating it and hashing it again when it goes
   * into the Map. Invalid UTF-8 is an InvalidDataError.
   */
  keyAt(start: number, end: number): string {
    const n = end - start;
    if (n > KEY_CACHE_MAX_LENGTH) return this.utf8At(start, end);
    const b = this.buf;
    let h = n;
    let bits = 0;
    for (let i = start; i < end; i++) {
      const c = b[i]!;
      bits |= c;
      h = Math.imul(h ^ c, 0x01000193);
    }
    if (bits >= 0x80) return this.utf8At(start, end);
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

  /** Decodes `buf[start, end)` as UTF-8 and moves past it; invalid UTF-8 is an InvalidDataError. */
  utf8At(start: number, end: number): string {
    const s = readUtf8(this.buf, start, end);
    if (s === undefined) throw new InvalidDataError('string is not valid UTF-8', start);
    this.pos = end;
    return s;
  }

  /**
   * Copies `n` bytes at the cursor (checked by the caller) and moves past them, counting one
   * value. Copies up to 32 KiB come from the shared pool (see `allocate`).
   */
  copy(n: number): Uint8Array {
    this.count();
    const out = allocate(n);
    out.set(this.buf.subarray(this.pos, this.pos + n));
    this.pos += n;
    return out;
  }
}

/**
 * Sets a new reader's state: reading `buf` from `start` to its end with `limits` (every reader
 * class's constructor calls it first, so their objects share one shape).
 */
export function initReader(
  r: ReaderBase,
  buf: Uint8Array,
  limits: DecodeLimits,
  start: number,
): void {
  r.depth = 0;
  r.values = 0;
  r.buf = buf;
  r.pos = start;
  r.end = buf.length;
  r.limits = limits;
  r.maxValues = limits.maxValues ?? DEFAULT_LIMITS.maxValues;
}

/** Copies ReaderBase's methods onto a reader class's prototype (see ReaderBase). */
export function withReaderBase(cls: { prototype: object }): void {
  for (const name of Object.getOwnPropertyNames(ReaderBase.prototype)) {
    if (name === 'constructor') continue;
    const d = Object.getOwnPropertyDescriptor(ReaderBase.prototype, name);
    if (d !== undefined) Object.defineProperty(cls.prototype, name, d);
  }
}
