/**
 * TChannel checksums (protocol.md, "Checksums"): type 0 none, 1 CRC-32 (the zlib / IEEE 802.3
 * CRC, which the spec's text calls "crc-32 (adler-32)" but every library computes as the CRC),
 * 2 farmhash Fingerprint32, 3 CRC-32C (Castagnoli). A frame's checksum covers the arg bytes in
 * that frame, seeded with the previous frame's checksum (0 for the first frame).
 *
 * All three are computed here, with no dependency. Farmhash is computed as npm tchannel 4.0.1
 * computes it, the only library that does (tchannel-py raises NotImplementedError, tchannel-go
 * sends none): it calls farmhash's `fingerprint32(piece, prior)` for each arg piece of the frame,
 * and farmhash ignores the second argument, so a frame's checksum is the Fingerprint32 of its
 * last arg piece alone (the previous frame's checksum when it has none). Any other type is
 * refused with {@link UnsupportedChecksumError}, never accepted unchecked.
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
  ChecksumType.Farmhash32,
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
      `checksum type ${type} (${checksumName(type)}) is not supported: send none (0), crc32 (1), farmhash (2) or crc32c (3)`,
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

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;
const mul = Math.imul;
const rotate = (v: number, s: number): number =>
  s === 0 ? v >>> 0 : ((v >>> s) | (v << (32 - s))) >>> 0;
const fmix = (h: number): number => {
  h ^= h >>> 16;
  h = mul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = mul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
};
const mur = (a: number, h: number): number => {
  a = mul(rotate(mul(a, C1), 17), C2);
  h = rotate((h ^ a) >>> 0, 19);
  return (mul(h, 5) + 0xe6546b64) >>> 0;
};
const fetch32 = (s: Uint8Array, i: number): number =>
  (s[i]! | (s[i + 1]! << 8) | (s[i + 2]! << 16) | (s[i + 3]! << 24)) >>> 0;

/**
 * farmhash's Fingerprint32 (Google farmhash, `farmhashmk::Hash32`) of `s`: what npm farmhash's
 * `fingerprint32` returns. Never throws.
 */
export function fingerprint32(s: Uint8Array): number {
  const len = s.length;
  if (len <= 4) {
    let b = 0;
    let c = 9;
    for (let i = 0; i < len; i++) {
      b = (mul(b, C1) + ((s[i]! << 24) >> 24)) >>> 0; // bytes as signed chars
      c = (c ^ b) >>> 0;
    }
    return fmix(mur(b, mur(len, c)));
  }
  if (len <= 12) {
    const a = (len + fetch32(s, 0)) >>> 0;
    const b = (mul(len, 5) + fetch32(s, len - 4)) >>> 0;
    const c = (9 + fetch32(s, (len >>> 1) & 4)) >>> 0;
    return fmix(mur(c, mur(b, mur(a, mul(len, 5) >>> 0))));
  }
  if (len <= 24) {
    let a = fetch32(s, (len >>> 1) - 4);
    const b = fetch32(s, 4);
    const c = fetch32(s, len - 8);
    const d = fetch32(s, len >>> 1);
    const e = fetch32(s, 0);
    const f = fetch32(s, len - 4);
    let h = (mul(d, C1) + len) >>> 0;
    a = (rotate(a, 12) + f) >>> 0;
    h = (mur(c, h) + a) >>> 0;
    a = (rotate(a, 3) + c) >>> 0;
    h = (mur(e, h) + a) >>> 0;
    a = (rotate((a + f) >>> 0, 12) + d) >>> 0;
    h = (mur(b, h) + a) >>> 0;
    return fmix(h);
  }
  const mix = (x: number): number => mul(rotate(mul(x, C1), 17), C2) >>> 0;
  const step = (h: number, a: number): number =>
    (mul(rotate((h ^ a) >>> 0, 19), 5) + 0xe6546b64) >>> 0;
  let h = step(step(len, mix(fetch32(s, len - 4))), mix(fetch32(s, len - 16)));
  let g = step(step(mul(C1, len) >>> 0, mix(fetch32(s, len - 8))), mix(fetch32(s, len - 12)));
  let f = (rotate((mul(C1, len) + mix(fetch32(s, len - 20))) >>> 0, 19) + 113) >>> 0;
  for (let p = 0, iters = Math.floor((len - 1) / 20); iters > 0; iters--, p += 20) {
    const a = fetch32(s, p);
    const b = fetch32(s, p + 4);
    const c = fetch32(s, p + 8);
    const d = fetch32(s, p + 12);
    const e = fetch32(s, p + 16);
    h = (mur(d, (h + a) >>> 0) + e) >>> 0;
    g = (mur(c, (g + b) >>> 0) + a) >>> 0;
    f = (mur((b + mul(e, C1)) >>> 0, (f + c) >>> 0) + d) >>> 0;
    f = (f + g) >>> 0;
    g = (g + f) >>> 0;
  }
  g = mul(rotate(mul(rotate(g, 11), C1), 17), C1) >>> 0;
  f = mul(rotate(mul(rotate(f, 11), C1), 17), C1) >>> 0;
  h = mul(rotate((mul(rotate((h + g) >>> 0, 19), 5) + 0xe6546b64) >>> 0, 17), C1) >>> 0;
  h = mul(rotate((mul(rotate((h + f) >>> 0, 19), 5) + 0xe6546b64) >>> 0, 17), C1) >>> 0;
  return h;
}

/**
 * The checksum of type `type` over `parts` (the arg bytes of one frame, in order), seeded with
 * `prior` (the previous frame's checksum, 0 for the first). 0 for type none; for farmhash, the
 * Fingerprint32 of the last part, as npm tchannel computes it (see the module comment). Throws
 * {@link UnsupportedChecksumError} for a type we do not compute.
 */
export function checksum(type: number, parts: readonly Uint8Array[], prior = 0): number {
  if (type === ChecksumType.None) return 0;
  if (type === ChecksumType.Farmhash32)
    return parts.length === 0 ? prior >>> 0 : fingerprint32(parts[parts.length - 1]!);
  const f = type === ChecksumType.Crc32 ? crc32 : type === ChecksumType.Crc32c ? crc32c : undefined;
  if (f === undefined) throw new UnsupportedChecksumError(type);
  let c = prior >>> 0;
  for (const p of parts) c = f(p, c);
  return c;
}
