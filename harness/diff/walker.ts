/**
 * The walkers behind `annotate` (annotate.ts): `Walker` reads binary-protocol bytes, and
 * walker-compact.ts extends it for the compact protocol. Each emits a span for every byte and
 * builds the annotation tree; a walk that goes wrong throws `Stop`, which `annotate` turns into a
 * `malformed` span.
 */
import type { EnumSpec, StructSpec, TypeSpec } from '../../codec/src/index.js';
import { compile, messageTypeName, TType, ttypeName } from '../../codec/src/index.js';
import type {
  EnvelopeInfo,
  FieldNode,
  LeafNode,
  MapNode,
  Node,
  SeqNode,
  Span,
  SpanRole,
  StructNode,
} from './annotation.js';
import type { Loc } from './text.js';
import { cut, doubleText, fieldLoc, hex, indexLoc, keyLoc, rootLoc, valueLoc } from './text.js';

/** Thrown inside a walk: where the bytes went wrong and why. */
export class Stop extends Error {
  constructor(
    readonly at: number,
    readonly loc: Loc,
    readonly reason: string,
  ) {
    super(reason);
  }
}

const fieldMaps = new WeakMap<StructSpec, ReadonlyMap<number, StructSpec['fields'][number]>>();
/** The fields of a struct spec by id (memoised). Never throws. */
export function fieldsById(spec: StructSpec): ReadonlyMap<number, StructSpec['fields'][number]> {
  let m = fieldMaps.get(spec);
  if (m === undefined) {
    m = new Map(spec.fields.map((f) => [f.id, f]));
    fieldMaps.set(spec, m);
  }
  return m;
}

/** The wire type a value of `spec` is written with. Never throws. */
export function wireType(spec: TypeSpec): number {
  switch (spec.kind) {
    case 'bool':
      return TType.BOOL;
    case 'byte':
      return TType.BYTE;
    case 'i16':
      return TType.I16;
    case 'i32':
    case 'enum':
      return TType.I32;
    case 'i64':
      return TType.I64;
    case 'double':
      return TType.DOUBLE;
    case 'string':
    case 'binary':
      return TType.STRING;
    case 'uuid':
      return TType.UUID;
    case 'list':
      return TType.LIST;
    case 'set':
      return TType.SET;
    case 'map':
      return TType.MAP;
    case 'struct':
      return TType.STRUCT;
  }
}

/** True for the type codes a value can have on the wire. */
export function isValueType(t: number): boolean {
  return t >= 2 && t <= 16 && t !== 5 && t !== 7 && t !== 9;
}

/** The least number of bytes a value of wire type `t` takes. */
function minSize(t: number): number {
  switch (t) {
    case TType.I16:
      return 2;
    case TType.I32:
    case TType.STRING:
      return 4;
    case TType.I64:
    case TType.DOUBLE:
      return 8;
    case TType.UUID:
      return 16;
    case TType.LIST:
    case TType.SET:
      return 5;
    case TType.MAP:
      return 6;
    default:
      return 1;
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
/** Decodes UTF-8, or undefined when the bytes are not UTF-8. Never throws. */
export function decodeUtf8(b: Uint8Array): string | undefined {
  try {
    return utf8.decode(b);
  } catch {
    return undefined;
  }
}

/** `2 (GREEN)` or `9 (not in Color)`. Never throws. */
export function enumText(spec: EnumSpec, v: number): string {
  const item = spec.items.find((i) => i.value === v);
  return item ? `${v} (${item.name})` : `${v} (not in ${spec.name})`;
}

/** Canonical uuid text of 16 bytes. Never throws. */
export function uuidText(b: Uint8Array): string {
  const h = hex(b);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** `i32 (8)`. Never throws. */
export function typeText(t: number): string {
  return `${ttypeName(t)} (${t})`;
}

/**
 * How a field header names its field: `id 3 (count)` or `unknown field id 3`, with `, expected
 * i32 (8)` when the wire type is not the IDL's; and the spec to read the value with (undefined
 * for unknown or mistyped fields). Never throws.
 */
export function fieldText(
  field: StructSpec['fields'][number] | undefined,
  id: number,
  type: number,
): { text: string; valueSpec: TypeSpec | undefined } {
  if (field === undefined) return { text: `unknown field id ${id}`, valueSpec: undefined };
  const expected = wireType(field.type);
  if (expected === type) return { text: `id ${id} (${field.name})`, valueSpec: field.type };
  return { text: `id ${id} (${field.name}), expected ${typeText(expected)}`, valueSpec: undefined };
}

/**
 * The specs to read a map's keys and values with (undefined where the wire types are not the
 * IDL's), and `, expected string → i64` when they are not. Never throws.
 */
export function mapSpecs(
  spec: TypeSpec | undefined,
  keyType: number,
  valueType: number,
): { suffix: string; keySpec: TypeSpec | undefined; valSpec: TypeSpec | undefined } {
  if (spec?.kind !== 'map') return { suffix: '', keySpec: undefined, valSpec: undefined };
  const ek = wireType(spec.keyType);
  const ev = wireType(spec.valueType);
  return {
    suffix:
      ek !== keyType || ev !== valueType ? `, expected ${ttypeName(ek)} → ${ttypeName(ev)}` : '',
    keySpec: ek === keyType ? spec.keyType : undefined,
    valSpec: ev === valueType ? spec.valueType : undefined,
  };
}

/**
 * `stop`, plus what the decoder will object to: required fields that did not arrive with their
 * IDL wire type, or a union without exactly one such field.
 */
export function stopText(spec: StructSpec | undefined, fields: readonly FieldNode[]): string {
  if (spec === undefined) return 'stop';
  const present = new Set(
    fields
      .filter((f) => {
        const field = fieldsById(spec).get(f.id);
        return field !== undefined && wireType(field.type) === f.ttype;
      })
      .map((f) => f.id),
  );
  if (spec.variant === 'union') {
    return present.size === 1
      ? 'stop'
      : `stop (union ${spec.name} has ${present.size} fields set, needs 1)`;
  }
  const missing = spec.fields.filter((f) => f.requiredness === 'required' && !present.has(f.id));
  if (missing.length === 0) return 'stop';
  const names = missing.map((f) => f.name).join(', ');
  return `stop (required field${missing.length > 1 ? 's' : ''} missing: ${names})`;
}

let appExceptionSpec: StructSpec | undefined;
/** The spec of TApplicationException's body (EXCEPTION messages carry it, not the IDL's type). */
export function applicationExceptionSpec(): StructSpec {
  if (appExceptionSpec === undefined) {
    const m = compile(
      'exception TApplicationException { 1: optional string message, 2: optional i32 type }',
      { file: 'tapplicationexception.thrift' },
    );
    appExceptionSpec = (m.__types__['TApplicationException'] as { __spec__: StructSpec }).__spec__;
  }
  return appExceptionSpec;
}

/** Walks binary-protocol bytes, emitting spans and building the annotation tree. */
export class Walker {
  pos = 0;
  depth = 0;
  readonly spans: Span[] = [];
  readonly view: DataView;

  constructor(
    readonly b: Uint8Array,
    readonly maxDepth: number,
  ) {
    this.view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }

  get remaining(): number {
    return this.b.length - this.pos;
  }

  need(n: number, what: string, loc: Loc): void {
    if (this.remaining < n) {
      throw new Stop(
        this.pos,
        loc,
        this.remaining === 0
          ? `input ends where ${what} should be`
          : `${what} needs ${n} bytes, only ${this.remaining} remain`,
      );
    }
  }

  span(start: number, loc: Loc, role: SpanRole, meaning: string, ttype?: number): void {
    const s: Span = { start, end: this.pos, path: loc.path, pattern: loc.pattern, meaning, role };
    this.spans.push(ttype === undefined ? s : { ...s, ttype });
  }

  i32(): number {
    const v = this.view.getInt32(this.pos);
    this.pos += 4;
    return v;
  }

  enter(loc: Loc): void {
    if (++this.depth > this.maxDepth) {
      throw new Stop(this.pos, loc, `nested deeper than ${this.maxDepth} levels`);
    }
  }

  struct(spec: StructSpec | undefined, loc: Loc): StructNode {
    this.enter(loc);
    const start = this.pos;
    const fields: FieldNode[] = [];
    for (;;) {
      const at = this.pos;
      this.need(1, `a field header or the stop of ${loc.path}`, loc);
      const type = this.b[at]!;
      if (type === TType.STOP) {
        this.pos++;
        this.span(at, loc, 'stop', stopText(spec, fields), TType.STOP);
        break;
      }
      this.need(3, `the field header in ${loc.path}`, loc);
      const id = this.view.getInt16(at + 1);
      const field = spec === undefined ? undefined : fieldsById(spec).get(id);
      const floc = field ? fieldLoc(loc, field.name) : fieldLoc(loc, `#${id}`);
      if (!isValueType(type)) {
        throw new Stop(at, floc, `field header with unknown type code ${type} (id ${id})`);
      }
      const { text, valueSpec } = fieldText(field, id, type);
      const meaning = `field header: ${typeText(type)}, ${text}`;
      this.pos += 3;
      this.span(at, floc, 'field header', meaning, type);
      const value = this.value(type, valueSpec, floc);
      fields.push({ id, ttype: type, headerStart: at, ...floc, meaning, value });
    }
    this.depth--;
    return { kind: 'struct', start, end: this.pos, ...loc, fields };
  }

  /** Reads the scalar at the current position without moving, for a map key's path segment. */
  peekKey(type: number, spec: TypeSpec | undefined): unknown {
    const r = this.remaining;
    const p = this.pos;
    switch (type) {
      case TType.BOOL:
        return r >= 1 ? this.b[p] !== 0 : undefined;
      case TType.BYTE:
        return r >= 1 ? this.view.getInt8(p) : undefined;
      case TType.I16:
        return r >= 2 ? this.view.getInt16(p) : undefined;
      case TType.I32:
        return r >= 4 ? this.view.getInt32(p) : undefined;
      case TType.I64:
        return r >= 8 ? this.view.getBigInt64(p) : undefined;
      case TType.DOUBLE:
        return r >= 8 ? this.view.getFloat64(p) : undefined;
      case TType.UUID:
        return r >= 16 ? uuidText(this.b.subarray(p, p + 16)) : undefined;
      case TType.STRING: {
        if (r < 4) return undefined;
        const n = this.view.getInt32(p);
        if (n < 0 || n > r - 4) return undefined;
        if (spec?.kind === 'binary') return this.b.subarray(p + 4, p + 4 + n);
        return decodeUtf8(this.b.subarray(p + 4, p + 4 + n));
      }
      default:
        return undefined;
    }
  }

  value(type: number, spec: TypeSpec | undefined, loc: Loc): Node {
    const at = this.pos;
    const leaf = (meaning: string): LeafNode => {
      this.span(at, loc, 'value', meaning, type);
      return { kind: 'leaf', start: at, end: this.pos, ...loc, ttype: type, meaning };
    };
    switch (type) {
      case TType.BOOL: {
        this.need(1, 'a bool', loc);
        const v = this.b[this.pos++]!;
        return leaf(`value ${v !== 0}${v > 1 ? ` (byte ${v}, not 0 or 1)` : ''}`);
      }
      case TType.BYTE: {
        this.need(1, 'a byte', loc);
        const v = this.view.getInt8(this.pos++);
        return leaf(`value ${v}`);
      }
      case TType.I16: {
        this.need(2, 'an i16', loc);
        const v = this.view.getInt16(this.pos);
        this.pos += 2;
        return leaf(`value ${v}`);
      }
      case TType.I32: {
        this.need(4, 'an i32', loc);
        const v = this.i32();
        return leaf(`value ${spec?.kind === 'enum' ? enumText(spec, v) : v}`);
      }
      case TType.I64: {
        this.need(8, 'an i64', loc);
        const v = this.view.getBigInt64(this.pos);
        this.pos += 8;
        return leaf(`value ${v}`);
      }
      case TType.DOUBLE: {
        this.need(8, 'a double', loc);
        const v = this.view.getFloat64(this.pos);
        const bits = hex(this.b.subarray(this.pos, this.pos + 8));
        this.pos += 8;
        const odd = Number.isNaN(v) && bits !== '7ff8000000000000' ? ` (bits 0x${bits})` : '';
        return leaf(`value ${doubleText(v)}${odd}`);
      }
      case TType.UUID: {
        this.need(16, 'a uuid', loc);
        this.pos += 16;
        return leaf(`value ${uuidText(this.b.subarray(at, this.pos))}`);
      }
      case TType.STRING:
        return this.string(spec, loc);
      case TType.STRUCT:
        return this.struct(spec?.kind === 'struct' ? spec : undefined, loc);
      case TType.LIST:
      case TType.SET:
        return this.seq(type, spec, loc);
      case TType.MAP:
        return this.map(spec, loc);
      default:
        throw new Stop(at, loc, `unknown type code ${type}`);
    }
  }

  string(spec: TypeSpec | undefined, loc: Loc): LeafNode {
    const at = this.pos;
    const what = spec?.kind === 'binary' ? 'binary' : 'string';
    this.need(4, `a ${what} length`, loc);
    const n = this.view.getInt32(at);
    if (n < 0) throw new Stop(at, loc, `negative ${what} length ${n}`);
    if (n > this.remaining - 4) {
      throw new Stop(at, loc, `${what} length ${n} but only ${this.remaining - 4} bytes remain`);
    }
    this.pos += 4;
    this.span(at, loc, 'length', `${what} length ${n}`, TType.STRING);
    return this.stringBody(at, n, spec, loc);
  }

  /** The bytes of a string or binary of length `n` whose length prefix starts at `at`. */
  stringBody(at: number, n: number, spec: TypeSpec | undefined, loc: Loc): LeafNode {
    const binary = spec?.kind === 'binary';
    const bytes = this.b.subarray(this.pos, this.pos + n);
    const text = binary ? undefined : decodeUtf8(bytes);
    let meaning: string;
    if (text !== undefined) meaning = JSON.stringify(cut(text, 40));
    else if (spec?.kind === 'string') meaning = `invalid UTF-8: bytes ${hex(bytes, 32)}`;
    else meaning = `bytes ${hex(bytes, 32)}`;
    if (n > 0) {
      const vat = this.pos;
      this.pos += n;
      this.span(vat, loc, 'value', meaning, TType.STRING);
    }
    return { kind: 'leaf', start: at, end: this.pos, ...loc, ttype: TType.STRING, meaning };
  }

  seq(type: number, spec: TypeSpec | undefined, loc: Loc): SeqNode {
    const kind = type === TType.LIST ? 'list' : 'set';
    this.enter(loc);
    const at = this.pos;
    this.need(5, `a ${kind} header`, loc);
    const elemType = this.b[at]!;
    const size = this.view.getInt32(at + 1);
    this.checkSize(kind, size, [elemType], loc);
    const elemSpec = spec?.kind === kind ? spec.valueType : undefined;
    let meaning = `${kind} header: ${ttypeName(elemType)} × ${size}`;
    let matching = elemSpec;
    if (elemSpec !== undefined && wireType(elemSpec) !== elemType) {
      meaning += `, expected ${ttypeName(wireType(elemSpec))}`;
      matching = undefined;
    }
    this.pos += 5;
    this.span(at, loc, `${kind} header`, meaning, type);
    const elems: Node[] = [];
    for (let i = 0; i < size; i++) elems.push(this.value(elemType, matching, indexLoc(loc, i)));
    this.depth--;
    return {
      kind,
      start: at,
      end: this.pos,
      ...loc,
      elemType,
      size,
      headerEnd: at + 5,
      meaning,
      elems,
    };
  }

  map(spec: TypeSpec | undefined, loc: Loc): MapNode {
    this.enter(loc);
    const at = this.pos;
    this.need(6, 'a map header', loc);
    const keyType = this.b[at]!;
    const valueType = this.b[at + 1]!;
    const size = this.view.getInt32(at + 2);
    this.checkSize('map', size, [keyType, valueType], loc);
    const { suffix, keySpec, valSpec } = mapSpecs(spec, keyType, valueType);
    const meaning = `map header: ${ttypeName(keyType)} → ${ttypeName(valueType)} × ${size}${suffix}`;
    this.pos += 6;
    this.span(at, loc, 'map header', meaning, TType.MAP);
    const entries: { key: Node; value: Node }[] = [];
    for (let i = 0; i < size; i++) {
      const k = this.peekKey(keyType, keySpec);
      const key = this.value(keyType, keySpec, keyLoc(loc, k));
      const value = this.value(valueType, valSpec, valueLoc(loc, k));
      entries.push({ key, value });
    }
    this.depth--;
    return {
      kind: 'map',
      start: at,
      end: this.pos,
      ...loc,
      keyType,
      valueType,
      size,
      headerEnd: at + 6,
      meaning,
      entries,
    };
  }

  checkSize(kind: string, size: number, types: number[], loc: Loc): void {
    if (size < 0) throw new Stop(this.pos, loc, `negative ${kind} size ${size}`);
    if (size === 0) return;
    for (const t of types) {
      if (!isValueType(t)) throw new Stop(this.pos, loc, `${kind} of unknown type code ${t}`);
    }
    const per = types.reduce((n, t) => n + minSize(t), 0);
    const left = this.remaining - (kind === 'map' ? 6 : 5);
    if (size * per > left) {
      throw new Stop(
        this.pos,
        loc,
        `${kind} of ${size} elements needs at least ${size * per} bytes, only ${left} remain`,
      );
    }
  }

  envelope(): EnvelopeInfo {
    const vloc = rootLoc('envelope.version');
    const nloc = rootLoc('envelope.name');
    const tloc = rootLoc('envelope.type');
    const sloc = rootLoc('envelope.seqid');
    this.need(4, 'an envelope header', vloc);
    const first = this.view.getInt32(0);
    const strict = first < 0;
    let messageType = 0;
    if (strict) {
      const word = first >>> 0;
      if ((word & 0xffff0000) >>> 0 !== 0x80010000 || (word & 0xff00) !== 0) {
        throw new Stop(0, vloc, `bad envelope version 0x${word.toString(16).padStart(8, '0')}`);
      }
      messageType = word & 0xff;
      this.pos = 4;
      const type = `${messageTypeName(messageType)} (${messageType})`;
      this.span(0, vloc, 'envelope version', `envelope version 1 (strict), message type ${type}`);
    }
    const nat = this.pos;
    this.need(4, 'the method name length', nloc);
    const n = this.view.getInt32(nat);
    if (n < 0 || n > this.remaining - 4) {
      throw new Stop(nat, nloc, `method name length ${n} but ${this.remaining - 4} bytes remain`);
    }
    this.pos += 4;
    this.span(
      nat,
      nloc,
      'envelope name length',
      `method name length ${n}${strict ? '' : ' (non-strict envelope)'}`,
    );
    const nameAt = this.pos;
    const nameBytes = this.b.subarray(this.pos, this.pos + n);
    const name = decodeUtf8(nameBytes);
    if (n > 0) {
      const at = this.pos;
      this.pos += n;
      this.span(
        at,
        nloc,
        'envelope name',
        name === undefined ? `method name, invalid UTF-8` : `method name ${JSON.stringify(name)}`,
      );
    }
    let typeAt = 3;
    if (!strict) {
      const at = this.pos;
      typeAt = at;
      this.need(1, 'the message type', tloc);
      messageType = this.b[this.pos++]!;
      this.span(
        at,
        tloc,
        'envelope type',
        `message type ${messageTypeName(messageType)} (${messageType})`,
      );
    }
    const at = this.pos;
    this.need(4, 'the seqid', sloc);
    const seqid = this.i32();
    this.span(at, sloc, 'envelope seqid', `seqid ${seqid}`);
    return {
      strict,
      name: name ?? hex(nameBytes),
      nameBytes,
      messageType,
      seqid,
      nameAt,
      typeAt,
      seqidAt: at,
      end: this.pos,
    };
  }
}
