/**
 * The envelope cases of the invalid-input matrix (issue 12, "Envelopes"), each with its bytes,
 * the spec's rule where the spec text speaks, and where it says so. Server cases are bytes a
 * client sends to a server; client cases are answers a raw server gives to a client's call.
 * All speak the fixed IDL {@link ENVELOPE_IDL}: `Env.echo(1: string s)` is called with `ping`,
 * a normal answer is `success = "pong"`.
 */
import type { EnvelopeSpec, ReadHeader, WireProtocol } from './envelope-bytes.js';
import {
  applicationExceptionStruct,
  concat,
  envelopeHeader,
  onTheWire,
  stringFieldsStruct,
} from './envelope-bytes.js';
import type { SpecRule } from './model.js';

/**
 * The IDL every reader loads: a function returning a value, one with a declared exception, one
 * oneway. Valid in both dialects (thriftrw needs `optional` on exception fields).
 */
export const ENVELOPE_IDL = `exception Oops {
  1: optional string why
}

service Env {
  string echo(1: string s)
  string risky(1: string s, 2: string raiseField) throws (1: Oops oops)
  oneway void fire(1: string s)
}
`;

/** The service and function the cases call. */
export const SERVICE = 'Env';
export const FUNCTION = 'echo';
/** The argument sent and the result a normal answer carries. */
export const ARGUMENT = 'ping';
export const RESULT = 'pong';

/** Bytes after a whole message in the trailing-bytes cases. */
export const TRAILING = Uint8Array.from([0xde, 0xad, 0xbe, 0xef]);

/** The envelope forms of the matrix: binary has two, compact one (shown as strict). */
export type EnvelopeForm = 'strict' | 'nonstrict';

/** Where a case's rule comes from. */
const BINARY_MESSAGE = 'doc/specs/thrift-binary-protocol.md, "Message"';
const COMPACT_MESSAGE = 'doc/specs/thrift-compact-protocol.md, "Message"';
const RPC_MESSAGE = 'doc/specs/thrift-rpc.md, "Message"';

/** What a reader's manifest lets a case's rule depend on. */
export interface ReaderTraits {
  /** The envelope forms its server reads (binary). */
  readonly readsEnvelopes: readonly EnvelopeForm[];
}

/** A case's rule for one reader, with where the spec says so (or why it is silent). */
export interface Rule {
  readonly spec: SpecRule;
  readonly specRef: string;
}

/** Bytes a client sends to a server. */
export interface ServerCase {
  readonly side: 'server';
  /** Stable: `server-<what>`. */
  readonly kind: string;
  /** For a person. */
  readonly what: string;
  /** Whether the case exists for this protocol, envelope form and transport. */
  applies(
    protocol: WireProtocol,
    envelope: EnvelopeForm,
    transport: 'framed' | 'buffered',
  ): boolean;
  /** The bytes as sent on the wire (framed: with the length first). */
  wire(
    protocol: WireProtocol,
    envelope: EnvelopeForm,
    transport: 'framed' | 'buffered',
  ): Uint8Array;
  /** Buffered: the message is cut short, so our side of the stream is ended after sending. */
  readonly endsStream: boolean;
  rule(protocol: WireProtocol, reader: ReaderTraits): Rule;
}

/** An answer a raw server gives to a client's call. */
export interface ClientCase {
  readonly side: 'client';
  /** Stable: `client-<what>`. */
  readonly kind: string;
  readonly what: string;
  applies(protocol: WireProtocol, envelope: EnvelopeForm): boolean;
  /** The answer's message bytes (unframed; the raw server frames them) to `request`. */
  answer(protocol: WireProtocol, envelope: EnvelopeForm, request: ReadHeader): Uint8Array;
  rule(protocol: WireProtocol): Rule;
}

/** Message types (thrift-binary-protocol.md, "Message"). */
const CALL = 1;
const REPLY = 2;
const EXCEPTION = 3;

function header(
  protocol: WireProtocol,
  envelope: EnvelopeForm,
  fields: Omit<EnvelopeSpec, 'protocol' | 'strict'>,
): Uint8Array {
  return envelopeHeader({
    protocol,
    strict: protocol === 'compact' || envelope === 'strict',
    ...fields,
  });
}

/** The args struct of `echo("ping")`. */
function args(protocol: WireProtocol): Uint8Array {
  return stringFieldsStruct(protocol, [[1, ARGUMENT]]);
}

/** A normal call of `echo("ping")`, seqid 7, unframed. */
export function normalCall(protocol: WireProtocol, envelope: EnvelopeForm, seqid = 7): Uint8Array {
  return concat(header(protocol, envelope, { type: CALL, name: FUNCTION, seqid }), args(protocol));
}

/** A normal REPLY to `request`: `success = "pong"`, unframed. */
export function normalReply(
  protocol: WireProtocol,
  envelope: EnvelopeForm,
  request: ReadHeader,
): Uint8Array {
  return concat(
    header(protocol, envelope, { type: REPLY, name: request.name, seqid: request.seqid }),
    stringFieldsStruct(protocol, [[0, RESULT]]),
  );
}

const always = (): boolean => true;
const strictOnly = (p: WireProtocol, e: EnvelopeForm): boolean => p === 'compact' || e === 'strict';
const versionRule = (p: WireProtocol): Rule => ({
  spec: 'must-refuse',
  specRef:
    p === 'binary'
      ? `${BINARY_MESSAGE}: "vvvvvvvvvvvvvvv is the version, an unsigned 15 bit number fixed to 1"; a header with another version is not this protocol's message`
      : `${COMPACT_MESSAGE}: "vvvvv is the version, an unsigned 5 bit integer, fixed to 00001"; a header with another version is not this protocol's message`,
});

/** A simple server case: the message bytes depend on protocol and envelope only. */
function serverCase(
  kind: string,
  what: string,
  message: (p: WireProtocol, e: EnvelopeForm) => Uint8Array,
  rule: (p: WireProtocol, r: ReaderTraits) => Rule,
  options: {
    applies?: (p: WireProtocol, e: EnvelopeForm, t: 'framed' | 'buffered') => boolean;
    endsStream?: boolean;
  } = {},
): ServerCase {
  return {
    side: 'server',
    kind,
    what,
    applies: options.applies ?? always,
    wire: (p, e, t) => onTheWire(t, message(p, e)),
    endsStream: options.endsStream ?? false,
    rule,
  };
}

const silentMessageType: Rule = {
  spec: 'silent',
  specRef: `${BINARY_MESSAGE} and ${COMPACT_MESSAGE} list message types 1-4 only; ${RPC_MESSAGE}: "Clients send requests with TMessages of type Call or Oneway"; neither says what a server does with another type`,
};

/** The server cases, in matrix order. */
export const SERVER_CASES: readonly ServerCase[] = [
  serverCase(
    'server-wrong-version',
    'a CALL of echo whose envelope says version 2',
    (p, e) => concat(header(p, e, { type: CALL, name: FUNCTION, seqid: 7, version: 2 }), args(p)),
    (p) => versionRule(p),
    { applies: strictOnly },
  ),
  serverCase(
    'server-unused-byte-set',
    'a strict CALL of echo whose "unused" byte (the third) is 0x01',
    (p, e) => concat(header(p, e, { type: CALL, name: FUNCTION, seqid: 7, unused: 1 }), args(p)),
    () => ({
      spec: 'must-accept',
      specRef: `${BINARY_MESSAGE}: "unused is an ignored byte"`,
    }),
    { applies: (p, e) => p === 'binary' && e === 'strict' },
  ),
  serverCase(
    'server-message-type-5',
    'echo with message type 5 (no such type)',
    (p, e) => concat(header(p, e, { type: 5, name: FUNCTION, seqid: 7 }), args(p)),
    () => silentMessageType,
  ),
  serverCase(
    'server-message-type-7',
    'echo with message type 7 (no such type)',
    (p, e) => concat(header(p, e, { type: 7, name: FUNCTION, seqid: 7 }), args(p)),
    () => silentMessageType,
  ),
  serverCase(
    'server-reply-type',
    'echo sent to the server as a REPLY (type 2) instead of a CALL',
    (p, e) => concat(header(p, e, { type: REPLY, name: FUNCTION, seqid: 7 }), args(p)),
    () => silentMessageType,
  ),
  serverCase(
    'server-unknown-method',
    "a CALL of 'nosuch', a method the service does not have",
    (p, e) => concat(header(p, e, { type: CALL, name: 'nosuch', seqid: 7 }), args(p)),
    () => ({
      spec: 'must-refuse',
      specRef: `${RPC_MESSAGE}: "The name indicates the service method name to invoke"; "Response struct": unknown method (1) is "used in case the method requested by the client is unknown by the server" (how a server refuses, with that exception or by closing, is its choice)`,
    }),
  ),
  serverCase(
    'server-nonstrict-call',
    'a normal CALL of echo in the old (non-strict) envelope',
    (p, e) => normalCall(p, e),
    (_p, r) =>
      r.readsEnvelopes.includes('nonstrict')
        ? {
            spec: 'must-accept',
            specRef: `${BINARY_MESSAGE}: "a server and client using the different variants of the binary protocol can transparently talk with each other" (the reader's manifest says it reads non-strict envelopes)`,
          }
        : {
            spec: 'must-refuse',
            specRef: `${BINARY_MESSAGE}: "when strict mode is enforced, the old format is rejected" (the reader's manifest says it reads strict envelopes only)`,
          },
    { applies: (p, e) => p === 'binary' && e === 'nonstrict' },
  ),
  serverCase(
    'server-trailing-bytes',
    'a normal CALL of echo followed by 4 more bytes (de ad be ef) inside the same frame',
    (p, e) => concat(normalCall(p, e), TRAILING),
    () => ({
      spec: 'silent',
      specRef: `${RPC_MESSAGE} ("Framed vs. unframed transport") says a frame holds "the full request", but no spec says what a reader does with bytes after the message inside it`,
    }),
    { applies: (_p, _e, t) => t === 'framed' },
  ),
  serverCase(
    'server-truncated-args',
    "a CALL of echo whose args struct is cut 3 bytes short (inside the string 'ping', no stop byte)",
    (p, e) => {
      const whole = normalCall(p, e);
      return whole.subarray(0, whole.length - 3);
    },
    (p) => ({
      spec: 'must-refuse',
      specRef: `${p === 'binary' ? 'doc/specs/thrift-binary-protocol.md' : 'doc/specs/thrift-compact-protocol.md'}, "Struct": "A Struct is a sequence of zero or more fields, followed by a stop field"; the args end before their string and stop field (buffered: the stream then ends)`,
    }),
    { endsStream: true },
  ),
  {
    side: 'server',
    kind: 'server-message-across-frames',
    what: 'a CALL of echo cut 3 bytes short in one frame, its last 3 bytes (the rest of "ping" and the stop byte) in a second frame',
    applies: (_p, _e, t) => t === 'framed',
    wire: (p, e) => {
      const whole = normalCall(p, e);
      const cut = whole.length - 3;
      return concat(
        onTheWire('framed', whole.subarray(0, cut)),
        onTheWire('framed', whole.subarray(cut)),
      );
    },
    endsStream: false,
    rule: () => ({
      spec: 'must-refuse',
      specRef: `${RPC_MESSAGE.replace('"Message"', '"Framed vs. unframed transport"')}: "the full request and response (the TMessage and the following struct) are first written to a buffer", "the complete frame is first read in a buffer before the message is passed to a processor": a frame holds a whole message, so the first frame's message is cut short`,
    }),
  },
  serverCase(
    'server-name-too-long',
    'a CALL of echo whose name length says 64 bytes more than the message holds (framed: more than the frame)',
    (p, e) =>
      concat(header(p, e, { type: CALL, name: FUNCTION, seqid: 7, nameLengthDelta: 64 }), args(p)),
    () => ({
      spec: 'must-refuse',
      specRef: `${RPC_MESSAGE}, "Framed vs. unframed transport": "the complete frame is first read in a buffer before the message is passed to a processor"; the name cannot be read from what was sent (buffered: the stream then ends)`,
    }),
    { endsStream: true },
  ),
];

/** A simple client case. */
function clientCase(
  kind: string,
  what: string,
  answer: (p: WireProtocol, e: EnvelopeForm, r: ReadHeader) => Uint8Array,
  rule: (p: WireProtocol) => Rule,
  applies: (p: WireProtocol, e: EnvelopeForm) => boolean = always,
): ClientCase {
  return { side: 'client', kind, what, applies, answer, rule };
}

const replyBody = (p: WireProtocol): Uint8Array => stringFieldsStruct(p, [[0, RESULT]]);

/** The client cases, in matrix order. */
export const CLIENT_CASES: readonly ClientCase[] = [
  clientCase(
    'client-wrong-seqid',
    "a REPLY to echo (success 'pong') whose seqid is the request's plus one",
    (p, e, r) =>
      concat(header(p, e, { type: REPLY, name: r.name, seqid: (r.seqid + 1) | 0 }), replyBody(p)),
    () => ({
      spec: 'silent',
      specRef: `${RPC_MESSAGE}: "The server will use the same sequence id in the message of the response. The client uses this number to detect out of order responses" - a rule for servers; what a client with one call in flight does with another seqid is not said`,
    }),
  ),
  clientCase(
    'client-wrong-method-name',
    "a REPLY (success 'pong', the request's seqid) that names 'risky' instead of 'echo'",
    (p, e, r) => concat(header(p, e, { type: REPLY, name: 'risky', seqid: r.seqid }), replyBody(p)),
    () => ({
      spec: 'silent',
      specRef: `${RPC_MESSAGE}: "The server copies the name in the response message" - a rule for servers; what a client does with another name is not said (wrong method name, 3: "no usage was found")`,
    }),
  ),
  clientCase(
    'client-call-type',
    "a CALL message (type 1) instead of a REPLY, with body success 'pong'",
    (p, e, r) => concat(header(p, e, { type: CALL, name: r.name, seqid: r.seqid }), replyBody(p)),
    () => ({
      spec: 'silent',
      specRef: `${RPC_MESSAGE}: "Servers send responses with messages of type Exception or Reply" - a rule for servers; what a client does with another type is not said (invalid message type, 2: "no usage was found")`,
    }),
  ),
  clientCase(
    'client-wrong-version',
    "a REPLY (success 'pong') whose envelope says version 2",
    (p, e, r) =>
      concat(header(p, e, { type: REPLY, name: r.name, seqid: r.seqid, version: 2 }), replyBody(p)),
    (p) => versionRule(p),
    strictOnly,
  ),
  clientCase(
    'client-trailing-bytes',
    "a normal REPLY (success 'pong') followed by 4 more bytes (de ad be ef; framed: inside the frame)",
    (p, e, r) => concat(normalReply(p, e, r), TRAILING),
    () => ({
      spec: 'silent',
      specRef:
        'no spec says what a reader does with bytes after a whole message (framed: inside its frame)',
    }),
  ),
  clientCase(
    'client-unknown-exception-type',
    'an EXCEPTION message whose TApplicationException has type 99 (not a defined type)',
    (p, e, r) =>
      concat(
        header(p, e, { type: EXCEPTION, name: r.name, seqid: r.seqid }),
        applicationExceptionStruct(p, 99, 'type 99 from the matrix'),
      ),
    () => ({
      spec: 'must-refuse',
      specRef: `${RPC_MESSAGE}: "Type Exception is used for other exceptions", "when the message is of type Exception the struct is encoded as" TApplicationException: the call failed, so the client must not return a result (the type's value is the client's to show)`,
    }),
  ),
];
