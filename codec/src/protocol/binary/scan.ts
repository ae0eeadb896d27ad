/**
 * Finds where one binary-protocol message ends without a schema: reads the envelope header and
 * skips the body struct. Unframed ("buffered") transports need this to cut messages out of a
 * byte stream.
 */
import { TType } from '../../wire/ttype.js';
import type { DecodeLimits } from '../limits.js';
import { DEFAULT_LIMITS } from '../limits.js';
import { walkedLength } from '../message-length.js';
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
  return walkedLength(
    r,
    () => {
      readEnvelopeHeader(r);
      r.skip(TType.STRUCT);
    },
    limits,
  );
}
