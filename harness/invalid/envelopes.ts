/**
 * The envelope rows of the invalid-input matrix (issue 12, "Envelopes"), over real sockets: every
 * selected peer's server and our ThriftServer get hand-built bad envelopes on a raw connection
 * (server cases), and every peer's client and our ThriftClient get bad answers from a raw server
 * of ours (client cases), for every protocol, transport and envelope form each reader has.
 * Outcomes: accepted, refused (an error, or closed without an answer), crashed (the process died
 * or the server stopped serving other connections), hung (nothing within the bound).
 */
import { compile, ProtocolError, TApplicationException } from '../../codec/src/index.js';
import type { ServiceObject, ThriftModule } from '../../codec/src/index.js';
import { ConnectionClosedError, CallTimeoutError, ThriftClient } from '../../rpc/src/client.js';
import { ThriftServer } from '../../rpc/src/server.js';
import type { Json } from '../peers/json-values.js';
import type { Abilities, CallOutcome, Peer } from '../peers/peer.js';
import { isPeerAnswer, PeerError } from '../peers/peer.js';
import type { CaseResult } from '../runner/result.js';
import type { WireProtocol } from './envelope-bytes.js';
import { hex, onTheWire } from './envelope-bytes.js';
import type { ClientCase, EnvelopeForm, ReaderTraits, Rule, ServerCase } from './envelope-cases.js';
import {
  ARGUMENT,
  CLIENT_CASES,
  ENVELOPE_IDL,
  FUNCTION,
  normalCall,
  SERVER_CASES,
  SERVICE,
} from './envelope-cases.js';
import { probe, RawServer } from './envelope-probe.js';
import type { MatrixCell, MatrixRow, Outcome } from './model.js';

/** Options of {@link runEnvelopeMatrix}. */
export interface EnvelopeMatrixOptions {
  /** The selected peers, started (their manifests give abilities and documented quirks). */
  readonly peers: readonly Peer[];
  /** The protocols to run (default both); a peer gets only the ones its abilities name. */
  readonly protocols?: readonly WireProtocol[];
  /** How long one read may take before its reader is `hung`, in ms (default 2,000: a loopback answer takes milliseconds). */
  readonly boundMs?: number;
  /** Progress lines for a person (default: none). */
  readonly log?: (line: string) => void;
  /** Include our ThriftServer and ThriftClient as the reader `ours` (default true). */
  readonly ours?: boolean;
  /** Which sides to run (default both): `server` cases, `client` cases. */
  readonly sides?: readonly ('server' | 'client')[];
}

/** The matrix rows (group `envelopes`) and one CaseResult per cell. */
export interface EnvelopeMatrix {
  readonly rows: MatrixRow[];
  readonly results: CaseResult[];
}

/** The default time bound of one read. */
export const DEFAULT_ENVELOPE_BOUND_MS = 2000;

/** The reader name of our own ThriftServer / ThriftClient. */
export const OURS = 'ours';

const IDL_FILE = 'envelopes.thrift';

/** One reader: our RPC layer or a peer. */
interface Reader {
  readonly name: string;
  readonly peer?: Peer;
  readonly abilities: Abilities;
  readonly traits: ReaderTraits;
  /** The peer's module handle (after loading the IDL). */
  module: string;
  /** Its servers' ports, by `<protocol>/<transport>`. */
  readonly ports: Map<string, number>;
}

/** One observed cell, before it becomes a row's cell and a CaseResult. */
interface Observation {
  readonly reader: string;
  readonly outcome: Outcome;
  readonly detail: string;
  /** Bytes given to the reader (as on the wire). */
  readonly givenHex: string;
  /** Bytes the reader sent back (server cases: its answer; client cases: its request). */
  readonly fromReaderHex: string;
  readonly rule: Rule;
  /** A documented quirk in the reader's manifest that makes this outcome its choice. */
  readonly quirk?: string;
  readonly durationMs: number;
  readonly stderr?: string;
}

/**
 * Runs the envelope cases against our RPC layer and every peer in `options.peers` (each over the
 * protocols, transports and envelope forms its abilities name) and returns the matrix rows and
 * one CaseResult (property `invalid-input`) per cell: `mismatch` when a cell breaks a rule the
 * spec states, `peer-error` when the reader crashed or hung, else `identical`. Never rejects for
 * a peer's failure (a peer that cannot load the IDL or serve is logged and left out); rejects only
 * when our own RPC layer cannot start a server.
 */
export async function runEnvelopeMatrix(options: EnvelopeMatrixOptions): Promise<EnvelopeMatrix> {
  const bound = options.boundMs ?? DEFAULT_ENVELOPE_BOUND_MS;
  const log = options.log ?? (() => undefined);
  const sides = options.sides ?? ['server', 'client'];
  const ours = compile(ENVELOPE_IDL, { file: IDL_FILE });
  const Env = ours[SERVICE] as ServiceObject;
  const rows = new Map<
    string,
    { row: Omit<MatrixRow, 'cells' | 'disagree'>; cells: Observation[] }
  >();
  const results: CaseResult[] = [];
  /** Our ThriftServers of the run, closed after each protocol. */
  const ourServers: ThriftServer[] = [];

  for (const protocol of options.protocols ?? ['binary', 'compact']) {
    const readers: Reader[] = [];
    if (options.ours !== false) readers.push(ourReader());
    for (const peer of options.peers) {
      const abilities = peer.manifest?.abilities ?? peer.info.abilities;
      // Only framed and buffered carry envelopes (a TChannel-only peer has none to test).
      if (!abilities.protocols.includes(protocol) || !abilities.transports.some(enveloped))
        continue;
      const reader: Reader = {
        name: peer.name,
        peer,
        abilities,
        traits: { readsEnvelopes: abilities.envelopes.read },
        module: '',
        ports: new Map(),
      };
      try {
        reader.module = await peer.loadIdl({ [IDL_FILE]: ENVELOPE_IDL }, IDL_FILE);
      } catch (e) {
        log(`envelopes: ${peer.name} cannot load the matrix IDL, left out: ${String(e)}`);
        continue;
      }
      readers.push(reader);
    }
    const record = (
      c: ServerCase | ClientCase,
      transport: 'framed' | 'buffered',
      envelope: EnvelopeForm,
      given: Uint8Array,
      o: Observation,
    ): void => {
      const name = `${protocol}/invalid/envelopes/${c.kind}/${transport}-${envelope}/${SERVICE}.${FUNCTION}#0`;
      let entry = rows.get(name);
      if (entry === undefined) {
        entry = {
          row: {
            name,
            protocol,
            group: 'envelopes',
            kind: c.kind,
            what: `${c.side === 'server' ? 'to a server' : "as a server's answer"}, ${transport}, ${protocol === 'compact' ? 'compact' : `${envelope} envelope`}: ${c.what}`,
            // The row's rule is the rule for a reader of every envelope form; a cell's own rule
            // (a strict-only reader's, say) decides whether that cell violates it.
            ...rowRule(c, protocol),
            bytesHex: hex(given),
            type: `${SERVICE}.${FUNCTION}`,
          },
          cells: [],
        };
        rows.set(name, entry);
      }
      entry.cells.push(o);
      results.push(toResult(protocol, transport, envelope, c, o));
    };

    await Promise.all(
      readers.map(async (reader) => {
        for (const transport of reader.abilities.transports.filter(enveloped)) {
          for (const envelope of envelopesOf(protocol)) {
            if (sides.includes('server')) {
              for (const c of SERVER_CASES) {
                if (!c.applies(protocol, envelope, transport)) continue;
                const port = await serverPort(
                  reader,
                  protocol,
                  transport,
                  ours,
                  Env,
                  ourServers,
                  log,
                );
                if (port === undefined) break;
                const o = await runServerCase(
                  reader,
                  c,
                  protocol,
                  transport,
                  envelope,
                  port,
                  bound,
                );
                record(c, transport, envelope, c.wire(protocol, envelope, transport), o);
                if (o.outcome === 'crashed') await revive(reader, log);
              }
            }
            if (sides.includes('client')) {
              for (const c of CLIENT_CASES) {
                if (!c.applies(protocol, envelope)) continue;
                const template = c.answer(protocol, envelope, {
                  name: FUNCTION,
                  type: 1,
                  seqid: 0,
                  strict: true,
                  end: 0,
                });
                const o = await runClientCase(
                  reader,
                  c,
                  protocol,
                  transport,
                  envelope,
                  bound,
                  ours,
                  Env,
                );
                record(c, transport, envelope, onTheWire(transport, template), o);
                if (o.outcome === 'crashed') await revive(reader, log);
              }
            }
          }
        }
        log(`envelopes: ${protocol}: ${reader.name} done`);
      }),
    );
    await Promise.all(ourServers.splice(0).map((s) => s.close()));
  }

  // Readers ran at once: put rows, cells and results in a fixed order (ours first, then the
  // peers as given; rows by protocol, transport, envelope form and case), so runs compare.
  const readerOrder = [OURS, ...options.peers.map((p) => p.name)];
  const byReader = (a: { reader: string }, b: { reader: string }): number =>
    readerOrder.indexOf(a.reader) - readerOrder.indexOf(b.reader);
  const kinds = [...SERVER_CASES, ...CLIENT_CASES].map((c) => c.kind);
  const rowKey = (name: string): string => {
    const [protocol, , , kind, form] = name.split('/');
    const k = String(kinds.indexOf(kind!)).padStart(3, '0');
    const [transport, envelope] = form!.split('-');
    return `${protocol === 'binary' ? 0 : 1}${transport === 'framed' ? 0 : 1}${envelope === 'strict' ? 0 : 1}/${k}`;
  };
  const ordered = [...rows.values()].sort((a, b) =>
    rowKey(a.row.name) < rowKey(b.row.name) ? -1 : 1,
  );
  results.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const out: MatrixRow[] = [];
  for (const { row, cells } of ordered) {
    const matrixCells: MatrixCell[] = [...cells].sort(byReader).map((o) => ({
      reader: o.reader,
      outcome: o.outcome,
      detail: (o.quirk ? `${o.detail} (documented choice: ${o.quirk})` : o.detail).slice(0, 200),
      violates: violates(o),
    }));
    const outcomes = new Set(cells.map((o) => o.outcome));
    out.push({
      ...row,
      cells: matrixCells,
      disagree: outcomes.has('accepted') && outcomes.has('refused'),
    });
  }
  return { rows: out, results };
}

/** A case's rule for a reader of every envelope form (the row's rule). */
function rowRule(c: ServerCase | ClientCase, protocol: WireProtocol): Rule {
  return c.side === 'server'
    ? c.rule(protocol, { readsEnvelopes: ['strict', 'nonstrict'] })
    : c.rule(protocol);
}

/** Whether a transport carries enveloped messages (framed, buffered); others have no envelope. */
function enveloped(t: string): t is 'framed' | 'buffered' {
  return t === 'framed' || t === 'buffered';
}

/** The envelope forms of a protocol: binary has two, compact one (shown as strict). */
function envelopesOf(protocol: WireProtocol): EnvelopeForm[] {
  return protocol === 'binary' ? ['strict', 'nonstrict'] : ['strict'];
}

function ourReader(): Reader {
  return {
    name: OURS,
    abilities: {
      protocols: ['binary', 'compact'],
      transports: ['framed', 'buffered'],
      envelopes: { read: ['strict', 'nonstrict'], write: ['strict', 'nonstrict'] },
      dialect: 'thriftrw',
      features: { applicationException: true, oneway: true },
    },
    traits: { readsEnvelopes: ['strict', 'nonstrict'] },
    module: '',
    ports: new Map(),
  };
}

/** The port of the reader's server for this protocol and transport, started on first use. */
async function serverPort(
  reader: Reader,
  protocol: WireProtocol,
  transport: 'framed' | 'buffered',
  module: ThriftModule,
  Env: ServiceObject,
  ourServers: ThriftServer[],
  log: (line: string) => void,
): Promise<number | undefined> {
  const key = `${protocol}/${transport}`;
  const known = reader.ports.get(key);
  if (known !== undefined) return known;
  let port: number;
  if (reader.peer === undefined) {
    const server = new ThriftServer({ transport, protocol }).register(module, Env, {
      echo: ({ s }) => s,
      risky: ({ s }) => s,
      fire: () => undefined,
    });
    port = await server.listen();
    ourServers.push(server);
  } else {
    const write = reader.abilities.envelopes.write;
    try {
      port = await reader.peer.serve(reader.module, SERVICE, {
        protocol,
        transport,
        envelope: write.includes('strict') ? 'strict' : (write[0] ?? 'strict'),
      });
    } catch (e) {
      log(`envelopes: ${reader.name} cannot serve ${key}, server cases left out: ${String(e)}`);
      return undefined;
    }
  }
  reader.ports.set(key, port);
  return port;
}

/** Starts a dead peer again (with its IDL and no servers); logs when it cannot. */
async function revive(reader: Reader, log: (line: string) => void): Promise<void> {
  const peer = reader.peer;
  if (peer === undefined || peer.exitReason?.() === undefined) return;
  reader.ports.clear();
  try {
    if (peer.restart === undefined) throw new Error('the peer cannot be restarted');
    await peer.restart();
    reader.module = await peer.loadIdl({ [IDL_FILE]: ENVELOPE_IDL }, IDL_FILE);
    log(`envelopes: ${peer.name} died and was started again`);
  } catch (e) {
    log(`envelopes: ${peer.name} died and could not be started again: ${String(e)}`);
  }
}

/** The manifest quirk that makes `outcome` of `kind` this reader's documented choice, if any. */
function quirkOf(
  reader: Reader,
  kind: string,
  envelope: EnvelopeForm,
  outcome: Outcome,
): string | undefined {
  const kv = reader.peer?.manifest?.keyvalue;
  if (
    kv?.serverRejectsNonStrict !== undefined &&
    envelope === 'nonstrict' &&
    outcome === 'refused' &&
    kind === 'server-nonstrict-call'
  )
    return `peer.json keyvalue.serverRejectsNonStrict: ${kv.serverRejectsNonStrict}`;
  return undefined;
}

async function runServerCase(
  reader: Reader,
  c: ServerCase,
  protocol: WireProtocol,
  transport: 'framed' | 'buffered',
  envelope: EnvelopeForm,
  port: number,
  bound: number,
): Promise<Observation> {
  const given = c.wire(protocol, envelope, transport);
  const mark = reader.peer?.stderrMark?.();
  const started = Date.now();
  const target = { port, transport, protocol, boundMs: bound };
  const r = await probe(target, given, c.endsStream && transport === 'buffered');
  // A crash shows as the process gone, or as the server no longer answering a normal call.
  let seen: { outcome: Outcome; detail: string } = r;
  if (reader.peer?.exitReason?.() === undefined) {
    const check = await probe(target, onTheWire(transport, normalCall(protocol, 'strict', 8)));
    if (check.outcome !== 'accepted')
      seen = {
        outcome: 'crashed',
        detail: `the server stopped serving: a normal call on a new connection got "${check.detail}" (after: ${r.detail})`,
      };
  }
  const last = lastWords(reader, mark, seen);
  const quirk = quirkOf(reader, c.kind, envelope, last.outcome);
  return {
    reader: reader.name,
    ...last,
    givenHex: hex(given),
    fromReaderHex: r.gotHex,
    rule: c.rule(protocol, reader.traits),
    ...(quirk !== undefined ? { quirk } : {}),
    durationMs: Date.now() - started,
  };
}

/**
 * What a reader did, made `crashed` when its process died meanwhile, with what it printed since
 * `mark` when it crashed or hung (a peer's stderr, for a person).
 */
function lastWords(
  reader: Reader,
  mark: number | undefined,
  seen: { outcome: Outcome; detail: string },
): { outcome: Outcome; detail: string; stderr?: string } {
  const died = reader.peer?.exitReason?.();
  const r =
    died === undefined
      ? seen
      : { outcome: 'crashed' as const, detail: `${died} (after: ${seen.detail})` };
  const stderr =
    (r.outcome === 'crashed' || r.outcome === 'hung') && mark !== undefined
      ? reader.peer?.stderrSince?.(mark)
      : undefined;
  return { outcome: r.outcome, detail: r.detail, ...(stderr ? { stderr } : {}) };
}

async function runClientCase(
  reader: Reader,
  c: ClientCase,
  protocol: WireProtocol,
  transport: 'framed' | 'buffered',
  envelope: EnvelopeForm,
  bound: number,
  module: ThriftModule,
  Env: ServiceObject,
): Promise<Observation> {
  const raw = new RawServer(transport, protocol, (request) =>
    c.answer(protocol, envelope, request),
  );
  const port = await raw.listen();
  const mark = reader.peer?.stderrMark?.();
  const started = Date.now();
  let seen: { outcome: Outcome; detail: string };
  try {
    seen =
      reader.peer === undefined
        ? await ourClientCall(module, Env, port, protocol, transport, bound)
        : await peerClientCall(reader, raw, port, protocol, transport, bound);
  } finally {
    await raw.close();
  }
  if (raw.problems.length > 0)
    seen = {
      ...seen,
      detail: `${seen.detail}; the raw server could not read the request: ${raw.problems[0]}`,
    };
  return {
    reader: reader.name,
    ...lastWords(reader, mark, seen),
    givenHex: raw.sent.join(''),
    fromReaderHex: raw.received.join(''),
    rule: c.rule(protocol),
    durationMs: Date.now() - started,
  };
}

/** Our ThriftClient calls echo("ping") on the raw server. */
async function ourClientCall(
  module: ThriftModule,
  Env: ServiceObject,
  port: number,
  protocol: WireProtocol,
  transport: 'framed' | 'buffered',
  bound: number,
): Promise<{ outcome: Outcome; detail: string }> {
  let client: ThriftClient;
  try {
    client = await ThriftClient.connect(module, Env, port, '127.0.0.1', {
      transport,
      protocol,
      timeoutMs: bound,
    });
  } catch (e) {
    return { outcome: 'crashed', detail: `could not connect: ${String(e)}` };
  }
  try {
    const result = await client.call(FUNCTION, { s: ARGUMENT });
    return { outcome: 'accepted', detail: `returned ${JSON.stringify(result)}` };
  } catch (e) {
    if (e instanceof CallTimeoutError) return { outcome: 'hung', detail: e.message };
    if (
      e instanceof TApplicationException ||
      e instanceof ProtocolError ||
      e instanceof ConnectionClosedError
    )
      return { outcome: 'refused', detail: `${e.name}: ${e.message}` };
    return { outcome: 'crashed', detail: `threw ${String(e)}` };
  } finally {
    client.close();
  }
}

/** The peer's client calls echo("ping") on the raw server; a call past the bound is hung. */
async function peerClientCall(
  reader: Reader,
  raw: RawServer,
  port: number,
  protocol: WireProtocol,
  transport: 'framed' | 'buffered',
  bound: number,
): Promise<{ outcome: Outcome; detail: string }> {
  const peer = reader.peer!;
  const write = reader.abilities.envelopes.write;
  const call = peer
    .call(reader.module, SERVICE, FUNCTION, { s: ARGUMENT } as Json, port, {
      protocol,
      transport,
      envelope: write.includes('strict') ? 'strict' : (write[0] ?? 'strict'),
    })
    .then(
      (answer) => ({ answer }),
      (error: unknown) => ({ error }),
    );
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), bound);
  });
  const first = await Promise.race([call, late]);
  clearTimeout(timer);
  if (first === 'late') {
    raw.dropConnections(); // the peer answers requests in order: free its client before going on
    const after = await call;
    return {
      outcome: 'hung',
      detail: `no answer within ${bound} ms (after the connection was closed: ${describeCall(after)})`,
    };
  }
  if ('answer' in first) return classifyCallOutcome(first.answer);
  const e = first.error;
  if (isPeerAnswer(e))
    return { outcome: 'refused', detail: `${e.type}: ${e.message.slice(0, 160)}` };
  if (e instanceof PeerError && e.type === 'Timeout') return { outcome: 'hung', detail: e.message };
  return { outcome: 'crashed', detail: String(e) };
}

function describeCall(x: { answer: CallOutcome } | { error: unknown }): string {
  return 'answer' in x ? JSON.stringify(x.answer).slice(0, 120) : String(x.error).slice(0, 120);
}

/** A peer client's answer as an outcome: a result is accepted, anything else refused. */
function classifyCallOutcome(a: CallOutcome): { outcome: Outcome; detail: string } {
  if ('result' in a) return { outcome: 'accepted', detail: `returned ${JSON.stringify(a.result)}` };
  if ('applicationException' in a)
    return {
      outcome: 'refused',
      detail: `TApplicationException type ${a.applicationException.type}: ${a.applicationException.message}`,
    };
  if ('unknownException' in a)
    return {
      outcome: 'refused',
      detail: `unknown EXCEPTION reply to '${a.unknownException.name}' seqid ${a.unknownException.seqid}`,
    };
  if ('exception' in a)
    return { outcome: 'refused', detail: `declared exception ${a.exception.type}` };
  return { outcome: 'refused', detail: `answered ${JSON.stringify(a).slice(0, 160)}` };
}

/** Whether an observation breaks its rule (a documented quirk never does; a crash or hang always). */
function violates(o: Observation): boolean {
  if (o.outcome === 'crashed' || o.outcome === 'hung') return true;
  if (o.quirk !== undefined) return false;
  if (o.rule.spec === 'must-refuse') return o.outcome === 'accepted';
  if (o.rule.spec === 'must-accept') return o.outcome === 'refused';
  return false;
}

/**
 * One cell as a CaseResult: `wantedHex` the bytes given to the reader (server cases: the bytes
 * sent to it; client cases: the answer it got), `gotHex` what it sent back (its answer; its
 * request); the IDL only on failures.
 */
function toResult(
  protocol: WireProtocol,
  transport: 'framed' | 'buffered',
  envelope: EnvelopeForm,
  c: ServerCase | ClientCase,
  o: Observation,
): CaseResult {
  const bad = violates(o);
  const verdict = !bad
    ? 'identical'
    : o.outcome === 'crashed' || o.outcome === 'hung'
      ? 'peer-error'
      : 'mismatch';
  const role = c.side === 'server' ? 'server' : 'client';
  const rule = o.rule.spec === 'silent' ? 'the spec is silent' : `the spec says ${o.rule.spec}`;
  return {
    name: `${protocol}/${transport}/${envelope}/peer:${o.reader}/invalid/envelopes/${c.kind}`,
    peer: o.reader,
    protocol,
    transport,
    envelope,
    property: 'invalid-input',
    verdict,
    summary:
      `${o.reader} ${role} ${o.outcome} ${c.what} (${rule}${o.quirk ? '; documented choice' : ''}): ${o.detail}`.slice(
        0,
        400,
      ),
    ...(verdict !== 'identical' ? { fingerprint: `invalid:${c.kind}:${o.outcome}` } : {}),
    wantedHex: o.givenHex,
    gotHex: o.fromReaderHex,
    // The IDL only where a person will look (keeps a report of ~800 passing cells small).
    ...(verdict !== 'identical' ? { idl: { [IDL_FILE]: ENVELOPE_IDL } } : {}),
    type: `${SERVICE}.${FUNCTION}`,
    durationMs: o.durationMs,
    ...(o.stderr !== undefined ? { stderr: o.stderr } : {}),
  };
}
