/**
 * `load(path)`: compiles a `.thrift` file from disk (includes resolved relative to the including
 * file) and returns its module object. Results are cached by absolute path and dialect, so loading
 * a file twice, or loading a file another loaded file includes, gives the same module object.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { Dialect, IdlWarning, IncludeResolver } from '../compile/index.js';
import { compileModule } from '../compile/index.js';
import { IdlCompileError } from '../errors.js';
import { decodeUtf8Escaped } from '../util/utf8.js';
import type { ModuleSpec } from '../schema/spec.js';
import type { ThriftModule } from '../module.js';
import { moduleFor } from '../module.js';

/** Options for `load`. */
export interface LoadOptions {
  /** `thriftrw` (default: struct fields must say required/optional) or `apache`. */
  readonly dialect?: Dialect;
  /**
   * Folders searched, in order, for an include that is not beside the including file, as
   * Apache's `thrift -I DIR` does (relative folders are taken from the current directory);
   * default none.
   */
  readonly includeDirs?: readonly string[];
  /**
   * Called with each warning of each file compiled (`async`, `xsd_*`, a oneway function's return
   * type; see docs/idl.md); not called again for a file already loaded. Default: none (the codec
   * prints nothing).
   */
  readonly onWarning?: (warning: IdlWarning) => void;
}

/** Compiled modules by absolute path, one Map per dialect and list of include folders. */
const caches = new Map<string, Map<string, ModuleSpec>>();

/**
 * Reads a file as UTF-8. Bytes that are not valid UTF-8 become lone surrogates (see
 * decodeUtf8Escaped), which the lexer refuses with file:line:col inside a string literal (and
 * anywhere else as an unexpected character; comments may hold them).
 */
function readSource(path: string, from: string | undefined): string {
  try {
    return decodeUtf8Escaped(readFileSync(path));
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new IdlCompileError(
      `cannot read ${path}${from === undefined ? '' : ` (included from ${from})`}: ${code ?? String(e)}`,
      undefined,
      [],
      { cause: e },
    );
  }
}

/** The include resolver over the file system: paths are relative to the including file. */
export const fileResolver: IncludeResolver = (includePath, fromKey) => {
  const key = resolve(dirname(fromKey), includePath);
  return { key, source: readSource(key, fromKey) };
};

/**
 * An include resolver over the file system that looks for a relative include beside the
 * including file first, then in each of `includeDirs` in order (Apache's `thrift -I`); an
 * absolute path is taken as is. With no folders it is `fileResolver`. The returned resolver
 * throws IdlCompileError naming every place it looked when the file is in none of them.
 */
export function searchResolver(includeDirs: readonly string[]): IncludeResolver {
  if (includeDirs.length === 0) return fileResolver;
  const dirs = includeDirs.map((d) => resolve(d));
  return (includePath, fromKey) => {
    if (isAbsolute(includePath)) return fileResolver(includePath, fromKey);
    const places = [dirname(fromKey), ...dirs];
    const key = places.map((d) => resolve(d, includePath)).find((p) => existsSync(p));
    if (key === undefined) {
      throw new IdlCompileError(
        `no file '${includePath}' beside ${fromKey} or in the include folders ` +
          `(includeDirs): ${dirs.join(', ')}. Please add the folder that holds it to includeDirs`,
        undefined,
      );
    }
    return { key, source: readSource(key, fromKey) };
  };
}

/**
 * Loads and compiles `path` (and its includes, found beside the including file, then in
 * `options.includeDirs`) and returns the module object, cached by absolute path, dialect and
 * include folders. `options.dialect` defaults to `thriftrw`. Throws IdlSyntaxError /
 * IdlCompileError (with file:line:col, and the includes that led to an included file) for bad
 * IDL and IdlCompileError for a file that cannot be read or found.
 */
export function load(path: string, options: LoadOptions = {}): ThriftModule {
  const dialect = options.dialect ?? 'thriftrw';
  const dirs = (options.includeDirs ?? []).map((d) => resolve(d));
  const cacheKey = [dialect, ...dirs].join('\0');
  let cache = caches.get(cacheKey);
  if (cache === undefined) {
    cache = new Map();
    caches.set(cacheKey, cache);
  }
  const key = resolve(path);
  const cached = cache.get(key);
  if (cached !== undefined) return moduleFor(cached);
  const spec = compileModule(
    key,
    readSource(key, undefined),
    {
      dialect,
      resolve: searchResolver(dirs),
      ...(options.onWarning === undefined ? {} : { onWarning: options.onWarning }),
    },
    cache,
  );
  return moduleFor(spec);
}
