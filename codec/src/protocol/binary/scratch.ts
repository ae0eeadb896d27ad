/**
 * Big-endian doubles and i64s without a DataView per buffer: values go through one shared
 * 8-byte scratch area (reads and writes are synchronous, so sharing is safe). Creating a DataView
 * for every small message cost more than encoding the message itself.
 */

const f64 = new Float64Array(1);
const i64 = new BigInt64Array(f64.buffer);
const bytes = new Uint8Array(f64.buffer);
/** True on little-endian hosts (every platform Node runs on today; big-endian is handled too). */
const LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function put(buf: Uint8Array, p: number): void {
  if (LE) {
    buf[p] = bytes[7]!;
    buf[p + 1] = bytes[6]!;
    buf[p + 2] = bytes[5]!;
    buf[p + 3] = bytes[4]!;
    buf[p + 4] = bytes[3]!;
    buf[p + 5] = bytes[2]!;
    buf[p + 6] = bytes[1]!;
    buf[p + 7] = bytes[0]!;
  } else buf.set(bytes, p);
}

function take(buf: Uint8Array, p: number): void {
  if (LE) {
    bytes[7] = buf[p]!;
    bytes[6] = buf[p + 1]!;
    bytes[5] = buf[p + 2]!;
    bytes[4] = buf[p + 3]!;
    bytes[3] = buf[p + 4]!;
    bytes[2] = buf[p + 5]!;
    bytes[1] = buf[p + 6]!;
    bytes[0] = buf[p + 7]!;
  } else bytes.set(buf.subarray(p, p + 8));
}

/** Writes `v` as a big-endian IEEE 754 double at `buf[p..p+8)`. */
export function putDouble(buf: Uint8Array, p: number, v: number): void {
  f64[0] = v;
  put(buf, p);
}

/** Writes `v` as a big-endian two's complement i64 at `buf[p..p+8)`. */
export function putI64(buf: Uint8Array, p: number, v: bigint): void {
  i64[0] = v;
  put(buf, p);
}

/** Reads a big-endian IEEE 754 double from `buf[p..p+8)`. */
export function takeDouble(buf: Uint8Array, p: number): number {
  take(buf, p);
  return f64[0]!;
}

/** Reads a big-endian two's complement i64 from `buf[p..p+8)`. */
export function takeI64(buf: Uint8Array, p: number): bigint {
  take(buf, p);
  return i64[0]!;
}

/** Results up to half of this size are carved out of a shared pool (like Buffer.allocUnsafe). */
export const POOL_SIZE = 64 * 1024;
let pool = new ArrayBuffer(POOL_SIZE);
let poolOffset = 0;

/**
 * Returns a Uint8Array of `n` bytes for an encoder to fill completely. Small ones are views into
 * a shared 64 KiB ArrayBuffer (8-byte aligned), as Node's Buffer.allocUnsafe does, which saves
 * an ArrayBuffer allocation per message; larger ones get their own buffer.
 */
export function allocate(n: number): Uint8Array {
  if (n > POOL_SIZE >>> 1) return new Uint8Array(n);
  if (poolOffset + n > POOL_SIZE) {
    pool = new ArrayBuffer(POOL_SIZE);
    poolOffset = 0;
  }
  const out = new Uint8Array(pool, poolOffset, n);
  poolOffset = (poolOffset + n + 7) & ~7;
  return out;
}
