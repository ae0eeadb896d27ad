/**
 * What one generated case is, and the fast-check arbitrary that makes them: a schema (IDL files,
 * the main one including the others, printed from generated ASTs and compiled by our codec) and up to `values` struct values of its
 * types. The runner's sweep, its shrinking and `replay` all go through this one arbitrary, so the
 * run's seed and a case's fast-check path (`"17"`, or `"17:3:0"` once shrunk) name a case exactly.
 *
 * Values are a tuple of options (never-nil while generating, nil first when shrinking), so a
 * failing case shrinks towards a single value as well as towards a smaller schema.
 */
import fc from 'fast-check';
import { compile } from '../../codec/src/index.js';
import type {
  Dialect,
  IdlWarning,
  ServiceObject,
  StructClass,
  ThriftModule,
} from '../../codec/src/index.js';
import { idlArb, printIdl } from '../arbitraries/idl.js';
import type { IdlArbOptions } from '../arbitraries/idl.js';
import { structArb } from '../arbitraries/values.js';
import type { ValueArbOptions } from '../arbitraries/values.js';

/** The main IDL file of every generated case. */
export const MAIN_FILE = 'generated.thrift';

/** One value of a case: the name of its generated type and the value (an instance of it). */
export interface CaseValue {
  readonly type: string;
  readonly value: object;
}

/** A schema compiled by our codec, with what the runner needs from it. */
export interface CompiledSchema {
  /** IDL files (path → text) and the main one. */
  readonly files: Readonly<Record<string, string>>;
  readonly main: string;
  readonly mod: ThriftModule;
  /** The `Echo` service (one `echo<Type>(1: <Type> v)` per struct and union). */
  readonly echo: ServiceObject;
  /** The struct and union classes of the main file that have an echo function, by name. */
  readonly classes: ReadonlyMap<string, StructClass>;
  /** The dialect it was compiled by, when not `thriftrw` (a user's IDL, or a generated one made for apache-dialect peers). */
  readonly dialect?: Dialect;
  /** A user's IDL (`--idl`), not generated: checked as it is, never edited by the reducer. */
  readonly user?: true;
}

/** A generated case: a schema and the values to check with it (nil entries were shrunk away). */
export interface GeneratedCase {
  readonly schema: CompiledSchema;
  readonly values: readonly (CaseValue | undefined)[];
}

/** Options of {@link caseArb}. */
export interface CaseArbOptions {
  /**
   * The generator's IDL options (dialect, peer features, names to avoid, included files), or
   * several weighted profiles: each schema is made within one of them (fast-check picks which,
   * as often as its weight says).
   */
  readonly idl: IdlArbOptions | readonly { readonly idl: IdlArbOptions; readonly weight: number }[];
  /** Values per schema. Default 12. */
  readonly values?: number;
  /** Bounds on each value (and unknownEnumValues). Default maxLength 3, maxDepth 3. */
  readonly valueBounds?: ValueArbOptions;
}

/**
 * Compiles IDL files with our codec (by `dialect`, default thriftrw; what the dialect accepts but
 * ignores goes to `onWarning`, default nowhere) and picks out what the runner uses. Throws the
 * codec's CompileError (with file:line:col) when the IDL is invalid, or Error when it has no `Echo`.
 */
export function compileSchema(
  files: Readonly<Record<string, string>>,
  main: string = MAIN_FILE,
  dialect: Dialect = 'thriftrw',
  onWarning?: (warning: IdlWarning) => void,
): CompiledSchema {
  const source = files[main];
  if (source === undefined) throw new Error(`the IDL files have no ${main}`);
  const mod = compile(source, {
    file: main,
    includes: files,
    dialect,
    ...(onWarning !== undefined ? { onWarning } : {}),
  });
  const echo = mod.Echo as ServiceObject | undefined;
  if (echo === undefined || typeof echo !== 'object' || !('__functions__' in echo))
    throw new Error(`${main} has no service Echo: not a generated schema`);
  const classes = new Map<string, StructClass>();
  for (const fn of echo.__functions__.keys()) {
    const type = fn.replace(/^echo/, '');
    const C = mod.__types__[type] as StructClass | undefined;
    if (typeof C === 'function' && '__spec__' in C) classes.set(type, C);
  }
  return { files, main, mod, echo, classes, ...(dialect !== 'thriftrw' ? { dialect } : {}) };
}

/**
 * Returns the arbitrary of generated cases (see the module comment). Throws (while generating)
 * only if the generator makes IDL our codec cannot compile — a generator bug.
 */
export function caseArb(options: CaseArbOptions): fc.Arbitrary<GeneratedCase> {
  const n = options.values ?? 12;
  const bounds = options.valueBounds ?? { maxLength: 3, maxDepth: 3 };
  const profiles = Array.isArray(options.idl)
    ? (options.idl as readonly { idl: IdlArbOptions; weight: number }[])
    : [{ idl: options.idl as IdlArbOptions, weight: 1 }];
  const idls =
    profiles.length === 1
      ? idlArb(profiles[0]!.idl)
      : fc.oneof(...profiles.map((p) => ({ arbitrary: idlArb(p.idl), weight: p.weight })));
  // Apache-dialect schemas: fields of default requiredness always set (as for a user's IDL).
  return idls.chain((idl) =>
    idl.dialect === 'apache'
      ? valuesOf(compileSchema(printIdl(idl), idl.main, 'apache'), n, {
          ...bounds,
          setDefaultFields: true,
        })
      : valuesOf(compileSchema(printIdl(idl), idl.main), n, bounds),
  );
}

/**
 * The arbitrary of `n` random values of the echoed types of `schema` (edge values first), as a
 * case of that schema; nil entries almost never while generating, first when shrinking. Never
 * throws.
 */
export function valuesOf(
  schema: CompiledSchema,
  n: number,
  bounds: ValueArbOptions,
): fc.Arbitrary<GeneratedCase> {
  const classes = [...schema.classes];
  if (classes.length === 0) return fc.constant({ schema, values: [] });
  const one = fc
    .constantFrom(...classes)
    .chain(([type, C]) =>
      structArb(C.__spec__, bounds).map((value): CaseValue => ({ type, value })),
    );
  const slot = fc.option(one, { nil: undefined, freq: 1_000_000 });
  return fc
    .tuple(...Array.from({ length: n }, () => slot))
    .map((values): GeneratedCase => ({ schema, values }));
}
