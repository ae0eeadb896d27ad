/**
 * Every case kind of the invalid-input matrix made from a value (values.ts), with its group, what
 * the spec says a reader must do with it and why (the Apache specs' own words, quoted short).
 * Envelope kinds are helper-made elsewhere (envelopes.ts) and carry their own rules.
 */
import type { SpecRule } from './model.js';

/** Apache's binary protocol spec. */
export const BINARY_SPEC = 'doc/specs/thrift-binary-protocol.md';
/** Apache's compact protocol spec. */
export const COMPACT_SPEC = 'doc/specs/thrift-compact-protocol.md';
/** Apache's IDL document (thrift.apache.org/docs/idl, doc/specs/idl.md). */
export const IDL_SPEC = 'doc/specs/idl.md';

/** The rule of one kind. */
export interface KindRule {
  readonly group: string;
  readonly spec: SpecRule;
  readonly specRef: string;
  /**
   * The manifest feature (abilities.features) whose `false` documents that a reader does not
   * check this: its acceptance is then its declared choice, not a violation.
   */
  readonly feature?: 'unions' | 'requiredFieldsChecked';
}

const STRUCT_RULE = `${BINARY_SPEC} and ${COMPACT_SPEC}, "Struct"`;
const UNKNOWN: KindRule = {
  group: 'wire-types',
  spec: 'must-accept',
  specRef: `${STRUCT_RULE}: "it is also possible to handle unknown fields while decoding; these are simply ignored" — the value must read as if the field were not there`,
};

/** Every kind made from values, by name. */
export const KIND_RULES: Readonly<Record<string, KindRule>> = {
  'union-empty': {
    group: 'unions',
    spec: 'silent',
    specRef: `${STRUCT_RULE}: "A Union is encoded exactly the same as a struct with the additional restriction that at most 1 field may be encoded" — no field is within "at most 1"; ${IDL_SPEC} says a union transports "exactly one field". The texts disagree, so each reader's choice is shown`,
  },
  'union-two-fields': {
    group: 'unions',
    spec: 'must-refuse',
    specRef: `${STRUCT_RULE}: "at most 1 field may be encoded" in a union (and ${IDL_SPEC}: "exactly one field")`,
    feature: 'unions',
  },
  'required-missing': {
    group: 'required',
    spec: 'must-refuse',
    specRef: `${IDL_SPEC}, "Field Requiredness": "If a required field is missing during read, the expected behaviour is to indicate an unsuccessful read operation to the caller"`,
    feature: 'requiredFieldsChecked',
  },
  'required-missing-default': {
    group: 'required',
    spec: 'silent',
    specRef: `${IDL_SPEC} says a missing required field fails the read, and also that a required field's default "is always written"; thriftrw (the model of our codec) reads the default instead. A reader that fills the default gives the value the writer had to write, so the choice is shown, not failed`,
  },
  'field-wrong-type': {
    group: 'wire-types',
    spec: 'silent',
    specRef: `${STRUCT_RULE}: decoding a field with another field-type than expected is "undefined behavior" in Java; "Other implementation may perform this check and then either ignore the field, or return a protocol exception" — both are allowed`,
  },
  'list-elem-type': {
    group: 'wire-types',
    spec: 'silent',
    specRef: `${BINARY_SPEC}, "List and Set": the header names the element-type; the specs do not say what a reader does when it differs from the IDL's (as for a mistyped field, skipping and refusing are both seen)`,
  },
  'map-key-type': {
    group: 'wire-types',
    spec: 'silent',
    specRef: `${BINARY_SPEC}, "Map": the header names the key element-type; the specs do not say what a reader does when it differs from the IDL's`,
  },
  'unknown-field-bool': UNKNOWN,
  'unknown-field-byte': UNKNOWN,
  'unknown-field-i16': UNKNOWN,
  'unknown-field-i32': UNKNOWN,
  'unknown-field-i64': UNKNOWN,
  'unknown-field-double': UNKNOWN,
  'unknown-field-string': UNKNOWN,
  'unknown-field-struct': UNKNOWN,
  'unknown-field-list': UNKNOWN,
  'unknown-field-set': UNKNOWN,
  'unknown-field-map': UNKNOWN,
  'unknown-field-uuid': {
    group: 'wire-types',
    spec: 'silent',
    specRef: `${STRUCT_RULE} lists UUID (16) as a field-type, but it came late (Thrift 0.19): a reader of an older version cannot know its length to skip it, so refusing an unknown uuid field is not held against it`,
  },
  'field-twice': {
    group: 'duplicates',
    spec: 'silent',
    specRef: `${STRUCT_RULE}: "a sequence of zero or more fields" — nothing says a field id may not repeat, nor which value a reader keeps (the matrix shows what each kept)`,
  },
  'reverse-order': {
    group: 'duplicates',
    spec: 'must-accept',
    specRef: `${STRUCT_RULE}: "Because each field header contains the field-id ..., the fields can be encoded in any order"`,
  },
  'string-length-negative': {
    group: 'lengths',
    spec: 'must-refuse',
    specRef: `${BINARY_SPEC}, "Binary encoding": byte length "a signed 32 bit integer ... (must be >= 0)"; ${COMPACT_SPEC} the same for its var int`,
  },
  'string-length-past-end': {
    group: 'lengths',
    spec: 'must-refuse',
    specRef: `${BINARY_SPEC}, "Binary encoding": the length is followed by that many bytes; a length past the end of the message names bytes that are not there`,
  },
  'string-length-huge': {
    group: 'lengths',
    spec: 'must-refuse',
    specRef: `${BINARY_SPEC}, "Binary encoding": a length of 2^31-1 with a few bytes left names bytes that are not there (and is over any reader's limit: it must not be allocated)`,
  },
  'container-size-negative': {
    group: 'lengths',
    spec: 'must-refuse',
    specRef: `${BINARY_SPEC}, "List and Set" / "Map": size "encoded as an int32, positive values only"`,
  },
  'container-size-huge': {
    group: 'lengths',
    spec: 'must-refuse',
    specRef: `${BINARY_SPEC}, "List and Set" / "Map": a size of 2^31-1 with a few bytes left names elements that are not there (and must not be allocated ahead)`,
  },
  truncated: {
    group: 'lengths',
    spec: 'must-refuse',
    specRef: `${STRUCT_RULE}: "A Struct is a sequence of zero or more fields, followed by a stop field" — a message cut before its last byte lacks its stop field`,
  },
  'string-invalid-utf8': {
    group: 'values',
    spec: 'silent',
    specRef: `${BINARY_SPEC}, "String encoding": "Strings are first encoded to UTF-8" — how a writer encodes; nothing says a reader must check`,
  },
  'string-lone-surrogate': {
    group: 'values',
    spec: 'silent',
    specRef: `${BINARY_SPEC}, "String encoding": UTF-8 has no encoded surrogates (ED A0 80 is CESU-8), but nothing says a reader must check`,
  },
  'bool-byte-2': {
    group: 'values',
    spec: 'silent',
    specRef: `${BINARY_SPEC}, "Boolean encoding": "True is converted to 1, false to 0" — how a writer encodes; a reader's reading of 2 is not specified`,
  },
  'enum-undeclared': {
    group: 'values',
    spec: 'silent',
    specRef: `${BINARY_SPEC}, "Enum encoding": an enum is its int32 value; nothing says what a reader does with a value the IDL does not declare`,
  },
  'i8-sign': {
    group: 'values',
    spec: 'must-accept',
    specRef: `${BINARY_SPEC}, "Integer encoding": an int8 is signed — byte FF is -1`,
  },
  'i16-sign': {
    group: 'values',
    spec: 'must-accept',
    specRef: `${BINARY_SPEC}, "Integer encoding": an int16 is signed, big-endian — FF FF is -1`,
  },
  'double-negative-zero': {
    group: 'values',
    spec: 'must-accept',
    specRef: `${BINARY_SPEC}, "Double encoding": the IEEE 754 bit layout — 80 00 .. 00 is -0.0, a value of its own`,
  },
  'double-nan-payload': {
    group: 'values',
    spec: 'must-accept',
    specRef: `${BINARY_SPEC}, "Double encoding": the IEEE 754 bit layout — 7F F0 00 .. 01 is a NaN (with a payload), which must read as NaN`,
  },
  'set-duplicate': {
    group: 'values',
    spec: 'silent',
    specRef: `${BINARY_SPEC}, "List and Set": "List and sets are encoded the same" — nothing says a reader must refuse a repeated element`,
  },
  'map-duplicate-key': {
    group: 'values',
    spec: 'silent',
    specRef: `${BINARY_SPEC}, "Map": nothing says a reader must refuse a repeated key, nor which value it keeps`,
  },
};

/** The kinds made from values, in a fixed order (groups together). */
export const VALUE_KINDS: readonly string[] = Object.keys(KIND_RULES);
