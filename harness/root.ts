/**
 * Where the package is: the folder of the `thrift-conform` package.json above this file, whether
 * it runs from the repository's TypeScript (tsx) or from the built `dist/` of an installed copy.
 * Its peers/, cases/, idl/ and docker/ folders are found from there.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package's name in its package.json. */
const NAME = 'thrift-conform';

/**
 * The folder of the nearest package.json named `thrift-conform` at or above `from` (default: this
 * module's folder). Throws an Error when there is none (a broken installation).
 */
export function packageRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown };
      if (pkg.name === NAME) return dir;
    }
    if (dirname(dir) === dir)
      throw new Error(`no package.json named ${NAME} above ${from}: the installation is broken`);
  }
}

/** The package's root folder (see {@link packageRoot}). */
export const ROOT = packageRoot();

/** The one version string of the tool: its package.json's `version`. */
export const VERSION = (
  JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }
).version;
