/**
 * What every peer built on npm `thriftrw` shares: how thriftrw holds values (the hooks of
 * values.mjs), type descriptions made from its models, and the ops that only need thriftrw —
 * load_idl, encode and roundtrip (peers/README.md). The thriftrw instance is passed in, so each
 * peer uses the copy its own library resolves (tchannel-node: the thriftrw that npm tchannel
 * depends on). The code is the thriftrw-js peer's, moved here so that several peers can run it.
 */
import { Buffer } from 'node:buffer';
import { basename } from 'node:path';
import { PeerError } from './channel.mjs';
import { PROTOCOLS, b64param, choice, param, writeIdlFiles } from './params.mjs';
import { ValueError, makeValues } from './values.mjs';

// ---- how thriftrw holds values (the hooks of kit/node/values.mjs) ---------------------------

/**
 * A map key as read back from the plain object thriftrw uses for maps (object keys are strings:
 * thriftrw's map reader does `obj[key] = value`, so an i64 key, read as an 8-byte Buffer, becomes
 * the UTF-8 decoding of those bytes; it comes back only when that decoding lost nothing).
 * @param {import('./values.mjs').TypeDesc} t the key type
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
 * @param {import('./values.mjs').TypeDesc} t the key type
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

/**
 * The thriftrw-only part of a peer: loaded modules, load_idl, encode and roundtrip.
 * @param {{Thrift: any, peerName: string, work: import('./params.mjs').WorkDir, log: (msg: string) => void}} opts
 *   `Thrift`: the thriftrw export of the peer's own library; `work`: where IDL files are written.
 * @returns {object} `{values, loaded, build, checked, checkProtocol, opLoadIdl, opEncode,
 *   opRoundtrip}`: the value conversions, the module a request names, JSON -> instance
 *   (EncodeError), a write Result's value (EncodeError), the binary-only check (Unsupported), and
 *   the three ops; they throw PeerError as peers/README.md says.
 */
export function thriftrwPeer({ Thrift, peerName, work, log }) {
  /** @type {Map<string, Loaded>} */
  const MODULES = new Map();
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
     * @returns {import('./values.mjs').TypeDesc}
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
     * @returns {import('./values.mjs').StructDesc}
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
     * @returns {import('./values.mjs').StructDesc}
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
      throw new PeerError('Unsupported', `${peerName} supports only the binary protocol, not ${p}`);
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
   * @param {import('./values.mjs').StructDesc} sd
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
  // ---- ops ------------------------------------------------------------------------------------

  /**
   * load_idl: writes the files and loads the entry with thriftrw.
   * @param {Record<string, unknown>} req
   * @returns {object}
   */
  function opLoadIdl(req) {
    const entry = writeIdlFiles(work.newDir('idl'), req);
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

  return { values, loaded, build, checked, checkProtocol, opLoadIdl, opEncode, opRoundtrip };
}
