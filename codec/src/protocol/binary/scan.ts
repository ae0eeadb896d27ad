/**
 * Finds where one binary-protocol message ends without a schema: reads the envelope header and
 * skips the body struct. Unframed ("buffered") transports need this to cut messages out of a
 * byte stream.
 */
import { EndOfInputError } from '../../errors.js';
import { TType } from '../../wire/ttype.js';
import type { DecodeLimits } from '../limits.js';
import { DEFAULT_LIMITS } from '../limits.js';
import { readEnvelopeHeader } from './envelope.js';
import { BinaryReader } from './reader.js';

/**
 * Returns the length of the first whole message in `buf`, or -1 when `buf` holds only part of
 * one. Throws InvalidDataError / LimitExceededError when the bytes cannot start a valid message.
 */
export function binaryMessageLength(
  buf: Uint8Array,
  limits: DecodeLimits = DEFAULT_LIMITS,
): number {
  const r = new BinaryReader(buf, limits);
  try {
    readEnvelopeHeader(r);
    r.skip(TType.STRUCT);
  } catch (caught) {
    const e = r.stackOverflow(caught);
    // Ran out of bytes: the message is incomplete unless a length already passed the limit.
    if (e instanceof EndOfInputError) {
      if (buf.length > limits.maxMessageSize) throw e;
      return -1;
    }
    throw e;
  }
  return r.pos;
}
