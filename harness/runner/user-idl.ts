/**
 * Your own IDL (`thrift-conform run --idl FILE [-I DIR] [--dialect apache|thriftrw]`): each file
 * named becomes a schema the sweep checks with random values of its structs and unions (edge
 * values first), through every property and peer, instead of generated schemas.
 *
 * How a file becomes a schema:
 * - its includes are read (relative to the including file first, then each include folder, as
 *   `thrift -I` does) and every file is given to the peers in one flat set keyed by its base name
 *   (Apache and thriftrw name an included file's types by that base name, so references stay as
 *   written); the include lines are rewritten to `./<base name>` (thriftrw takes only includes
 *   that start with `./` or `../`). Two different files with the same base name cannot be
 *   flattened: that is an error naming both.
 * - a service `Echo` with one `T echoT(1: T v)` per struct and union of the file is appended to a
 *   copy of it (the user's file is never written), so the value properties (our codec, the peer's
 *   round trip, our client against the peer's server and the other way round) work on its types.
 *   A file that already declares `Echo` is refused (rename it in a copy).
 * - each function of each service of the file (inherited ones too) gets a call type appended
 *   beside it (`TConformCall_<Service>_<function>`: its arguments and an answer; user-rpc.ts), so
 *   its values are drawn, shrunk, bundled and replayed like the user's own, and the user-rpc
 *   properties call the user's real services with them in both directions. Names starting with
 *   `TConform` are the harness's: a file that declares one is refused.
 * - exceptions and enums of the file are not echoed (an exception cannot be returned).
 * - in the apache dialect, fields without requiredness are always given a value: whether a writer
 *   writes such a field when it is unset differs between Apache's generators (Go and Java write
 *   their zero value, Python leaves it out), which the spec leaves to each language.
 */
import fc from 'fast-check';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { parse } from '../../codec/src/index.js';
import type { Dialect, IdlWarning } from '../../codec/src/index.js';
import type { ValueArbOptions } from '../arbitraries/values.js';
import { compileSchema, valuesOf } from './cases.js';
import type { GeneratedCase } from './cases.js';
import { CALL_PREFIX, userCallsIdl } from './user-rpc.js';
import type { UserCallsIdl } from './user-rpc.js';

/** A user's IDL file as a schema: the flat file set, its main file and dialect. */
export interface UserSchema {
  readonly files: Readonly<Record<string, string>>;
  readonly main: string;
  readonly dialect: Dialect;
  /** The file as the user named it (for messages). */
  readonly source: string;
  /** The echoed types (structs and unions of the file), in order. */
  readonly types: readonly string[];
  /** The call types of its services' functions (user-rpc.ts), in order; none without services. */
  readonly calls?: readonly string[];
}

/** The user's IDL cannot be used as given; the message names the file (and line) and the fix. */
export class UserIdlError extends Error {
  override get name(): string {
    return 'UserIdlError';
  }
}

/** Options of {@link loadUserIdl}. */
export interface UserIdlOptions {
  /** Folders searched for includes after the including file's own (like `thrift -I`). Default none. */
  readonly includeDirs?: readonly string[];
  /** The dialect to compile by. Default `thriftrw`. */
  readonly dialect?: Dialect;
  /**
   * Append the Echo service (default true). Without it the files are read and flattened only
   * (for `call`): no struct is needed, a service may be named Echo, and nothing is compiled.
   */
  readonly echo?: boolean;
  /** Receives what the dialect accepts but ignores (`xsd_*`, `async`), once per file. Default: nothing. */
  readonly onWarning?: (warning: IdlWarning) => void;
}

const INCLUDE = /^(\s*include\s+)(["'])([^"'\n]+)\2/gm;

/**
 * Reads `path` and every file it includes into one schema (see the module comment). Throws
 * UserIdlError for a missing file or include, two included files with the same base name, a file
 * with no struct, union or service function to check, a file that declares `Echo` or a
 * `TConform…` name, or IDL our codec cannot compile (with its located message).
 */
export function loadUserIdl(path: string, options: UserIdlOptions = {}): UserSchema {
  const dialect = options.dialect ?? 'thriftrw';
  const dirs = (options.includeDirs ?? []).map((d) => resolve(d));
  const full = resolve(path);
  if (!existsSync(full)) throw new UserIdlError(`--idl ${path}: no such file`);
  const files: Record<string, string> = {};
  const from = new Map<string, string>(); // base name → the full path it was read from
  const read = (file: string, chain: readonly string[]): void => {
    const name = basename(file);
    const seen = from.get(name);
    if (seen !== undefined) {
      if (seen !== file)
        throw new UserIdlError(
          `${chain.join(' includes ')}: ${file} and ${seen} have the same base name ${name}; the peers are given one flat set of files, so rename one of them`,
        );
      return;
    }
    from.set(name, file);
    const text = readFileSync(file, 'utf8');
    const lines = text.split('\n');
    files[name] = text.replace(
      INCLUDE,
      (whole, lead: string, q: string, inc: string, at: number) => {
        const line = text.slice(0, at).split('\n').length;
        const candidates = [
          ...(isAbsolute(inc) ? [inc] : [join(dirname(file), inc)]),
          ...(isAbsolute(inc) ? [] : dirs.map((d) => join(d, inc))),
        ];
        const found = candidates.find((c) => existsSync(c));
        if (found === undefined)
          throw new UserIdlError(
            `${file}:${line}: include "${inc}" is not next to the file${dirs.length ? ` nor in ${dirs.join(', ')}` : ''} (${(lines[line - 1] ?? '').trim()}); add its folder with -I DIR`,
          );
        read(resolve(found), [...chain, `${file}:${line}`]);
        return `${lead}${q}./${basename(found)}${q}`;
      },
    );
  };
  read(full, [path]);
  const main = basename(full);
  const text = files[main]!;
  if (options.echo === false) return { files, main, dialect, source: path, types: [] };
  let program;
  try {
    program = parse(text, main);
  } catch (e) {
    throw new UserIdlError(`--idl ${path}: ${(e as Error).message}`);
  }
  if (program.definitions.some((d) => d.kind === 'Service' && d.name === 'Echo'))
    throw new UserIdlError(
      `--idl ${path}: it declares a service named Echo, the name the harness gives its own echo service; rename yours in a copy of the file`,
    );
  const types = program.definitions
    .filter((d) => d.kind === 'Struct' || d.kind === 'Union')
    .map((d) => d.name);
  let calls: UserCallsIdl;
  try {
    calls = userCallsIdl(files, main);
  } catch (e) {
    throw new UserIdlError(`--idl ${path}: ${(e as Error).message}`);
  }
  if (types.length === 0 && calls.types.length === 0)
    throw new UserIdlError(
      `--idl ${path}: it declares no struct, union or service function, so it has no values to check; name the files that declare your types`,
    );
  const clash = program.definitions.find((d) => d.name.startsWith(CALL_PREFIX.slice(0, 8)));
  if (clash !== undefined)
    throw new UserIdlError(
      `--idl ${path}: it declares ${clash.name}, a name starting with ${clash.name.slice(0, 8)}, which the harness gives its own types; rename yours in a copy of the file`,
    );
  const echoed = [...types, ...calls.types];
  const synthetic =
    calls.types.length === 0
      ? ''
      : `\n\n// Added by thrift-conform: one call (arguments and answer) per function of each service.\n${calls.text}`;
  const echo = `\n\n// Added by thrift-conform: one echo function per struct and union of this file.\nservice Echo {\n${echoed.map((t) => `  ${t} echo${t}(1: ${t} v)`).join('\n')}\n}\n`;
  const head = calls.includes.length === 0 ? '' : `${calls.includes.join('\n')}\n`;
  files[main] = `${head}${text.replace(/\s*$/, '')}${synthetic.replace(/\s*$/, '')}${echo}`;
  try {
    compileSchema(files, main, dialect, options.onWarning);
  } catch (e) {
    throw new UserIdlError(`--idl ${path}: ${(e as Error).message}`);
  }
  return { files, main, dialect, source: path, types, calls: calls.types };
}

/**
 * The arbitrary of cases for the user's schemas: each case one of `schemas` and `values` random
 * values of its echoed types (edge values first; nil entries only when shrinking). The schema is
 * the user's and never shrinks; the values do. Never throws (the schemas compiled when loaded).
 */
export function userCaseArb(
  schemas: readonly UserSchema[],
  values: number,
  bounds: ValueArbOptions = { maxLength: 3, maxDepth: 3 },
): fc.Arbitrary<GeneratedCase> {
  const compiled = schemas.map((s) => ({
    schema: { ...compileSchema(s.files, s.main, s.dialect), user: true as const },
    bounds: { ...bounds, setDefaultFields: s.dialect === 'apache' },
  }));
  return fc
    .constantFrom(...compiled)
    .chain(({ schema, bounds }) => valuesOf(schema, values, bounds));
}
