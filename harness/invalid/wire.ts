/**
 * A protocol-level tree of one encoded struct, made from the independent byte annotator's tree
 * (harness/diff/annotate.ts), that the invalid-case generators edit and write back: structs with
 * their fields in wire order, lists, sets and maps with their headers, and leaves as their raw
 * bytes. The writer re-encodes headers (so a field cut out of compact bytes gets the right deltas
 * in the fields after it) and copies leaves as they are; `writeWire(fromAnnotation(...))` gives the
 * original bytes back for anything our encoder writes (a tested property).
 *
 * Type codes are the binary protocol's TType codes in both protocols (as in the annotator).
 */
import { TType } from '../../codec/src/index.js';
import type { Protocol, TypeSpec } from '../../codec/src/index.js';
import type { Node, StructNode } from '../diff/annotation.js';
import { wireType } from '../diff/annotate.js';

/** A scalar: its bytes as the protocol writes them (a compact bool field: `01` true, `00` false). */
export interface WLeaf {
  readonly k: 'leaf';
  readonly ttype: number;
  bytes: Uint8Array;
}
/** One field of a struct on the wire. */
export interface WField {
  id: number;
  ttype: number;
  value: WNode;
}
/** A struct: fields in wire order, then STOP. */
export interface WStruct {
  readonly k: 'struct';
  fields: WField[];
}
/** A list or set; `size` overrides the element count in the header (a lying header). */
export interface WSeq {
  readonly k: 'list' | 'set';
  elemType: number;
  elems: WNode[];
  size?: number;
  /** The compact header's element code as it was on the wire (Apache writes 1 for bool). */
  compactCode?: number;
}
/** A map; `size` overrides the entry count in the header. */
export interface WMap {
  readonly k: 'map';
  keyType: number;
  valueType: number;
  entries: { key: WNode; value: WNode }[];
  size?: number;
}
/** A node of the wire tree. */
export type WNode = WLeaf | WStruct | WSeq | WMap;

/**
 * The wire tree of `root` (an annotation of `bytes` in `protocol`). Never throws for a tree the
 * annotator produced.
 */
export function fromAnnotation(root: StructNode, bytes: Uint8Array, protocol: Protocol): WStruct {
  const node = (n: Node): WNode => {
    switch (n.kind) {
      case 'leaf':
        return {
          k: 'leaf',
          ttype: n.ttype,
          bytes: (n.inHeader === true && n.canonical !== undefined
            ? n.canonical
            : bytes.subarray(n.start, n.end)
          ).slice(),
        };
      case 'struct':
        return {
          k: 'struct',
          fields: n.fields.map((f) => ({ id: f.id, ttype: f.ttype, value: node(f.value) })),
        };
      case 'list':
      case 'set': {
        const s: WSeq = { k: n.kind, elemType: n.elemType, elems: n.elems.map(node) };
        if (protocol === 'compact') s.compactCode = bytes[n.start]! & 0x0f;
        return s;
      }
      case 'map':
        return {
          k: 'map',
          keyType: n.keyType,
          valueType: n.valueType,
          entries: n.entries.map((e) => ({ key: node(e.key), value: node(e.value) })),
        };
    }
  };
  return node(root) as WStruct;
}

/** TType → compact type code (bool: 1, as a field header of true; elements use 2 or the original). */
const COMPACT: Readonly<Record<number, number>> = {
  [TType.BOOL]: 1,
  [TType.BYTE]: 3,
  [TType.I16]: 4,
  [TType.I32]: 5,
  [TType.I64]: 6,
  [TType.DOUBLE]: 7,
  [TType.STRING]: 8,
  [TType.LIST]: 9,
  [TType.SET]: 10,
  [TType.MAP]: 11,
  [TType.STRUCT]: 12,
  [TType.UUID]: 13,
};

/** A growable byte buffer. */
class Out {
  readonly parts: number[] = [];
  byte(b: number): void {
    this.parts.push(b & 0xff);
  }
  bytes(b: Uint8Array): void {
    for (const x of b) this.parts.push(x);
  }
  i16(v: number): void {
    this.byte(v >> 8);
    this.byte(v);
  }
  i32(v: number): void {
    this.byte(v >>> 24);
    this.byte(v >>> 16);
    this.byte(v >>> 8);
    this.byte(v);
  }
  /** An unsigned varint of a 32-bit value (negative numbers as their two's complement). */
  varint(v: number): void {
    let u = v >>> 0;
    while (u >= 0x80) {
      this.byte((u & 0x7f) | 0x80);
      u >>>= 7;
    }
    this.byte(u);
  }
}

/** The zigzag form of a 32-bit integer. */
function zigzag32(n: number): number {
  return ((n << 1) ^ (n >> 31)) >>> 0;
}

/** Encodes `root` in `protocol` (see the module comment). Never throws. */
export function writeWire(root: WStruct, protocol: Protocol): Uint8Array {
  const o = new Out();
  const compact = protocol === 'compact';
  const code = (t: number) => COMPACT[t] ?? t;
  const value = (n: WNode, inField: boolean): void => {
    switch (n.k) {
      case 'leaf':
        // A compact bool field lives in its header.
        if (!(compact && inField && n.ttype === TType.BOOL)) o.bytes(n.bytes);
        return;
      case 'struct': {
        let last = 0;
        for (const f of n.fields) {
          if (compact) {
            const t =
              f.ttype === TType.BOOL && f.value.k === 'leaf'
                ? f.value.bytes[0] === 1
                  ? 1
                  : 2
                : code(f.ttype);
            const delta = f.id - last;
            if (delta > 0 && delta <= 15) o.byte((delta << 4) | t);
            else {
              o.byte(t);
              o.varint(zigzag32(f.id));
            }
            last = f.id;
          } else {
            o.byte(f.ttype);
            o.i16(f.id);
          }
          value(f.value, true);
        }
        o.byte(0);
        return;
      }
      case 'list':
      case 'set': {
        const size = n.size ?? n.elems.length;
        if (compact) {
          const c = n.compactCode ?? (n.elemType === TType.BOOL ? 2 : code(n.elemType));
          if (size >= 0 && size < 15) o.byte((size << 4) | c);
          else {
            o.byte(0xf0 | c);
            o.varint(size);
          }
        } else {
          o.byte(n.elemType);
          o.i32(size);
        }
        for (const e of n.elems) value(e, false);
        return;
      }
      case 'map': {
        const size = n.size ?? n.entries.length;
        if (compact) {
          o.varint(size);
          if (size !== 0) o.byte((code(n.keyType) << 4) | code(n.valueType));
        } else {
          o.byte(n.keyType);
          o.byte(n.valueType);
          o.i32(size);
        }
        for (const e of n.entries) {
          value(e.key, false);
          value(e.value, false);
        }
        return;
      }
    }
  };
  value(root, false);
  return Uint8Array.from(o.parts);
}

/** Scalar leaves in a protocol's encoding, for the generators. */
export const leaf = {
  /** A bool: `01`/`00` (a compact field header turns it into type 1 or 2). */
  bool(v: boolean | number): WLeaf {
    return { k: 'leaf', ttype: TType.BOOL, bytes: Uint8Array.of(typeof v === 'number' ? v : +v) };
  },
  /** An i8 from its byte (0..255). */
  byte(b: number): WLeaf {
    return { k: 'leaf', ttype: TType.BYTE, bytes: Uint8Array.of(b & 0xff) };
  },
  /** An i16 or i32 (`ttype`), big-endian in binary, a zigzag varint in compact. */
  int(ttype: number, v: number, protocol: Protocol): WLeaf {
    const o = new Out();
    if (protocol === 'compact') o.varint(zigzag32(v));
    else if (ttype === TType.I16) o.i16(v);
    else o.i32(v);
    return { k: 'leaf', ttype, bytes: Uint8Array.from(o.parts) };
  },
  /** A raw i16 in binary from its two bytes (for sign cases). */
  i16Raw(hi: number, lo: number): WLeaf {
    return { k: 'leaf', ttype: TType.I16, bytes: Uint8Array.of(hi, lo) };
  },
  /** An i64 (small values): 8 bytes big-endian in binary, a zigzag varint in compact. */
  i64(v: number, protocol: Protocol): WLeaf {
    if (protocol === 'compact') {
      const o = new Out();
      o.varint(zigzag32(v));
      return { k: 'leaf', ttype: TType.I64, bytes: Uint8Array.from(o.parts) };
    }
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigInt64(0, BigInt(v));
    return { k: 'leaf', ttype: TType.I64, bytes: b };
  },
  /** A double from its IEEE 754 bits as 16 hex digits (big-endian in binary, little in compact). */
  doubleBits(hex16: string, protocol: Protocol): WLeaf {
    const b = Uint8Array.from(Buffer.from(hex16, 'hex'));
    if (protocol === 'compact') b.reverse();
    return { k: 'leaf', ttype: TType.DOUBLE, bytes: b };
  },
  /** A string or binary: its length (any i32, even a lying one), then `content`. */
  string(content: Uint8Array, protocol: Protocol, length = content.length): WLeaf {
    const o = new Out();
    if (protocol === 'compact') o.varint(length);
    else o.i32(length);
    o.bytes(content);
    return { k: 'leaf', ttype: TType.STRING, bytes: Uint8Array.from(o.parts) };
  },
  /** A uuid: 16 bytes. */
  uuid(fill = 0): WLeaf {
    return { k: 'leaf', ttype: TType.UUID, bytes: new Uint8Array(16).fill(fill) };
  },
};

/**
 * The content bytes of a string or binary leaf in `protocol` (after its length prefix), or
 * undefined when the leaf is not one. Never throws.
 */
export function stringContent(n: WLeaf, protocol: Protocol): Uint8Array | undefined {
  if (n.ttype !== TType.STRING) return undefined;
  if (protocol === 'binary') return n.bytes.subarray(4);
  let i = 0;
  while (i < n.bytes.length && (n.bytes[i]! & 0x80) !== 0) i++;
  return n.bytes.subarray(i + 1);
}

/**
 * A valid value of `t` as a wire node, as small as it can be (false, 0, "", empty containers, a
 * struct with only its required fields, a union with its first field), or undefined when none
 * can be made within `depth` levels (a cycle of required fields). Never throws.
 */
export function zeroValue(t: TypeSpec, protocol: Protocol, depth = 4): WNode | undefined {
  switch (t.kind) {
    case 'bool':
      return leaf.bool(false);
    case 'byte':
      return leaf.byte(0);
    case 'i16':
    case 'i32':
      return leaf.int(wireType(t), 0, protocol);
    case 'enum':
      return leaf.int(TType.I32, t.items[0]?.value ?? 0, protocol);
    case 'i64':
      return leaf.i64(0, protocol);
    case 'double':
      return leaf.doubleBits('0000000000000000', protocol);
    case 'string':
    case 'binary':
      return leaf.string(new Uint8Array(0), protocol);
    case 'uuid':
      return leaf.uuid();
    case 'list':
    case 'set':
      return { k: t.kind, elemType: wireType(t.valueType), elems: [] };
    case 'map':
      return {
        k: 'map',
        keyType: wireType(t.keyType),
        valueType: wireType(t.valueType),
        entries: [],
      };
    case 'struct': {
      if (depth <= 0) return undefined;
      const need =
        t.variant === 'union'
          ? t.fields.slice(0, 1)
          : t.fields.filter((f) => f.requiredness === 'required');
      if (t.variant === 'union' && need.length === 0) return undefined;
      const fields: WField[] = [];
      for (const f of need) {
        const v = zeroValue(f.type, protocol, depth - 1);
        if (v === undefined) return undefined;
        fields.push({ id: f.id, ttype: wireType(f.type), value: v });
      }
      return { k: 'struct', fields };
    }
  }
}

/** A deep copy of a wire tree. Never throws. */
export function cloneWire<T extends WNode>(n: T): T {
  return structuredClone(n);
}
