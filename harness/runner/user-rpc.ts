/**
 * RPC against the user's own services (`run --idl`): every function of every service of the
 * user's file (inherited ones too) is called in both directions with drawn arguments, and the
 * server answers a drawn answer — a result of the return type, one of the declared exceptions, or
 * nothing (void and oneway functions):
 *
 *   user-rpc-our-client   the peer's server is told the answer (the `answer` op of the control
 *                         protocol, peers/README.md "Scripted answers"); our ThriftClient calls
 *                         it; what came back must be the answer, and what the peer's server
 *                         received (the `received` op) must be the arguments sent
 *   user-rpc-peer-client  our ThriftServer answers the answer; the peer's client (`call`) calls
 *                         it; the outcome the peer reports must be the answer, and what our
 *                         server received must be the arguments the peer was given
 *
 * A case is one value of a synthetic struct appended to the copy of the user's file (as the Echo
 * service is): `TConformCall_<Service>_<function> { 1: params, 2: answer }`, with
 * `TConformArgs_…` (the function's arguments, all required, so every argument is sent) and the
 * union `TConformAnswer_…` (`returned` of the return type or `none` for void and oneway, then one
 * field per declared exception). Values of it are drawn, shrunk, bundled and replayed like the
 * values of the user's own types, and compared field path by field path
 * (`TConformCall_KeyValue_get.answer.returned`, `….params.key`).
 */
import { classFor, parse } from '../../codec/src/index.js';
import type { Protocol, ServiceObject, StructClass, StructSpec } from '../../codec/src/index.js';
import type { ast } from '../../codec/src/index.js';
import { ThriftClient } from '../../rpc/src/client.js';
import { ThriftServer } from '../../rpc/src/server.js';
import type { Handler } from '../../rpc/src/server.js';
import { fromPeerJson, toPeerJson } from '../peers/json-values.js';
import type { Json } from '../peers/json-values.js';
import type { Peer, ScriptedAnswer } from '../peers/peer.js';
import type { CompiledSchema } from './cases.js';
import type {
  CheckContext,
  CheckOutcome,
  OurServers,
  PeerSession,
  RpcWire,
  Wire,
} from './check.js';
import { oneServerCallAtATime, outcome, stderrFrom, stderrSince } from './check.js';

type Field = ast.Field;
type FunctionDef = ast.FunctionDef;
type Program = ast.Program;
type Service = ast.Service;
type TypeRef = ast.TypeRef;

/** The properties of this module, in the order they run. */
export const USER_RPC_PROPERTIES = ['user-rpc-our-client', 'user-rpc-peer-client'] as const;
/** One of them. */
export type UserRpcProperty = (typeof USER_RPC_PROPERTIES)[number];

/** Prefix of the synthetic call structs (and of their args and answer types). */
export const CALL_PREFIX = 'TConformCall_';
const ARGS_PREFIX = 'TConformArgs_';
const ANSWER_PREFIX = 'TConformAnswer_';

/** How long a oneway call may take to reach the server before the case fails. */
export const ONEWAY_WAIT_MS = 2_000;
/** The timeout of our client's calls to a peer's server. */
export const CALL_TIMEOUT_MS = 10_000;

/** Whether `property` is one of {@link USER_RPC_PROPERTIES}. Never throws. */
export function isUserRpc(property: string): property is UserRpcProperty {
  return (USER_RPC_PROPERTIES as readonly string[]).includes(property);
}

/** One function of one of the user's services, as a case type. */
export interface UserCall {
  /** The call struct's name (`TConformCall_KeyValue_get`). */
  readonly type: string;
  readonly service: string;
  readonly function: string;
  /** Declared by a parent service (called through `service`). */
  readonly inherited: boolean;
  readonly oneway: boolean;
  /** The union field of the answer that is the result (`returned`, or `none` for void/oneway). */
  readonly resultField: string;
  /** Whether the function returns nothing (void or oneway). */
  readonly void: boolean;
}

/** The call type's name for `fn` of `service`. Never throws. */
export function callTypeName(service: string, fn: string): string {
  return `${CALL_PREFIX}${service}_${fn}`;
}

/** What {@link userCallsIdl} appends to the copy of the user's file. */
export interface UserCallsIdl {
  /** Include lines the copy needs (files the inherited functions' types come from). */
  readonly includes: readonly string[];
  /** The synthetic types, one group per function. */
  readonly text: string;
  /** The call types, in order. */
  readonly types: readonly string[];
}

/**
 * The synthetic types for every function of every service of `main` (inherited ones through
 * each service: a parent's function declared in an included file has its types qualified by that
 * file's name). `files` is the flat set (base name → text); every file is parsed with our parser.
 * Throws the parser's error for IDL it cannot read, or Error for a parent service it cannot find.
 */
export function userCallsIdl(files: Readonly<Record<string, string>>, main: string): UserCallsIdl {
  const programs = new Map<string, Program>();
  const program = (file: string): Program => {
    let p = programs.get(file);
    if (p === undefined) {
      const text = files[file];
      if (text === undefined) throw new Error(`no file ${file} in the set`);
      programs.set(file, (p = parse(text, file)));
    }
    return p;
  };
  const stem = (file: string) => file.replace(/\.thrift$/, '');
  const includes = new Set<string>();
  const mainIncluded = new Set(
    program(main)
      .headers.flatMap((h) => (h.kind === 'Include' ? [h.path.split('/').pop() ?? h.path] : []))
      .map(stem),
  );
  /** A type as written in `file`, as the main file must name it. */
  const qualified = (t: TypeRef, file: string): string => {
    switch (t.kind) {
      case 'BaseType':
        return t.name;
      case 'NamedType': {
        const dot = t.name.indexOf('.');
        const owner = dot < 0 ? (file === main ? undefined : stem(file)) : t.name.slice(0, dot);
        if (owner === undefined) return t.name;
        if (!mainIncluded.has(owner)) includes.add(owner);
        return dot < 0 ? `${owner}.${t.name}` : t.name;
      }
      case 'ListType':
        return `list<${qualified(t.valueType, file)}>`;
      case 'SetType':
        return `set<${qualified(t.valueType, file)}>`;
      case 'MapType':
        return `map<${qualified(t.keyType, file)}, ${qualified(t.valueType, file)}>`;
    }
  };
  const field = (f: Field, file: string, requiredness: string) =>
    `  ${f.id !== undefined ? `${f.id}: ` : ''}${requiredness}${qualified(f.type, file)} ${f.name}`;
  const parts: string[] = [];
  const types: string[] = [];
  for (const d of program(main).definitions) {
    if (d.kind !== 'Service') continue;
    const seen = new Set<string>();
    // The service's own functions, then each parent's (a child's function hides its parent's).
    let svc: Service | undefined = d;
    let file = main;
    while (svc !== undefined) {
      for (const fn of svc.functions) {
        if (seen.has(fn.name)) continue;
        seen.add(fn.name);
        parts.push(callIdl(d.name, fn, file, field, qualified));
        types.push(callTypeName(d.name, fn.name));
      }
      if (svc.extends === undefined) break;
      const dot: number = svc.extends.indexOf('.');
      const parentFile: string = dot < 0 ? file : `${svc.extends.slice(0, dot)}.thrift`;
      const parentName = dot < 0 ? svc.extends : svc.extends.slice(dot + 1);
      const found: Service | undefined = program(parentFile).definitions.find(
        (x): x is Service => x.kind === 'Service' && x.name === parentName,
      );
      if (found === undefined)
        throw new Error(`${file}: service ${svc.name} extends ${svc.extends}, which is not found`);
      svc = found;
      file = parentFile;
    }
  }
  return {
    includes: [...includes].map((s) => `include "./${s}.thrift"`),
    text: parts.join('\n'),
    types,
  };
}

/** The three synthetic types of one function (see the module comment). */
function callIdl(
  service: string,
  fn: FunctionDef,
  file: string,
  field: (f: Field, file: string, requiredness: string) => string,
  qualified: (t: TypeRef, file: string) => string,
): string {
  const suffix = `${service}_${fn.name}`;
  const taken = new Set(fn.exceptions.map((e) => e.name));
  // Not `success` or `result`: the Java generator cannot take them as union fields (manifest avoidNames).
  const resultName = fn.returnType === undefined || fn.oneway ? 'none' : 'returned';
  const result = taken.has(resultName) ? `${resultName}Result` : resultName;
  const resultType =
    fn.returnType === undefined || fn.oneway ? 'bool' : qualified(fn.returnType, file);
  const answer = [
    `  1: optional ${resultType} ${result}`,
    ...fn.exceptions.map((e, i) => `  ${i + 2}: optional ${qualified(e.type, file)} ${e.name}`),
  ];
  return [
    `struct ${ARGS_PREFIX}${suffix} {`,
    ...fn.parameters.map((p) => field(p, file, 'required ')),
    `}`,
    `union ${ANSWER_PREFIX}${suffix} {`,
    ...answer,
    `}`,
    `struct ${CALL_PREFIX}${suffix} {`,
    `  1: required ${ARGS_PREFIX}${suffix} params`,
    `  2: required ${ANSWER_PREFIX}${suffix} answer`,
    `}`,
    '',
  ].join('\n');
}

const callsCache = new WeakMap<CompiledSchema, ReadonlyMap<string, UserCall>>();

/**
 * The user's functions of a compiled user schema, by call type (empty for generated schemas and
 * for user schemas without services). Read off the compiled module, so a bundle's schema gives
 * the same map as the run's. Never throws.
 */
export function userCalls(schema: CompiledSchema): ReadonlyMap<string, UserCall> {
  let m = callsCache.get(schema);
  if (m !== undefined) return m;
  const out = new Map<string, UserCall>();
  if (schema.user === true) {
    for (const [name, svc] of Object.entries(schema.mod.__services__)) {
      if (name === 'Echo') continue;
      for (const [fname, f] of svc.__functions__) {
        const type = callTypeName(name, fname);
        const C = schema.classes.get(type);
        if (C === undefined) continue;
        const answer = C.__spec__.fields.find((x) => x.name === 'answer')!.type as StructSpec;
        const isVoid = f.__spec__.returnType === undefined || f.oneway;
        out.set(type, {
          type,
          service: name,
          function: fname,
          inherited:
            f.__spec__.service.name !== name || f.__spec__.service.module !== svc.__spec__.module,
          oneway: f.oneway,
          resultField: answer.fields[0]!.name,
          void: isVoid,
        });
      }
    }
  }
  callsCache.set(schema, out);
  return (m = out);
}

/**
 * Whether `property` applies to a value of `type` of `schema` for `peer` (undefined: our codec):
 * the user-rpc properties only to call types, and only for a peer with what the call needs (the
 * `scriptedAnswers` feature for its server, `oneway` for a oneway function, `serviceInheritance`
 * for an inherited one); the other properties only to the user's own types. Never throws.
 */
export function propertyApplies(
  schema: CompiledSchema,
  type: string,
  property: string,
  peer?: Peer,
): boolean {
  const call = userCalls(schema).get(type);
  if (!isUserRpc(property)) return call === undefined;
  if (call === undefined || peer === undefined) return false;
  return whyNotCall(peer, call, property) === undefined;
}

/**
 * Why `peer` is given none of the user-rpc checks of a value of `type` (a call of the user's
 * service), for the run's "not given" counts; undefined when it is given one, or `type` is not a
 * call. Never throws.
 */
export function whyNotGivenCall(
  schema: CompiledSchema,
  type: string,
  peer: Peer,
): string | undefined {
  const call = userCalls(schema).get(type);
  if (call === undefined) return undefined;
  const why = USER_RPC_PROPERTIES.map((p) => whyNotCall(peer, call, p));
  return why.every((w) => w !== undefined) ? `user service call: ${why.at(-1)}` : undefined;
}

/** Why `peer` is not given `call` for `property` (undefined when it is). Never throws. */
export function whyNotCall(
  peer: Peer,
  call: UserCall,
  property: UserRpcProperty,
): string | undefined {
  const features = peer.info.abilities.features;
  if (property === 'user-rpc-our-client' && features.scriptedAnswers !== true)
    return 'no scripted answers';
  if (call.oneway && features.oneway !== true) return 'a oneway function';
  if (call.inherited && features.serviceInheritance !== true) return 'service inheritance';
  return undefined;
}

/** The args and answer values of a call value. */
function partsOf(v: object): { args: Record<string, unknown>; answer: Record<string, unknown> } {
  const x = v as { params: Record<string, unknown>; answer: Record<string, unknown> };
  return { args: x.params, answer: x.answer };
}

/** Which field of the answer union is set (the result, `none`, or an exception's). */
function answerField(answer: Record<string, unknown>, spec: StructSpec): string {
  const f = spec.fields.find((x) => answer[x.name] !== undefined && answer[x.name] !== null);
  return f?.name ?? spec.fields[0]!.name;
}

/** The answer as the `answer` op carries it. */
function scripted(
  call: UserCall,
  answerSpec: StructSpec,
  answer: Record<string, unknown>,
): ScriptedAnswer {
  const name = answerField(answer, answerSpec);
  if (call.void && name === call.resultField) return { none: true };
  const j = toPeerJson(answerSpec, answer) as { [k: string]: Json };
  if (name === call.resultField) return { result: j[name]! };
  return { exception: { field: name, value: j[name]! } };
}

/** Our servers of the user's services, per OurServers (one per service, transport and protocol). */
const ourServers = new WeakMap<OurServers, Map<string, Promise<OurCallServer>>>();

/** One of our servers of a user service: it answers what it is told and records what it got. */
interface OurCallServer {
  readonly server: ThriftServer;
  readonly port: number;
  /** The next answer per function (set before each call). */
  readonly next: Map<string, { field: string; value: unknown; void: boolean }>;
  /** What each function received (its request's fields), last call first. */
  readonly got: Map<string, Record<string, unknown>[]>;
}

/**
 * Our server of `service` on `transport`/`protocol` for `servers`' schema, one per peer (the
 * peers run side by side, and each server answers what it was told for the next call), started
 * once.
 */
function ourServer(
  servers: OurServers,
  peer: string,
  service: string,
  transport: Wire['transport'],
  protocol: Protocol,
): Promise<OurCallServer> {
  let m = ourServers.get(servers);
  if (m === undefined) ourServers.set(servers, (m = new Map()));
  const key = `${peer}/${service}/${transport}/${protocol}`;
  let s = m.get(key);
  if (s === undefined) {
    const svc = servers.schema.mod.__services__[service] as ServiceObject;
    const next: OurCallServer['next'] = new Map();
    const got: OurCallServer['got'] = new Map();
    const handler: Handler = {};
    for (const name of svc.__functions__.keys())
      handler[name] = (req) => {
        const list = got.get(name) ?? [];
        list.unshift(req);
        got.set(name, list);
        const a = next.get(name);
        next.delete(name);
        if (a === undefined || a.void) return undefined;
        if (a.field === 'result') return a.value;
        throw a.value;
      };
    const server = new ThriftServer({ transport, protocol }).register(
      servers.schema.mod,
      svc,
      handler,
    );
    s = server.listen().then((port) => ({ server, port, next, got }));
    m.set(key, s);
    const started = s;
    // Closed with the schema's echo servers.
    servers.atClose(() => started.then((x) => x.server.close()).catch(() => undefined));
  }
  return s;
}

/** The peer's servers and our clients of the user's services, per session. */
const peerSide = new WeakMap<
  PeerSession,
  { ports: Map<string, Promise<number>>; clients: Map<string, Promise<ThriftClient>> }
>();

/** The port of the peer's server of `service` (asked to serve once per transport and protocol). */
function peerServer(
  session: PeerSession,
  service: string,
  transport: Wire['transport'],
  protocol: Protocol,
): Promise<number> {
  let side = peerSide.get(session);
  if (side === undefined) {
    peerSide.set(session, (side = { ports: new Map(), clients: new Map() }));
    session.atClose(() => closeUserRpc(session));
  }
  const key = `${service}/${transport}/${protocol}`;
  let p = side.ports.get(key);
  if (p === undefined) {
    p = session.peer.serve(session.handle, service, { transport, protocol });
    side.ports.set(key, p);
    const ports = side.ports;
    p.catch(() => ports.delete(key));
  }
  return p;
}

/** Our client of the peer's server of `service` for `wire` (connected once). */
function peerClient(
  session: PeerSession,
  service: string,
  wire: Wire,
  protocol: Protocol,
): Promise<ThriftClient> {
  const side = peerSide.get(session)!;
  const key = `${service}/${wire.transport}/${wire.envelope}/${protocol}`;
  let c = side.clients.get(key);
  if (c === undefined) {
    c = peerServer(session, service, wire.transport, protocol).then((port) =>
      ThriftClient.connect(
        session.schema.mod,
        session.schema.mod.__services__[service] as ServiceObject,
        port,
        '127.0.0.1',
        {
          transport: wire.transport,
          strict: wire.envelope === 'strict',
          protocol,
          timeoutMs: CALL_TIMEOUT_MS,
        },
      ),
    );
    side.clients.set(key, c);
    c.catch(() => side.clients.delete(key));
  }
  return c;
}

/** Forgets our client for `wire` (after an error: the peer may have closed the connection). */
function dropPeerClient(session: PeerSession, service: string, wire: Wire, protocol: Protocol) {
  const side = peerSide.get(session);
  const key = `${service}/${wire.transport}/${wire.envelope}/${protocol}`;
  const c = side?.clients.get(key);
  side?.clients.delete(key);
  c?.then((x) => x.close()).catch(() => undefined);
}

/** Closes our clients of `session`'s user services. Never throws. */
function closeUserRpc(session: PeerSession): void {
  const side = peerSide.get(session);
  for (const c of side?.clients.values() ?? []) c.then((x) => x.close()).catch(() => undefined);
  side?.clients.clear();
}

/** Waits `ms` milliseconds. */
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Checks one call value `v` of call type `type` with a user-rpc property on `wire` (see the
 * module comment): a mismatch names the field path (`….answer.returned.x`, `….params.key`); what
 * a peer reports instead of an answer is a peer error. Never rejects for a peer's failure;
 * throws Error for a harness bug (no session, no wire, not a call type).
 */
export async function checkUserRpc(
  ctx: CheckContext,
  property: UserRpcProperty,
  type: string,
  v: object,
  rpcWire: RpcWire | undefined,
): Promise<CheckOutcome> {
  const call = userCalls(ctx.schema).get(type);
  const C: StructClass | undefined = ctx.schema.classes.get(type);
  if (call === undefined || C === undefined)
    throw new Error(`${type} is not a call of the user's services`);
  // TChannel does not carry a user's services yet (check.ts leaves it out of their wires).
  if (rpcWire === undefined || rpcWire.envelope === undefined)
    throw new Error(`${property} needs a framed or buffered wire setting`);
  const wire: Wire = rpcWire;
  const session = ctx.session;
  if (session === undefined) throw new Error(`${property} needs a peer session`);
  const spec = C.__spec__;
  const argsSpec = spec.fields[0]!.type as StructSpec;
  const answerSpec = spec.fields[1]!.type as StructSpec;
  const Answer = classOf(ctx.schema, answerSpec.name);
  const ArgsC = classOf(ctx.schema, argsSpec.name);
  const { args, answer } = partsOf(v);
  const protocol = ctx.protocol ?? 'binary';
  const t0 = performance.now();
  const field = answerField(answer, answerSpec);
  const isResult = field === call.resultField;
  // What came back when the call returned normally: the result, or for a void function the
  // drawn `none` (nothing is nothing, whatever bool was drawn) — or `true` when an exception was due.
  const returned = (r: unknown): Record<string, unknown> =>
    call.void
      ? { [call.resultField]: isResult ? answer[call.resultField] : true }
      : r === undefined || r === null
        ? {}
        : { [call.resultField]: r };
  const gotCall = (gotArgs: Record<string, unknown> | undefined, got: Record<string, unknown>) =>
    new C({
      params: gotArgs === undefined ? undefined : new ArgsC(gotArgs),
      answer: new Answer(got),
    });
  const judge = (gotArgs: Record<string, unknown> | undefined, got: Record<string, unknown>) => {
    if (gotArgs === undefined)
      return {
        verdict: 'mismatch' as const,
        summary: `the server received no call of ${call.service}.${call.function} (within ${ONEWAY_WAIT_MS} ms for a oneway call)`,
        fingerprint: 'user-rpc:not-received',
        byteDiff: [],
        valueDiff: [],
        durationMs: performance.now() - t0,
      };
    return outcome(t0, { spec, wanted: v, got: gotCall(gotArgs, got) }, ctx);
  };
  const peer = session.peer;
  if (property === 'user-rpc-our-client')
    return oneServerCallAtATime(peer, async () => {
      const from = stderrFrom(peer);
      let port: number;
      try {
        port = await peerServer(session, call.service, wire.transport, protocol);
        await peer.answer!(port, call.function, scripted(call, answerSpec, answer));
        // What an earlier call left in the log is not this call's.
        await peer.received!(port);
      } catch (e) {
        return outcome(t0, { spec, wanted: v, peerError: e }, ctx, {
          stderr: stderrSince(peer, from),
        });
      }
      let got: Record<string, unknown>;
      try {
        const client = await peerClient(session, call.service, wire, protocol);
        got = returned(await client.call(call.function, { ...args }));
      } catch (e) {
        const ex = answerSpec.fields.find(
          (f) => f.name !== call.resultField && e instanceof classFor(f.type as StructSpec),
        );
        if (ex === undefined) {
          dropPeerClient(session, call.service, wire, protocol);
          return outcome(t0, { spec, wanted: v, peerError: e }, ctx, {
            stderr: stderrSince(peer, from),
          });
        }
        // Two exception fields of one type cannot be told apart by the instance: prefer the one sent.
        const name =
          field !== call.resultField &&
          e instanceof classFor(answerSpec.fields.find((f) => f.name === field)!.type as StructSpec)
            ? field
            : ex.name;
        got = { [name]: e };
      }
      try {
        const deadline = performance.now() + (call.oneway ? ONEWAY_WAIT_MS : 0);
        let received = await peer.received!(port);
        while (call.oneway && received.length === 0 && performance.now() < deadline) {
          await sleep(20);
          received = await peer.received!(port);
        }
        const mine = received.filter((r) => r.function === call.function).pop();
        return judge(
          mine === undefined
            ? undefined
            : (fromPeerJson(argsSpec, mine.args) as Record<string, unknown>),
          got,
        );
      } catch (e) {
        return outcome(t0, { spec, wanted: v, peerError: e }, ctx, {
          stderr: stderrSince(peer, from),
        });
      }
    });
  // user-rpc-peer-client
  if (ctx.servers === undefined) throw new Error(`${property} needs our servers`);
  const from = stderrFrom(peer);
  try {
    const ours = await ourServer(ctx.servers, peer.name, call.service, wire.transport, protocol);
    ours.got.delete(call.function);
    ours.next.set(call.function, {
      field: isResult ? 'result' : field,
      value: answer[field],
      void: call.void && isResult,
    });
    const out = await peer.call(
      session.handle,
      call.service,
      call.function,
      toPeerJson(argsSpec, args),
      ours.port,
      { ...wire, protocol },
    );
    let got: Record<string, unknown>;
    if ('result' in out)
      got =
        call.void || out.result === null
          ? returned(out.result)
          : (fromPeerJson(answerSpec, { [call.resultField]: out.result }) as Record<
              string,
              unknown
            >);
    else if ('exception' in out)
      got = fromPeerJson(answerSpec, { [out.exception.field]: out.exception.value }) as Record<
        string,
        unknown
      >;
    else
      return outcome(
        t0,
        {
          spec,
          wanted: v,
          peerError: { type: Object.keys(out)[0] ?? 'Error', message: JSON.stringify(out) },
        },
        ctx,
        { stderr: stderrSince(peer, from) },
      );
    const deadline = performance.now() + (call.oneway ? ONEWAY_WAIT_MS : 0);
    while (call.oneway && ours.got.get(call.function) === undefined && performance.now() < deadline)
      await sleep(20);
    return judge(ours.got.get(call.function)?.[0], got);
  } catch (e) {
    return outcome(t0, { spec, wanted: v, peerError: e }, ctx, { stderr: stderrSince(peer, from) });
  }
}

/** The class of the struct named `name` in the schema's main module. */
function classOf(schema: CompiledSchema, name: string): StructClass {
  return schema.mod.__types__[name] as StructClass;
}
