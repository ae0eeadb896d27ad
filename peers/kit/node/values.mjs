/**
 * Library-neutral type descriptions and the JSON value encoding of peers/README.md, for Node
 * peers (the JavaScript twin of peers/common/values.py).
 *
 * A peer describes its library's types as TypeDesc/StructDesc objects and says, in a small
 * `LibraryValues` object of hooks, how its library holds the values that differ between
 * libraries (i64, binary, enums, sets, maps, structs). The walk over types, the checks of JSON
 * input and the canonical ordering of sets and maps are done here, once, for every Node peer.
 *
 * @typedef {'bool'|'i8'|'i16'|'i32'|'i64'|'double'|'string'|'binary'|'list'|'set'|'map'|'enum'|'struct'} Kind
 * @typedef {{kind: Kind, elem?: TypeDesc, key?: TypeDesc, struct?: StructDesc, name?: string, enum?: any}} TypeDesc
 *   `enum` holds whatever the library needs to map an enum's numbers and its own values.
 * @typedef {{id: number, name: string, type: TypeDesc}} FieldDesc
 * @typedef {{name: string, qualname: string, kind: 'struct'|'union'|'exception', fields: FieldDesc[], cls?: any}} StructDesc
 *
 * @typedef {object} LibraryValues hooks between plain JS values and the library's own
 * @property {(v: bigint) => any} i64In a bigint (in range) as the library holds an i64
 * @property {(v: any) => bigint} i64Out the library's i64 as a bigint
 * @property {(t: TypeDesc, n: number) => any} enumIn an enum number as the library holds it
 * @property {(t: TypeDesc, v: any) => number} enumOut the library's enum value as its number
 * @property {(items: any[], t: TypeDesc) => any} setIn library values -> the library's set
 * @property {(v: any, t: TypeDesc) => Iterable<any>} setOut the library's set -> its elements
 * @property {(pairs: [any, any][], t: TypeDesc) => any} mapIn [key, value] pairs -> the library's map
 * @property {(v: any, t: TypeDesc) => [any, any][]} mapOut the library's map -> [key, value] pairs
 * @property {(s: StructDesc, fields: Record<string, any>) => any} structIn set fields -> an instance
 * @property {(s: StructDesc, obj: any, name: string) => any} fieldOut a field of an instance (null/undefined = unset)
 */
import { Buffer } from 'node:buffer';

/** A JSON value does not fit its Thrift type (the peers answer EncodeError). */
export class ValueError extends Error {}

const INT_RANGES = {
  i8: [-(2n ** 7n), 2n ** 7n - 1n],
  i16: [-(2n ** 15n), 2n ** 15n - 1n],
  i32: [-(2n ** 31n), 2n ** 31n - 1n],
  i64: [-(2n ** 63n), 2n ** 63n - 1n],
  enum: [-(2n ** 31n), 2n ** 31n - 1n],
};

/**
 * The type's name for messages: `list<i32>`, `map<string,Foo>`, a struct or enum name.
 * @param {TypeDesc | null | undefined} t
 * @returns {string}
 */
export function describe(t) {
  if (t == null) return 'void';
  if (t.kind === 'list' || t.kind === 'set') return `${t.kind}<${describe(t.elem)}>`;
  if (t.kind === 'map') return `map<${describe(t.key)},${describe(t.elem)}>`;
  if (t.kind === 'struct') return t.struct ? t.struct.name : 'struct';
  if (t.kind === 'enum') return t.name ?? 'enum';
  return t.kind;
}

/**
 * Type equality for the generic handlers: typedefs already resolved; an enum equals i32; structs
 * compare by qualified name.
 * @param {TypeDesc | null | undefined} a
 * @param {TypeDesc | null | undefined} b
 * @returns {boolean}
 */
export function sameType(a, b) {
  if (a == null || b == null) return a == b;
  const ka = a.kind === 'enum' ? 'i32' : a.kind;
  const kb = b.kind === 'enum' ? 'i32' : b.kind;
  if (ka !== kb) return false;
  if (ka === 'list' || ka === 'set') return sameType(a.elem, b.elem);
  if (ka === 'map') return sameType(a.key, b.key) && sameType(a.elem, b.elem);
  if (ka === 'struct') return a.struct === b.struct || a.struct.qualname === b.struct.qualname;
  return true;
}

/**
 * JSON text with sorted keys and only ASCII (Python's `json.dumps(sort_keys=True,
 * separators=(",", ":"))`), used to sort set elements and map keys.
 * @param {unknown} j
 * @returns {string}
 */
export function canonical(j) {
  /** A copy of `v` with object keys sorted, recursively. @param {unknown} v @returns {unknown} */
  const sortKeys = (v) => {
    if (Array.isArray(v)) return v.map(sortKeys);
    if (v !== null && typeof v === 'object') {
      const o = {};
      for (const k of Object.keys(v).sort()) o[k] = sortKeys(v[k]);
      return o;
    }
    return v;
  };
  return JSON.stringify(sortKeys(j)).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/**
 * Sorts by canonical text (code-unit order, which equals Python's for ASCII text).
 * @template T
 * @param {T[]} items
 * @param {(x: T) => unknown} keyOf
 * @returns {T[]}
 */
function sortCanonical(items, keyOf) {
  const keyed = items.map((x) => [canonical(keyOf(x)), x]);
  keyed.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return keyed.map((p) => p[1]);
}

/**
 * A short JSON rendering of a value for messages.
 * @param {unknown} j
 * @returns {string}
 */
function short(j) {
  let s;
  try {
    s = JSON.stringify(j) ?? String(j);
  } catch {
    s = String(j);
  }
  return s.length <= 60 ? s : `${s.slice(0, 57)}...`;
}

/**
 * A double as JSON (specials as {"$double": ...}).
 * @param {number} v
 * @returns {number | {$double: string}}
 */
export function doubleToJson(v) {
  if (Number.isNaN(v)) return { $double: 'NaN' };
  if (v === Infinity) return { $double: 'Infinity' };
  if (v === -Infinity) return { $double: '-Infinity' };
  if (Object.is(v, -0)) return { $double: '-0' };
  return v;
}

/**
 * Is `j` an object with exactly the one key `k`?
 * @param {unknown} j
 * @param {string} k
 * @returns {boolean}
 */
function isTagged(j, k) {
  return (
    j !== null &&
    typeof j === 'object' &&
    !Array.isArray(j) &&
    Object.keys(j).length === 1 &&
    Object.hasOwn(j, k)
  );
}

/**
 * An integer of JSON input (a number or {"$i64": "<decimal>"}) as a bigint; ranges are left to the library.
 * @param {TypeDesc} t
 * @param {unknown} j
 * @param {string} path
 * @returns {bigint}
 */
function intIn(t, j, path) {
  if (isTagged(j, '$i64') && typeof j.$i64 === 'string') {
    if (!/^\s*[-+]?\d+\s*$/.test(j.$i64)) throw new ValueError(`${path}: bad $i64 '${j.$i64}'`);
    return BigInt(j.$i64.trim());
  }
  if (typeof j !== 'number' || !Number.isInteger(j)) {
    throw new ValueError(`${path}: expected an integer for ${describe(t)}, got ${short(j)}`);
  }
  return BigInt(j);
}

/**
 * A double of JSON input.
 * @param {unknown} j
 * @param {string} path
 * @returns {number}
 */
function doubleIn(j, path) {
  if (isTagged(j, '$double')) {
    const specials = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity, '-0': -0 };
    if (typeof j.$double === 'string' && Object.hasOwn(specials, j.$double))
      return specials[j.$double];
    throw new ValueError(`${path}: bad $double ${short(j.$double)}`);
  }
  if (typeof j !== 'number')
    throw new ValueError(`${path}: expected a number for double, got ${short(j)}`);
  return j;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Builds the JSON <-> library conversions for one library.
 * @param {LibraryValues} lib
 */
export function makeValues(lib) {
  /**
   * A value held by the library -> the JSON value encoding.
   * @param {TypeDesc} t
   * @param {any} v
   * @param {string} path
   * @returns {unknown}
   */
  function toJson(t, v, path = '') {
    if (v === null || v === undefined)
      throw new ValueError(`${path || 'value'}: unset where a ${describe(t)} is needed`);
    switch (t.kind) {
      case 'bool':
        return Boolean(v);
      case 'i8':
      case 'i16':
      case 'i32':
        return Number(v);
      case 'enum':
        return lib.enumOut(t, v);
      case 'i64':
        return { $i64: lib.i64Out(v).toString() };
      case 'double':
        return doubleToJson(Number(v));
      case 'string':
        return Buffer.isBuffer(v) ? { $binary: v.toString('base64') } : String(v);
      case 'binary':
        return { $binary: (Buffer.isBuffer(v) ? v : Buffer.from(v)).toString('base64') };
      case 'list':
        return Array.from(v, (e, i) => toJson(t.elem, e, `${path}[${i}]`));
      case 'set':
        return {
          $set: sortCanonical(
            Array.from(lib.setOut(v, t), (e) => toJson(t.elem, e, `${path}{}`)),
            (x) => x,
          ),
        };
      case 'map': {
        const entries = lib
          .mapOut(v, t)
          .map(([k, x]) => [
            toJson(t.key, k, `${path}{key}`),
            toJson(t.elem, x, `${path}[${short(k)}]`),
          ]);
        return { $map: sortCanonical(entries, (e) => e[0]) };
      }
      case 'struct':
        return structToJson(t.struct, v, path);
      default:
        throw new ValueError(`${path}: unknown type kind ${t.kind}`);
    }
  }

  /**
   * A struct instance -> an object of its set fields.
   * @param {StructDesc} s
   * @param {any} obj
   * @param {string} path
   * @returns {Record<string, unknown>}
   */
  function structToJson(s, obj, path = '') {
    const out = {};
    for (const f of s.fields) {
      const fv = lib.fieldOut(s, obj, f.name);
      if (fv !== null && fv !== undefined)
        out[f.name] = toJson(f.type, fv, `${path || s.name}.${f.name}`);
    }
    return out;
  }

  /**
   * A JSON value -> the value the library expects for type t.
   * @param {TypeDesc} t
   * @param {unknown} j
   * @param {string} path
   * @returns {any}
   */
  function fromJson(t, j, path = 'value') {
    if (j === null || j === undefined)
      throw new ValueError(`${path}: null is not a ${describe(t)} (leave the field out instead)`);
    switch (t.kind) {
      case 'bool':
        if (typeof j !== 'boolean')
          throw new ValueError(`${path}: expected true/false, got ${short(j)}`);
        return j;
      case 'i8':
      case 'i16':
      case 'i32':
        return Number(intIn(t, j, path));
      case 'enum':
        return lib.enumIn(t, Number(intIn(t, j, path)));
      case 'i64': {
        const n = intIn(t, j, path);
        const [lo, hi] = INT_RANGES.i64;
        if (n < lo || n > hi) throw new ValueError(`${path}: ${n} is out of range for i64`);
        return lib.i64In(n);
      }
      case 'double':
        return doubleIn(j, path);
      case 'string':
        if (typeof j !== 'string')
          throw new ValueError(`${path}: expected a string, got ${short(j)}`);
        return j;
      case 'binary':
        if (isTagged(j, '$binary') && typeof j.$binary === 'string') {
          if (!BASE64.test(j.$binary)) throw new ValueError(`${path}: bad base64 in $binary`);
          return Buffer.from(j.$binary, 'base64');
        }
        throw new ValueError(`${path}: expected {"$binary": base64}, got ${short(j)}`);
      case 'list':
        if (!Array.isArray(j)) throw new ValueError(`${path}: expected an array, got ${short(j)}`);
        return j.map((e, i) => fromJson(t.elem, e, `${path}[${i}]`));
      case 'set': {
        const items = isTagged(j, '$set') ? j.$set : j;
        if (!Array.isArray(items))
          throw new ValueError(`${path}: expected {"$set": [...]}, got ${short(j)}`);
        return lib.setIn(
          items.map((e, i) => fromJson(t.elem, e, `${path}{${i}}`)),
          t,
        );
      }
      case 'map': {
        let entries;
        if (isTagged(j, '$map')) entries = j.$map;
        else if (
          j !== null &&
          typeof j === 'object' &&
          !Array.isArray(j) &&
          t.key.kind === 'string'
        )
          entries = Object.entries(j);
        else throw new ValueError(`${path}: expected {"$map": [[k, v], ...]}, got ${short(j)}`);
        if (!Array.isArray(entries))
          throw new ValueError(`${path}: $map must hold an array of [key, value] pairs`);
        const pairs = entries.map((e, i) => {
          if (!Array.isArray(e) || e.length !== 2)
            throw new ValueError(`${path}: $map entry ${i} is not a [key, value] pair`);
          return [
            fromJson(t.key, e[0], `${path}{key ${i}}`),
            fromJson(t.elem, e[1], `${path}[${i}]`),
          ];
        });
        return lib.mapIn(pairs, t);
      }
      case 'struct':
        return structFromJson(t.struct, j, path);
      default:
        throw new ValueError(`${path}: unknown type kind ${t.kind}`);
    }
  }

  /**
   * An object of fields -> a library instance of struct s.
   * @param {StructDesc} s
   * @param {unknown} j
   * @param {string} path
   * @returns {any}
   */
  function structFromJson(s, j, path = '') {
    path = path || s.name;
    if (j === null || typeof j !== 'object' || Array.isArray(j)) {
      throw new ValueError(`${path}: expected an object for ${s.name}, got ${short(j)}`);
    }
    const fields = {};
    for (const [name, fj] of Object.entries(j)) {
      const f = s.fields.find((x) => x.name === name);
      if (f === undefined) throw new ValueError(`${path}: ${s.name} has no field named '${name}'`);
      fields[name] = fromJson(f.type, fj, `${path}.${name}`);
    }
    try {
      return lib.structIn(s, fields);
    } catch (e) {
      if (e instanceof ValueError) throw e;
      throw new ValueError(`${path}: cannot build ${s.name}: ${e?.message ?? e}`);
    }
  }

  return { toJson, structToJson, fromJson, structFromJson };
}
