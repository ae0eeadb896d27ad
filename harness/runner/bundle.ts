/**
 * Failure bundles: one folder per failing case with everything a person (or `replay`) needs —
 *
 *   case.json    what to replay: peer, property, wire setting, type, seed and fast-check path
 *   idl/…        the IDL files
 *   value.json   the value, in the peers' JSON encoding (peers/README.md)
 *   wanted.hex   our bytes; got.hex the peer's bytes (when there are bytes)
 *   README.md    the summary, the differences and the one command that replays it
 *
 * The regression corpus (`cases/corpus/<name>/`) uses the same layout, so promoting a bundle is a
 * copy.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import type { Protocol } from '../../codec/src/index.js';
import type { Json } from '../peers/json-values.js';
import type { AnyProperty, RpcWire } from './check.js';
import { LEGACY_INVALID_PROPERTY, PROPERTIES, SCHEMA_PROPERTIES } from './check.js';
import type { ByteDiffSpan, ValueDiff } from './result.js';

/** case.json: what identifies and replays one case. */
export interface BundleCase {
  readonly schemaVersion: 1;
  /** The case name of the failure. */
  readonly name: string;
  /** The peer, or `ours` for codec-roundtrip. */
  readonly peer: string;
  /** A property, or a schema check: `load-idl` (the peer could not load the IDL at all), `idl-roundtrip`. */
  readonly property: AnyProperty;
  readonly protocol: Protocol;
  readonly wire?: RpcWire;
  /** The generated type of the value. */
  readonly type: string;
  /** The main IDL file (in `idl/`). */
  readonly main: string;
  /** The dialect the IDL is compiled by, when not `thriftrw` (a user's `--idl --dialect apache`). */
  readonly dialect?: 'apache';
  /** The IDL is a user's (`--idl`), not generated (its idl-roundtrip compares printed text). */
  readonly userIdl?: true;
  /** The run's seed and the case's fast-check path (absent for hand-written corpus cases). */
  readonly seed?: number;
  readonly path?: string;
  /**
   * Edits the reducer made after fast-check's shrinking: seed and path then replay the case
   * before them, and the IDL and value here are the reduced ones.
   */
  readonly reducedEdits?: number;
  /** The fingerprint and summary the case failed with when it was written. */
  readonly fingerprint?: string;
  readonly summary?: string;
  readonly strictBytes?: boolean;
  /** Why it is in the corpus (set by `promote --reason`). */
  readonly reason?: string;
}

/** A bundle read back: its case, IDL files and value. */
export interface Bundle {
  readonly dir: string;
  readonly case: BundleCase;
  readonly files: Readonly<Record<string, string>>;
  readonly value: Json;
}

/** A folder that is not a readable bundle; says which file and what is wrong. */
export class BundleError extends Error {
  override get name(): string {
    return 'BundleError';
  }
}

/** Everything written into a bundle. */
export interface BundleContent {
  readonly case: BundleCase;
  readonly files: Readonly<Record<string, string>>;
  readonly value: Json;
  readonly wantedHex?: string;
  readonly gotHex?: string;
  readonly valueDiff?: readonly ValueDiff[];
  readonly byteDiff?: readonly ByteDiffSpan[];
  /** The command that replays it. */
  readonly replay: string;
}

/** A file-system-safe folder name from a case name (`binary/framed/…/Foo#3` → `binary-framed-…-Foo-3`). */
export function bundleSlug(name: string): string {
  return name
    .replace(/[^A-Za-z0-9_.-]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 150);
}

/** Writes a bundle into `dir` (created). Throws on a file-system error. */
export function writeBundle(dir: string, b: BundleContent): void {
  mkdirSync(join(dir, 'idl'), { recursive: true });
  writeFileSync(join(dir, 'case.json'), JSON.stringify(b.case, null, 2) + '\n');
  for (const [path, text] of Object.entries(b.files)) {
    const target = resolve(dir, 'idl', path);
    if (!target.startsWith(resolve(dir, 'idl')))
      throw new BundleError(`IDL path ${path} leaves idl/`);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, text);
  }
  writeFileSync(join(dir, 'value.json'), JSON.stringify(b.value, null, 2) + '\n');
  if (b.wantedHex !== undefined) writeFileSync(join(dir, 'wanted.hex'), b.wantedHex + '\n');
  if (b.gotHex !== undefined) writeFileSync(join(dir, 'got.hex'), b.gotHex + '\n');
  const c = b.case;
  const lines = [
    `# ${c.name}`,
    '',
    c.summary ?? '',
    '',
    `- peer: ${c.peer}; property: ${c.property}${c.wire ? `; ${c.wire.envelope === undefined ? c.wire.transport : `${c.wire.transport}, ${c.wire.envelope} envelope`}` : ''}`,
    `- type: ${c.type} (IDL in idl/${c.main}); value in value.json`,
    ...(c.seed !== undefined
      ? [
          `- seed ${c.seed}, fast-check path ${c.path ?? '?'}` +
            (c.reducedEdits
              ? ` (the case before ${c.reducedEdits} reducer edits; idl/ and value.json are the reduced case)`
              : ''),
        ]
      : []),
    ...(c.fingerprint ? [`- fingerprint: ${c.fingerprint}`] : []),
    '',
    'Replay just this case against just this peer:',
    '',
    '```',
    b.replay,
    '```',
  ];
  if (b.valueDiff?.length) {
    lines.push('', 'Meaning (- wanted / + got):', '', '```');
    for (const d of b.valueDiff) {
      lines.push(`${d.path}:`);
      lines.push(`- ${d.wanted ?? '(unset)'}`);
      lines.push(`+ ${d.got ?? '(unset)'}`);
    }
    lines.push('```');
  }
  if (b.byteDiff?.length) {
    lines.push('', 'Differing bytes (offsets into wanted.hex):', '');
    for (const s of b.byteDiff.slice(0, 20))
      lines.push(`- ${s.offset}+${s.length}: ${s.path} (${s.meaning})`);
  }
  writeFileSync(join(dir, 'README.md'), lines.join('\n') + '\n');
}

function listFiles(dir: string, base = dir): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...listFiles(p, base));
    else out.push(relative(base, p));
  }
  return out;
}

/** Reads the bundle in `dir`. Throws BundleError naming the file when it is missing or malformed. */
export function readBundle(dir: string): Bundle {
  const caseFile = join(dir, 'case.json');
  if (!existsSync(caseFile))
    throw new BundleError(
      `${dir} is not a bundle: it has no case.json (bundles are in <report-dir>/bundles/)`,
    );
  let c: BundleCase;
  let value: Json;
  try {
    c = JSON.parse(readFileSync(caseFile, 'utf8')) as BundleCase;
  } catch (e) {
    throw new BundleError(`${caseFile}: not JSON: ${(e as Error).message}`);
  }
  for (const k of ['name', 'peer', 'property', 'type', 'main'] as const)
    if (typeof c[k] !== 'string') throw new BundleError(`${caseFile}: "${k}" must be a string`);
  // A bundle of the property's old name replays as invalid-input.
  if ((c.property as string) === LEGACY_INVALID_PROPERTY) c = { ...c, property: 'invalid-input' };
  const known: readonly string[] = [...SCHEMA_PROPERTIES, ...PROPERTIES];
  if (!known.includes(c.property))
    throw new BundleError(
      `${caseFile}: unknown property ${c.property}; known: ${known.join(', ')}`,
    );
  try {
    value = JSON.parse(readFileSync(join(dir, 'value.json'), 'utf8')) as Json;
  } catch (e) {
    throw new BundleError(`${join(dir, 'value.json')}: ${(e as Error).message}`);
  }
  const idlDir = join(dir, 'idl');
  if (!existsSync(idlDir)) throw new BundleError(`${dir}: no idl/ folder`);
  const files: Record<string, string> = {};
  for (const f of listFiles(idlDir))
    files[f.split('\\').join('/')] = readFileSync(join(idlDir, f), 'utf8');
  if (files[c.main] === undefined) throw new BundleError(`${dir}: idl/${c.main} is missing`);
  return { dir, case: c, files, value };
}

/** Lists the bundles (folders with a case.json) directly inside `dir`, sorted by name. */
export function listBundles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(dir, e.name, 'case.json')))
    .map((e) => join(dir, e.name))
    .sort();
}

/**
 * Copies the bundle in `from` into the corpus folder as `<corpus>/<name>`, with `reason` recorded
 * in its case.json. Throws BundleError when `from` is not a bundle or the target exists.
 */
export function promoteBundle(from: string, corpus: string, name: string, reason?: string): string {
  const b = readBundle(from);
  if (!/^[A-Za-z0-9_.-]+$/.test(name))
    throw new BundleError(`corpus names use letters, digits, _ . and -: ${JSON.stringify(name)}`);
  const to = join(corpus, name);
  if (existsSync(to)) throw new BundleError(`${to} exists already: choose another --name`);
  mkdirSync(corpus, { recursive: true });
  cpSync(from, to, { recursive: true });
  const c: BundleCase = { ...b.case, ...(reason !== undefined ? { reason } : {}) };
  writeFileSync(join(to, 'case.json'), JSON.stringify(c, null, 2) + '\n');
  // The README's replay command pointed at the report folder; point it at the corpus copy.
  const readme = join(to, 'README.md');
  if (existsSync(readme)) {
    const text = readFileSync(readme, 'utf8').replace(
      /^(.*\breplay) \S+$/m,
      (_, cmd: string) => `${cmd} ${relative(process.cwd(), to) || '.'}`,
    );
    writeFileSync(readme, text);
  }
  return to;
}
