/**
 * A module's names while it compiles: its includes, and one namespace shared by types, constants
 * and services (a name may be defined once). Looks names up locally (`Foo`) or in an included
 * module (`mod.Foo`) and words "unknown name" errors with the closest known name.
 */
import { IdlCompileError, formatLocation } from '../errors.js';
import type { SourceLocation } from '../errors.js';
import type * as A from '../idl/ast.js';
import type { ModuleSpec, NamedTypeSpec, ServiceSpec } from '../schema/spec.js';

/** What a module-level name was defined as. */
export type DeclKind =
  'typedef' | 'enum' | 'struct' | 'union' | 'exception' | 'constant' | 'service';

/** A dotted name split at an included module's name: `shared.User` → shared's module, `User`. */
export interface Qualified {
  readonly module: ModuleSpec;
  readonly prefix: string;
  readonly rest: string;
}

/** Levenshtein distance between `a` and `b`, giving up (returning `max + 1`) past `max`. */
export function editDistance(a: string, b: string, max = 2): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost));
    }
    if (Math.min(...row) > max) return max + 1;
    prev = row;
  }
  return Math.min(prev[b.length]!, max + 1);
}

/** `; did you mean 'X'?` for the closest candidate within edit distance 2, else ``. */
export function suggest(name: string, candidates: Iterable<string>): string {
  let best: string | undefined;
  let bestDistance = 3;
  for (const c of candidates) {
    const d = editDistance(name, c);
    if (d < bestDistance && c !== name) {
      best = c;
      bestDistance = d;
    }
  }
  return best === undefined ? '' : `; did you mean '${best}'?`;
}

/** The kind of a named type spec as written in IDL (`struct`, `union`, `enum`, ...). */
export function kindOfType(spec: NamedTypeSpec): DeclKind {
  if (spec.kind === 'struct')
    return spec.variant === 'union' || spec.variant === 'exception' ? spec.variant : 'struct';
  return spec.kind;
}

/** The names of one module being compiled. */
export class Scope {
  /** Included modules by base name, in include order. */
  readonly includes = new Map<string, ModuleSpec>();
  /** Named types in declaration order (this map becomes the module's `types`). */
  readonly types = new Map<string, NamedTypeSpec>();
  /** Services in declaration order (this map becomes the module's `services`). */
  readonly services = new Map<string, ServiceSpec>();
  /** Constant declarations by name, evaluated in phase 2. */
  readonly constDecls = new Map<string, A.Const>();
  private readonly declared = new Map<string, { kind: DeclKind; loc: SourceLocation }>();

  /** Records a definition; throws IdlCompileError naming both places when `name` is taken. */
  declare(name: string, kind: DeclKind, loc: SourceLocation): void {
    const first = this.declared.get(name);
    if (first !== undefined) {
      throw new IdlCompileError(
        `duplicate name '${name}': already defined as ${article(first.kind)} at ` +
          `${formatLocation(first.loc)} (types, constants and services share one namespace). ` +
          `Please rename one of them`,
        loc,
        [first.loc],
      );
    }
    this.declared.set(name, { kind, loc });
  }

  /** What `name` was defined as in this module, if anything. */
  kindOf(name: string): DeclKind | undefined {
    return this.declared.get(name)?.kind;
  }

  /** Splits `mod.Rest` at the longest included module name it starts with. */
  qualified(name: string): Qualified | undefined {
    let found: Qualified | undefined;
    for (const [prefix, module] of this.includes) {
      if (
        name.startsWith(`${prefix}.`) &&
        (found === undefined || prefix.length > found.prefix.length)
      ) {
        found = { module, prefix, rest: name.slice(prefix.length + 1) };
      }
    }
    return found;
  }

  /** The named type `name` (local or `mod.Name`), or undefined. Never throws. */
  findType(name: string): NamedTypeSpec | undefined {
    const local = this.types.get(name);
    if (local !== undefined) return local;
    const q = this.qualified(name);
    return q?.module.types.get(q.rest);
  }

  /** The named type `name`; throws IdlCompileError (unknown, not a type, unknown module). */
  type(name: string, loc: SourceLocation): NamedTypeSpec {
    const found = this.findType(name);
    if (found !== undefined) return found;
    this.notA('type', name, loc);
  }

  /** The service `name` (local or `mod.Name`); throws IdlCompileError when there is none. */
  service(name: string, loc: SourceLocation): ServiceSpec {
    const local = this.services.get(name);
    if (local !== undefined) return local;
    const q = this.qualified(name);
    const found = q?.module.services.get(q.rest);
    if (found !== undefined) return found;
    this.notA('service', name, loc);
  }

  /** Every type name visible here: local names and `mod.Name` for included modules. */
  private *visible(what: 'type' | 'service'): Iterable<string> {
    yield* what === 'type' ? this.types.keys() : this.services.keys();
    for (const [prefix, m] of this.includes) {
      for (const n of (what === 'type' ? m.types : m.services).keys()) yield `${prefix}.${n}`;
    }
  }

  /** What `name` is if it is defined but not as a `what` (for "is a constant, not a type"). */
  private otherKind(name: string): string | undefined {
    const local = this.kindOf(name);
    if (local !== undefined) return local;
    const q = this.qualified(name);
    if (q === undefined) return undefined;
    const type = q.module.types.get(q.rest);
    if (type !== undefined) return kindOfType(type);
    if (q.module.services.has(q.rest)) return 'service';
    if (q.module.constants.has(q.rest)) return 'constant';
    return undefined;
  }

  /** Throws the error for a name that is not a known `what`. */
  private notA(what: 'type' | 'service', name: string, loc: SourceLocation): never {
    const other = this.otherKind(name);
    if (other !== undefined) {
      throw new IdlCompileError(`'${name}' is ${article(other)}, not ${article(what)}`, loc);
    }
    const dot = name.indexOf('.');
    if (dot > 0 && this.qualified(name) === undefined) {
      throw new IdlCompileError(
        `unknown module '${name.slice(0, dot)}' in '${name}'; ${this.includeList()}`,
        loc,
      );
    }
    throw new IdlCompileError(`unknown ${what} '${name}'${suggest(name, this.visible(what))}`, loc);
  }

  /** `this file includes: a, b` or `this file has no includes`. */
  includeList(): string {
    const names = [...this.includes.keys()];
    return names.length === 0
      ? 'this file has no includes'
      : `this file includes: ${names.join(', ')}`;
  }
}

/** `a struct`, `an enum`, `an exception`. */
export function article(kind: string): string {
  return /^(?:[aeio]|un(?!i))/.test(kind) ? `an ${kind}` : `a ${kind}`;
}
