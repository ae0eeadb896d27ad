/**
 * Links services: the parent service (`extends Base` or `extends mod.Base`, no cycles) and the
 * functions, each with a synthesized request struct (the parameters) and response struct
 * (`success` with id 0 unless void, then one optional field per declared exception).
 */
import { IdlCompileError, formatLocation } from '../errors.js';
import type * as A from '../idl/ast.js';
import type {
  FieldSpec,
  FunctionSpec,
  ModuleSpec,
  ServiceSpec,
  StructSpec,
} from '../schema/spec.js';
import { annotationMap, linkFields } from './fields.js';
import type { FieldContext } from './fields.js';
import { article, kindOfType } from './scope.js';
import type { Scope } from './scope.js';
import { typeName } from './types.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Phase 1: the spec of service `ast`, without parent and functions. */
export function declareService(ast: A.Service, module: ModuleSpec): ServiceSpec {
  return {
    kind: 'service',
    name: ast.name,
    module,
    parent: undefined,
    functions: [],
    annotations: annotationMap(ast.annotations),
    loc: ast.loc,
  };
}

/** Sets the parent of `spec`; throws IdlCompileError when `extends` names no service. */
export function linkParent(spec: ServiceSpec, ast: A.Service, scope: Scope): void {
  if (ast.extends === undefined) return;
  spec.parent = scope.service(ast.extends, ast.extendsLoc ?? ast.loc);
}

/** Throws IdlCompileError naming the chain when a service (indirectly) extends itself. */
export function checkInheritance(services: Iterable<ServiceSpec>): void {
  for (const s of services) {
    const chain: ServiceSpec[] = [s];
    for (let p = s.parent; p !== undefined && !chain.includes(p); p = p.parent) chain.push(p);
    const last = chain[chain.length - 1];
    if (last?.parent === s) {
      throw new IdlCompileError(
        `service inheritance cycle: ${[...chain, s].map((x) => x.name).join(' -> ')}. ` +
          `Please remove one of these 'extends'`,
        s.loc,
        chain.slice(1).map((x) => x.loc),
      );
    }
  }
}

/**
 * Phase 2: links the functions of `spec`. Throws IdlCompileError for a repeated function name,
 * a oneway function that returns a value or throws, an exception that is not an exception type
 * or is named `success`, and for any field rule its parameters or exceptions break.
 */
export function linkFunctions(spec: ServiceSpec, ast: A.Service, ctx: FieldContext): void {
  const seen = new Map<string, A.FunctionDef>();
  const functions: FunctionSpec[] = [];
  for (const fn of ast.functions) {
    const qualified = `${spec.name}.${fn.name}`;
    const first = seen.get(fn.name);
    if (first !== undefined) {
      throw new IdlCompileError(
        `duplicate function '${fn.name}' in service '${spec.name}' (first at ` +
          `${formatLocation(first.loc)}). Please rename one of them`,
        fn.loc,
        [first.loc],
      );
    }
    seen.set(fn.name, fn);
    checkOneway(fn, qualified);
    functions.push(linkFunction(spec, fn, qualified, ctx));
  }
  spec.functions = functions;
}

function checkOneway(fn: A.FunctionDef, qualified: string): void {
  if (!fn.oneway) return;
  if (fn.returnType !== undefined) {
    throw new IdlCompileError(
      `oneway function '${qualified}' must return void (a oneway call gets no response). ` +
        `Please make it 'oneway void ${fn.name}(...)' or remove 'oneway'`,
      fn.returnType.loc,
    );
  }
  const e = fn.exceptions[0];
  if (e !== undefined) {
    throw new IdlCompileError(
      `oneway function '${qualified}' cannot throw exceptions (a oneway call gets no ` +
        `response). Please remove the throws clause or 'oneway'`,
      e.loc,
    );
  }
}

function linkFunction(
  service: ServiceSpec,
  fn: A.FunctionDef,
  qualified: string,
  ctx: FieldContext,
): FunctionSpec {
  const struct = (variant: 'request' | 'response'): Mutable<StructSpec> => ({
    kind: 'struct',
    variant,
    name: `${service.name}_${fn.name}_${variant}`,
    module: service.module,
    fields: [],
    annotations: new Map(),
    loc: fn.loc,
  });
  const request = struct('request');
  const response = struct('response');
  const returnType = fn.returnType === undefined ? undefined : ctx.types.resolve(fn.returnType);
  const spec: FunctionSpec = {
    name: fn.name,
    service,
    oneway: fn.oneway,
    returnType,
    request,
    response,
    annotations: annotationMap(fn.annotations),
    loc: fn.loc,
  };
  request.function = spec;
  response.function = spec;
  linkFields(request, { kind: 'parameter', name: qualified }, fn.parameters, ctx);
  for (const e of fn.exceptions) {
    if (e.name === 'success') {
      throw new IdlCompileError(
        `exception 'success' of function '${qualified}' clashes with the response's 'success' ` +
          `field (the return value). Please rename the exception`,
        e.loc,
      );
    }
    const type = ctx.types.resolve(e.type);
    if (type.kind !== 'struct' || type.variant !== 'exception') {
      const what =
        type.kind === 'struct'
          ? ` (${article(kindOfType(type))})`
          : type.kind === 'enum'
            ? ' (an enum)'
            : '';
      throw new IdlCompileError(
        `exception '${e.name}' of function '${qualified}' has type '${typeName(type)}'${what}, ` +
          `but a throws clause may only list exception types`,
        e.type.loc,
      );
    }
  }
  const success: FieldSpec[] =
    fn.returnType === undefined || returnType === undefined
      ? []
      : [
          {
            id: 0,
            name: 'success',
            type: returnType,
            requiredness: 'optional',
            defaultValue: undefined,
            annotations: new Map(),
            loc: fn.returnType.loc,
          },
        ];
  linkFields(response, { kind: 'throws', name: qualified }, fn.exceptions, ctx, success);
  return spec;
}
