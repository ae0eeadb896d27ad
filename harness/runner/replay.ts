/**
 * Replaying one failure bundle (`thrift-conform replay <bundle> [--trace]`): start just the
 * bundle's peer, load its IDL, run its one check, and tell what happens now — verdict, value and
 * byte differences, and "still failing" or "passes now". For a failure it also shows, once each,
 * the IDL files, the value and what the peer printed on stderr during the replay; with `trace`,
 * every byte that crossed each socket and the control channel, annotated (trace.ts).
 */
import { resolve } from 'node:path';
import type { Protocol } from '../../codec/src/index.js';
import { ROOT } from '../root.js';
import { tapControlChannels } from '../peers/control.js';
import type { Peer } from '../peers/peer.js';
import { discoverPeers, startPeers } from '../peers/registry.js';
import type { Backend } from '../peers/registry.js';
import { formatHexDiff } from '../report/hexdump.js';
import { valueDiffLines } from '../report/details.js';
import { readBundle } from './bundle.js';
import type { Bundle } from './bundle.js';
import { compileSchema } from './cases.js';
import type { CompiledSchema } from './cases.js';
import {
  checkIdlRoundtrip,
  checkValue,
  isFailing,
  isSchemaProperty,
  openSession,
  OurServers,
  peerSupports,
  wireFor,
  wireText,
} from './check.js';
import type { CheckOutcome, PeerSession, RpcWire } from './check.js';
import { OUR_CODEC } from './codec.js';
import { bundleValue } from './run.js';
import { renderTrace, Trace } from './trace.js';

/** Options of {@link replayBundle}. */
export interface ReplayOptions {
  /** How the peer is started: `process` (default) or `container`. */
  readonly backend?: Backend;
  /** Fail allowed byte variants too. Default false (a bundle recorded with it keeps it). */
  readonly strictBytes?: boolean;
  /** More peer folders, as `--peer-dir` (a peer.json folder, or a folder of them). Default none. */
  readonly peerDirs?: readonly string[];
  /** Record and print the trace of the case. Default false. */
  readonly trace?: boolean;
  /** Receives each output line, without its newline. Default: written to stdout. */
  readonly out?: (line: string) => void;
  /** The folder whose `peers/` holds the manifests. Default: this checkout. */
  readonly root?: string;
}

/** The bundle cannot be replayed as it is: unknown peer, IDL our codec cannot compile, a value that does not fit. */
export class ReplayError extends Error {
  override get name(): string {
    return 'ReplayError';
  }
}

/** Whether the bundle's check needs its peer started (our codec's own checks do not). */
function needsPeer(b: Bundle): boolean {
  const { peer, property } = b.case;
  if (property === 'codec-roundtrip' || property === 'idl-roundtrip') return false;
  // invalid-input of our codec is recorded under the codec's name.
  return !(property === 'invalid-input' && peer === OUR_CODEC.name);
}

/** What one replay runs with. */
interface Setup {
  readonly b: Bundle;
  readonly schema: CompiledSchema;
  /** The bundle's value (`{}` for the schema checks). */
  readonly value: object;
  readonly peer: Peer | undefined;
  readonly servers: OurServers;
  readonly strictBytes: boolean;
  readonly trace: Trace | undefined;
}

/** Runs the bundle's check with everything started; resolves with its outcome. */
async function runCheck(x: Setup): Promise<CheckOutcome> {
  const { b, schema, peer, trace } = x;
  const c = b.case;
  const property = c.property;
  if (property === 'idl-roundtrip') return checkIdlRoundtrip(b.files, c.userIdl === true);
  let session: PeerSession | undefined;
  if (peer !== undefined) {
    const opened = await openSession(peer, schema);
    if ('failure' in opened) return opened.failure;
    session = opened.session;
  }
  try {
    if (property === 'load-idl')
      return {
        verdict: 'identical',
        summary: `${c.peer} loads the IDL`,
        fingerprint: 'identical',
        byteDiff: [],
        valueDiff: [],
        durationMs: 0,
      };
    const wire =
      peer && c.wire && peerSupports(peer, property, c.wire, c.protocol ?? 'binary')
        ? c.wire
        : peer
          ? wireFor(peer, property, 0, c.protocol ?? 'binary')
          : undefined;
    if (trace !== undefined && session !== undefined && wire !== undefined)
      await tapOurClient(session, wire, property, trace, c.protocol ?? 'binary');
    const codec = trace ? trace.recordingCodec(OUR_CODEC) : OUR_CODEC;
    return await checkValue(
      {
        schema,
        codec,
        servers: x.servers,
        strictBytes: x.strictBytes,
        protocol: c.protocol ?? 'binary',
        ...(session ? { session } : {}),
        // invalid-input looks for the case kind and outcome the bundle recorded.
        ...(property === 'invalid-input' && c.fingerprint?.startsWith('invalid:') === true
          ? { invalidFingerprint: c.fingerprint }
          : {}),
      },
      property,
      c.type,
      x.value,
      wire,
    );
  } finally {
    session?.close();
  }
}

/**
 * Connects our client to the peer's server ahead of the check (the session keeps it, so the
 * check uses this very client) and taps it. A failure to connect is noted; the check then meets
 * it again and reports it.
 */
async function tapOurClient(
  session: PeerSession,
  wire: RpcWire,
  property: string,
  trace: Trace,
  protocol: Protocol,
): Promise<void> {
  if (property !== 'our-client-peer-server') return;
  try {
    if (wire.transport === 'tchannel') {
      trace.note(
        'our client speaks TChannel: its frames are not traced (the trace reads enveloped messages)',
      );
      return;
    }
    const client = await session.client(wire, protocol);
    client.onBytes = trace.clientTap(wire.transport);
  } catch (e) {
    trace.note(`our client could not connect to the peer's server: ${(e as Error).message}`);
  }
}

/**
 * Replays the bundle in `dir` against just its peer and writes what happens, line by line, to
 * `options.out` (defaults: process backend, strictBytes false, no extra peer folders, no trace,
 * stdout). Resolves with the exit code: 0 passes now, 1 still failing, 2 the peer could not be
 * started. Always stops the peer and our servers. Throws BundleError when `dir` is not a readable
 * bundle, and ReplayError when its peer is unknown, our codec cannot compile its IDL, the IDL has
 * no echoable type of the case's name or value.json does not fit it.
 */
export async function replayBundle(dir: string, options: ReplayOptions = {}): Promise<number> {
  const out = options.out ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const root = options.root ?? ROOT;
  const b = readBundle(resolve(dir));
  const c = b.case;
  let schema: CompiledSchema;
  try {
    schema = compileSchema(b.files, c.main, c.dialect ?? 'thriftrw');
  } catch (e) {
    throw new ReplayError(`${b.dir}: our codec cannot compile the IDL: ${(e as Error).message}`);
  }
  // A user's IDL: its services' calls are case types (user-rpc.ts).
  if (c.userIdl === true) schema = { ...schema, user: true };
  const C = schema.classes.get(c.type);
  if (C === undefined) throw new ReplayError(`${b.dir}: the IDL has no echoable type ${c.type}`);
  let value: object = {};
  if (!isSchemaProperty(c.property)) {
    try {
      value = bundleValue(C, b.value);
    } catch (e) {
      throw new ReplayError(`${b.dir}: value.json does not fit ${c.type}: ${(e as Error).message}`);
    }
  }
  let registry;
  try {
    registry = discoverPeers(root, options.peerDirs ?? []);
  } catch (e) {
    throw new ReplayError((e as Error).message);
  }
  for (const x of registry.broken) out(`warning: peer in ${x.dir} left out: ${x.error}`);
  const withPeer = needsPeer(b);
  if (withPeer && !registry.has(c.peer))
    throw new ReplayError(`${b.dir}: unknown peer ${c.peer} (add it with --peer-dir DIR)`);

  out(`replaying ${c.name}`);
  out(`  ${c.peer} ${c.property}${c.wire ? ` (${wireText(c.wire, ', ')})` : ''}, type ${c.type}`);
  const trace = options.trace === true ? new Trace() : undefined;
  const untap = trace ? tapControlChannels(trace.controlTap(c.peer)) : () => false;
  const servers = new OurServers(
    schema,
    trace ? (transport) => trace.serverTap(transport) : undefined,
  );
  let peer: Peer | undefined;
  try {
    if (withPeer) {
      try {
        [peer] = await startPeers([registry.get(c.peer)], options.backend ?? 'process', root);
      } catch (e) {
        out(`could not start ${c.peer}: ${(e as Error).message}`);
        if (trace) printTrace(out, trace, schema, b, c.peer);
        return 2;
      }
    }
    const strictBytes = options.strictBytes === true || c.strictBytes === true;
    const outcome = await runCheck({ b, schema, value, peer, servers, strictBytes, trace });
    trace?.note(`the check is done: ${outcome.verdict}`);
    const failing = isFailing(outcome.verdict);
    out(`${outcome.verdict}: ${outcome.summary}`);
    if (c.summary !== undefined && c.summary !== outcome.summary)
      out(`  (when it was recorded: ${c.summary})`);
    for (const line of valueDiffLines(outcome)) out(line);
    const hex = formatHexDiff(outcome.wantedHex, outcome.gotHex, outcome.byteDiff);
    if (hex !== undefined) for (const line of hex.split('\n')) out(line);
    out(`fingerprint: ${outcome.fingerprint}`);
    if (failing || trace) {
      out('');
      out('IDL:');
      for (const [file, text] of Object.entries(b.files)) {
        out(`// idl/${file}`);
        for (const line of text.replace(/\s+$/, '').split('\n')) out(line);
      }
      if (!isSchemaProperty(c.property)) {
        out('');
        out(`value (value.json): ${JSON.stringify(b.value)}`);
      }
    }
    if (failing && peer !== undefined) {
      const printed = peer.stderr().replace(/\s+$/, '');
      out('');
      if (printed === '') out(`${peer.name} printed nothing on stderr during this replay`);
      else {
        out(`what ${peer.name} printed on stderr during this replay:`);
        for (const line of printed.split('\n')) out(`  ${line}`);
      }
    }
    if (trace) printTrace(out, trace, schema, b, c.peer);
    out(failing ? 'still failing' : 'passes now');
    return failing ? 1 : 0;
  } finally {
    untap();
    await servers.close();
    await peer?.stop();
  }
}

function printTrace(
  out: (line: string) => void,
  trace: Trace,
  schema: CompiledSchema,
  b: Bundle,
  peer: string,
): void {
  out('');
  out('trace (times since the replay started; IDL texts are the files shown above):');
  for (const line of renderTrace(trace, { schema, peer, shownFiles: b.files })) out(line);
  out('');
}
