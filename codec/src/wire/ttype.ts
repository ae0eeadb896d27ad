/** Thrift wire type codes (Apache's TType), shared by every protocol's field and container headers. */
export const TType = {
  STOP: 0,
  VOID: 1,
  BOOL: 2,
  BYTE: 3,
  DOUBLE: 4,
  I16: 6,
  I32: 8,
  I64: 10,
  STRING: 11,
  STRUCT: 12,
  MAP: 13,
  SET: 14,
  LIST: 15,
  UUID: 16,
} as const;

export type TTypeCode = (typeof TType)[keyof typeof TType];

const NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(TType).map(([k, v]) => [v, k.toLowerCase()]),
);

/** Returns the lowercase name of a type code (`i32`, `struct`), or `unknown type N`. */
export function ttypeName(code: number): string {
  return NAMES[code] ?? `unknown type ${code}`;
}

/** True when `code` is a type code a value can have on the wire (not STOP or VOID). */
export function isValueTType(code: number): boolean {
  return code >= 2 && code <= 16 && code !== 5 && code !== 7 && code !== 9;
}
