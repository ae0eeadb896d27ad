/**
 * `thrift-conform check-peer DIR`: drives every op of a candidate peer (peers/README.md) with
 * plain values every Thrift implementation should handle, and says op by op what it gets wrong
 * and how to fix it — so a new peer can be made to work without reading the harness. It checks
 * the peer program, not the library's conformance: runs do that.
 */
import { compile, equals } from '../../codec/src/index.js';
import type { StructClass } from '../../codec/src/index.js';
import { ThriftClient } from '../../rpc/src/client.js';
import { compileSchema } from '../runner/cases.js';
import type { CompiledSchema } from '../runner/cases.js';
import {
  checkValue,
  isFailing,
  OurServers,
  PeerSession,
  wireText,
  wiresFor,
} from '../runner/check.js';
import type { Property } from '../runner/check.js';
import { OUR_CODEC } from '../runner/codec.js';
import { runKeyValueScenario } from '../scenarios/keyvalue.js';
import { ChannelPeer } from './channel-peer.js';
import { fromPeerJson, toPeerJson } from './json-values.js';
import type { Json } from './json-values.js';
import { readManifest } from './manifest.js';
import type { PeerManifest } from './manifest.js';
import type { Peer, ScriptedAnswer } from './peer.js';
import { PeerError } from './peer.js';
import { startPeer } from './registry.js';
import type { Backend } from './registry.js';

/** One step of check-peer. `optional` steps (batch, prepare) never fail the check. */
export interface PeerCheckStep {
  readonly op: string;
  readonly what: string;
  readonly ok: boolean;
  readonly detail: string;
  readonly optional?: boolean;
}

/** What check-peer found. */
export interface PeerCheckReport {
  readonly peer: string;
  readonly ok: boolean;
  readonly steps: readonly PeerCheckStep[];
}

/** Options of {@link checkPeer}. */
export interface CheckPeerOptions {
  /** The thrift-conform installation (for `{root}` and the KeyValue IDL). */
  readonly root: string;
  /** Default `process`. */
  readonly backend?: Backend;
  /** Gets one line per step as it finishes. */
  readonly log?: (line: string) => void;
}

/** The IDL check-peer loads: every base type but uuid, containers, an enum, a union, an exception. */
export function checkPeerIdl(features: Readonly<Record<string, boolean>>): string {
  return `enum Color {
  RED = 1
  GREEN = 2
  BLUE = 7
}

struct Point {
  1: required i32 x
  2: required i32 y
}

struct AllTypes {
  1: optional bool b
  2: optional byte i8v
  3: optional i16 small
  4: optional i32 medium
  5: optional i64 large
  6: optional double d
  7: optional string text
  8: optional binary blob
  9: optional Color color
  10: optional list<i32> numbers
  11: optional set<string> tags
  12: optional map<string, Point> points
  13: optional Point origin
  14: optional list<list<string>> nested
  15: optional map<i32, double> weights
  16: optional string note
}

union Choice {
  1: string name
  2: i32 number
}

exception Oops {
  1: optional string why
}

service Echo {
  AllTypes echoAllTypes(1: AllTypes v)
  Point echoPoint(1: Point v)
  Choice echoChoice(1: Choice v)
  void ping()
  i32 fail(1: i32 v, 2: string raiseField) throws (1: Oops oops)${features.oneway === false ? '' : '\n  oneway void fire(1: string v)'}
}
`;
}

/** Plain values of the check IDL (nothing at the spec's edges: that is for runs). */
function checkValues(schema: CompiledSchema): { type: string; value: object }[] {
  const mk = (type: string, json: Json) => {
    const C = schema.classes.get(type)!;
    return { type, value: fromPeerJson(C.__spec__, json) as object };
  };
  return [
    mk('Point', { x: 1, y: -2 }),
    mk('AllTypes', {}),
    mk('AllTypes', {
      b: true,
      i8v: 5,
      small: -300,
      medium: 123456,
      large: { $i64: '-9007199254740993' },
      d: 1.5,
      text: 'héllo ✓',
      blob: { $binary: 'AAEC/w==' },
      color: 7,
      numbers: [1, 2, 3],
      tags: { $set: ['a', 'b'] },
      points: { $map: [['p', { x: 3, y: 4 }]] },
      origin: { x: 0, y: 0 },
      nested: [['x'], []],
      weights: { $map: [[1, 0.25]] },
      note: 'set',
    }),
    mk('Choice', { name: 'n' }),
    mk('Choice', { number: 42 }),
  ];
}

/**
 * Checks the peer in `dir` op by op (see the module comment) and resolves with what it found;
 * `log` gets each step as it finishes. Never rejects for a failing peer (a broken manifest or a
 * peer that does not start are failed steps too).
 */
export async function checkPeer(dir: string, options: CheckPeerOptions): Promise<PeerCheckReport> {
  const steps: PeerCheckStep[] = [];
  const add = (s: PeerCheckStep) => {
    steps.push(s);
    const mark = s.ok ? 'ok  ' : s.optional ? 'skip' : 'FAIL';
    options.log?.(`${mark} ${s.op}: ${s.what}${s.detail ? ` — ${s.detail}` : ''}`);
  };
  const done = (name: string): PeerCheckReport => {
    const ok = steps.every((s) => s.ok || s.optional === true);
    const failed = steps.filter((s) => !s.ok && s.optional !== true).length;
    options.log?.(
      ok
        ? `${name}: every op works (${steps.length} steps)`
        : `${name}: ${failed} of ${steps.length} steps failed`,
    );
    return { peer: name, ok, steps };
  };

  let m: PeerManifest;
  try {
    m = readManifest(dir);
    add({ op: 'manifest', what: 'peer.json reads and fits the format', ok: true, detail: m.name });
  } catch (e) {
    add({ op: 'manifest', what: 'peer.json', ok: false, detail: (e as Error).message });
    return done(dir);
  }
  let peer: Peer;
  try {
    peer = await startPeer(m, options.backend ?? 'process', options.root);
  } catch (e) {
    add({
      op: 'hello',
      what: 'the peer starts and answers hello',
      ok: false,
      detail: `${(e as Error).message}${e instanceof PeerError && e.detail.stderr ? `\n  stderr: ${e.detail.stderr.slice(-600)}` : ''}`,
    });
    return done(m.name);
  }
  try {
    await drive(peer, m, options.root, add);
  } finally {
    await peer.stop();
  }
  return done(m.name);
}

type Add = (s: PeerCheckStep) => void;

/** Runs `fn` as a step: its string is the detail; a throw fails the step with the message. */
async function step(add: Add, op: string, what: string, fn: () => Promise<string>): Promise<void> {
  try {
    add({ op, what, ok: true, detail: await fn() });
  } catch (e) {
    add({ op, what, ok: false, detail: e instanceof Error ? e.message : String(e) });
  }
}

/** Expects `p` to reject with a PeerError of `type`; resolves with a detail, throws otherwise. */
async function expectError(p: Promise<unknown>, type: string, fix: string): Promise<string> {
  const got = await p.then(
    (v) => ({ ok: true as const, v }),
    (e: unknown) => ({ ok: false as const, e }),
  );
  if (got.ok)
    throw new Error(
      `answered ok (${JSON.stringify(got.v)}), wanted an error of type ${type}; ${fix}`,
    );
  if (!(got.e instanceof PeerError)) throw got.e;
  if (got.e.type !== type)
    throw new Error(`answered error type ${got.e.type} (${got.e.message}), wanted ${type}; ${fix}`);
  return `${type} as wanted`;
}

async function drive(peer: Peer, m: PeerManifest, root: string, add: Add): Promise<void> {
  const said = (peer.info as { saidAbilities?: unknown }).saidAbilities;
  await step(add, 'hello', 'name, version and abilities', async () => {
    if (said !== undefined && JSON.stringify(said) !== JSON.stringify(m.abilities))
      throw new Error(
        `hello's abilities ${JSON.stringify(said)} differ from peer.json's ${JSON.stringify(m.abilities)}: make them the same (or leave them out of hello)`,
      );
    return `${peer.info.name} ${peer.info.version}`;
  });
  const raw = peer instanceof ChannelPeer ? peer : undefined;
  if (raw !== undefined) {
    await step(add, 'errors', 'an unknown op is answered UnknownOp', () =>
      expectError(
        raw.request('no_such_op'),
        'UnknownOp',
        'answer ok: false with error.type "UnknownOp"',
      ),
    );
    await step(add, 'errors', 'load_idl without files is answered BadRequest', () =>
      expectError(
        raw.request('load_idl', {}),
        'BadRequest',
        'check every parameter and answer BadRequest',
      ),
    );
  }
  await step(add, 'load_idl', 'an IDL with a syntax error is answered IdlError', () =>
    expectError(
      peer.loadIdl({ 'broken.thrift': 'struct {' }, 'broken.thrift'),
      'IdlError',
      "answer the compiler's message as IdlError",
    ),
  );
  const idl = checkPeerIdl(m.abilities.features);
  const schema = compileSchema({ 'check.thrift': idl }, 'check.thrift');
  let session: PeerSession | undefined;
  await step(add, 'load_idl', 'the check IDL loads, with its types and services', async () => {
    const r = raw
      ? await raw.request('load_idl', { files: { 'check.thrift': idl }, entry: 'check.thrift' })
      : { module: await peer.loadIdl({ 'check.thrift': idl }, 'check.thrift') };
    session = await PeerSession.open(peer, schema);
    if (raw) {
      const types = JSON.stringify(r.types);
      const want = JSON.stringify(['AllTypes', 'Choice', 'Color', 'Oops', 'Point']);
      if (types !== want)
        throw new Error(
          `types ${types}, wanted ${want} (the entry's structs, unions, exceptions and enums, sorted)`,
        );
      const svc = (
        r.services as { name?: string; functions?: string[]; extends?: unknown }[] | undefined
      )?.[0];
      const fns = compile(idl, { file: 'check.thrift' }).Echo as {
        __functions__: Map<string, unknown>;
      };
      const wantFns = [...fns.__functions__.keys()];
      if (
        svc?.name !== 'Echo' ||
        JSON.stringify(svc.functions) !== JSON.stringify(wantFns) ||
        svc.extends !== null
      )
        throw new Error(
          `services ${JSON.stringify(r.services)}, wanted [{"name":"Echo","functions":${JSON.stringify(wantFns)},"extends":null}]`,
        );
    }
    return `module ${String(r.module)}`;
  });
  if (session === undefined) return;
  const handle = session.handle;
  await step(add, 'errors', 'an unknown module and an unknown type are named so', async () => {
    await expectError(
      peer.encode('no-such-module', 'Point', { x: 1, y: 2 }),
      'UnknownModule',
      'answer UnknownModule',
    );
    return expectError(peer.encode(handle, 'NoSuchType', {}), 'UnknownType', 'answer UnknownType');
  });
  await step(add, 'encode', 'a value that does not fit its type is answered EncodeError', () =>
    expectError(
      peer.encode(handle, 'Point', { x: 'one', y: 2 }),
      'EncodeError',
      'check the JSON value against the type',
    ),
  );
  await step(add, 'roundtrip', 'bytes that end too early are answered DecodeError', () =>
    expectError(
      peer.roundtrip(handle, 'Point', new Uint8Array([8, 0, 1, 0])),
      'DecodeError',
      "answer the library's decode failure as DecodeError",
    ),
  );
  const values = checkValues(schema);
  await step(
    add,
    'encode',
    'plain values encode to bytes our codec reads back as the same value',
    async () => {
      for (const { type, value } of values) {
        const C = schema.classes.get(type)!;
        const json = toPeerJson(C.__spec__, value);
        const bytes = await peer.encode(handle, type, json);
        let back: unknown;
        try {
          back = schema.mod.loads(C as StructClass, bytes);
        } catch (e) {
          throw new Error(
            `${type} ${JSON.stringify(json)}: our codec cannot read the bytes (${Buffer.from(bytes).toString('hex')}): ${(e as Error).message}`,
          );
        }
        if (!equals(back, value))
          throw new Error(
            `${type} ${JSON.stringify(json)} came back as ${JSON.stringify(toPeerJson(C.__spec__, back))}: check the JSON → value conversion`,
          );
      }
      return `${values.length} values`;
    },
  );
  const servers = new OurServers(schema);
  try {
    for (const property of [
      'peer-roundtrip',
      'our-client-peer-server',
      'peer-client-our-server',
    ] as Property[]) {
      const wires = property === 'peer-roundtrip' ? [undefined] : wiresFor(peer, property);
      for (const wire of wires) {
        const where = wire ? ` (${wireText(wire, ', ')})` : '';
        await step(
          add,
          opOf(property),
          `${property}${where}: plain values come back equal`,
          async () => {
            const known = m.keyvalue.serverRejectsNonStrict;
            if (
              known !== undefined &&
              property === 'our-client-peer-server' &&
              wire?.envelope === 'nonstrict'
            ) {
              const { type, value } = values[0]!;
              const o = await checkValue(
                { schema, codec: OUR_CODEC, session: session!, servers, strictBytes: false },
                property,
                type,
                value,
                wire,
              );
              if (!isFailing(o.verdict))
                throw new Error(
                  `passes, but peer.json says its server rejects non-strict envelopes: remove keyvalue.serverRejectsNonStrict`,
                );
              return `fails as peer.json says (keyvalue.serverRejectsNonStrict): ${o.summary}`;
            }
            for (const { type, value } of values) {
              const o = await checkValue(
                { schema, codec: OUR_CODEC, session: session!, servers, strictBytes: false },
                property,
                type,
                value,
                wire,
              );
              if (isFailing(o.verdict)) throw new Error(`${type}: ${o.summary}`);
            }
            return `${values.length} values`;
          },
        );
      }
    }
  } finally {
    session.close();
    await servers.close();
  }
  for (const c of await runKeyValueScenario(peer, root))
    add({
      op: 'serve/call',
      what: `KeyValue: ${c.name}`,
      ok: c.ok,
      detail: c.known ? `${c.detail} (known: ${c.known})` : c.detail,
    });
  if (m.abilities.features.scriptedAnswers === true) await scriptedOps(peer, schema, handle, add);
  if (raw !== undefined) await optionalOps(raw, handle, idl, add);
}

/**
 * The scripted-answer ops (feature `scriptedAnswers`; peers/README.md "Scripted answers"): the
 * peer's server answers our client what it was told — a result, a declared exception, nothing —
 * and `received` shows the args our client sent; a bad answer is BadRequest. Never rejects.
 */
async function scriptedOps(
  peer: Peer,
  schema: CompiledSchema,
  handle: string,
  add: Add,
): Promise<void> {
  if (peer.answer === undefined || peer.received === undefined) return;
  const answer = peer.answer.bind(peer);
  const received = peer.received.bind(peer);
  const transport = peer.info.abilities.transports.find((t) => t !== 'tchannel') ?? 'framed';
  let port: number;
  try {
    port = await peer.serve(handle, 'Echo', { transport });
  } catch (e) {
    add({ op: 'answer', what: 'serve Echo', ok: false, detail: (e as Error).message });
    return;
  }
  const client = await ThriftClient.connect(schema.mod, schema.echo, port, '127.0.0.1', {
    transport,
    timeoutMs: 10_000,
  }).catch((e: unknown) => e as Error);
  if (client instanceof Error) {
    add({ op: 'answer', what: 'connect to its Echo server', ok: false, detail: client.message });
    return;
  }
  const Point = schema.classes.get('Point')!;
  try {
    await step(add, 'answer', 'a scripted result is what the server answers', async () => {
      await answer(port, 'echoPoint', { result: { x: 5, y: -6 } });
      const got = await client.call('echoPoint', { v: new Point({ x: 1, y: 2 }) });
      if (!equals(got, new Point({ x: 5, y: -6 })))
        throw new Error(
          `echoPoint answered ${JSON.stringify(toPeerJson(Point.__spec__, got))}, wanted {"x":5,"y":-6}: the next call of a function must use the answer queued for it`,
        );
      return 'echoPoint → {"x":5,"y":-6}';
    });
    await step(add, 'received', 'what the server received is the args sent', async () => {
      const calls = await received(port);
      const c = calls[0];
      if (
        calls.length !== 1 ||
        c?.function !== 'echoPoint' ||
        c.oneway !== false ||
        JSON.stringify(c.args) !== '{"v":{"x":1,"y":2}}'
      )
        throw new Error(
          `received answered ${JSON.stringify(calls)}, wanted [{"function":"echoPoint","args":{"v":{"x":1,"y":2}},"oneway":false}]: record every call (function, args as JSON, oneway) once the server has been scripted`,
        );
      return '1 call';
    });
    await step(add, 'answer', 'a scripted declared exception is raised', async () => {
      await answer(port, 'fail', { exception: { field: 'oops', value: { why: 'scripted' } } });
      const e = await client.call('fail', { v: 1 }).then(
        () => undefined,
        (x: unknown) => x,
      );
      const why = (e as { why?: unknown } | undefined)?.why;
      if (why !== 'scripted')
        throw new Error(
          `fail answered ${e === undefined ? 'a result' : String(e)}, wanted the exception oops {"why":"scripted"}: build the exception of the field named in answer.exception.field from its value`,
        );
      return 'Oops {"why":"scripted"}';
    });
    await step(add, 'answer', 'a scripted none answers a void function', async () => {
      await answer(port, 'ping', { none: true });
      await client.call('ping');
      return 'ping → nothing';
    });
    await step(add, 'answer', 'an answer of no known kind is answered BadRequest', () =>
      expectError(
        answer(port, 'ping', { bogus: 1 } as unknown as ScriptedAnswer),
        'BadRequest',
        'check that answer is exactly one of {"result": v}, {"exception": {"field", "value"}}, {"none": true}',
      ),
    );
  } finally {
    client.close();
  }
}

function opOf(property: Property): string {
  return property === 'peer-roundtrip'
    ? 'roundtrip'
    : property === 'our-client-peer-server'
      ? 'serve'
      : 'call';
}

async function optionalOps(raw: ChannelPeer, handle: string, idl: string, add: Add): Promise<void> {
  try {
    const r = await raw.request('batch', {
      requests: [
        { op: 'encode', module: handle, type: 'Point', value: { x: 1, y: 2 } },
        { op: 'encode', module: handle, type: 'Point', value: { x: 'bad' } },
      ],
    });
    const rs = r.responses as
      { ok?: boolean; bytes?: string; error?: { type?: string } }[] | undefined;
    const ok =
      Array.isArray(rs) &&
      rs.length === 2 &&
      rs[0]?.ok === true &&
      typeof rs[0].bytes === 'string' &&
      rs[1]?.ok === false &&
      rs[1].error?.type === 'EncodeError';
    add({
      op: 'batch',
      what: 'sub-requests answered in order, each as if sent alone',
      ok,
      detail: ok
        ? ''
        : `got ${JSON.stringify(r.responses)}, wanted [{ok: true, bytes}, {ok: false, error: {type: "EncodeError"}}]`,
    });
  } catch (e) {
    if (e instanceof PeerError && e.type === 'UnknownOp')
      add({
        op: 'batch',
        what: 'not implemented (optional: values then go one by one)',
        ok: false,
        detail: '',
        optional: true,
      });
    else add({ op: 'batch', what: 'batch', ok: false, detail: (e as Error).message });
  }
  try {
    await raw.request('prepare', {
      schemas: [{ files: { 'check.thrift': idl }, entry: 'check.thrift' }],
    });
    add({ op: 'prepare', what: 'accepted', ok: true, detail: '' });
  } catch (e) {
    if (e instanceof PeerError && e.type === 'UnknownOp')
      add({
        op: 'prepare',
        what: 'not implemented (optional)',
        ok: false,
        detail: '',
        optional: true,
      });
    else add({ op: 'prepare', what: 'prepare', ok: false, detail: (e as Error).message });
  }
}
