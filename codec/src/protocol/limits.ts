/**
 * Decoding limits. Every length is also checked against the bytes that remain before anything is
 * allocated, so the length limits below only narrow what the input could already hold; `maxDepth`
 * and `maxValues` bound what small input could otherwise cost in stack and heap. docs/limits.md
 * lists every limit with its default, what it protects against and the error it raises.
 */
export interface DecodeLimits {
  /** Deepest nesting of structs and containers. Default 64; at most {@link MAX_DEPTH_LIMIT}. */
  readonly maxDepth: number;
  /** Longest string or binary, in bytes. Default 16,384,000 (Apache's default frame size). */
  readonly maxStringLength: number;
  /** Most elements in one list, set or map. Default 16,384,000. */
  readonly maxContainerLength: number;
  /** Largest message `loads.message` accepts, in bytes. Default 16,384,000. */
  readonly maxMessageSize: number;
  /**
   * Most values that are JavaScript objects (structs, unions, exceptions, lists, sets, maps,
   * binaries) one `loads` / `loads.message` may create. Default 1,000,000: with it, no input
   * under the default size limit can make one decode hold more than about 300 MB (an empty map
   * costs about 200 bytes; numbers, strings and booleans are not counted, as none costs more than
   * 8 bytes of heap per byte of input).
   */
  readonly maxValues: number;
}

/**
 * The largest `maxDepth` accepted. Each level of nesting takes a JavaScript stack frame (decoding
 * a recursive type, or skipping an unknown field); past about 8,000 levels Node's default stack
 * runs out, so larger settings are refused rather than turned into a stack overflow.
 */
export const MAX_DEPTH_LIMIT = 2_000;

/** The documented defaults of {@link DecodeLimits}. */
export const DEFAULT_LIMITS: DecodeLimits = Object.freeze({
  maxDepth: 64,
  maxStringLength: 16_384_000,
  maxContainerLength: 16_384_000,
  maxMessageSize: 16_384_000,
  maxValues: 1_000_000,
});

/**
 * Merges partial limits over the defaults. Throws RangeError for a negative or non-integer limit
 * and for a `maxDepth` above {@link MAX_DEPTH_LIMIT} (the message says how to fix it).
 */
export function resolveLimits(partial: Partial<DecodeLimits> | undefined): DecodeLimits {
  if (partial === undefined) return DEFAULT_LIMITS;
  const merged = { ...DEFAULT_LIMITS, ...partial };
  for (const [k, v] of Object.entries(merged)) {
    if (!Number.isInteger(v) || v < 0)
      throw new RangeError(`limit ${k} must be a non-negative integer, got ${v}`);
  }
  if (merged.maxDepth > MAX_DEPTH_LIMIT) {
    throw new RangeError(
      `limit maxDepth must be at most ${MAX_DEPTH_LIMIT} (deeper nesting would overflow the ` +
        `JavaScript stack), got ${merged.maxDepth}; please lower it`,
    );
  }
  return Object.freeze(merged);
}
