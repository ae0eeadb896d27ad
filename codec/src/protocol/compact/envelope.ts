/**
 * Compact-protocol envelope headers and the TApplicationException struct.
 *
 *   0x82   (type << 5) | 1   varint seqid (its 32 bits, unsigned)   varint name length   name
 */
import { InvalidDataError } from '../../errors.js';
import { TApplicationException } from '../../wire/application-exception.js';
import type { EnvelopeHeader } from '../../wire/envelope.js';
import type { MessageTypeCode } from '../../wire/message-type.js';
import { utf8Length, wellFormed } from '../../util/utf8.js';
import type { CompactReader } from './reader.js';
import { CType } from './types.js';
import type { CompactWriter } from './writer.js';
import { varintSize, zigzagSize } from './writer.js';

/** The compact protocol's id, the first byte of every message. */
export const COMPACT_PROTOCOL_ID = 0x82;
/** The compact protocol's version, in the low 5 bits of the second byte. */
export const COMPACT_VERSION = 1;

/** Bytes the compact envelope header for `name` and `seqid` takes. Throws RangeError for a lone surrogate. */
export function compactEnvelopeHeaderSize(name: string, seqid: number): number {
  const n = utf8Length(name);
  if (n < 0) throw new RangeError(`method name ${JSON.stringify(name)} holds a lone surrogate`);
  return 2 + varintSize(seqid) + varintSize(n) + n;
}

/** Writes a compact envelope header. */
export function writeCompactEnvelopeHeader(
  w: CompactWriter,
  h: Omit<EnvelopeHeader, 'strict'>,
): void {
  w.byte(COMPACT_PROTOCOL_ID);
  w.byte((h.messageType << 5) | COMPACT_VERSION);
  w.varint(h.seqid);
  w.string(h.name);
}

/**
 * Reads a compact envelope header (`strict` is true: compact has one form). Throws
 * InvalidDataError for another protocol id, a bad version or an unknown message type.
 */
export function readCompactEnvelopeHeader(r: CompactReader): EnvelopeHeader {
  const at = r.pos;
  const id = r.byte() & 0xff;
  if (id !== COMPACT_PROTOCOL_ID) {
    throw new InvalidDataError(
      `bad protocol id 0x${id.toString(16).padStart(2, '0')} (a compact message starts with 0x82${id === 0x80 ? '; 0x80 starts a strict binary message' : ''})`,
      at,
    );
  }
  const vt = r.byte() & 0xff;
  if ((vt & 0x1f) !== COMPACT_VERSION) {
    throw new InvalidDataError(`bad compact protocol version ${vt & 0x1f} (expected 1)`, at + 1);
  }
  const type = vt >> 5;
  if (type < 1 || type > 4) throw new InvalidDataError(`unknown message type ${type}`, at + 1);
  const seqid = r.varint();
  const name = r.string();
  return { name, messageType: type as MessageTypeCode, seqid, strict: true };
}

/** Bytes a TApplicationException body takes in compact (lone surrogates become U+FFFD). */
export function compactApplicationExceptionSize(e: TApplicationException): number {
  const n = utf8Length(wellFormed(e.message));
  return 1 + varintSize(n) + n + 1 + zigzagSize(e.type) + 1;
}

/** Writes a TApplicationException struct body in compact (message, then type). */
export function writeCompactApplicationException(w: CompactWriter, e: TApplicationException): void {
  w.field(CType.BINARY, 1, 0);
  w.string(wellFormed(e.message));
  w.field(CType.I32, 2, 1);
  w.i32(e.type);
  w.fieldStop();
}

/** Reads a compact TApplicationException struct body; unknown fields are skipped. */
export function readCompactApplicationException(r: CompactReader): TApplicationException {
  let message = '';
  let type = 0;
  r.enter();
  r.lastField = 0;
  for (;;) {
    const t = r.field();
    if (t === CType.STOP) break;
    const id = r.lastField;
    if (id === 1 && t === CType.BINARY) message = r.string();
    else if (id === 2 && t === CType.I32) type = r.i32();
    else r.skip(t);
  }
  r.depth--;
  return new TApplicationException(type, message);
}
