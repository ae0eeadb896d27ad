/**
 * TChannel frames (uber/tchannel docs/protocol.md): the 16-byte frame header
 * (`size:2 type:1 reserved:1 id:4 reserved:8`), the payloads we speak (init req/res, call req/res
 * and their continuations, cancel, ping req/res, error), the cutting of a byte stream into frames,
 * and the fragmentation of a call's three args over as many frames as they need.
 *
 * Every decoder checks each declared size against the bytes left in the frame before it reads
 * anything, and throws {@link TChannelProtocolError} naming the frame, the field and the byte
 * offset within the frame.
 */
import {
  checksum,
  checksumName,
  COMPUTED_CHECKSUMS,
  UnsupportedChecksumError,
} from './checksum.js';
import { TChannelProtocolError } from './errors.js';

/** Frame types. */
export const FrameType = Object.freeze({
  InitReq: 0x01,
  InitRes: 0x02,
  CallReq: 0x03,
  CallRes: 0x04,
  CallReqContinue: 0x13,
  CallResContinue: 0x14,
  Cancel: 0xc0,
  Claim: 0xc1,
  PingReq: 0xd0,
  PingRes: 0xd1,
  Error: 0xff,
} as const);

const TYPE_NAMES: Record<number, string> = {
  0x01: 'init req',
  0x02: 'init res',
  0x03: 'call req',
  0x04: 'call res',
  0x13: 'call req continue',
  0x14: 'call res continue',
  0xc0: 'cancel',
  0xc1: 'claim',
  0xd0: 'ping req',
  0xd1: 'ping res',
  0xff: 'error',
};

/** The name of frame type `type` ("call req"), or "unknown type 0xNN". */
export function frameTypeName(type: number): string {
  return TYPE_NAMES[type] ?? `unknown type 0x${type.toString(16).padStart(2, '0')}`;
}

/** Bytes of the frame header. */
export const FRAME_HEADER_SIZE = 16;
/** The largest frame the protocol allows (`size:2`). */
export const MAX_FRAME_SIZE = 0xffff;
/** The id of an error frame that answers no particular message. */
export const NO_ID = 0xffffffff;
/** The protocol version we speak. */
export const PROTOCOL_VERSION = 2;
/** Bytes of the tracing field (`spanid:8 parentid:8 traceid:8 traceflags:1`). */
export const TRACING_SIZE = 25;
/** The "more fragments follow" flag of call frames. */
export const MORE_FRAGMENTS = 0x01;
/** Longest transport header key (protocol.md, "Transport Headers"). */
export const MAX_TRANSPORT_KEY = 16;
/** Most transport headers in one call frame. */
export const MAX_TRANSPORT_HEADERS = 128;

/** One frame: its type, message id and payload (a view into the bytes received). */
export interface Frame {
  readonly type: number;
  readonly id: number;
  readonly payload: Uint8Array;
}

/** The bytes of one frame: the 16-byte header then `payload`. Throws RangeError past 64 KiB. */
export function encodeFrame(type: number, id: number, payload: Uint8Array): Uint8Array {
  const size = FRAME_HEADER_SIZE + payload.length;
  if (size > MAX_FRAME_SIZE)
    throw new RangeError(
      `a ${frameTypeName(type)} frame of ${size} bytes is larger than the protocol's 65,535`,
    );
  const out = new Uint8Array(size);
  const v = new DataView(out.buffer);
  v.setUint16(0, size);
  out[2] = type;
  v.setUint32(4, id >>> 0);
  out.set(payload, FRAME_HEADER_SIZE);
  return out;
}

/**
 * Cuts a byte stream into frames. A frame whose size field is below 16 or above `maxFrameSize`
 * (default and at most 65,535) throws {@link TChannelProtocolError} at once, before its bytes
 * arrive.
 */
export class FrameReader {
  private buffer: Uint8Array = new Uint8Array(0);

  /** @param maxFrameSize the largest frame accepted (default 65,535) */
  constructor(readonly maxFrameSize = MAX_FRAME_SIZE) {}

  /** Bytes received and not yet part of a whole frame. */
  get pending(): number {
    return this.buffer.length;
  }

  /** Adds `chunk`; returns the frames it completed. Throws TChannelProtocolError for a bad size. */
  push(chunk: Uint8Array): Frame[] {
    const b = this.buffer.length === 0 ? chunk : concat([this.buffer, chunk]);
    const frames: Frame[] = [];
    let at = 0;
    while (b.length - at >= 2) {
      const size = (b[at]! << 8) | b[at + 1]!;
      if (size < FRAME_HEADER_SIZE)
        throw new TChannelProtocolError(
          `frame size ${size} is smaller than the 16-byte frame header (at byte 0 of the frame); every frame starts with size:2 type:1 reserved:1 id:4 reserved:8`,
        );
      if (size > this.maxFrameSize)
        throw new TChannelProtocolError(
          `frame size ${size} is larger than the limit (maxFrameSize) of ${this.maxFrameSize} (at byte 0 of the frame); raise maxFrameSize or send smaller frames`,
        );
      if (b.length - at < size) break;
      const f = b.subarray(at, at + size);
      frames.push({
        type: f[2]!,
        id: ((f[4]! << 24) | (f[5]! << 16) | (f[6]! << 8) | f[7]!) >>> 0,
        payload: f.subarray(FRAME_HEADER_SIZE),
      });
      at += size;
    }
    this.buffer = at === b.length ? new Uint8Array(0) : b.slice(at);
    return frames;
  }
}

/** Joins byte arrays. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const utf8 = new TextEncoder();
const utf8Strict = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads a payload field by field; each read checks that the bytes are there and throws
 * TChannelProtocolError naming the frame type, the field and the byte offset within the frame.
 */
export class PayloadCursor {
  at = 0;
  /**
   * @param bytes the payload
   * @param what the frame, for messages ("call req frame")
   * @param id the frame's message id
   * @param base the offset of `bytes` within what messages count from (default 16: the payload in its frame)
   * @param where what offsets count from (default "the frame")
   */
  constructor(
    readonly bytes: Uint8Array,
    readonly what: string,
    readonly id?: number,
    readonly base = FRAME_HEADER_SIZE,
    readonly where = 'the frame',
  ) {}

  /** Bytes not yet read. */
  get left(): number {
    return this.bytes.length - this.at;
  }

  /** Throws TChannelProtocolError: `problem` of `field` at the current offset. */
  fail(field: string, problem: string): never {
    throw new TChannelProtocolError(
      `${this.what}: ${field}: ${problem} at byte ${this.base + this.at} of ${this.where}`,
      this.id,
    );
  }

  private need(field: string, n: number): void {
    if (this.left < n) this.fail(field, `needs ${n} bytes but only ${this.left} remain`);
  }

  /** Reads one byte; throws TChannelProtocolError naming `field` when none is left. */
  u8(field: string): number {
    this.need(field, 1);
    return this.bytes[this.at++]!;
  }

  /** Reads a big-endian uint16; throws TChannelProtocolError naming `field` when it is not there. */
  u16(field: string): number {
    this.need(field, 2);
    const v = (this.bytes[this.at]! << 8) | this.bytes[this.at + 1]!;
    this.at += 2;
    return v;
  }

  /** Reads a big-endian uint32; throws TChannelProtocolError naming `field` when it is not there. */
  u32(field: string): number {
    this.need(field, 4);
    const b = this.bytes;
    const v =
      ((b[this.at]! << 24) | (b[this.at + 1]! << 16) | (b[this.at + 2]! << 8) | b[this.at + 3]!) >>>
      0;
    this.at += 4;
    return v;
  }

  /** `n` bytes (a view), after checking they are there; throws TChannelProtocolError naming `field`. */
  take(field: string, n: number): Uint8Array {
    if (this.left < n) this.fail(field, `length ${n} but only ${this.left} bytes remain`);
    const v = this.bytes.subarray(this.at, this.at + n);
    this.at += n;
    return v;
  }

  /** A UTF-8 string of `n` bytes; throws TChannelProtocolError when they are missing or not UTF-8. */
  text(field: string, n: number): string {
    const start = this.at;
    const raw = this.take(field, n);
    try {
      return utf8Strict.decode(raw);
    } catch {
      this.at = start;
      return this.fail(field, 'is not valid UTF-8');
    }
  }

  /** Throws TChannelProtocolError when bytes are left over. */
  end(): void {
    if (this.left !== 0) this.fail('end', `${this.left} bytes follow the last field`);
  }
}

/** Header pairs as read (in order; duplicates are refused where the spec says so). */
export type Headers = Record<string, string>;

/** Writes a payload piece by piece; `done()` joins the pieces. */
export class PayloadWriter {
  private readonly parts: Uint8Array[] = [];
  /** Bytes written so far. */
  length = 0;

  /** Appends `b` (kept, not copied, until `done`). */
  bytes(b: Uint8Array): this {
    this.parts.push(b);
    this.length += b.length;
    return this;
  }
  /** Appends one byte. */
  u8(v: number): this {
    return this.bytes(Uint8Array.of(v & 0xff));
  }
  /** Appends a big-endian uint16. */
  u16(v: number): this {
    return this.bytes(Uint8Array.of((v >>> 8) & 0xff, v & 0xff));
  }
  /** Appends a big-endian uint32. */
  u32(v: number): this {
    return this.bytes(Uint8Array.of(v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff));
  }
  /** A string with a 1- or 2-byte length; throws RangeError when it does not fit that length. */
  text(s: string, lengthBytes: 1 | 2, what: string): this {
    const b = utf8.encode(s);
    const max = lengthBytes === 1 ? 0xff : 0xffff;
    if (b.length > max)
      throw new RangeError(
        `${what} is ${b.length} UTF-8 bytes; at most ${max} fit its length field`,
      );
    return (lengthBytes === 1 ? this.u8(b.length) : this.u16(b.length)).bytes(b);
  }
  /** The payload: every piece joined. */
  done(): Uint8Array {
    return concat(this.parts);
  }
}

/** An init req or init res body: `version:2 nh:2 (key~2 value~2){nh}`. */
export interface InitBody {
  readonly version: number;
  readonly headers: Headers;
}

/** The payload of an init req or res. */
export function encodeInit(body: InitBody): Uint8Array {
  const w = new PayloadWriter().u16(body.version);
  const entries = Object.entries(body.headers);
  w.u16(entries.length);
  for (const [k, v] of entries) w.text(k, 2, `init header key ${k}`).text(v, 2, `init header ${k}`);
  return w.done();
}

/** Reads an init req or res payload; throws TChannelProtocolError. */
export function decodeInit(payload: Uint8Array, type: number, id: number): InitBody {
  const c = new PayloadCursor(payload, `${frameTypeName(type)} frame`, id);
  const version = c.u16('version');
  const nh = c.u16('nh');
  // Each header takes at least 4 bytes: refuse a count the frame cannot hold before reading.
  if (nh * 4 > c.left)
    c.fail('nh', `${nh} headers need at least ${nh * 4} bytes but only ${c.left} remain`);
  const headers: Headers = {};
  for (let i = 0; i < nh; i++) {
    const k = c.text(`headers[${i}].key`, c.u16(`headers[${i}].key length`));
    const v = c.text(`headers[${i}].value`, c.u16(`headers[${i}].value length`));
    headers[k] = v;
  }
  c.end();
  return { version, headers };
}

/** The fields of a call req or call res frame before its checksum and args. */
export interface CallHead {
  readonly flags: number;
  /** call req: the ttl in ms. */
  readonly ttl: number;
  /** call res: the response code (0 OK, 1 application error). */
  readonly code: number;
  readonly tracing: Uint8Array;
  /** call req: the TChannel service name. */
  readonly service: string;
  readonly headers: Headers;
}

/** One frame's share of a call: its checksum and its arg chunks. */
export interface CallChunks {
  readonly flags: number;
  readonly checksumType: number;
  readonly checksum: number;
  /** The arg pieces in this frame, in order (see {@link ArgsAssembler}). */
  readonly chunks: Uint8Array[];
}

/** A decoded call req / call res (its head and first chunks) or continuation (chunks only). */
export interface CallFrame extends CallChunks {
  readonly head?: CallHead;
}

/** Reads `csumtype:1 (csum:4){0,1}` then `arg~2` pieces to the end of the frame. */
function readChunks(c: PayloadCursor, flags: number): CallChunks {
  const checksumType = c.u8('csumtype');
  if (checksumType > 3) c.fail('csumtype', `checksum type ${checksumType} does not exist (0 to 3)`);
  const sum = checksumType === 0 ? 0 : c.u32('csum');
  const chunks: Uint8Array[] = [];
  while (c.left > 0) {
    if (chunks.length === 3)
      c.fail(`arg${chunks.length + 1}`, 'a call has three args but more bytes follow the third');
    const n = c.u16(`arg${chunks.length + 1} length`);
    chunks.push(c.take(`arg${chunks.length + 1}`, n));
  }
  return { flags, checksumType, checksum: sum, chunks };
}

/** Reads `nh:1 (hk~1 hv~1){nh}`: keys 1 to 16 bytes, no duplicates, at most 128. */
function readTransportHeaders(c: PayloadCursor): Headers {
  const nh = c.u8('nh');
  if (nh > MAX_TRANSPORT_HEADERS) c.fail('nh', `${nh} transport headers; at most 128 are allowed`);
  if (nh * 2 > c.left)
    c.fail('nh', `${nh} headers need at least ${nh * 2} bytes but only ${c.left} remain`);
  const headers: Headers = {};
  for (let i = 0; i < nh; i++) {
    const kl = c.u8(`headers[${i}].key length`);
    if (kl === 0 || kl > MAX_TRANSPORT_KEY)
      c.fail(`headers[${i}].key length`, `a transport header key is 1 to 16 bytes, got ${kl}`);
    const k = c.text(`headers[${i}].key`, kl);
    const v = c.text(`headers[${k}]`, c.u8(`headers[${k}] length`));
    if (Object.prototype.hasOwnProperty.call(headers, k))
      c.fail(`headers[${k}]`, 'duplicate transport header key');
    headers[k] = v;
  }
  return headers;
}

/** Reads a call req, call res or continuation payload; throws TChannelProtocolError. */
export function decodeCallFrame(payload: Uint8Array, type: number, id: number): CallFrame {
  const c = new PayloadCursor(payload, `${frameTypeName(type)} frame`, id);
  const flags = c.u8('flags');
  if (type === FrameType.CallReqContinue || type === FrameType.CallResContinue) {
    if (flags & 0x02) c.fail('flags', 'the streaming flag 0x02 is not allowed on a continuation');
    return readChunks(c, flags);
  }
  const isReq = type === FrameType.CallReq;
  const ttl = isReq ? c.u32('ttl') : 0;
  const code = isReq ? 0 : c.u8('code');
  const tracing = c.take('tracing', TRACING_SIZE);
  const service = isReq ? c.text('service', c.u8('service length')) : '';
  const headers = readTransportHeaders(c);
  const rest = readChunks(c, flags);
  if (rest.chunks.length === 0) c.fail('arg1', 'a call frame carries at least arg1');
  return { ...rest, head: { flags, ttl, code, tracing, service, headers } };
}

/** An error frame body: `code:1 tracing:25 message~2`. */
export interface ErrorBody {
  readonly code: number;
  readonly tracing: Uint8Array;
  readonly message: string;
}

/** The payload of an error frame; the message is cut to fit (on a character boundary). */
export function encodeError(
  code: number,
  message: string,
  tracing = new Uint8Array(TRACING_SIZE),
): Uint8Array {
  let m = message;
  const room = MAX_FRAME_SIZE - FRAME_HEADER_SIZE - 1 - TRACING_SIZE - 2;
  while (utf8.encode(m).length > room) m = m.slice(0, Math.max(0, m.length - 64 - (m.length >> 4)));
  return new PayloadWriter().u8(code).bytes(tracing).text(m, 2, 'error message').done();
}

/** Reads an error frame payload; throws TChannelProtocolError. */
export function decodeError(payload: Uint8Array, id: number): ErrorBody {
  const c = new PayloadCursor(payload, 'error frame', id);
  const code = c.u8('code');
  const tracing = c.take('tracing', TRACING_SIZE);
  const message = c.text('message', c.u16('message length'));
  c.end();
  return { code, tracing, message };
}

/** A cancel body: `ttl:4 tracing:25 why~2`. */
export interface CancelBody {
  readonly ttl: number;
  readonly why: string;
}

/** Reads a cancel payload; throws TChannelProtocolError. */
export function decodeCancel(payload: Uint8Array, id: number): CancelBody {
  const c = new PayloadCursor(payload, 'cancel frame', id);
  const ttl = c.u32('ttl');
  c.take('tracing', TRACING_SIZE);
  const why = c.text('why', c.u16('why length'));
  c.end();
  return { ttl, why };
}

/** The payload of a cancel frame. */
export function encodeCancel(ttl: number, why: string): Uint8Array {
  return new PayloadWriter()
    .u32(ttl)
    .bytes(new Uint8Array(TRACING_SIZE))
    .text(why, 2, 'cancel why')
    .done();
}

/** What goes before the args of a call req or res (see {@link encodeCall}). */
export interface CallStart {
  /** 'req' for a call req (ttl, service), 'res' for a call res (code). */
  readonly kind: 'req' | 'res';
  readonly ttl?: number;
  readonly code?: number;
  readonly service?: string;
  readonly tracing?: Uint8Array;
  readonly headers: Headers;
  readonly checksumType: number;
}

/**
 * The frames of one call req or call res carrying `args` (arg1, arg2, arg3), each frame at most
 * `maxFrameSize` bytes (default 65,535): as much of the args as fits in each frame, continued in
 * call req/res continue frames with the "more fragments" flag on all but the last; an arg that
 * ends exactly at a frame's end is closed by a 0-length piece at the start of the next frame
 * (protocol.md, "Fragmentation"). Each frame's checksum covers its arg pieces, seeded with the
 * previous frame's. Throws RangeError when the head does not fit a frame or a header does not
 * fit its length field, UnsupportedChecksumError for a checksum type we do not compute.
 */
export function encodeCall(
  start: CallStart,
  id: number,
  args: readonly Uint8Array[],
  maxFrameSize = MAX_FRAME_SIZE,
): Uint8Array[] {
  if (!COMPUTED_CHECKSUMS.includes(start.checksumType))
    throw new UnsupportedChecksumError(start.checksumType);
  const req = start.kind === 'req';
  const head = new PayloadWriter();
  head.u8(0); // flags, set below
  if (req) head.u32(start.ttl ?? 0);
  else head.u8(start.code ?? 0);
  head.bytes(start.tracing ?? new Uint8Array(TRACING_SIZE));
  if (req) head.text(start.service ?? '', 1, 'service name');
  const hs = Object.entries(start.headers);
  if (hs.length > MAX_TRANSPORT_HEADERS)
    throw new RangeError(`${hs.length} transport headers; at most 128`);
  head.u8(hs.length);
  for (const [k, v] of hs) {
    if (k.length === 0 || utf8.encode(k).length > MAX_TRANSPORT_KEY)
      throw new RangeError(`transport header key '${k}' must be 1 to 16 bytes`);
    head.text(k, 1, `transport header key ${k}`).text(v, 1, `transport header ${k}`);
  }
  const sumBytes = start.checksumType === 0 ? 1 : 5;
  const frames: Uint8Array[] = [];
  let prior = 0;
  let arg = 0;
  let offset = 0;
  let first = true;
  for (;;) {
    const lead = first ? head.done() : Uint8Array.of(0);
    let room = maxFrameSize - FRAME_HEADER_SIZE - lead.length - sumBytes;
    if (room < 2)
      throw new RangeError(
        `the call's head (${lead.length} bytes) leaves no room for args in a ${maxFrameSize}-byte frame`,
      );
    const pieces: Uint8Array[] = [];
    let more = true;
    for (;;) {
      const a = args[arg]!;
      const n = Math.min(a.length - offset, room - 2);
      pieces.push(a.subarray(offset, offset + n));
      offset += n;
      room -= 2 + n;
      if (offset < a.length) break; // the frame is full
      if (arg === args.length - 1) {
        more = false;
        break;
      }
      if (room < 2) break; // the arg ended at the frame's end: close it in the next frame
      arg++;
      offset = 0;
    }
    const sum = checksum(start.checksumType, pieces, prior);
    prior = sum;
    const w = new PayloadWriter().bytes(lead);
    w.u8(start.checksumType);
    if (start.checksumType !== 0) w.u32(sum);
    for (const p of pieces) w.u16(p.length).bytes(p);
    const payload = w.done();
    payload[0] = more ? MORE_FRAGMENTS : 0;
    const type = first
      ? req
        ? FrameType.CallReq
        : FrameType.CallRes
      : req
        ? FrameType.CallReqContinue
        : FrameType.CallResContinue;
    frames.push(encodeFrame(type, id, payload));
    first = false;
    if (!more) return frames;
  }
}

/**
 * Gathers the args of one message from its frames: the first piece of a frame continues the arg
 * the previous frame ended in, each further piece starts the next arg. Verifies each frame's
 * checksum (seeded with the previous frame's) and that the checksum type does not change.
 * Counts the bytes it holds against `maxArgsSize`.
 */
export class ArgsAssembler {
  private readonly args: Uint8Array[][] = [[]];
  private prior = 0;
  private type: number | undefined;
  /** Arg bytes held. */
  size = 0;

  /** @param maxArgsSize the most arg bytes of one message (default 16,384,000) */
  constructor(readonly maxArgsSize = 16_384_000) {}

  /**
   * Adds one frame's share. Returns the three args when the frame is the last (no "more
   * fragments" flag), else undefined. Throws TChannelProtocolError for a fourth arg or fewer
   * than three at the end, ArgsError for a checksum that does not match, a type we do not
   * compute or too many bytes.
   */
  add(f: CallChunks, what: string): Uint8Array[] | undefined {
    if (this.type !== undefined && f.checksumType !== this.type)
      throw new ArgsError(
        `${what}: the checksum type changed from ${checksumName(this.type)} to ${checksumName(f.checksumType)} within one message`,
      );
    this.type = f.checksumType;
    let sum: number;
    try {
      sum = checksum(f.checksumType, f.chunks, this.prior);
    } catch (e) {
      throw new ArgsError(`${what}: ${(e as Error).message}`);
    }
    if (sum !== f.checksum)
      throw new ArgsError(
        `${what}: ${checksumName(f.checksumType)} checksum mismatch: the frame says 0x${f.checksum.toString(16).padStart(8, '0')}, its args give 0x${sum.toString(16).padStart(8, '0')}; the args were corrupted, or the sender computes ${checksumName(f.checksumType)} differently`,
      );
    this.prior = sum;
    f.chunks.forEach((chunk, i) => {
      if (i > 0) this.args.push([]);
      if (this.args.length > 3) throw new TChannelProtocolError(`${what}: more than three args`);
      this.size += chunk.length;
      if (this.size > this.maxArgsSize)
        throw new ArgsError(
          `${what}: the args pass the limit (maxArgsSize) of ${this.maxArgsSize} bytes; raise maxArgsSize or send less`,
        );
      this.args[this.args.length - 1]!.push(chunk.slice());
    });
    if (f.flags & MORE_FRAGMENTS) return undefined;
    if (this.args.length !== 3)
      throw new ArgsError(
        `${what}: the message ended with ${this.args.length} args; a call has arg1, arg2 and arg3`,
      );
    return this.args.map((parts) => (parts.length === 1 ? parts[0]! : concat(parts)));
  }
}

/** Args that cannot be accepted (checksum, size, count): the call is answered BadRequest. */
export class ArgsError extends Error {
  override get name(): string {
    return 'ArgsError';
  }
}
