/**
 * Phase 1 of compiling a module: creates the spec of every definition so that phase 2 can link
 * references in any order. Enums are complete after this phase; structs, unions and exceptions
 * have no fields yet, typedefs no target, services no parent or functions; constants are only
 * recorded (they are evaluated in phase 2).
 */
import { IdlCompileError, formatLocation } from '../errors.js';
import type * as A from '../idl/ast.js';
import type {
  EnumItemSpec,
  EnumSpec,
  ModuleSpec,
  ServiceSpec,
  StructSpec,
  TypedefSpec,
} from '../schema/spec.js';
import { annotationMap } from './fields.js';
import type { Scope } from './scope.js';
import { BROKEN } from './broken.js';
import type { ErrorCollector } from './broken.js';
import { declareService } from './services.js';
import { PENDING_TARGET } from './types.js';

const I32_MIN = -2147483648n;
const I32_MAX = 2147483647n;

/** The definitions phase 2 still has to link, paired with their AST. */
export interface Declared {
  readonly typedefs: Map<TypedefSpec, A.Typedef>;
  readonly structs: [StructSpec, A.Struct | A.Union | A.Exception][];
  readonly services: [ServiceSpec, A.Service][];
}

/**
 * Creates the specs of every definition of `program` in `scope` (whose maps are `module`'s).
 * Records on `errors` (default: throws) an IdlCompileError for a name defined twice (the second
 * definition is left out), a repeated enum item name, or an enum value outside i32 (the enum is
 * kept, BROKEN).
 */
export function declareAll(
  program: A.Program,
  module: ModuleSpec,
  scope: Scope,
  errors?: ErrorCollector,
): Declared {
  const declared: Declared = { typedefs: new Map(), structs: [], services: [] };
  for (const d of program.definitions) {
    if (errors === undefined) declare(d, module, scope, declared);
    else errors.attempt(() => declare(d, module, scope, declared));
  }
  return declared;
}

/** Declares one definition (see declareAll); throws its IdlCompileError. */
function declare(d: A.Definition, module: ModuleSpec, scope: Scope, declared: Declared): void {
  switch (d.kind) {
    case 'Typedef': {
      scope.declare(d.name, 'typedef', d.loc);
      const spec: TypedefSpec = {
        kind: 'typedef',
        name: d.name,
        module,
        target: PENDING_TARGET,
        annotations: annotationMap(d.annotations),
        loc: d.loc,
      };
      scope.types.set(d.name, spec);
      declared.typedefs.set(spec, d);
      break;
    }
    case 'Const':
      scope.declare(d.name, 'constant', d.loc);
      scope.constDecls.set(d.name, d);
      break;
    case 'Enum': {
      scope.declare(d.name, 'enum', d.loc);
      const items: EnumItemSpec[] = [];
      try {
        scope.types.set(d.name, enumSpec(d, module, items));
      } catch (e) {
        // keep the items before the error, so that what names the enum is not an error too
        const spec: EnumSpec = { ...enumShell(d, module), items };
        BROKEN.add(spec);
        scope.types.set(d.name, spec);
        throw e;
      }
      break;
    }
    case 'Struct':
    case 'Union':
    case 'Exception': {
      const variant = d.kind === 'Struct' ? 'struct' : d.kind === 'Union' ? 'union' : 'exception';
      scope.declare(d.name, variant, d.loc);
      const spec: StructSpec = {
        kind: 'struct',
        variant,
        name: d.name,
        module,
        fields: [],
        annotations: annotationMap(d.annotations),
        loc: d.loc,
      };
      scope.types.set(d.name, spec);
      declared.structs.push([spec, d]);
      break;
    }
    case 'Service': {
      scope.declare(d.name, 'service', d.loc);
      const spec = declareService(d, module);
      scope.services.set(d.name, spec);
      declared.services.push([spec, d]);
      break;
    }
  }
}

/**
 * The complete spec of enum `ast`: implicit values count on from the previous item (the first
 * is 0); explicit values may be negative or hex; values must fit i32; names must be unique
 * (values may repeat, as Apache Thrift allows). `items` (default: a new array) receives the
 * items as they are made, so a caller keeps those before an error. Throws IdlCompileError for a
 * repeated item name or a value outside i32.
 */
export function enumSpec(ast: A.Enum, module: ModuleSpec, items: EnumItemSpec[] = []): EnumSpec {
  const byName = new Map<string, EnumItemSpec>();
  let next = 0n;
  for (const item of ast.items) {
    const first = byName.get(item.name);
    if (first !== undefined) {
      throw new IdlCompileError(
        `duplicate item '${item.name}' in enum '${ast.name}' (first at ` +
          `${formatLocation(first.loc)}). Please rename one of them`,
        item.loc,
        [first.loc],
      );
    }
    const value = item.value?.value ?? next;
    if (value < I32_MIN || value > I32_MAX) {
      const how = item.value === undefined ? 'implicit value' : 'value';
      throw new IdlCompileError(
        `item '${item.name}' of enum '${ast.name}' has ${how} ${value}, outside i32 ` +
          `(${I32_MIN} to ${I32_MAX}). Please give it a value in that range`,
        item.value?.loc ?? item.loc,
      );
    }
    const spec: EnumItemSpec = {
      name: item.name,
      value: Number(value),
      annotations: annotationMap(item.annotations),
      loc: item.loc,
    };
    items.push(spec);
    byName.set(item.name, spec);
    next = value + 1n;
  }
  return { ...enumShell(ast, module), items };
}

/** The spec of enum `ast` without its items. */
function enumShell(ast: A.Enum, module: ModuleSpec): EnumSpec {
  const annotations = annotationMap(ast.annotations);
  return { kind: 'enum', name: ast.name, module, items: [], annotations, loc: ast.loc };
}
