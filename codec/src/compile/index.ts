/**
 * Stage 2 of the codec: compiles (links) a parsed Thrift IDL file and its includes into the specs
 * of `schema/spec.ts`. Two phases per module: every named definition is created first (so forward
 * and cyclic references work), then type references, typedef targets, fields, service parents,
 * functions, constants and field defaults are linked and checked.
 *
 *   const cache = new Map<string, ModuleSpec>();
 *   const spec = compileModule('services/user.thrift', text, { resolve: memoryResolver(files) }, cache);
 *
 * Every problem is an IdlCompileError (IdlSyntaxError from the parser for text that is not IDL)
 * carrying the file:line:col of the offending node, `related` locations (the first definition of
 * a duplicate, the members of a cycle) and, where there is one, a fix ("Please ...").
 *
 * Files of this stage:
 *   compile.ts    compileModule: parse, includes (resolver, cache, cycles), the two phases
 *   declare.ts    phase 1: a spec per definition; enums complete
 *   scope.ts      a module's names (one namespace), `mod.Name` lookups, "did you mean"
 *   types.ts      type references → type specs; typedef targets with cycle detection
 *   fields.ts     field lists: ids, requiredness, types, duplicates; defaults queued
 *   dialects.ts   the rules that differ between the thriftrw and apache dialects
 *   services.ts   parents, functions, request and response structs
 *   constants.ts  lazy constant evaluation, value names (FOO, mod.FOO, Enum.ITEM), cycles
 *   values.ts     typing a constant value against a type spec; converting referenced constants
 *   resolver.ts   memoryResolver (POSIX-style relative includes over an in-memory record)
 */

import type { SourceLocation } from '../errors.js';

/**
 * `thriftrw` (the default): every struct and exception field must say `required` or `optional`
 * and every field needs an explicit id from 1 to 32767. `apache`: Apache Thrift's rules (no
 * requiredness means `default`; missing ids get implicit negative ids -1, -2, ...).
 */
export type Dialect = 'thriftrw' | 'apache';

/**
 * Finds an included file. Resolves `includePath` as written in the file whose key is `fromKey`;
 * returns a canonical key (same key => same module) and the file's source. Throws if missing.
 */
export interface IncludeResolver {
  (includePath: string, fromKey: string): { key: string; source: string };
}

/**
 * Something the compiler accepted but that does not mean what it may seem to (Apache's
 * compiler accepts it too, some with a warning of its own): `async`, a oneway function with a
 * return type, the `xsd_*` markers.
 */
export interface IdlWarning {
  /** What was accepted and what it means, with a fix. */
  readonly reason: string;
  /** Where. */
  readonly loc: SourceLocation;
  /** `file:line:col: reason`. */
  readonly message: string;
}

/** Options for `compileModule`. */
export interface CompileOptions {
  /** The rules to compile by; default `thriftrw`. */
  dialect?: Dialect;
  /** How `include` finds files; default: every include fails with "includes need a resolver". */
  resolve?: IncludeResolver;
  /**
   * Called once for each warning of each file compiled (not for files taken from the cache);
   * default: warnings are dropped (the codec prints nothing).
   */
  onWarning?: (warning: IdlWarning) => void;
}

export { compileModule } from './compile.js';
export { memoryResolver } from './resolver.js';
