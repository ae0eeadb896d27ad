/**
 * The compact protocol's writer (Apache's doc/specs/thrift-compact-protocol.md): zigzag varints
 * for i16/i32/i64, varint lengths and sizes, little-endian doubles, field headers that carry the
 * id delta (and, for bools, the value), one-byte list headers up to 14 elements. Like the binary
 * writer it fills a buffer whose exact size the encoder computed beforehand (see `CompactSize`).
 */
import { utf8Length, writeUtf8 } from '../../util/utf8.js';
import { allocate } from '../binary/scratch.js';
import { CType } from './types.js';
import { HALVES, i64Halves, putDoubleLE } from './scratch.js';

/** A cursor over an output buffer sized by the caller. Methods do no bounds checks. */
export class CompactWriter {
  readonly buf: Uint8Array;
  pos = 0;

  /**
   * Creates a writer over a new buffer of exactly `size` bytes. Buffers up to 32 KiB are views
   * into a shared pool (see `allocate`): their `.buffer` holds other messages too.
   */
  constructor(size: number) {
    this.buf = allocate(size);
  }

  /** Writes one raw byte (an i8, a bool inside a container, a header byte). */
  byte(v: number): void {
    this.buf[this.pos++] = v & 0xff;
  }

  /** Writes a bool inside a container: 1 for true, 2 for false (what Apache's libraries write). */
  bool(v: boolean): void {
    this.buf[this.pos++] = v ? CType.BOOLEAN_TRUE : CType.BOOLEAN_FALSE;
  }

  /** Writes `v` (taken as an unsigned 32-bit integer) as a varint of 1 to 5 bytes. */
  varint(v: number): void {
    const b = this.buf;
    let p = this.pos;
    v >>>= 0;
    while (v > 0x7f) {
      b[p++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    b[p++] = v;
    this.pos = p;
  }

  /** Writes an i16 as a zigzag varint. */
  i16(v: number): void {
    this.i32(v);
  }

  /** Writes an i32 as a zigzag varint. */
  i32(v: number): void {
    const b = this.buf;
    let z = ((v << 1) ^ (v >> 31)) >>> 0;
    if (z < 0x80) {
      b[this.pos++] = z;
      return;
    }
    let p = this.pos;
    while (z > 0x7f) {
      b[p++] = (z & 0x7f) | 0x80;
      z >>>= 7;
    }
    b[p++] = z;
    this.pos = p;
  }

  /** Writes an i64 (a bigint, or a safe-integer number) as a zigzag varint of 1 to 10 bytes. */
  i64(v: bigint | number): void {
    i64Halves(v);
    const hi = HALVES[1]!;
    const lo = HALVES[0]!;
    const sign = hi >> 31;
    let zlo = ((lo << 1) ^ sign) >>> 0;
    let zhi = (((hi << 1) | (lo >>> 31)) ^ sign) >>> 0;
    const b = this.buf;
    let p = this.pos;
    // 7 bits at a time across the two 32-bit halves.
    while (zhi !== 0 || zlo > 0x7f) {
      b[p++] = (zlo & 0x7f) | 0x80;
      zlo = ((zlo >>> 7) | (zhi << 25)) >>> 0;
      zhi >>>= 7;
    }
    b[p++] = zlo;
    this.pos = p;
  }

  /** Writes an IEEE 754 double, little-endian (the compact protocol's byte order for doubles). */
  double(v: number): void {
    putDoubleLE(this.buf, this.pos, v);
    this.pos += 8;
  }

  /**
   * Writes a string as a varint length and its UTF-8 bytes. The UTF-8 length lies between
   * `s.length` and three times that; when both take as many varint bytes, the bytes are written
   * first and the length after them, else the length is computed first.
   */
  string(s: string): void {
    const n = s.length;
    const k = varintSize(n);
    if (k !== varintSize(n * 3)) {
      this.varint(utf8Length(s));
      this.pos = writeUtf8(this.buf, this.pos, s);
      return;
    }
    const start = this.pos;
    const end = writeUtf8(this.buf, start + k, s);
    this.varint(end - start - k);
    this.pos = end;
  }

  /** Writes binary data as a varint length and the bytes. */
  binary(v: Uint8Array): void {
    this.varint(v.length);
    this.buf.set(v, this.pos);
    this.pos += v.length;
  }

  /** Writes raw bytes (a uuid's 16). */
  raw(v: Uint8Array): void {
    this.buf.set(v, this.pos);
    this.pos += v.length;
  }

  /**
   * Writes a field header of compact type `ctype` for field `id`, the previous field of the
   * struct being `last` (0 for the first): one byte `delta << 4 | type` when the delta is 1 to
   * 15, else the type byte and the id as a zigzag varint (the long form).
   */
  field(ctype: number, id: number, last: number): void {
    const d = id - last;
    if (d > 0 && d <= 15) this.buf[this.pos++] = (d << 4) | ctype;
    else {
      this.buf[this.pos++] = ctype;
      this.i32(id);
    }
  }

  /** Writes the STOP byte that ends a struct. */
  fieldStop(): void {
    this.buf[this.pos++] = 0;
  }

  /** Writes a list or set header: `size << 4 | type` up to 14 elements, else `0xf_` and a varint size. */
  listBegin(elemType: number, size: number): void {
    if (size < 15) this.buf[this.pos++] = (size << 4) | elemType;
    else {
      this.buf[this.pos++] = 0xf0 | elemType;
      this.varint(size);
    }
  }

  /** Writes a map header: a single 0 byte when empty, else a varint size and `key << 4 | value`. */
  mapBegin(keyType: number, valueType: number, size: number): void {
    if (size === 0) this.buf[this.pos++] = 0;
    else {
      this.varint(size);
      this.buf[this.pos++] = (keyType << 4) | valueType;
    }
  }
}

/** Bytes an unsigned 32-bit value takes as a varint (1 to 5). */
export function varintSize(v: number): number {
  v >>>= 0;
  return v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 5;
}

/** Bytes an i16 or i32 takes as a zigzag varint (1 to 5). */
export function zigzagSize(v: number): number {
  return varintSize((v << 1) ^ (v >> 31));
}

/** Bytes an i64 (bigint or safe-integer number) takes as a zigzag varint (1 to 10). */
export function i64Size(v: bigint | number): number {
  i64Halves(v);
  const hi = HALVES[1]!;
  const lo = HALVES[0]!;
  const sign = hi >> 31;
  const zhi = (((hi << 1) | (lo >>> 31)) ^ sign) >>> 0;
  if (zhi === 0) return varintSize((lo << 1) ^ sign);
  // 32 low bits plus the significant bits of the high half, 7 bits a byte.
  return Math.ceil((64 - Math.clz32(zhi)) / 7);
}

/** Sizes in bytes of fixed compact-protocol pieces, for the encoder's size pass. */
export const CompactSize = {
  stop: 1,
  bool: 1,
  byte: 1,
  double: 8,
  uuid: 16,
} as const;
