/**
 * The abstract syntax tree of a Thrift IDL file (Apache Thrift's doc/specs/idl.md).
 * Every node carries `loc` (file:line:col of its first token). Nodes are plain data: the
 * printer turns a `Program` back into IDL text that parses to an equal AST (locations aside).
 */
import type { SourceLocation } from '../errors.js';

/** One `(key = "value", other)` annotation; `value` is `undefined` when none was written. */
export interface Annotation {
  readonly kind: 'Annotation';
  readonly name: string;
  readonly value: string | undefined;
  readonly loc: SourceLocation;
}

/** A list of annotations; empty when there were none. */
export type Annotations = readonly Annotation[];

// ---------------------------------------------------------------------------------------------
// Types
// ---------------------------------------------------------------------------------------------

/** Base type names. `byte` and `i8` are the same type on the wire, kept apart for printing. */
export type BaseTypeName =
  'bool' | 'byte' | 'i8' | 'i16' | 'i32' | 'i64' | 'double' | 'string' | 'binary' | 'uuid';

export interface BaseTypeRef {
  readonly kind: 'BaseType';
  readonly name: BaseTypeName;
  readonly annotations: Annotations;
  readonly loc: SourceLocation;
}

/** A reference by name: `Foo` or `module.Foo` (an included file's base name, a dot, a name). */
export interface NamedTypeRef {
  readonly kind: 'NamedType';
  readonly name: string;
  readonly loc: SourceLocation;
}

export interface ListTypeRef {
  readonly kind: 'ListType';
  readonly valueType: TypeRef;
  readonly annotations: Annotations;
  readonly loc: SourceLocation;
}

export interface SetTypeRef {
  readonly kind: 'SetType';
  readonly valueType: TypeRef;
  readonly annotations: Annotations;
  readonly loc: SourceLocation;
}

export interface MapTypeRef {
  readonly kind: 'MapType';
  readonly keyType: TypeRef;
  readonly valueType: TypeRef;
  readonly annotations: Annotations;
  readonly loc: SourceLocation;
}

export type TypeRef = BaseTypeRef | NamedTypeRef | ListTypeRef | SetTypeRef | MapTypeRef;

// ---------------------------------------------------------------------------------------------
// Constant values
// ---------------------------------------------------------------------------------------------

/** An integer literal; `text` keeps the spelling (`0x1F`, `-5`) so the printer can reproduce it. */
export interface ConstInt {
  readonly kind: 'ConstInt';
  readonly value: bigint;
  readonly text: string;
  readonly loc: SourceLocation;
}

/** A floating literal (has `.` or an exponent); `text` keeps the spelling. */
export interface ConstDouble {
  readonly kind: 'ConstDouble';
  readonly value: number;
  readonly text: string;
  readonly loc: SourceLocation;
}

/** A string literal, escapes already decoded into `value`. */
export interface ConstString {
  readonly kind: 'ConstString';
  readonly value: string;
  readonly loc: SourceLocation;
}

/**
 * A name used as a value: a constant (`FOO`, `mod.FOO`), an enum item (`Status.QUEUED`,
 * `mod.Status.QUEUED`). `true` and `false` are ConstIdentifiers too (Thrift has no boolean
 * literal token); the compiler gives them their meaning.
 */
export interface ConstIdentifier {
  readonly kind: 'ConstIdentifier';
  readonly name: string;
  readonly loc: SourceLocation;
}

export interface ConstList {
  readonly kind: 'ConstList';
  readonly values: readonly ConstValue[];
  readonly loc: SourceLocation;
}

export interface ConstMapEntry {
  readonly key: ConstValue;
  readonly value: ConstValue;
}

export interface ConstMap {
  readonly kind: 'ConstMap';
  readonly entries: readonly ConstMapEntry[];
  readonly loc: SourceLocation;
}

export type ConstValue =
  ConstInt | ConstDouble | ConstString | ConstIdentifier | ConstList | ConstMap;

// ---------------------------------------------------------------------------------------------
// Headers
// ---------------------------------------------------------------------------------------------

export interface Include {
  readonly kind: 'Include';
  readonly path: string;
  readonly loc: SourceLocation;
}

export interface CppInclude {
  readonly kind: 'CppInclude';
  readonly path: string;
  readonly loc: SourceLocation;
}

/** `namespace <scope> <name>`; scope is `*` or a language name such as `py`, `java`, `js`. */
export interface Namespace {
  readonly kind: 'Namespace';
  readonly scope: string;
  readonly name: string;
  readonly annotations: Annotations;
  readonly loc: SourceLocation;
}

export type Header = Include | CppInclude | Namespace;

// ---------------------------------------------------------------------------------------------
// Definitions
// ---------------------------------------------------------------------------------------------

export interface Typedef {
  readonly kind: 'Typedef';
  readonly name: string;
  readonly type: TypeRef;
  readonly annotations: Annotations;
  readonly doc: string | undefined;
  readonly loc: SourceLocation;
}

export interface Const {
  readonly kind: 'Const';
  readonly name: string;
  readonly type: TypeRef;
  readonly value: ConstValue;
  readonly doc: string | undefined;
  readonly loc: SourceLocation;
}

export interface EnumItem {
  readonly kind: 'EnumItem';
  readonly name: string;
  /** The explicit value, or `undefined` when the item took the implicit one. */
  readonly value: ConstInt | undefined;
  readonly annotations: Annotations;
  readonly doc: string | undefined;
  readonly loc: SourceLocation;
}

export interface Enum {
  readonly kind: 'Enum';
  readonly name: string;
  readonly items: readonly EnumItem[];
  readonly annotations: Annotations;
  readonly doc: string | undefined;
  readonly loc: SourceLocation;
}

/** `required`, `optional`, or none written (`default` requiredness in Apache's terms). */
export type Requiredness = 'required' | 'optional' | 'default';

export interface Field {
  readonly kind: 'Field';
  /** The field id, or `undefined` when the IDL gave none (the compiler rejects or assigns). */
  readonly id: number | undefined;
  readonly name: string;
  readonly type: TypeRef;
  readonly requiredness: Requiredness;
  readonly defaultValue: ConstValue | undefined;
  readonly annotations: Annotations;
  readonly doc: string | undefined;
  readonly loc: SourceLocation;
  /** `&` was written between the type and the name (Apache: a reference field); absent if not. */
  readonly reference?: true;
  /** `xsd_optional` was written after the default (Apache 0.17; only its xsd generator reads it). */
  readonly xsdOptional?: true;
  /** `xsd_nillable` was written after the default (Apache 0.17, xsd generator only). */
  readonly xsdNillable?: true;
  /** The fields of `xsd_attrs { ... }` written after the default (Apache 0.17, xsd generator only). */
  readonly xsdAttrs?: readonly Field[];
}

export interface Struct {
  readonly kind: 'Struct';
  readonly name: string;
  /** `xsd_all` was written after the name (Apache 0.17, structs only, xsd generator only). */
  readonly xsdAll?: true;
  readonly fields: readonly Field[];
  readonly annotations: Annotations;
  readonly doc: string | undefined;
  readonly loc: SourceLocation;
}

export interface Union {
  readonly kind: 'Union';
  readonly name: string;
  readonly fields: readonly Field[];
  readonly annotations: Annotations;
  readonly doc: string | undefined;
  readonly loc: SourceLocation;
}

export interface Exception {
  readonly kind: 'Exception';
  readonly name: string;
  readonly fields: readonly Field[];
  readonly annotations: Annotations;
  readonly doc: string | undefined;
  readonly loc: SourceLocation;
}

/** A service method. `returnType` is `undefined` for `void`. */
export interface FunctionDef {
  readonly kind: 'Function';
  readonly name: string;
  readonly oneway: boolean;
  /** `oneway` was spelled `async`, Apache's deprecated word for it (`oneway` is then true). */
  readonly async?: true;
  readonly returnType: TypeRef | undefined;
  readonly parameters: readonly Field[];
  readonly exceptions: readonly Field[];
  readonly annotations: Annotations;
  readonly doc: string | undefined;
  readonly loc: SourceLocation;
}

export interface Service {
  readonly kind: 'Service';
  readonly name: string;
  /** The parent service name (`Base` or `mod.Base`), or `undefined`. */
  readonly extends: string | undefined;
  readonly extendsLoc: SourceLocation | undefined;
  readonly functions: readonly FunctionDef[];
  readonly annotations: Annotations;
  readonly doc: string | undefined;
  readonly loc: SourceLocation;
}

export type Definition = Typedef | Const | Enum | Struct | Union | Exception | Service;

/** A whole `.thrift` file. `file` is the name given to the parser (used in every `loc`). */
export interface Program {
  readonly kind: 'Program';
  readonly file: string;
  readonly headers: readonly Header[];
  readonly definitions: readonly Definition[];
}
