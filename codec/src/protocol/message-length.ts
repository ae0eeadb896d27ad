/** What the protocols' `…MessageLength` functions share: a walk that may run out of bytes. */
import { EndOfInputError } from '../errors.js';
import type { DecodeLimits } from './limits.js';
import type { ReaderBase } from './reader-base.js';

/**
 * Runs `walk` (read a message's header and skip its body with `r`) and returns where the message
 * ends, or -1 when the bytes ran out first (unless the input already passes
 * `limits.maxMessageSize`). Rethrows every other ProtocolError; a stack overflow becomes a
 * LimitExceededError.
 */
export function walkedLength(r: ReaderBase, walk: () => void, limits: DecodeLimits): number {
  try {
    walk();
  } catch (caught) {
    const e = r.stackOverflow(caught);
    // Ran out of bytes: the message is incomplete unless a length already passed the limit.
    if (e instanceof EndOfInputError) {
      if (r.end > limits.maxMessageSize) throw e;
      return -1;
    }
    throw e;
  }
  return r.pos;
}
