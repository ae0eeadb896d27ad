/**
 * TChannel checksums (protocol.md, "Checksums"): type 0 none, 1 CRC-32 (the zlib / IEEE 802.3
 * CRC, which the spec's text calls "crc-32 (adler-32)" but every library computes as the CRC),
 * 2 farmhash Fingerprint32, 3 CRC-32C (Castagnoli). A frame's checksum covers the arg bytes in
 * that frame, seeded with the previous frame's checksum (0 for the first frame).
 *
 * CRC-32 and CRC-32C are computed here (table-driven, no dependency). Farmhash is not: a frame
 * with checksum type 2 is refused with {@link UnsupportedChecksumError}, never accepted unchecked.
 */

/** Checksum types on the wire. */
export const ChecksumType = Object.freeze({
  None: 0,
  Crc32: 1,
  Farmhash32: 2,
  Crc32c: 3,
} as const);

/** A checksum type number (0 none, 1 CRC-32, 2 farmhash Fingerprint32, 3 CRC-32C). */
export type ChecksumTypeCode = (typeof ChecksumType)[keyof typeof ChecksumType];

/** The checksum types we compute (and so may send and verify). */
export const COMPUTED_CHECKSUMS: readonly number[] = [
  ChecksumType.None,
  ChecksumType.Crc32,
  ChecksumType.Crc32c,
];

const NAMES: Record<number, string> = {
  0: 'none',
  1: 'crc32',
  2: 'farmhash Fingerprint32',
  3: 'crc32c',
};

/** The name of checksum type `type` for messages ("crc32c", or "unknown type N"). */
export function checksumName(type: number): string {
  return NAMES[type] ?? `unknown type ${type}`;
}

/** A checksum type that we cannot compute or that does not exist. */
export class UnsupportedChecksumError extends Error {
  /** @param type the checksum type byte as received */
  constructor(readonly type: number) {
    super(
      `checksum type ${type} (${checksumName(type)}) is not supported: send none (0), crc32 (1) or crc32c (3)`,
    );
  }
  override get name(): string {
    return 'UnsupportedChecksumError';
  }
}

/** The 256-entry table of a reflected CRC-32 with polynomial `poly`. */
function table(poly: number): Uint32Array {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ poly : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
}

const CRC32_TABLE = table(0xedb88320);
const CRC32C_TABLE = table(0x82f63b78);

function crc(t: Uint32Array, bytes: Uint8Array, prior: number): number {
  let c = ~prior >>> 0;
  for (let i = 0; i < bytes.length; i++) c = t[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

/** CRC-32 (IEEE, zlib's) of `bytes`, continuing from `prior` (default 0: a fresh CRC). */
export function crc32(bytes: Uint8Array, prior = 0): number {
  return crc(CRC32_TABLE, bytes, prior);
}

/** CRC-32C (Castagnoli) of `bytes`, continuing from `prior` (default 0: a fresh CRC). */
export function crc32c(bytes: Uint8Array, prior = 0): number {
  return crc(CRC32C_TABLE, bytes, prior);
}

/**
 * The checksum of type `type` over `parts` (the arg bytes of one frame, in order), seeded with
 * `prior` (the previous frame's checksum, 0 for the first). 0 for type none. Throws
 * {@link UnsupportedChecksumError} for a type we do not compute.
 */
export function checksum(type: number, parts: readonly Uint8Array[], prior = 0): number {
  if (type === ChecksumType.None) return 0;
  const f = type === ChecksumType.Crc32 ? crc32 : type === ChecksumType.Crc32c ? crc32c : undefined;
  if (f === undefined) throw new UnsupportedChecksumError(type);
  let c = prior >>> 0;
  for (const p of parts) c = f(p, c);
  return c;
}
