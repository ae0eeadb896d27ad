/**
 * The data `annotate` returns: flat spans (every byte once, in order, with its field path and
 * meaning) and a tree of the value as it is on the wire (structs with their fields in wire order,
 * containers with their headers and elements, leaves), each node with its byte range and path.
 */

/** What a span's bytes are in the protocol. */
export type SpanRole =
  | 'envelope version'
  | 'envelope name length'
  | 'envelope name'
  | 'envelope type'
  | 'envelope seqid'
  | 'field header'
  | 'length'
  | 'list header'
  | 'set header'
  | 'map header'
  | 'value'
  | 'stop'
  | 'malformed';

/** One annotated byte range `[start, end)`. */
export interface Span {
  readonly start: number;
  readonly end: number;
  /** The field path: `Root.items[3].key`, `Root.byName{"k"}` (key), `Root.byName["k"]` (value). */
  readonly path: string;
  /** The path with indices and keys normalised (`Root.items[].key`), stable across values. */
  readonly pattern: string;
  /** What the bytes mean: `field header: i32 (8), id 3 (count)`, `string length 5`, `value 42`. */
  readonly meaning: string;
  readonly role: SpanRole;
  /** The wire type of the header or value, when the span has one. */
  readonly ttype?: number;
}

interface NodeBase {
  readonly start: number;
  readonly end: number;
  readonly path: string;
  readonly pattern: string;
}

/** A scalar value (a string or binary leaf includes its length prefix). */
export interface LeafNode extends NodeBase {
  readonly kind: 'leaf';
  readonly ttype: number;
  readonly meaning: string;
  /**
   * The value's canonical bytes when they are not its raw bytes: a compact bool (`01` true, `00`
   * false), whose raw byte may be 0 or 2 for false, or which lives in its field header.
   */
  readonly canonical?: Uint8Array;
  /** Set for a compact bool field, whose value is its field header's type (`[start, end)`). */
  readonly inHeader?: boolean;
}

/** One field of a struct on the wire. */
export interface FieldNode {
  readonly id: number;
  readonly ttype: number;
  /** Offset of the field header (3 bytes in binary; 1 to 4 in compact). */
  readonly headerStart: number;
  /** Where the field header ends (absent: headerStart + 3, the binary protocol's). */
  readonly headerEnd?: number;
  readonly path: string;
  readonly pattern: string;
  readonly meaning: string;
  readonly value: Node;
}

/** A struct (fields in wire order, then STOP). */
export interface StructNode extends NodeBase {
  readonly kind: 'struct';
  readonly fields: readonly FieldNode[];
}

/** A list or a set: header `[start, headerEnd)` then the elements in wire order. */
export interface SeqNode extends NodeBase {
  readonly kind: 'list' | 'set';
  readonly elemType: number;
  readonly size: number;
  readonly headerEnd: number;
  readonly meaning: string;
  readonly elems: readonly Node[];
}

/** A map: header `[start, headerEnd)` then the entries in wire order. */
export interface MapNode extends NodeBase {
  readonly kind: 'map';
  readonly keyType: number;
  readonly valueType: number;
  readonly size: number;
  readonly headerEnd: number;
  readonly meaning: string;
  readonly entries: readonly { readonly key: Node; readonly value: Node }[];
}

/** A node of the annotation tree. */
export type Node = LeafNode | StructNode | SeqNode | MapNode;

/** The envelope header, when one was read. */
export interface EnvelopeInfo {
  readonly strict: boolean;
  readonly name: string;
  /** The name's raw bytes (they may not be valid UTF-8). */
  readonly nameBytes: Uint8Array;
  readonly messageType: number;
  readonly seqid: number;
  /** Offsets of the name's bytes, of the message type byte and of the seqid. */
  readonly nameAt: number;
  readonly typeAt: number;
  readonly seqidAt: number;
  /** Bytes the seqid takes (absent: 4, the binary protocol's; a varint in compact). */
  readonly seqidLength?: number;
  /** Where the header ends and the body begins. */
  readonly end: number;
}

/** Where and why the walk stopped early. */
export interface Malformed {
  readonly at: number;
  readonly path: string;
  readonly pattern: string;
  readonly reason: string;
}

/** What `annotate` returns. */
export interface Annotation {
  /** The protocol the bytes were read as (absent: binary). */
  readonly protocol?: 'binary' | 'compact';
  /** Spans in byte order; together they cover every byte exactly once. */
  readonly spans: readonly Span[];
  /** The body struct, when it was read to its STOP. */
  readonly root: StructNode | undefined;
  readonly envelope: EnvelopeInfo | undefined;
  /** Set when the bytes ended early, went wrong or went on after the value. */
  readonly malformed: Malformed | undefined;
}
