/** The message envelope that wraps every request and response sent over RPC. */
import type { MessageTypeCode } from './message-type.js';

/** The envelope's header. */
export interface EnvelopeHeader {
  readonly name: string;
  /** One of MessageType's codes (CALL, REPLY, EXCEPTION, ONEWAY). */
  readonly messageType: MessageTypeCode;
  readonly seqid: number;
  /** `true` when the header was (or is to be) written in the strict, versioned form. */
  readonly strict: boolean;
}

/** The version word of strict binary envelopes (`0x80010000 | type`). */
export const BINARY_VERSION_1 = 0x80010000 | 0;
/** Mask over the version word's version bits. */
export const BINARY_VERSION_MASK = 0xffff0000 | 0;
