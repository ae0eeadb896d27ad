/**
 * Little-endian doubles and i64s split into 32-bit halves, through one shared 8-byte scratch area
 * (reads and writes are synchronous, so sharing is safe), for the compact protocol's writer and
 * reader. A bigint is stored once and read back as two int32s, which is much cheaper than
 * shifting and masking bigints.
 */

const f64 = new Float64Array(1);
const big = new BigInt64Array(f64.buffer);
const words = new Int32Array(f64.buffer);
const bytes = new Uint8Array(f64.buffer);
/** True on little-endian hosts (every platform Node runs on today; big-endian is handled too). */
const LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const LO = LE ? 0 : 1;
const HI = LE ? 1 : 0;

/** [low 32 bits, high 32 bits] of the last i64 given to `i64Halves`, as int32s. */
export const HALVES = new Int32Array(2);

const TWO_32 = 4294967296;

/** Splits an i64 (a bigint, or a safe-integer number) into HALVES. */
export function i64Halves(v: bigint | number): void {
  if (typeof v === 'number') {
    const hi = Math.floor(v / TWO_32);
    HALVES[0] = v - hi * TWO_32;
    HALVES[1] = hi;
    return;
  }
  big[0] = v;
  HALVES[0] = words[LO]!;
  HALVES[1] = words[HI]!;
}

/** Builds the bigint of two 32-bit halves (each taken as its low 32 bits). */
export function i64FromHalves(lo: number, hi: number): bigint {
  words[LO] = lo;
  words[HI] = hi;
  return big[0]!;
}

/** Writes `v` as a little-endian IEEE 754 double at `buf[p..p+8)`. */
export function putDoubleLE(buf: Uint8Array, p: number, v: number): void {
  f64[0] = v;
  if (LE) {
    buf[p] = bytes[0]!;
    buf[p + 1] = bytes[1]!;
    buf[p + 2] = bytes[2]!;
    buf[p + 3] = bytes[3]!;
    buf[p + 4] = bytes[4]!;
    buf[p + 5] = bytes[5]!;
    buf[p + 6] = bytes[6]!;
    buf[p + 7] = bytes[7]!;
  } else for (let i = 0; i < 8; i++) buf[p + i] = bytes[7 - i]!;
}

/** Reads a little-endian IEEE 754 double from `buf[p..p+8)`. */
export function takeDoubleLE(buf: Uint8Array, p: number): number {
  if (LE) {
    bytes[0] = buf[p]!;
    bytes[1] = buf[p + 1]!;
    bytes[2] = buf[p + 2]!;
    bytes[3] = buf[p + 3]!;
    bytes[4] = buf[p + 4]!;
    bytes[5] = buf[p + 5]!;
    bytes[6] = buf[p + 6]!;
    bytes[7] = buf[p + 7]!;
  } else for (let i = 0; i < 8; i++) bytes[7 - i] = buf[p + i]!;
  return f64[0]!;
}
