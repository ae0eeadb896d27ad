/**
 * The compact-protocol walker behind `annotate(spec, bytes, { protocol: 'compact' })`: the
 * binary walker (walker.ts) with compact field, list and map headers, varints, little-endian
 * doubles and bools in field headers. Like it, it never uses the codec's decoder, emits a span for
 * every byte and throws `Stop` where the bytes go wrong. Every varint's bytes are one span, named
 * with their field and meaning:
 *
 *   15        Foo.count: field header (delta 1, i32), id 1 (count)
 *   d8 04     Foo.count: value 300 (zigzag varint)
 *   19 35     Foo.ints: field header (delta 1, list), id 2 (ints) / list header (size 3, i32)
 *
 * Node type codes are the binary protocol's TType codes (bool fields and elements are BOOL), so
 * canonical.ts compares both protocols' trees alike.
 */
import type { StructSpec, TypeSpec } from '../../codec/src/index.js';
import { messageTypeName, TType, ttypeName } from '../../codec/src/index.js';
import type {
  EnvelopeInfo,
  FieldNode,
  LeafNode,
  MapNode,
  SeqNode,
  StructNode,
} from './annotation.js';
import type { Loc } from './text.js';
import { doubleText, fieldLoc, hex, indexLoc, keyLoc, rootLoc, valueLoc } from './text.js';
import {
  decodeUtf8,
  enumText,
  fieldsById,
  fieldText,
  mapSpecs,
  isValueType,
  Stop,
  stopText,
  uuidText,
  Walker,
  wireType,
} from './walker.js';

/** Compact type code → TType (1 and 2 are bool); -1 for codes that are not types. */
const TTYPE_OF: readonly number[] = [0, 2, 2, 3, 6, 8, 10, 4, 11, 15, 14, 13, 12, 16];
/** Names of compact field types as a field header means them. */
const FIELD_NAMES: readonly string[] = [
  'stop',
  'bool true',
  'bool false',
  'i8',
  'i16',
  'i32',
  'i64',
  'double',
  'binary',
  'list',
  'set',
  'map',
  'struct',
  'uuid',
];
/** Least bytes one element of each TType takes in compact. */
function minSize(t: number): number {
  return t === TType.DOUBLE ? 8 : t === TType.UUID ? 16 : 1;
}

function ttypeOf(ctype: number): number {
  return TTYPE_OF[ctype] ?? -1;
}

function elemName(ctype: number): string {
  return ctype === 1 || ctype === 2 ? 'bool' : (FIELD_NAMES[ctype] ?? `unknown ${ctype}`);
}

const zigzag = (v: bigint): bigint => (v >> 1n) ^ -(v & 1n);

/** Walks compact-protocol bytes (see the module comment). */
export class CompactWalker extends Walker {
  /**
   * Reads a varint of at most `maxBytes` (5 for 32-bit values, 10 for 64-bit ones) as an
   * unsigned bigint; throws Stop when it is cut off, too long or wider than its bits.
   */
  varint(maxBytes: 5 | 10, what: string, loc: Loc, at = this.pos): bigint {
    let v = 0n;
    for (let i = 0; ; i++) {
      if (this.pos >= this.b.length)
        throw new Stop(at, loc, `input ends inside ${what} (a varint)`);
      if (i === maxBytes) throw new Stop(at, loc, `${what}: varint longer than ${maxBytes} bytes`);
      const x = this.b[this.pos++]!;
      v |= BigInt(x & 0x7f) << BigInt(7 * i);
      if (x < 0x80) break;
    }
    const bits = maxBytes === 5 ? 32n : 64n;
    if (v >> bits !== 0n) throw new Stop(at, loc, `${what}: varint wider than ${bits} bits`);
    return v;
  }

  /** A non-negative i32 varint (a length or size); throws Stop past 2^31-1. */
  length(what: string, loc: Loc, at = this.pos): number {
    const v = this.varint(5, what, loc, at);
    if (v > 0x7fffffffn) throw new Stop(at, loc, `${what} ${BigInt.asIntN(32, v)} is negative`);
    return Number(v);
  }

  leafAt(at: number, type: number, loc: Loc, meaning: string, canonical?: Uint8Array): LeafNode {
    this.span(at, loc, 'value', meaning, type);
    const leaf: LeafNode = { kind: 'leaf', start: at, end: this.pos, ...loc, ttype: type, meaning };
    return canonical === undefined ? leaf : { ...leaf, canonical };
  }

  override struct(spec: StructSpec | undefined, loc: Loc): StructNode {
    this.enter(loc);
    const start = this.pos;
    const fields: FieldNode[] = [];
    let last = 0;
    for (;;) {
      const at = this.pos;
      this.need(1, `a field header or the stop of ${loc.path}`, loc);
      const h = this.b[at]!;
      if (h === 0) {
        this.pos++;
        this.span(at, loc, 'stop', stopText(spec, fields), TType.STOP);
        break;
      }
      const ctype = h & 0x0f;
      const delta = h >> 4;
      this.pos++;
      let id: number;
      if (delta === 0) {
        const z = zigzag(this.varint(5, 'the field id', loc, at));
        if (z < -32768n || z > 32767n) throw new Stop(at, loc, `field id ${z} is out of range`);
        id = Number(z);
      } else id = last + delta;
      if (id > 32767) throw new Stop(at, loc, `field id delta ${delta} after ${last} passes 32767`);
      const field = spec === undefined ? undefined : fieldsById(spec).get(id);
      const floc = field ? fieldLoc(loc, field.name) : fieldLoc(loc, `#${id}`);
      const type = ttypeOf(ctype);
      if (ctype === 0 || !isValueType(type)) {
        throw new Stop(at, floc, `field header with unknown type code ${ctype} (id ${id})`);
      }
      const form = delta === 0 ? 'long form' : `delta ${delta}`;
      const { text, valueSpec } = fieldText(field, id, type);
      const meaning = `field header (${form}, ${FIELD_NAMES[ctype]}), ${text}`;
      this.span(at, floc, 'field header', meaning, type);
      const headerEnd = this.pos;
      let value: LeafNode | StructNode | SeqNode | MapNode;
      if (type === TType.BOOL) {
        // The value is the header's type: no bytes of its own.
        const v = ctype === 1;
        value = {
          kind: 'leaf',
          start: at,
          end: this.pos,
          ...floc,
          ttype: type,
          meaning: `value ${v} (in the field header)`,
          canonical: Uint8Array.of(v ? 1 : 0),
          inHeader: true,
        };
      } else value = this.value(type, valueSpec, floc);
      fields.push({ id, ttype: type, headerStart: at, headerEnd, ...floc, meaning, value });
      last = id;
    }
    this.depth--;
    return { kind: 'struct', start, end: this.pos, ...loc, fields };
  }

  override value(
    type: number,
    spec: TypeSpec | undefined,
    loc: Loc,
  ): LeafNode | StructNode | SeqNode | MapNode {
    const at = this.pos;
    switch (type) {
      case TType.BOOL: {
        this.need(1, 'a bool', loc);
        const v = this.b[this.pos++]!;
        if (v > 2) throw new Stop(at, loc, `bool byte ${v} is not 1 (true) or 0 or 2 (false)`);
        const text =
          v === 1
            ? 'value true'
            : v === 2
              ? 'value false'
              : "value false (byte 0, the spec's form)";
        return this.leafAt(at, type, loc, text, Uint8Array.of(v === 1 ? 1 : 0));
      }
      case TType.I16:
      case TType.I32: {
        const z = zigzag(this.varint(5, type === TType.I16 ? 'an i16' : 'an i32', loc));
        if (type === TType.I16 && (z < -32768n || z > 32767n)) {
          throw new Stop(at, loc, `i16 value ${z} is out of range`);
        }
        const n = Number(z);
        const text = spec?.kind === 'enum' ? enumText(spec, n) : String(n);
        return this.leafAt(at, type, loc, `value ${text} (zigzag varint)`);
      }
      case TType.I64: {
        const v = BigInt.asIntN(64, zigzag(this.varint(10, 'an i64', loc)));
        return this.leafAt(at, type, loc, `value ${v} (zigzag varint)`);
      }
      case TType.DOUBLE: {
        this.need(8, 'a double', loc);
        const v = this.view.getFloat64(this.pos, true);
        const bits = hex(
          this.b
            .subarray(this.pos, this.pos + 8)
            .slice()
            .reverse(),
        );
        this.pos += 8;
        const odd = Number.isNaN(v) && bits !== '7ff8000000000000' ? ` (bits 0x${bits})` : '';
        return this.leafAt(at, type, loc, `value ${doubleText(v)} (little-endian)${odd}`);
      }
      default:
        return super.value(type, spec, loc);
    }
  }

  override string(spec: TypeSpec | undefined, loc: Loc): LeafNode {
    const at = this.pos;
    const what = spec?.kind === 'binary' ? 'binary' : 'string';
    const n = this.length(`${what} length`, loc);
    if (n > this.remaining) {
      throw new Stop(at, loc, `${what} length ${n} but only ${this.remaining} bytes remain`);
    }
    this.span(at, loc, 'length', `${what} length ${n} (varint)`, TType.STRING);
    return this.stringBody(at, n, spec, loc);
  }

  /** Checks that `size` elements of these types could fit in what remains. */
  room(kind: string, size: number, types: readonly number[], loc: Loc, at: number): void {
    const per = types.reduce((n, t) => n + minSize(t), 0);
    if (size * per > this.remaining) {
      throw new Stop(
        at,
        loc,
        `${kind} of ${size} elements needs at least ${size * per} bytes, only ${this.remaining} remain`,
      );
    }
  }

  override seq(type: number, spec: TypeSpec | undefined, loc: Loc): SeqNode {
    const kind = type === TType.LIST ? 'list' : 'set';
    this.enter(loc);
    const at = this.pos;
    this.need(1, `a ${kind} header`, loc);
    const h = this.b[this.pos++]!;
    const ctype = h & 0x0f;
    const long = h >> 4 === 15;
    const size = long ? this.length(`the ${kind} size`, loc, at) : h >> 4;
    const elemType = ttypeOf(ctype);
    if (!isValueType(elemType)) throw new Stop(at, loc, `${kind} of unknown type code ${ctype}`);
    this.room(kind, size, [elemType], loc, at);
    const elemSpec = spec?.kind === kind ? spec.valueType : undefined;
    let meaning = `${kind} header (${long ? 'long form: ' : ''}size ${size}, ${elemName(ctype)})`;
    let matching = elemSpec;
    if (elemSpec !== undefined && wireType(elemSpec) !== elemType) {
      meaning += `, expected ${ttypeName(wireType(elemSpec))}`;
      matching = undefined;
    }
    this.span(at, loc, `${kind} header`, meaning, type);
    const headerEnd = this.pos;
    const elems = [];
    for (let i = 0; i < size; i++) elems.push(this.value(elemType, matching, indexLoc(loc, i)));
    this.depth--;
    return { kind, start: at, end: this.pos, ...loc, elemType, size, headerEnd, meaning, elems };
  }

  override map(spec: TypeSpec | undefined, loc: Loc): MapNode {
    this.enter(loc);
    const at = this.pos;
    const size = this.length('the map size', loc);
    let keyType = 0;
    let valueType = 0;
    let meaning = 'map header (size 0: an empty map, no types)';
    let keySpec: TypeSpec | undefined;
    let valSpec: TypeSpec | undefined;
    if (size > 0) {
      if (this.remaining < 1)
        throw new Stop(at, loc, 'input ends where the map key and value types should be');
      const kv = this.b[this.pos++]!;
      keyType = ttypeOf(kv >> 4);
      valueType = ttypeOf(kv & 0x0f);
      if (!isValueType(keyType) || !isValueType(valueType)) {
        throw new Stop(at, loc, `map of unknown type codes ${kv >> 4} → ${kv & 0x0f}`);
      }
      this.room('map', size, [keyType, valueType], loc, at);
      const m = mapSpecs(spec, keyType, valueType);
      meaning = `map header (size ${size}, ${elemName(kv >> 4)} → ${elemName(kv & 0x0f)})${m.suffix}`;
      keySpec = m.keySpec;
      valSpec = m.valSpec;
    }
    this.span(at, loc, 'map header', meaning, TType.MAP);
    const headerEnd = this.pos;
    const entries = [];
    for (let i = 0; i < size; i++) {
      const k = this.peekKey(keyType, keySpec);
      const key = this.value(keyType, keySpec, keyLoc(loc, k));
      const value = this.value(valueType, valSpec, valueLoc(loc, k));
      entries.push({ key, value });
    }
    this.depth--;
    const node = { kind: 'map', start: at, end: this.pos, ...loc, keyType, valueType } as const;
    return { ...node, size, headerEnd, meaning, entries };
  }

  /** Reads the key at the current position without moving or emitting spans; undefined if it cannot. */
  override peekKey(type: number, spec: TypeSpec | undefined): unknown {
    const pos = this.pos;
    const spans = this.spans.length;
    try {
      switch (type) {
        case TType.BOOL:
          return this.remaining >= 1 ? this.b[pos] === 1 : undefined;
        case TType.I16:
        case TType.I32:
          return Number(zigzag(this.varint(5, 'a key', rootLoc(''))));
        case TType.I64:
          return BigInt.asIntN(64, zigzag(this.varint(10, 'a key', rootLoc(''))));
        case TType.DOUBLE:
          return this.remaining >= 8 ? this.view.getFloat64(pos, true) : undefined;
        case TType.STRING: {
          const n = this.length('a key length', rootLoc(''));
          if (n > this.remaining) return undefined;
          const b = this.b.subarray(this.pos, this.pos + n);
          return spec?.kind === 'binary' ? b : decodeUtf8(b);
        }
        case TType.UUID:
          return this.remaining >= 16 ? uuidText(this.b.subarray(pos, pos + 16)) : undefined;
        default:
          return super.peekKey(type, spec);
      }
    } catch {
      return undefined;
    } finally {
      this.pos = pos;
      this.spans.length = spans;
    }
  }

  override envelope(): EnvelopeInfo {
    const vloc = rootLoc('envelope.version');
    this.need(2, 'a compact envelope header', vloc);
    const id = this.b[0]!;
    const vt = this.b[1]!;
    if (id !== 0x82)
      throw new Stop(0, vloc, `bad protocol id 0x${hex(this.b.subarray(0, 1))} (compact is 0x82)`);
    if ((vt & 0x1f) !== 1) throw new Stop(0, vloc, `bad compact version ${vt & 0x1f} (expected 1)`);
    const messageType = vt >> 5;
    this.pos = 2;
    const type = `${messageTypeName(messageType)} (${messageType})`;
    this.span(
      0,
      vloc,
      'envelope version',
      `compact protocol id 0x82, version 1, message type ${type}`,
    );
    const sloc = rootLoc('envelope.seqid');
    const seqidAt = this.pos;
    const seqid = Number(BigInt.asIntN(32, this.varint(5, 'the seqid', sloc)));
    this.span(seqidAt, sloc, 'envelope seqid', `seqid ${seqid} (varint)`);
    const nloc = rootLoc('envelope.name');
    const nat = this.pos;
    const n = this.length('method name length', nloc);
    if (n > this.remaining) {
      throw new Stop(nat, nloc, `method name length ${n} but ${this.remaining} bytes remain`);
    }
    this.span(nat, nloc, 'envelope name length', `method name length ${n} (varint)`);
    const nameAt = this.pos;
    const nameBytes = this.b.subarray(this.pos, this.pos + n);
    const name = decodeUtf8(nameBytes);
    if (n > 0) {
      this.pos += n;
      this.span(
        nameAt,
        nloc,
        'envelope name',
        name === undefined ? 'method name, invalid UTF-8' : `method name ${JSON.stringify(name)}`,
      );
    }
    return {
      strict: true,
      name: name ?? hex(nameBytes),
      nameBytes,
      messageType,
      seqid,
      nameAt,
      typeAt: 1,
      seqidAt,
      seqidLength: nat - seqidAt,
      end: this.pos,
    };
  }
}
