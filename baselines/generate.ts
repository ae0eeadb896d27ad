/**
 * Runs Apache Thrift's compiler (`thrift --gen js:node,es6`, Debian's thrift-compiler 0.17.0) on an
 * IDL file into a git-ignored cache, `.cache/gen-js/<hash>/`, and loads the generated CommonJS
 * modules. The hash covers the IDL text, the generator flags, the compiler's version and this
 * file's post-processing, so a changed IDL regenerates and an unchanged one is reused.
 *
 * Post-processing: 0.17's service modules keep their `<Svc>_<fn>_args` / `_result` classes
 * module-private (only Client and Processor are exported). One line is appended that exports them
 * as `ArgsResults`, so envelopes can be written and read without a client/processor round trip.
 * Nothing else in the generated code is touched.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (the folder holding package.json). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Generator flags given to `thrift --gen`: Node.js CommonJS modules with ES6 classes. */
export const GENERATOR = 'js:node,es6';

/** Bump when the post-processing below changes, so caches regenerate. */
const POSTPROCESS_VERSION = 'argsresults-1';

const INSTALL_HINT =
  'Apache Thrift compiler `thrift` (0.17.0) is not installed or not on PATH. Install it: ' +
  '`apt-get install -y thrift-compiler` (Debian; as root or with sudo) or run `npm run setup` ' +
  'where the project defines it. The interop test and the benchmark need it.';

/** What `generateApacheJs` produced for one IDL file. */
export interface GeneratedJs {
  /** The cache folder holding the generated `.js` files. */
  readonly dir: string;
  /** `thrift --version` output, e.g. `Thrift version 0.17.0`. */
  readonly compilerVersion: string;
  /** The `<idl>_types.js` module path. */
  readonly typesModule: string;
  /** Service name → generated service module path. */
  readonly serviceModules: ReadonlyMap<string, string>;
  /** Every generated module path. */
  readonly modules: readonly string[];
  /** Whether this call ran the compiler (false: the cache was reused). */
  readonly generated: boolean;
}

/** Options for `generateApacheJs`. */
export interface GenerateOptions {
  /** The compiler executable; default `thrift` (env `THRIFT_COMPILER` overrides the default). */
  readonly compiler?: string;
  /** The cache root; default `<repo>/.cache/gen-js`. */
  readonly cacheRoot?: string;
}

/**
 * Returns the compiler's version line. Throws an Error saying how to install the compiler when it
 * is missing or does not run.
 */
export function thriftCompilerVersion(
  compiler = process.env['THRIFT_COMPILER'] ?? 'thrift',
): string {
  const r = spawnSync(compiler, ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    const why = r.error ? r.error.message : `exit ${String(r.status)}: ${r.stderr.trim()}`;
    throw new Error(`${INSTALL_HINT} (${compiler} --version: ${why})`);
  }
  return r.stdout.trim();
}

function listJs(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.js'))
    .sort()
    .map((f) => join(dir, f));
}

function exportArgsResults(file: string): void {
  const text = readFileSync(file, 'utf8');
  const names = [...text.matchAll(/^const (\w+_(?:args|result)) = class\b/gm)].map((m) => m[1]);
  if (names.length === 0) return;
  writeFileSync(
    file,
    `${text}\n// Appended by baselines/generate.ts: the arguments/result classes, module-private in 0.17.\n` +
      `module.exports.ArgsResults = { ${names.join(', ')} };\n`,
  );
}

/**
 * Generates (or reuses) Apache Thrift's Node.js code for `idlPath` into
 * `.cache/gen-js/<hash of the IDL>/` and returns the module paths. Includes are not followed: the
 * hash covers the one file. Throws when the compiler is missing (saying how to install it) or
 * when it rejects the IDL (with its output).
 */
export function generateApacheJs(idlPath: string, options: GenerateOptions = {}): GeneratedJs {
  const compiler = options.compiler ?? process.env['THRIFT_COMPILER'] ?? 'thrift';
  const compilerVersion = thriftCompilerVersion(compiler);
  const idl = resolve(idlPath);
  const source = readFileSync(idl, 'utf8');
  const hash = createHash('sha256')
    .update([GENERATOR, compilerVersion, POSTPROCESS_VERSION, basename(idl), source].join('\0'))
    .digest('hex')
    .slice(0, 16);
  const cacheRoot = options.cacheRoot ?? join(REPO_ROOT, '.cache', 'gen-js');
  const dir = join(cacheRoot, hash);
  const stem = basename(idl).replace(/\.thrift$/, '');
  const typesModule = join(dir, `${stem}_types.js`);
  let generated = false;

  if (!existsSync(join(dir, '.complete'))) {
    // Generate into a private folder and rename it into place, so that two processes (tap runs
    // test files in parallel, a benchmark may run alongside) never see a half-written folder.
    mkdirSync(cacheRoot, { recursive: true });
    const tmp = join(cacheRoot, `.tmp-${hash}-${process.pid}-${Date.now()}`);
    mkdirSync(tmp, { recursive: true });
    try {
      const r = spawnSync(compiler, ['--gen', GENERATOR, '-out', tmp, idl], { encoding: 'utf8' });
      if (r.error || r.status !== 0) {
        const why = r.error ? r.error.message : `${r.stderr}${r.stdout}`.trim();
        throw new Error(`thrift --gen ${GENERATOR} ${idl} failed: ${why}`);
      }
      // The repository is "type": "module"; the generated files are CommonJS.
      writeFileSync(join(tmp, 'package.json'), '{ "type": "commonjs" }\n');
      for (const f of listJs(tmp)) if (!f.endsWith('_types.js')) exportArgsResults(f);
      writeFileSync(join(tmp, '.complete'), `${compilerVersion}\n`);
      try {
        renameSync(tmp, dir);
        generated = true;
      } catch (e) {
        // Another process won the race: its folder is complete, use it.
        if (!existsSync(join(dir, '.complete'))) throw e;
      }
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }

  const modules = listJs(dir);
  const serviceModules = new Map<string, string>();
  for (const m of modules) {
    if (m === typesModule) continue;
    if (/\bexports\.Client\b/.test(readFileSync(m, 'utf8'))) {
      serviceModules.set(basename(m, '.js'), m);
    }
  }
  return { dir, compilerVersion, typesModule, serviceModules, modules, generated };
}

/** The exports of the generated modules, loaded with `require` (they are CommonJS). */
export interface LoadedApacheJs extends GeneratedJs {
  /** `<idl>_types.js`: struct, union, exception classes and enum objects by name. */
  readonly types: Record<string, unknown>;
  /** Service name → the service module's exports (Client, Processor, ArgsResults). */
  readonly services: ReadonlyMap<string, Record<string, unknown>>;
}

/**
 * Generates (see `generateApacheJs`) and `require`s the modules. The generated code requires the
 * npm packages `thrift` and `node-int64`, resolved from the repository's node_modules.
 * Throws as `generateApacheJs` does.
 */
export function loadApacheJs(idlPath: string, options: GenerateOptions = {}): LoadedApacheJs {
  const gen = generateApacheJs(idlPath, options);
  const require = createRequire(join(gen.dir, 'index.js'));
  const types = existsSync(gen.typesModule)
    ? (require(gen.typesModule) as Record<string, unknown>)
    : {};
  const services = new Map<string, Record<string, unknown>>();
  for (const [name, path] of gen.serviceModules) {
    services.set(name, require(path) as Record<string, unknown>);
  }
  return { ...gen, types, services };
}
