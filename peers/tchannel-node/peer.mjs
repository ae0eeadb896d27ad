#!/usr/bin/env node
/**
 * tchannel-node peer: Uber's npm `tchannel` 4.0.1 with its Thrift arg scheme
 * (`tchannel/as/thrift`, which encodes with npm `thriftrw`), behind the control channel of
 * peers/README.md.
 *
 * Thrift over TChannel has no envelope: arg1 is `Service::function`, arg2 the application
 * headers, arg3 the bare argument or result struct. Everything that is only thriftrw — load_idl,
 * encode, roundtrip, the JSON value encoding — is peers/kit/node/thriftrw.mjs, given the thriftrw
 * that tchannel itself resolves (require('thriftrw') from tchannel's folder). What this file adds
 * is TChannel: `serve` makes a TChannel server with one sub-channel (the TChannel service name)
 * and registers every function of the Thrift service with TChannelAsThrift; `call` makes a client
 * channel, sends one request and answers with what tchannel gave back.
 *
 * TChannel has no framed/buffered transports, no envelopes, no TApplicationException and no
 * oneway calls: unknown functions and handler failures are TChannel error frames, answered to
 * `call` as {"tchannelError": {"code", "type", "message"}}.
 */
import { performance } from 'node:perf_hooks';
import { createRequire } from 'node:module';
import { PeerError, runChannel } from '../kit/node/channel.mjs';
import { Dispatcher, OnewayLog } from '../kit/node/handler.mjs';
import { WorkDir, checkHost, makeLogger, param, portOf } from '../kit/node/params.mjs';
import { thriftrwPeer } from '../kit/node/thriftrw.mjs';

const STARTED = performance.now();
const require = createRequire(import.meta.url);
const TChannel = require('tchannel'); // resolved from peers/tchannel-node/node_modules (pinned)
const TChannelAsThrift = require('tchannel/as/thrift');
const TChannelErrors = require('tchannel/errors');
const TCHANNEL_VERSION = require('tchannel/package.json').version;
// The thriftrw that tchannel/as/thrift itself requires (a dependency of tchannel, not ours).
const requireFromTChannel = createRequire(require.resolve('tchannel/as/thrift'));
const { Thrift } = requireFromTChannel('thriftrw');
const THRIFTRW_VERSION = requireFromTChannel('thriftrw/package.json').version;

const PEER_NAME = process.env.THRIFT_CONFORM_PEER || 'tchannel-node';
const log = makeLogger(PEER_NAME);

/** Milliseconds a call may take when the request gives no `ttlMs`. */
export const DEFAULT_TTL_MS = 30_000;
/** The caller name (`cn` transport header) of this peer's client. */
export const CALLER_NAME = 'thrift-conform-tchannel-node';

/** TChannel's error codes (uber/tchannel docs/protocol.md; tchannel's v2/error_response.js). */
const ERROR_CODES = {
  Timeout: 0x01,
  Cancelled: 0x02,
  Busy: 0x03,
  Declined: 0x04,
  UnexpectedError: 0x05,
  BadRequest: 0x06,
  NetworkError: 0x07,
  Unhealthy: 0x08,
  ProtocolError: 0xff,
};

/** What this peer can do: the same object as `abilities` in peer.json (check-peer compares them). */
const ABILITIES = {
  protocols: ['binary'], // the Thrift arg scheme is binary only
  transports: ['tchannel'], // tchannel has no framed or buffered Thrift transport
  envelopes: { read: [], write: [] }, // no envelope on TChannel
  dialect: 'thriftrw',
  features: {
    uuid: false,
    applicationException: false, // failures are TChannel error frames, not TApplicationException
    unions: false, // thriftrw 3.12: a union is written and read with any number of fields set
    oneway: false, // TChannelAsThrift has no oneway calls
    serviceInheritance: true, // a service's model holds its parent's functions too
    includes: true,
    requiredFieldsChecked: true,
    setsOfUnhashable: false,
    typedefOfSet: true,
    accelerated: false,
  },
};

const ONEWAY_LOG = new OnewayLog();
const RW = thriftrwPeer({
  Thrift,
  peerName: PEER_NAME,
  work: new WorkDir('tchannel-node-peer-'),
  log,
});
/** @type {Map<number, any>} port -> the server's TChannel */
const SERVERS = new Map();

/** tchannel's logger interface: warnings and errors to stderr, the rest dropped. */
const LOGGER = {
  debug() {},
  info() {},
  warn: (msg, info) => log(`tchannel warn: ${msg} ${brief(info)}`),
  error: (msg, info) => log(`tchannel error: ${msg} ${brief(info)}`),
  fatal: (msg, info) => log(`tchannel fatal: ${msg} ${brief(info)}`),
};

/**
 * One line of a tchannel log record's fields.
 * @param {unknown} info
 * @returns {string}
 */
function brief(info) {
  if (!info || typeof info !== 'object') return '';
  const err = /** @type {any} */ (info).error ?? /** @type {any} */ (info).err;
  return err ? `(${err.type ?? err.name}: ${err.message})` : '';
}

/**
 * Checks `transport` (tchannel only; the default here).
 * @param {Record<string, unknown>} req
 * @returns {void}
 */
function checkTransport(req) {
  const t = param(req, 'transport', 'string', 'tchannel');
  if (t !== 'tchannel')
    throw new PeerError(
      'Unsupported',
      `${PEER_NAME} speaks Thrift only over TChannel, not the ${t} transport`,
    );
}

/**
 * A parameter that must be an object of strings (application headers).
 * @param {Record<string, unknown>} req
 * @param {string} name
 * @returns {Record<string, string>}
 */
function stringMap(req, name) {
  const m = param(req, name, 'object', {});
  for (const [k, v] of Object.entries(m))
    if (typeof v !== 'string')
      throw new PeerError(
        'BadRequest',
        `parameter '${name}': the value of '${k}' must be a string`,
      );
  return m;
}

/** @returns {object} */
function opHello() {
  return {
    name: PEER_NAME,
    version: TCHANNEL_VERSION,
    library: 'tchannel (npm)',
    thriftrw: THRIFTRW_VERSION,
    node: process.versions.node,
    abilities: ABILITIES,
    startupMs: Math.round((performance.now() - STARTED) * 10) / 10,
  };
}

/**
 * serve: a TChannel server whose one sub-channel (the TChannel service name, default the Thrift
 * service's) has every function of the service registered through TChannelAsThrift.
 * @param {Record<string, unknown>} req
 * @returns {Promise<object>}
 */
async function opServe(req) {
  const ld = RW.loaded(req);
  RW.checkProtocol(req);
  checkTransport(req);
  const svc = ld.service(param(req, 'service', 'string'));
  const serviceName = param(req, 'tchannelService', 'string', svc.name);
  const impl = param(req, 'impl', 'string', null);
  const dispatcher = new Dispatcher(
    svc.name,
    impl,
    ONEWAY_LOG,
    RW.values.toJson,
    RW.values.fromJson,
  );
  const server = new TChannel({ logger: LOGGER });
  const sub = server.makeSubChannel({ serviceName });
  const thrift = new TChannelAsThrift({
    channel: sub,
    compiledSpec: ld.thrift,
    logParseFailures: true,
  });
  for (const fn of svc.functions) {
    if (fn.oneway) continue; // no oneway over TChannel
    const info = ld.functionInfo(fn);
    thrift.register(`${svc.name}::${fn.name}`, null, (_ctx, _req, head, body, done) => {
      const args = Object.fromEntries(info.params.map((p) => [p.name, body[p.name]]));
      const outcome = dispatcher.decide(info, args);
      // The application headers of the request go back in the response (peers/README.md).
      if (outcome.kind === 'return') return done(null, { ok: true, head, body: outcome.value });
      if (outcome.kind === 'void') return done(null, { ok: true, head, body: null });
      if (outcome.kind === 'raise') {
        const sd = outcome.field.type.struct;
        let exc;
        try {
          exc =
            outcome.value ?? (outcome.valueJson ? RW.build(sd, outcome.valueJson) : new sd.cls());
        } catch (e) {
          return done(e);
        }
        return done(null, { ok: false, head, body: exc, typeName: outcome.field.name });
      }
      log(`server ${dispatcher.port}: ${outcome.message}`);
      return done(new Error(outcome.message)); // tchannel answers UnexpectedError
    });
  }
  const port = await new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve(server.address().port));
  });
  dispatcher.port = port;
  SERVERS.set(port, server);
  log(
    `serving ${svc.name} of ${ld.handle} as TChannel service '${serviceName}' on 127.0.0.1:${port} (impl=${impl})`,
  );
  return { port };
}

/**
 * A tchannel error as the `call` answer. An error frame from the server, or a failure tchannel
 * gives a TChannel code of its own (its timeout, a lost connection): `tchannelError`. Its
 * Thrift arg scheme failing to write our request or to read the reply (thriftrw's error, wrapped
 * as `tchannel-thrift-handler.stringify-error.*` / `parse-error.*`): EncodeError / DecodeError,
 * as the other peers answer them. Anything else: TransportError.
 * @param {any} err
 * @returns {object}
 */
function errorAnswer(err) {
  const type = String(err?.type ?? '');
  const cause = err?.cause?.message ? ` (${err.cause.message})` : '';
  const text = `${String(err?.message ?? '').split('\n')[0]}${cause}`;
  if (!err?.isErrorFrame && type.startsWith('tchannel-thrift-handler.stringify-error'))
    throw new PeerError('EncodeError', text, err);
  if (!err?.isErrorFrame && type.startsWith('tchannel-thrift-handler.parse-error'))
    throw new PeerError('DecodeError', text, err);
  const name = err?.codeName ?? TChannelErrors.classify(err);
  const code = err?.errorCode ?? (name ? ERROR_CODES[name] : undefined);
  if (code === undefined)
    throw new PeerError('TransportError', `${type || err?.name}: ${text}`, err);
  return { tchannelError: { code, type: name, message: String(err.message ?? '') } };
}

/**
 * One Thrift call through a TChannelAsThrift request.
 * @param {any} thrift
 * @param {object} options the request options
 * @param {string} endpoint
 * @param {Record<string, string>} headers
 * @param {any} body
 * @returns {Promise<{err: any, res: any}>}
 */
function sendOnce(thrift, options, endpoint, headers, body) {
  return new Promise((resolve) => {
    thrift.request(options).send(endpoint, headers, body, (err, res) => resolve({ err, res }));
  });
}

/**
 * call: a client channel with the server as its one peer; `repeat` calls of one function.
 * @param {Record<string, unknown>} req
 * @returns {Promise<object>}
 */
async function opCall(req) {
  const ld = RW.loaded(req);
  RW.checkProtocol(req);
  checkTransport(req);
  const svc = ld.service(param(req, 'service', 'string'));
  const fn = ld.function(svc, param(req, 'function', 'string'));
  if (fn.oneway)
    throw new PeerError('Unsupported', `${PEER_NAME}: TChannelAsThrift has no oneway calls`);
  const info = ld.functionInfo(fn);
  const serviceName = param(req, 'tchannelService', 'string', svc.name);
  const headers = stringMap(req, 'headers');
  const ttlMs = param(req, 'ttlMs', 'int', DEFAULT_TTL_MS);
  const repeat = Math.max(1, param(req, 'repeat', 'int', 1));
  const host = checkHost(param(req, 'host', 'string', '127.0.0.1'));
  const hostPort = `${host}:${portOf(req)}`;
  const body = RW.build(ld.structDesc(fn.args), param(req, 'args', 'object', {}));
  const client = new TChannel({ logger: LOGGER });
  const sub = client.makeSubChannel({ serviceName, peers: [hostPort] });
  const thrift = new TChannelAsThrift({ channel: sub, compiledSpec: ld.thrift });
  const options = {
    serviceName,
    timeout: ttlMs,
    hasNoParent: true,
    headers: { cn: CALLER_NAME },
    retryFlags: { never: true, onConnectionError: false, onTimeout: false },
  };
  const resultDesc = ld.structDesc(fn.result);
  let answer;
  const t0 = performance.now();
  try {
    for (let i = 0; i < repeat; i++) {
      const { err, res } = await sendOnce(
        thrift,
        options,
        `${svc.name}::${fn.name}`,
        headers,
        body,
      );
      if (err) {
        answer = errorAnswer(err);
      } else if (res.ok) {
        answer = {
          result: info.returns === null ? null : RW.values.toJson(info.returns, res.body, 'result'),
          headers: res.head ?? {},
        };
      } else {
        const field = resultDesc.fields.find((f) => f.name === res.typeName);
        if (!field)
          throw new PeerError(
            'DecodeError',
            `reply to ${fn.name}: no exception field '${res.typeName}'`,
          );
        answer = {
          exception: {
            type: field.type.struct.name,
            field: field.name,
            value: RW.values.structToJson(field.type.struct, res.body),
          },
          headers: res.head ?? {},
        };
      }
    }
  } finally {
    client.close();
  }
  if (repeat > 1)
    Object.assign(answer, {
      repeat,
      elapsedMs: Math.round((performance.now() - t0) * 1000) / 1000,
    });
  return answer;
}

/**
 * stop: closes a server's TChannel (its listening socket and connections).
 * @param {Record<string, unknown>} req
 * @returns {object}
 */
function opStop(req) {
  const port = param(req, 'port', 'int');
  const server = SERVERS.get(port);
  if (!server) throw new PeerError('BadRequest', `no server on port ${port}`);
  SERVERS.delete(port);
  server.close();
  return {};
}

log(
  `tchannel ${TCHANNEL_VERSION} (thriftrw ${THRIFTRW_VERSION}) on Node ${process.versions.node}; pid ${process.pid}`,
);
runChannel(
  {
    hello: opHello,
    load_idl: RW.opLoadIdl,
    serve: opServe,
    stop: opStop,
    call: opCall,
    roundtrip: RW.opRoundtrip,
    encode: RW.opEncode,
    oneway_log: (req) => ({ calls: ONEWAY_LOG.take(param(req, 'clear', 'bool', false)) }),
    shutdown: () => ({}),
  },
  log,
);
