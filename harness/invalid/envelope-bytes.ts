/**
 * Hand-built envelope bytes for the invalid-input matrix, and a small reader of what comes back,
 * written apart from the codec under test (the harness must not judge our codec with itself).
 * Binary (strict and non-strict envelopes) and compact (one envelope form), per the Apache specs
 * `doc/specs/thrift-binary-protocol.md` and `thrift-compact-protocol.md` ("Message").
 */

/** A wire protocol of the matrix. */
export type WireProtocol = 'binary' | 'compact';

/** The fields of one envelope header, and what to get wrong in it. */
export interface EnvelopeSpec {
  readonly protocol: WireProtocol;
  /** Binary only: the strict (versioned) form, else the old one. Compact has one form. */
  readonly strict: boolean;
  /** The message type (1 CALL, 2 REPLY, 3 EXCEPTION, 4 ONEWAY; anything 0–7 may be written). */
  readonly type: number;
  readonly name: string;
  readonly seqid: number;
  /** The version written: binary 15 bits (default 1), compact 5 bits (default 1). */
  readonly version?: number;
  /** Binary strict: the byte the spec calls "unused" (default 0). */
  readonly unused?: number;
  /** Added to the name's true byte length in its length prefix (default 0). */
  readonly nameLengthDelta?: number;
}

const utf8 = new TextEncoder();

/** A big-endian int32's 4 bytes. */
function be32(n: number): number[] {
  return [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
}

/** A compact unsigned varint of a non-negative 32-bit number. */
function varint(n: number): number[] {
  const out: number[] = [];
  let v = n >>> 0;
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
  return out;
}

/** The zigzag form of an int32. */
function zigzag(n: number): number {
  return ((n << 1) ^ (n >> 31)) >>> 0;
}

/**
 * The bytes of one envelope header as `spec` says (its mistakes included). Throws RangeError for
 * a type outside 0–7 or a binary non-strict header asked for a version (it has none).
 */
export function envelopeHeader(spec: EnvelopeSpec): Uint8Array {
  if (!Number.isInteger(spec.type) || spec.type < 0 || spec.type > 7)
    throw new RangeError(`message type ${spec.type} does not fit 3 bits; give 0–7`);
  const name = utf8.encode(spec.name);
  const nameLength = name.length + (spec.nameLengthDelta ?? 0);
  if (spec.protocol === 'compact') {
    const version = spec.version ?? 1;
    return Uint8Array.from([
      0x82,
      ((spec.type << 5) | (version & 0x1f)) & 0xff,
      ...varint(spec.seqid >>> 0), // a plain var int (not zigzag), as Apache writes it
      ...varint(nameLength),
      ...name,
    ]);
  }
  if (!spec.strict) {
    if (spec.version !== undefined)
      throw new RangeError('a non-strict binary envelope has no version; use strict: true');
    return Uint8Array.from([...be32(nameLength), ...name, spec.type, ...be32(spec.seqid)]);
  }
  const version = spec.version ?? 1;
  return Uint8Array.from([
    0x80 | ((version >> 8) & 0x7f),
    version & 0xff,
    spec.unused ?? 0,
    spec.type,
    ...be32(nameLength),
    ...name,
    ...be32(spec.seqid),
  ]);
}

/** A struct of string fields (`[id, text]` in order), then the stop byte, in `protocol`. */
export function stringFieldsStruct(
  protocol: WireProtocol,
  fields: readonly (readonly [number, string])[],
): Uint8Array {
  const out: number[] = [];
  let last = 0;
  for (const [id, text] of fields) {
    const bytes = utf8.encode(text);
    if (protocol === 'binary') {
      out.push(11, (id >> 8) & 0xff, id & 0xff, ...be32(bytes.length), ...bytes);
    } else {
      const delta = id - last;
      // Short form: delta 1–15 in the high nibble; else the long form (type, zigzag i16 id).
      if (delta > 0 && delta <= 15) out.push((delta << 4) | 8);
      else out.push(8, ...varint(zigzag(id)));
      out.push(...varint(bytes.length), ...bytes);
      last = id;
    }
  }
  out.push(0);
  return Uint8Array.from(out);
}

/** A TApplicationException struct body: 1: string message, 2: i32 type, stop. */
export function applicationExceptionStruct(
  protocol: WireProtocol,
  type: number,
  message: string,
): Uint8Array {
  const text = utf8.encode(message);
  if (protocol === 'binary') {
    return Uint8Array.from([
      11, 0, 1, ...be32(text.length), ...text,
      8, 0, 2, ...be32(type),
      0,
    ]); // prettier-ignore
  }
  return Uint8Array.from([
    0x18, ...varint(text.length), ...text, // delta 1, type 8 (binary)
    0x15, ...varint(zigzag(type)), //         delta 1, type 5 (i32)
    0,
  ]); // prettier-ignore
}

/** Concatenates byte arrays. */
export function concat(...parts: readonly Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

/** `bytes` as the transport sends them: framed (a 4-byte big-endian length first) or buffered (as is). */
export function onTheWire(transport: 'framed' | 'buffered', bytes: Uint8Array): Uint8Array {
  return transport === 'framed' ? concat(Uint8Array.from(be32(bytes.length)), bytes) : bytes;
}

/** Lower-case hex of `bytes`. */
export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** A decoded envelope header, with where the body starts. */
export interface ReadHeader {
  readonly name: string;
  readonly type: number;
  readonly seqid: number;
  readonly strict: boolean;
  /** Binary strict / compact: the version bits read. */
  readonly version?: number;
  /** The offset of the first body byte. */
  readonly end: number;
}

/** Not enough bytes yet: the reader needs more (buffered streams) or the message was cut. */
export class NeedMore extends Error {
  override get name(): string {
    return 'NeedMore';
  }
}

/** Bytes that cannot be an envelope or a struct: the message names the offset and what is wrong. */
export class Malformed extends Error {
  override get name(): string {
    return 'Malformed';
  }
}

/** A cursor over bytes that throws NeedMore past the end. */
class Cursor {
  constructor(
    readonly bytes: Uint8Array,
    public pos: number,
  ) {}
  need(n: number): void {
    if (this.pos + n > this.bytes.length)
      throw new NeedMore(
        `need ${n} bytes at byte ${this.pos}, ${this.bytes.length - this.pos} remain`,
      );
  }
  u8(): number {
    this.need(1);
    return this.bytes[this.pos++]!;
  }
  i16(): number {
    this.need(2);
    const v = (this.bytes[this.pos]! << 8) | this.bytes[this.pos + 1]!;
    this.pos += 2;
    return (v << 16) >> 16;
  }
  i32(): number {
    this.need(4);
    const b = this.bytes;
    const p = this.pos;
    this.pos += 4;
    return (b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]! | 0;
  }
  varint(): number {
    let v = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const b = this.u8();
      v |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) return v >>> 0;
    }
    throw new Malformed(`varint longer than 5 bytes ending at byte ${this.pos}`);
  }
  varint64(): void {
    for (let i = 0; i < 10; i++) if ((this.u8() & 0x80) === 0) return;
    throw new Malformed(`varint longer than 10 bytes ending at byte ${this.pos}`);
  }
  skip(n: number, what: string): void {
    if (n < 0) throw new Malformed(`negative ${what} ${n} before byte ${this.pos}`);
    this.need(n);
    this.pos += n;
  }
  text(n: number): string {
    const at = this.pos;
    this.skip(n, 'string length');
    return Buffer.from(this.bytes.subarray(at, at + n)).toString('utf8');
  }
}

/**
 * Reads one envelope header of `protocol` at `offset`. Throws NeedMore when the bytes end
 * first, Malformed when they cannot be a header (bad protocol id, negative name length).
 */
export function readHeader(bytes: Uint8Array, protocol: WireProtocol, offset = 0): ReadHeader {
  const c = new Cursor(bytes, offset);
  if (protocol === 'compact') {
    const id = c.u8();
    if (id !== 0x82) throw new Malformed(`protocol id 0x${id.toString(16)} at byte ${offset}`);
    const vt = c.u8();
    const seqid = c.varint() | 0; // a plain var int (not zigzag)
    const name = c.text(c.varint());
    return { name, type: vt >> 5, version: vt & 0x1f, seqid, strict: true, end: c.pos };
  }
  const first = c.i32();
  if (first < 0) {
    const name = c.text(c.i32());
    const seqid = c.i32();
    return {
      name,
      type: first & 0xff,
      version: (first >>> 16) & 0x7fff,
      seqid,
      strict: true,
      end: c.pos,
    };
  }
  c.pos = offset;
  const name = c.text(c.i32());
  const type = c.u8();
  return { name, type, seqid: c.i32(), strict: false, end: c.pos };
}

/** Skips one binary value of wire type `t`. */
function skipBinary(c: Cursor, t: number, depth: number): void {
  if (depth > 64) throw new Malformed(`nested deeper than 64 at byte ${c.pos}`);
  const fixed: Record<number, number> = { 2: 1, 3: 1, 4: 8, 6: 2, 8: 4, 10: 8 };
  if (fixed[t] !== undefined) return c.skip(fixed[t], 'value');
  switch (t) {
    case 11:
      return c.skip(c.i32(), 'string length');
    case 12:
      return skipBinaryStruct(c, depth + 1);
    case 13: {
      const k = c.u8();
      const v = c.u8();
      const n = c.i32();
      if (n < 0) throw new Malformed(`negative map size at byte ${c.pos - 4}`);
      for (let i = 0; i < n; i++) {
        skipBinary(c, k, depth + 1);
        skipBinary(c, v, depth + 1);
      }
      return;
    }
    case 14:
    case 15: {
      const e = c.u8();
      const n = c.i32();
      if (n < 0) throw new Malformed(`negative list size at byte ${c.pos - 4}`);
      for (let i = 0; i < n; i++) skipBinary(c, e, depth + 1);
      return;
    }
    default:
      throw new Malformed(`unknown binary type ${t} before byte ${c.pos}`);
  }
}

function skipBinaryStruct(c: Cursor, depth: number): void {
  for (;;) {
    const t = c.u8();
    if (t === 0) return;
    c.i16();
    skipBinary(c, t, depth);
  }
}

/** Skips one compact value of compact type `t` (field types; element bool is 1 or 2 as a byte). */
function skipCompact(c: Cursor, t: number, depth: number, element: boolean): void {
  if (depth > 64) throw new Malformed(`nested deeper than 64 at byte ${c.pos}`);
  switch (t) {
    case 1:
    case 2:
      if (element) c.skip(1, 'bool');
      return;
    case 3:
      return c.skip(1, 'byte');
    case 4:
    case 5:
    case 6:
      return c.varint64();
    case 7:
      return c.skip(8, 'double');
    case 8:
      return c.skip(c.varint(), 'binary length');
    case 9:
    case 10: {
      const h = c.u8();
      const n = h >> 4 === 15 ? c.varint() : h >> 4;
      for (let i = 0; i < n; i++) skipCompact(c, h & 0x0f, depth + 1, true);
      return;
    }
    case 11: {
      const n = c.varint();
      if (n === 0) return;
      const kv = c.u8();
      for (let i = 0; i < n; i++) {
        skipCompact(c, kv >> 4, depth + 1, true);
        skipCompact(c, kv & 0x0f, depth + 1, true);
      }
      return;
    }
    case 12:
      return skipCompactStruct(c, depth + 1);
    default:
      throw new Malformed(`unknown compact type ${t} before byte ${c.pos}`);
  }
}

function skipCompactStruct(c: Cursor, depth: number): void {
  for (;;) {
    const h = c.u8();
    if (h === 0) return;
    if (h >> 4 === 0) c.varint(); // long form: zigzag i16 field id
    skipCompact(c, h & 0x0f, depth, false);
  }
}

/**
 * The offset just past the struct that starts at `offset`, skipping any fields. Throws
 * NeedMore when the bytes end first, Malformed for an unknown type or a negative length.
 */
export function structEnd(bytes: Uint8Array, protocol: WireProtocol, offset: number): number {
  const c = new Cursor(bytes, offset);
  if (protocol === 'binary') skipBinaryStruct(c, 0);
  else skipCompactStruct(c, 0);
  return c.pos;
}

/**
 * Reads a TApplicationException body at `offset` (1: string message, 2: i32 type; other fields
 * skipped). Throws NeedMore or Malformed as {@link structEnd} does.
 */
export function readApplicationException(
  bytes: Uint8Array,
  protocol: WireProtocol,
  offset: number,
): { type: number; message: string; end: number } {
  const c = new Cursor(bytes, offset);
  let type = 0;
  let message = '';
  let last = 0;
  for (;;) {
    const h = c.u8();
    if (h === 0) return { type, message, end: c.pos };
    let id: number;
    let t: number;
    if (protocol === 'binary') {
      t = h;
      id = c.i16();
    } else {
      t = h & 0x0f;
      id = h >> 4 === 0 ? ((n) => (n >>> 1) ^ -(n & 1))(c.varint()) : last + (h >> 4);
      last = id;
    }
    const isString = protocol === 'binary' ? t === 11 : t === 8;
    const isI32 = protocol === 'binary' ? t === 8 : t === 5;
    if (id === 1 && isString) message = c.text(protocol === 'binary' ? c.i32() : c.varint());
    else if (id === 2 && isI32) {
      if (protocol === 'binary') type = c.i32();
      else {
        const z = c.varint();
        type = (z >>> 1) ^ -(z & 1);
      }
    } else if (protocol === 'binary') skipBinary(c, t, 1);
    else skipCompact(c, t, 1, false);
  }
}

/**
 * Where the first whole message of a stream ends (framed: by its length; buffered: by walking
 * the header and the body struct), or -1 when more bytes are needed. Throws Malformed for bytes
 * that cannot be a message.
 */
export function messageEnd(
  bytes: Uint8Array,
  transport: 'framed' | 'buffered',
  protocol: WireProtocol,
): number {
  try {
    if (transport === 'framed') {
      if (bytes.length < 4) return -1;
      const n = new Cursor(bytes, 0).i32();
      if (n < 0) throw new Malformed(`negative frame length ${n}`);
      return bytes.length >= 4 + n ? 4 + n : -1;
    }
    return structEnd(bytes, protocol, readHeader(bytes, protocol).end);
  } catch (e) {
    if (e instanceof NeedMore) return -1;
    throw e;
  }
}
