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

/** The target of a typedef not linked yet (compared by identity; never escapes the compiler). */
export const PENDING_TARGET: TypeSpec = { kind: 'bool' };

/** Turns type references into type specs for one module. */
export class TypeLinker {
  private readonly active: TypedefSpec[] = [];

  /**
   * @param scope the module's names
   * @param typedefs the AST of every typedef of this module (for lazily resolving targets)
   */
  constructor(
    private readonly scope: Scope,
    private readonly typedefs: ReadonlyMap<TypedefSpec, A.Typedef>,
  ) {}

  /** The spec of `ref`, typedefs resolved away. Throws IdlCompileError for unknown names. */
  resolve(ref: A.TypeRef): TypeSpec {
    switch (ref.kind) {
      case 'BaseType':
        return BASE[ref.name === 'i8' ? 'byte' : ref.name];
      case 'ListType':
        return { kind: 'list', valueType: this.resolve(ref.valueType) };
      case 'SetType':
        return { kind: 'set', valueType: this.resolve(ref.valueType) };
      case 'MapType':
        return {
          kind: 'map',
          keyType: this.resolve(ref.keyType),
          valueType: this.resolve(ref.valueType),
        };
      case 'NamedType': {
        const named = this.scope.type(ref.name, ref.loc);
        return named.kind === 'typedef' ? this.target(named) : named;
      }
    }
  }

  /**
   * The resolved target of `typedef`, linking it on first use. Throws IdlCompileError naming the
   * chain for a typedef cycle (`typedef A B; typedef B A`).
   */
  target(typedef: TypedefSpec): TypeSpec {
    if (typedef.target !== PENDING_TARGET) return typedef.target;
    const decl = this.typedefs.get(typedef);
    if (decl === undefined) {
      throw new IdlCompileError(
        `typedef '${typedef.name}' is not linked (a compiler bug)`,
        typedef.loc,
      );
    }
    const at = this.active.indexOf(typedef);
    if (at >= 0) {
      const cycle = [...this.active.slice(at), typedef];
      const related: SourceLocation[] = cycle.slice(1, -1).map((t) => t.loc);
      throw new IdlCompileError(
        `typedef cycle: ${cycle.map((t) => t.name).join(' -> ')}; a typedef must name a type ` +
          `that does not lead back to itself. Please point one of them at a struct, enum or base type`,
        typedef.loc,
        related,
      );
    }
    this.active.push(typedef);
    try {
      typedef.target = this.resolve(decl.type);
    } finally {
      this.active.pop();
    }
    return typedef.target;
  }
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
