/**
 * The one shape every codec under comparison is driven through (OUR codec, npm thriftrw, the JS
 * Apache Thrift generates), so the interop test and the benchmark treat them alike.
 *
 * Values cross this interface in OUR codec's representation: struct = plain object (or class
 * instance) with field-name properties (unset = undefined), bool, byte/i16/i32 = number,
 * i64 = bigint, double = number, string = string, binary = Uint8Array, list = Array, set = Set,
 * map = Map, enum = number. Each adapter converts to and from its library's own representation
 * (its "native" values); `toNative` / `encodeNative` / `decodeNative` expose that so a benchmark
 * can time the library alone, without the conversion.
 */

/** Message types of the envelope, as on the wire. */
export const MessageType = { CALL: 1, REPLY: 2, EXCEPTION: 3, ONEWAY: 4 } as const;
/** One of 1 (CALL), 2 (REPLY), 3 (EXCEPTION), 4 (ONEWAY). */
export type MessageTypeCode = (typeof MessageType)[keyof typeof MessageType];

/**
 * An envelope in OUR representation. `body` is the arguments struct for CALL/ONEWAY (fields named
 * after the arguments), the result struct for REPLY (`success` and/or one field per declared
 * exception) and a TApplicationException `{ message?, type? }` for EXCEPTION.
 */
export interface Envelope {
  readonly name: string;
  readonly messageType: MessageTypeCode;
  readonly seqid: number;
  readonly body: Record<string, unknown>;
}

/** A codec driven by type name; `typeName` is a struct, union or exception of the loaded IDL. */
export interface CodecAdapter {
  /** A short label for tables and messages, e.g. `npm thriftrw`. */
  readonly name: string;
  /** Encodes `value` (OUR representation) with the binary protocol. Throws on invalid values. */
  encode(typeName: string, value: unknown): Uint8Array;
  /** Decodes `bytes` into a value of `typeName` in OUR representation. Throws on bad bytes. */
  decode(typeName: string, bytes: Uint8Array): unknown;
  /** Encodes an envelope of `service` with the binary protocol (strict header unless said). */
  encodeMessage(service: string, message: Envelope): Uint8Array;
  /** Decodes an envelope of `service` (strict or not) into OUR representation. */
  decodeMessage(service: string, bytes: Uint8Array): Envelope;
  /** Converts a value of `typeName` from OUR representation to the library's own. */
  toNative(typeName: string, value: unknown): unknown;
  /** Encodes a value already in the library's own representation (no conversion). */
  encodeNative(typeName: string, native: unknown): Uint8Array;
  /** Decodes into the library's own representation (no conversion). */
  decodeNative(typeName: string, bytes: Uint8Array): unknown;
}
