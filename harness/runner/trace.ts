/**
 * The trace of one case (`replay --trace`): every byte that crossed each socket — our client ↔
 * the peer's server, the peer's client ↔ our server — in each direction, every control-channel
 * request and answer, and the bytes handed to and got back from the codec under test, in order
 * and with times; and its text rendering.
 *
 * The rendering cuts each socket's byte stream into its messages (the 4-byte frame length when
 * framed; the envelope: name, type, seqid, strict or not; the body) and annotates every byte with
 * its field path using the independent annotator (diff/annotate.ts) and the IDL's spec of the echo
 * function's request or response struct. Bytes it cannot read as such are shown as plain hex with
 * the reason. Control messages are shown as JSON, their `bytes` fields decoded and annotated as
 * the type the request named, and IDL file texts replaced by a pointer to the IDL shown above.
 *
 *   const trace = new Trace();
 *   client.onBytes = trace.clientTap('framed');          // rpc/src: ThriftClient, ThriftServer
 *   const untap = tapControlChannels(trace.controlTap(peer.name));
 *   …
 *   renderTrace(trace, { schema, peer: peer.name }).join('\n');
 */
import { binaryMessageLength, DEFAULT_LIMITS, MessageType } from '../../codec/src/index.js';
import type { StructClass, StructSpec, ThriftModule } from '../../codec/src/index.js';
import type { BytesTap, TransportKind } from '../../rpc/src/transport.js';
import { DEFAULT_MAX_FRAME_SIZE } from '../../rpc/src/transport.js';
import { annotate } from '../diff/annotate.js';
import type { Span } from '../diff/annotate.js';
import type { ControlTap } from '../peers/control.js';
import type { CompiledSchema } from './cases.js';
import type { CodecUnderTest } from './codec.js';

/** Which of our sockets bytes crossed: our client (to the peer's server) or our server (from its client). */
export type SocketLink = 'our-client' | 'our-server';

/** Bytes that crossed one of our sockets. */
export interface SocketEvent {
  readonly kind: 'socket';
  readonly at: number;
  readonly link: SocketLink;
  readonly transport: TransportKind;
  readonly direction: 'sent' | 'received';
  readonly connection: number;
  readonly bytes: Uint8Array;
}

/** One control-channel message. */
export interface ControlEvent {
  readonly kind: 'control';
  readonly at: number;
  readonly peer: string;
  readonly direction: 'request' | 'answer';
  readonly text: string;
}

/** Bytes the codec under test wrote (`encode`) or was handed to read (`decode`). */
export interface CodecEvent {
  readonly kind: 'codec';
  readonly at: number;
  readonly codec: string;
  readonly op: 'encode' | 'decode';
  readonly type: string;
  readonly bytes: Uint8Array;
  /** What it threw, if it threw. */
  readonly error?: string;
}

/** A remark of the one who records (e.g. why something could not be tapped). */
export interface NoteEvent {
  readonly kind: 'note';
  readonly at: number;
  readonly text: string;
}

/** One recorded event. */
export type TraceEvent = SocketEvent | ControlEvent | CodecEvent | NoteEvent;

/** A trace recorder: hand its taps to the sockets, channels and codec of one case. */
export class Trace {
  readonly events: TraceEvent[] = [];

  /** @param t0 the time (`performance.now()`) the rendered times count from; default now */
  constructor(readonly t0: number = performance.now()) {}

  /** A byte tap for our client (ThriftClient `onBytes`) on `transport`. Never throws. */
  clientTap(transport: TransportKind): BytesTap {
    return this.#socketTap('our-client', transport);
  }

  /** A byte tap for our server (ThriftServer `onBytes`) on `transport`. Never throws. */
  serverTap(transport: TransportKind): BytesTap {
    return this.#socketTap('our-server', transport);
  }

  #socketTap(link: SocketLink, transport: TransportKind): BytesTap {
    return (direction, bytes, connection) =>
      this.events.push({
        kind: 'socket',
        at: performance.now(),
        link,
        transport,
        direction,
        connection,
        bytes: bytes.slice(),
      });
  }

  /** A control-channel tap that records the messages of `peer` (default: of every peer). Never throws. */
  controlTap(peer?: string): ControlTap {
    return (line) => {
      if (peer === undefined || line.peer === peer) this.events.push({ kind: 'control', ...line });
    };
  }

  /**
   * `codec` with every encode's output and every decode's input recorded (and what either
   * threw, which is thrown on). Never throws itself.
   */
  recordingCodec(codec: CodecUnderTest): CodecUnderTest {
    const record = (op: CodecEvent['op'], C: StructClass, bytes: Uint8Array, error?: unknown) =>
      this.events.push({
        kind: 'codec',
        at: performance.now(),
        codec: codec.name,
        op,
        type: C.__spec__.name,
        bytes: bytes.slice(),
        ...(error !== undefined ? { error: errorText(error) } : {}),
      });
    return {
      name: codec.name,
      encode: (mod: ThriftModule, C: StructClass, value: object) => {
        let bytes: Uint8Array;
        try {
          bytes = codec.encode(mod, C, value);
        } catch (e) {
          record('encode', C, new Uint8Array(0), e);
          throw e;
        }
        record('encode', C, bytes);
        return bytes;
      },
      decode: (mod: ThriftModule, C: StructClass, bytes: Uint8Array) => {
        try {
          const v = codec.decode(mod, C, bytes);
          record('decode', C, bytes);
          return v;
        } catch (e) {
          record('decode', C, bytes, e);
          throw e;
        }
      },
    };
  }

  /** Records a remark at this moment. Never throws. */
  note(text: string): void {
    this.events.push({ kind: 'note', at: performance.now(), text });
  }
}

function errorText(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

/** What rendering needs besides the events. */
export interface TraceRenderContext {
  /** The case's schema: its Echo service and types name the bytes. */
  readonly schema: CompiledSchema;
  /** The peer's name, for the socket labels (default "the peer"). */
  readonly peer?: string;
  /**
   * IDL files already shown to the reader: a control message carrying one of them verbatim shows
   * `<idl/NAME, shown above>` instead of its text. Default none (texts shown in full).
   */
  readonly shownFiles?: Readonly<Record<string, string>>;
}

/** Bytes per hex row. */
const ROW = 8;
/** Width of the hex column: ROW bytes, space-separated. */
const HEX_WIDTH = ROW * 3 - 1;
const INDENT = ' '.repeat(12);

function hexSpaced(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');
}

/** Rows of `bytes` (offsets from `base`), the first labelled `label`, ROW bytes to a row. */
function rows(base: number, bytes: Uint8Array, label: string): string[] {
  const out: string[] = [];
  for (let i = 0; i === 0 || i < bytes.length; i += ROW) {
    const h = hexSpaced(bytes.subarray(i, i + ROW));
    const off = String(base + i).padStart(5);
    out.push(
      i === 0 ? `${INDENT}${off}  ${h.padEnd(HEX_WIDTH)}  ${label}` : `${INDENT}${off}  ${h}`,
    );
  }
  return out;
}

function spanRows(base: number, bytes: Uint8Array, spans: readonly Span[]): string[] {
  return spans.flatMap((s) =>
    rows(base + s.start, bytes.subarray(s.start, s.end), `${s.path}: ${s.meaning}`),
  );
}

/** A struct spec of the schema by name (the echoable classes first, then any type). */
function structSpec(schema: CompiledSchema, type: string): StructSpec | undefined {
  const C = schema.classes.get(type) ?? (schema.mod.__types__[type] as StructClass | undefined);
  return typeof C === 'function' && '__spec__' in C ? C.__spec__ : undefined;
}

/**
 * The annotated rows of one message body (envelope and struct) at offset `base`: annotated as the
 * request or response of the echo function its envelope names; plain hex with the reason when
 * the envelope names no function of the Echo service or a message type that has no body struct.
 */
function messageRows(schema: CompiledSchema, base: number, body: Uint8Array): string[] {
  const fns = [...schema.echo.__functions__.values()];
  const first = fns[0];
  if (first === undefined) return rows(base, body, 'not annotated: the Echo service is empty');
  const probe = annotate(first.request.__spec__, body, { envelope: true });
  const env = probe.envelope;
  // No envelope (the probe says why in its malformed span), or an EXCEPTION (its body is always
  // TApplicationException, whatever the spec).
  if (env === undefined || env.messageType === MessageType.EXCEPTION)
    return spanRows(base, body, probe.spans);
  const fn = schema.echo.__functions__.get(env.name);
  const headSpans = probe.spans.filter((s) => s.role.startsWith('envelope'));
  const plain = (why: string) => [
    ...spanRows(base, body, headSpans),
    ...rows(base + env.end, body.subarray(env.end), `not annotated: ${why}`),
  ];
  if (fn === undefined) return plain(`the Echo service has no method ${JSON.stringify(env.name)}`);
  const spec =
    env.messageType === MessageType.REPLY
      ? fn.response.__spec__
      : env.messageType === MessageType.CALL || env.messageType === MessageType.ONEWAY
        ? fn.request.__spec__
        : undefined;
  if (spec === undefined) return plain(`message type ${env.messageType} has no body struct`);
  const a = spec === first.request.__spec__ ? probe : annotate(spec, body, { envelope: true });
  return spanRows(base, body, a.spans);
}

/** The rows of one whole (or, at the end of a stream, partial) message as it crossed a socket. */
function wireMessageRows(
  schema: CompiledSchema,
  transport: TransportKind,
  bytes: Uint8Array,
): string[] {
  if (transport === 'buffered') return messageRows(schema, 0, bytes);
  if (bytes.length < 4) return rows(0, bytes, 'malformed: a frame length needs 4 bytes');
  const n = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0);
  return [
    ...rows(0, bytes.subarray(0, 4), `frame length ${n}`),
    ...messageRows(schema, 4, bytes.subarray(4)),
  ];
}

/** Cuts one direction of one connection into messages, as the transports do, never throwing. */
class StreamSplitter {
  #buf = new Uint8Array(0);
  /** Why the rest of the stream is not cut into messages, once it cannot be. */
  broken: string | undefined;

  constructor(readonly transport: TransportKind) {}

  /** Adds a chunk; returns the messages it completed (with their frame length when framed). */
  push(chunk: Uint8Array): Uint8Array[] {
    if (this.broken !== undefined) return [];
    const all = new Uint8Array(this.#buf.length + chunk.length);
    all.set(this.#buf, 0);
    all.set(chunk, this.#buf.length);
    this.#buf = all;
    const out: Uint8Array[] = [];
    for (;;) {
      const n = this.#next();
      if (n === undefined) break;
      out.push(this.#buf.slice(0, n));
      this.#buf = this.#buf.subarray(n);
    }
    return out;
  }

  /** Bytes received that are not (yet) a whole message. */
  get pending(): Uint8Array {
    return this.#buf;
  }

  #next(): number | undefined {
    const b = this.#buf;
    if (b.length === 0) return undefined;
    if (this.transport === 'framed') {
      if (b.length < 4) return undefined;
      const n = new DataView(b.buffer, b.byteOffset, 4).getUint32(0);
      if (n > DEFAULT_MAX_FRAME_SIZE) {
        this.broken = `frame length ${n} exceeds the limit of ${DEFAULT_MAX_FRAME_SIZE}`;
        return undefined;
      }
      return b.length < 4 + n ? undefined : 4 + n;
    }
    try {
      const n = binaryMessageLength(b, {
        ...DEFAULT_LIMITS,
        maxMessageSize: DEFAULT_MAX_FRAME_SIZE,
      });
      return n < 0 ? undefined : n;
    } catch (e) {
      this.broken = `no message can start here: ${errorText(e)}`;
      return undefined;
    }
  }
}

function socketLabel(e: SocketEvent, peer: string): string {
  const client = e.link === 'our-client';
  const ours = client ? 'our client' : 'our server';
  const theirs = `${peer}'s ${client ? 'server' : 'client'}`;
  return e.direction === 'sent' ? `${ours} → ${theirs}` : `${theirs} → ${ours}`;
}

function base64Bytes(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return undefined;
  return new Uint8Array(Buffer.from(text, 'base64'));
}

type JsonObject = Record<string, unknown>;
function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Renders recorded events as text lines, in the order they happened. */
class Renderer {
  readonly lines: string[] = [];
  readonly #streams = new Map<string, { splitter: StreamSplitter; label: string; at: number }>();
  /** Requests by id (their type names the bytes of their answers). */
  readonly #requests = new Map<number, JsonObject>();
  /** Bytes already shown, by type and hex: when they were shown. */
  readonly #shown = new Map<string, string>();

  constructor(
    readonly trace: Trace,
    readonly ctx: TraceRenderContext,
  ) {}

  time(at: number): string {
    return `+${(at - this.trace.t0).toFixed(1).padStart(7)} ms`;
  }

  render(): string[] {
    for (const e of this.trace.events) {
      if (e.kind === 'socket') this.socket(e);
      else if (e.kind === 'control') this.control(e);
      else if (e.kind === 'codec') this.codec(e);
      else this.lines.push(`${this.time(e.at)}  note: ${e.text}`);
    }
    for (const [, s] of this.#streams) {
      const rest = s.splitter.pending;
      if (rest.length === 0) continue;
      if (s.splitter.broken !== undefined) continue;
      this.lines.push(
        `${INDENT}${s.label}: the last ${rest.length} bytes never made a whole message:`,
        ...wireMessageRows(this.ctx.schema, s.splitter.transport, rest),
      );
    }
    return this.lines;
  }

  socket(e: SocketEvent): void {
    const peer = this.ctx.peer ?? 'the peer';
    const key = `${e.link}/${e.connection}/${e.direction}`;
    let s = this.#streams.get(key);
    if (s === undefined) {
      s = {
        splitter: new StreamSplitter(e.transport),
        label: `${socketLabel(e, peer)} (${e.transport}, connection ${e.connection})`,
        at: e.at,
      };
      this.#streams.set(key, s);
    }
    const head = `${this.time(e.at)}  ${s.label}: ${e.bytes.length} bytes`;
    if (s.splitter.broken !== undefined) {
      this.lines.push(head, ...rows(0, e.bytes, `not cut into messages: ${s.splitter.broken}`));
      return;
    }
    const messages = s.splitter.push(e.bytes);
    if (s.splitter.broken !== undefined) {
      // The stream went wrong in this chunk: what it completed first, then the rest as plain hex.
      const rest = s.splitter.pending;
      this.lines.push(head);
      for (const m of messages)
        this.lines.push(...wireMessageRows(this.ctx.schema, e.transport, m));
      this.lines.push(...rows(0, rest, `not cut into messages: ${s.splitter.broken}`));
      return;
    }
    if (messages.length === 0) {
      this.lines.push(`${head} (part of a message; ${s.splitter.pending.length} bytes so far)`);
      return;
    }
    const pending = s.splitter.pending.length;
    this.lines.push(
      `${head}${messages.length > 1 ? ` (${messages.length} messages)` : ''}${pending ? ` (and ${pending} bytes of the next)` : ''}`,
    );
    for (const m of messages) this.lines.push(...wireMessageRows(this.ctx.schema, e.transport, m));
  }

  codec(e: CodecEvent): void {
    const who = `our codec (${e.codec})`;
    if (e.op === 'encode' && e.error !== undefined) {
      this.lines.push(
        `${this.time(e.at)}  ${who} could not encode a value of ${e.type}: ${e.error}`,
      );
      return;
    }
    this.lines.push(
      e.op === 'encode'
        ? `${this.time(e.at)}  ${who} encoded a value of ${e.type}: ${e.bytes.length} bytes`
        : `${this.time(e.at)}  handed to ${who} to decode as ${e.type}: ${e.bytes.length} bytes${e.error !== undefined ? `; it threw ${e.error}` : ''}`,
    );
    this.lines.push(...this.valueRows(e.type, e.bytes, e.at));
  }

  /** Annotated rows of a value of `type`, or a pointer to where the same bytes were shown. */
  valueRows(type: string | undefined, bytes: Uint8Array, at: number): string[] {
    const key = `${type ?? ''}:${Buffer.from(bytes).toString('hex')}`;
    const before = this.#shown.get(key);
    if (before !== undefined)
      return [`${INDENT}the same ${bytes.length} bytes as at ${before}${type ? ` (${type})` : ''}`];
    this.#shown.set(key, `+${(at - this.trace.t0).toFixed(1)} ms`);
    const spec = type === undefined ? undefined : structSpec(this.ctx.schema, type);
    if (spec === undefined)
      return rows(
        0,
        bytes,
        `not annotated: ${type === undefined ? 'no type named' : `${type} is not a struct of this IDL`}`,
      );
    return spanRows(0, bytes, annotate(spec, bytes).spans);
  }

  control(e: ControlEvent): void {
    const arrow = e.direction === 'request' ? '→' : '←';
    const head = `${this.time(e.at)}  control ${arrow} ${e.peer}:`;
    let msg: unknown;
    try {
      msg = JSON.parse(e.text);
    } catch {
      this.lines.push(`${head} ${e.text}`, `${INDENT}(not JSON)`);
      return;
    }
    if (!isObject(msg)) {
      this.lines.push(`${head} ${e.text}`);
      return;
    }
    const blocks: { type: string | undefined; bytes: Uint8Array }[] = [];
    let request: JsonObject | undefined;
    if (e.direction === 'request') {
      if (typeof msg.id === 'number') this.#requests.set(msg.id, msg);
    } else if (typeof msg.id === 'number') request = this.#requests.get(msg.id);
    const shown = this.abbreviate(msg, request, blocks);
    this.lines.push(`${head} ${JSON.stringify(shown)}`);
    blocks.forEach((b, i) => {
      this.lines.push(
        `${INDENT}bytes #${i + 1}: ${b.bytes.length} bytes${b.type !== undefined ? ` of ${b.type}` : ''}`,
        ...this.valueRows(b.type, b.bytes, e.at),
      );
    });
  }

  /**
   * A copy of a control message for showing: each `bytes` field (base64) becomes `<bytes #k:
   * N bytes, below>` (collected into `blocks` with the type its request named), IDL texts shown
   * above become pointers; `batch` sub-requests and responses are treated one by one.
   */
  abbreviate(
    msg: JsonObject,
    request: JsonObject | undefined,
    blocks: { type: string | undefined; bytes: Uint8Array }[],
  ): JsonObject {
    const out: JsonObject = {};
    const type =
      typeof msg.type === 'string' && msg.op !== undefined
        ? msg.type
        : typeof request?.type === 'string'
          ? request.type
          : undefined;
    for (const [k, v] of Object.entries(msg)) {
      if (k === 'bytes' && typeof v === 'string') {
        const bytes = base64Bytes(v);
        if (bytes === undefined) out[k] = v;
        else {
          blocks.push({ type, bytes });
          out[k] = `<bytes #${blocks.length}: ${bytes.length} bytes, below>`;
        }
      } else if (k === 'files' && isObject(v)) {
        const shown = this.ctx.shownFiles ?? {};
        out[k] = Object.fromEntries(
          Object.entries(v).map(([f, text]) => [
            f,
            typeof text === 'string' && shown[f] === text ? `<idl/${f}, shown above>` : text,
          ]),
        );
      } else if ((k === 'requests' || k === 'responses') && Array.isArray(v)) {
        const subs = k === 'responses' && Array.isArray(request?.requests) ? request.requests : [];
        out[k] = v.map((x, i) =>
          isObject(x) ? this.abbreviate(x, isObject(subs[i]) ? subs[i] : undefined, blocks) : x,
        );
      } else out[k] = v;
    }
    return out;
  }
}

/**
 * The trace as text lines, one event after another with its time since `trace.t0`: socket chunks
 * cut into messages and annotated (see the module comment), control messages as JSON with their
 * bytes annotated below, the codec's bytes annotated; bytes already shown once are pointed to
 * instead of repeated. Never throws for any recorded bytes.
 */
export function renderTrace(trace: Trace, ctx: TraceRenderContext): string[] {
  return new Renderer(trace, ctx).render();
}
