/**
 * The runner's core: generates schemas and values (seeded), and checks each case — our codec on
 * its own, and against every peer — with four properties:
 *
 *   codec-roundtrip         decode(encode(v)) ≡ v and re-encoding gives the same bytes
 *   peer-roundtrip          the peer decodes our bytes and re-encodes them; both compared to ours
 *   our-client-peer-server  our client calls the peer's echo server with v and must get v back
 *   peer-client-our-server  the peer's client calls our echo server with v and must get v back
 *
 * Each comparison is classified (harness/diff/classify.ts) and reported as it happens through
 * `onResult`. Not yet here (next steps of the harness issue): shrinking of failures, known-failures
 * matching, bundles, the CLI and sharding.
 */
import fc from 'fast-check';
import { compile, print } from '../../codec/src/index.js';
import type { ServiceObject, StructClass, ThriftModule } from '../../codec/src/index.js';
import { ConnectionClosedError, ThriftClient } from '../../rpc/src/client.js';
import { ThriftServer } from '../../rpc/src/server.js';
import type { Handler } from '../../rpc/src/server.js';
import { echoFunctionName, programArb } from '../arbitraries/idl.js';
import { APACHE_RESERVED_NAMES } from '../arbitraries/reserved.js';
import { structArb } from '../arbitraries/values.js';
import { classify } from '../diff/classify.js';
import { fromPeerJson, toPeerJson } from '../peers/json-values.js';
import type { Json } from '../peers/json-values.js';
import type { Peer } from '../peers/peer.js';
import type { CaseResult } from './result.js';

/** What to run. */
export interface RunCasesOptions {
  /** Started peers to check against (may be empty: then only our codec is checked). */
  readonly peers: readonly Peer[];
  /** The fast-check seed of the whole run. */
  readonly seed: number;
  /** How many schemas to generate. Default 10. */
  readonly schemas?: number;
  /** How many values per schema. Default 20. */
  readonly valuesPerSchema?: number;
  /** Fail allowed byte variants too. Default false. */
  readonly strictBytes?: boolean;
  /** Called with every result as soon as it is known. */
  readonly onResult?: (r: CaseResult) => void;
}

/** Feature flags every selected peer has (a feature is off when any peer lacks it). */
function commonFeatures(peers: readonly Peer[]): Record<string, boolean> {
  const out: Record<string, boolean> = {};
  for (const p of peers) {
    for (const [k, v] of Object.entries(p.info.abilities.features)) out[k] = (out[k] ?? true) && v;
  }
  return out;
}

function structClasses(mod: ThriftModule): [string, StructClass][] {
  return Object.entries(mod.__types__).filter(
    (e): e is [string, StructClass] =>
      typeof e[1] === 'function' &&
      '__spec__' in e[1] &&
      ['struct', 'union'].includes((e[1] as StructClass).__spec__.variant),
  );
}

/**
 * Runs the cases and resolves with every result (also given to `onResult` as they come). Peer
 * failures become `peer-error` results, never exceptions; rejects only on a harness bug.
 */
export async function runCases(options: RunCasesOptions): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  const emit = (r: CaseResult) => {
    results.push(r);
    options.onResult?.(r);
  };
  const { peers, seed } = options;
  const avoidNames = peers.some((p) => p.info.abilities.dialect === 'apache')
    ? APACHE_RESERVED_NAMES
    : new Set<string>();
  const programs = fc.sample(
    programArb({ dialect: 'thriftrw', features: commonFeatures(peers), avoidNames }),
    {
      seed,
      numRuns: options.schemas ?? 10,
    },
  );

  for (const [si, program] of programs.entries()) {
    const idl = print(program);
    const files = { 'generated.thrift': idl };
    const mod = compile(idl, { file: 'generated.thrift' });
    const Echo = mod.Echo as ServiceObject;
    const classes = structClasses(mod);
    if (classes.length === 0) continue; // only exceptions: nothing to echo
    const values = fc.sample(
      fc
        .constantFrom(...classes)
        .chain(([name, C]) =>
          structArb(C.__spec__, { maxLength: 3, maxDepth: 3 }).map((v) => ({ name, C, v })),
        ),
      { seed: seed + si + 1, numRuns: options.valuesPerSchema ?? 20 },
    );
    const base = (
      peer: string,
      property: string,
      name: string,
      k: number,
      v: object,
      C: StructClass,
    ) => ({
      name: `binary/peer:${peer}/${property}/schema-${si}/${name}#${k}`,
      peer,
      protocol: 'binary' as const,
      property,
      idl: files,
      valueJson: JSON.stringify(toPeerJson(C.__spec__, v)),
      seed,
      path: `${si}:${k}`,
    });
    const record = (
      b: ReturnType<typeof base>,
      t0: number,
      input: Parameters<typeof classify>[0],
    ) => {
      const c = classify({ strictBytes: options.strictBytes ?? false, ...input });
      emit({
        ...b,
        verdict: c.verdict,
        summary: c.summary,
        fingerprint: c.fingerprint,
        ...(input.ourBytes ? { wantedHex: Buffer.from(input.ourBytes).toString('hex') } : {}),
        ...(input.theirBytes ? { gotHex: Buffer.from(input.theirBytes).toString('hex') } : {}),
        byteDiff: c.byteDiff,
        valueDiff: c.valueDiff,
        durationMs: performance.now() - t0,
      });
    };

    // Our codec on its own.
    values.forEach(({ name, C, v }, k) => {
      const t0 = performance.now();
      const bytes = mod.dumps(v);
      let back: object | undefined;
      let error: unknown;
      try {
        back = mod.loads(C, bytes);
      } catch (e) {
        error = e;
      }
      const b = base('ours', 'codec-roundtrip', name, k, v, C);
      record(
        b,
        t0,
        error
          ? { spec: C.__spec__, wanted: v, peerError: error }
          : {
              spec: C.__spec__,
              wanted: v,
              got: back,
              ourBytes: bytes,
              theirBytes: mod.dumps(back!),
            },
      );
    });

    // Our echo server, for the peers' clients.
    const handler: Handler = {};
    for (const name of Echo.__functions__.keys()) handler[name] = (req) => req.v;
    const server = new ThriftServer({ transport: 'framed' }).register(mod, Echo, handler);
    const ourPort = await server.listen();
    try {
      for (const peer of peers) {
        let handle: string;
        let peerPort: number;
        try {
          handle = await peer.loadIdl(files, 'generated.thrift');
          peerPort = await peer.serve(handle, 'Echo', { transport: 'framed' });
        } catch (e) {
          const [name, C] = classes[0]!;
          record(base(peer.name, 'load-idl', name, 0, values[0]?.v ?? {}, C), performance.now(), {
            spec: C.__spec__,
            wanted: undefined,
            peerError: e,
          });
          continue;
        }
        const strict = peer.info.abilities.envelopes.read.includes('strict');
        const connect = () =>
          ThriftClient.connect(mod, Echo, peerPort, '127.0.0.1', { strict, timeoutMs: 10_000 });
        let client = await connect();
        try {
          for (const [k, { name, C, v }] of values.entries()) {
            const spec = C.__spec__;
            const bytes = mod.dumps(v);
            // The peer decodes our bytes and encodes them again.
            let t0 = performance.now();
            try {
              const r = await peer.roundtrip(handle, name, bytes);
              record(base(peer.name, 'peer-roundtrip', name, k, v, C), t0, {
                spec,
                wanted: v,
                got: fromPeerJson(spec, r.value as Json),
                ourBytes: bytes,
                theirBytes: r.bytes,
              });
            } catch (e) {
              record(base(peer.name, 'peer-roundtrip', name, k, v, C), t0, {
                spec,
                wanted: v,
                peerError: e,
                ourBytes: bytes,
              });
            }
            // Our client → the peer's echo server.
            t0 = performance.now();
            try {
              const got = await client.call(echoFunctionName(name), { v });
              record(base(peer.name, 'our-client-peer-server', name, k, v, C), t0, {
                spec,
                wanted: v,
                got,
              });
            } catch (e) {
              record(base(peer.name, 'our-client-peer-server', name, k, v, C), t0, {
                spec,
                wanted: v,
                peerError: e,
              });
              // A peer that closed the connection (thriftrw-py does on a failed call) gets a new one.
              if (e instanceof ConnectionClosedError) {
                client.close();
                client = await connect();
              }
            }
            // The peer's client → our echo server.
            t0 = performance.now();
            try {
              const out = await peer.call(
                handle,
                'Echo',
                echoFunctionName(name),
                { v: toPeerJson(spec, v) },
                ourPort,
                { transport: 'framed' },
              );
              if ('result' in out)
                record(base(peer.name, 'peer-client-our-server', name, k, v, C), t0, {
                  spec,
                  wanted: v,
                  got: fromPeerJson(spec, out.result),
                });
              else
                record(base(peer.name, 'peer-client-our-server', name, k, v, C), t0, {
                  spec,
                  wanted: v,
                  peerError: { type: Object.keys(out)[0] ?? 'Error', message: JSON.stringify(out) },
                });
            } catch (e) {
              record(base(peer.name, 'peer-client-our-server', name, k, v, C), t0, {
                spec,
                wanted: v,
                peerError: e,
              });
            }
          }
        } finally {
          client.close();
        }
      }
    } finally {
      await server.close();
    }
  }
  return results;
}
