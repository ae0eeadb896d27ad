/**
 * What a Node peer's server answers: the generic handler rules and the KeyValue implementation
 * of peers/README.md ("Server behaviour"), decided from library-neutral function descriptions
 * (the JavaScript twin of peers/common/handler.py).
 *
 * @typedef {import('./values.mjs').TypeDesc} TypeDesc
 * @typedef {import('./values.mjs').FieldDesc} FieldDesc
 * @typedef {{name: string, params: FieldDesc[], returns: TypeDesc | null, exceptions: FieldDesc[], oneway: boolean}} FunctionInfo
 *   `exceptions`: the throws clause (the fields of the response struct but `success`).
 * @typedef {{kind: 'return'|'void'|'raise'|'fail', value?: any, field?: FieldDesc, valueJson?: object, message?: string}} Outcome
 *   return: `value` is the library value; raise: `value` the exception instance, or null with
 *   `valueJson` to build it from (else the no-argument constructor); fail: `message` says why.
 */
import { describe, sameType } from './values.mjs';

/** Name of the argument that asks the generic handler to raise a declared exception. */
export const RAISE_ARG = 'raiseField';
/** Largest number of oneway calls kept in the log (older ones are dropped). */
export const MAX_ONEWAY_LOG = 10_000;

/**
 * Is a library value set (not null/undefined)?
 * @param {unknown} v
 * @returns {boolean}
 */
const isSet = (v) => v !== null && v !== undefined;

/**
 * The generic rules, in order: 1. `raiseField` names a declared exception field: raise it (the
 * first set argument of its type, else a default-constructed one); 2. void/oneway: nothing;
 * 3. the first set argument of the return type; 4. fail.
 * @param {FunctionInfo} fn
 * @param {Record<string, any>} args library values by argument name
 * @returns {Outcome}
 */
export function decide(fn, args) {
  const wanted = args[RAISE_ARG];
  if (typeof wanted === 'string') {
    const excField = fn.exceptions.find((f) => f.name === wanted);
    if (excField !== undefined) {
      for (const p of fn.params) {
        if (isSet(args[p.name]) && sameType(p.type, excField.type))
          return { kind: 'raise', value: args[p.name], field: excField };
      }
      return { kind: 'raise', value: null, field: excField };
    }
  }
  if (fn.oneway || fn.returns === null) return { kind: 'void' };
  for (const p of fn.params) {
    if (isSet(args[p.name]) && sameType(p.type, fn.returns))
      return { kind: 'return', value: args[p.name] };
  }
  return {
    kind: 'fail',
    message: `${fn.name}: no argument of the return type ${describe(fn.returns)} is set, and no ${RAISE_ARG} names a declared exception`,
  };
}

/** The in-memory KeyValue service (serve option impl: "keyvalue"). */
export class KeyValueStore {
  /** An empty store. */
  constructor() {
    /** @type {Map<unknown, unknown>} */
    this.values = new Map();
  }

  /**
   * get(key) returns the stored value or raises the first declared exception with {key};
   * put/set/setValue(key, value) stores. Anything else: undefined (the generic rules decide).
   * @param {FunctionInfo} fn
   * @param {Record<string, any>} args
   * @returns {Outcome | undefined}
   */
  decide(fn, args) {
    const names = fn.params.map((p) => p.name);
    if (fn.name === 'get' && names.includes('key')) {
      const key = args.key;
      if (this.values.has(key)) return { kind: 'return', value: this.values.get(key) };
      if (fn.exceptions.length > 0) {
        const excField = fn.exceptions[0];
        const keyField = excField.type.struct?.fields.find((f) => f.name === 'key');
        const payload = isSet(key) && keyField?.type.kind === 'string' ? { key } : {};
        return { kind: 'raise', value: null, field: excField, valueJson: payload };
      }
      return {
        kind: 'fail',
        message: `get: no value for ${JSON.stringify(key)} and no exception declared`,
      };
    }
    if (
      ['put', 'set', 'setValue'].includes(fn.name) &&
      names.includes('key') &&
      names.includes('value')
    ) {
      this.values.set(args.key, args.value);
      return fn.returns === null ? { kind: 'void' } : { kind: 'return', value: args.value };
    }
    return undefined;
  }
}

/** The oneway calls received by every server of this process. */
export class OnewayLog {
  /** An empty log. */
  constructor() {
    /** @type {object[]} */
    this.entries = [];
  }

  /**
   * Records one oneway call.
   * @param {number} port
   * @param {string} service
   * @param {FunctionInfo} fn
   * @param {Record<string, any>} args library values
   * @param {(t: TypeDesc, v: any, path: string) => unknown} toJson the peer's conversion
   * @returns {void}
   */
  record(port, service, fn, args, toJson) {
    let argsJson;
    try {
      argsJson = {};
      for (const p of fn.params)
        if (isSet(args[p.name])) argsJson[p.name] = toJson(p.type, args[p.name], p.name);
    } catch (e) {
      argsJson = { $error: `${e?.constructor?.name}: ${e?.message}` };
    }
    this.entries.push({
      port,
      service,
      function: fn.name,
      args: argsJson,
      time: Date.now() / 1000,
    });
    if (this.entries.length > MAX_ONEWAY_LOG)
      this.entries.splice(0, this.entries.length - MAX_ONEWAY_LOG);
  }

  /**
   * The recorded calls (emptied when `clear`).
   * @param {boolean} clear
   * @returns {object[]}
   */
  take(clear) {
    const out = [...this.entries];
    if (clear) this.entries = [];
    return out;
  }
}

/** One server's handler: KeyValue (if asked) first, then the generic rules; logs oneways. */
export class Dispatcher {
  /**
   * @param {string} service
   * @param {string | null} impl "keyvalue" or null
   * @param {OnewayLog} onewayLog
   * @param {(t: TypeDesc, v: any, path: string) => unknown} toJson
   */
  constructor(service, impl, onewayLog, toJson) {
    this.service = service;
    this.store = impl === 'keyvalue' ? new KeyValueStore() : null;
    this.onewayLog = onewayLog;
    this.toJson = toJson;
    this.port = 0;
  }

  /**
   * Decides the answer to one call.
   * @param {FunctionInfo} fn
   * @param {Record<string, any>} args
   * @returns {Outcome}
   */
  decide(fn, args) {
    if (fn.oneway) this.onewayLog.record(this.port, this.service, fn, args, this.toJson);
    return this.store?.decide(fn, args) ?? decide(fn, args);
  }
}
