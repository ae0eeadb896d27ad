/**
 * fast-check arbitraries of Thrift IDL documents, generated as ASTs (never raw text) and printed
 * with the codec's printer. A document has enums (implicit, negative, sparse and hex values),
 * typedefs, structs, unions and exceptions with required and optional fields, ids anywhere in
 * 1..32767, containers nested two deep, forward and cyclic references (cycles only through
 * optional fields, containers or non-first union members, so every type has finite values),
 * and a service `Echo` with one function per struct and union (`Foo echoFoo(1: Foo v)`), which the
 * peers' generic handlers answer by echoing. The same seed gives the same document. Not yet:
 * defaults, constants, includes, service inheritance, oneway and throws (issue 4 lists them).
 */
import fc from 'fast-check';
import type { ast, SourceLocation } from '../../codec/src/index.js';

/** Options for {@link programArb}. */
export interface ProgramArbOptions {
  /** `thriftrw` (default: every struct field says required/optional) or `apache`. */
  readonly dialect?: 'thriftrw' | 'apache';
  /** Most structs (of all kinds) in one document. Default 5. */
  readonly maxStructs?: number;
  /**
   * Peer features (a peer's `hello` abilities) the document must stay within. Default: all
   * allowed. `typedefOfSet: false` avoids `typedef set<…>` (thriftrw-py 1.9 cannot link it).
   */
  readonly features?: Readonly<Record<string, boolean>>;
  /** Names never to generate, beyond Thrift's keywords (e.g. APACHE_RESERVED_NAMES for Apache peers). */
  readonly avoidNames?: ReadonlySet<string>;
}

const LOC: SourceLocation = { file: 'generated.thrift', line: 1, column: 1 };

/** Names that must never be generated: Thrift keywords and the module object's own members. */
const AVOID = new Set([
  'include', 'cpp_include', 'namespace', 'const', 'typedef', 'enum', 'struct', 'union', 'exception',
  'service', 'extends', 'throws', 'oneway', 'void', 'required', 'optional', 'map', 'list', 'set',
  'bool', 'byte', 'i8', 'i16', 'i32', 'i64', 'double', 'string', 'binary', 'uuid', 'true', 'false',
  'senum', 'slist', 'async', 'dumps', 'loads', 'Echo', 'v', 'equals', 'toPrimitive', 'fromPrimitive',
  'items', 'names', 'values', 'nameOf', 'fromName', 'success', '__proto__',
]); // prettier-ignore

const BASES: readonly ast.BaseTypeName[] = [
  'bool',
  'byte',
  'i16',
  'i32',
  'i64',
  'double',
  'string',
  'binary',
];

function base(name: ast.BaseTypeName): ast.BaseTypeRef {
  return { kind: 'BaseType', name, annotations: [], loc: LOC };
}
function named(name: string): ast.NamedTypeRef {
  return { kind: 'NamedType', name, loc: LOC };
}

/** A unique list of identifiers starting with an upper or lower case letter. */
function namesArb(
  n: number,
  upper: boolean,
  avoid: ReadonlySet<string> = new Set(),
): fc.Arbitrary<string[]> {
  const first = upper ? 'ABCDEFGHIJKLMNOPQRSTUVWXYZ' : 'abcdefghijklmnopqrstuvwxyz';
  const ident = fc
    .tuple(
      fc.constantFrom(...first),
      fc.string({
        unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789_'),
        maxLength: 6,
      }),
    )
    .map(([a, b]) => a + b)
    .filter((s) => !AVOID.has(s) && !avoid.has(s));
  return fc.uniqueArray(ident, {
    minLength: n,
    maxLength: n,
    comparator: (a, b) => a.toLowerCase() === b.toLowerCase(),
  });
}

type Kind = 'struct' | 'union' | 'exception';

interface Plan {
  readonly enums: {
    name: string;
    items: string[];
    values: (bigint | undefined)[];
    hex: boolean[];
  }[];
  readonly structs: { name: string; kind: Kind; fields: string[]; ids: number[] }[];
  readonly typedefs: string[];
}

const planArb = (maxStructs: number, avoid: ReadonlySet<string>): fc.Arbitrary<Plan> =>
  fc
    .record({
      nEnums: fc.integer({ min: 0, max: 2 }),
      nStructs: fc.integer({ min: 1, max: maxStructs }),
      nTypedefs: fc.integer({ min: 0, max: 2 }),
    })
    .chain(({ nEnums, nStructs, nTypedefs }) =>
      namesArb(nEnums + nStructs + nTypedefs, true, avoid).chain((names) =>
        fc.record({
          enums: fc.tuple(
            ...names.slice(0, nEnums).map((name) =>
              fc.integer({ min: 1, max: 4 }).chain((n) =>
                fc.record({
                  name: fc.constant(name),
                  items: namesArb(n, true, avoid),
                  values: fc.uniqueArray(
                    fc.option(fc.bigInt({ min: -(2n ** 31n), max: 2n ** 31n - 64n }), {
                      nil: undefined,
                      freq: 2,
                    }),
                    {
                      minLength: n,
                      maxLength: n,
                      comparator: (a, b) => a !== undefined && a === b,
                    },
                  ),
                  hex: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
                }),
              ),
            ),
          ),
          structs: fc.tuple(
            ...names.slice(nEnums, nEnums + nStructs).map((name) =>
              fc.integer({ min: 1, max: 5 }).chain((n) =>
                fc.record({
                  name: fc.constant(name),
                  kind: fc.constantFrom<Kind>('struct', 'struct', 'union', 'exception'),
                  fields: namesArb(n, false, avoid),
                  ids: fc.uniqueArray(
                    fc.oneof(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 32767 })),
                    { minLength: n, maxLength: n },
                  ),
                }),
              ),
            ),
          ),
          typedefs: fc.constant(names.slice(nEnums + nStructs)),
        }),
      ),
    );

/** The name of the echo function of type `name` in the generated `Echo` service. */
export function echoFunctionName(name: string): string {
  return `echo${name}`;
}

/** `service Echo { Foo echoFoo(1: Foo v) … }` for every struct and union (exceptions are left out). */
function echoService(defs: readonly ast.Definition[]): ast.Service {
  const functions = defs
    .filter((d) => d.kind === 'Struct' || d.kind === 'Union')
    .map((d): ast.FunctionDef => ({
      kind: 'Function',
      name: echoFunctionName(d.name),
      oneway: false,
      returnType: named(d.name),
      parameters: [
        {
          kind: 'Field',
          id: 1,
          name: 'v',
          type: named(d.name),
          requiredness: 'default',
          defaultValue: undefined,
          annotations: [],
          doc: undefined,
          loc: LOC,
        },
      ],
      exceptions: [],
      annotations: [],
      doc: undefined,
      loc: LOC,
    }));
  return {
    kind: 'Service',
    name: 'Echo',
    extends: undefined,
    extendsLoc: undefined,
    functions,
    annotations: [],
    doc: undefined,
    loc: LOC,
  };
}

/** Returns an arbitrary of IDL ASTs (see the module comment); print them with the codec's `print`. */
export function programArb(options: ProgramArbOptions = {}): fc.Arbitrary<ast.Program> {
  const dialect = options.dialect ?? 'thriftrw';
  return planArb(options.maxStructs ?? 5, options.avoidNames ?? new Set()).chain((plan) => {
    const enumNames = plan.enums.map((e) => e.name);
    const structNames = plan.structs.map((s) => s.name);
    // A leaf type: base types and enums; `safe` struct refs are those that cannot make a cycle.
    const leaf = fc.oneof(
      fc.constantFrom(...BASES).map(base),
      ...(enumNames.length ? [fc.constantFrom(...enumNames).map(named)] : []),
    );
    const typeArb = (earlier: string[], any: boolean): fc.Arbitrary<ast.TypeRef> => {
      const structs = any ? structNames : earlier;
      const leafOrStruct = structs.length
        ? fc.oneof(leaf, fc.constantFrom(...structs).map(named))
        : leaf;
      const key = fc.oneof(
        fc.constantFrom<ast.BaseTypeName>('string', 'i32', 'i64', 'byte').map(base),
        ...(enumNames.length ? [fc.constantFrom(...enumNames).map(named)] : []),
      );
      const container = (elem: fc.Arbitrary<ast.TypeRef>): fc.Arbitrary<ast.TypeRef> =>
        fc.oneof(
          elem.map((valueType): ast.TypeRef => ({
            kind: 'ListType',
            valueType,
            annotations: [],
            loc: LOC,
          })),
          key.map((valueType): ast.TypeRef => ({
            kind: 'SetType',
            valueType,
            annotations: [],
            loc: LOC,
          })),
          fc.tuple(key, elem).map(([keyType, valueType]): ast.TypeRef => ({
            kind: 'MapType',
            keyType,
            valueType,
            annotations: [],
            loc: LOC,
          })),
        );
      const allStructs = structNames.length
        ? fc.oneof(leaf, fc.constantFrom(...structNames).map(named))
        : leaf;
      return fc.oneof(
        { arbitrary: leafOrStruct, weight: 4 },
        { arbitrary: container(allStructs), weight: 2 },
        { arbitrary: container(container(leaf)), weight: 1 },
      );
    };
    const structDefs = plan.structs.map((s, si) => {
      const earlier = structNames.slice(0, si);
      const fields = s.fields.map((fname, fi) => {
        const isUnion = s.kind === 'union';
        const first = fi === 0;
        return fc
          .record({
            optional: isUnion ? fc.constant(false) : fc.boolean(),
          })
          .chain(({ optional }) =>
            // Required fields and a union's first member only use earlier structs: no infinite values.
            typeArb(earlier, optional || (isUnion && !first)).map((type): ast.Field => ({
              kind: 'Field',
              id: s.ids[fi]!,
              name: fname,
              type,
              requiredness: isUnion
                ? 'default'
                : optional
                  ? 'optional'
                  : dialect === 'apache' && fi % 3 === 2
                    ? 'default'
                    : 'required',
              defaultValue: undefined,
              annotations: [],
              doc: undefined,
              loc: LOC,
            })),
          );
      });
      return fc.tuple(...fields).map((fs): ast.Definition =>
        s.kind === 'union'
          ? { kind: 'Union', name: s.name, fields: fs, annotations: [], doc: undefined, loc: LOC }
          : s.kind === 'exception'
            ? {
                kind: 'Exception',
                name: s.name,
                fields: fs,
                annotations: [],
                doc: undefined,
                loc: LOC,
              }
            : {
                kind: 'Struct',
                name: s.name,
                fields: fs,
                annotations: [],
                doc: undefined,
                loc: LOC,
              },
      );
    });
    const enumDefs: ast.Definition[] = plan.enums.map((e) => ({
      kind: 'Enum',
      name: e.name,
      items: e.items.map((name, i) => {
        const v = e.values[i];
        return {
          kind: 'EnumItem',
          name,
          value:
            v === undefined
              ? undefined
              : {
                  kind: 'ConstInt',
                  value: v,
                  text: e.hex[i] && v >= 0n ? `0x${v.toString(16)}` : v.toString(),
                  loc: LOC,
                },
          annotations: [],
          doc: undefined,
          loc: LOC,
        };
      }),
      annotations: [],
      doc: undefined,
      loc: LOC,
    }));
    const typedefOfSet = options.features?.typedefOfSet !== false;
    const typedefDefs = fc.tuple(
      ...plan.typedefs.map((name) =>
        typeArb(structNames, true)
          .filter((type) => typedefOfSet || type.kind !== 'SetType')
          .map((type): ast.Definition => ({
            kind: 'Typedef',
            name,
            type,
            annotations: [],
            doc: undefined,
            loc: LOC,
          })),
      ),
    );
    return fc
      .tuple(fc.tuple(...structDefs), typedefDefs)
      .map(([structs, typedefs]): ast.Program => ({
        kind: 'Program',
        file: 'generated.thrift',
        headers: [],
        definitions: [...enumDefs, ...typedefs, ...structs, echoService(structs)],
      }));
  });
}
