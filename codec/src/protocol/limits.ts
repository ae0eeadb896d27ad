/**
 * Decoding limits. Every length is also checked against the bytes that remain before anything is
 * allocated, so the limits below only narrow what the input could already hold.
 */
export interface DecodeLimits {
  /** Deepest nesting of structs and containers. Default 64. */
  readonly maxDepth: number;
  /** Longest string or binary, in bytes. Default 16,384,000 (Apache's default frame size). */
  readonly maxStringLength: number;
  /** Most elements in one list, set or map. Default 16,384,000. */
  readonly maxContainerLength: number;
  /** Largest message `loads.message` accepts, in bytes. Default 16,384,000. */
  readonly maxMessageSize: number;
}

/** The documented defaults of {@link DecodeLimits}. */
export const DEFAULT_LIMITS: DecodeLimits = Object.freeze({
  maxDepth: 64,
  maxStringLength: 16_384_000,
  maxContainerLength: 16_384_000,
  maxMessageSize: 16_384_000,
});

/** Merges partial limits over the defaults; throws RangeError for a negative or non-integer limit. */
export function resolveLimits(partial: Partial<DecodeLimits> | undefined): DecodeLimits {
  if (partial === undefined) return DEFAULT_LIMITS;
  const merged = { ...DEFAULT_LIMITS, ...partial };
  for (const [k, v] of Object.entries(merged)) {
    if (!Number.isInteger(v) || v < 0)
      throw new RangeError(`limit ${k} must be a non-negative integer, got ${v}`);
  }
  return Object.freeze(merged);
}
