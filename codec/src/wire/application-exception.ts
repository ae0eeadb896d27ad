/**
 * Apache Thrift's TApplicationException: what a server sends in an EXCEPTION message when a call
 * fails outside the IDL (unknown method, handler crash, bad input). On the wire it is a struct
 * `{ 1: optional string message, 2: optional i32 type }`.
 */

/** Apache's TApplicationException type codes. */
export const ApplicationExceptionType = {
  UNKNOWN: 0,
  UNKNOWN_METHOD: 1,
  INVALID_MESSAGE_TYPE: 2,
  WRONG_METHOD_NAME: 3,
  BAD_SEQUENCE_ID: 4,
  MISSING_RESULT: 5,
  INTERNAL_ERROR: 6,
  PROTOCOL_ERROR: 7,
  INVALID_TRANSFORM: 8,
  INVALID_PROTOCOL: 9,
  UNSUPPORTED_CLIENT_TYPE: 10,
} as const;

/** Returns the name of an application exception type code, or `UNKNOWN(n)` for other codes. */
export function applicationExceptionTypeName(code: number): string {
  for (const [k, v] of Object.entries(ApplicationExceptionType)) if (v === code) return k;
  return `UNKNOWN(${code})`;
}

/** A decoded or to-be-sent TApplicationException. `type` defaults to UNKNOWN (0). */
export class TApplicationException extends Error {
  override get name(): string {
    return 'TApplicationException';
  }
  /** The type code (may be outside the known codes when a peer sends one). */
  readonly type: number;

  /** Creates an exception with a type code (default UNKNOWN) and a message (default ''). */
  constructor(type: number = ApplicationExceptionType.UNKNOWN, message = '') {
    super(message);
    this.type = type;
  }

  /** The type code's name, e.g. `UNKNOWN_METHOD`. */
  get typeName(): string {
    return applicationExceptionTypeName(this.type);
  }
}
