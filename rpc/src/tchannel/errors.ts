/**
 * TChannel errors: the error frame's codes (protocol.md, "error (0xFF)"), {@link TChannelError}
 * for a call answered with an error frame (or failed locally in the same terms), and
 * {@link TChannelProtocolError} for bytes that break the protocol (the connection is closed).
 */

/** The codes of an error frame. */
export const ErrorCode = Object.freeze({
  Invalid: 0x00,
  Timeout: 0x01,
  Cancelled: 0x02,
  Busy: 0x03,
  Declined: 0x04,
  UnexpectedError: 0x05,
  BadRequest: 0x06,
  NetworkError: 0x07,
  Unhealthy: 0x08,
  FatalProtocolError: 0xff,
} as const);

const CODE_NAMES: Record<number, string> = {
  0x00: 'Invalid',
  0x01: 'Timeout',
  0x02: 'Cancelled',
  0x03: 'Busy',
  0x04: 'Declined',
  0x05: 'UnexpectedError',
  0x06: 'BadRequest',
  0x07: 'NetworkError',
  0x08: 'Unhealthy',
  0xff: 'FatalProtocolError',
};

/** The name of error code `code` ("BadRequest"), or "unknown code 0xNN". */
export function errorCodeName(code: number): string {
  return CODE_NAMES[code] ?? `unknown code 0x${code.toString(16).padStart(2, '0')}`;
}

/**
 * A call that failed at the TChannel level: an error frame from the other side, or a local
 * failure named with the same codes (a client-side timeout is Timeout, a closed connection
 * NetworkError). `code` is the error code; the message starts with its name.
 */
export class TChannelError extends Error {
  /**
   * @param code the error frame's code (see {@link ErrorCode})
   * @param text what the error frame said, or what failed locally
   * @param id the message id of the call, when known
   */
  constructor(
    readonly code: number,
    readonly text: string,
    readonly id?: number,
  ) {
    super(`${errorCodeName(code)} (0x${code.toString(16).padStart(2, '0')}): ${text}`);
  }
  override get name(): string {
    return 'TChannelError';
  }
}

/**
 * Bytes that break the TChannel protocol: a frame too short or too long, a size larger than what
 * is left, a frame of an unknown type, a call before init. The message names the frame, the field
 * and the byte offset within the frame; the connection it arrived on is closed.
 */
export class TChannelProtocolError extends Error {
  /**
   * @param message what is wrong, where, and how to fix it
   * @param id the message id of the frame, when known
   */
  constructor(
    message: string,
    readonly id?: number,
  ) {
    super(message);
  }
  override get name(): string {
    return 'TChannelProtocolError';
  }
}
