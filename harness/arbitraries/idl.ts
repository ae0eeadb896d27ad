/**
 * fast-check arbitraries of Thrift IDL documents, generated as ASTs (never raw text) and printed
 * with the codec's printer. A document has enums (implicit, negative, sparse and hex values),
 * typedefs (chains too), structs, unions and exceptions with required and optional fields, ids
 * anywhere in 1..32767, every base type, containers nested two deep (struct, enum and container
 * keys where the peers can read them), default values and constants (base, enum, container and
 * struct-valued, and defaults naming a constant), forward and cyclic references (cycles only
 * through optional fields, containers or union members other than the union's anchor — one member,
 * anywhere in the union, that names only earlier types — so every type has finite values; unions
 * may recurse through each other, `union A { 1: B b, 2: i32 x }` / `union B { 1: A a, 2: string
 * s }`), in the apache dialect fields and parameters without ids (feature `implicitFieldIds`), names that are keywords in peer languages (names.ts), extra services (void, oneway,
 * throws, extends), and a service `Echo` with one function per struct and union of the main file
 * (`Foo echoFoo(1: Foo v)`), which the peers' generic handlers answer by echoing. `idlArb` spreads
 * the definitions over up to three files joined by `include "./x.thrift"`. The same seed gives
 * the same document.
 */
import fc from 'fast-check';
import { print } from '../../codec/src/index.js';
import type { ast, SourceLocation } from '../../codec/src/index.js';
import { CODEC_MISHANDLED_NAMES, KEYWORD_NAMES, THRIFT_KEYWORDS } from './names.js';

/** Options for {@link programArb} and {@link idlArb}. */
export interface ProgramArbOptions {
  /** `thriftrw` (default: every struct field says required/optional) or `apache`. */
  readonly dialect?: 'thriftrw' | 'apache';
  /** Most structs (of all kinds) in one document. Default 5. */
  readonly maxStructs?: number;
  /**
   * Peer features (a peer's `hello` abilities) the document must stay within; a feature is off
   * only when `false`. Used: `uuid`, `oneway`, `serviceInheritance`, `includes` (idlArb),
   * `typedefOfSet` (no `typedef set<…>`), `setsOfUnhashable` (no set<struct|container> and no
   * struct or container map keys), `implicitFieldIds` (apache dialect only: about one field or
   * parameter in twenty is written without an id, so it gets Apache's implicit id -1, -2, … in
   * declaration order within its field list).
   */
  readonly features?: Readonly<Record<string, boolean>>;
  /** Names never to generate, beyond Thrift's keywords (from the peers' manifests: `avoidNames`). */
  readonly avoidNames?: ReadonlySet<string>;
  /** Mix keywords of peer languages (names.ts KEYWORD_NAMES) into generated names. Default true. */
  readonly keywordNames?: boolean;
}

/** Options for {@link idlArb}. */
export interface IdlArbOptions extends ProgramArbOptions {
  /** Most files besides the main one (0..2). Default 2; 0 when `features.includes` is false. */
  readonly maxIncludedFiles?: number;
}

/** A generated set of IDL files: `files[main]` includes the others (by `./name.thrift`). */
export interface GeneratedIdl {
  readonly main: string;
  readonly files: Readonly<Record<string, ast.Program>>;
  /** `apache` when the files are in the apache dialect (compile them so); absent for thriftrw. */
  readonly dialect?: 'apache';
}

const LOC: SourceLocation = { file: 'generated.thrift', line: 1, column: 1 };
/** File names: the main file, then the included ones (a file includes every later one). */
const FILE_NAMES = ['generated.thrift', 'shared.thrift', 'common.thrift'] as const;
const MODULE_NAMES = FILE_NAMES.map((f) => f.replace(/\.thrift$/, ''));

/** Members of our codec's module object: a top-level name may not be one (by design). */
// prettier-ignore
const MODULE_MEMBERS = ['dumps', 'loads', 'equals', 'toPrimitive', 'fromPrimitive', '__types__',
  '__services__', '__constants__', '__includes__', '__thrift_source__', '__spec__',
  '__thrift_module__'];
/** Members of our codec's enum objects: an enum item may not be one (by design). */
// prettier-ignore
const ENUM_MEMBERS = ['__spec__', '__name__', '__thrift_module__', 'items', 'names', 'values',
  'nameOf', 'fromName'];

/** Names to avoid per position (beyond THRIFT_KEYWORDS and the caller's avoidNames). */
const AVOID_AT = {
  top: new Set([
    ...MODULE_MEMBERS,
    ...MODULE_NAMES,
    'Echo',
    ...CODEC_MISHANDLED_NAMES.member,
    ...CODEC_MISHANDLED_NAMES.structName,
  ]),
  item: new Set([...ENUM_MEMBERS, ...CODEC_MISHANDLED_NAMES.member]),
  field: new Set([...CODEC_MISHANDLED_NAMES.field]),
  function: new Set([...CODEC_MISHANDLED_NAMES.member, ...CODEC_MISHANDLED_NAMES.function]),
  // a function's exceptions share the response struct with its `success` field
  throws: new Set([...CODEC_MISHANDLED_NAMES.field, 'success']),
};
type Position = keyof typeof AVOID_AT;

const BASES: readonly ast.BaseTypeName[] = [
  'bool',
  'byte',
  'i8',
  'i16',
  'i32',
  'i64',
  'double',
  'string',
  'binary',
];
const KEY_BASES: readonly ast.BaseTypeName[] = ['string', 'i32', 'i64', 'byte'];

// ---------------------------------------------------------------------------------------------
// The plan: counts, names, files, kinds, ids
// ---------------------------------------------------------------------------------------------

type Kind = 'struct' | 'union' | 'exception';

interface EnumPlan {
  readonly name: string;
  readonly file: number;
  readonly items: readonly string[];
  readonly values: readonly (bigint | undefined)[];
  readonly hex: readonly boolean[];
}
interface FieldPlan {
  readonly name: string;
  readonly id: number;
  /** Written without an id (apache dialect: Apache's implicit negative id). */
  readonly implicit: boolean;
  readonly optional: boolean;
  readonly withDefault: boolean;
}
interface StructPlan {
  readonly name: string;
  readonly file: number;
  readonly kind: Kind;
  readonly fields: readonly FieldPlan[];
  /**
   * A union's anchor: the member that names only earlier types, so a value can always end there
   * (the others may recurse, through this union or others). 0 for other kinds.
   */
  readonly anchor: number;
}
interface FunctionPlan {
  readonly name: string;
  readonly shape: 'void' | 'oneway' | 'returns';
  readonly params: readonly { name: string; id: number; implicit: boolean }[];
  readonly throws: boolean;
}
interface Plan {
  readonly enums: readonly EnumPlan[];
  readonly structs: readonly StructPlan[];
  readonly typedefs: readonly { name: string; file: number }[];
  readonly consts: readonly { name: string; file: number }[];
  readonly services: readonly { name: string; functions: readonly FunctionPlan[] }[];
}

interface Settings {
  readonly dialect: 'thriftrw' | 'apache';
  readonly maxStructs: number;
  readonly nFiles: number;
  readonly avoid: ReadonlySet<string>;
  readonly keywords: boolean;
  readonly uuid: boolean;
  readonly oneway: boolean;
  readonly inheritance: boolean;
  readonly typedefOfSet: boolean;
  readonly unhashable: boolean;
  /** Some fields without ids (apache dialect and `features.implicitFieldIds` not false). */
  readonly implicitIds: boolean;
}

function settingsOf(options: IdlArbOptions, multiFile: boolean): Settings {
  const f = options.features ?? {};
  const maxFiles = multiFile && f.includes !== false ? (options.maxIncludedFiles ?? 2) : 0;
  return {
    dialect: options.dialect ?? 'thriftrw',
    maxStructs: options.maxStructs ?? 5,
    nFiles: 1 + Math.max(0, Math.min(2, maxFiles)),
    avoid: options.avoidNames ?? new Set(),
    keywords: options.keywordNames ?? true,
    uuid: f.uuid !== false,
    oneway: f.oneway !== false,
    inheritance: f.serviceInheritance !== false,
    typedefOfSet: f.typedefOfSet !== false,
    unhashable: f.setsOfUnhashable !== false,
    implicitIds: options.dialect === 'apache' && f.implicitFieldIds !== false,
  };
}

/**
 * Identifier arbitraries, made once per settings object and position: they are asked for inside
 * `chain`s, once per generated schema, and building one (a constantFrom over every keyword name)
 * cost more than generating with it.
 */
const identCache = new WeakMap<Settings, Map<string, fc.Arbitrary<string>>>();

/** One identifier for `position`: mostly random, sometimes a keyword of a peer language. */
function identArb(s: Settings, position: Position, upper: boolean): fc.Arbitrary<string> {
  let byKey = identCache.get(s);
  if (byKey === undefined) identCache.set(s, (byKey = new Map()));
  const key = `${position}|${upper}`;
  let arb = byKey.get(key);
  if (arb === undefined) byKey.set(key, (arb = makeIdentArb(s, position, upper)));
  return arb;
}

function makeIdentArb(s: Settings, position: Position, upper: boolean): fc.Arbitrary<string> {
  const first = upper ? 'ABCDEFGHIJKLMNOPQRSTUVWXYZ' : 'abcdefghijklmnopqrstuvwxyz';
  const random = fc
    .tuple(
      fc.constantFrom(...first),
      fc.string({
        unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789_'),
        maxLength: 6,
      }),
    )
    .map(([a, b]) => a + b);
  const avoid = AVOID_AT[position];
  const keywords = KEYWORD_NAMES.filter((n) => !avoid.has(n) && !s.avoid.has(n));
  const arb =
    s.keywords && keywords.length > 0
      ? fc.oneof(
          { arbitrary: random, weight: 6 },
          { arbitrary: fc.constantFrom(...keywords), weight: 1 },
        )
      : random;
  return arb.filter((n) => !THRIFT_KEYWORDS.has(n) && !avoid.has(n) && !s.avoid.has(n));
}

/** `n` identifiers for `position`, unique ignoring case. */
function namesArb(s: Settings, n: number, position: Position, upper: boolean) {
  return fc.uniqueArray(identArb(s, position, upper), {
    minLength: n,
    maxLength: n,
    comparator: (a, b) => a.toLowerCase() === b.toLowerCase(),
  });
}

const idsArb = (n: number) =>
  fc.uniqueArray(fc.oneof(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 32767 })), {
    minLength: n,
    maxLength: n,
  });

/** The share of fields and parameters written without an id, when implicit ids are on. */
const IMPLICIT_ID_SHARE = 20;

/**
 * Per field, whether it is written without an id: about one in IMPLICIT_ID_SHARE when implicit ids
 * are on, none (and no randomness drawn, so other settings' documents stay as they were) when off.
 */
const implicitArb = (s: Settings, n: number): fc.Arbitrary<boolean[]> =>
  s.implicitIds
    ? fc.array(
        fc.integer({ min: 1, max: IMPLICIT_ID_SHARE }).map((x) => x === 1),
        { minLength: n, maxLength: n },
      )
    : fc.constant(Array.from({ length: n }, () => false));

/** Which file a definition goes to: mostly the main one (0). */
const fileArb = (s: Settings) =>
  s.nFiles === 1
    ? fc.constant(0)
    : fc.oneof(
        { arbitrary: fc.constant(0), weight: 3 },
        { arbitrary: fc.integer({ min: 1, max: s.nFiles - 1 }), weight: 1 },
      );

function planArb(s: Settings): fc.Arbitrary<Plan> {
  return fc
    .record({
      nEnums: fc.integer({ min: 0, max: 2 }),
      nStructs: fc.integer({ min: 1, max: s.maxStructs }),
      nTypedefs: fc.integer({ min: 0, max: 3 }),
      nConsts: fc.integer({ min: 0, max: 3 }),
      nServices: fc.integer({ min: 0, max: 2 }),
    })
    .chain(({ nEnums, nStructs, nTypedefs, nConsts, nServices }) => {
      const nTop = nEnums + nStructs + nTypedefs + nConsts + nServices;
      return namesArb(s, nTop, 'top', true).chain((names) => {
        let at = 0;
        const take = (n: number) => names.slice(at, (at += n));
        const [enumNames, structNames, typedefNames, constNames, serviceNames] = [
          take(nEnums),
          take(nStructs),
          take(nTypedefs),
          take(nConsts),
          take(nServices),
        ];
        const enums = enumNames.map((name) =>
          fc.integer({ min: 1, max: 4 }).chain((n) =>
            fc.record({
              name: fc.constant(name),
              file: fileArb(s),
              items: namesArb(s, n, 'item', true),
              values: fc.uniqueArray(
                fc.option(fc.bigInt({ min: -(2n ** 31n), max: 2n ** 31n - 64n }), {
                  nil: undefined,
                  freq: 2,
                }),
                { minLength: n, maxLength: n, comparator: (a, b) => a !== undefined && a === b },
              ),
              hex: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
            }),
          ),
        );
        const structs = structNames.map((name, i) =>
          fc.integer({ min: 1, max: 5 }).chain((n) =>
            fc
              .record({
                // the first struct is a struct of the main file, so Echo has a function
                file: i === 0 ? fc.constant(0) : fileArb(s),
                kind: i === 0 ? fc.constant<Kind>('struct') : fc.constantFrom<Kind>(
                  'struct', 'struct', 'union', 'exception'), // prettier-ignore
                names: namesArb(s, n, 'field', false),
                anchor: fc.integer({ min: 0, max: n - 1 }),
                ids: idsArb(n),
                implicit: implicitArb(s, n),
                optional: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
                withDefault: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
              })
              .map((r): StructPlan => ({
                name,
                file: r.file,
                kind: r.kind,
                anchor: r.kind === 'union' ? r.anchor : 0,
                fields: r.names.map((fname, fi) => ({
                  name: fname,
                  id: r.ids[fi]!,
                  implicit: r.implicit[fi]!,
                  optional: r.optional[fi]!,
                  withDefault: r.kind !== 'union' && r.withDefault[fi]! && fi % 2 === 0,
                })),
              })),
          ),
        );
        const functionArb = (name: string): fc.Arbitrary<FunctionPlan> =>
          fc.integer({ min: 0, max: 2 }).chain((n) =>
            fc.record({
              name: fc.constant(name),
              shape: s.oneway
                ? fc.constantFrom<FunctionPlan['shape']>('returns', 'void', 'oneway')
                : fc.constantFrom<FunctionPlan['shape']>('returns', 'void'),
              params: fc
                .tuple(namesArb(s, n, 'field', false), idsArb(n), implicitArb(s, n))
                .map(([ns, ids, imp]) =>
                  ns.map((pn, i) => ({ name: pn, id: ids[i]!, implicit: imp[i]! })),
                ),
              throws: fc.boolean(),
            }),
          );
        const services = fc
          .array(fc.integer({ min: 1, max: 3 }), { minLength: nServices, maxLength: nServices })
          .chain((counts) =>
            namesArb(
              s,
              counts.reduce((a, b) => a + b, 0),
              'function',
              false,
            ).chain((fnames) => {
              let k = 0;
              return fc.tuple(
                ...serviceNames.map((sname, si) =>
                  fc.record({
                    name: fc.constant(sname),
                    functions: fc.tuple(...fnames.slice(k, (k += counts[si]!)).map(functionArb)),
                  }),
                ),
              );
            }),
          );
        return fc.record({
          enums: fc.tuple(...enums),
          structs: fc.tuple(...structs),
          typedefs: fc.tuple(...typedefNames.map((name) => fileArb(s).map((file) => ({ name, file })))), // prettier-ignore
          consts: fc.tuple(...constNames.map((name) => fileArb(s).map((file) => ({ name, file })))),
          services,
        });
      });
    });
}

// ---------------------------------------------------------------------------------------------
// Types: a small model, turned into AST type references per file
// ---------------------------------------------------------------------------------------------

type Ty =
  | { readonly k: 'base'; readonly name: ast.BaseTypeName }
  | { readonly k: 'enum'; readonly i: number }
  | { readonly k: 'struct'; readonly i: number }
  | { readonly k: 'typedef'; readonly i: number }
  | { readonly k: 'list' | 'set'; readonly elem: Ty }
  | { readonly k: 'map'; readonly key: Ty; readonly val: Ty };

interface Typed {
  readonly typedefs: readonly Ty[];
  /** Per struct, per field. */
  readonly fields: readonly (readonly Ty[])[];
  readonly consts: readonly Ty[];
  readonly functions: readonly (readonly { ret: Ty | undefined; params: readonly Ty[] }[])[];
  /** Per struct, per field: whether the field gets a default value. */
  readonly hasDefault: readonly (readonly boolean[])[];
}

/** Where a type is used: its file, which structs it may name, whether it is a key. */
interface TypeCtx {
  readonly file: number;
  /** Struct slots below this may be named (Infinity: all). */
  readonly structsBelow: number;
  /** Typedef slots below this may be named. */
  readonly typedefsBelow: number;
}

function typeArbs(s: Settings, plan: Plan) {
  const visible = (file: number, from: number) => file >= from;
  /** The struct a typedef names directly (through typedef chains), for cycle checks. */
  const bareStruct = (typedefs: readonly Ty[], t: Ty): number | undefined =>
    t.k === 'struct' ? t.i : t.k === 'typedef' ? bareStruct(typedefs, typedefs[t.i]!) : undefined;
  const hashable = (typedefs: readonly Ty[], t: Ty): boolean =>
    t.k === 'base' || t.k === 'enum'
      ? true
      : t.k === 'typedef'
        ? hashable(typedefs, typedefs[t.i]!)
        : s.unhashable;
  return (typedefs: readonly Ty[], ctx: TypeCtx, depth = 2): fc.Arbitrary<Ty> => {
    const bases = BASES.concat(s.uuid ? ['uuid'] : []);
    const enums = plan.enums.flatMap((e, i) => (visible(e.file, ctx.file) ? [i] : []));
    const structs = plan.structs.flatMap((st, i) =>
      visible(st.file, ctx.file) && i < ctx.structsBelow ? [i] : [],
    );
    const allStructs = plan.structs.flatMap((st, i) => (visible(st.file, ctx.file) ? [i] : []));
    const tds = typedefs.flatMap((t, i) => {
      if (i >= ctx.typedefsBelow || !visible(plan.typedefs[i]!.file, ctx.file)) return [];
      const b = bareStruct(typedefs, t);
      return b === undefined || b < ctx.structsBelow ? [i] : [];
    });
    const named = (k: 'enum' | 'struct' | 'typedef', is: number[]) =>
      is.length ? [fc.constantFrom(...is).map((i): Ty => ({ k, i }))] : [];
    const leaf = fc.oneof(
      fc.constantFrom(...bases).map((name): Ty => ({ k: 'base', name })),
      ...named('enum', enums),
    );
    const leafOrNamed = fc.oneof(leaf, ...named('struct', structs), ...named('typedef', tds));
    const key: fc.Arbitrary<Ty> = fc.oneof(
      fc.constantFrom(...KEY_BASES).map((name): Ty => ({ k: 'base', name })),
      ...named('enum', enums),
      ...named(
        'typedef',
        tds.filter((i) => hashable(typedefs, typedefs[i]!)),
      ),
      ...(s.unhashable ? named('struct', allStructs) : []),
    );
    const container = (elem: fc.Arbitrary<Ty>, k: fc.Arbitrary<Ty>): fc.Arbitrary<Ty> =>
      fc.oneof(
        elem.map((e): Ty => ({ k: 'list', elem: e })),
        k.map((e): Ty => ({ k: 'set', elem: e })),
        fc.tuple(k, elem).map(([kk, v]): Ty => ({ k: 'map', key: kk, val: v })),
      );
    if (depth <= 0) return leafOrNamed;
    // Containers may hold any struct (they can be empty); keys may be containers when allowed.
    const anyElem = fc.oneof(leafOrNamed, ...named('struct', allStructs));
    const innerKey = s.unhashable
      ? fc.oneof(
          key,
          container(
            leaf,
            key.filter((k) => k.k !== 'struct'),
          ),
        )
      : key;
    return fc.oneof(
      { arbitrary: leafOrNamed, weight: 4 },
      { arbitrary: container(anyElem, innerKey), weight: 2 },
      { arbitrary: container(container(leaf, key), key), weight: 1 },
    );
  };
}

function typedArb(s: Settings, plan: Plan): fc.Arbitrary<Typed> {
  const typeArb = typeArbs(s, plan);
  const all = { structsBelow: Infinity };
  // Typedefs one at a time: each may name an earlier one (typedef chains).
  let typedefsArb: fc.Arbitrary<Ty[]> = fc.constant([]);
  plan.typedefs.forEach((td, i) => {
    typedefsArb = typedefsArb.chain((prev) =>
      fc
        .oneof(
          typeArb(prev, { file: td.file, typedefsBelow: i, ...all }),
          // a typedef of a typedef, when there is an earlier one in reach
          ...(prev.some((_, j) => plan.typedefs[j]!.file >= td.file)
            ? [
                fc
                  .constantFrom(
                    ...prev.flatMap((_, j) => (plan.typedefs[j]!.file >= td.file ? [j] : [])),
                  )
                  .map((j): Ty => ({ k: 'typedef', i: j })),
              ]
            : []),
        )
        .filter((t) => s.typedefOfSet || resolve(prev, t).k !== 'set')
        .map((t) => [...prev, t]),
    );
  });
  return typedefsArb.chain((typedefs) => {
    const n = typedefs.length;
    const fields = plan.structs.map((st, si) =>
      fc.tuple(
        ...st.fields.map((f, fi) => {
          // Required fields and a union's anchor only use earlier structs: finite values.
          const free = st.kind === 'union' ? fi !== st.anchor : f.optional;
          const t = typeArb(typedefs, {
            file: st.file,
            structsBelow: free ? Infinity : si,
            typedefsBelow: n,
          });
          // A union's other members often name a union (itself or another): unions that recurse
          // through each other, as real IDL has them (expression trees, JSON-like values).
          const visible = plan.structs.flatMap((u, ui) =>
            u.kind === 'union' && u.file >= st.file ? [ui] : [],
          );
          // another union when there is one (the union itself is among the named types anyway)
          const others = visible.filter((ui) => ui !== si);
          const unions = others.length > 0 ? others : visible;
          if (st.kind !== 'union' || !free || unions.length === 0) return t;
          return fc.oneof(
            { arbitrary: t, weight: 2 },
            {
              arbitrary: fc.constantFrom(...unions).map((i): Ty => ({ k: 'struct', i })),
              weight: 1,
            },
          );
        }),
      ),
    );
    // Constants: base types, enums, containers of those, and structs and unions.
    const consts = plan.consts.map((c) =>
      typeArb(typedefs, { file: c.file, structsBelow: Infinity, typedefsBelow: n })
        .map((t) => resolve(typedefs, t))
        .filter(
          (t) =>
            !(t.k === 'struct' && plan.structs[t.i]!.kind === 'exception') &&
            (t.k === 'struct' || !mentionsStruct(typedefs, t)),
        ),
    );
    const functions = plan.services.map((svc) =>
      fc.tuple(
        ...svc.functions.map((fn) =>
          fc.record({
            ret:
              fn.shape === 'returns'
                ? typeArb(typedefs, { file: 0, ...all, typedefsBelow: n })
                : fc.constant(undefined),
            params: fc.tuple(
              ...fn.params.map(() => typeArb(typedefs, { file: 0, ...all, typedefsBelow: n })),
            ),
          }),
        ),
      ),
    );
    // A default holding a struct that has defaults could be infinite (the codec applies
    // defaults on construction): defaults only hold structs without defaults.
    const defaulted = plan.structs.map((st) => st.fields.some((f) => f.withDefault));
    return fc
      .record({
        fields: fc.tuple(...fields),
        consts: fc.tuple(...consts),
        functions: fc.tuple(...functions),
      })
      .map((r) => ({
        ...r,
        typedefs,
        hasDefault: plan.structs.map((st, si) =>
          st.fields.map((f, fi) => {
            if (!f.withDefault) return false;
            // every struct a value of this field's type can hold, however deep
            const seen = new Set<number>();
            const visit = (t: Ty): void =>
              void mentions(typedefs, t, (i) => {
                if (!seen.has(i)) {
                  seen.add(i);
                  r.fields[i]!.forEach(visit);
                }
                return false;
              });
            visit(r.fields[si]![fi]!);
            // Apache types a default where it is written: its structs must be declared earlier.
            const earlier = (i: number) => i < si || plan.structs[i]!.file > st.file;
            return ![...seen].some((i) => defaulted[i] || !earlier(i));
          }),
        ),
      }));
  });
}

/** `t` with typedefs replaced by what they stand for (top level only). */
function resolve(typedefs: readonly Ty[], t: Ty): Ty {
  return t.k === 'typedef' ? resolve(typedefs, typedefs[t.i]!) : t;
}

/** Whether `t` names (anywhere inside) a struct for which `which` holds. */
function mentions(typedefs: readonly Ty[], t: Ty, which: (i: number) => boolean): boolean {
  switch (t.k) {
    case 'struct':
      return which(t.i);
    case 'typedef':
      return mentions(typedefs, typedefs[t.i]!, which);
    case 'list':
    case 'set':
      return mentions(typedefs, t.elem, which);
    case 'map':
      return mentions(typedefs, t.key, which) || mentions(typedefs, t.val, which);
    default:
      return false;
  }
}

function mentionsStruct(typedefs: readonly Ty[], t: Ty): boolean {
  return mentions(typedefs, t, () => true);
}

// ---------------------------------------------------------------------------------------------
// Constant values
// ---------------------------------------------------------------------------------------------

/** The values of an enum's items, implicit ones counted on from the previous item. */
function enumValues(e: EnumPlan): bigint[] {
  let next = 0n;
  return e.items.map((_, i) => {
    const v = e.values[i] ?? next;
    next = v + 1n;
    return v;
  });
}

const INT_RANGES: Partial<Record<ast.BaseTypeName, [bigint, bigint]>> = {
  byte: [-128n, 127n],
  i8: [-128n, 127n],
  i16: [-32768n, 32767n],
  i32: [-(2n ** 31n), 2n ** 31n - 1n],
  i64: [-(2n ** 63n), 2n ** 63n - 1n],
};
const SAFE_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _-.';

/** An empty list, set or map constant. */
function emptyCv(k: 'list' | 'set' | 'map'): CV {
  return k === 'map'
    ? { v: { kind: 'ConstMap', entries: [], loc: LOC }, key: 'map{}' }
    : { v: { kind: 'ConstList', values: [], loc: LOC }, key: `${k}[]` };
}

/** A constant value for a type, with a key that identifies its meaning (for sets and maps). */
interface CV {
  readonly v: ast.ConstValue;
  readonly key: string;
}

/** Writes a name defined in `file` as seen from `from`: `shared.Foo` across files. */
function qualify(name: string, file: number, from: number): string {
  return file === from ? name : `${MODULE_NAMES[file]}.${name}`;
}

function constArbs(s: Settings, plan: Plan, typed: Typed) {
  const enumVals = plan.enums.map(enumValues);
  const cvArb = (t: Ty, from: number, depth: number): fc.Arbitrary<CV> => {
    switch (t.k) {
      case 'typedef':
        return cvArb(typed.typedefs[t.i]!, from, depth);
      case 'base': {
        const range = INT_RANGES[t.name];
        if (range) {
          const [lo, hi] = range;
          return fc
            .tuple(
              fc.oneof(fc.constantFrom(0n, lo, hi, -1n, 1n), fc.bigInt({ min: lo, max: hi })),
              fc.boolean(),
            )
            .map(([n, hex]) => ({
              v: {
                kind: 'ConstInt',
                value: n,
                text: hex && n >= 0n ? `0x${n.toString(16)}` : n.toString(),
                loc: LOC,
              },
              key: `i${n}`,
            }));
        }
        switch (t.name) {
          case 'bool':
            return fc.boolean().map((b) => ({
              v: { kind: 'ConstIdentifier', name: String(b), loc: LOC },
              key: `b${b}`,
            }));
          case 'double':
            return fc
              .oneof(fc.integer({ min: -80000, max: 80000 }), fc.constantFrom(0, 4, -12))
              .map((k) => {
                const x = k / 8;
                const text = Number.isInteger(x) ? `${x}.0` : String(x);
                return { v: { kind: 'ConstDouble', value: x, text, loc: LOC }, key: `d${x}` };
              });
          case 'uuid':
            return fc.uuid().map((u) => ({
              v: { kind: 'ConstString', value: u, loc: LOC },
              key: `u${u.toLowerCase()}`,
            }));
          default:
            return fc
              .string({ unit: fc.constantFrom(...SAFE_CHARS), maxLength: 8 })
              .map((str) => ({ v: { kind: 'ConstString', value: str, loc: LOC }, key: `s${str}` }));
        }
      }
      case 'enum': {
        const e = plan.enums[t.i]!;
        return fc.integer({ min: 0, max: e.items.length - 1 }).map((j) => ({
          v: {
            kind: 'ConstIdentifier',
            name: `${qualify(e.name, e.file, from)}.${e.items[j]!}`,
            loc: LOC,
          },
          key: `e${enumVals[t.i]![j]!}`,
        }));
      }
      case 'list':
      case 'set': {
        if (depth >= 2) return fc.constant(emptyCv(t.k));
        const elem = cvArb(t.elem, from, depth + 1);
        const maxLength = 3;
        const arr =
          t.k === 'list'
            ? fc.array(elem, { maxLength })
            : fc.uniqueArray(elem, { maxLength, selector: (c) => c.key });
        return arr.map((cs) => ({
          v: { kind: 'ConstList', values: cs.map((c) => c.v), loc: LOC },
          key: `${t.k}[${cs.map((c) => c.key).join(',')}]`,
        }));
      }
      case 'map':
        if (depth >= 2) return fc.constant(emptyCv('map'));
        return fc
          .uniqueArray(fc.tuple(cvArb(t.key, from, depth + 1), cvArb(t.val, from, depth + 1)), {
            maxLength: 3,
            selector: ([k]) => k.key,
          })
          .map((es) => ({
            v: {
              kind: 'ConstMap',
              entries: es.map(([k, v]) => ({ key: k.v, value: v.v })),
              loc: LOC,
            },
            key: `map{${es.map(([k, v]) => `${k.key}:${v.key}`).join(',')}}`,
          }));
      case 'struct':
        return structCvArb(t.i, from, depth);
    }
  };
  const structCvArb = (si: number, from: number, depth: number): fc.Arbitrary<CV> => {
    const st = plan.structs[si]!;
    const types = typed.fields[si]!;
    const entry = (fi: number) =>
      cvArb(types[fi]!, from, depth + 1).map((c) => ({ name: st.fields[fi]!.name, c }));
    let entries: fc.Arbitrary<{ name: string; c: CV }[]>;
    if (st.kind === 'union') {
      // Deep down, only the anchor (it never leads back to this union).
      const members = depth >= 2 ? [st.anchor] : st.fields.map((_, fi) => fi);
      entries = fc.oneof(...members.map((fi) => entry(fi).map((e) => [e])));
    } else {
      entries = fc
        .tuple(
          ...st.fields.map((f, fi) => {
            if (!f.optional && !typed.hasDefault[si]![fi]!) return entry(fi).map((e) => [e]);
            // Optional fields (and required ones with a default) only near the top.
            const t = types[fi]!;
            if (depth >= 2 || (f.optional && depth >= 1 && mentionsStruct(typed.typedefs, t))) {
              return fc.constant([]);
            }
            return fc.option(
            entry(fi).map((e) => [e]),
            { nil: undefined },
          ).map((e) => e ?? []); // prettier-ignore
          }),
        )
        .map((xs) => xs.flat());
    }
    return entries.map((es) => ({
      v: {
        kind: 'ConstMap',
        entries: es.map((e) => ({
          key: { kind: 'ConstString', value: e.name, loc: LOC },
          value: e.c.v,
        })),
        loc: LOC,
      },
      key: `${st.name}{${es.map((e) => `${e.name}:${e.c.key}`).join(',')}}`,
    }));
  };
  return cvArb;
}

/** The printed form of a type, for comparing a field's type with a constant's. */
function tyKey(t: Ty): string {
  switch (t.k) {
    case 'base':
      return t.name === 'i8' ? 'byte' : t.name;
    case 'enum':
    case 'struct':
    case 'typedef':
      return `${t.k}${t.i}`;
    case 'list':
    case 'set':
      return `${t.k}<${tyKey(t.elem)}>`;
    case 'map':
      return `map<${tyKey(t.key)},${tyKey(t.val)}>`;
  }
}

interface Valued {
  readonly consts: readonly ast.ConstValue[];
  /** Per struct, per field: the default value, if any. */
  readonly defaults: readonly (readonly (ast.ConstValue | undefined)[])[];
}

function valuedArb(s: Settings, plan: Plan, typed: Typed): fc.Arbitrary<Valued> {
  const cvArb = constArbs(s, plan, typed);
  const consts = plan.consts.map((c, ci) => cvArb(typed.consts[ci]!, c.file, 0).map((x) => x.v));
  const defaults = plan.structs.map((st, si) =>
    fc.tuple(
      ...st.fields.map((f, fi) => {
        const t = resolve(typed.typedefs, typed.fields[si]![fi]!);
        if (!typed.hasDefault[si]![fi]!) return fc.constant(undefined);
        const literal = cvArb(t, st.file, 0).map((x): ast.ConstValue | undefined => x.v);
        // A constant of the same type (not struct-valued: they are declared after the structs).
        const named = plan.consts.flatMap((c, ci) =>
          c.file >= st.file &&
          typed.consts[ci]!.k !== 'struct' &&
          tyKey(typed.consts[ci]!) === tyKey(t)
            ? [qualify(c.name, c.file, st.file)]
            : [],
        );
        return named.length
          ? fc.oneof(
              literal,
              fc
                .constantFrom(...named)
                .map((name): ast.ConstValue => ({ kind: 'ConstIdentifier', name, loc: LOC })),
            )
          : literal;
      }),
    ),
  );
  return fc.record({ consts: fc.tuple(...consts), defaults: fc.tuple(...defaults) });
}

// ---------------------------------------------------------------------------------------------
// The AST
// ---------------------------------------------------------------------------------------------

function base(name: ast.BaseTypeName): ast.BaseTypeRef {
  return { kind: 'BaseType', name, annotations: [], loc: LOC };
}
function named(name: string): ast.NamedTypeRef {
  return { kind: 'NamedType', name, loc: LOC };
}
function field(
  id: number | undefined,
  name: string,
  type: ast.TypeRef,
  requiredness: ast.Requiredness,
  defaultValue?: ast.ConstValue,
): ast.Field {
  return { kind: 'Field', id, name, type, requiredness, defaultValue, annotations: [], doc: undefined, loc: LOC }; // prettier-ignore
}

/** The name of the echo function of type `name` in the generated `Echo` service. */
export function echoFunctionName(name: string): string {
  return `echo${name}`;
}

/** `service Echo { Foo echoFoo(1: Foo v) … }` for every struct and union (exceptions are left out). */
function echoService(defs: readonly ast.Definition[]): ast.Service {
  const functions = defs
    .filter((d) => d.kind === 'Struct' || d.kind === 'Union')
    .map((d): ast.FunctionDef => ({
      kind: 'Function',
      name: echoFunctionName(d.name),
      oneway: false,
      returnType: named(d.name),
      parameters: [field(1, 'v', named(d.name), 'default')],
      exceptions: [],
      annotations: [],
      doc: undefined,
      loc: LOC,
    }));
  return service('Echo', undefined, functions);
}

function service(
  name: string,
  parent: string | undefined,
  functions: ast.FunctionDef[],
): ast.Service {
  return {
    kind: 'Service',
    name,
    extends: parent,
    extendsLoc: parent === undefined ? undefined : LOC,
    functions,
    annotations: [],
    doc: undefined,
    loc: LOC,
  };
}

function build(s: Settings, plan: Plan, typed: Typed, valued: Valued): GeneratedIdl {
  const defs: ast.Definition[][] = FILE_NAMES.slice(0, s.nFiles).map(() => []);
  const typeRef = (t: Ty, from: number): ast.TypeRef => {
    const ann = { annotations: [], loc: LOC } as const;
    switch (t.k) {
      case 'base':
        return base(t.name);
      case 'enum':
        return named(qualify(plan.enums[t.i]!.name, plan.enums[t.i]!.file, from));
      case 'struct':
        return named(qualify(plan.structs[t.i]!.name, plan.structs[t.i]!.file, from));
      case 'typedef':
        return named(qualify(plan.typedefs[t.i]!.name, plan.typedefs[t.i]!.file, from));
      case 'list':
        return { kind: 'ListType', valueType: typeRef(t.elem, from), ...ann };
      case 'set':
        return { kind: 'SetType', valueType: typeRef(t.elem, from), ...ann };
      case 'map':
        return { kind: 'MapType', keyType: typeRef(t.key, from), valueType: typeRef(t.val, from), ...ann }; // prettier-ignore
    }
  };
  for (const e of plan.enums) {
    defs[e.file]!.push({
      kind: 'Enum',
      name: e.name,
      items: e.items.map((name, i) => {
        const v = e.values[i];
        const text = v === undefined ? '' : e.hex[i] && v >= 0n ? `0x${v.toString(16)}` : `${v}`;
        return {
          kind: 'EnumItem',
          name,
          value: v === undefined ? undefined : { kind: 'ConstInt', value: v, text, loc: LOC },
          annotations: [],
          doc: undefined,
          loc: LOC,
        };
      }),
      annotations: [],
      doc: undefined,
      loc: LOC,
    });
  }
  plan.typedefs.forEach((td, i) => {
    defs[td.file]!.push({
      kind: 'Typedef',
      name: td.name,
      type: typeRef(typed.typedefs[i]!, td.file),
      annotations: [],
      doc: undefined,
      loc: LOC,
    });
  });
  const constDef = (i: number): ast.Const => {
    const c = plan.consts[i]!;
    return {
      kind: 'Const',
      name: c.name,
      type: typeRef(typed.consts[i]!, c.file),
      value: valued.consts[i]!,
      doc: undefined,
      loc: LOC,
    };
  };
  // Constants that name no struct come before the structs (defaults may name them).
  plan.consts.forEach((c, i) => {
    if (typed.consts[i]!.k !== 'struct') defs[c.file]!.push(constDef(i));
  });
  const structs: ast.Definition[] = [];
  plan.structs.forEach((st, si) => {
    const fields = st.fields.map((f, fi) =>
      field(
        f.implicit ? undefined : f.id,
        f.name,
        typeRef(typed.fields[si]![fi]!, st.file),
        st.kind === 'union'
          ? 'default'
          : f.optional
            ? 'optional'
            : s.dialect === 'apache' && fi % 3 === 2
              ? 'default'
              : 'required',
        valued.defaults[si]![fi],
      ),
    );
    const kind = st.kind === 'union' ? 'Union' : st.kind === 'exception' ? 'Exception' : 'Struct';
    const def = { kind, name: st.name, fields, annotations: [], doc: undefined, loc: LOC } as ast.Definition; // prettier-ignore
    defs[st.file]!.push(def);
    if (st.file === 0) structs.push(def);
  });
  plan.consts.forEach((c, i) => {
    if (typed.consts[i]!.k === 'struct') defs[c.file]!.push(constDef(i));
  });
  const exceptions = plan.structs.filter((st) => st.kind === 'exception');
  plan.services.forEach((svc, si) => {
    const functions = svc.functions.map((fn, fi): ast.FunctionDef => {
      const types = typed.functions[si]![fi]!;
      const exc = fn.throws && fn.shape !== 'oneway' ? exceptions[fi % (exceptions.length || 1)] : undefined; // prettier-ignore
      return {
        kind: 'Function',
        name: fn.name,
        oneway: fn.shape === 'oneway',
        returnType: types.ret === undefined ? undefined : typeRef(types.ret, 0),
        parameters: fn.params.map((p, pi) =>
          field(p.implicit ? undefined : p.id, p.name, typeRef(types.params[pi]!, 0), 'default'),
        ),
        exceptions:
          exc === undefined
            ? []
            : [field(1, 'err', named(qualify(exc.name, exc.file, 0)), 'default')],
        annotations: [],
        doc: undefined,
        loc: LOC,
      };
    });
    const parent = si > 0 && s.inheritance ? plan.services[si - 1]!.name : undefined;
    defs[0]!.push(service(svc.name, parent, functions));
  });
  defs[0]!.push(echoService(structs));
  const files: Record<string, ast.Program> = {};
  defs.forEach((ds, f) => {
    if (f > 0 && ds.length === 0) return;
    const includes = defs.flatMap((other, g) =>
      g > f && other.length > 0
        ? [{ kind: 'Include' as const, path: `./${FILE_NAMES[g]!}`, loc: LOC }]
        : [],
    );
    files[FILE_NAMES[f]!] = { kind: 'Program', file: FILE_NAMES[f]!, headers: includes, definitions: ds }; // prettier-ignore
  });
  return { main: FILE_NAMES[0], files, ...(s.dialect === 'apache' ? { dialect: 'apache' as const } : {}) }; // prettier-ignore
}

function generatedArb(s: Settings): fc.Arbitrary<GeneratedIdl> {
  return planArb(s).chain((plan) =>
    typedArb(s, plan).chain((typed) =>
      valuedArb(s, plan, typed).map((valued) => build(s, plan, typed, valued)),
    ),
  );
}

/**
 * Returns an arbitrary of sets of IDL files (see the module comment): the main file
 * (`generated.thrift`, with `Echo`) and up to `maxIncludedFiles` (default 2) files it includes
 * as `./shared.thrift` and `./common.thrift` (shared includes common), whose definitions the main
 * file names as `shared.Foo`. One file only when `features.includes` is false. Never throws.
 */
export function idlArb(options: IdlArbOptions = {}): fc.Arbitrary<GeneratedIdl> {
  return generatedArb(settingsOf(options, true));
}

/**
 * Returns an arbitrary of single IDL ASTs (see the module comment; no includes); print them
 * with the codec's `print`. Never throws.
 */
export function programArb(options: ProgramArbOptions = {}): fc.Arbitrary<ast.Program> {
  return generatedArb(settingsOf(options, false)).map((g) => g.files[g.main]!);
}

/** Prints every file of a generated IDL set: file name → IDL text. Never throws. */
export function printIdl(idl: GeneratedIdl): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, program] of Object.entries(idl.files)) out[name] = print(program);
  return out;
}
