/** uuid text ⇄ 16 bytes (RFC 9562 byte order, as Thrift's uuid type puts it on the wire). */

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Converts canonical uuid text (any case, validated by the caller) to its 16 bytes. */
export function uuidToBytes(s: string): Uint8Array {
  const hex = s.replace(/-/g, '');
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** Converts 16 bytes to lowercase canonical uuid text `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`. */
export function bytesToUuid(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) s += '-';
    s += HEX[b[i]!]!;
  }
  return s;
}
