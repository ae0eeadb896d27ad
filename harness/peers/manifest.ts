/**
 * Peer manifests: `peer.json` in a peer's folder says what the peer is (language, library and
 * version), how to install it, start it as a process and build its container image, what it can
 * do (abilities) and which names it cannot take, each with the finding that justifies it. The
 * harness knows peers only through these (peers/README.md, "A peer is a folder with a manifest").
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Abilities } from './peer.js';

/** A set of names a peer cannot take, with why. */
export interface NameRule {
  readonly reason: string;
  /**
   * A documented refusal (reserved words the implementation names as such): never given, not even
   * in corpus cases. Other rules are findings: kept out of generated schemas, but corpus cases
   * that show them are still given, so the findings stay checked.
   */
  readonly refused: boolean;
  /** Exact names (from `names` and `file`). */
  readonly names: ReadonlySet<string>;
  /** A pattern every matching name falls under. */
  readonly pattern?: RegExp;
}

/** A peer manifest, read and checked; paths are absolute, placeholders not yet expanded. */
export interface PeerManifest {
  readonly name: string;
  readonly description: string;
  readonly language: string;
  readonly library: { readonly name: string; readonly version: string; readonly from?: string };
  readonly compiler?: { readonly name: string; readonly version: string; readonly from?: string };
  /** Part of a run without `--peers`. */
  readonly default: boolean;
  /** The folder the manifest is in. */
  readonly dir: string;
  readonly setup?: {
    readonly command: readonly string[];
    readonly fresh?: string;
    readonly warm?: string;
  };
  readonly process?: {
    readonly command: readonly string[];
    readonly env: Readonly<Record<string, string>>;
    readonly cwd?: string;
  };
  readonly container?: {
    /** Absolute path of the Dockerfile. */
    readonly dockerfile: string;
    /** Absolute path of the build context's root. */
    readonly context: string;
    /** Paths relative to `context` that make up the build context. */
    readonly inputs: readonly string[];
    readonly env: Readonly<Record<string, string>>;
  };
  readonly abilities: Abilities;
  readonly avoidNames: readonly NameRule[];
  /**
   * More known-failures files (base names in cases/known-failures) that hold this peer's entries,
   * e.g. its family's; its own `<name>.txt` is always read.
   */
  readonly knownFailures: readonly string[];
  /** Known incompatibilities of the KeyValue scenario, each with its reason. */
  readonly keyvalue: {
    readonly serverRejectsNonStrict?: string;
    /** Its server answers an unknown method with a TApplicationException of this type code instead of UNKNOWN_METHOD (1). */
    readonly unknownMethodType?: { readonly type: number; readonly reason: string };
  };
  readonly timeouts: { readonly helloMs?: number; readonly requestMs?: number };
}

/** A manifest that cannot be used: says which file, which field and how to fix it. */
export class ManifestError extends Error {
  override get name(): string {
    return 'ManifestError';
  }
}

const NAME_RE = /^[a-z0-9][a-z0-9.-]*$/;
const PROTOCOLS = ['binary', 'compact'] as const;
const TRANSPORTS = ['framed', 'buffered', 'tchannel'] as const;
const ENVELOPES = ['strict', 'nonstrict'] as const;
const DIALECTS = ['thriftrw', 'apache'] as const;

type Obj = Record<string, unknown>;

/** Field readers that name the manifest file and the field in every error. */
function fieldReader(file: string) {
  const fail = (path: string, what: string): never => {
    throw new ManifestError(
      `${file}: ${path} ${what} (see peers/README.md, "A peer is a folder with a manifest")`,
    );
  };
  const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
  const obj = (v: unknown, path: string): Obj => (isObj(v) ? v : fail(path, 'must be an object'));
  const str = (v: unknown, path: string): string =>
    typeof v === 'string' && v !== '' ? v : fail(path, 'must be a non-empty string');
  const optStr = (v: unknown, path: string): string | undefined =>
    v === undefined ? undefined : str(v, path);
  const strList = (v: unknown, path: string, nonEmpty = true): string[] => {
    if (!Array.isArray(v) || (nonEmpty && v.length === 0))
      fail(path, `must be ${nonEmpty ? 'a non-empty' : 'an'} array of strings`);
    return (v as unknown[]).map((x, i) => str(x, `${path}[${i}]`));
  };
  const strMap = (v: unknown, path: string): Record<string, string> => {
    if (v === undefined) return {};
    const o = obj(v, path);
    for (const [k, x] of Object.entries(o)) str(x, `${path}.${k}`);
    return o as Record<string, string>;
  };
  const oneOf = <T extends string>(v: unknown, path: string, allowed: readonly T[]): T =>
    allowed.includes(v as T)
      ? (v as T)
      : fail(path, `must be one of ${allowed.join(', ')}, not ${JSON.stringify(v)}`);
  const listOf = <T extends string>(v: unknown, path: string, allowed: readonly T[]): T[] =>
    strList(v, path, false).map((x, i) => oneOf(x, `${path}[${i}]`, allowed));
  return { fail, obj, str, optStr, strList, strMap, oneOf, listOf, isObj };
}

/**
 * Reads and checks `<dir>/peer.json`. Throws ManifestError naming the file and the field (and how
 * to fix it) when the file is missing, is not JSON or does not fit the format.
 */
export function readManifest(dir: string): PeerManifest {
  const abs = resolve(dir);
  const file = join(abs, 'peer.json');
  if (!existsSync(file))
    throw new ManifestError(
      `${file} does not exist: a peer folder needs a peer.json manifest (see peers/README.md)`,
    );
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ManifestError(`${file}: not valid JSON: ${(e as Error).message}`);
  }
  const r = fieldReader(file);
  const m = r.obj(raw, '(the top level)');
  const name = r.str(m.name, 'name');
  if (!NAME_RE.test(name))
    r.fail('name', `${JSON.stringify(name)} must match ${NAME_RE} (lower case, digits, . and -)`);
  if (name === 'ours')
    r.fail('name', '"ours" is the name of our own codec in reports; choose another');
  const lib = r.obj(m.library, 'library');
  const compiler = m.compiler === undefined ? undefined : r.obj(m.compiler, 'compiler');
  const setup = m.setup === undefined ? undefined : r.obj(m.setup, 'setup');
  const proc = m.process === undefined ? undefined : r.obj(m.process, 'process');
  const cont = m.container === undefined ? undefined : r.obj(m.container, 'container');
  if (proc === undefined && cont === undefined)
    r.fail('process', 'or container must be given: how else would the harness start the peer?');
  const ab = r.obj(m.abilities, 'abilities');
  const env = r.obj(ab.envelopes, 'abilities.envelopes');
  const features = r.obj(ab.features ?? {}, 'abilities.features');
  for (const [k, v] of Object.entries(features))
    if (typeof v !== 'boolean') r.fail(`abilities.features.${k}`, 'must be true or false');
  const abilities: Abilities = {
    protocols: r.listOf(ab.protocols, 'abilities.protocols', PROTOCOLS),
    transports: r.listOf(ab.transports, 'abilities.transports', TRANSPORTS),
    envelopes: {
      read: r.listOf(env.read, 'abilities.envelopes.read', ENVELOPES),
      write: r.listOf(env.write, 'abilities.envelopes.write', ENVELOPES),
    },
    dialect: r.oneOf(ab.dialect, 'abilities.dialect', DIALECTS),
    features: features as Record<string, boolean>,
  };
  if (abilities.protocols.length === 0)
    r.fail('abilities.protocols', 'must name at least one protocol');
  const kv = m.keyvalue === undefined ? {} : r.obj(m.keyvalue, 'keyvalue');
  const timeouts = m.timeouts === undefined ? {} : r.obj(m.timeouts, 'timeouts');
  const ms = (v: unknown, path: string): number | undefined => {
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0)
      r.fail(path, 'must be a positive integer (milliseconds)');
    return v as number;
  };
  const context =
    cont === undefined ? abs : resolve(abs, r.optStr(cont.context, 'container.context') ?? '.');
  const out: PeerManifest = {
    name,
    description: r.str(m.description, 'description'),
    language: r.str(m.language, 'language'),
    library: {
      name: r.str(lib.name, 'library.name'),
      version: r.str(lib.version, 'library.version'),
      ...(lib.from !== undefined ? { from: r.str(lib.from, 'library.from') } : {}),
    },
    ...(compiler !== undefined
      ? {
          compiler: {
            name: r.str(compiler.name, 'compiler.name'),
            version: r.str(compiler.version, 'compiler.version'),
            ...(compiler.from !== undefined ? { from: r.str(compiler.from, 'compiler.from') } : {}),
          },
        }
      : {}),
    default:
      m.default === undefined
        ? false
        : typeof m.default === 'boolean'
          ? m.default
          : r.fail('default', 'must be true or false'),
    dir: abs,
    ...(setup !== undefined
      ? {
          setup: {
            command: r.strList(setup.command, 'setup.command'),
            ...(setup.fresh !== undefined ? { fresh: r.str(setup.fresh, 'setup.fresh') } : {}),
            ...(setup.warm !== undefined ? { warm: r.str(setup.warm, 'setup.warm') } : {}),
          },
        }
      : {}),
    ...(proc !== undefined
      ? {
          process: {
            command: r.strList(proc.command, 'process.command'),
            env: r.strMap(proc.env, 'process.env'),
            ...(proc.cwd !== undefined ? { cwd: r.str(proc.cwd, 'process.cwd') } : {}),
          },
        }
      : {}),
    ...(cont !== undefined
      ? {
          container: {
            dockerfile: resolve(
              abs,
              r.str(cont.dockerfile ?? 'Dockerfile', 'container.dockerfile'),
            ),
            context,
            inputs: r
              .strList(cont.inputs ?? ['.'], 'container.inputs')
              .map((p, i) =>
                p.startsWith('/') || p.split('/').includes('..')
                  ? r.fail(
                      `container.inputs[${i}]`,
                      `must be a path inside the context (${context}), not ${p}`,
                    )
                  : p,
              ),
            env: r.strMap(cont.env, 'container.env'),
          },
        }
      : {}),
    abilities,
    avoidNames: readNameRules(m.avoidNames, abs, r),
    knownFailures:
      m.knownFailures === undefined
        ? []
        : typeof m.knownFailures === 'string'
          ? [r.str(m.knownFailures, 'knownFailures')]
          : r.strList(m.knownFailures, 'knownFailures'),
    keyvalue: {
      ...(kv.unknownMethodType !== undefined
        ? {
            unknownMethodType: (() => {
              const u = r.obj(kv.unknownMethodType, 'keyvalue.unknownMethodType');
              if (typeof u.type !== 'number' || !Number.isInteger(u.type))
                r.fail(
                  'keyvalue.unknownMethodType.type',
                  'must be a TApplicationException type code',
                );
              return {
                type: u.type as number,
                reason: r.str(u.reason, 'keyvalue.unknownMethodType.reason'),
              };
            })(),
          }
        : {}),
      ...(kv.serverRejectsNonStrict !== undefined
        ? {
            serverRejectsNonStrict: r.str(
              kv.serverRejectsNonStrict,
              'keyvalue.serverRejectsNonStrict',
            ),
          }
        : {}),
    },
    timeouts: {
      ...(timeouts.helloMs !== undefined
        ? { helloMs: ms(timeouts.helloMs, 'timeouts.helloMs')! }
        : {}),
      ...(timeouts.requestMs !== undefined
        ? { requestMs: ms(timeouts.requestMs, 'timeouts.requestMs')! }
        : {}),
    },
  };
  return out;
}

function readNameRules(v: unknown, dir: string, r: ReturnType<typeof fieldReader>): NameRule[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) r.fail('avoidNames', 'must be an array of {names|file|pattern, reason}');
  return (v as unknown[]).map((x, i) => {
    const path = `avoidNames[${i}]`;
    const o = r.obj(x, path);
    const reason = r.str(o.reason, `${path}.reason`);
    const names = new Set<string>(o.names === undefined ? [] : r.strList(o.names, `${path}.names`));
    if (o.file !== undefined) {
      const f = resolve(dir, r.str(o.file, `${path}.file`));
      if (!existsSync(f)) r.fail(`${path}.file`, `names ${f}, which does not exist`);
      for (const line of readFileSync(f, 'utf8').split('\n')) {
        const t = line.replace(/#.*/, '').trim();
        if (t !== '') names.add(t);
      }
    }
    let pattern: RegExp | undefined;
    if (o.pattern !== undefined) {
      const p = r.str(o.pattern, `${path}.pattern`);
      try {
        pattern = new RegExp(p);
      } catch (e) {
        r.fail(`${path}.pattern`, `is not a valid regular expression: ${(e as Error).message}`);
      }
    }
    if (names.size === 0 && pattern === undefined)
      r.fail(path, 'needs names, a file of names or a pattern');
    if (o.refused !== undefined && typeof o.refused !== 'boolean')
      r.fail(`${path}.refused`, 'must be true or false');
    return {
      reason,
      refused: o.refused === true,
      names,
      ...(pattern !== undefined ? { pattern } : {}),
    };
  });
}

/**
 * The rule that keeps `name` from `m`'s peer, or undefined when it may take the name; with
 * `refusedOnly`, only documented refusals count (for corpus cases).
 */
export function avoidRuleFor(
  m: Pick<PeerManifest, 'avoidNames'>,
  name: string,
  refusedOnly = false,
): NameRule | undefined {
  return m.avoidNames.find(
    (rule) =>
      (!refusedOnly || rule.refused) &&
      (rule.names.has(name) || (rule.pattern?.test(name) ?? false)),
  );
}

/**
 * Expands `{root}`, `{dir}` and `{state}` in a manifest string. Throws ManifestError on any other
 * `{…}` placeholder.
 */
export function expand(text: string, vars: { root: string; dir: string; state: string }): string {
  return text.replace(/\{(\w+)\}/g, (all, k: string) => {
    if (k === 'root' || k === 'dir' || k === 'state') return vars[k];
    throw new ManifestError(
      `unknown placeholder ${all} in ${JSON.stringify(text)}: use {root}, {dir} or {state}`,
    );
  });
}

/**
 * The writable state folder of a peer: `$THRIFT_CONFORM_STATE/<name>` when that is set (CI keeps
 * builds there across fresh checkouts), else `<root>/.peers/<name>`.
 */
export function stateDir(root: string, name: string): string {
  const shared = process.env.THRIFT_CONFORM_STATE;
  return shared !== undefined && shared !== ''
    ? join(resolve(shared), name)
    : join(root, '.peers', name);
}
