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
import { apacheOnly } from './dialects.js';
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

/**
 * The longest `extends` chain a service may have (a service extending one that extends ...).
 * Every service object holds each function it inherits, so chains cost the square of their
 * length; a longer one is refused with an IdlCompileError at the service that passes it.
 */
export const MAX_EXTENDS_DEPTH = 100;

/**
 * Throws IdlCompileError naming the chain when a service (indirectly) extends itself (the first
 * such service in declaration order is named), and when a service's `extends` chain is longer
 * than MAX_EXTENDS_DEPTH. Linear in the number of services.
 */
export function checkInheritance(services: Iterable<ServiceSpec>): void {
  const all = [...services];
  // Each service has at most one parent: walk up from each, marking what this walk met.
  const walkOf = new Map<ServiceSpec, number>();
  const onCycle = new Set<ServiceSpec>();
  all.forEach((s, walk) => {
    const path: ServiceSpec[] = [];
    let p: ServiceSpec | undefined = s;
    while (p !== undefined && !walkOf.has(p)) {
      walkOf.set(p, walk);
      path.push(p);
      p = p.parent;
    }
    if (p !== undefined && walkOf.get(p) === walk) {
      for (const x of path.slice(path.indexOf(p))) onCycle.add(x);
    }
  });
  const first = all.find((s) => onCycle.has(s));
  if (first !== undefined) {
    const chain: ServiceSpec[] = [first];
    for (let p = first.parent; p !== undefined && p !== first; p = p.parent) chain.push(p);
    throw new IdlCompileError(
      `service inheritance cycle: ${[...chain, first].map((x) => x.name).join(' -> ')}. ` +
        `Please remove one of these 'extends'`,
      first.loc,
      chain.slice(1).map((x) => x.loc),
    );
  }
  const depth = new Map<ServiceSpec, number>();
  for (const s of all) {
    const path: ServiceSpec[] = [];
    let p: ServiceSpec | undefined = s;
    while (p !== undefined && !depth.has(p)) {
      path.push(p);
      p = p.parent;
    }
    let d = p === undefined ? -1 : depth.get(p)!;
    for (let i = path.length - 1; i >= 0; i--) {
      const x = path[i]!;
      depth.set(x, ++d);
      if (d > MAX_EXTENDS_DEPTH && all.includes(x)) {
        throw new IdlCompileError(
          `service '${x.name}' extends a chain of ${d} services; the codec accepts at most ` +
            `${MAX_EXTENDS_DEPTH}. Please extend a service nearer the root`,
          x.loc,
        );
      }
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
    checkOneway(fn, qualified, ctx);
    functions.push(linkFunction(spec, fn, qualified, ctx));
  }
  spec.functions = functions;
}

/**
 * The rules of oneway functions: no exceptions; no return type (the apache dialect ignores one
 * with a warning, as Apache's compiler does); `async` only in the apache dialect, with a warning.
 */
function checkOneway(fn: A.FunctionDef, qualified: string, ctx: FieldContext): void {
  if (!fn.oneway) return;
  if (fn.async === true) {
    apacheOnly(`'async' (Apache's old word for 'oneway')`, ctx.rules, fn.loc);
    ctx.warn(
      `'async' is Apache's deprecated word for 'oneway' (Apache's compiler warns: "async" is ` +
        `deprecated. It is called "oneway" now); '${qualified}' is read as oneway. Please ` +
        `write 'oneway'`,
      fn.loc,
    );
  }
  if (fn.returnType !== undefined && ctx.rules.apacheSyntax && fn.exceptions.length === 0) {
    ctx.warn(
      `oneway function '${qualified}' declares a return type, which a oneway call never gets; ` +
        `it is ignored (Apache's compiler warns "Oneway methods should return void" and ` +
        `ignores it too). Please make it 'oneway void ${fn.name}(...)'`,
      fn.returnType.loc,
    );
  } else if (fn.returnType !== undefined) {
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
  const written = fn.returnType === undefined ? undefined : ctx.types.resolve(fn.returnType);
  // a oneway function's return type (apache dialect, with a warning) is checked, then ignored
  const returnType = fn.oneway ? undefined : written;
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
