/**
 * An include resolver over an in-memory `{ key: source }` record, with POSIX-style relative path
 * joining: `./a.thrift`, `../b/c.thrift` and `sub/d.thrift` are taken relative to the folder of
 * the including file's key; a path starting with `/` is taken as is.
 */
import type { IncludeResolver } from './index.js';

/** The folder part of a key (`a/b/c.thrift` → `a/b`; `c.thrift` → ``). */
function dirname(key: string): string {
  const i = key.lastIndexOf('/');
  if (i < 0) return '';
  return i === 0 ? '/' : key.slice(0, i);
}

/**
 * Normalizes a POSIX path: drops `.` segments and empty segments, folds `name/..`, keeps leading
 * `..` segments of a relative path and a leading `/`.
 */
export function normalizePath(path: string): string {
  const absolute = path.startsWith('/');
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      const last = out[out.length - 1];
      if (last !== undefined && last !== '..') out.pop();
      else if (!absolute) out.push('..');
      continue;
    }
    out.push(part);
  }
  return (absolute ? '/' : '') + out.join('/');
}

/** Joins an include path to the folder of the including file's key, then normalizes it. */
export function joinInclude(includePath: string, fromKey: string): string {
  if (includePath.startsWith('/')) return normalizePath(includePath);
  const dir = dirname(fromKey);
  return normalizePath(dir === '' ? includePath : `${dir}/${includePath}`);
}

/**
 * Returns an IncludeResolver over `files` (keys are normalized, so `./a.thrift` and `a.thrift`
 * name the same file). The returned key is the normalized joined path. The resolver throws an
 * Error naming the path and the including file when no such file is in `files`.
 */
export function memoryResolver(files: Record<string, string>): IncludeResolver {
  const byKey = new Map<string, string>();
  for (const [key, source] of Object.entries(files)) byKey.set(normalizePath(key), source);
  return (includePath, fromKey) => {
    const key = joinInclude(includePath, fromKey);
    const source = byKey.get(key);
    if (source === undefined) {
      const known = [...byKey.keys()].join(', ');
      throw new Error(
        `no file '${key}' (included as '${includePath}' from '${fromKey}'); known files: ${known === '' ? 'none' : known}`,
      );
    }
    return { key, source };
  };
}
