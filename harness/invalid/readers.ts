/**
 * The readers of the invalid-input matrix and their verdicts: our codec (the codec under test) and
 * a peer's library (through its `roundtrip` op) read one case's bytes; what they did is an Outcome
 * (refused: a decoder error; accepted: a value, or an EncodeError after reading; crashed: any other
 * error or a dead peer; hung: the channel's timeout), and the case's spec rule says whether it
 * violates: a `must-refuse` case accepted (unless the reader's manifest documents that it does not
 * check this), a `must-accept` case refused or read as another value, any crash or hang.
 */
import { ThriftError, equals } from '../../codec/src/index.js';
import type { Protocol, StructClass, StructSpec, ThriftModule } from '../../codec/src/index.js';
import { fromPeerJson, toPeerJson } from '../peers/json-values.js';
import type { Json } from '../peers/json-values.js';
import { PeerError } from '../peers/peer.js';
import type { Peer } from '../peers/peer.js';
import type { CodecUnderTest } from '../runner/codec.js';
import type { MatrixCell, Outcome } from './model.js';
import type { InvalidCase } from './values.js';

/** What one reader did with one case's bytes. */
export interface ReadResult {
  readonly outcome: Outcome;
  /** The error's first line, or what was read. */
  readonly detail: string;
  /** For `accepted` with a value: the value read, in the peers' JSON value encoding. */
  readonly decoded?: Json;
}

/** The first line of an error, cut to 200 characters. */
function firstLine(e: unknown): string {
  const m =
    e instanceof Error ? `${e.name === 'Error' ? '' : `${e.name}: `}${e.message}` : String(e);
  return (m.split('\n')[0] ?? '').slice(0, 200);
}

/** JSON text cut to 200 characters. */
function jsonText(j: unknown): string {
  const t = JSON.stringify(j) ?? 'undefined';
  return t.length > 200 ? `${t.slice(0, 197)}...` : t;
}

/**
 * Our codec reads `bytes` as a `C` in `protocol`: a ThriftError is a refusal, any other exception
 * a crash. Never throws.
 */
export function readOurs(
  codec: CodecUnderTest,
  mod: ThriftModule,
  C: StructClass,
  bytes: Uint8Array,
  protocol: Protocol,
): ReadResult {
  try {
    const v = codec.decode(mod, C, bytes, protocol);
    const decoded = toPeerJson(C.__spec__, v);
    return { outcome: 'accepted', detail: jsonText(decoded), decoded };
  } catch (e) {
    return { outcome: e instanceof ThriftError ? 'refused' : 'crashed', detail: firstLine(e) };
  }
}

/**
 * `peer` reads `bytes` as `type` with its library (the roundtrip op, batched with the requests in
 * flight beside it; the channel bounds its time): DecodeError is a refusal; a value, or an
 * EncodeError (it read the bytes, only writing them again failed) is acceptance; the channel's
 * Timeout is a hang; anything else (a dead peer, another error) a crash. Never rejects.
 */
export async function readPeer(
  peer: Peer,
  handle: string,
  type: string,
  bytes: Uint8Array,
  protocol: Protocol,
): Promise<ReadResult> {
  try {
    const r = await peer.roundtrip(handle, type, bytes, protocol);
    const decoded = r.value as Json;
    const left =
      r.trailing > 0 ? ` (it read only ${bytes.length - r.trailing} of ${bytes.length} bytes)` : '';
    return { outcome: 'accepted', detail: `${jsonText(decoded)}${left}`, decoded };
  } catch (e) {
    if (e instanceof PeerError) {
      const msg = (e.message.split('\n')[0] ?? '').slice(0, 200);
      if (e.type === 'DecodeError') return { outcome: 'refused', detail: msg };
      if (e.type === 'EncodeError')
        return { outcome: 'accepted', detail: `read, but not written again: ${msg}` };
      if (e.type === 'Timeout') return { outcome: 'hung', detail: msg };
    }
    return { outcome: 'crashed', detail: firstLine(e) };
  }
}

/** The leaf at `path` of a JSON value, or undefined. */
function at(j: Json | undefined, path: readonly (string | number)[]): Json | undefined {
  let x: Json | undefined = j;
  for (const k of path) {
    if (x === null || typeof x !== 'object') return undefined;
    x = Array.isArray(x)
      ? typeof k === 'number'
        ? x[k]
        : undefined
      : (x as Record<string, Json>)[k];
  }
  return x;
}

/** Whether two JSON values of `spec` mean the same (sets and maps in any order). Never throws. */
function sameValue(spec: StructSpec, a: Json, b: Json): boolean {
  try {
    return equals(fromPeerJson(spec, a), fromPeerJson(spec, b));
  } catch {
    return JSON.stringify(a) === JSON.stringify(b);
  }
}

/** A cell and the check outcome it becomes. */
export interface Judged {
  readonly cell: MatrixCell;
  /** Why an acceptance is not held against the reader (its manifest), when that applies. */
  readonly documented?: string;
  /** For a must-accept case: the value read is not the one the spec names. */
  readonly wrongValue?: boolean;
}

/**
 * Judges `read` of case `c` by `reader`. `features`: the reader's manifest features (none for our
 * codec); `baseline`: what the reader did with the valid bytes the case was made from. A
 * must-accept case is judged only when the reader accepted those (a reader that cannot read the
 * value at all — an enum value it does not declare, a known failure — tells nothing about the
 * edit); a case that keeps the value must then read as the same value. Never throws.
 */
export function judge(
  c: InvalidCase,
  spec: StructSpec,
  reader: string,
  read: ReadResult,
  features: Readonly<Record<string, boolean>>,
  baseline: ReadResult | undefined,
): Judged {
  const cell = (violates: boolean): MatrixCell => ({
    reader,
    outcome: read.outcome,
    detail: read.detail,
    ...(read.decoded !== undefined ? { decoded: read.decoded } : {}),
    violates,
  });
  if (read.outcome === 'crashed' || read.outcome === 'hung') return { cell: cell(true) };
  if (c.spec === 'must-refuse' && read.outcome === 'accepted') {
    if (c.feature !== undefined && features[c.feature] === false)
      return {
        cell: { ...cell(false), documented: `${c.feature}: false` },
        documented: `${c.feature}: false`,
      };
    return { cell: cell(true) };
  }
  if (c.spec === 'must-accept') {
    if (baseline !== undefined && baseline.outcome !== 'accepted')
      return {
        cell: {
          ...cell(false),
          detail: `${read.detail} (the valid bytes are ${baseline.outcome} too)`,
        },
      };
    if (read.outcome === 'refused') return { cell: cell(true) };
    if (read.decoded === undefined) return { cell: cell(false) };
    // A reader whose reading of the valid bytes has nothing at the path (a field it drops) is
    // not judged on the leaf.
    if (
      c.expectedAt !== undefined &&
      baseline?.decoded !== undefined &&
      at(baseline.decoded, c.expectedAt.path) === undefined
    )
      return {
        cell: {
          ...cell(false),
          detail: `${read.detail} (it does not read the field from the valid bytes either)`,
        },
      };
    let right: boolean;
    if (c.expectedAt !== undefined)
      right =
        JSON.stringify(at(read.decoded, c.expectedAt.path)) === JSON.stringify(c.expectedAt.value);
    else right = baseline?.decoded === undefined || sameValue(spec, read.decoded, baseline.decoded);
    return right ? { cell: cell(false) } : { cell: cell(true), wrongValue: true };
  }
  return { cell: cell(false) };
}

/** The CheckOutcome fields of a judged cell (see the module comment). Never throws. */
export function judgedOutcome(
  c: InvalidCase,
  j: Judged,
): { verdict: 'identical' | 'mismatch' | 'peer-error'; summary: string; fingerprint: string } {
  const { cell } = j;
  const hex = Buffer.from(c.bytes).toString('hex');
  const bytes = `0x${hex.slice(0, 48)}${hex.length > 48 ? '…' : ''}`;
  if (!cell.violates) {
    const how =
      j.documented !== undefined
        ? `accepted: its documented choice (${j.documented})`
        : c.spec === 'silent'
          ? `${cell.outcome} (the spec is silent)`
          : `${cell.outcome}, as it must be`;
    return {
      verdict: 'identical',
      summary: `${how}: ${c.what}: ${cell.detail}`,
      fingerprint: 'identical',
    };
  }
  const outcome = j.wrongValue === true ? 'wrong-value' : cell.outcome;
  const must =
    c.spec === 'must-refuse'
      ? 'it must be refused'
      : c.spec === 'must-accept'
        ? j.wrongValue === true
          ? `it must read as ${jsonText(c.expectedAt?.value ?? c.expected)}`
          : 'it must be accepted'
        : 'a reader must not crash or hang';
  return {
    verdict: cell.outcome === 'crashed' || cell.outcome === 'hung' ? 'peer-error' : 'mismatch',
    summary: `${cell.reader} ${outcome === 'wrong-value' ? 'read a wrong value from' : cell.outcome} ${c.what} (${bytes}): ${must} (${c.specRef.split(':')[0]}) — ${cell.detail}`,
    fingerprint: `invalid:${c.kind}:${outcome}`,
  };
}
