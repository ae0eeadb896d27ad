/**
 * The KeyValue scenario of the seed (set, get, get of a missing key raising NotFoundError) run
 * against one peer in both directions — our client → the peer's server, the peer's client → our
 * server — over every transport and envelope form the peer declares, plus a oneway call and an
 * unknown method. Over TChannel (a peer whose transports include `tchannel`): put, get and the
 * missing key with application headers that the server echoes, and an unknown method answered
 * with an error frame. Returns one Check per step; known incompatibilities (the manifest's
 * `keyvalue` section) are checked to still hold.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compile, TApplicationException } from '../../codec/src/index.js';
import type { ServiceObject, StructClass, ThriftModule } from '../../codec/src/index.js';
import { ThriftClient } from '../../rpc/src/client.js';
import { ThriftServer } from '../../rpc/src/server.js';
import { TChannelClient } from '../../rpc/src/tchannel/client.js';
import { TChannelError } from '../../rpc/src/tchannel/errors.js';
import { TChannelServer } from '../../rpc/src/tchannel/server.js';
import type { Peer } from '../peers/peer.js';

/** One step's outcome. `known` names the known incompatibility the step confirmed. */
export interface Check {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
  readonly known?: string;
}

/** The scenario's IDL: idl/keyvalue.thrift plus a oneway method (and, for our client, one the peer lacks). */
export function keyValueIdl(root: string): { peer: string; ours: string } {
  const base = readFileSync(join(root, 'idl/keyvalue.thrift'), 'utf8');
  const peer = base.replace(/}\s*$/, '  oneway void fire(1: string key)\n}\n');
  return { peer, ours: peer.replace(/}\s*$/, '  string nope(1: string key)\n}\n') };
}

async function step(
  checks: Check[],
  name: string,
  run: () => Promise<string | { known: string; detail: string }>,
): Promise<void> {
  try {
    const r = await run();
    checks.push(
      typeof r === 'string'
        ? { name, ok: true, detail: r }
        : { name, ok: true, detail: r.detail, known: r.known },
    );
  } catch (e) {
    checks.push({ name, ok: false, detail: e instanceof Error ? e.message : String(e) });
  }
}

function expect(cond: boolean, what: string): void {
  if (!cond) throw new Error(what);
}

/** Runs the scenario against `peer` (already started). Never throws: failures are Checks. */
export async function runKeyValueScenario(peer: Peer, root: string): Promise<Check[]> {
  const idl = keyValueIdl(root);
  const ours: ThriftModule = compile(idl.ours, { file: 'keyvalue.thrift' });
  const KeyValue = ours.KeyValue as ServiceObject;
  const NotFoundError = ours.NotFoundError as StructClass;
  const checks: Check[] = [];
  const ab = peer.info.abilities;
  let mod = '';
  await step(checks, 'load keyvalue.thrift', async () => {
    mod = await peer.loadIdl({ 'keyvalue.thrift': idl.peer }, 'keyvalue.thrift');
    return `module ${mod}`;
  });
  if (mod === '') return checks;
  if (ab.transports.includes('tchannel'))
    await runOverTChannel(checks, peer, mod, ours, KeyValue, NotFoundError);
  const enveloped = ab.transports.filter((t) => t !== 'tchannel');
  const first = enveloped[0];
  if (first === undefined) return checks;

  for (const transport of enveloped) {
    for (const envelope of ab.envelopes.write) {
      for (const strict of [true, false]) {
        const label = `our client → ${peer.name} server (${transport}, we write ${strict ? 'strict' : 'non-strict'}, it writes ${envelope})`;
        await step(checks, label, async () => {
          const port = await peer.serve(mod, 'KeyValue', { transport, envelope, impl: 'keyvalue' });
          const client = await ThriftClient.connect(ours, KeyValue, port, '127.0.0.1', {
            transport,
            strict,
            timeoutMs: 10_000,
          });
          try {
            // A known incompatibility from the peer's manifest, checked to still hold.
            const known = peer.manifest?.keyvalue.serverRejectsNonStrict;
            if (!strict && known !== undefined) {
              const e = await client.call('get', { key: 'hello' }).catch((x: unknown) => x);
              expect(
                /closed/.test(String(e)),
                `known failure no longer holds (got ${String(e)}): remove keyvalue.serverRejectsNonStrict from ${peer.name}'s peer.json`,
              );
              return { known, detail: 'connection closed without a reply, as known' };
            }
            const value = `world-${transport}-${envelope}-${strict}`;
            expect(
              (await client.call('put', { key: 'hello', value })) === undefined,
              'put returned something',
            );
            const got = await client.call('get', { key: 'hello' });
            expect(
              got === value,
              `get returned ${JSON.stringify(got)}, wanted ${JSON.stringify(value)}`,
            );
            const e = await client.call('get', { key: 'missing' }).catch((x: unknown) => x);
            expect(
              e instanceof NotFoundError && (e as Record<string, unknown>).key === 'missing',
              `get of a missing key gave ${String(e)}, wanted NotFoundError`,
            );
            return 'put, get, NotFoundError';
          } finally {
            client.close();
          }
        });
      }
    }
  }

  await step(checks, `our client → ${peer.name}: oneway call is recorded`, async () => {
    const port = await peer.serve(mod, 'KeyValue', { transport: first, impl: 'keyvalue' });
    const client = await ThriftClient.connect(ours, KeyValue, port, '127.0.0.1', {
      transport: first,
    });
    try {
      await peer.onewayLog(true);
      await client.call('fire', { key: 'bang' });
      await client.call('get', { key: 'x' }).catch(() => undefined); // a round trip after the oneway
      const log = await peer.onewayLog(true);
      expect(
        JSON.stringify(log.map((c) => [c.function, c.args])) === '[["fire",{"key":"bang"}]]',
        `oneway log is ${JSON.stringify(log)}`,
      );
      return 'recorded';
    } finally {
      client.close();
    }
  });

  await step(checks, `our client → ${peer.name}: unknown method`, async () => {
    const port = await peer.serve(mod, 'KeyValue', { transport: first, impl: 'keyvalue' });
    const client = await ThriftClient.connect(ours, KeyValue, port, '127.0.0.1', {
      transport: first,
      timeoutMs: 5000,
    });
    try {
      const e = await client.call('nope', { key: 'k' }).catch((x: unknown) => x);
      const quirk = peer.manifest?.keyvalue.unknownMethodType;
      if (quirk !== undefined) {
        // A known incompatibility from the manifest, checked to still hold.
        expect(
          e instanceof TApplicationException && e.type === quirk.type,
          `got ${String(e)}, wanted TApplicationException of type ${quirk.type} as peer.json says (keyvalue.unknownMethodType); if it is UNKNOWN_METHOD now, remove that entry`,
        );
        return {
          known: quirk.reason,
          detail: `TApplicationException of type ${quirk.type}, as known`,
        };
      }
      if (ab.features.applicationException) {
        expect(
          e instanceof TApplicationException && e.typeName === 'UNKNOWN_METHOD',
          `got ${String(e)}, wanted TApplicationException UNKNOWN_METHOD`,
        );
        return 'TApplicationException UNKNOWN_METHOD';
      }
      expect(
        /closed/.test(String(e)),
        `got ${String(e)}, wanted the connection closed (the peer has no TApplicationException)`,
      );
      return 'connection closed (the peer has no TApplicationException)';
    } finally {
      client.close();
    }
  });

  for (const transport of enveloped) {
    await step(
      checks,
      `${peer.name} client → our server (${transport}, it writes ${ab.envelopes.write.join(' and ')})`,
      async () => {
        const values = new Map<string, string>();
        const fired: string[] = [];
        const server = new ThriftServer({ transport }).register(ours, KeyValue, {
          get({ key }) {
            const v = values.get(key as string);
            if (v === undefined) throw new NotFoundError({ key });
            return v;
          },
          put({ key, value }) {
            values.set(key as string, value as string);
          },
          fire({ key }) {
            fired.push(key as string);
          },
          nope: () => 'never',
        });
        const port = await server.listen();
        try {
          for (const envelope of ab.envelopes.write) {
            const s = { transport, envelope } as const;
            const put = await peer.call(
              mod,
              'KeyValue',
              'put',
              { key: 'k', value: envelope },
              port,
              s,
            );
            expect(
              JSON.stringify(put) === '{"result":null}',
              `${envelope}: put gave ${JSON.stringify(put)}`,
            );
            const get = await peer.call(mod, 'KeyValue', 'get', { key: 'k' }, port, s);
            expect(
              JSON.stringify(get) === JSON.stringify({ result: envelope }),
              `${envelope}: get gave ${JSON.stringify(get)}`,
            );
            const miss = await peer.call(mod, 'KeyValue', 'get', { key: 'nope' }, port, s);
            const want = {
              exception: { type: 'NotFoundError', field: 'notFound', value: { key: 'nope' } },
            };
            expect(
              JSON.stringify(miss) === JSON.stringify(want),
              `${envelope}: missing key gave ${JSON.stringify(miss)}`,
            );
            const fire = await peer.call(mod, 'KeyValue', 'fire', { key: envelope }, port, s);
            expect(
              JSON.stringify(fire) === '{"result":null}',
              `${envelope}: oneway gave ${JSON.stringify(fire)}`,
            );
          }
          await peer.call(mod, 'KeyValue', 'get', { key: 'k' }, port, { transport }); // orders the oneways before the check
          expect(
            JSON.stringify(fired) === JSON.stringify(ab.envelopes.write),
            `our server received oneway calls ${JSON.stringify(fired)}`,
          );
          return 'put, get, NotFoundError, oneway';
        } finally {
          await server.close();
        }
      },
    );
  }
  return checks;
}

/** The TChannel service name the scenario's servers use (not the Thrift service's: checks it is passed). */
export const KEYVALUE_TCHANNEL_SERVICE = 'keyvalue-scenario';

/**
 * The scenario over TChannel (no envelope; arg1 names the function): our TChannelClient → the
 * peer's server, and the peer's client → our TChannelServer, each with application headers the
 * server echoes; put, get, a missing key (NotFoundError, call res code 0x01), and, against the
 * peer's server, a method it does not have (an error frame, BadRequest 0x06). Never throws.
 */
async function runOverTChannel(
  checks: Check[],
  peer: Peer,
  mod: string,
  ours: ThriftModule,
  KeyValue: ServiceObject,
  NotFoundError: StructClass,
): Promise<void> {
  const headers = { 'x-scenario': 'keyvalue', caller: 'thrift-conform' };
  const echoed = (got: unknown, what: string): void =>
    expect(
      JSON.stringify(got) === JSON.stringify(headers),
      `${what}: the server answered with headers ${JSON.stringify(got)}, wanted the request's ${JSON.stringify(headers)} echoed`,
    );
  await step(checks, `our client → ${peer.name} server (tchannel)`, async () => {
    const port = await peer.serve(mod, 'KeyValue', {
      transport: 'tchannel',
      tchannelService: KEYVALUE_TCHANNEL_SERVICE,
      impl: 'keyvalue',
    });
    const client = await TChannelClient.connect(ours, KeyValue, port, '127.0.0.1', {
      serviceName: KEYVALUE_TCHANNEL_SERVICE,
      timeoutMs: 10_000,
    });
    try {
      const put = await client.call('put', { key: 'hello', value: 'world' }, { headers });
      expect(put.result === undefined, `put returned ${JSON.stringify(put.result)}`);
      echoed(put.headers, 'put');
      const got = await client.call('get', { key: 'hello' }, { headers, ttlMs: 5000 });
      expect(got.result === 'world', `get returned ${JSON.stringify(got.result)}, wanted "world"`);
      echoed(got.headers, 'get');
      const e = await client.call('get', { key: 'missing' }).catch((x: unknown) => x);
      expect(
        e instanceof NotFoundError && (e as Record<string, unknown>).key === 'missing',
        `get of a missing key gave ${String(e)}, wanted NotFoundError`,
      );
      const unknown = await client.call('nope', { key: 'k' }).catch((x: unknown) => x);
      expect(
        unknown instanceof TChannelError && unknown.code === 0x06,
        `an unknown method gave ${String(unknown)}, wanted an error frame BadRequest (0x06)`,
      );
      return 'put, get, NotFoundError, headers echoed, unknown method → BadRequest error frame';
    } finally {
      client.close();
    }
  });

  await step(checks, `${peer.name} client → our server (tchannel)`, async () => {
    const values = new Map<string, string>();
    const server = new TChannelServer({ serviceName: KEYVALUE_TCHANNEL_SERVICE }).register(
      ours,
      KeyValue,
      {
        get({ key }, req) {
          Object.assign(req.responseHeaders, req.headers);
          const v = values.get(key as string);
          if (v === undefined) throw new NotFoundError({ key });
          return v;
        },
        put({ key, value }, req) {
          Object.assign(req.responseHeaders, req.headers);
          values.set(key as string, value as string);
        },
        fire: () => undefined,
        nope: () => 'never',
      },
    );
    const port = await server.listen();
    try {
      const s = {
        transport: 'tchannel',
        tchannelService: KEYVALUE_TCHANNEL_SERVICE,
        headers,
        ttlMs: 5000,
      } as const;
      const put = await peer.call(mod, 'KeyValue', 'put', { key: 'k', value: 'v' }, port, s);
      expect(
        JSON.stringify(put) === JSON.stringify({ result: null, headers }),
        `put gave ${JSON.stringify(put)}`,
      );
      const get = await peer.call(mod, 'KeyValue', 'get', { key: 'k' }, port, s);
      expect(
        JSON.stringify(get) === JSON.stringify({ result: 'v', headers }),
        `get gave ${JSON.stringify(get)}`,
      );
      const miss = await peer.call(mod, 'KeyValue', 'get', { key: 'nope' }, port, s);
      expect(
        'exception' in miss &&
          JSON.stringify(miss.exception) ===
            JSON.stringify({ type: 'NotFoundError', field: 'notFound', value: { key: 'nope' } }),
        `missing key gave ${JSON.stringify(miss)}`,
      );
      return 'put, get, NotFoundError, headers echoed';
    } finally {
      await server.close();
    }
  });
}
