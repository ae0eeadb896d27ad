/**
 * Checking one value of a case with one property against one peer, on one wire setting — the unit
 * the sweep, the shrinker, `replay` and the corpus all share:
 *
 *   codec-roundtrip         decode(encode(v)) ≡ v and re-encoding gives the same bytes (no peer)
 *   peer-roundtrip          the peer decodes our bytes and encodes them again; both compared to ours
 *   our-client-peer-server  our client calls the peer's echo server with v and must get v back
 *   peer-client-our-server  the peer's client calls our echo server with v and must get v back
 *   invalid-input           bytes made invalid (or edge) from v's (harness/invalid/: unions,
 *                           required fields, wire types, duplicates, lengths, values) read by
 *                           the peer's decoder, or for `ours` the codec under test's, judged by
 *                           the spec's rule for each (formerly rejects-invalid)
 *
 * A `PeerSession` holds what one schema needs on one peer (the loaded IDL, the peer's echo servers,
 * our clients); `OurServers` are our echo servers for the peers' clients. The RPC properties use
 * our codec's message functions as shipped; the `CodecUnderTest` seam covers the first two.
 */
import { parse, print } from '../../codec/src/index.js';
import type { Protocol } from '../../codec/src/index.js';
import type { StructClass, StructSpec } from '../../codec/src/index.js';
import type { ServiceObject, ThriftModule } from '../../codec/src/index.js';
import { ConnectionClosedError, ThriftClient } from '../../rpc/src/client.js';
import { TChannelClient } from '../../rpc/src/tchannel/client.js';
import { ErrorCode, TChannelError } from '../../rpc/src/tchannel/errors.js';
import { TChannelServer } from '../../rpc/src/tchannel/server.js';
import type { TChannelHandler } from '../../rpc/src/tchannel/server.js';
import { ThriftServer } from '../../rpc/src/server.js';
import type { BytesTap } from '../../rpc/src/transport.js';
import type { Handler } from '../../rpc/src/server.js';
import { echoFunctionName } from '../arbitraries/idl.js';
import { THRIFT_KEYWORDS } from '../arbitraries/names.js';
import { classify } from '../diff/classify.js';
import { messageKind } from '../diff/text.js';
import type { ClassifyInput } from '../diff/classify.js';
import type { EquivalencePolicy } from '../diff/semantic.js';
import { fromPeerJson, toPeerJson } from '../peers/json-values.js';
import type { Json } from '../peers/json-values.js';
import { PeerError, isPeerAnswer } from '../peers/peer.js';
import type { Peer, Transport } from '../peers/peer.js';
import type { CompiledSchema } from './cases.js';
import type { CodecUnderTest } from './codec.js';
import type { ByteDiffSpan, CaseResult, ValueDiff, Verdict } from './result.js';
import { checkUserRpc, isUserRpc } from './user-rpc.js';
import { checkInvalidValue } from '../invalid/check.js';

/** The properties, in the order they run for each value. */
export const PROPERTIES = [
  'codec-roundtrip',
  'peer-roundtrip',
  'our-client-peer-server',
  'peer-client-our-server',
  'invalid-input',
  // A user's own services (user-rpc.ts, USER_RPC_PROPERTIES): call types of `--idl` schemas only.
  'user-rpc-our-client',
  'user-rpc-peer-client',
] as const;
/** One property (see the module comment). */
export type Property = (typeof PROPERTIES)[number];
/** The properties that need a peer. */
export const PEER_PROPERTIES: readonly Property[] = PROPERTIES.slice(1);
/** The properties our codec is checked with alone. */
export const OUR_PROPERTIES: readonly Property[] = ['codec-roundtrip', 'invalid-input'];
/** The name `invalid-input` had before it grew into the matrix (still read in bundles and `--properties`). */
export const LEGACY_INVALID_PROPERTY = 'rejects-invalid';

/** Whether `property` runs over RPC and so needs a wire setting (transport and envelope). */
export function needsWire(property: Property): boolean {
  return (
    property === 'our-client-peer-server' ||
    property === 'peer-client-our-server' ||
    isUserRpc(property)
  );
}
/**
 * Checks of a whole schema rather than of a value: `load-idl` (a peer could not load the IDL;
 * only failures are reported) and `idl-roundtrip` (our codec: print(parse(idl)) ≡ idl).
 */
export const SCHEMA_PROPERTIES = ['load-idl', 'idl-roundtrip'] as const;
/** A schema check. */
export type SchemaProperty = (typeof SCHEMA_PROPERTIES)[number];
/** A value property or a schema check. */
export type AnyProperty = Property | SchemaProperty;
/** Whether `property` is a schema check (no value to check). Never throws. */
export function isSchemaProperty(property: string): property is SchemaProperty {
  return (SCHEMA_PROPERTIES as readonly string[]).includes(property);
}

/** A transport and envelope form, for the RPC properties. */
export interface Wire {
  readonly transport: 'framed' | 'buffered';
  readonly envelope: 'strict' | 'nonstrict';
}

/** Thrift over TChannel: no envelope (arg1 names the function), binary only. */
export interface TChannelWire {
  readonly transport: 'tchannel';
  readonly envelope?: undefined;
}

/** A wire setting of the RPC properties: an enveloped transport, or TChannel. */
export type RpcWire = Wire | TChannelWire;

/** The TChannel wire. */
export const TCHANNEL_WIRE: TChannelWire = Object.freeze({ transport: 'tchannel' });

/** `framed strict` / `tchannel`: a wire setting as people read it (`sep` between). Never throws. */
export function wireText(wire: RpcWire, sep = ' '): string {
  return wire.envelope === undefined ? wire.transport : `${wire.transport}${sep}${wire.envelope}`;
}

/** The outcome of one check: a classified comparison and its evidence. */
export interface CheckOutcome {
  readonly verdict: Exclude<Verdict, 'known-failure'>;
  readonly summary: string;
  readonly fingerprint: string;
  readonly wantedHex?: string;
  readonly gotHex?: string;
  readonly byteDiff: readonly ByteDiffSpan[];
  readonly valueDiff: readonly ValueDiff[];
  readonly durationMs: number;
  /** The peer's stderr tail, for peer errors. */
  readonly stderr?: string;
}

/** How comparisons are judged. */
export interface CheckPolicy {
  /** Fail allowed byte variants too. Default false. */
  readonly strictBytes?: boolean;
  /** The protocol of the bytes compared and sent: `binary` (default) or `compact`. */
  readonly protocol?: Protocol;
  /** The equivalence policy (NaN, -0.0, order, unknown enums). Default DEFAULT_POLICY. */
  readonly policy?: Partial<EquivalencePolicy>;
}

/** True for the verdicts that fail a run (before known failures are applied). */
export function isFailing(verdict: Verdict): boolean {
  return verdict === 'mismatch' || verdict === 'peer-error';
}

/**
 * The wire setting value number `k` uses for `property` against `peer`: every transport the peer
 * serves × every envelope form it reads (our client → its server) or writes (its client → our
 * server), in turn, so a run covers all of them without multiplying its cost. Undefined for the
 * properties that do not use the wire.
 */
export function wireFor(
  peer: Peer,
  property: Property,
  k: number,
  protocol: Protocol = 'binary',
): RpcWire | undefined {
  const combos = wiresFor(peer, property, protocol);
  return combos.length === 0 ? undefined : combos[k % combos.length];
}

/**
 * Every wire setting `peer` declares for `property`: each envelope form it reads (our client →
 * its server) or writes (its client → our server) on each transport. Empty for the properties
 * that do not use the wire.
 */
export function wiresFor(peer: Peer, property: Property, protocol: Protocol = 'binary'): RpcWire[] {
  if (!needsWire(property)) return [];
  const combos: RpcWire[] = [];
  const transports = peer.info.abilities.transports;
  for (const envelope of envelopesFor(peer, property, protocol))
    for (const transport of transports)
      if (transport !== 'tchannel') combos.push({ transport, envelope });
  // TChannel (no envelope, binary only) for our two echo properties.
  if (transports.includes('tchannel') && protocol === 'binary' && TCHANNEL_PROPERTIES.has(property))
    combos.push(TCHANNEL_WIRE);
  return combos;
}

/** The properties that run over TChannel (a user's own services do not yet). */
const TCHANNEL_PROPERTIES: ReadonlySet<Property> = new Set([
  'our-client-peer-server',
  'peer-client-our-server',
]);

/** Whether `peer` declares it can take `wire` for `property`. */
export function peerSupports(
  peer: Peer,
  property: Property,
  wire: RpcWire,
  protocol: Protocol = 'binary',
): boolean {
  if (wire.transport === 'tchannel')
    return wiresFor(peer, property, protocol).includes(TCHANNEL_WIRE);
  return (
    peer.info.abilities.transports.includes(wire.transport) &&
    envelopesFor(peer, property, protocol).includes(wire.envelope)
  );
}

/**
 * The envelope forms `peer` reads (its server, for our client) or writes (its client). The
 * compact protocol has one envelope form, named `strict` here.
 */
function envelopesFor(
  peer: Peer,
  property: Property,
  protocol: Protocol = 'binary',
): readonly Wire['envelope'][] {
  if (protocol === 'compact') return ['strict'];
  const e = peer.info.abilities.envelopes;
  return property === 'our-client-peer-server' || property === 'user-rpc-our-client'
    ? e.read
    : e.write;
}

/** The fields of a CaseResult that come from one check's outcome. Never throws. */
export function outcomeFields(
  o: CheckOutcome,
): Pick<
  CaseResult,
  | 'verdict'
  | 'summary'
  | 'fingerprint'
  | 'wantedHex'
  | 'gotHex'
  | 'byteDiff'
  | 'valueDiff'
  | 'durationMs'
  | 'stderr'
> {
  return {
    verdict: o.verdict,
    summary: o.summary,
    fingerprint: o.fingerprint,
    ...(o.wantedHex !== undefined ? { wantedHex: o.wantedHex } : {}),
    ...(o.gotHex !== undefined ? { gotHex: o.gotHex } : {}),
    byteDiff: o.byteDiff,
    valueDiff: o.valueDiff,
    durationMs: o.durationMs,
    ...(o.stderr !== undefined ? { stderr: o.stderr } : {}),
  };
}

/** Our echo servers for one schema, one per transport, started when first asked for. */
export class OurServers {
  readonly #atClose: (() => Promise<void>)[] = [];
  readonly #servers = new Map<
    string,
    Promise<{ server: ThriftServer | TChannelServer; port: number }>
  >();
  /** `tapFor`: a byte tap for each server, by transport (replay's trace); default none. */
  constructor(
    readonly schema: CompiledSchema,
    readonly tapFor?: (transport: Wire['transport']) => BytesTap,
  ) {}

  /**
   * The port of our echo server on `transport` in `protocol` (default binary; started the first
   * time). Rejects if it cannot listen.
   */
  port(transport: Transport, protocol: Protocol = 'binary'): Promise<number> {
    const key = `${transport}/${protocol}`;
    let s = this.#servers.get(key);
    if (s === undefined && transport === 'tchannel') {
      // TChannel service name: the Thrift service's (the default of the peers' clients). No
      // byte tap: the trace reads enveloped messages, not TChannel frames.
      const handler: TChannelHandler = {};
      for (const name of this.schema.echo.__functions__.keys()) handler[name] = (args) => args.v;
      const server = new TChannelServer({ serviceName: this.schema.echo.__name__ }).register(
        this.schema.mod,
        this.schema.echo,
        handler,
      );
      s = server.listen().then((port) => ({ server, port }));
      this.#servers.set(key, s);
    }
    if (s === undefined && transport !== 'tchannel') {
      const handler: Handler = {};
      for (const name of this.schema.echo.__functions__.keys()) handler[name] = (req) => req.v;
      const server = new ThriftServer({
        transport,
        protocol,
        ...(this.tapFor !== undefined ? { onBytes: this.tapFor(transport) } : {}),
      }).register(this.schema.mod, this.schema.echo, handler);
      s = server.listen().then((port) => ({ server, port }));
      this.#servers.set(key, s);
    }
    return s!.then((x) => x.port);
  }

  /** Runs `fn` (which must not reject) when the servers close: other servers of the schema (user-rpc.ts). */
  atClose(fn: () => Promise<void>): void {
    this.#atClose.push(fn);
  }

  /** Closes every server. Never rejects. */
  async close(): Promise<void> {
    await Promise.all(this.#atClose.splice(0).map((fn) => fn()));
    await Promise.all(
      [...this.#servers.values()].map((s) =>
        s.then((x) => x.server.close()).catch(() => undefined),
      ),
    );
    this.#servers.clear();
  }
}

/** One schema loaded on one peer: its handle, the peer's echo servers and our clients to them. */
export class PeerSession {
  readonly #atClose: (() => void)[] = [];
  readonly #ports = new Map<string, Promise<number>>();
  readonly #clients = new Map<string, Promise<EchoClient>>();

  private constructor(
    readonly peer: Peer,
    readonly schema: CompiledSchema,
    readonly handle: string,
  ) {}

  /** Loads the schema's IDL on the peer. Rejects with the peer's PeerError when it cannot. */
  static async open(peer: Peer, schema: CompiledSchema): Promise<PeerSession> {
    const handle = await peer.loadIdl(schema.files, schema.main);
    return new PeerSession(peer, schema, handle);
  }

  /**
   * The port of the peer's echo server on `transport` in `protocol` (default binary; asks the
   * peer to serve the first time).
   */
  peerPort(transport: Transport, protocol: Protocol = 'binary'): Promise<number> {
    const key = `${transport}/${protocol}`;
    let p = this.#ports.get(key);
    if (p === undefined) {
      p = this.peer.serve(this.handle, 'Echo', { transport, protocol });
      this.#ports.set(key, p);
      p.catch(() => this.#ports.delete(key));
    }
    return p;
  }

  /** Our client to the peer's echo server for `wire` in `protocol` (default binary; connects the first time). */
  client(wire: RpcWire, protocol: Protocol = 'binary'): Promise<EchoClient> {
    const key = `${wireText(wire, '/')}/${protocol}`;
    let c = this.#clients.get(key);
    if (c === undefined && wire.transport === 'tchannel') {
      c = this.peerPort('tchannel').then((port) =>
        TChannelEchoClient.connect(this.schema.mod, this.schema.echo, port),
      );
      this.#clients.set(key, c);
      c.catch(() => this.#clients.delete(key));
    }
    if (c === undefined && wire.transport !== 'tchannel') {
      c = this.peerPort(wire.transport, protocol).then((port) =>
        ThriftClient.connect(this.schema.mod, this.schema.echo, port, '127.0.0.1', {
          transport: wire.transport,
          strict: wire.envelope === 'strict',
          protocol,
          timeoutMs: 10_000,
        }),
      );
      this.#clients.set(key, c);
      c.catch(() => this.#clients.delete(key));
    }
    return c!;
  }

  /** Forgets (and closes) the client for `wire` in `protocol`, e.g. after the peer closed its connection. */
  dropClient(wire: RpcWire, protocol: Protocol = 'binary'): void {
    const key = `${wireText(wire, '/')}/${protocol}`;
    const c = this.#clients.get(key);
    this.#clients.delete(key);
    c?.then((x) => x.close()).catch(() => undefined);
  }

  /** Runs `fn` (which must not throw) when the session closes: other clients of ours (user-rpc.ts). */
  atClose(fn: () => void): void {
    this.#atClose.push(fn);
  }

  /** Closes our clients (the peer's servers stay until the peer stops). Never rejects. */
  close(): void {
    for (const fn of this.#atClose.splice(0)) fn();
    for (const c of this.#clients.values()) c.then((x) => x.close()).catch(() => undefined);
    this.#clients.clear();
  }
}

/** How long a failed call waits for the peer's stderr to show why (a container's log streams in late). */
export const STDERR_SETTLE_MS = 500;

/** What a peer printed on stderr from one moment on (a mark, or a copy of stderr for a peer without marks). */
export interface StderrFrom {
  readonly mark?: number;
  readonly before: string;
}

/** Where `peer`'s stderr stands now. Never throws. */
export function stderrFrom(peer: Peer): StderrFrom {
  const mark = peer.stderrMark?.();
  return mark !== undefined ? { mark, before: '' } : { before: peer.stderr() };
}

/** What `peer` printed on stderr since `from`; the kept tail when more was printed. Never throws. */
export function stderrSince(peer: Peer, from: StderrFrom): string {
  if (from.mark !== undefined && peer.stderrSince !== undefined) return peer.stderrSince(from.mark);
  const after = peer.stderr();
  return after.startsWith(from.before) ? after.slice(from.before.length) : after.slice(-2000);
}

/**
 * Waits until the peer printed something since `from` and then nothing more for 25 ms, or
 * STDERR_SETTLE_MS passed. Never rejects.
 */
async function settledStderr(peer: Peer, from: StderrFrom): Promise<void> {
  const end = performance.now() + STDERR_SETTLE_MS;
  let last = stderrSince(peer, from);
  while (performance.now() < end) {
    await new Promise((r) => setTimeout(r, 25));
    const now = stderrSince(peer, from);
    if (now !== '' && now === last) return;
    last = now;
  }
}

/** The calls of our clients to a peer's servers, one at a time per peer (see checkValue). */
const serverCalls = new WeakMap<Peer, Promise<void>>();

/** Runs `fn` when no other call of ours to `peer`'s servers is running; resolves with its result. */
export async function oneServerCallAtATime<T>(peer: Peer, fn: () => Promise<T>): Promise<T> {
  const before = serverCalls.get(peer) ?? Promise.resolve();
  let release!: () => void;
  const mine = new Promise<void>((r) => (release = r));
  serverCalls.set(
    peer,
    before.then(() => mine),
  );
  await before;
  try {
    return await fn();
  } finally {
    release();
  }
}

/** The last `SomeError: message` line of a Python traceback in `text`, if any. */
export function lastExceptionLine(text: string): string | undefined {
  const lines = text.split('\n').map((l) => l.trim());
  for (let i = lines.length - 1; i >= 0; i--) {
    if (/^[A-Za-z_][\w.]*(Error|Exception|Exit)\b.*/.test(lines[i]!)) return lines[i];
  }
  return undefined;
}

function hexOf(b: Uint8Array | undefined): string | undefined {
  return b === undefined ? undefined : Buffer.from(b).toString('hex');
}

/** Classifies a comparison (or a peer's error) into a check outcome, timed from `t0`. Never throws. */
export function outcome(
  t0: number,
  input: ClassifyInput,
  judge: CheckPolicy,
  extra: { stderr?: string } = {},
): CheckOutcome {
  const c = classify({
    strictBytes: judge.strictBytes ?? false,
    ...(judge.policy !== undefined ? { policy: judge.policy } : {}),
    ...(judge.protocol !== undefined ? { protocol: judge.protocol } : {}),
    ...input,
  });
  const wantedHex = hexOf(input.ourBytes);
  const gotHex = hexOf(input.theirBytes);
  // A peer error whose own message says little (a closed connection, a timeout: not an answer of
  // the peer's) gets the exception the peer printed meanwhile. An answer already says what went
  // wrong, and the peer's stderr may also hold what checks running beside this one printed.
  const printed =
    c.verdict === 'peer-error' && extra.stderr && !(input.peerError instanceof PeerError)
      ? lastExceptionLine(extra.stderr)
      : undefined;
  return {
    verdict: c.verdict,
    summary:
      printed !== undefined && !c.summary.includes(printed)
        ? `${c.summary} (the peer printed: ${printed.slice(0, 200)})`
        : c.summary,
    // …and that exception is part of the fingerprint: a closed connection says nothing by itself.
    fingerprint: printed !== undefined ? `${c.fingerprint}:${messageKind(printed)}` : c.fingerprint,
    ...(wantedHex !== undefined ? { wantedHex } : {}),
    ...(gotHex !== undefined ? { gotHex } : {}),
    byteDiff: c.byteDiff,
    valueDiff: c.valueDiff,
    durationMs: performance.now() - t0,
    ...(c.verdict === 'peer-error' && extra.stderr ? { stderr: extra.stderr.slice(-4000) } : {}),
  };
}

/**
 * The outcome of a peer that could not load a schema's IDL: a peer error whose fingerprint names
 * the kind of complaint (`peer-error:load-idl:IdlError:valueerror-in-slots-conflicts-with-class-variable`),
 * so a known-failures entry can name one kind without hiding others. Never throws.
 */
export function loadFailure(peer: Peer, e: unknown, t0: number, printed?: string): CheckOutcome {
  const err = e as { type?: unknown; message?: unknown };
  const type = typeof err.type === 'string' ? err.type : e instanceof Error ? e.name : 'Error';
  let message = typeof err.message === 'string' ? err.message : String(e);
  const prefix = `${peer.name}: ${type}: `;
  if (message.startsWith(prefix)) message = message.slice(prefix.length);
  const first = (message.split('\n')[0] ?? '').replace(/\[WARNING.*$/, '');
  return {
    verdict: 'peer-error',
    summary: `peer error: ${peer.name} cannot load the IDL: ${type}: ${first.slice(0, 200)}`,
    fingerprint: `peer-error:load-idl:${type}:${messageKind(message)}`,
    byteDiff: [],
    valueDiff: [],
    durationMs: performance.now() - t0,
    // The peer's answer says why it cannot load the IDL; what it printed is attached only when it
    // did not answer (it died or hung), and only what it printed for this request.
    ...(!isPeerAnswer(e) && printed ? { stderr: printed.slice(-4000) } : {}),
  };
}

/**
 * Loads `schema` on `peer` as a PeerSession; when the peer cannot, the `load-idl` outcome (with
 * what the peer printed during this request, when it did not answer). Never rejects.
 */
export async function openSession(
  peer: Peer,
  schema: CompiledSchema,
): Promise<{ session: PeerSession } | { failure: CheckOutcome }> {
  const t0 = performance.now();
  const from = stderrFrom(peer);
  try {
    return { session: await PeerSession.open(peer, schema) };
  } catch (e) {
    return { failure: loadFailure(peer, e, t0, stderrSince(peer, from)) };
  }
}

/**
 * Our codec's IDL round trip on every file of a schema: print(parse(text)) must give the text back
 * (generated IDL is printed by the same printer, so any change is a parser or printer bug). A
 * difference is a mismatch naming the file, line and both lines; a parse error is a peer-error
 * outcome with the parser's message. With `userIdl` (a user's IDL, not in the printer's layout;
 * default false) the printed text must print back the same: print(parse(print(parse(x)))) ≡
 * print(parse(x)). Never throws.
 */
export function checkIdlRoundtrip(
  files: Readonly<Record<string, string>>,
  userIdl = false,
): CheckOutcome {
  const t0 = performance.now();
  const done = (o: Omit<CheckOutcome, 'durationMs' | 'byteDiff' | 'valueDiff'>): CheckOutcome => ({
    ...o,
    byteDiff: [],
    valueDiff: [],
    durationMs: performance.now() - t0,
  });
  for (const name of Object.keys(files).sort()) {
    let again: string;
    let text = files[name]!;
    try {
      // A user's IDL is not in our printer's layout: then print(parse(x)) must be stable instead.
      if (userIdl) text = print(parse(text, name));
      again = print(parse(text, name));
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      return done({
        verdict: 'peer-error',
        summary: `our parser rejects ${name}, which our printer wrote: ${message}`,
        fingerprint: `peer-error:idl-roundtrip:${messageKind(message)}`,
      });
    }
    if (again === text) continue;
    const a = text.split('\n');
    const b = again.split('\n');
    let line = 0;
    while (line < a.length && a[line] === b[line]) line++;
    const wanted = a[line];
    const got = b[line];
    const show = (x: string | undefined) => (x === undefined ? 'nothing' : JSON.stringify(x));
    return done({
      verdict: 'mismatch',
      summary: `print(parse(${name})) differs at line ${line + 1}: wanted ${show(wanted)}, got ${show(got)}`,
      // The first Thrift keyword on the line (names differ from case to case; keywords do not).
      fingerprint: `idl-roundtrip:${(wanted ?? got ?? '').match(/[A-Za-z_]\w*/g)?.find((w) => THRIFT_KEYWORDS.has(w)) ?? 'line'}`,
    });
  }
  return done({ verdict: 'identical', summary: 'identical', fingerprint: 'identical' });
}

/**
 * invalid-input: the cases made from `v` (harness/invalid/), read by the reader (the peer, or the
 * codec under test): the first that breaks its spec rule (of fingerprint `ctx.invalidFingerprint`
 * when given), else `identical`. The run reads a few picked cases per value itself (run.ts); this
 * reads them all, for shrinking and replay. Never rejects.
 */
async function checkInvalid(
  ctx: CheckContext,
  C: StructClass,
  v: object,
  t0: number,
): Promise<CheckOutcome> {
  const { answer, cases } = await checkInvalidValue(ctx, C, v, ctx.invalidFingerprint);
  const done = { byteDiff: [], valueDiff: [], durationMs: performance.now() - t0 };
  if (answer === undefined)
    return {
      verdict: 'identical',
      summary: `every one of the ${cases} invalid-input cases of this value is read as its spec rule says`,
      fingerprint: 'identical',
      ...done,
    };
  return {
    verdict: answer.verdict,
    summary: answer.summary,
    fingerprint: answer.fingerprint,
    wantedHex: Buffer.from(answer.case.bytes).toString('hex'),
    ...done,
  };
}

/** What one check needs besides the value. */
export interface CheckContext extends CheckPolicy {
  readonly schema: CompiledSchema;
  readonly codec: CodecUnderTest;
  /**
   * The session of the peer. For codec-roundtrip (optional): the peer asked for a second opinion
   * (its own encoding of the value) when our codec cannot read its own bytes.
   */
  readonly session?: PeerSession;
  /** Our echo servers (for peer-client-our-server). */
  readonly servers?: OurServers;
  /** invalid-input: the fingerprint to look for (shrinking, replay); default the first violation. */
  readonly invalidFingerprint?: string;
}

/**
 * A second opinion on bytes that failed to decode: `session`'s peer encodes the value itself; if
 * that differs from `bytes` in a way the spec does not allow, the difference (with its field path)
 * is the likely cause and becomes the outcome (a mismatch whose summary starts with `lead`).
 * Undefined when the peer agrees, cannot encode the value, or fails. Never throws.
 */
async function secondOpinion(
  session: PeerSession,
  ctx: CheckContext,
  type: string,
  v: object,
  bytes: Uint8Array,
  error: unknown,
  t0: number,
  lead: (error: string, peer: string) => string,
): Promise<CheckOutcome | undefined> {
  const spec = ctx.schema.classes.get(type)!.__spec__;
  try {
    const protocol = ctx.protocol ?? 'binary';
    const theirs = await session.peer.encode(session.handle, type, toPeerJson(spec, v), protocol);
    const c = classify({ spec, wanted: v, got: v, ourBytes: bytes, theirBytes: theirs, protocol });
    if (c.verdict !== 'mismatch') return undefined;
    const err = outcome(t0, { spec, wanted: v, peerError: error }, ctx);
    return {
      verdict: 'mismatch',
      summary: `${lead(err.summary.replace(/^peer error: /, ''), session.peer.name)}: ${c.summary}`,
      fingerprint: c.fingerprint,
      wantedHex: Buffer.from(bytes).toString('hex'),
      gotHex: Buffer.from(theirs).toString('hex'),
      byteDiff: c.byteDiff,
      valueDiff: [],
      durationMs: performance.now() - t0,
    };
  } catch {
    return undefined; // no second opinion: the caller reports the error as it is
  }
}

/**
 * Checks value `v` of type `type` with `property` (on `wire` for the RPC properties) and
 * classifies the outcome. Peer failures become `peer-error` outcomes, never rejections; rejects
 * only on a harness bug (e.g. a missing session).
 */
export async function checkValue(
  ctx: CheckContext,
  property: Property,
  type: string,
  v: object,
  wire?: RpcWire,
): Promise<CheckOutcome> {
  const C: StructClass | undefined = ctx.schema.classes.get(type);
  if (C === undefined) throw new Error(`the schema has no echoable type ${type}`);
  const spec = C.__spec__;
  const { mod } = ctx.schema;
  const protocol = ctx.protocol ?? 'binary';
  const t0 = performance.now();
  if (isUserRpc(property)) return checkUserRpc(ctx, property, type, v, wire);
  if (property === 'invalid-input') return checkInvalid(ctx, C, v, t0);
  if (property === 'codec-roundtrip') {
    let bytes: Uint8Array;
    try {
      bytes = ctx.codec.encode(mod, C, v, protocol);
    } catch (e) {
      return outcome(t0, { spec, wanted: v, peerError: e }, ctx);
    }
    try {
      const back = ctx.codec.decode(mod, C, bytes, protocol);
      return outcome(
        t0,
        {
          spec,
          wanted: v,
          got: back,
          ourBytes: bytes,
          theirBytes: ctx.codec.encode(mod, C, back, protocol),
        },
        ctx,
      );
    } catch (e) {
      if (ctx.session !== undefined) {
        const second = await secondOpinion(
          ctx.session,
          ctx,
          type,
          v,
          bytes,
          e,
          t0,
          (err, peer) =>
            `our codec cannot read its own bytes (${err}); ${peer}'s encoding of the value differs`,
        );
        if (second !== undefined) return second;
      }
      return outcome(t0, { spec, wanted: v, peerError: e, ourBytes: bytes }, ctx);
    }
  }
  const session = ctx.session;
  if (session === undefined) throw new Error(`${property} needs a peer session`);
  const { peer, handle } = session;
  if (property === 'our-client-peer-server')
    // One at a time per peer (across the schemas in flight): a peer that closes its connection on
    // a failed call would fail the calls beside it, and what the peer prints while the call runs
    // is then this call's.
    return oneServerCallAtATime(peer, () => callPeerServer(ctx, session, spec, type, v, t0, wire));
  const from = stderrFrom(peer);
  const stderr = () => ({ stderr: stderrSince(peer, from) });
  if (property === 'peer-roundtrip') {
    let bytes: Uint8Array;
    try {
      bytes = ctx.codec.encode(mod, C, v, protocol);
    } catch (e) {
      return outcome(t0, { spec, wanted: v, peerError: e }, ctx);
    }
    try {
      const r = await peer.roundtrip(handle, type, bytes, protocol);
      if (r.trailing > 0) {
        return {
          verdict: 'mismatch',
          summary: `${peer.name} read only ${bytes.length - r.trailing} of our ${bytes.length} bytes (${r.trailing} left over): it sees the struct end early`,
          fingerprint: 'bytes:trailing',
          wantedHex: Buffer.from(bytes).toString('hex'),
          gotHex: Buffer.from(r.bytes).toString('hex'),
          byteDiff: [],
          valueDiff: [],
          durationMs: performance.now() - t0,
        };
      }
      return outcome(
        t0,
        {
          spec,
          wanted: v,
          got: fromPeerJson(spec, r.value as Json),
          ourBytes: bytes,
          theirBytes: r.bytes,
        },
        ctx,
      );
    } catch (e) {
      const second = await secondOpinion(
        session,
        ctx,
        type,
        v,
        bytes,
        e,
        t0,
        (err, peer) => `${peer} rejects our bytes (${err}); its own encoding of the value differs`,
      );
      if (second !== undefined) return second;
      return outcome(t0, { spec, wanted: v, peerError: e, ourBytes: bytes }, ctx, stderr());
    }
  }
  if (wire === undefined) throw new Error(`${property} needs a wire setting`);
  if (ctx.servers === undefined) throw new Error(`${property} needs our servers`);
  try {
    const port = await ctx.servers.port(wire.transport, protocol);
    const out = await peer.call(
      handle,
      'Echo',
      echoFunctionName(type),
      { v: toPeerJson(spec, v) },
      port,
      wire.transport === 'tchannel' ? { transport: 'tchannel' } : { ...wire, protocol },
    );
    if ('result' in out)
      return outcome(t0, { spec, wanted: v, got: fromPeerJson(spec, out.result) }, ctx);
    const kind = Object.keys(out)[0] ?? 'Error';
    return outcome(
      t0,
      { spec, wanted: v, peerError: { type: kind, message: JSON.stringify(out) } },
      ctx,
      stderr(),
    );
  } catch (e) {
    return outcome(t0, { spec, wanted: v, peerError: e }, ctx, stderr());
  }
}

/** our-client-peer-server: our client calls the echo function of the peer's server. Never rejects. */
async function callPeerServer(
  ctx: CheckContext,
  session: PeerSession,
  spec: StructSpec,
  type: string,
  v: object,
  t0: number,
  wire: RpcWire | undefined,
): Promise<CheckOutcome> {
  if (wire === undefined) throw new Error('our-client-peer-server needs a wire setting');
  const peer = session.peer;
  const from = stderrFrom(peer);
  try {
    const client = await session.client(wire, ctx.protocol ?? 'binary');
    const got = await client.call(echoFunctionName(type), { v });
    return outcome(t0, { spec, wanted: v, got }, ctx);
  } catch (e) {
    // A peer that closed the connection (a peer without TApplicationException does on a failed call) gets a new one.
    if (
      e instanceof ConnectionClosedError ||
      (e instanceof TChannelError && e.code === ErrorCode.NetworkError)
    ) {
      session.dropClient(wire, ctx.protocol ?? 'binary');
      // What it printed explains the closed connection; a container's log arrives a little later.
      await settledStderr(peer, from);
    }
    return outcome(t0, { spec, wanted: v, peerError: e }, ctx, {
      stderr: stderrSince(peer, from),
    });
  }
}

/** Our client to a peer's echo server: a ThriftClient, or a TChannelClient behind the same `call`. */
export type EchoClient = Pick<ThriftClient, 'call' | 'close'> & { onBytes?: BytesTap | undefined };

/** Our TChannelClient to a peer's echo server, answering `call` with the result as ThriftClient does. */
class TChannelEchoClient {
  private constructor(private readonly client: TChannelClient) {}

  /**
   * Connects to the peer's echo server (TChannel service: the Thrift service's name, the peers'
   * default); rejects with TChannelError when it cannot connect within 10 s.
   */
  static async connect(
    mod: ThriftModule,
    echo: ServiceObject,
    port: number,
  ): Promise<TChannelEchoClient> {
    return new TChannelEchoClient(
      await TChannelClient.connect(mod, echo, port, '127.0.0.1', { timeoutMs: 10_000 }),
    );
  }

  /** The connection's byte tap (replay's trace); may be set at any time. */
  get onBytes(): BytesTap | undefined {
    return this.client.onBytes;
  }
  set onBytes(tap: BytesTap | undefined) {
    this.client.onBytes = tap;
  }

  /** Calls `method`; resolves with its result, rejects with the declared exception or a TChannelError. */
  async call(method: string, args: Record<string, unknown> = {}): Promise<unknown> {
    return (await this.client.call(method, args)).result;
  }

  /** Closes the connection. Never throws. */
  close(): void {
    this.client.close();
  }
}
