/**
 * Classifies one comparison — what we wanted against what a peer gave back — into a Verdict with
 * a one-line summary a person understands and a fingerprint that stays the same across seeds for
 * the same kind of problem (indices, keys and values normalised away):
 *
 *   peer-error       `peer error: DecodeError: bad bytes at 17`      `peer-error:DecodeError:bad-bytes-at`
 *   mismatch         `Foo.bar: wanted 3, got missing`                `meaning:Foo.bar:missing`
 *   mismatch         `bytes differ at 17 (Foo.items[2]: value): …`   `bytes:Foo.items[]:value`
 *   allowed-variant  `Foo.tags: set elements written in another order (allowed)`
 *                                                                    `bytes:set-order`
 *   identical        `identical`                                     `identical`
 *
 * Meaning is compared first (semantic.ts, under the policy); when it agrees, the bytes
 * (bytes.ts): allowed variants are `allowed-variant`, or `mismatch` with strictBytes. The runner
 * turns a mismatch or peer error into `known-failure` when a known-failures entry names it.
 */
import type { StructSpec } from '../../codec/src/index.js';
import type { ByteDiffSpan, ValueDiff, Verdict } from '../runner/result.js';
import type { BytesClassification, Variant } from './bytes.js';
import { byteDiff, classifyBytes, describeDifference } from './bytes.js';
import type { DetailedValueDiff, EquivalencePolicy } from './semantic.js';
import { detailedValueDiff } from './semantic.js';
import { cut, messageKind } from './text.js';

/** What `classify` compares. */
export interface ClassifyInput {
  /** The spec of the value (for messages: the request or response struct). */
  readonly spec: StructSpec;
  /** The value we meant. */
  readonly wanted: unknown;
  /** The value the peer produced (decoded); ignored when `peerError` is set. */
  readonly got?: unknown;
  /** What the peer threw or reported instead (a PeerError, an Error, or `{ type, message }`). */
  readonly peerError?: unknown;
  /** Our encoding of `wanted`. */
  readonly ourBytes?: Uint8Array;
  /** The peer's encoding. */
  readonly theirBytes?: Uint8Array;
  /** The equivalence policy; default DEFAULT_POLICY. */
  readonly policy?: Partial<EquivalencePolicy>;
  /** Fail allowed byte variants too (`--strict-bytes`). Default false. */
  readonly strictBytes?: boolean;
  /** The bytes start with a message envelope. Default false. */
  readonly envelope?: boolean;
  /** The name at the root of paths. Default: the spec's name. */
  readonly root?: string;
  /** The protocol of `ourBytes` and `theirBytes`: `binary` (default) or `compact`. */
  readonly protocol?: 'binary' | 'compact';
}

/** What `classify` returns: the verdict, its one-line summary and fingerprint, and the details. */
export interface Classification {
  readonly verdict: Exclude<Verdict, 'known-failure'>;
  readonly summary: string;
  readonly fingerprint: string;
  /** Every semantic difference (empty for peer errors and when the meaning agrees). */
  readonly valueDiff: readonly ValueDiff[];
  /** Every differing byte range (empty when bytes are missing or identical). */
  readonly byteDiff: readonly ByteDiffSpan[];
  /** The byte classification, when both byte strings were given. */
  readonly bytes?: BytesClassification;
}

/** `set order` → `set-order`, `NaN bits` → `nan-bits`. */
function slug(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

function errorParts(e: unknown): { type: string; message: string } {
  if (typeof e === 'object' && e !== null) {
    const o = e as { type?: unknown; name?: unknown; message?: unknown };
    const type =
      typeof o.type === 'string' && o.type !== ''
        ? o.type
        : typeof o.name === 'string'
          ? o.name
          : 'Error';
    let message = typeof o.message === 'string' ? o.message : '';
    // PeerError's message repeats `peer: type: `; keep only what the peer said.
    const prefix = `: ${type}: `;
    const at = message.indexOf(prefix);
    if (at >= 0) message = message.slice(at + prefix.length);
    return { type, message };
  }
  return {
    type: typeof e === 'string' ? e : 'Error',
    message: typeof e === 'string' ? '' : String(e),
  };
}

function meaningSummary(diffs: readonly DetailedValueDiff[]): string {
  const d = diffs[0]!;
  const text = (s: string | undefined) => (s === undefined ? 'missing' : cut(s, 60));
  let line: string;
  switch (d.kind) {
    case 'length':
      line = `${d.path}: wanted ${d.wanted} elements, got ${d.got}`;
      break;
    case 'order':
      line =
        `${d.path}: same members in another order (ordered by policy): ` +
        `wanted ${text(d.wanted)}, got ${text(d.got)}`;
      break;
    case 'unknown-enum':
      line = `${d.path}: ${text(d.wanted)} is not an enum item (a mismatch by policy)`;
      break;
    default:
      line = `${d.path}: wanted ${text(d.wanted)}, got ${text(d.got)}`;
  }
  const more = diffs.length - 1;
  return more > 0 ? `${line} (and ${more} more difference${more > 1 ? 's' : ''})` : line;
}

function variantSummary(variants: readonly Variant[]): string {
  const seen = new Set<string>();
  const parts: string[] = [];
  for (const v of variants) {
    const key = `${v.reason}|${v.pattern}`;
    if (seen.has(key)) continue;
    seen.add(key);
    parts.push(`${v.path}: ${v.text}`);
  }
  const shown = parts.slice(0, 3);
  if (parts.length > 3) shown.push(`and ${parts.length - 3} more`);
  return shown.join('; ');
}

/**
 * Classifies a comparison (see the module comment) into `identical`, `allowed-variant`,
 * `mismatch` or `peer-error`, with a one-line summary, a stable fingerprint and the value and
 * byte diffs. Defaults: DEFAULT_POLICY, strictBytes false, no envelope, binary. Never throws for
 * acyclic values.
 */
export function classify(input: ClassifyInput): Classification {
  const { spec } = input;
  const options = {
    ...(input.envelope !== undefined ? { envelope: input.envelope } : {}),
    ...(input.root !== undefined ? { root: input.root } : {}),
    ...(input.policy !== undefined ? { policy: input.policy } : {}),
    ...(input.protocol !== undefined ? { protocol: input.protocol } : {}),
  };
  if (input.peerError !== undefined) {
    const { type, message } = errorParts(input.peerError);
    const firstLine = message.split('\n')[0] ?? '';
    return {
      verdict: 'peer-error',
      summary: cut(`peer error: ${type}${firstLine ? `: ${firstLine}` : ''}`, 200),
      fingerprint: `peer-error:${type}${messageKind(firstLine) ? `:${messageKind(firstLine)}` : ''}`,
      valueDiff: [],
      byteDiff: [],
    };
  }

  const diffs = detailedValueDiff(
    spec,
    input.wanted,
    input.got,
    input.policy ?? {},
    input.root ?? spec.name,
  );
  const valueDiff: ValueDiff[] = diffs.map(({ path, wanted, got }) => ({
    path,
    ...(wanted !== undefined ? { wanted } : {}),
    ...(got !== undefined ? { got } : {}),
  }));
  const { ourBytes, theirBytes } = input;
  const haveBytes = ourBytes !== undefined && theirBytes !== undefined;
  const bd = haveBytes ? byteDiff(spec, ourBytes, theirBytes, options) : undefined;
  const spans = bd?.spans ?? [];
  const bytes = haveBytes ? classifyBytes(spec, ourBytes, theirBytes, options) : undefined;
  const withBytes = bytes === undefined ? {} : { bytes };

  if (diffs.length > 0) {
    const d = diffs[0]!;
    return {
      verdict: 'mismatch',
      summary: meaningSummary(diffs),
      fingerprint: `meaning:${d.pattern}:${d.kind}`,
      valueDiff,
      byteDiff: spans,
      ...withBytes,
    };
  }
  if (bytes === undefined || bd?.firstDifference === undefined) {
    return {
      verdict: 'identical',
      summary: 'identical',
      fingerprint: 'identical',
      valueDiff,
      byteDiff: spans,
      ...withBytes,
    };
  }
  if (!bytes.allowed) {
    const d = bytes.differences[0]!;
    if (bytes.malformed !== undefined) {
      const m = bytes.malformed;
      const whose = m.side === 'got' ? 'their' : 'our';
      const f = m.firstDifference;
      const first = f
        ? `; the bytes first differ at ${f.at} (${f.path}: ${f.meaning}): wanted 0x${cut(f.wantedHex, 40)}, got 0x${cut(f.gotHex, 40)}`
        : '';
      return {
        verdict: 'mismatch',
        summary: `${whose} bytes are malformed at ${m.at} (${m.path}): ${m.reason}${first}`,
        fingerprint: `bytes:malformed:${m.side === 'got' ? 'theirs' : 'ours'}:${m.pattern}`,
        valueDiff,
        byteDiff: spans,
        ...withBytes,
      };
    }
    const more = bytes.differences.length - 1;
    return {
      verdict: 'mismatch',
      summary:
        describeDifference(d) +
        (more > 0 ? ` (and ${more} more difference${more > 1 ? 's' : ''})` : ''),
      fingerprint: `bytes:${d.pattern}:${slug(d.role)}`,
      valueDiff,
      byteDiff: spans,
      ...withBytes,
    };
  }
  const reasons = [...bytes.reasons].map(slug).sort();
  const fingerprint = `bytes:${reasons.length > 0 ? reasons.join('+') : 'equivalent-encoding'}`;
  const where =
    bytes.variants.length > 0
      ? variantSummary(bytes.variants)
      : 'bytes differ in an equivalent encoding';
  const strict = input.strictBytes === true;
  return {
    verdict: strict ? 'mismatch' : 'allowed-variant',
    summary: `${where} (${strict ? 'allowed by the spec, but strict bytes' : 'allowed'})`,
    fingerprint,
    valueDiff,
    byteDiff: spans,
    ...withBytes,
  };
}
