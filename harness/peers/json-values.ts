/**
 * The peers' JSON value encoding (peers/README.md) ⇄ the codec's values, driven by the type:
 * i64 `{"$i64": "…"}`, doubles that JSON cannot hold `{"$double": "NaN"|"Infinity"|"-Infinity"|"-0"}`,
 * binary `{"$binary": base64}`, sets `{"$set": [...]}`, maps `{"$map": [[k, v], ...]}`, structs as
 * objects of the fields that are set. This never touches Thrift bytes, so a codec bug cannot
 * hide itself in the control channel.
 */
import { classFor } from '../../codec/src/index.js';
import type { TypeSpec } from '../../codec/src/index.js';

/** A JSON value as the control channel carries it. */
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Converts a codec value of `t` into the peers' JSON encoding. Throws Error for a value of the wrong shape. */
export function toPeerJson(t: TypeSpec, v: unknown): Json {
  switch (t.kind) {
    case 'i64':
      return { $i64: String(v) };
    case 'double': {
      const d = v as number;
      if (Number.isNaN(d)) return { $double: 'NaN' };
      if (d === Infinity) return { $double: 'Infinity' };
      if (d === -Infinity) return { $double: '-Infinity' };
      if (Object.is(d, -0)) return { $double: '-0' };
      return d;
    }
    case 'binary':
      return { $binary: Buffer.from(v as Uint8Array).toString('base64') };
    case 'list':
      return (v as unknown[]).map((x) => toPeerJson(t.valueType, x));
    case 'set':
      return { $set: [...(v as Iterable<unknown>)].map((x) => toPeerJson(t.valueType, x)) };
    case 'map':
      return {
        $map: [...(v as Map<unknown, unknown>)].map(([k, x]) => [
          toPeerJson(t.keyType, k),
          toPeerJson(t.valueType, x),
        ]),
      };
    case 'struct': {
      const out: { [k: string]: Json } = {};
      for (const f of t.fields) {
        // Own members only: a field may be named `toString` or `constructor`.
        const x = Object.hasOwn(v as object, f.name)
          ? (v as Record<string, unknown>)[f.name]
          : undefined;
        if (x !== undefined && x !== null) out[f.name] = toPeerJson(f.type, x);
      }
      return out;
    }
    default:
      return v as Json;
  }
}

function tagged(j: Json, tag: string): Json | undefined {
  return typeof j === 'object' && j !== null && !Array.isArray(j) && tag in j ? j[tag] : undefined;
}

/** Converts the peers' JSON encoding of a value of `t` into a codec value. Throws Error (or ValidationError) when it does not fit. */
export function fromPeerJson(t: TypeSpec, j: Json): unknown {
  switch (t.kind) {
    case 'i64': {
      const s = tagged(j, '$i64');
      if (typeof s === 'string') return BigInt(s);
      if (typeof j === 'number' && Number.isSafeInteger(j)) return BigInt(j);
      throw new Error(`expected {"$i64": "..."}, got ${JSON.stringify(j)}`);
    }
    case 'double': {
      const s = tagged(j, '$double');
      if (s === 'NaN') return NaN;
      if (s === 'Infinity') return Infinity;
      if (s === '-Infinity') return -Infinity;
      if (s === '-0') return -0;
      if (typeof j === 'number') return j;
      throw new Error(`expected a double, got ${JSON.stringify(j)}`);
    }
    case 'binary': {
      const s = tagged(j, '$binary');
      if (typeof s !== 'string')
        throw new Error(`expected {"$binary": base64}, got ${JSON.stringify(j)}`);
      return new Uint8Array(Buffer.from(s, 'base64'));
    }
    case 'list':
      if (!Array.isArray(j)) throw new Error(`expected an array, got ${JSON.stringify(j)}`);
      return j.map((x) => fromPeerJson(t.valueType, x));
    case 'set': {
      const items = tagged(j, '$set') ?? j;
      if (!Array.isArray(items))
        throw new Error(`expected {"$set": [...]}, got ${JSON.stringify(j)}`);
      return new Set(items.map((x) => fromPeerJson(t.valueType, x)));
    }
    case 'map': {
      const entries = tagged(j, '$map');
      if (Array.isArray(entries)) {
        return new Map(
          entries.map((e) => {
            if (!Array.isArray(e) || e.length !== 2)
              throw new Error(`expected a [key, value] pair, got ${JSON.stringify(e)}`);
            return [fromPeerJson(t.keyType, e[0]!), fromPeerJson(t.valueType, e[1]!)];
          }),
        );
      }
      if (typeof j === 'object' && j !== null && !Array.isArray(j)) {
        return new Map(
          Object.entries(j).map(([k, x]) => [
            fromPeerJson(t.keyType, k),
            fromPeerJson(t.valueType, x),
          ]),
        );
      }
      throw new Error(`expected {"$map": [...]}, got ${JSON.stringify(j)}`);
    }
    case 'struct': {
      if (typeof j !== 'object' || j === null || Array.isArray(j))
        throw new Error(`expected an object for ${t.name}, got ${JSON.stringify(j)}`);
      const init: Record<string, unknown> = {};
      for (const f of t.fields) {
        // Own members only: a field may be named `toString` or `constructor`.
        const x = Object.hasOwn(j, f.name) ? j[f.name] : undefined;
        if (x !== undefined && x !== null) init[f.name] = fromPeerJson(f.type, x);
      }
      return new (classFor(t))(init);
    }
    default:
      return j;
  }
}
