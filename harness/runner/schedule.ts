/**
 * Which case goes to which peer. A schema is scanned once for what it needs (the features of
 * `abilities.features` it uses and every name it declares); each selected peer whose abilities
 * and name rules cover it is given the schema, the others are told why not. The generator makes
 * schemas within one selected peer's abilities at a time (a profile per distinct peer), so every
 * peer gets schemas it can take and a weak peer never narrows the others' coverage.
 */
import { parse } from '../../codec/src/index.js';
import type { ast, TypeSpec } from '../../codec/src/index.js';
import { KEYWORD_NAMES } from '../arbitraries/names.js';
import type { IdlArbOptions } from '../arbitraries/idl.js';
import { avoidRuleFor } from '../peers/manifest.js';
import type { Peer } from '../peers/peer.js';

/** The features (abilities.features keys) a schema uses, and the names it declares. */
export interface SchemaNeeds {
  readonly features: ReadonlySet<string>;
  readonly names: ReadonlySet<string>;
  /** The dialect the IDL is written in, when it is not thriftrw's (a user's apache-dialect IDL). */
  readonly dialect?: 'apache';
}

/** What a feature means, for reasons shown to people. */
const FEATURE_TEXT: Readonly<Record<string, string>> = {
  uuid: 'the uuid type',
  oneway: 'a oneway function',
  serviceInheritance: 'a service that extends another',
  includes: 'included files',
  typedefOfSet: 'a typedef of a set',
  setsOfUnhashable: 'a set of structs or containers (or a map keyed by them)',
  implicitFieldIds: 'fields without ids (implicit ids -1, -2, …)',
};

/** The features the generator knows how to avoid (the others are not decided per schema). */
export const SCHEDULED_FEATURES: readonly string[] = Object.keys(FEATURE_TEXT);

type Def = ast.Definition;

/**
 * Scans IDL files (path → text) for what they need. Throws the codec's IdlSyntaxError when a
 * file does not parse (callers have compiled the schema first, so that is a harness bug).
 */
export function schemaNeeds(files: Readonly<Record<string, string>>): SchemaNeeds {
  const features = new Set<string>();
  const names = new Set<string>();
  const programs = new Map<string, ast.Program>();
  for (const [path, text] of Object.entries(files)) programs.set(baseName(path), parse(text, path));
  const lookup = (file: string, name: string): Def | undefined => {
    const dot = name.indexOf('.');
    const [f, n] = dot < 0 ? [file, name] : [name.slice(0, dot), name.slice(dot + 1)];
    return programs.get(f)?.definitions.find((d) => d.name === n);
  };
  /** The type a reference stands for, through typedefs (undefined when it cannot be found). */
  const resolveRef = (
    file: string,
    t: ast.TypeRef,
    depth = 0,
  ): { file: string; t: ast.TypeRef | Def } | undefined => {
    if (t.kind !== 'NamedType' || depth > 32) return { file, t };
    const d = lookup(file, t.name);
    if (d === undefined) return undefined;
    const f = t.name.includes('.') ? t.name.slice(0, t.name.indexOf('.')) : file;
    return d.kind === 'Typedef' ? resolveRef(f, d.type, depth + 1) : { file: f, t: d };
  };
  const unhashable = (file: string, t: ast.TypeRef): boolean => {
    const r = resolveRef(file, t);
    if (r === undefined) return false;
    const k = r.t.kind;
    return (
      k === 'ListType' ||
      k === 'SetType' ||
      k === 'MapType' ||
      k === 'Struct' ||
      k === 'Union' ||
      k === 'Exception'
    );
  };
  const typeUses = (file: string, t: ast.TypeRef | undefined): void => {
    if (t === undefined) return;
    switch (t.kind) {
      case 'BaseType':
        if (t.name === 'uuid') features.add('uuid');
        return;
      case 'NamedType':
        return;
      case 'ListType':
        typeUses(file, t.valueType);
        return;
      case 'SetType':
        if (unhashable(file, t.valueType)) features.add('setsOfUnhashable');
        typeUses(file, t.valueType);
        return;
      case 'MapType':
        if (unhashable(file, t.keyType)) features.add('setsOfUnhashable');
        typeUses(file, t.keyType);
        typeUses(file, t.valueType);
        return;
    }
  };
  const fields = (file: string, fs: readonly ast.Field[]) => {
    for (const f of fs) {
      names.add(f.name);
      if (f.id === undefined) features.add('implicitFieldIds');
      typeUses(file, f.type);
    }
  };
  for (const [file, p] of programs) {
    if (p.headers.some((h) => h.kind === 'Include')) features.add('includes');
    for (const d of p.definitions) {
      names.add(d.name);
      switch (d.kind) {
        case 'Typedef': {
          typeUses(file, d.type);
          if (resolveRef(file, d.type)?.t.kind === 'SetType') features.add('typedefOfSet');
          break;
        }
        case 'Const':
          typeUses(file, d.type);
          break;
        case 'Enum':
          for (const it of d.items) names.add(it.name);
          break;
        case 'Struct':
        case 'Union':
        case 'Exception':
          fields(file, d.fields);
          break;
        case 'Service':
          if (d.extends !== undefined) features.add('serviceInheritance');
          for (const fn of d.functions) {
            names.add(fn.name);
            if (fn.oneway) features.add('oneway');
            typeUses(file, fn.returnType);
            fields(file, fn.parameters);
            fields(file, fn.exceptions);
          }
          break;
      }
    }
  }
  return { features, names };
}

function baseName(path: string): string {
  return (path.split('/').pop() ?? path).replace(/\.thrift$/, '');
}

/**
 * Why `peer` cannot be given a schema with `needs` (a feature its abilities lack, or a name its
 * manifest says it cannot take; for a `corpus` case only the names it refuses by design, so the
 * findings behind the other rules stay checked), or undefined when it can. Reasons are short and stable, so
 * reports can count them: `no uuid (the uuid type)`, `name "await": <the manifest's reason>`.
 */
export function whyNot(peer: Peer, needs: SchemaNeeds, corpus = false): string | undefined {
  const f = peer.info.abilities.features;
  // thriftrw-dialect peers need explicit ids and requiredness, which apache-dialect IDL may leave out.
  if (needs.dialect === 'apache' && peer.info.abilities.dialect === 'thriftrw')
    return 'IDL in the apache dialect (its loader takes the thriftrw dialect)';
  for (const feature of SCHEDULED_FEATURES)
    if (needs.features.has(feature) && f[feature] !== true)
      return `no ${feature} (${FEATURE_TEXT[feature] ?? feature})`;
  const m = peer.manifest;
  if (m !== undefined)
    for (const n of needs.names) {
      const rule = avoidRuleFor(m, n, corpus);
      if (rule !== undefined) return `name ${JSON.stringify(n)}: ${rule.reason}`;
    }
  return undefined;
}

/** The kind of a `whyNot` reason (without the name), for counting: `no uuid`, `name: <reason>`. */
export function reasonKind(reason: string): string {
  const m = /^name "[^"]*": (.*)$/.exec(reason);
  if (m) return `names it cannot take: ${m[1]}`;
  return reason;
}

/** The share of schemas made within what every selected peer can take (the rest: one peer's). */
export const COMMON_SHARE = 0.85;

/** The generator options of one profile, and how often it is used. */
export interface Profile {
  readonly idl: IdlArbOptions;
  readonly weight: number;
}

/** The features and names of one peer, as generator options. */
function profileOf(p: Peer): {
  dialect: 'thriftrw' | 'apache';
  features: Record<string, boolean>;
  avoid: Set<string>;
} {
  const features: Record<string, boolean> = {};
  for (const k of SCHEDULED_FEATURES) features[k] = p.info.abilities.features[k] === true;
  const avoid = new Set<string>();
  const m = p.manifest;
  if (m !== undefined) {
    for (const rule of m.avoidNames) for (const n of rule.names) avoid.add(n);
    for (const n of KEYWORD_NAMES) if (avoidRuleFor(m, n) !== undefined) avoid.add(n);
  }
  return { dialect: p.info.abilities.dialect, features, avoid };
}

/**
 * The generator profiles of a set of peers: most schemas (COMMON_SHARE) within what every
 * selected peer can take, so each peer is given most of a run; the rest within one peer's
 * abilities at a time (one profile per distinct peer profile, in the peer's IDL dialect: an
 * apache-dialect peer's profile has fields with Apache's default requiredness and, with
 * `implicitFieldIds`, fields without ids), so what only some peers can do is still exercised and
 * no peer's gaps narrow the others' coverage. The common profile is in the thriftrw dialect unless
 * every peer takes the apache one. With no peers, one thriftrw profile with everything on; with
 * one distinct profile, just it.
 */
export function generatorProfiles(
  peers: readonly Peer[],
  base: Pick<IdlArbOptions, 'keywordNames'>,
): Profile[] {
  if (peers.length === 0) return [{ idl: { dialect: 'thriftrw', ...base }, weight: 1 }];
  const seen = new Map<string, IdlArbOptions>();
  const common = { features: {} as Record<string, boolean>, avoid: new Set<string>() };
  for (const k of SCHEDULED_FEATURES) common.features[k] = true;
  let commonDialect: 'thriftrw' | 'apache' = 'apache';
  for (const p of peers) {
    const { dialect, features, avoid } = profileOf(p);
    if (dialect === 'thriftrw') commonDialect = 'thriftrw';
    for (const k of SCHEDULED_FEATURES) common.features[k] = common.features[k]! && features[k]!;
    for (const n of avoid) common.avoid.add(n);
    const key = JSON.stringify([dialect, features, [...avoid].sort()]);
    if (!seen.has(key)) seen.set(key, { dialect, features, avoidNames: avoid, ...base });
  }
  const own = [...seen.values()];
  if (own.length === 1) return [{ idl: own[0]!, weight: 1 }];
  const commonIdl: IdlArbOptions = {
    dialect: commonDialect,
    features: common.features,
    avoidNames: common.avoid,
    ...base,
  };
  // Weights in whole numbers (fast-check's oneof takes integers): 85 common, 15 shared by the rest.
  const rest = Math.round((1 - COMMON_SHARE) * 100);
  return [
    { idl: commonIdl, weight: 100 - rest },
    ...own.map((idl) => ({ idl, weight: Math.max(1, Math.round(rest / own.length)) })),
  ];
}

/**
 * Whether a value of `t` holds an enum value its enum does not declare (anywhere inside). Peers
 * whose abilities say `unknownEnumValues: false` (their enums cannot hold one) are not given such
 * generated values; corpus cases that show the loss are. Never throws.
 */
export function holdsUndeclaredEnum(t: TypeSpec, v: unknown, depth = 0): boolean {
  if (v === undefined || v === null || depth > 64) return false;
  switch (t.kind) {
    case 'enum':
      return !t.items.some((i) => i.value === v);
    case 'list':
      return (v as unknown[]).some((x) => holdsUndeclaredEnum(t.valueType, x, depth + 1));
    case 'set':
      return [...(v as Iterable<unknown>)].some((x) =>
        holdsUndeclaredEnum(t.valueType, x, depth + 1),
      );
    case 'map':
      return [...(v as Map<unknown, unknown>)].some(
        ([k, x]) =>
          holdsUndeclaredEnum(t.keyType, k, depth + 1) ||
          holdsUndeclaredEnum(t.valueType, x, depth + 1),
      );
    case 'struct':
      return t.fields.some((f) =>
        holdsUndeclaredEnum(f.type, (v as Record<string, unknown>)[f.name], depth + 1),
      );
    default:
      return false;
  }
}

/** The reason a peer is not given a value with an undeclared enum value (for counting). */
export const UNDECLARED_ENUM_REASON =
  'no unknownEnumValues (a value holds an enum value its IDL does not declare)';

/**
 * Whether a generated value of `t` is withheld from `peer`: it holds an enum value its IDL does
 * not declare and the peer's abilities say `unknownEnumValues: false`. Never throws.
 */
export function withholdsValue(peer: Peer, t: TypeSpec, v: unknown): boolean {
  return peer.info.abilities.features.unknownEnumValues === false && holdsUndeclaredEnum(t, v);
}
