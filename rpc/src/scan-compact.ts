/**
 * Where a compact-protocol message ends, found incrementally, as scan.ts does for binary: the
 * walk keeps its place between chunks (a stack of open structs and containers), so a message
 * arriving in many small pieces is read once in total (a varint cut by a chunk is read again
 * from its first byte: at most 10 bytes). Lengths, sizes and nesting are checked against the
 * limits before the bytes they announce arrive; overlong varints are refused as soon as seen.
 */
import { InvalidDataError, LimitExceededError } from '../../codec/src/index.js';
import { NONE, ScanState } from './scan.js';

/** Fixed encoded size of an element of each compact type (0: variable or none); bools are 1. */
const FIXED_SIZE: readonly number[] = [0, 1, 1, 1, 0, 0, 0, 8, 0, 0, 0, 0, 0, 16];
/** Least encoded size of an element of each compact type. */
const MIN_SIZE: readonly number[] = [0, 1, 1, 1, 1, 1, 1, 8, 1, 1, 1, 1, 1, 16];
const STRUCT = 12;

const enum Stage {
  Start,
  Seqid,
  Name,
  Body,
}

/** Resumable search for the end of one compact-protocol message (same interface as MessageScanner). */
export class CompactMessageScanner extends ScanState {
  /**
   * Continues over `buf[base .. base + available)` (the message's bytes from its start). Returns
   * the message's length once it is complete, else -1. Throws InvalidDataError for bytes that
   * cannot be a compact message and LimitExceededError for a length, depth or size over the
   * limits.
   */
  scan(buf: Uint8Array, base: number, available: number): number {
    const b = buf.subarray(base, base + available);
    for (;;) {
      if (this.pos > available) return -1;
      if (this.stage !== Stage.Body) {
        if (!this.header(b)) return -1;
        continue;
      }
      if (this.pending !== NONE) {
        if (!this.value(b)) return -1;
        continue;
      }
      const top = this.frames[this.frames.length - 1];
      if (top === undefined) return this.pos;
      if (top.struct) {
        if (this.pos + 1 > b.length) return -1;
        const at = this.pos;
        const h = b[at]!;
        if (h === 0) {
          this.frames.pop();
          this.advance(1);
          continue;
        }
        const t = h & 0x0f;
        if (t === 0 || t > 13) throw new InvalidDataError(`invalid field type code ${t}`, at);
        if (h >> 4 === 0) {
          const id = this.varint(b, at + 1, 5);
          if (id === undefined) return -1;
          this.advance(1 + id.length);
        } else this.advance(1);
        // A bool field's value is its header's type.
        if (t !== 1 && t !== 2) this.pending = t;
      } else if (top.remaining === 0) {
        this.frames.pop();
      } else {
        const kSize = FIXED_SIZE[top.keyType]!;
        const vSize = top.valueType === NONE ? kSize : FIXED_SIZE[top.valueType]!;
        if (kSize > 0 && vSize > 0 && (top.total - top.remaining) % 2 === 0) {
          const pairs = top.valueType === NONE ? top.remaining : top.remaining / 2;
          this.advance(pairs * (top.valueType === NONE ? kSize : kSize + vSize));
          top.remaining = 0;
        } else {
          const isKey = top.valueType === NONE || (top.total - top.remaining) % 2 === 0;
          top.remaining--;
          const t = isKey ? top.keyType : top.valueType;
          if (FIXED_SIZE[t]! > 0) this.advance(FIXED_SIZE[t]!);
          else this.pending = t;
        }
      }
    }
  }

  /**
   * The varint at `at` (at most `max` bytes): its value (as an int32) and length, or undefined
   * when it has not fully arrived. Throws InvalidDataError when it is longer than `max` bytes.
   */
  private varint(
    b: Uint8Array,
    at: number,
    max: 5 | 10,
  ): { value: number; length: number } | undefined {
    let v = 0;
    for (let i = 0; i < max; i++) {
      if (at + i >= b.length) return undefined;
      const x = b[at + i]!;
      if (i < 5) v |= (x & 0x7f) << (7 * i);
      if (x < 0x80) return { value: v, length: i + 1 };
    }
    throw new InvalidDataError(`varint longer than ${max} bytes`, at);
  }

  /** A varint length or size at `pos`, checked against `max`; undefined when not yet arrived. */
  private size(
    b: Uint8Array,
    max: number,
    what: string,
  ): { n: number; length: number } | undefined {
    const v = this.varint(b, this.pos, 5);
    if (v === undefined) return undefined;
    if (v.value < 0 || v.value > max) {
      throw new LimitExceededError(
        `${what} ${v.value >>> 0} exceeds the limit of ${max}`,
        this.pos,
      );
    }
    return { n: v.value, length: v.length };
  }

  /** Skips a string at `pos`; false when its length has not arrived. */
  private string(b: Uint8Array, what: string): boolean {
    const s = this.size(b, this.limits.maxStringLength, `${what} length`);
    if (s === undefined) return false;
    this.advance(s.length + s.n);
    return true;
  }

  private header(b: Uint8Array): boolean {
    const at = this.pos;
    switch (this.stage) {
      case Stage.Start: {
        if (at + 2 > b.length) return false;
        if (b[at] !== 0x82) {
          throw new InvalidDataError(
            `bad protocol id 0x${b[at]!.toString(16)} (compact is 0x82)`,
            at,
          );
        }
        const vt = b[at + 1]!;
        if ((vt & 0x1f) !== 1)
          throw new InvalidDataError(`bad compact version ${vt & 0x1f}`, at + 1);
        if (vt >> 5 < 1 || vt >> 5 > 4)
          throw new InvalidDataError(`unknown message type ${vt >> 5}`, at + 1);
        this.advance(2);
        this.stage = Stage.Seqid;
        return true;
      }
      case Stage.Seqid: {
        const v = this.varint(b, at, 5);
        if (v === undefined) return false;
        this.advance(v.length);
        this.stage = Stage.Name;
        return true;
      }
      case Stage.Name:
        if (!this.string(b, 'method name')) return false;
        this.stage = Stage.Body;
        this.pending = STRUCT;
        return true;
      default:
        return true;
    }
  }

  /** Skips (or opens) the value of compact type `pending` at `pos`; false when it has not arrived. */
  private value(b: Uint8Array): boolean {
    const t = this.pending;
    const at = this.pos;
    switch (t) {
      case 4:
      case 5:
      case 6: {
        const v = this.varint(b, at, t === 6 ? 10 : 5);
        if (v === undefined) return false;
        this.advance(v.length);
        break;
      }
      case 8:
        if (!this.string(b, 'string')) return false;
        break;
      case STRUCT:
        this.open({ struct: true, keyType: NONE, valueType: NONE, remaining: 0, total: 0 });
        break;
      case 9:
      case 10: {
        if (at + 1 > b.length) return false;
        const h = b[at]!;
        const et = elemType(h & 0x0f, at);
        let n = h >> 4;
        let length = 1;
        if (n === 15) {
          this.pos = at + 1;
          const s = this.size(b, this.limits.maxContainerLength, 'container size');
          this.pos = at;
          if (s === undefined) return false;
          n = s.n;
          length += s.length;
        }
        this.room(n * MIN_SIZE[et]!, at, length);
        this.advance(length);
        this.open({ struct: false, keyType: et, valueType: NONE, remaining: n, total: n });
        break;
      }
      case 11: {
        const s = this.size(b, this.limits.maxContainerLength, 'container size');
        if (s === undefined) return false;
        if (s.n === 0) {
          this.advance(s.length);
          break;
        }
        if (at + s.length + 1 > b.length) return false;
        const kv = b[at + s.length]!;
        const kt = elemType(kv >> 4, at + s.length);
        const vt = elemType(kv & 0x0f, at + s.length);
        this.room(s.n * (MIN_SIZE[kt]! + MIN_SIZE[vt]!), at, s.length + 1);
        this.advance(s.length + 1);
        this.open({
          struct: false,
          keyType: kt,
          valueType: vt,
          remaining: 2 * s.n,
          total: 2 * s.n,
        });
        break;
      }
      default: {
        const fixed = FIXED_SIZE[t] ?? 0;
        if (fixed === 0) throw new InvalidDataError(`cannot skip a value of compact type ${t}`, at);
        this.advance(fixed);
      }
    }
    this.pending = NONE;
    return true;
  }

  /** Refuses a container whose least size would pass the message limit. */
  private room(least: number, at: number, header: number): void {
    if (at + header + least > this.limits.maxMessageSize) {
      throw new LimitExceededError(
        `container needs at least ${least} bytes, more than the limit of ${this.limits.maxMessageSize} allows`,
        at,
      );
    }
  }
}

function elemType(t: number, at: number): number {
  if (t === 0 || t > 13) throw new InvalidDataError(`invalid element type code ${t}`, at);
  return t;
}
