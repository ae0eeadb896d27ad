#!/usr/bin/env node
/**
 * thriftrw-js peer: npm `thriftrw` 3.12.0 (Uber's JavaScript Thrift) behind the control channel
 * of peers/README.md.
 *
 * This file is also the repository's small example of a peer written in a language other than
 * Python. A peer is a long-lived program that reads requests (4-byte length + JSON) on stdin and
 * answers each on stdout; peers/kit/node/ holds the parts that do not depend on the library:
 *
 *   channel.mjs  the framing, the op loop, `batch`, error answers (PeerError → {ok:false, error})
 *   params.mjs   request parameters, writing IDL files into a private temp dir, loopback checks
 *   values.mjs   the JSON value encoding ({"$i64": ...}, {"$set": ...}, ...) <-> library values,
 *                driven by a few hooks that say how THIS library holds i64, enums, sets, maps, structs
 *   handler.mjs  what a server answers (KeyValue, and the generic raiseField/echo rules)
 *   net.mjs      a TCP server and client for framed and buffered transports
 *   thriftrw.mjs how thriftrw holds values, type descriptions of its models, and load_idl,
 *                encode and roundtrip — shared with tchannel-node, which runs another copy of
 *                thriftrw (the one npm tchannel resolves)
 *
 * What is left here is the rest that touches thriftrw: envelopes, and a server and client that
 * turn messages into bytes and back. thriftrw is a serializer only (binary protocol, no
 * transports, no server), so every Thrift byte comes from thriftrw and the sockets come from the kit.
 */
import { performance } from 'node:perf_hooks';
import { createRequire } from 'node:module';
import { PeerError, runChannel } from '../kit/node/channel.mjs';
import { Dispatcher, OnewayLog, opAnswer, opReceived } from '../kit/node/handler.mjs';
import {
  ClientConnection,
  MAX_MESSAGE_BYTES,
  MessageError,
  startServer,
} from '../kit/node/net.mjs';
import {
  ENVELOPES,
  WorkDir,
  choice,
  makeLogger,
  param,
  portOf,
  transportOf,
} from '../kit/node/params.mjs';
import { thriftrwPeer } from '../kit/node/thriftrw.mjs';

const STARTED = performance.now();
const require = createRequire(import.meta.url);
const { Thrift } = require('thriftrw'); // resolved from peers/thriftrw-js/node_modules (pinned)
const { MessageRW } = require('thriftrw/message');
const THRIFTRW_VERSION = require('thriftrw/package.json').version;

const PEER_NAME = process.env.THRIFT_CONFORM_PEER || 'thriftrw-js';
const log = makeLogger(PEER_NAME);

/** What this peer can do: the same object as `abilities` in peer.json (check-peer compares them). */
const ABILITIES = {
  protocols: ['binary'], // thriftrw has only the binary protocol
  transports: ['framed', 'buffered'], // both provided by peers/kit/node/net.mjs
  envelopes: { read: ['strict', 'nonstrict'], write: ['strict', 'nonstrict'] }, // Message version 1 or 0
  dialect: 'thriftrw', // strict: every struct field says required or optional
  features: {
    uuid: false, // no uuid type in thriftrw 3.12
    applicationException: true, // EXCEPTION envelopes with ThriftMessageEnvelopeException
    unions: false, // a union is written and read with any number of fields set
    oneway: true,
    serviceInheritance: true, // a service's model holds its parent's functions too
    includes: true,
    requiredFieldsChecked: true, // FieldRequiredError on encode and decode
    setsOfUnhashable: false, // maps are plain objects: struct/container keys cannot be held
    typedefOfSet: true,
    implicitFieldIds: false, // a field without an id: "TypeError: Cannot read properties of null (reading 'value')"
    scriptedAnswers: true, // the answer/received ops (peers/README.md, "Scripted answers")
    accelerated: false,
  },
};

const WORK = new WorkDir('thriftrw-js-peer-');
const ONEWAY_LOG = new OnewayLog();
/** @type {Map<number, {close: () => void}>} */
const SERVERS = new Map();

// A Thrift instance with one empty struct. Reading any struct as `Skip` skips all its fields, so
// it measures where a message ends on a buffered stream, and `HEADER_RW` reads just an
// envelope's header (name, type, seqid) before we know which function it is for.
const SKIP = new Thrift({ source: 'struct Skip {}', strict: true });
const HEADER_RW = new MessageRW(SKIP.models.Skip.rw, SKIP.exception.rw);

// ---- thriftrw: values, loaded IDL, load_idl/encode/roundtrip (kit/node/thriftrw.mjs) --------

const RW = thriftrwPeer({ Thrift, peerName: PEER_NAME, work: WORK, log });
const { values, loaded, build, checked, checkProtocol } = RW;

/**
 * The envelope version thriftrw writes: 1 = strict, 0 = non-strict (thriftrw's default).
 * @param {Record<string, unknown>} req
 * @returns {number}
 */
function envelopeVersion(req) {
  return choice(req, 'envelope', ENVELOPES, 'nonstrict') === 'strict' ? 1 : 0;
}

// ---- envelopes on a buffered stream ---------------------------------------------------------

/**
 * Is this thriftrw error (or exception) "the buffer ends too early"?
 * @param {any} err
 * @returns {boolean}
 */
function isShort(err) {
  return (
    /short-(buffer|read)/.test(err?.type ?? '') ||
    err?.code === 'ERR_BUFFER_OUT_OF_BOUNDS' ||
    err?.code === 'ERR_OUT_OF_RANGE'
  );
}

/**
 * Length of the envelope header at the start of buf (binary protocol), or null if incomplete.
 * @param {Buffer} buf
 * @returns {number | null}
 */
function headerLength(buf) {
  if (buf.length < 4) return null;
  const size = buf.readInt32BE(0);
  if (size < 0) {
    // strict: version+type:4 name~4 seqid:4
    if (buf.length < 8) return null;
    const n = buf.readInt32BE(4);
    if (n < 0 || n > MAX_MESSAGE_BYTES) throw new MessageError(`bad method name length ${n}`);
    return 8 + n + 4;
  }
  if (size > MAX_MESSAGE_BYTES) throw new MessageError(`bad method name length ${size}`);
  return 4 + size + 1 + 4; // non-strict: name~4 type:1 seqid:4
}

/**
 * How long the complete message at the start of buf is, or null when more bytes are needed
 * (thriftrw skips the body as an empty struct).
 * @param {Buffer} buf
 * @returns {number | null}
 */
function measureMessage(buf) {
  const head = headerLength(buf);
  if (head === null || buf.length < head) return null;
  const res = SKIP.models.Skip.rw.readFrom(buf, head);
  if (!res.err) return res.offset;
  if (isShort(res.err)) return null;
  throw new MessageError(`undecodable message body: ${res.err.message}`);
}

// ---- ops ------------------------------------------------------------------------------------

/** @returns {object} */
function opHello() {
  return {
    name: PEER_NAME,
    version: THRIFTRW_VERSION,
    library: 'thriftrw (npm)',
    node: process.versions.node,
    abilities: ABILITIES,
    startupMs: Math.round((performance.now() - STARTED) * 10) / 10,
  };
}

/**
 * An EXCEPTION envelope (TApplicationException) written by thriftrw.
 * @param {number} version
 * @param {string} name
 * @param {number} id
 * @param {'UNKNOWN_METHOD'|'INTERNAL_ERROR'|'PROTOCOL_ERROR'} type
 * @param {string} message
 * @returns {Buffer}
 */
function exceptionReply(version, name, id, type, message) {
  return HEADER_RW.toBuffer({ version, type: 'EXCEPTION', name, id, body: { message, type } })
    .value;
}

/**
 * serve: a TCP server (kit/node/net.mjs) whose messages thriftrw decodes and encodes.
 * @param {Record<string, unknown>} req
 * @returns {Promise<object>}
 */
async function opServe(req) {
  const ld = loaded(req);
  checkProtocol(req);
  const version = envelopeVersion(req);
  const transport = transportOf(req);
  const svc = ld.service(param(req, 'service', 'string'));
  const impl = param(req, 'impl', 'string', null);
  const dispatcher = new Dispatcher(svc.name, impl, ONEWAY_LOG, values.toJson, values.fromJson);

  /**
   * Answers one request message: a reply Buffer, null (oneway) or 'close'.
   * @param {Buffer} msg
   * @returns {Buffer | null | 'close'}
   */
  const handle = (msg) => {
    const head = HEADER_RW.readFrom(msg, 0).value; // name, type, id (the body is skipped)
    if (!head) return 'close';
    const fn = svc.functionsByName[head.name];
    if (!fn) {
      if (head.type === 'ONEWAY') return null;
      return exceptionReply(
        version,
        head.name,
        head.id,
        'UNKNOWN_METHOD',
        `Unknown function ${head.name}`,
      );
    }
    const res = fn.argumentsMessageRW.readFrom(msg, 0);
    if (res.err) {
      // Arguments thriftrw cannot read (an enum value the IDL does not declare, …): answered as
      // Apache's Java and Go processors do, with PROTOCOL_ERROR and thriftrw's message.
      log(`server ${dispatcher.port}: cannot read ${head.name}: ${res.err.message}`);
      if (head.type === 'ONEWAY') return null;
      return exceptionReply(version, head.name, head.id, 'PROTOCOL_ERROR', res.err.message);
    }
    const info = ld.functionInfo(fn);
    const args = Object.fromEntries(info.params.map((p) => [p.name, res.value.body[p.name]]));
    const outcome = dispatcher.decide(info, args);
    if (fn.oneway || head.type === 'ONEWAY') return null;
    let body;
    if (outcome.kind === 'return') body = new fn.Result({ success: outcome.value });
    else if (outcome.kind === 'void') body = new fn.Result({});
    else if (outcome.kind === 'raise') {
      const sd = outcome.field.type.struct;
      const exc =
        outcome.value ?? (outcome.valueJson ? build(sd, outcome.valueJson) : new sd.cls());
      body = new fn.Result({ [outcome.field.name]: exc });
    } else return exceptionReply(version, head.name, head.id, 'INTERNAL_ERROR', outcome.message);
    try {
      return checked(
        () =>
          fn.resultMessageRW.toBuffer({
            version,
            type: 'REPLY',
            name: head.name,
            id: head.id,
            body,
          }),
        '',
      );
    } catch (e) {
      return exceptionReply(version, head.name, head.id, 'INTERNAL_ERROR', e.message);
    }
  };

  const server = await startServer({ transport, measure: measureMessage, handle, log });
  dispatcher.port = server.port;
  SERVERS.set(server.port, server);
  log(
    `serving ${svc.name} of ${ld.handle} on 127.0.0.1:${server.port} (${transport}, impl=${impl})`,
  );
  return { port: server.port };
}

/**
 * Sends one call and reads its reply.
 * @param {Loaded} ld
 * @param {any} fn the ThriftFunction
 * @param {ClientConnection} conn
 * @param {Buffer} request the encoded CALL/ONEWAY message
 * @returns {Promise<object>} the `call` answer
 */
async function callOnce(ld, fn, conn, request) {
  conn.send(request);
  if (fn.oneway) return { result: null };
  const raw = await conn.read(fn.name);
  let res;
  try {
    res = fn.resultMessageRW.readFrom(raw, 0);
  } catch (e) {
    throw new PeerError('DecodeError', `reply to ${fn.name}: ${e?.message}`, e);
  }
  if (res.value?.type === 'EXCEPTION') {
    // thriftrw 3.12 hands a (correctly decoded) EXCEPTION body back as the read's `err`.
    const body = res.value.body ?? {};
    const typeNum =
      typeof body.type === 'string'
        ? ld.thrift.models.ThriftMessageEnvelopeExceptionType.namesToValues[body.type]
        : body.type;
    return { applicationException: { type: typeNum ?? 0, message: body.message ?? null } };
  }
  if (res.err)
    throw new PeerError('DecodeError', `reply to ${fn.name}: ${res.err.message}`, res.err);
  const resultDesc = ld.structDesc(fn.result);
  try {
    for (const f of resultDesc.fields) {
      const v = res.value.body[f.name];
      if (v === null || v === undefined) continue;
      if (f.id === 0) return { result: values.toJson(f.type, v, 'result') };
      const value = values.structToJson(f.type.struct, v);
      return { exception: { type: f.type.struct.name, field: f.name, value } };
    }
  } catch (e) {
    throw new PeerError('DecodeError', `reply to ${fn.name}: ${e.message}`, e);
  }
  return { result: null };
}

/**
 * call: one connection, `repeat` calls of one function.
 * @param {Record<string, unknown>} req
 * @returns {Promise<object>}
 */
async function opCall(req) {
  const ld = loaded(req);
  checkProtocol(req);
  const version = envelopeVersion(req);
  const transport = transportOf(req);
  const fn = ld.function(
    ld.service(param(req, 'service', 'string')),
    param(req, 'function', 'string'),
  );
  const body = build(ld.structDesc(fn.args), param(req, 'args', 'object', {}));
  const seqid = param(req, 'seqid', 'int', 0);
  const repeat = Math.max(1, param(req, 'repeat', 'int', 1));
  const msg = checked(
    () =>
      fn.argumentsMessageRW.toBuffer({
        version,
        type: fn.oneway ? 'ONEWAY' : 'CALL',
        name: fn.name,
        id: seqid,
        body,
      }),
    `${fn.name}: `,
  );
  const conn = await ClientConnection.open(
    param(req, 'host', 'string', '127.0.0.1'),
    portOf(req),
    transport,
    measureMessage,
  );
  let result;
  const t0 = performance.now();
  try {
    for (let i = 0; i < repeat; i++) result = await callOnce(ld, fn, conn, msg);
  } catch (e) {
    if (e instanceof MessageError)
      throw new PeerError('TransportError', `${fn.name}: ${e.message}`, e);
    throw e;
  } finally {
    conn.close();
  }
  if (repeat > 1)
    Object.assign(result, {
      repeat,
      elapsedMs: Math.round((performance.now() - t0) * 1000) / 1000,
    });
  return result;
}

/**
 * stop: closes a server's listening socket.
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

log(`thriftrw ${THRIFTRW_VERSION} on Node ${process.versions.node}; pid ${process.pid}`);
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
    answer: opAnswer,
    received: opReceived,
    shutdown: () => ({}),
  },
  log,
);
