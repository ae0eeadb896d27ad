/**
 * Resolves AST type references to type specs: base types to the `BASE` singletons, containers to
 * fresh specs, names (local or `mod.Name`) to the named spec, and typedefs to their fully
 * resolved target (lazily, in any order, with cycle detection).
 */
import { IdlCompileError } from '../errors.js';
import type { SourceLocation } from '../errors.js';
import type * as A from '../idl/ast.js';
import { BASE } from '../schema/spec.js';
import type { TypeSpec, TypedefSpec } from '../schema/spec.js';
import type { Scope } from './scope.js';
import { MAX_IDL_NESTING } from '../idl/parser.js';

/** The target of a typedef not linked yet (compared by identity; never escapes the compiler). */
export const PENDING_TARGET: TypeSpec = { kind: 'bool' };

/**
 * The deepest nesting of container types a compiled type may have, typedefs included (the parser
 * bounds one written type to the same depth; typedefs of containers could otherwise nest without
 * bound). Deeper types are refused with an IdlCompileError at the reference that passes it.
 */
export const MAX_TYPE_NESTING = MAX_IDL_NESTING;

/** Container nesting of compiled container specs (structs, enums and base types are 0). */
const nestings = new WeakMap<TypeSpec, number>();

/** How deeply containers nest in `spec` (0 for a base type, enum or struct). */
export function typeNesting(spec: TypeSpec): number {
  return nestings.get(spec) ?? 0;
}

/** Turns type references into type specs for one module. */
export class TypeLinker {
  /** Typedefs being linked, outermost first (for cycle detection and its message). */
  private readonly active: TypedefSpec[] = [];
  private readonly activeSet = new Set<TypedefSpec>();

  /**
   * @param scope the module's names
   * @param typedefs the AST of every typedef of this module (for lazily resolving targets)
   */
  constructor(
    private readonly scope: Scope,
    private readonly typedefs: ReadonlyMap<TypedefSpec, A.Typedef>,
  ) {}

  /**
   * The spec of `ref`, typedefs resolved away; `depth` is how many containers enclose it.
   * Throws IdlCompileError for unknown names and for containers nested (through typedefs) deeper
   * than MAX_TYPE_NESTING.
   */
  resolve(ref: A.TypeRef, depth = 0): TypeSpec {
    switch (ref.kind) {
      case 'BaseType':
        return BASE[ref.name === 'i8' ? 'byte' : ref.name];
      case 'ListType':
      case 'SetType':
      case 'MapType': {
        if (depth >= MAX_TYPE_NESTING) throw tooDeep(ref.loc);
        const spec: TypeSpec =
          ref.kind === 'MapType'
            ? {
                kind: 'map',
                keyType: this.resolve(ref.keyType, depth + 1),
                valueType: this.resolve(ref.valueType, depth + 1),
              }
            : {
                kind: ref.kind === 'ListType' ? 'list' : 'set',
                valueType: this.resolve(ref.valueType, depth + 1),
              };
        const inner = Math.max(
          typeNesting(spec.kind === 'map' ? spec.keyType : BASE.bool),
          typeNesting((spec as { valueType: TypeSpec }).valueType),
        );
        if (depth + 1 + inner > MAX_TYPE_NESTING) throw tooDeep(ref.loc);
        nestings.set(spec, 1 + inner);
        return spec;
      }
      case 'NamedType': {
        const named = this.scope.type(ref.name, ref.loc);
        const spec = named.kind === 'typedef' ? this.target(named, depth) : named;
        if (depth + typeNesting(spec) > MAX_TYPE_NESTING) throw tooDeep(ref.loc);
        return spec;
      }
    }
  }

  /**
   * The resolved target of `typedef`, linking it on first use; `depth` is how many containers
   * enclose the reference. A chain of typedefs naming typedefs is followed in a loop (a chain of
   * 100,000 written in reverse order must not recurse). Throws IdlCompileError naming the chain
   * for a typedef cycle (`typedef A B; typedef B A`).
   */
  target(typedef: TypedefSpec, depth = 0): TypeSpec {
    if (typedef.target !== PENDING_TARGET) return typedef.target;
    const chain: TypedefSpec[] = [];
    const inChain = new Set<TypedefSpec>();
    let cur = typedef;
    let decl: A.Typedef;
    for (;;) {
      if (this.activeSet.has(cur) || inChain.has(cur)) throw this.cycle(chain, cur);
      const d = this.typedefs.get(cur);
      if (d === undefined) {
        throw new IdlCompileError(`typedef '${cur.name}' is not linked (a compiler bug)`, cur.loc);
      }
      decl = d;
      chain.push(cur);
      inChain.add(cur);
      if (d.type.kind !== 'NamedType') break;
      const named = this.scope.type(d.type.name, d.type.loc);
      if (named.kind !== 'typedef' || named.target !== PENDING_TARGET) break;
      cur = named;
    }
    for (const t of chain) {
      this.active.push(t);
      this.activeSet.add(t);
    }
    let target: TypeSpec;
    try {
      target = this.resolve(decl.type, depth);
    } finally {
      for (const t of chain) {
        this.active.pop();
        this.activeSet.delete(t);
      }
    }
    for (const t of chain) t.target = target;
    return target;
  }

  /** The error for typedef `again`, met while linking `chain` (and the active typedefs). */
  private cycle(chain: readonly TypedefSpec[], again: TypedefSpec): IdlCompileError {
    const path = [...this.active, ...chain];
    const cycle = [...path.slice(path.indexOf(again)), again];
    const related: SourceLocation[] = cycle.slice(1, -1).map((t) => t.loc);
    return new IdlCompileError(
      `typedef cycle: ${cycle.map((t) => t.name).join(' -> ')}; a typedef must name a type ` +
        `that does not lead back to itself. Please point one of them at a struct, enum or base type`,
      again.loc,
      related,
    );
  }
}

function tooDeep(loc: SourceLocation): IdlCompileError {
  return new IdlCompileError(
    `containers nested deeper than ${MAX_TYPE_NESTING} levels (counting through typedefs); the ` +
      `codec accepts at most ${MAX_TYPE_NESTING}. Please flatten the type (a struct per level)`,
    loc,
  );
}

/** The IDL spelling of a type spec: `i32`, `list<string>`, `map<string,User>`, `Status`. */
export function typeName(spec: TypeSpec): string {
  switch (spec.kind) {
    case 'list':
    case 'set':
      return `${spec.kind}<${typeName(spec.valueType)}>`;
    case 'map':
      return `map<${typeName(spec.keyType)},${typeName(spec.valueType)}>`;
    case 'enum':
    case 'struct':
      return spec.name;
    default:
      return spec.kind;
  }
}
