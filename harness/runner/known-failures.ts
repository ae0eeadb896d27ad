/**
 * Known failures: per-peer files `cases/known-failures/<peer>.txt`, one entry per line,
 *
 *   <pattern> | <reason>
 *
 * where the pattern is a fingerprint glob (`peer-error:load-idl:IdlError:*-in-slots-*`) or a case-name
 * glob (`binary/*\/nonstrict/peer:some-peer/our-client-peer-server/*`; `*` matches any run of
 * characters, `/` included). `#` starts a comment line. A failure an entry names becomes
 * `known-failure` with the entry's reason. An entry that matched no failure in the run, or whose
 * glob names a case that passed, is stale and fails the run — so the list never rots. Keep each
 * entry backed by a corpus case (cases/corpus) so every run, however short, exercises it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
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
    const reason = line.slice(at + 3).trim();
    if (entry === '' || reason === '')
      throw new KnownFailuresError(`${where}: both the pattern and the reason must be given`);
    out.push({ peer, entry, reason, source: where });
  });
  return out;
}

/**
 * Reads `<dir>/<peer>.txt` for each peer (a missing file means no entries). Throws
 * KnownFailuresError for a malformed file.
 */
export function loadKnownFailures(dir: string, peers: readonly string[]): KnownFailureEntry[] {
  const out: KnownFailureEntry[] = [];
  for (const peer of peers) {
    const file = join(dir, `${peer}.txt`);
    if (existsSync(file))
      out.push(...parseKnownFailures(peer, readFileSync(file, 'utf8'), `${peer}.txt`));
  }
  return out;
}

function globRegExp(glob: string): RegExp {
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

  constructor(entries: readonly KnownFailureEntry[]) {
    this.#entries = entries.map((e) => ({ e, re: globRegExp(e.entry), matched: 0, passing: 0 }));
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
      if (hit === undefined) return r;
      hit.matched++;
      return { ...r, verdict: 'known-failure', knownReason: hit.e.reason };
    }
    if (r.verdict === 'identical' || r.verdict === 'allowed-variant')
      for (const e of this.#entries) if (this.#names(e, r, false)) e.passing++;
    return r;
  }

  /** Every entry with its counts so far. */
  uses(): KnownFailureUse[] {
    return this.#entries.map(({ e, matched, passing }) => ({ ...e, matched, passing }));
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
