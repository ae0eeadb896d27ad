/**
 * Failures grouped by cause: one entry per distinct cause, with its verdict, count, the peers,
 * properties and wire settings it touches, its smallest shrunk case, a few example cases and the
 * name of every case; passing results are tallied, never listed. Pure: no I/O.
 *
 * The cause of a result (its {@link causeKey}):
 * - `known-failure` and `known-flaky`: the `file:line` of the entry that named it (`knownEntry`);
 *   without one (older reports), its masked fingerprint as below.
 * - Every other verdict: its fingerprint with the generated names masked ({@link maskFingerprint}):
 *   in value and byte paths (`meaning:Awo.pc.nz0b[]:missing`) every run of names becomes `*`
 *   (`meaning:*[]:missing`); in error messages (`peer-error:EncodeError:echoawo-rangeerror-…`)
 *   every word that is a name the case's IDL declares becomes `<X>`, in the slug form the
 *   fingerprint uses (`peer-error:EncodeError:<X>-rangeerror-…`). So the same failure in two
 *   schemas, or two seeds, has one cause. `not-run` results are grouped per peer too.
 */
import type { CaseResult, ShrunkCase, Verdict } from '../runner/result.js';
import { isPass, severity, wireLabel } from './text.js';

/** One distinct cause of non-passing results. */
export interface Cause {
  /** The grouping key: a known-failures entry's `file:line`, or a masked fingerprint. */
  readonly key: string;
  readonly verdict: Verdict;
  /** How many results have this cause. */
  readonly count: number;
  /** The peers, properties and wire settings (`binary framed strict`) it touches, first seen first. */
  readonly peers: readonly string[];
  readonly properties: readonly string[];
  readonly wires: readonly string[];
  /** The known-failures (or known-flaky) entry and its reason, for known causes. */
  readonly knownEntry?: string;
  readonly knownReason?: string;
  /** Up to 5 distinct raw fingerprints of its results (they differ in generated names). */
  readonly fingerprints: readonly string[];
  /** The summary of its first result. */
  readonly summary: string;
  /** The smallest shrunk case of its results (IDL plus value, in characters), and whose it is. */
  readonly shrunk?: ShrunkCase;
  readonly shrunkOf?: string;
  /** A few results in full: the first of each peer, then in run order. */
  readonly examples: readonly CaseResult[];
  /** The name of every result with this cause, in run order. */
  readonly cases: readonly string[];
  /** Every result with this cause, in run order (in memory only; not in the report files). */
  readonly results: readonly CaseResult[];
}

/** Passing results of one (peer, property, wire setting). */
export interface PassingTally {
  readonly peer: string;
  readonly property: string;
  readonly wire: string;
  readonly identical: number;
  readonly allowedVariant: number;
}

/** Allowed variants of one kind (their fingerprint, e.g. `bytes:field-order+set-order`). */
export interface VariantTally {
  readonly kind: string;
  readonly count: number;
  readonly peers: readonly string[];
  readonly properties: readonly string[];
  /** The summary of the first one. */
  readonly summary: string;
}

/** A run's results by cause: the causes worst first, passing results tallied. */
export interface Causes {
  readonly causes: readonly Cause[];
  readonly passing: readonly PassingTally[];
  readonly variants: readonly VariantTally[];
}

/** Options of {@link groupCauses}. */
export interface CauseOptions {
  /** Example results kept in full per cause (default 3). */
  readonly examples?: number;
}

/** The placeholder of a masked name in an error message. */
export const MASK = '<X>';

/**
 * Words of the harness's and the peers' error messages (as fingerprint slugs) that are never
 * masked even when a schema declares a name spelled the same: without them, a field named
 * `value` or `in` would change `value-must-be-…` or `…-integer-in-got-…` for that schema only.
 */
const MESSAGE_WORDS = new Set(
  (
    'a abstract allowed already an and argument arguments as assignment at attribute attributeerror ' +
    'back be been block boolean buffer build but by byte bytes callable can cannot case characters ' +
    'class closed code codec compile conflicts connection const constant continuation converted ' +
    'create data declared decode define defined does duplicate empty encoding end enum enumeration ' +
    'error exception expected expression failure field find for found function generate generated ' +
    'generation given go got has have here hex hold holds i id identifier idl iface import in ' +
    'incompatible index indexerror indirect integer invalid is isset it iterable its java js key ' +
    'keyed label least line list load map match max member method min missing module must mutable ' +
    'name nameerror no not null number object of on only operation or other out override pointer ' +
    'position present py python range rangeerror read received redeclared reply representation ' +
    'required s server set slice slots start string strings struct supported syntax syntaxerror t ' +
    'takes the this thrift thriftrw to token tprotocolexception ttypes type typeerror types unable ' +
    'undeclared undefined unexpected unicodedecodeerror union unqualified unset use used valid value ' +
    'valueerror values variable was which with without write x'
  ).split(' '),
);

/** Thrift's own words: never generated names. */
const THRIFT_WORDS = new Set(
  (
    'include cpp_include namespace const typedef enum struct union exception service extends ' +
    'required optional oneway void throws bool byte i8 i16 i32 i64 double string binary uuid list ' +
    'set map true false slist senum'
  ).split(' '),
);

/** A name as the fingerprints spell it (harness/diff/text.ts messageKind): `Wk_yb2` → `wk-yb`. */
function slug(name: string): string {
  return name
    .replace(/\d+/g, ' ')
    .toLowerCase()
    .replace(/[^a-z]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** What the names of one IDL give: raw names, the slug words that may be masked and the names of several words. */
interface Names {
  readonly raw: ReadonlySet<string>;
  readonly words: ReadonlySet<string>;
  /** Names whose slug has several words (`i_qc` → `i`, `qc`), longest first. */
  readonly phrases: readonly (readonly string[])[];
}

const namesCache = new Map<string, Names>();
const namesByObject = new WeakMap<object, Names>();

/**
 * The names an IDL declares (types, fields, functions, arguments, enum items, constants,
 * services, include prefixes, namespaces): every identifier outside comments and string
 * literals that is not a Thrift word. Never throws.
 */
export function declaredNames(idl: Readonly<Record<string, string>>): Set<string> {
  const names = new Set<string>();
  for (const text of Object.values(idl)) {
    const code = text
      .replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*|#[^\n]*/g, ' ')
      .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, ' ');
    for (const id of code.match(/[A-Za-z_][\w.]*/g) ?? [])
      for (const part of id.split('.')) if (part !== '' && !THRIFT_WORDS.has(part)) names.add(part);
  }
  return names;
}

function namesOf(idl: Readonly<Record<string, string>> | undefined): Names {
  if (idl === undefined) return { raw: new Set(), words: new Set(), phrases: [] };
  const same = namesByObject.get(idl);
  if (same) return same;
  const key = JSON.stringify(idl);
  const had = namesCache.get(key);
  if (had) {
    namesByObject.set(idl, had);
    return had;
  }
  const raw = declaredNames(idl);
  const words = new Set<string>();
  const phrases = new Map<string, string[]>();
  for (const n of raw) {
    const ws = slug(n)
      .split('-')
      .filter((w) => w !== '');
    if (ws.length > 1) phrases.set(ws.join('-'), ws);
    for (const w of ws) if (!MESSAGE_WORDS.has(w)) words.add(w);
  }
  const names = {
    raw,
    words,
    phrases: [...phrases.values()].sort((a, b) => b.length - a.length),
  };
  if (namesCache.size > 2000) namesCache.clear();
  namesCache.set(key, names);
  namesByObject.set(idl, names);
  return names;
}

/** A path pattern with every run of names as `*`: `Awo.pc.nz0b[]{}` → `*[]{}`. */
function maskPath(pattern: string): string {
  return pattern.replace(/[A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)*/g, '*');
}

/** True for what is left of a byte in hex after digits became dashes: `\xb5` → `xb`. */
const HEX_BYTE = /^x[a-f]{1,2}$/;

/**
 * A message slug with the declared names masked: whole names of several words first (`i-qc`),
 * then single words that are not message words, then a cut last word that begins a name; runs
 * of masks become one, and hex-byte remnants (`xb`) become `x`.
 */
function maskSlug(s: string, names: Names): string {
  const words = s.split('-');
  const masked = words.map(() => false);
  for (const p of names.phrases)
    for (let i = 0; i + p.length <= words.length; i++)
      if (p.every((w, k) => words[i + k] === w))
        for (let k = 0; k < p.length; k++) masked[i + k] = true;
  const out: string[] = [];
  words.forEach((w, i) => {
    const cutTail =
      i === words.length - 1 &&
      s.length >= 75 &&
      !MESSAGE_WORDS.has(w) &&
      [...names.words].some((n) => n.length > w.length && n.startsWith(w));
    if (masked[i] || names.words.has(w) || cutTail) {
      if (out[out.length - 1] !== MASK) out.push(MASK);
    } else out.push(HEX_BYTE.test(w) ? 'x' : w);
  });
  const text = out.join('-');
  // A slug cut at 80 characters ends where the names' lengths put it: cut the masked one shorter,
  // at a word, so the same message with other names gives the same text.
  if (s.length < 75 || text.length <= CUT_TO) return text;
  const at = text.lastIndexOf('-', CUT_TO);
  return at > 0 ? text.slice(0, at) : text;
}

/** Where a masked message slug that was cut is cut again (see maskSlug). */
const CUT_TO = 50;

/**
 * A fingerprint with its generated names masked (see the module comment): paths of `meaning:`
 * and `bytes:` fingerprints become shapes (`*[]`), and in every other fingerprint each part that
 * is a declared name becomes `<X>` and each word of a message slug that is one (in slug form)
 * too. `idl` is the case's IDL (path → text); without it only paths are masked. Never throws.
 */
export function maskFingerprint(
  fingerprint: string,
  idl?: Readonly<Record<string, string>>,
): string {
  const parts = fingerprint.split(':');
  const head = parts[0];
  if (head === 'meaning' && parts.length >= 3)
    return ['meaning', maskPath(parts.slice(1, -1).join(':')), parts[parts.length - 1]].join(':');
  if (head === 'bytes' && parts[1] === 'malformed' && parts.length >= 4)
    return ['bytes', 'malformed', parts[2], maskPath(parts.slice(3).join(':'))].join(':');
  if (head === 'bytes' && parts.length === 2) return fingerprint;
  // invalid:<kind>:<outcome> names no generated name (an IDL may declare a type named `unknown`).
  if (head === 'invalid') return fingerprint;
  if (head === 'bytes' && parts.length >= 3)
    return ['bytes', maskPath(parts.slice(1, -1).join(':')), parts[parts.length - 1]].join(':');
  const names = namesOf(idl);
  return parts
    .map((p, i) => {
      if (i === 0) return p;
      if (names.raw.has(p)) return MASK;
      return /^[a-z-]+$/.test(p) ? maskSlug(p, names) : p;
    })
    .join(':');
}

/** The cause key of a result (see the module comment). Never throws. */
export function causeKey(r: CaseResult): string {
  if ((r.verdict === 'known-failure' || r.verdict === 'known-flaky') && r.knownEntry)
    return r.knownEntry;
  const masked = maskFingerprint(r.fingerprint ?? r.verdict, r.idl);
  return r.verdict === 'not-run' ? `${masked} (${r.peer})` : masked;
}

/** Characters a person reads of a shrunk case: its IDL and value. */
function shrunkSize(s: ShrunkCase): number {
  return Object.values(s.idl).reduce((n, t) => n + t.length, 0) + s.valueJson.length;
}

interface Building {
  key: string;
  verdict: Verdict;
  results: CaseResult[];
  peers: Set<string>;
  properties: Set<string>;
  wires: Set<string>;
  fingerprints: Set<string>;
  shrunk?: ShrunkCase;
  shrunkOf?: string;
}

/** The examples of a cause: the first result of each peer, then the others in run order. */
function examplesOf(results: readonly CaseResult[], n: number): CaseResult[] {
  const out: CaseResult[] = [];
  const peers = new Set<string>();
  for (const r of results) {
    if (out.length >= n) break;
    if (!peers.has(r.peer)) {
      peers.add(r.peer);
      out.push(r);
    }
  }
  for (const r of results) {
    if (out.length >= n) break;
    if (!out.includes(r)) out.push(r);
  }
  return out.sort((a, b) => results.indexOf(a) - results.indexOf(b));
}

/**
 * Groups a run's results by cause (see the module comment): every non-passing result in exactly
 * one cause, causes sorted worst verdict first, then by count (descending), then by key; passing
 * results tallied per (peer, property, wire setting) and allowed variants per kind, both in
 * first-seen order. Default 3 examples per cause. Never throws.
 */
export function groupCauses(results: readonly CaseResult[], options: CauseOptions = {}): Causes {
  const nExamples = options.examples ?? 3;
  const causes = new Map<string, Building>();
  const passing = new Map<
    string,
    { peer: string; property: string; wire: string; identical: number; allowedVariant: number }
  >();
  const variants = new Map<
    string,
    { kind: string; count: number; peers: Set<string>; properties: Set<string>; summary: string }
  >();
  for (const r of results) {
    const wire = wireLabel(r);
    if (isPass(r.verdict)) {
      const k = `${r.peer}\u0000${r.property}\u0000${wire}`;
      const p = passing.get(k) ?? {
        peer: r.peer,
        property: r.property,
        wire,
        identical: 0,
        allowedVariant: 0,
      };
      if (r.verdict === 'identical') p.identical += 1;
      else {
        p.allowedVariant += 1;
        const kind = r.fingerprint ?? 'allowed-variant';
        const v = variants.get(kind) ?? {
          kind,
          count: 0,
          peers: new Set<string>(),
          properties: new Set<string>(),
          summary: r.summary,
        };
        v.count += 1;
        v.peers.add(r.peer);
        v.properties.add(r.property);
        variants.set(kind, v);
      }
      passing.set(k, p);
      continue;
    }
    const key = causeKey(r);
    const ck = `${r.verdict}\u0000${key}`;
    let c = causes.get(ck);
    if (!c) {
      c = {
        key,
        verdict: r.verdict,
        results: [],
        peers: new Set(),
        properties: new Set(),
        wires: new Set(),
        fingerprints: new Set(),
      };
      causes.set(ck, c);
    }
    c.results.push(r);
    c.peers.add(r.peer);
    c.properties.add(r.property);
    c.wires.add(wire);
    if (r.fingerprint !== undefined && c.fingerprints.size < 5) c.fingerprints.add(r.fingerprint);
    if (r.shrunk && (!c.shrunk || shrunkSize(r.shrunk) < shrunkSize(c.shrunk))) {
      c.shrunk = r.shrunk;
      c.shrunkOf = r.name;
    }
  }
  const built: Cause[] = [...causes.values()].map((c) => {
    const first = c.results[0] as CaseResult;
    const known = c.results.find((r) => r.knownReason !== undefined);
    return {
      key: c.key,
      verdict: c.verdict,
      count: c.results.length,
      peers: [...c.peers],
      properties: [...c.properties],
      wires: [...c.wires],
      ...(first.knownEntry !== undefined ? { knownEntry: first.knownEntry } : {}),
      ...(known?.knownReason !== undefined ? { knownReason: known.knownReason } : {}),
      fingerprints: [...c.fingerprints],
      summary: first.summary,
      ...(c.shrunk ? { shrunk: c.shrunk, shrunkOf: c.shrunkOf ?? first.name } : {}),
      examples: examplesOf(c.results, nExamples),
      cases: c.results.map((r) => r.name),
      results: c.results,
    };
  });
  built.sort(
    (a, b) =>
      severity(b.verdict) - severity(a.verdict) ||
      b.count - a.count ||
      (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
  );
  return {
    causes: built,
    passing: [...passing.values()],
    variants: [...variants.values()].map((v) => ({
      kind: v.kind,
      count: v.count,
      peers: [...v.peers],
      properties: [...v.properties],
      summary: v.summary,
    })),
  };
}

/**
 * A short, stable title of a cause for lists and test names: the known-failures entry for known
 * causes (`known-failure cases/known-failures/some-peer.txt:12`), else the verdict and the key
 * (`peer-error peer-error:EncodeError:<X>-rangeerror-…`). Never throws.
 */
export function causeTitle(c: Pick<Cause, 'verdict' | 'key'>): string {
  return `${c.verdict} ${c.key}`;
}

/** The results of one (peer, property, wire setting) with one cause, or passing: one test of JUnit and TAP. */
export interface TestGroup {
  readonly peer: string;
  readonly property: string;
  readonly wire: string;
  /** The cause, or undefined for the passing results. */
  readonly cause?: Cause;
  readonly results: readonly CaseResult[];
}

/**
 * The stable name of a test group (the same for the same failure whatever the seed): `property
 * [wire] passes`, or `property [wire] <verdict> <cause key>` (a known-failures entry's
 * `file:line`, or the masked fingerprint). Never throws.
 */
export function testName(g: Pick<TestGroup, 'property' | 'wire' | 'cause'>): string {
  return `${g.property} [${g.wire}] ${g.cause ? causeTitle(g.cause) : 'passes'}`;
}

/**
 * The tests of JUnit and TAP: per peer (in `peers` order, then any other), per property and wire
 * setting (first seen first), the passing results as one group, then one group per cause (worst
 * first, as `causes`). Never throws.
 */
export function testGroups(
  results: readonly CaseResult[],
  causes: readonly Cause[],
  peers: readonly string[] = [],
): TestGroup[] {
  const causeOf = new Map<CaseResult, Cause>();
  for (const c of causes) for (const r of c.results) causeOf.set(r, c);
  const rank = new Map<Cause, number>();
  causes.forEach((c, i) => rank.set(c, i));
  const peerOrder = new Map<string, number>();
  for (const p of peers) if (!peerOrder.has(p)) peerOrder.set(p, peerOrder.size);
  const slots = new Map<string, number>();
  const groups = new Map<string, { g: TestGroup; results: CaseResult[]; order: number[] }>();
  for (const r of results) {
    if (!peerOrder.has(r.peer)) peerOrder.set(r.peer, peerOrder.size);
    const wire = wireLabel(r);
    const slot = `${r.peer}\u0000${r.property}\u0000${wire}`;
    if (!slots.has(slot)) slots.set(slot, slots.size);
    const cause = isPass(r.verdict) ? undefined : causeOf.get(r);
    const key = `${slot}\u0000${cause ? rank.get(cause) : -1}`;
    let g = groups.get(key);
    if (!g) {
      g = {
        g: { peer: r.peer, property: r.property, wire, ...(cause ? { cause } : {}), results: [] },
        results: [],
        order: [
          peerOrder.get(r.peer) ?? 0,
          slots.get(slot) ?? 0,
          cause ? (rank.get(cause) ?? 0) : -1,
        ],
      };
      groups.set(key, g);
    }
    g.results.push(r);
  }
  return [...groups.values()]
    .sort(
      (a, b) => a.order[0]! - b.order[0]! || a.order[1]! - b.order[1]! || a.order[2]! - b.order[2]!,
    )
    .map(({ g, results: rs }) => ({ ...g, results: rs }));
}
