/**
 * Type specs: the linked, in-memory form of a compiled IDL (stage 2's output, stage 3's input).
 * Typedefs are resolved away in field, element and constant types (a `TypedefSpec` remains only
 * so the module can expose the name). Struct, union and exception specs are created empty and
 * filled in a second phase, so specs may form cycles (`Tree` → `Branch` → `Tree`).
 */
import type { SourceLocation } from '../errors.js';
import type { Program } from '../idl/ast.js';

/** Annotations as a name → value map (`undefined` value when none was written). */
export type AnnotationMap = ReadonlyMap<string, string | undefined>;

export type BaseKind =
  'bool' | 'byte' | 'i16' | 'i32' | 'i64' | 'double' | 'string' | 'binary' | 'uuid';

export interface BaseSpec {
  readonly kind: BaseKind;
}

export interface ListSpec {
  readonly kind: 'list';
  readonly valueType: TypeSpec;
}

export interface SetSpec {
  readonly kind: 'set';
  readonly valueType: TypeSpec;
}

export interface MapSpec {
  readonly kind: 'map';
  readonly keyType: TypeSpec;
  readonly valueType: TypeSpec;
}

export interface EnumItemSpec {
  readonly name: string;
  readonly value: number;
  readonly annotations: AnnotationMap;
  readonly loc: SourceLocation;
}

export interface EnumSpec {
  readonly kind: 'enum';
  readonly name: string;
  readonly module: ModuleSpec;
  readonly items: readonly EnumItemSpec[];
  readonly annotations: AnnotationMap;
  readonly loc: SourceLocation;
}

/** `default` = no requiredness written (Apache's default requiredness; apache dialect only). */
export type FieldRequiredness = 'required' | 'optional' | 'default';

export interface FieldSpec {
  readonly id: number;
  readonly name: string;
  readonly type: TypeSpec;
  readonly requiredness: FieldRequiredness;
  /** The default value, or `undefined` when the field has none. */
  readonly defaultValue: ConstValueSpec | undefined;
  readonly annotations: AnnotationMap;
  readonly loc: SourceLocation;
}

/**
 * What a struct-like spec is for. `request` and `response` are the synthesized argument and
 * result structs of a service function (`response` has field 0 `success` unless void, and one
 * optional field per declared exception).
 */
export type StructVariant = 'struct' | 'union' | 'exception' | 'request' | 'response';

export interface StructSpec {
  readonly kind: 'struct';
  readonly variant: StructVariant;
  readonly name: string;
  readonly module: ModuleSpec;
  /** Filled in phase 2 of compilation; in declaration order. */
  fields: readonly FieldSpec[];
  readonly annotations: AnnotationMap;
  readonly loc: SourceLocation;
  /** For `request` / `response`: the function they belong to. */
  readonly function?: FunctionSpec;
}

export interface TypedefSpec {
  readonly kind: 'typedef';
  readonly name: string;
  readonly module: ModuleSpec;
  /** The fully resolved target (never another typedef). Filled in phase 2. */
  target: TypeSpec;
  readonly annotations: AnnotationMap;
  readonly loc: SourceLocation;
}

/** A type as used by a field, element, constant or function: never a typedef. */
export type TypeSpec = BaseSpec | ListSpec | SetSpec | MapSpec | EnumSpec | StructSpec;

/** A named definition in a module's type namespace. */
export type NamedTypeSpec = EnumSpec | StructSpec | TypedefSpec;

/**
 * A constant or default value after linking, checked against its type. Scalars are already in
 * their runtime representation (`i64` as bigint, other integers and enums as number, `binary` as
 * Uint8Array, `uuid` as the canonical lowercase string). Lists and sets both use `list`.
 */
export type ConstValueSpec =
  | { readonly kind: 'scalar'; readonly value: boolean | number | bigint | string | Uint8Array }
  | { readonly kind: 'list'; readonly values: readonly ConstValueSpec[] }
  | {
      readonly kind: 'map';
      readonly entries: readonly (readonly [ConstValueSpec, ConstValueSpec])[];
    }
  | {
      readonly kind: 'struct';
      readonly spec: StructSpec;
      readonly fields: readonly (readonly [string, ConstValueSpec])[];
    };

export interface ConstantSpec {
  readonly name: string;
  readonly type: TypeSpec;
  readonly value: ConstValueSpec;
  readonly loc: SourceLocation;
}

export interface FunctionSpec {
  readonly name: string;
  readonly service: ServiceSpec;
  readonly oneway: boolean;
  /** `undefined` for void. */
  readonly returnType: TypeSpec | undefined;
  /** The arguments struct (variant `request`), named `<Service>_<function>_request`. */
  readonly request: StructSpec;
  /** The result struct (variant `response`), named `<Service>_<function>_response`. */
  readonly response: StructSpec;
  readonly annotations: AnnotationMap;
  readonly loc: SourceLocation;
}

export interface ServiceSpec {
  readonly kind: 'service';
  readonly name: string;
  readonly module: ModuleSpec;
  /** The parent service, filled in phase 2. */
  parent: ServiceSpec | undefined;
  /** This service's own functions, in declaration order (not the inherited ones). */
  functions: readonly FunctionSpec[];
  readonly annotations: AnnotationMap;
  readonly loc: SourceLocation;
}

/** The compiled form of one `.thrift` file. */
export interface ModuleSpec {
  /** The file's base name without `.thrift`; the name includers use. */
  readonly name: string;
  /** The resolver's key for the file (an absolute path for files on disk). */
  readonly key: string;
  readonly source: string;
  readonly program: Program;
  /** Included modules by base name, in include order. */
  readonly includes: ReadonlyMap<string, ModuleSpec>;
  /** Enums, structs, unions, exceptions and typedefs by name, in declaration order. */
  readonly types: ReadonlyMap<string, NamedTypeSpec>;
  readonly constants: ReadonlyMap<string, ConstantSpec>;
  readonly services: ReadonlyMap<string, ServiceSpec>;
  /** `namespace` headers as scope → name. */
  readonly namespaces: ReadonlyMap<string, string>;
}

/** Singleton specs of the base types. */
export const BASE: { readonly [K in BaseKind]: BaseSpec } = {
  bool: { kind: 'bool' },
  byte: { kind: 'byte' },
  i16: { kind: 'i16' },
  i32: { kind: 'i32' },
  i64: { kind: 'i64' },
  double: { kind: 'double' },
  string: { kind: 'string' },
  binary: { kind: 'binary' },
  uuid: { kind: 'uuid' },
};
