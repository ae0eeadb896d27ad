/**
 * The compact protocol's type codes (4 bits on the wire) and their mapping to and from the
 * binary protocol's TType codes. Field headers carry a bool's value in the type (1 true, 2
 * false); list, set and map headers write bool as 1, as Apache's libraries do (the spec says 2;
 * readers take both).
 */

/** Compact type codes. */
export const CType = {
  STOP: 0,
  BOOLEAN_TRUE: 1,
  BOOLEAN_FALSE: 2,
  BYTE: 3,
  I16: 4,
  I32: 5,
  I64: 6,
  DOUBLE: 7,
  BINARY: 8,
  LIST: 9,
  SET: 10,
  MAP: 11,
  STRUCT: 12,
  UUID: 13,
} as const;

/** TType code → compact code (bool → BOOLEAN_TRUE); -1 where there is none. */
const TO_COMPACT: readonly number[] = [0, -1, 1, 3, 7, -1, 4, -1, 5, -1, 6, 8, 12, 11, 10, 9, 13];
/** Compact code → TType code; -1 where there is none. */
const TO_TTYPE: readonly number[] = [0, 2, 2, 3, 6, 8, 10, 4, 11, 15, 14, 13, 12, 16];

/** Returns the compact code of a TType (bool → 1), or -1 for STOP-less codes without one. */
export function compactOf(ttype: number): number {
  return TO_COMPACT[ttype] ?? -1;
}

/** Returns the TType of a compact code (1 and 2 → BOOL), or -1 for an unknown code. */
export function ttypeOfCompact(ctype: number): number {
  return TO_TTYPE[ctype] ?? -1;
}

const NAMES = [
  'stop',
  'bool true',
  'bool false',
  'byte',
  'i16',
  'i32',
  'i64',
  'double',
  'binary',
  'list',
  'set',
  'map',
  'struct',
  'uuid',
];

/** The name of a compact type code as a field header means it (`bool true`, `i32`, `unknown type 14`). */
export function ctypeName(ctype: number): string {
  return NAMES[ctype] ?? `unknown type ${ctype}`;
}

/** The name of a compact element type code (1 and 2 are both `bool`). */
export function elemTypeName(ctype: number): string {
  return ctype === 1 || ctype === 2 ? 'bool' : ctypeName(ctype);
}
