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
import { PeerError } from './channel.mjs';
import { describe, sameType } from './values.mjs';

/** Name of the argument that asks the generic handler to raise a declared exception. */
export const RAISE_ARG = 'raiseField';
/** Largest number of oneway calls kept in the log (older ones are dropped). */
export const MAX_ONEWAY_LOG = 10_000;
/** Largest number of scripted answers queued per server and of received calls kept per server. */
export const MAX_SCRIPTED = 10_000;

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

/**
 * The set arguments of a call in the JSON value encoding ({$error} when one cannot be converted).
 * @param {FunctionInfo} fn
 * @param {Record<string, any>} args library values
 * @param {(t: TypeDesc, v: any, path: string) => unknown} toJson the peer's conversion
 * @returns {Record<string, unknown>}
 */
function argsJsonOf(fn, args, toJson) {
  try {
    const out = {};
    for (const p of fn.params)
      if (isSet(args[p.name])) out[p.name] = toJson(p.type, args[p.name], p.name);
    return out;
  } catch (e) {
    return { $error: `${e?.constructor?.name}: ${e?.message}` };
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
    this.entries.push({
      port,
      service,
      function: fn.name,
      args: argsJsonOf(fn, args, toJson),
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

/** Every server's dispatcher of this process, by port (the answer/received ops find it here). */
export const DISPATCHERS = new Map();

/**
 * Checks the `answer` parameter of the `answer` op (peers/README.md, "Scripted answers"): exactly
 * one of {result: json}, {exception: {field, value}} or {none: true}.
 * @param {unknown} answer
 * @returns {Record<string, any>} the answer
 * @throws {PeerError} BadRequest saying what is wrong
 */
export function checkAnswer(answer) {
  const keys = answer !== null && typeof answer === 'object' ? Object.keys(answer) : [];
  if (Array.isArray(answer) || keys.length !== 1)
    throw new PeerError(
      'BadRequest',
      'answer: expected one of {"result": v}, {"exception": {"field": f, "value": {...}}}, {"none": true}',
    );
  const a = /** @type {Record<string, any>} */ (answer);
  if ('result' in a) return a;
  if ('exception' in a) {
    const e = a.exception;
    const value = e?.value ?? {};
    if (
      e === null ||
      typeof e !== 'object' ||
      typeof e.field !== 'string' ||
      typeof value !== 'object' ||
      Array.isArray(value)
    )
      throw new PeerError(
        'BadRequest',
        'answer.exception: expected {"field": "<name in throws>", "value": {...}}',
      );
    return a;
  }
  if (a.none === true) return a;
  throw new PeerError(
    'BadRequest',
    `answer: unknown kind ${JSON.stringify(keys[0])}; expected result, exception or none`,
  );
}

/**
 * The dispatcher of the server on `req.port`.
 * @param {Record<string, unknown>} req
 * @returns {Dispatcher}
 * @throws {PeerError} BadRequest for a port no server of this process listens on
 */
function dispatcherOf(req) {
  const port = req.port;
  if (typeof port !== 'number' || !Number.isInteger(port))
    throw new PeerError(
      'BadRequest',
      "parameter 'port' must be an integer (a port `serve` answered)",
    );
  const d = DISPATCHERS.get(port);
  if (d === undefined)
    throw new PeerError(
      'BadRequest',
      `no server on port ${port}; \`serve\` first and use the port it answers`,
    );
  return d;
}

/**
 * The `answer` op: the server on `port` answers the next call of `function` with `answer`
 * (result, exception or none) instead of the generic rules; `reset` first drops the answers
 * still queued for that function.
 * @param {Record<string, unknown>} req
 * @returns {{queued: number}} how many answers are queued for that function
 * @throws {PeerError} BadRequest for a bad port, function or answer
 */
export function opAnswer(req) {
  const d = dispatcherOf(req);
  const fn = req.function;
  if (typeof fn !== 'string' || fn === '')
    throw new PeerError('BadRequest', "parameter 'function' must be a function name");
  const reset = req.reset ?? false;
  if (typeof reset !== 'boolean')
    throw new PeerError('BadRequest', "parameter 'reset' must be true or false");
  return { queued: d.queue(fn, checkAnswer(req.answer), reset) };
}

/**
 * The `received` op: the calls the server on `port` received since it was first scripted or
 * last asked, args in the JSON value encoding (emptied).
 * @param {Record<string, unknown>} req
 * @returns {{calls: object[]}}
 * @throws {PeerError} BadRequest for a bad port
 */
export function opReceived(req) {
  return { calls: dispatcherOf(req).takeReceived() };
}

/**
 * One server's handler: a scripted answer (the `answer` op) first, then KeyValue (if asked), then
 * the generic rules; logs oneways, and every call once the server has been scripted.
 */
export class Dispatcher {
  /**
   * @param {string} service
   * @param {string | null} impl "keyvalue" or null
   * @param {OnewayLog} onewayLog
   * @param {(t: TypeDesc, v: any, path: string) => unknown} toJson
   * @param {(t: TypeDesc, j: any, path: string) => unknown} [fromJson] for scripted results
   *   (without it a scripted result fails the call)
   */
  constructor(service, impl, onewayLog, toJson, fromJson) {
    this.service = service;
    this.store = impl === 'keyvalue' ? new KeyValueStore() : null;
    this.onewayLog = onewayLog;
    this.toJson = toJson;
    this.fromJson = fromJson;
    this._port = 0;
    /** @type {Map<string, Record<string, any>[]>} function name → queued answers */
    this.answers = new Map();
    /** @type {object[]} */
    this.received = [];
    this.scripted = false;
  }

  /** @returns {number} the port the server listens on (0 before it does) */
  get port() {
    return this._port;
  }

  /** Sets the port once the server listens; from then on the answer/received ops find it. */
  set port(port) {
    this._port = port;
    DISPATCHERS.set(port, this);
  }

  /**
   * Queues one scripted answer for `fn` (after dropping those still queued for it when `reset`).
   * @param {string} fn
   * @param {Record<string, any>} answer
   * @param {boolean} [reset]
   * @returns {number} how many are queued for it
   * @throws {PeerError} BadRequest when MAX_SCRIPTED are already queued
   */
  queue(fn, answer, reset = false) {
    const q = reset ? [] : (this.answers.get(fn) ?? []);
    if (q.length >= MAX_SCRIPTED)
      throw new PeerError(
        'BadRequest',
        `answer: ${MAX_SCRIPTED} answers already queued for ${fn} on port ${this._port}; call it first`,
      );
    q.push(answer);
    this.answers.set(fn, q);
    this.scripted = true;
    return q.length;
  }

  /** @returns {object[]} the calls received since the last read (emptied) */
  takeReceived() {
    const out = this.received;
    this.received = [];
    return out;
  }

  /**
   * Records the call (once scripted) and turns the next queued answer for it, if any, into an
   * outcome.
   * @param {FunctionInfo} fn
   * @param {Record<string, any>} args
   * @returns {Outcome | undefined}
   */
  scriptedOutcome(fn, args) {
    if (!this.scripted) return undefined;
    this.received.push({
      function: fn.name,
      args: argsJsonOf(fn, args, this.toJson),
      oneway: fn.oneway,
    });
    if (this.received.length > MAX_SCRIPTED)
      this.received.splice(0, this.received.length - MAX_SCRIPTED);
    const answer = this.answers.get(fn.name)?.shift();
    if (answer === undefined) return undefined;
    if ('none' in answer) return { kind: 'void' };
    if ('result' in answer) {
      if (fn.returns === null)
        return { kind: 'fail', message: `${fn.name}: a scripted result for a void function` };
      if (this.fromJson === undefined)
        return { kind: 'fail', message: `${fn.name}: this peer cannot convert scripted results` };
      try {
        return { kind: 'return', value: this.fromJson(fn.returns, answer.result, 'result') };
      } catch (e) {
        return {
          kind: 'fail',
          message: `${fn.name}: the scripted result does not fit: ${e?.message}`,
        };
      }
    }
    const name = answer.exception.field;
    const excField = fn.exceptions.find((f) => f.name === name);
    if (excField === undefined)
      return {
        kind: 'fail',
        message: `${fn.name}: the scripted exception ${JSON.stringify(name)} is not in its throws clause`,
      };
    return { kind: 'raise', value: null, field: excField, valueJson: answer.exception.value ?? {} };
  }

  /**
   * Decides the answer to one call.
   * @param {FunctionInfo} fn
   * @param {Record<string, any>} args
   * @returns {Outcome}
   */
  decide(fn, args) {
    if (fn.oneway) this.onewayLog.record(this.port, this.service, fn, args, this.toJson);
    return this.scriptedOutcome(fn, args) ?? this.store?.decide(fn, args) ?? decide(fn, args);
  }
}
