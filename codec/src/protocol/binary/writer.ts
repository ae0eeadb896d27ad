/**
 * The binary protocol's writer (Apache's doc/specs/thrift-binary-protocol.md): big-endian
 * fixed-width integers, IEEE 754 doubles, 4-byte length prefixes. It writes into a buffer whose
 * exact size the encoder computed beforehand, so a value is copied once and never regrown.
 */
import { writeUtf8 } from '../../util/utf8.js';
import { allocate, putDouble, putI64 } from './scratch.js';

/** A cursor over an output buffer sized by the caller. Methods do no bounds checks. */
export class BinaryWriter {
  readonly buf: Uint8Array;
  pos = 0;

  /**
   * Creates a writer over a new buffer of exactly `size` bytes. Buffers up to 32 KiB are views
   * into a shared pool (see `allocate`): their `.buffer` holds other messages too.
   */
  constructor(size: number) {
    this.buf = allocate(size);
  }

  /** Writes a bool as one byte, 1 or 0. */
  bool(v: boolean): void {
    this.buf[this.pos++] = v ? 1 : 0;
  }

  /** Writes an i8 (two's complement). */
  byte(v: number): void {
    this.buf[this.pos++] = v & 0xff;
  }

  /** Writes a big-endian i16. */
  i16(v: number): void {
    const p = this.pos;
    this.buf[p] = (v >> 8) & 0xff;
    this.buf[p + 1] = v & 0xff;
    this.pos = p + 2;
  }

  /** Writes a big-endian i32. */
  i32(v: number): void {
    const p = this.pos;
    const b = this.buf;
    b[p] = v >>> 24;
    b[p + 1] = (v >>> 16) & 0xff;
    b[p + 2] = (v >>> 8) & 0xff;
    b[p + 3] = v & 0xff;
    this.pos = p + 4;
  }

  /** Writes a big-endian i64 from a bigint (or a safe-integer number). */
  i64(v: bigint | number): void {
    putI64(this.buf, this.pos, typeof v === 'bigint' ? v : BigInt(v));
    this.pos += 8;
  }

  /** Writes a big-endian IEEE 754 double. */
  double(v: number): void {
    putDouble(this.buf, this.pos, v);
    this.pos += 8;
  }

  /** Writes a string as a 4-byte length and its UTF-8 bytes. */
  string(s: string): void {
    const start = this.pos + 4;
    const end = writeUtf8(this.buf, start, s);
    this.i32(end - start);
    this.pos = end;
  }

  /** Writes binary data as a 4-byte length and the bytes. */
  binary(v: Uint8Array): void {
    this.i32(v.length);
    this.buf.set(v, this.pos);
    this.pos += v.length;
  }

  /** Writes 16 raw bytes (a uuid). */
  raw(v: Uint8Array): void {
    this.buf.set(v, this.pos);
    this.pos += v.length;
  }

  /** Writes a field header: the type code (1 byte) and the field id (i16). */
  fieldBegin(ttype: number, id: number): void {
    const p = this.pos;
    this.buf[p] = ttype;
    this.buf[p + 1] = (id >> 8) & 0xff;
    this.buf[p + 2] = id & 0xff;
    this.pos = p + 3;
  }

  /** Writes the STOP byte that ends a struct. */
  fieldStop(): void {
    this.buf[this.pos++] = 0;
  }

  /** Writes a list or set header: element type (1 byte) and size (i32). */
  listBegin(elemType: number, size: number): void {
    this.buf[this.pos++] = elemType;
    this.i32(size);
  }

  /** Writes a map header: key type, value type (1 byte each) and size (i32). */
  mapBegin(keyType: number, valueType: number, size: number): void {
    this.buf[this.pos++] = keyType;
    this.buf[this.pos++] = valueType;
    this.i32(size);
  }
}

/** Sizes in bytes of binary-protocol pieces, for the encoder's size pass. */
export const BinarySize = {
  fieldHeader: 3,
  stop: 1,
  listHeader: 5,
  mapHeader: 6,
  bool: 1,
  byte: 1,
  i16: 2,
  i32: 4,
  i64: 8,
  double: 8,
  lengthPrefix: 4,
  uuid: 16,
} as const;
