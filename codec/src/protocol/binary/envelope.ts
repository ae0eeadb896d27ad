/**
 * Binary-protocol envelope headers, strict and non-strict, and the TApplicationException struct.
 *
 *   strict:     i32 (0x8001_0000 | type)   string name   i32 seqid
 *   non-strict: string name   i8 type   i32 seqid
 */
import { InvalidDataError } from '../../errors.js';
import { TApplicationException } from '../../wire/application-exception.js';
import type { EnvelopeHeader } from '../../wire/envelope.js';
import { BINARY_VERSION_1, BINARY_VERSION_MASK } from '../../wire/envelope.js';
import type { MessageTypeCode } from '../../wire/message-type.js';
import { TType } from '../../wire/ttype.js';
import { utf8Length, wellFormed } from '../../util/utf8.js';
import type { BinaryReader } from './reader.js';
import type { BinaryWriter } from './writer.js';

/** Bytes the envelope header for `name` takes: strict 4+4+n+4, non-strict 4+n+1+4. Throws RangeError for a lone surrogate. */
export function envelopeHeaderSize(name: string, strict: boolean): number {
  const n = utf8Length(name);
  if (n < 0) throw new RangeError(`method name ${JSON.stringify(name)} holds a lone surrogate`);
  return strict ? 4 + 4 + n + 4 : 4 + n + 1 + 4;
}

/** Writes an envelope header. */
export function writeEnvelopeHeader(
  w: BinaryWriter,
  h: Omit<EnvelopeHeader, 'strict'>,
  strict: boolean,
): void {
  if (strict) {
    w.i32(BINARY_VERSION_1 | h.messageType);
    w.string(h.name);
    w.i32(h.seqid);
  } else {
    w.string(h.name);
    w.byte(h.messageType);
    w.i32(h.seqid);
  }
}

/**
 * Reads an envelope header in either form (a negative first word means strict). Throws
 * InvalidDataError for a bad version or an unknown message type.
 */
export function readEnvelopeHeader(r: BinaryReader): EnvelopeHeader {
  const at = r.pos;
  const first = r.i32();
  let name: string;
  let type: number;
  let strict: boolean;
  if (first < 0) {
    if ((first & BINARY_VERSION_MASK) !== BINARY_VERSION_1) {
      throw new InvalidDataError(
        `bad envelope version 0x${(first >>> 0).toString(16).padStart(8, '0')} (expected 0x8001xxxx)`,
        at,
      );
    }
    // The third byte is unused and ignored (thrift-binary-protocol.md: "unused is an ignored
    // byte"); Apache's readers mask it out too.
    type = first & 0xff;
    name = r.string();
    strict = true;
  } else {
    r.pos = at;
    name = r.string();
    type = r.byte();
    strict = false;
  }
  if (type < 1 || type > 4)
    throw new InvalidDataError(`unknown message type ${type}`, strict ? at + 3 : r.pos - 1);
  const seqid = r.i32();
  return { name, messageType: type as MessageTypeCode, seqid, strict };
}

/** Bytes a TApplicationException body takes (lone surrogates in the message become U+FFFD). */
export function applicationExceptionSize(e: TApplicationException): number {
  return 3 + 4 + utf8Length(wellFormed(e.message)) + 3 + 4 + 1;
}

/** Writes a TApplicationException struct body (message, then type). */
export function writeApplicationException(w: BinaryWriter, e: TApplicationException): void {
  w.fieldBegin(TType.STRING, 1);
  w.string(wellFormed(e.message));
  w.fieldBegin(TType.I32, 2);
  w.i32(e.type);
  w.fieldStop();
}

/** Reads a TApplicationException struct body; unknown fields are skipped. */
export function readApplicationException(r: BinaryReader): TApplicationException {
  let message = '';
  let type = 0;
  r.enter();
  for (;;) {
    const at = r.pos;
    const t = r.byte() & 0xff;
    if (t === TType.STOP) break;
    const id = r.i16();
    if (id === 1 && t === TType.STRING) message = r.string();
    else if (id === 2 && t === TType.I32) type = r.i32();
    else if (t < 2 || t > 16) throw new InvalidDataError(`invalid field type code ${t}`, at);
    else r.skip(t);
  }
  r.depth--;
  return new TApplicationException(type, message);
}
