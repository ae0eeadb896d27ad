/** The wire protocols the codec reads and writes. */

/** `binary` (Apache's TBinaryProtocol, the default everywhere) or `compact` (TCompactProtocol). */
export type Protocol = 'binary' | 'compact';

/** Every protocol, in the order tools list them. */
export const PROTOCOLS: readonly Protocol[] = ['binary', 'compact'];

/**
 * Returns `p` when it names a protocol (undefined → binary). Throws RangeError for anything else,
 * listing the protocols there are.
 */
export function resolveProtocol(p: unknown): Protocol {
  if (p === undefined) return 'binary';
  if (p === 'binary' || p === 'compact') return p;
  throw new RangeError(
    `unknown protocol ${JSON.stringify(p)}; use one of ${PROTOCOLS.map((x) => `'${x}'`).join(', ')}`,
  );
}
