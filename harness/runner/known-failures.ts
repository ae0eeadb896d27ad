/**
 * Known failures: per-peer files `cases/known-failures/<peer>.txt`, one entry per line,
 *
 *   <pattern> | <reason>
 *   <pattern> | <reason> | fixed in <version>
 *
 * where the pattern is a fingerprint glob (`peer-error:load-idl:IdlError:*-in-slots-*`) or a case-name
 * glob (`binary/*\/nonstrict/peer:some-peer/our-client-peer-server/*`; `*` matches any run of
 * characters, `/` included). `#` starts a comment line. A failure an entry names becomes
 * `known-failure` with the entry's reason. An entry that matched no failure in the run, or whose
 * glob names a case that passed, is stale and fails the run — so the list never rots. Keep each
 * entry backed by a corpus case (cases/corpus) so every run, however short, exercises it.
 *
 * Versions: a peer reads its own file and the files its manifest names (`knownFailures`, e.g. the
 * family's file for a newer release of the same library). An entry `fixed in X` applies to peers whose
 * library is older than X; for newer ones it is reported as fixed in X, never stale, and a failure
 * it names stays a failure, with a note that it is a regression of a fixed finding.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PeerManifest } from '../peers/manifest.js';
import type { CaseResult, KnownFailureEntry, KnownFailureUse, RunReport } from './result.js';
import { isFailing } from './check.js';

/** A known-failures file that cannot be read as entries; names the file and line. */
export class KnownFailuresError extends Error {
  override get name(): string {
    return 'KnownFailuresError';
  }
}

/**
 * Parses the text of `<peer>.txt` (named `source` in errors). Throws KnownFailuresError for a line
 * without ` | `, an empty pattern or an empty reason.
 */
export function parseKnownFailures(
  peer: string,
  text: string,
  source: string,
): KnownFailureEntry[] {
  const out: KnownFailureEntry[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const at = line.indexOf(' | ');
    const where = `${source}:${i + 1}`;
    if (at < 0)
      throw new KnownFailuresError(
        `${where}: an entry is "<fingerprint or case-name glob> | <reason>"; this line has no " | "`,
      );
    const entry = line.slice(0, at).trim();
    let reason = line.slice(at + 3).trim();
    let fixedIn: string | undefined;
    const fixed = / \| fixed in (\S+)$/.exec(reason);
    if (fixed) {
      fixedIn = fixed[1]!;
      reason = reason.slice(0, fixed.index).trim();
      if (!/^\d+(\.\d+)*$/.test(fixedIn))
        throw new KnownFailuresError(
          `${where}: "fixed in ${fixedIn}": the version must be like 0.20 or 0.20.1`,
        );
    }
    if (entry === '' || reason === '')
      throw new KnownFailuresError(`${where}: both the pattern and the reason must be given`);
    out.push({ peer, entry, reason, source: where, ...(fixedIn !== undefined ? { fixedIn } : {}) });
  });
  return out;
}

/** A peer whose known failures are read: its name, library version and extra files. */
export interface KnownFailuresReader {
  readonly name: string;
  /** The library version (entries `fixed in X` apply when it is older than X). */
  readonly version?: string;
  /** More files (base names) to read for it, e.g. its family's. */
  readonly files?: readonly string[];
}

/** The known-failures reader of a peer's manifest: its name, library version and shared files. */
export function readerOf(
  m: Pick<PeerManifest, 'name' | 'library' | 'knownFailures'>,
): KnownFailuresReader {
  return { name: m.name, version: m.library.version, files: m.knownFailures };
}

/** -1, 0 or 1 as dotted version `a` is older than, equal to or newer than `b` (missing parts are 0). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).map((x) => Number.parseInt(x, 10) || 0);
  const pb = b.split(/[.-]/).map((x) => Number.parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

/**
 * Reads the known failures of each peer: `<dir>/<name>.txt` and its `files`, entries assigned to
 * the peer; an entry `fixed in X` is marked `applies: false` for a peer whose version is X or
 * newer. Missing files mean no entries. Throws KnownFailuresError for a malformed file.
 */
export function loadKnownFailuresFor(
  dir: string,
  peers: readonly KnownFailuresReader[],
): (KnownFailureEntry & { readonly applies: boolean })[] {
  const out: (KnownFailureEntry & { applies: boolean })[] = [];
  for (const p of peers) {
    for (const base of new Set([p.name, ...(p.files ?? [])])) {
      const file = join(dir, `${base}.txt`);
      if (!existsSync(file)) continue;
      for (const e of parseKnownFailures(p.name, readFileSync(file, 'utf8'), `${base}.txt`)) {
        const applies =
          e.fixedIn === undefined ||
          p.version === undefined ||
          compareVersions(p.version, e.fixedIn) < 0;
        out.push({ ...e, applies });
      }
    }
  }
  return out;
}

/**
 * A glob of case names or fingerprints as a RegExp: `*` matches any run of characters (`/`
 * included), everything else itself. Never throws.
 */
export function globRegExp(glob: string): RegExp {
  return new RegExp(
    '^' +
      glob
        .split('*')
        .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*') +
      '$',
  );
}

/** Matches results against known-failures entries, counting what each entry matched. */
export class KnownFailures {
  readonly #entries: { e: KnownFailureEntry; re: RegExp; matched: number; passing: number }[];
  /** Entries fixed in a release older than the peer's: named failures are regressions. */
  readonly #fixed: { e: KnownFailureEntry; re: RegExp; matched: number; passing: number }[];

  /** @param entries the entries; those with `applies: false` are fixed findings (see the module comment) */
  constructor(entries: readonly (KnownFailureEntry & { readonly applies?: boolean })[]) {
    const all = entries.map((e) => ({ e, re: globRegExp(e.entry), matched: 0, passing: 0 }));
    this.#entries = all.filter((x) => (x.e as { applies?: boolean }).applies !== false);
    this.#fixed = all.filter((x) => (x.e as { applies?: boolean }).applies === false);
  }

  #names(e: { e: KnownFailureEntry; re: RegExp }, r: CaseResult, fingerprint: boolean): boolean {
    return (
      e.e.peer === r.peer &&
      (e.re.test(r.name) ||
        (fingerprint && r.fingerprint !== undefined && e.re.test(r.fingerprint)))
    );
  }

  /**
   * Applies the entries to a result: a failure an entry names comes back as `known-failure` with
   * the reason; a passing result a glob names is counted against that entry. Anything else is
   * returned as it is.
   */
  apply(r: CaseResult): CaseResult {
    if (isFailing(r.verdict)) {
      const hit = this.#entries.find((e) => this.#names(e, r, true));
      if (hit === undefined) {
        const was = this.#fixed.find((e) => this.#names(e, r, true));
        if (was === undefined) return r;
        was.matched++;
        return {
          ...r,
          summary: `${r.summary} [a regression: ${was.e.source} says this was fixed in ${was.e.fixedIn ?? '?'}]`,
        };
      }
      hit.matched++;
      return {
        ...r,
        verdict: 'known-failure',
        knownReason: hit.e.reason,
        knownEntry: hit.e.source,
      };
    }
    if (r.verdict === 'identical' || r.verdict === 'allowed-variant')
      for (const e of this.#entries) if (this.#names(e, r, false)) e.passing++;
    return r;
  }

  /** Every entry with its counts so far (fixed ones with `applies: false`). */
  uses(): KnownFailureUse[] {
    return [
      ...this.#entries.map(({ e, matched, passing }) => ({ ...e, matched, passing })),
      ...this.#fixed.map(({ e, matched, passing }) => ({ ...e, matched, passing, applies: false })),
    ];
  }

  /** The stale entries so far (see the module comment), each with why. */
  stale(): RunReport['staleKnownFailures'] {
    return staleOf(this.uses());
  }
}

/** The stale entries among `uses`: matched nothing, or named a case that passed. */
export function staleOf(uses: readonly KnownFailureUse[]): RunReport['staleKnownFailures'] {
  const out: RunReport['staleKnownFailures'][number][] = [];
  for (const u of uses) {
    if (u.applies === false) continue; // a fixed finding: expected to match nothing
    if (u.passing > 0)
      out.push({
        peer: u.peer,
        entry: u.entry,
        kind: 'now-passing',
        why: `${u.source}: ${u.passing} case${u.passing > 1 ? 's' : ''} it names passed: remove the entry or narrow it`,
      });
    else if (u.matched === 0)
      out.push({
        peer: u.peer,
        entry: u.entry,
        kind: 'unmatched',
        why: `${u.source}: matched no failure in this run: remove the entry, or add a corpus case that shows it`,
      });
  }
  return out;
}

/**
 * Parses a `--known-flaky` file (named `source` in errors): one entry per line,
 *
 *   <peer> <pattern> | <reason>
 *
 * with the pattern as in a known-failures file (a fingerprint or case-name glob, no spaces) and
 * `#` comment lines. A failure an entry names becomes `known-flaky`: reported, never failing the
 * run; an entry that matched nothing is reported as unused, and never fails the run either.
 * Throws KnownFailuresError naming the line for a line without a peer, a pattern or a reason, or
 * for a peer not in `peers` (when given).
 */
export function parseKnownFlaky(
  text: string,
  source: string,
  peers?: readonly string[],
): KnownFailureEntry[] {
  const out: KnownFailureEntry[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const where = `${source}:${i + 1}`;
    const m = /^(\S+)\s+(\S+)\s+\|\s+(.+)$/.exec(line);
    if (m === null)
      throw new KnownFailuresError(
        `${where}: a known-flaky entry is "<peer> <fingerprint or case-name glob> | <reason>"`,
      );
    const [, peer, entry, reason] = m as unknown as [string, string, string, string];
    if (peers !== undefined && !peers.includes(peer))
      throw new KnownFailuresError(
        `${where}: peer ${peer} is not in this run (${peers.join(', ')}); fix the name or leave the entry out`,
      );
    out.push({ peer, entry, reason: reason.trim(), source: where });
  });
  return out;
}
