/**
 * Evaluates a module's constants lazily (so they may refer to each other in any order, and to
 * constants of included modules) with cycle detection, and resolves names used as values:
 * `FOO`, `mod.FOO`, `Enum.ITEM`, `mod.Enum.ITEM`.
 */
import { IdlCompileError } from '../errors.js';
import type { SourceLocation } from '../errors.js';
import type * as A from '../idl/ast.js';
import type { ConstValueSpec, ConstantSpec, EnumSpec, TypeSpec } from '../schema/spec.js';
import { kindOfType, suggest } from './scope.js';
import type { Scope } from './scope.js';
import type { TypeLinker } from './types.js';
import { typeValue } from './values.js';
import type { NamedValue, ValueNames } from './values.js';

/** Evaluates the constants of one module. */
export class ConstantEvaluator implements ValueNames {
  /** Evaluated constants by name, in evaluation order. */
  private readonly done = new Map<string, ConstantSpec>();
  /** Constants being evaluated, outermost first (for cycle detection). */
  private readonly active: A.Const[] = [];

  constructor(
    private readonly scope: Scope,
    private readonly types: TypeLinker,
  ) {}

  /** Types `value` against `type` in this module (for field defaults). */
  value(value: A.ConstValue, type: TypeSpec): ConstValueSpec {
    return typeValue(value, type, this);
  }

  /**
   * Evaluates every constant and returns them by name in declaration order. Throws
   * IdlCompileError for a value that does not fit its type, an unknown name, or a cycle.
   */
  evaluateAll(): Map<string, ConstantSpec> {
    const out = new Map<string, ConstantSpec>();
    for (const decl of this.scope.constDecls.values()) out.set(decl.name, this.constant(decl));
    return out;
  }

  /** The spec of local constant `decl`, evaluating it on first use. */
  private constant(decl: A.Const, refLoc?: SourceLocation): ConstantSpec {
    const done = this.done.get(decl.name);
    if (done !== undefined) return done;
    if (this.active.length === 0) this.dependenciesFirst(decl);
    const at = this.active.indexOf(decl);
    if (at >= 0) {
      const cycle = [...this.active.slice(at), decl];
      throw new IdlCompileError(
        `constant cycle: ${cycle.map((c) => c.name).join(' -> ')}; a constant cannot depend ` +
          `on itself. Please write one of these values out`,
        refLoc ?? decl.loc,
        cycle.slice(0, -1).map((c) => c.loc),
      );
    }
    this.active.push(decl);
    try {
      const type = this.types.resolve(decl.type);
      const spec: ConstantSpec = {
        name: decl.name,
        type,
        value: this.value(decl.value, type),
        loc: decl.loc,
      };
      this.done.set(decl.name, spec);
      return spec;
    } finally {
      this.active.pop();
    }
  }

  /**
   * Evaluates the local constants `decl` depends on before it, deepest first, with an explicit
   * stack: evaluating each one then finds its own references done, so a chain of 100,000
   * constants written in reverse order never recurses. Throws the "constant cycle" error at the
   * reference that closes a cycle.
   */
  private dependenciesFirst(decl: A.Const): void {
    const onPath = new Map<A.Const, number>();
    const path: A.Const[] = [];
    const stack: { decl: A.Const; refs: A.ConstIdentifier[]; next: number }[] = [];
    const push = (d: A.Const): void => {
      onPath.set(d, path.length);
      path.push(d);
      stack.push({ decl: d, refs: this.localRefs(d.value), next: 0 });
    };
    push(decl);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const ref = top.refs[top.next++];
      if (ref === undefined) {
        stack.pop();
        path.pop();
        onPath.delete(top.decl);
        // Its references are done: this evaluation does not recurse. The outermost is left to
        // the caller.
        if (stack.length > 0) this.constant(top.decl);
        continue;
      }
      const dep = this.scope.constDecls.get(ref.name)!;
      if (this.done.has(dep.name)) continue;
      const at = onPath.get(dep);
      if (at !== undefined) {
        const cycle = [...path.slice(at), dep];
        throw new IdlCompileError(
          `constant cycle: ${cycle.map((c) => c.name).join(' -> ')}; a constant cannot depend ` +
            `on itself. Please write one of these values out`,
          ref.loc,
          cycle.slice(0, -1).map((c) => c.loc),
        );
      }
      push(dep);
    }
  }

  /** The names in `value` that refer to local constants (nesting is bounded by the parser). */
  private localRefs(value: A.ConstValue): A.ConstIdentifier[] {
    const out: A.ConstIdentifier[] = [];
    const walk = (v: A.ConstValue): void => {
      if (v.kind === 'ConstIdentifier') {
        if (this.scope.constDecls.has(v.name)) out.push(v);
      } else if (v.kind === 'ConstList') v.values.forEach(walk);
      else if (v.kind === 'ConstMap') {
        for (const e of v.entries) {
          walk(e.key);
          walk(e.value);
        }
      }
    };
    walk(value);
    return out;
  }

  /** Resolves a name used as a value; throws IdlCompileError (with a suggestion) if unknown. */
  resolve(id: A.ConstIdentifier): NamedValue {
    const name = id.name;
    const local = this.scope.constDecls.get(name);
    if (local !== undefined) return { kind: 'constant', spec: this.constant(local, id.loc) };
    const dot = name.lastIndexOf('.');
    if (dot > 0) {
      const owner = this.scope.findType(name.slice(0, dot));
      const target = owner?.kind === 'typedef' ? this.types.target(owner) : owner;
      if (target?.kind === 'enum') {
        const itemName = name.slice(dot + 1);
        const item = target.items.find((i) => i.name === itemName);
        if (item !== undefined) return { kind: 'item', enum: target, item };
        const hint = suggest(
          itemName,
          target.items.map((i) => i.name),
        );
        throw new IdlCompileError(
          `enum '${target.name}' has no item '${itemName}'${hint}`,
          id.loc,
          [target.loc],
        );
      }
      const q = this.scope.qualified(name);
      const spec = q?.module.constants.get(q.rest);
      if (spec !== undefined) return { kind: 'constant', spec };
    }
    throw this.unknown(id);
  }

  /** The error for a value name that names nothing. */
  private unknown(id: A.ConstIdentifier): IdlCompileError {
    const name = id.name;
    const kind = this.scope.kindOf(name) ?? this.includedKind(name);
    if (kind !== undefined) {
      return new IdlCompileError(
        `'${name}' is a ${kind}, not a constant or enum item; a value must name a constant ` +
          `or an enum item (Enum.ITEM)`,
        id.loc,
      );
    }
    const first = name.split('.')[0] ?? name;
    const hint = suggest(name, this.names());
    const known =
      this.scope.findType(first) !== undefined || this.scope.qualified(name) !== undefined;
    const dots = name.split('.').length - 1;
    const why =
      dots >= 1 && !known && (dots >= 2 || this.scope.includes.size > 0)
        ? ` ('${first}' is neither an included module nor an enum; ${this.scope.includeList()})`
        : '';
    return new IdlCompileError(`unknown constant '${name}'${why}${hint}`, id.loc);
  }

  /** What an included module defines `mod.Name` as, if anything. */
  private includedKind(name: string): string | undefined {
    const q = this.scope.qualified(name);
    if (q === undefined) return undefined;
    const type = q.module.types.get(q.rest);
    if (type !== undefined) return kindOfType(type);
    return q.module.services.has(q.rest) ? 'service' : undefined;
  }

  /** Every value name visible here (for suggestions). */
  private *names(): Iterable<string> {
    yield* this.scope.constDecls.keys();
    yield* enumItems('', this.scope.types.values());
    for (const [prefix, m] of this.scope.includes) {
      for (const c of m.constants.keys()) yield `${prefix}.${c}`;
      yield* enumItems(`${prefix}.`, m.types.values());
    }
  }
}

/** `prefix + Enum.ITEM` for every item of every enum among `types`. */
function* enumItems(prefix: string, types: Iterable<{ kind: string }>): Iterable<string> {
  for (const t of types) {
    if (t.kind !== 'enum') continue;
    const e = t as EnumSpec;
    for (const i of e.items) yield `${prefix}${e.name}.${i.name}`;
  }
}
