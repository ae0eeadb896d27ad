/**
 * Finds where one compact-protocol message ends without a schema: reads the envelope header and
 * skips the body struct (unframed transports cut messages out of a byte stream with it).
 */
import type { DecodeLimits } from '../limits.js';
import { DEFAULT_LIMITS } from '../limits.js';
import { walkedLength } from '../message-length.js';
import { readCompactEnvelopeHeader } from './envelope.js';
import { CompactReader } from './reader.js';
import { CType } from './types.js';

/**
 * Returns the length of the first whole compact message in `buf`, or -1 when `buf` holds only
 * part of one. Throws InvalidDataError / LimitExceededError when the bytes cannot start a valid
 * message (limits default to DEFAULT_LIMITS).
 */
export function compactMessageLength(
  buf: Uint8Array,
  limits: DecodeLimits = DEFAULT_LIMITS,
): number {
  const r = new CompactReader(buf, limits);
  return walkedLength(
    r,
    () => {
      readCompactEnvelopeHeader(r);
      r.skip(CType.STRUCT);
    },
    limits,
  );
}
