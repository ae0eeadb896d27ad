/**
 * The Peer interface: what the harness can ask of any peer, however it is started (a local
 * process or a container). Abilities are data, so the harness only asks what a peer can do.
 */
import type { Json } from './json-values.js';
import type { PeerManifest } from './manifest.js';
import type { PeerUsage } from './usage.js';

/**
 * A transport a peer speaks Thrift over: framed and buffered carry enveloped messages;
 * `tchannel` is Thrift over TChannel (no envelope: arg1 names the function).
 */
export type Transport = 'framed' | 'buffered' | 'tchannel';

/** What a peer says it can do (its `hello` answer). */
export interface Abilities {
  readonly protocols: readonly ('binary' | 'compact')[];
  readonly transports: readonly Transport[];
  readonly envelopes: {
    readonly read: readonly ('strict' | 'nonstrict')[];
    readonly write: readonly ('strict' | 'nonstrict')[];
  };
  readonly dialect: 'thriftrw' | 'apache';
  readonly features: Readonly<Record<string, boolean>>;
}

/** A peer's `hello` answer. */
export interface PeerInfo {
  readonly name: string;
  readonly version: string;
  readonly abilities: Abilities;
  readonly [k: string]: unknown;
}

/** Connection settings of `serve` and `call`. */
export interface WireSettings {
  readonly protocol?: 'binary' | 'compact';
  readonly transport?: Transport;
  readonly envelope?: 'strict' | 'nonstrict';
  /** TChannel only: the TChannel service name (default: the Thrift service's name). */
  readonly tchannelService?: string;
  /** TChannel `call` only: application headers (arg2), echoed back by the peers' servers. */
  readonly headers?: Readonly<Record<string, string>>;
  /** TChannel `call` only: the call's TTL in milliseconds. */
  readonly ttlMs?: number;
}

/** The application headers a TChannel reply carried (arg2), on `result` and `exception`. */
export interface ReplyHeaders {
  readonly headers?: Readonly<Record<string, string>>;
}

/** What a peer's client got back from a call. */
export type CallOutcome =
  | ({ readonly result: Json } & ReplyHeaders)
  | ({
      readonly exception: { readonly type: string; readonly field: string; readonly value: Json };
    } & ReplyHeaders)
  | {
      /** A TChannel error frame (or the error code the library gives its own failure). */
      readonly tchannelError: {
        readonly code: number;
        readonly type: string;
        readonly message: string;
      };
    }
  | { readonly applicationException: { readonly type: number; readonly message: string } }
  | {
      readonly unknownException: {
        readonly name: string;
        readonly seqid: number;
        readonly body: string;
      };
    };

/**
 * What a peer's server is told to answer to the next call of a function (the `answer` op,
 * peers/README.md "Scripted answers"): a result, a declared exception, or nothing (void, oneway).
 */
export type ScriptedAnswer =
  | { readonly result: Json }
  | { readonly exception: { readonly field: string; readonly value: Json } }
  | { readonly none: true };

/** A call a scripted server received (the `received` op): the function and its args as JSON. */
export interface ReceivedCall {
  readonly function: string;
  readonly args: Json;
  readonly oneway: boolean;
}

/** A running peer. Every method rejects with PeerError when the peer answers `ok: false`. */
export interface Peer {
  /** The peer's name (its manifest's). */
  readonly name: string;
  /** The manifest it was started from (abilities, names it cannot take); none for ad-hoc peers. */
  readonly manifest?: PeerManifest | undefined;
  /** The hello answer, available once started. */
  readonly info: PeerInfo;
  /** Hands over IDL files (relative path → source) and loads `entry`; resolves with the module handle. */
  loadIdl(files: Readonly<Record<string, string>>, entry: string): Promise<string>;
  /** Serves `service` on a port of the peer's choosing on 127.0.0.1; resolves with the port. */
  serve(
    module: string,
    service: string,
    settings?: WireSettings & { readonly impl?: 'keyvalue' },
  ): Promise<number>;
  /** Calls `fn` on our server at `port` with JSON arguments; resolves with the outcome. */
  call(
    module: string,
    service: string,
    fn: string,
    args: Json,
    port: number,
    settings?: WireSettings,
  ): Promise<CallOutcome>;
  /** Decodes `bytes` as `type` with the peer's library and encodes it again. */
  roundtrip(
    module: string,
    type: string,
    bytes: Uint8Array,
    protocol?: 'binary' | 'compact',
  ): Promise<{ value: Json; bytes: Uint8Array; trailing: number }>;
  /** Encodes a JSON value as `type` with the peer's library. */
  encode(
    module: string,
    type: string,
    value: Json,
    protocol?: 'binary' | 'compact',
  ): Promise<Uint8Array>;
  /** The oneway calls the peer's servers received (cleared when `clear`). */
  onewayLog(clear?: boolean): Promise<{ service: string; function: string; args: Json }[]>;
  /**
   * Optional (feature `scriptedAnswers`): the server on `port` answers the next call of `fn` with
   * `answer`; resolves with how many answers are queued for `fn`.
   */
  answer?(port: number, fn: string, answer: ScriptedAnswer): Promise<number>;
  /**
   * Optional (feature `scriptedAnswers`): the calls the server on `port` received since it was
   * first scripted or last asked (then forgotten).
   */
  received?(port: number): Promise<ReceivedCall[]>;
  /**
   * Optional: tells the peer which schemas are coming so it can build them ahead (`prepare`);
   * resolves with whether it takes that. Never rejects.
   */
  prepare?(
    schemas: readonly { files: Readonly<Record<string, string>>; entry: string }[],
  ): Promise<boolean>;
  /** Stops the peer (shutdown, then SIGTERM, then SIGKILL). Never rejects. */
  stop(): Promise<void>;
  /** What the peer printed on stderr (last 64 KiB), for reports. */
  stderr(): string;
  /**
   * Optional: a mark of how much the peer has printed on stderr so far, for {@link stderrSince}.
   * Never throws.
   */
  stderrMark?(): number;
  /**
   * Optional: what the peer printed on stderr since `mark` (its tail, when more than the kept
   * 64 KiB). Never throws.
   */
  stderrSince?(mark: number): string;
  /**
   * Optional: why the peer is not running any more (`the peer exited (code 1, signal null)`), or
   * undefined while it runs. Never throws.
   */
  exitReason?(): string | undefined;
  /**
   * Optional: starts a peer that died again (its module handles are lost; its hello is asked
   * again). Rejects with PeerError when it cannot be started.
   */
  restart?(): Promise<void>;
  /**
   * Optional: stops the peer at once, without asking it to shut down (a peer stuck in a read
   * cannot answer); it can then be started again like a peer that died. Never rejects.
   */
  kill?(): Promise<void>;
  /**
   * Optional: the CPU time and memory its processes use now; undefined when it cannot tell (the
   * harness then bounds its reads by wall time only). Never rejects.
   */
  usage?(): Promise<PeerUsage | undefined>;
  /**
   * Optional: when (performance.now()) the peer last answered a control request; 0 before any.
   * Never throws.
   */
  lastAnswerAt?(): number;
  /**
   * Optional: the longest one of its control requests waited for an answer so far (since its last
   * start), in ms. Never throws.
   */
  slowestAnswerMs?(): number;
}

/**
 * Stops `peer` at once, without asking (a peer stuck in a read cannot answer): its `kill` when it
 * has one, else its `stop`. Never rejects (neither does).
 */
export function stopAtOnce(peer: Peer): Promise<void> {
  return peer.kill !== undefined ? peer.kill() : peer.stop();
}

/**
 * Whether `e` is the peer's own answer (`ok: false` with its error type), as opposed to the
 * channel's report of a peer that died, hung or could not be reached. Never throws.
 */
export function isPeerAnswer(e: unknown): e is PeerError {
  return e instanceof PeerError && !CHANNEL_ERROR_TYPES.has(e.type);
}

/** PeerError types the harness makes itself (not answers of the peer). */
export const CHANNEL_ERROR_TYPES: ReadonlySet<string> = new Set([
  'Exited',
  'Timeout',
  'Connect',
  'BadHello',
  'BadBatch',
  'Config',
  'Missing',
  'Start',
  'Docker',
]);

/** The peer answered `ok: false`, died, hung, or printed garbage. */
export class PeerError extends Error {
  override get name(): string {
    return 'PeerError';
  }
  constructor(
    readonly peer: string,
    readonly type: string,
    message: string,
    readonly detail: { readonly traceback?: string; readonly stderr?: string } = {},
  ) {
    super(`${peer}: ${type}: ${message}`);
  }
}
