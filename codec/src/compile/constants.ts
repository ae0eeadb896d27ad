/**
 * Evaluates a module's constants lazily (so they may refer to each other in any order, and to
 * constants of included modules) with cycle detection, and resolves names used as values:
 * `FOO`, `mod.FOO`, `Enum.ITEM`, `mod.Enum.ITEM`.
 */
import { IdlCompileError } from '../errors.js';
import type { SourceLocation } from '../errors.js';
import type * as A from '../idl/ast.js';
import type {
  ConstValueSpec,
  ConstantSpec,
  EnumSpec,
  TypeSpec,
  TypedefSpec,
} from '../schema/spec.js';
import { Consequence, checkNotBroken } from './broken.js';
import { editDistance, kindOfType } from './scope.js';
import type { Scope } from './scope.js';
import type { TypeLinker } from './types.js';
import { fits, typeValue } from './values.js';
import type { NamedValue, ValueNames } from './values.js';

/** Evaluates the constants of one module. */
export class ConstantEvaluator implements ValueNames {
  /** Evaluated constants by name, in evaluation order. */
  private readonly done = new Map<string, ConstantSpec>();
  /** Constants whose evaluation failed, or that depend on one that failed. */
  private readonly failed = new Set<A.Const>();
  /** Constants being evaluated, outermost first (for cycle detection). */
  private readonly active: A.Const[] = [];

  /**
   * @param scope the module's names
   * @param types the module's type linker
   * @param apacheSyntax whether Apache's leniencies apply (`mod.ITEM`, `{}` for any container)
   */
  constructor(
    private readonly scope: Scope,
    private readonly types: TypeLinker,
    readonly apacheSyntax = false,
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

  /**
   * The spec of local constant `decl`, evaluated once (then cached). Throws IdlCompileError for
   * a value that does not fit its type, an unknown name, or a cycle.
   */
  evaluate(decl: A.Const): ConstantSpec {
    return this.constant(decl);
  }

  /** The spec of local constant `decl`, evaluating it on first use. */
  private constant(decl: A.Const, refLoc?: SourceLocation): ConstantSpec {
    const done = this.done.get(decl.name);
    if (done !== undefined) return done;
    // a constant that failed (or depends on one that did) has had its error reported
    if (this.failed.has(decl)) throw new Consequence(decl);
    if (this.active.length === 0) {
      try {
        this.dependenciesFirst(decl);
      } catch (e) {
        this.failed.add(decl);
        throw e;
      }
    }
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
    } catch (e) {
      this.failed.add(decl);
      throw e;
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
    try {
      this.walkDependencies(stack, path, onPath, push);
    } catch (e) {
      // every constant on the path depends on the one that failed
      for (const d of path) this.failed.add(d);
      throw e;
    }
  }

  /** The loop of dependenciesFirst (see there). */
  private walkDependencies(
    stack: { decl: A.Const; refs: A.ConstIdentifier[]; next: number }[],
    path: A.Const[],
    onPath: Map<A.Const, number>,
    push: (d: A.Const) => void,
  ): void {
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

  /**
   * Resolves a name used where a value of `expected` is wanted: a constant (`FOO`, `mod.FOO`), an
   * enum item (`Enum.ITEM`, `mod.Enum.ITEM`) and, in the apache dialect, `mod.ITEM` for an item
   * of the expected enum of module `mod` (Apache's compiler resolves it). Throws
   * IdlCompileError for a name that names nothing fitting, with a hint that would work.
   */
  resolve(id: A.ConstIdentifier, expected: TypeSpec): NamedValue {
    const name = id.name;
    const local = this.scope.constDecls.get(name);
    if (local !== undefined) return { kind: 'constant', spec: this.constant(local, id.loc) };
    const dot = name.lastIndexOf('.');
    if (dot > 0) {
      const owner = this.enumNamed(name.slice(0, dot));
      const itemName = name.slice(dot + 1);
      if (owner !== undefined) {
        const item = owner.items.find((i) => i.name === itemName);
        if (item === undefined) {
          checkNotBroken(owner);
          throw new IdlCompileError(
            `enum '${owner.name}' has no item '${itemName}'${this.hint(id, expected)}`,
            id.loc,
            [owner.loc],
          );
        }
        if (expected.kind === 'enum' && expected !== owner) {
          throw new IdlCompileError(
            `'${name}' is an item of enum '${owner.name}', not of enum '${expected.name}'` +
              this.hint(id, expected),
            id.loc,
            [item.loc],
          );
        }
        return { kind: 'item', enum: owner, item };
      }
      const q = this.scope.qualified(name);
      const spec = q?.module.constants.get(q.rest);
      if (spec !== undefined) return { kind: 'constant', spec };
      const item = this.moduleItem(name, expected);
      if (item !== undefined && this.apacheSyntax) return item;
    }
    throw this.unknown(id, expected);
  }

  /** The enum `name` (local or `mod.Enum`, through typedefs), if it is one. */
  private enumNamed(name: string): EnumSpec | undefined {
    const owner = this.scope.findType(name);
    const target = owner?.kind === 'typedef' ? this.types.target(owner) : owner;
    return target?.kind === 'enum' ? target : undefined;
  }

  /** `mod.ITEM` as an item of `expected`, an enum of included module `mod` (Apache's reading). */
  private moduleItem(name: string, expected: TypeSpec): NamedValue | undefined {
    const q = this.scope.qualified(name);
    if (q === undefined || expected.kind !== 'enum' || expected.module !== q.module)
      return undefined;
    const item = expected.items.find((i) => i.name === q.rest);
    return item === undefined ? undefined : { kind: 'item', enum: expected, item };
  }

  /**
   * `; did you mean 'X'?` for the closest visible name that would be accepted where `expected`
   * is wanted (an item of the expected enum for an item of another; `mod.Enum.ITEM` for
   * `mod.ITEM`), or `` when none is close. Only constants already evaluated are offered.
   */
  private hint(id: A.ConstIdentifier, expected: TypeSpec): string {
    const short = (n: string): string => n.slice(n.lastIndexOf('.') + 1);
    let best: string | undefined;
    let bestDistance = 3;
    for (const c of this.candidates()) {
      if (c.name === id.name) continue;
      const d = short(c.name) === short(id.name) ? 0 : editDistance(id.name, c.name);
      if (d < bestDistance && fits(c.ref, expected)) {
        best = c.name;
        bestDistance = d;
      }
    }
    return best === undefined ? '' : `; did you mean '${best}'?`;
  }

  /** The error for a value name that names nothing. */
  private unknown(id: A.ConstIdentifier, expected: TypeSpec): IdlCompileError {
    const name = id.name;
    const kind = this.scope.kindOf(name) ?? this.includedKind(name);
    if (kind !== undefined) {
      return new IdlCompileError(
        `'${name}' is a ${kind}, not a constant or enum item; a value must name a constant ` +
          `or an enum item (Enum.ITEM)${this.hint(id, expected)}`,
        id.loc,
      );
    }
    const first = name.split('.')[0] ?? name;
    const hint = this.hint(id, expected);
    const known =
      this.scope.findType(first) !== undefined || this.scope.qualified(name) !== undefined;
    const dots = name.split('.').length - 1;
    const why =
      dots >= 1 && !known && (dots >= 2 || this.scope.includes.size > 0)
        ? ` ('${first}' is neither an included module nor an enum; ${this.scope.includeList()})`
        : '';
    const apache =
      this.moduleItem(name, expected) === undefined
        ? ''
        : ` (the apache dialect reads '${name}' as Apache's compiler does)`;
    return new IdlCompileError(`unknown constant '${name}'${why}${hint}${apache}`, id.loc);
  }

  /** What an included module defines `mod.Name` as, if anything. */
  private includedKind(name: string): string | undefined {
    const q = this.scope.qualified(name);
    if (q === undefined) return undefined;
    const type = q.module.types.get(q.rest);
    if (type !== undefined) return kindOfType(type);
    return q.module.services.has(q.rest) ? 'service' : undefined;
  }

  /** Every value name visible here with what it names (for suggestions). */
  private *candidates(): Iterable<{ readonly name: string; readonly ref: NamedValue }> {
    for (const [name, spec] of this.done) yield { name, ref: { kind: 'constant', spec } };
    yield* enumItems('', this.scope.types.values());
    for (const [prefix, m] of this.scope.includes) {
      for (const [c, spec] of m.constants)
        yield { name: `${prefix}.${c}`, ref: { kind: 'constant', spec } };
      yield* enumItems(`${prefix}.`, m.types.values());
    }
  }
}

/** `prefix + Enum.ITEM` for every item of every enum among `types`. */
function* enumItems(
  prefix: string,
  types: Iterable<TypeSpec | TypedefSpec>,
): Iterable<{ readonly name: string; readonly ref: NamedValue }> {
  for (const e of types) {
    if (e.kind !== 'enum') continue;
    for (const item of e.items) {
      yield { name: `${prefix}${e.name}.${item.name}`, ref: { kind: 'item', enum: e, item } };
    }
  }
}
