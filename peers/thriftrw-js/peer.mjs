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
 *
 * What is left here is everything that touches thriftrw: loading IDL, describing its types, and
 * turning values into bytes and back. thriftrw is a serializer only (binary protocol, no
 * transports, no server), so every Thrift byte comes from thriftrw and the sockets come from the kit.
 */
import { Buffer } from 'node:buffer';
import { performance } from 'node:perf_hooks';
import { createRequire } from 'node:module';
import { basename } from 'node:path';
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
  PROTOCOLS,
  WorkDir,
  b64param,
  choice,
  makeLogger,
  param,
  portOf,
  transportOf,
  writeIdlFiles,
} from '../kit/node/params.mjs';
import { ValueError, makeValues } from '../kit/node/values.mjs';

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
/** @type {Map<string, Loaded>} */
const MODULES = new Map();
/** @type {Map<number, {close: () => void}>} */
const SERVERS = new Map();

// A Thrift instance with one empty struct. Reading any struct as `Skip` skips all its fields, so
// it measures where a message ends on a buffered stream, and `HEADER_RW` reads just an
// envelope's header (name, type, seqid) before we know which function it is for.
const SKIP = new Thrift({ source: 'struct Skip {}', strict: true });
const HEADER_RW = new MessageRW(SKIP.models.Skip.rw, SKIP.exception.rw);

// ---- how thriftrw holds values (the hooks of kit/node/values.mjs) ---------------------------

/**
 * A map key as read back from the plain object thriftrw uses for maps (object keys are strings:
 * thriftrw's map reader does `obj[key] = value`, so an i64 key, read as an 8-byte Buffer, becomes
 * the UTF-8 decoding of those bytes; it comes back only when that decoding lost nothing).
 * @param {import('../kit/node/values.mjs').TypeDesc} t the key type
 * @param {string} k
 * @returns {unknown}
 */
function mapKeyOut(t, k) {
  if (t.kind === 'string' || t.kind === 'enum') return k; // enums are held by name
  if (t.kind === 'i8' || t.kind === 'i16' || t.kind === 'i32') return Number(k);
  if (t.kind === 'double' && (k === 'NaN' || !Number.isNaN(Number(k)))) return Number(k); // String(number) is exact
  if (t.kind === 'bool' && (k === 'true' || k === 'false')) return k === 'true';
  // i64 (an 8-byte Buffer) and binary keys became the UTF-8 decoding of their bytes: they come
  // back only when that decoding lost nothing.
  if ((t.kind === 'i64' || t.kind === 'binary') && lossless(k, t.kind === 'i64' ? 8 : undefined))
    return Buffer.from(k, 'utf8');
  throw new ValueError(
    `thriftrw holds a map as an object keyed by strings: a ${t.kind} key (${JSON.stringify(k)}) cannot be read back`,
  );
}

/**
 * Is this object key the UTF-8 decoding of bytes it gives back unchanged (no U+FFFD put in for
 * invalid bytes)? With `length`, the bytes must also be that long.
 * @param {string} k
 * @param {number} [length]
 * @returns {boolean}
 */
function lossless(k, length) {
  const b = Buffer.from(k, 'utf8');
  return (length === undefined || b.length === length) && !k.includes('\uFFFD');
}

/**
 * A map key as thriftrw's map writer takes it: an object key (a string); i64 keys as the
 * 16 hex digits its i64 writer accepts as a string.
 * @param {import('../kit/node/values.mjs').TypeDesc} t the key type
 * @param {unknown} k the library value
 * @returns {string}
 */
function mapKeyIn(t, k) {
  return t.kind === 'i64' && Buffer.isBuffer(k) ? k.toString('hex') : String(k);
}

/** How thriftrw holds each kind of value (see LibraryValues in kit/node/values.mjs). */
const values = makeValues({
  i64In: (v) => {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(v);
    return b; // thriftrw reads an i64 as an 8-byte big-endian Buffer, and writes one too
  },
  i64Out: (v) => {
    if (Buffer.isBuffer(v)) return v.readBigInt64BE(0);
    if (typeof v === 'number') return BigInt(v); // defaults from the IDL are numbers
    if (v && typeof v === 'object' && 'high' in v)
      return BigInt.asIntN(64, (BigInt(v.high) << 32n) | BigInt(v.low >>> 0));
    throw new ValueError(`unexpected i64 representation ${typeof v}`);
  },
  enumIn: (t, n) => t.enum.valuesToNames[n] ?? n, // thriftrw holds enums by NAME; an undeclared number is refused by it
  enumOut: (t, v) => {
    if (typeof v === 'number') return v;
    const n = t.enum.namesToValues[v];
    if (n === undefined) throw new ValueError(`${v} is not a member of enum ${t.name}`);
    return n;
  },
  setIn: (items) => items, // sets are arrays
  setOut: (v) => v,
  mapIn: (pairs, t) => {
    const o = {};
    for (const [k, v] of pairs) o[mapKeyIn(t.key, k)] = v;
    return o;
  },
  mapOut: (v, t) =>
    Array.isArray(v) ? v : Object.entries(v).map(([k, x]) => [mapKeyOut(t.key, k), x]),
  structIn: (s, fields) => new s.cls(fields), // unset fields get their IDL default
  fieldOut: (s, obj, name) => obj[name],
});

// ---- a loaded IDL ---------------------------------------------------------------------------

/** One load_idl: the thriftrw instance and type descriptions made from its models. */
class Loaded {
  /**
   * @param {string} handle
   * @param {any} thrift the `new Thrift(...)` of the entry file
   */
  constructor(handle, thrift) {
    this.handle = handle;
    this.thrift = thrift;
    this.structs = new Map();
  }

  /**
   * A thriftrw value type (field.valueType) as a TypeDesc. Typedefs are already resolved by thriftrw.
   * @param {any} vt
   * @returns {import('../kit/node/values.mjs').TypeDesc}
   */
  typeDesc(vt) {
    if (vt.namesToValues) return { kind: 'enum', name: vt.name, enum: vt };
    if (vt.fields) return { kind: 'struct', struct: this.structDesc(vt) };
    switch (vt.name) {
      case 'boolean':
        return { kind: 'bool' };
      case 'i8':
      case 'i16':
      case 'i32':
      case 'i64':
      case 'double':
      case 'string':
      case 'binary':
        return { kind: vt.name };
      case 'list':
      case 'set':
        return { kind: vt.name, elem: this.typeDesc(vt.valueType) };
      case 'map':
        return { kind: 'map', key: this.typeDesc(vt.rw.ktype), elem: this.typeDesc(vt.rw.vtype) };
      default:
        throw new PeerError('Unsupported', `thriftrw type ${vt.name}`);
    }
  }

  /**
   * A struct, union or exception model as a StructDesc (cached; recursive types are fine).
   * @param {any} model a ThriftStruct / ThriftUnion
   * @returns {import('../kit/node/values.mjs').StructDesc}
   */
  structDesc(model) {
    let sd = this.structs.get(model);
    if (sd === undefined) {
      const kind = model.isUnion ? 'union' : model.isException ? 'exception' : 'struct';
      sd = {
        name: model.name,
        qualname: `${model.thrift?.filename}:${model.fullName}`,
        kind,
        cls: model.Constructor,
        fields: [],
        model,
      };
      this.structs.set(model, sd); // before the fields: recursive types
      sd.fields = model.fields.map((f) => ({
        id: f.id,
        name: f.name,
        type: this.typeDesc(f.valueType),
      }));
    }
    return sd;
  }

  /**
   * The thriftrw instance and local name for "Name" (entry file) or "include.Name".
   * @param {string} dotted
   * @returns {[any, string]}
   */
  scope(dotted) {
    const i = dotted.lastIndexOf('.');
    if (i < 0) return [this.thrift, dotted];
    const mod = this.thrift.modules[dotted.slice(0, i)];
    return [mod, dotted.slice(i + 1)];
  }

  /**
   * The service model named `name`.
   * @param {string} name
   * @returns {any}
   */
  service(name) {
    const [mod, local] = this.scope(name);
    const svc = mod && Object.hasOwn(mod.models, local) ? mod.models[local] : undefined;
    if (!svc || svc.models !== 'service')
      throw new PeerError('UnknownService', `no service '${name}' in module ${this.handle}`);
    return svc;
  }

  /**
   * A function of a service (inherited ones included).
   * @param {any} svc
   * @param {string} name
   * @returns {any}
   */
  function(svc, name) {
    const fn = svc.functionsByName[name];
    if (!fn)
      throw new PeerError('UnknownFunction', `service ${svc.name} has no function '${name}'`);
    return fn;
  }

  /**
   * The handler's description of a function.
   * @param {any} fn a ThriftFunction
   * @returns {import('../kit/node/handler.mjs').FunctionInfo}
   */
  functionInfo(fn) {
    const result = this.structDesc(fn.result).fields;
    return {
      name: fn.name,
      params: this.structDesc(fn.args).fields,
      returns: fn.oneway ? null : (result.find((f) => f.id === 0)?.type ?? null),
      exceptions: result.filter((f) => f.id !== 0),
      oneway: Boolean(fn.oneway),
    };
  }

  /**
   * The struct model for "Type", "include.Type" or "Service.fn.request|response".
   * @param {string} name
   * @returns {import('../kit/node/values.mjs').StructDesc}
   */
  structType(name) {
    const parts = name.split('.');
    if (parts.length >= 3 && (parts.at(-1) === 'request' || parts.at(-1) === 'response')) {
      const fn = this.function(this.service(parts.slice(0, -2).join('.')), parts.at(-2));
      if (parts.at(-1) === 'response' && fn.oneway)
        throw new PeerError('UnknownType', `${name}: a oneway function has no response`);
      return this.structDesc(parts.at(-1) === 'request' ? fn.args : fn.result);
    }
    const [mod, local] = this.scope(name);
    const model = mod && Object.hasOwn(mod.models, local) ? mod.models[local] : undefined;
    if (!model || !model.fields || local.startsWith('ThriftMessageEnvelope')) {
      throw new PeerError(
        'UnknownType',
        `no struct, union or exception '${name}' in module ${this.handle}`,
      );
    }
    return this.structDesc(model);
  }
}

/**
 * The loaded module a request names.
 * @param {Record<string, unknown>} req
 * @returns {Loaded}
 */
function loaded(req) {
  const handle = param(req, 'module', 'string');
  const ld = MODULES.get(handle);
  if (!ld) throw new PeerError('UnknownModule', `no module '${handle}'; load_idl first`);
  return ld;
}

/**
 * Checks `protocol` (binary only).
 * @param {Record<string, unknown>} req
 * @returns {void}
 */
function checkProtocol(req) {
  const p = choice(req, 'protocol', PROTOCOLS, 'binary');
  if (p !== 'binary')
    throw new PeerError('Unsupported', `${PEER_NAME} supports only the binary protocol, not ${p}`);
}

/**
 * The envelope version thriftrw writes: 1 = strict, 0 = non-strict (thriftrw's default).
 * @param {Record<string, unknown>} req
 * @returns {number}
 */
function envelopeVersion(req) {
  return choice(req, 'envelope', ENVELOPES, 'nonstrict') === 'strict' ? 1 : 0;
}

/**
 * Encodes a struct instance; thriftrw's errors become EncodeError.
 * @param {any} model the ThriftStruct
 * @param {any} obj
 * @returns {Buffer}
 */
function encodeStruct(model, obj) {
  return checked(() => model.toBufferResult(obj), '');
}

/**
 * The value of a thriftrw write Result; its error (returned or thrown) becomes EncodeError.
 * @param {() => {err: any, value: Buffer}} write
 * @param {string} what prefix for the message
 * @returns {Buffer}
 */
function checked(write, what) {
  let res;
  try {
    res = write();
  } catch (e) {
    throw new PeerError('EncodeError', `${what}${e?.constructor?.name}: ${e?.message}`, e);
  }
  if (res.err) throw new PeerError('EncodeError', `${what}${res.err.message}`, res.err);
  return res.value;
}

/**
 * JSON -> a thriftrw instance; a value that does not fit is EncodeError.
 * @param {import('../kit/node/values.mjs').StructDesc} sd
 * @param {unknown} value
 * @returns {any}
 */
function build(sd, value) {
  try {
    return values.structFromJson(sd, value);
  } catch (e) {
    throw new PeerError('EncodeError', e.message, e);
  }
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
 * load_idl: writes the files and loads the entry with thriftrw.
 * @param {Record<string, unknown>} req
 * @returns {object}
 */
function opLoadIdl(req) {
  const entry = writeIdlFiles(WORK.newDir('idl'), req);
  let thrift;
  try {
    thrift = new Thrift({
      entryPoint: entry,
      allowFilesystemAccess: true,
      strict: true,
      allowOptionalArguments: true,
    });
  } catch (e) {
    throw new PeerError('IdlError', `${e?.constructor?.name}: ${e?.message}`, e);
  }
  const handle = `m${MODULES.size + 1}`;
  MODULES.set(handle, new Loaded(handle, thrift));
  const types = [];
  const services = [];
  for (const [name, model] of Object.entries(thrift.models)) {
    if (name.includes('::') || name.startsWith('ThriftMessageEnvelope')) continue; // args/results, thriftrw's own
    if (model.models === 'service') {
      const own = model.functions.filter((f) => f.service === model).map((f) => f.name);
      const parent = model.baseService ? model.baseService.name.split('.').at(-1) : null;
      services.push({ name, functions: own, extends: parent });
    } else if (model.models === 'type' && (model.fields || model.namesToValues)) {
      types.push(name);
    }
  }
  log(`loaded ${basename(entry)} as ${handle}`);
  return { module: handle, types: types.sort(), services };
}

/**
 * roundtrip: decode with thriftrw, give the value and the re-encoding.
 * @param {Record<string, unknown>} req
 * @returns {object}
 */
function opRoundtrip(req) {
  const ld = loaded(req);
  checkProtocol(req);
  const sd = ld.structType(param(req, 'type', 'string'));
  const data = b64param(req, 'bytes');
  let res;
  try {
    res = sd.model.rw.readFrom(data, 0);
  } catch (e) {
    throw new PeerError('DecodeError', `${e?.constructor?.name}: ${e?.message}`, e);
  }
  if (res.err) throw new PeerError('DecodeError', res.err.message, res.err);
  let value;
  try {
    value = values.structToJson(sd, res.value);
  } catch (e) {
    throw new PeerError('DecodeError', e.message, e);
  }
  const out = encodeStruct(sd.model, res.value);
  return { value, bytes: out.toString('base64'), trailing: data.length - res.offset };
}

/**
 * encode: JSON -> thriftrw instance -> bytes.
 * @param {Record<string, unknown>} req
 * @returns {object}
 */
function opEncode(req) {
  const ld = loaded(req);
  checkProtocol(req);
  const sd = ld.structType(param(req, 'type', 'string'));
  return { bytes: encodeStruct(sd.model, build(sd, req.value)).toString('base64') };
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
    load_idl: opLoadIdl,
    serve: opServe,
    stop: opStop,
    call: opCall,
    roundtrip: opRoundtrip,
    encode: opEncode,
    oneway_log: (req) => ({ calls: ONEWAY_LOG.take(param(req, 'clear', 'bool', false)) }),
    answer: opAnswer,
    received: opReceived,
    shutdown: () => ({}),
  },
  log,
);
