/**
 * `compileModule`: parses a file, compiles its includes (recursively, through the resolver, cached
 * by key, no cycles), then runs phase 1 (declare every definition) and phase 2 (link typedefs,
 * fields, services, constants and defaults) and returns the module's spec.
 */
import { IdlCompileError, IdlSyntaxError, formatLocation } from '../errors.js';
import type { SourceLocation } from '../errors.js';
import type * as A from '../idl/ast.js';
import { parse } from '../idl/parser.js';
import type { ConstantSpec, ModuleSpec } from '../schema/spec.js';
import { ConstantEvaluator } from './constants.js';
import { declareAll } from './declare.js';
import { dialectRules } from './dialects.js';
import type { DialectRules } from './dialects.js';
import { applyDefaults, checkDefaultCycles, linkFields } from './fields.js';
import type { FieldContext } from './fields.js';
import type { CompileOptions, IdlWarning, IncludeResolver } from './index.js';
import { BROKEN, ErrorCollector } from './broken.js';
import { apacheOnly } from './dialects.js';
import { Scope } from './scope.js';
import { checkInheritance, linkFunctions, linkParent } from './services.js';
import { TypeLinker } from './types.js';

/** One file on the current include path: its key and the include header that led to it. */
interface Frame {
  readonly key: string;
  readonly via: SourceLocation | undefined;
}

/**
 * The longest chain of includes (a file that includes a file that includes ...) the compiler
 * follows; a longer one is refused with an IdlCompileError at the include that passes it, instead
 * of overflowing the JavaScript stack.
 */
export const MAX_INCLUDE_DEPTH = 64;

const noResolver: IncludeResolver = () => {
  throw new Error('includes need a resolver (pass options.resolve, e.g. memoryResolver(files))');
};

/** The module name of a key: its base name without `.thrift` (`/a/b/shared.thrift` → `shared`). */
export function moduleName(key: string): string {
  const base = key.split(/[\\/]/).pop() ?? key;
  return base.endsWith('.thrift') ? base.slice(0, -'.thrift'.length) : base;
}

/**
 * Compiles the file `key` with `source` into a ModuleSpec; included files are compiled through
 * `options.resolve` (default: none, so any include fails). `cache` maps key → ModuleSpec: a key
 * already in it with the same source gives back the same object (pass the same Map across calls,
 * one Map per dialect); compiled modules are added to it. `options.dialect` defaults to
 * `thriftrw`. Throws IdlSyntaxError for text that does not parse and IdlCompileError (with
 * file:line:col, related locations and a fix where there is one) for IDL that does not link.
 */
export function compileModule(
  key: string,
  source: string,
  options: CompileOptions = {},
  cache: Map<string, ModuleSpec> = new Map(),
): ModuleSpec {
  const compiler = new Compiler(
    dialectRules(options.dialect),
    options.resolve ?? noResolver,
    cache,
    options.onWarning,
  );
  return compiler.module(key, source, [{ key, via: undefined }]);
}

class Compiler {
  constructor(
    private readonly rules: DialectRules,
    private readonly resolver: IncludeResolver,
    private readonly cache: Map<string, ModuleSpec>,
    private readonly onWarning: ((warning: IdlWarning) => void) | undefined,
  ) {}

  /**
   * Compiles one file; `chain` is the include path to it (itself last). An error in an included
   * file names the includes that led to it (IdlCompileError.includedFrom).
   */
  module(key: string, source: string, chain: readonly Frame[]): ModuleSpec {
    const cached = this.cache.get(key);
    if (cached !== undefined && cached.source === source) return cached;
    try {
      return this.compile(key, source, chain);
    } catch (e) {
      throw chain.length > 1 ? withIncludes(e, key, chain) : e;
    }
  }

  /** Compiles one file (see `module`); reports its first error in source order. */
  private compile(key: string, source: string, chain: readonly Frame[]): ModuleSpec {
    const program = parse(source, key);
    const scope = new Scope();
    this.includes(program, key, scope, chain);
    const constants = new Map<string, ConstantSpec>();
    const namespaces = new Map<string, string>();
    for (const h of program.headers) if (h.kind === 'Namespace') namespaces.set(h.scope, h.name);
    const module: ModuleSpec = {
      name: moduleName(key),
      key,
      source,
      program,
      includes: scope.includes,
      types: scope.types,
      constants,
      services: scope.services,
      namespaces,
    };
    const errors = new ErrorCollector(key);
    const warnings: IdlWarning[] = [];
    const warn = (reason: string, loc: SourceLocation): void => {
      warnings.push({ reason, loc, message: `${formatLocation(loc)}: ${reason}` });
    };
    // Phase 1: every definition gets its spec.
    const declared = declareAll(program, module, scope, errors);
    // Phase 2: link. Each step that fails is recorded and the others go on, so that the error
    // reported is the first in the file, not the first of the phase that checks it.
    const types = new TypeLinker(scope, declared.typedefs);
    const ctx: FieldContext = { rules: this.rules, types, pending: [], warn };
    for (const typedef of declared.typedefs.keys()) errors.attempt(() => types.target(typedef));
    for (const [spec, ast] of declared.structs) {
      const kind =
        spec.variant === 'union' || spec.variant === 'exception' ? spec.variant : 'struct';
      if (ast.kind === 'Struct' && ast.xsdAll === true) {
        errors.attempt(() => xsdAll(ast, ctx));
      }
      const linked = errors.attempt(() =>
        linkFields(spec, { kind, name: spec.name }, ast.fields, ctx),
      );
      if (!linked) BROKEN.add(spec);
    }
    for (const [spec, ast] of declared.services) {
      errors.attempt(() => linkParent(spec, ast, scope));
    }
    errors.attempt(() => checkInheritance(declared.services.map(([spec]) => spec)));
    for (const [spec, ast] of declared.services) {
      errors.attempt(() => linkFunctions(spec, ast, ctx));
    }
    const evaluator = new ConstantEvaluator(scope, types, this.rules.apacheSyntax);
    for (const decl of scope.constDecls.values()) {
      errors.attempt(() => constants.set(decl.name, evaluator.evaluate(decl)));
    }
    for (const p of ctx.pending) {
      errors.attempt(() => applyDefaults([p], (value, type) => evaluator.value(value, type)));
    }
    errors.attempt(() => checkDefaultCycles(ctx.pending));
    const first = errors.first();
    if (first !== undefined) throw first;
    for (const w of warnings) this.onWarning?.(w);
    this.cache.set(key, module);
    return module;
  }

  /** Compiles the includes of `program` into `scope.includes`. */
  private includes(program: A.Program, key: string, scope: Scope, chain: readonly Frame[]): void {
    const seen = new Map<string, { loc: SourceLocation; key: string }>();
    for (const h of program.headers) {
      if (h.kind !== 'Include') continue;
      if (chain.length >= MAX_INCLUDE_DEPTH) {
        throw new IdlCompileError(
          `include chain deeper than ${MAX_INCLUDE_DEPTH} files (${chain[0]!.key} -> ... -> ` +
            `${key} -> ${h.path}); the codec follows at most ${MAX_INCLUDE_DEPTH}. Please include ` +
            `the files from fewer levels`,
          h.loc,
        );
      }
      const file = this.resolve(h, key);
      const at = chain.findIndex((f) => f.key === file.key);
      if (at >= 0) {
        const keys = [...chain.slice(at).map((f) => f.key), file.key];
        const related = chain.slice(at + 1).flatMap((f) => (f.via === undefined ? [] : [f.via]));
        throw new IdlCompileError(
          `include cycle: ${keys.join(' -> ')}; Thrift files cannot include each other in a ` +
            `cycle. Please move the shared definitions into a file both include`,
          h.loc,
          related,
        );
      }
      const name = moduleName(file.key);
      const first = seen.get(name);
      if (first !== undefined) {
        throw new IdlCompileError(
          `two includes are both named '${name}' ('${first.key}' at ${formatLocation(first.loc)} ` +
            `and '${file.key}'); included modules are referred to by base name. Please rename ` +
            `one of the files`,
          h.loc,
          [first.loc],
        );
      }
      seen.set(name, { loc: h.loc, key: file.key });
      const spec = this.module(file.key, file.source, [...chain, { key: file.key, via: h.loc }]);
      scope.includes.set(name, spec);
    }
  }

  /** Runs the resolver; wraps its errors in IdlCompileError at the include. */
  private resolve(h: A.Include, fromKey: string): { key: string; source: string } {
    try {
      return this.resolver(h.path, fromKey);
    } catch (e) {
      const why =
        e instanceof IdlCompileError ? e.reason : e instanceof Error ? e.message : String(e);
      throw new IdlCompileError(`cannot include '${h.path}': ${why}`, h.loc, [], { cause: e });
    }
  }
}

/** Warns of (or, in the thriftrw dialect, refuses) `xsd_all` on struct `ast`. */
function xsdAll(ast: A.Struct, ctx: FieldContext): void {
  apacheOnly(`'xsd_all' (on struct '${ast.name}')`, ctx.rules, ast.loc);
  ctx.warn(
    `'xsd_all' on struct '${ast.name}' is ignored: only Apache's XSD generator reads it. ` +
      `Please remove it`,
    ast.loc,
  );
}

/**
 * `e` with the include chain that led to file `key` (innermost include first), when it is an
 * IDL error in that file that does not name one yet; otherwise `e` itself.
 */
function withIncludes(e: unknown, key: string, chain: readonly Frame[]): unknown {
  if (!(e instanceof IdlSyntaxError || e instanceof IdlCompileError)) return e;
  if (e.includedFrom.length > 0 || (e.loc !== undefined && e.loc.file !== key)) return e;
  const includedFrom = chain.flatMap((f) => (f.via === undefined ? [] : [f.via])).reverse();
  const options = { cause: e.cause, includedFrom };
  return e instanceof IdlSyntaxError
    ? new IdlSyntaxError(e.reason, e.loc, e.sourceLine, options)
    : new IdlCompileError(e.reason, e.loc, e.related, options);
}
