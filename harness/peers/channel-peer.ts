/**
 * What every peer backend shares once its control channel is up: the Peer requests, sent as
 * control-channel ops (peers/README.md). Backends (process, container) only start, stop and
 * connect.
 */
import type { ControlChannel } from './control.js';
import type { Json } from './json-values.js';
import type { PeerManifest } from './manifest.js';
import type { CallOutcome, Peer, PeerInfo, WireSettings } from './peer.js';
import { PeerError } from './peer.js';

/**
 * The PeerInfo of a hello answer: the manifest's abilities (when there is a manifest) win over
 * the ones the peer says. Throws PeerError when the answer lacks a version, or has no abilities
 * and there is no manifest.
 */
export function infoFrom(
  name: string,
  hello: Record<string, Json>,
  manifest: PeerManifest | undefined,
): PeerInfo {
  if (typeof hello.version !== 'string' || hello.version === '')
    throw new PeerError(name, 'BadHello', 'the hello answer has no "version" string');
  const said = hello.abilities as unknown as PeerInfo['abilities'] | undefined;
  const abilities = manifest?.abilities ?? said;
  if (abilities === undefined)
    throw new PeerError(
      name,
      'BadHello',
      'the hello answer has no abilities and the peer has no manifest',
    );
  const { id: _id, ok: _ok, ...rest } = hello;
  return {
    ...rest,
    name,
    version: hello.version,
    abilities,
    ...(said ? { saidAbilities: said } : {}),
  };
}

/** A peer reached over a ControlChannel; subclasses set `channel`, `info` and `errText`. */
export abstract class ChannelPeer implements Peer {
  protected channel!: ControlChannel;
  protected errText = '';
  info!: PeerInfo;
  /** Milliseconds from starting the peer to its hello answer. */
  startMs = 0;

  abstract get name(): string;
  /** The manifest the peer was started from, if any. */
  abstract get manifest(): PeerManifest | undefined;
  /** How long one control request may take (a hang past it is reported as PeerError Timeout). */
  protected abstract get requestTimeoutMs(): number;
  abstract stop(): Promise<void>;

  /** Sends one control op; rejects with PeerError (ok: false, timeout, dead peer). */
  protected req(op: string, params: Record<string, Json> = {}): Promise<Record<string, Json>> {
    return this.channel.request(op, params, this.requestTimeoutMs);
  }

  /**
   * Sends any op with its parameters and resolves with the whole answer (for check-peer and for
   * the optional ops). Rejects with PeerError as `req` does.
   */
  request(op: string, params: Record<string, Json> = {}): Promise<Record<string, Json>> {
    return this.req(op, params);
  }

  async loadIdl(files: Readonly<Record<string, string>>, entry: string): Promise<string> {
    return String((await this.req('load_idl', { files: { ...files }, entry })).module);
  }

  async serve(
    module: string,
    service: string,
    settings: WireSettings & { readonly impl?: 'keyvalue' } = {},
  ): Promise<number> {
    return Number((await this.req('serve', { module, service, ...settings })).port);
  }

  async call(
    module: string,
    service: string,
    fn: string,
    args: Json,
    port: number,
    settings: WireSettings = {},
  ): Promise<CallOutcome> {
    const r = await this.req('call', {
      module,
      service,
      function: fn,
      args,
      host: '127.0.0.1',
      port,
      ...settings,
    });
    const { id: _id, ok: _ok, ...outcome } = r;
    return outcome as unknown as CallOutcome;
  }

  async roundtrip(
    module: string,
    type: string,
    bytes: Uint8Array,
    protocol: 'binary' | 'compact' = 'binary',
  ): Promise<{ value: Json; bytes: Uint8Array; trailing: number }> {
    const r = await this.req('roundtrip', {
      module,
      type,
      bytes: Buffer.from(bytes).toString('base64'),
      protocol,
    });
    return {
      value: r.value as Json,
      bytes: new Uint8Array(Buffer.from(String(r.bytes), 'base64')),
      trailing: Number(r.trailing ?? 0),
    };
  }

  async encode(
    module: string,
    type: string,
    value: Json,
    protocol: 'binary' | 'compact' = 'binary',
  ): Promise<Uint8Array> {
    const r = await this.req('encode', { module, type, value, protocol });
    return new Uint8Array(Buffer.from(String(r.bytes), 'base64'));
  }

  async onewayLog(clear = false): Promise<{ service: string; function: string; args: Json }[]> {
    const r = await this.req('oneway_log', { clear });
    return r.calls as unknown as { service: string; function: string; args: Json }[];
  }

  stderr(): string {
    return this.errText;
  }
}
