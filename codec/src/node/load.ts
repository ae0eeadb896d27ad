/**
 * `load(path)`: compiles a `.thrift` file from disk (includes resolved relative to the including
 * file) and returns its module object. Results are cached by absolute path and dialect, so loading
 * a file twice, or loading a file another loaded file includes, gives the same module object.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Dialect, IncludeResolver } from '../compile/index.js';
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
}

const caches = new Map<Dialect, Map<string, ModuleSpec>>();

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
 * Loads and compiles `path` (and its includes) and returns the module object, cached by absolute
 * path and dialect. Throws IdlSyntaxError / IdlCompileError (with file:line:col) for bad IDL and
 * IdlCompileError for a file that cannot be read.
 */
export function load(path: string, options: LoadOptions = {}): ThriftModule {
  const dialect = options.dialect ?? 'thriftrw';
  let cache = caches.get(dialect);
  if (cache === undefined) {
    cache = new Map();
    caches.set(dialect, cache);
  }
  const key = resolve(path);
  const cached = cache.get(key);
  if (cached !== undefined) return moduleFor(cached);
  const spec = compileModule(
    key,
    readSource(key, undefined),
    { dialect, resolve: fileResolver },
    cache,
  );
  return moduleFor(spec);
}
