/**
 * The invalid-input matrix's cases made from one value: from a struct/union/exception type, a
 * valid value and our encoder's bytes for it (binary or compact), bytes that a reader must refuse,
 * must accept (with the value it must read), or where the spec is silent — at any depth: the
 * independent annotator's tree (harness/diff/annotate.ts) names every struct, container and leaf,
 * the edits are made on the wire tree (wire.ts) and written back.
 *
 *   invalidCases(spec, value, bytes, 'binary')
 *   // [{ kind: 'union-two-fields', what: 'union U at S.u with fields a (1) and b (2) both set', … }, …]
 *
 * Volume is bounded: at most `perKind` instances of each kind (spread over the sites), the message
 * cut at every byte position only when it is short (else at `cuts` spread positions).
 */
import { TType } from '../../codec/src/index.js';
import type { FieldSpec, Protocol, StructSpec, TypeSpec } from '../../codec/src/index.js';
import { annotate, spanAt, wireType } from '../diff/annotate.js';
import { toPeerJson } from '../peers/json-values.js';
import type { Json } from '../peers/json-values.js';
import type { SpecRule } from './model.js';
import { KIND_RULES } from './rules.js';
import type { WField, WLeaf, WMap, WNode, WSeq, WStruct } from './wire.js';
import { cloneWire, fromAnnotation, leaf, stringContent, writeWire, zeroValue } from './wire.js';

/** One case: the bytes, what they are, and what a reader must do with them. */
export interface InvalidCase {
  readonly group: string;
  readonly kind: string;
  /** For a person, naming the field path: `union U at S.u with fields a (1) and b (2) both set`. */
  readonly what: string;
  readonly spec: SpecRule;
  readonly specRef: string;
  readonly bytes: Uint8Array;
  /** For `must-accept`: the value a reader must decode (the peers' JSON value encoding). */
  readonly expected?: Json;
  /**
   * For `must-accept` cases that change one leaf: where (a JSON path of field names and list
   * indices) and what it must read as. Absent: the whole value must read as the original.
   */
  readonly expectedAt?: { readonly path: readonly (string | number)[]; readonly value: Json };
  /** The manifest feature whose `false` makes acceptance a reader's documented choice. */
  readonly feature?: string;
}

/** Bounds of {@link invalidCases}. */
export interface InvalidCaseOptions {
  /** Instances of each kind at most (spread over the sites). Default 2. */
  readonly perKind?: number;
  /** Messages at most this long are cut at every byte position. Default 24. */
  readonly cutAll?: number;
  /** Cut positions of a longer message (spread). Default 8. */
  readonly cuts?: number;
}

/** A struct in the tree, with its spec when the IDL names it. */
interface StructSite {
  readonly node: WStruct;
  readonly spec: StructSpec | undefined;
  readonly path: string;
  readonly json: (string | number)[] | undefined;
}
/** A scalar in the tree and how to replace it. */
interface LeafSite {
  readonly node: WLeaf;
  readonly spec: TypeSpec | undefined;
  readonly path: string;
  readonly json: (string | number)[] | undefined;
  /** A compact bool field (its value is in its header: no byte of its own). */
  readonly inHeader: boolean;
  readonly replace: (n: WNode) => void;
}
/** A list, set or map in the tree. */
interface ContainerSite {
  readonly node: WSeq | WMap;
  readonly spec: TypeSpec | undefined;
  readonly path: string;
}
interface Sites {
  readonly structs: StructSite[];
  readonly leaves: LeafSite[];
  readonly containers: ContainerSite[];
}

/** The sites of a wire tree, in a fixed (depth-first, wire) order. */
function collect(root: WStruct, spec: StructSpec, protocol: Protocol): Sites {
  const sites: Sites = { structs: [], leaves: [], containers: [] };
  const visit = (
    n: WNode,
    t: TypeSpec | undefined,
    path: string,
    json: (string | number)[] | undefined,
    replace: (x: WNode) => void,
    inField: boolean,
  ): void => {
    switch (n.k) {
      case 'leaf':
        sites.leaves.push({
          node: n,
          spec: t,
          path,
          json,
          inHeader: protocol === 'compact' && inField && n.ttype === TType.BOOL,
          replace,
        });
        return;
      case 'struct': {
        const st = t?.kind === 'struct' ? t : undefined;
        sites.structs.push({ node: n, spec: st, path, json });
        for (const f of n.fields) {
          const fs = st?.fields.find((x) => x.id === f.id);
          const ft = fs !== undefined && wireType(fs.type) === f.ttype ? fs.type : undefined;
          visit(
            f.value,
            ft,
            `${path}.${fs?.name ?? `#${f.id}`}`,
            json !== undefined && ft !== undefined ? [...json, fs!.name] : undefined,
            (x) => (f.value = x),
            true,
          );
        }
        return;
      }
      case 'list':
      case 'set': {
        sites.containers.push({ node: n, spec: t, path });
        const et =
          (t?.kind === 'list' || t?.kind === 'set') && wireType(t.valueType) === n.elemType
            ? t.valueType
            : undefined;
        n.elems.forEach((e, i) =>
          visit(
            e,
            et,
            `${path}[${i}]`,
            n.k === 'list' && json !== undefined && et !== undefined ? [...json, i] : undefined,
            (x) => (n.elems[i] = x),
            false,
          ),
        );
        return;
      }
      case 'map': {
        sites.containers.push({ node: n, spec: t, path });
        const m = t?.kind === 'map' ? t : undefined;
        const kt = m && wireType(m.keyType) === n.keyType ? m.keyType : undefined;
        const vt = m && wireType(m.valueType) === n.valueType ? m.valueType : undefined;
        n.entries.forEach((e, i) => {
          visit(e.key, kt, `${path}{key ${i}}`, undefined, (x) => (e.key = x), false);
          visit(e.value, vt, `${path}{value ${i}}`, undefined, (x) => (e.value = x), false);
        });
        return;
      }
    }
  };
  visit(root, spec, spec.name, [], () => undefined, false);
  return sites;
}

/** `count` indices spread evenly over `0..n-1` (all of them when n <= count). */
export function spread(n: number, count: number): number[] {
  if (n <= count) return [...Array(n).keys()];
  const out = new Set<number>();
  for (let i = 0; i < count; i++) out.add(Math.floor((i * (n - 1)) / Math.max(1, count - 1)));
  return [...out];
}

/** A field's name and id, for `what`. */
const named = (f: FieldSpec) => `${f.name} (${f.id})`;

/** Sets `value` at `path` in a copy of `json`. Throws when the path is not in it. */
function setAt(json: Json, path: readonly (string | number)[], value: Json): Json {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  if (Array.isArray(json) && typeof head === 'number') {
    const copy = [...json];
    copy[head] = setAt(copy[head]!, rest, value);
    return copy;
  }
  if (typeof json === 'object' && json !== null && !Array.isArray(json) && typeof head === 'string')
    return { ...json, [head]: setAt(json[head]!, rest, value) };
  throw new Error(`no ${String(head)} in the value`);
}

/** An unknown field's value of each kind (valid, nested for the containers and the struct). */
function unknownValue(kind: string, protocol: Protocol): { ttype: number; value: WNode } {
  const i32 = (v: number) => leaf.int(TType.I32, v, protocol);
  switch (kind) {
    case 'bool':
      return { ttype: TType.BOOL, value: leaf.bool(true) };
    case 'byte':
      return { ttype: TType.BYTE, value: leaf.byte(0x7f) };
    case 'i16':
      return { ttype: TType.I16, value: leaf.int(TType.I16, -2, protocol) };
    case 'i32':
      return { ttype: TType.I32, value: i32(123456) };
    case 'i64':
      return { ttype: TType.I64, value: leaf.i64(-5, protocol) };
    case 'double':
      return { ttype: TType.DOUBLE, value: leaf.doubleBits('400921fb54442d18', protocol) };
    case 'string':
      return {
        ttype: TType.STRING,
        value: leaf.string(Uint8Array.from(Buffer.from('skip me')), protocol),
      };
    case 'struct':
      return {
        ttype: TType.STRUCT,
        value: {
          k: 'struct',
          fields: [
            { id: 1, ttype: TType.I32, value: i32(7) },
            {
              id: 2,
              ttype: TType.LIST,
              value: { k: 'list', elemType: TType.STRUCT, elems: [{ k: 'struct', fields: [] }] },
            },
          ],
        },
      };
    case 'list':
      return {
        ttype: TType.LIST,
        value: { k: 'list', elemType: TType.I32, elems: [i32(1), i32(2)] },
      };
    case 'set':
      return {
        ttype: TType.SET,
        value: {
          k: 'set',
          elemType: TType.STRING,
          elems: [leaf.string(Uint8Array.of(0x61), protocol)],
        },
      };
    case 'map':
      return {
        ttype: TType.MAP,
        value: {
          k: 'map',
          keyType: TType.STRING,
          valueType: TType.LIST,
          entries: [
            {
              key: leaf.string(Uint8Array.of(0x6b), protocol),
              value: { k: 'list', elemType: TType.BOOL, elems: [leaf.bool(true)] },
            },
          ],
        },
      };
    default:
      return { ttype: TType.UUID, value: leaf.uuid(0xab) };
  }
}

/** An id no field of `spec` has: 100 above the largest when that fits an i16, else the largest free one. */
export function unusedId(spec: StructSpec): number {
  const used = new Set(spec.fields.map((f) => f.id));
  const max = Math.max(0, ...used);
  if (max + 100 <= 32767) return max + 100;
  let id = 32767;
  while (used.has(id)) id--;
  return id;
}

/**
 * Every case of every kind made from `value` (see the module comment), in a fixed order: kinds in
 * KIND_RULES order, instances by site. `bytes` must be a valid encoding of `value` (a `spec`) in
 * `protocol`; when the annotator cannot read them whole, there are no cases. Never throws.
 */
export function invalidCases(
  spec: StructSpec,
  value: object,
  bytes: Uint8Array,
  protocol: Protocol,
  options: InvalidCaseOptions = {},
): InvalidCase[] {
  const ann = annotate(spec, bytes, { protocol });
  if (ann.root === undefined || ann.malformed !== undefined) return [];
  const root = fromAnnotation(ann.root, bytes, protocol);
  let original: Json;
  try {
    original = toPeerJson(spec, value);
  } catch {
    return [];
  }
  const perKind = options.perKind ?? 2;
  const base = collect(root, spec, protocol);
  const out: InvalidCase[] = [];

  type Edit = (s: Sites) => { what: string; expectedAt?: InvalidCase['expectedAt'] } | undefined;
  /** Makes the case of `kind` from each of `edits` (at most perKind of them, spread). */
  const make = (kind: string, edits: readonly Edit[], limit = perKind) => {
    const rule = KIND_RULES[kind]!;
    for (const i of spread(edits.length, limit)) {
      const tree = cloneWire(root);
      const r = edits[i]!(collect(tree, spec, protocol));
      if (r === undefined) continue;
      let expected: Json | undefined;
      if (rule.spec === 'must-accept') {
        try {
          expected = r.expectedAt
            ? setAt(original, r.expectedAt.path, r.expectedAt.value)
            : original;
        } catch {
          continue;
        }
      }
      out.push({
        group: rule.group,
        kind,
        what: r.what,
        spec: rule.spec,
        specRef: rule.specRef,
        bytes: writeWire(tree, protocol),
        ...(expected !== undefined ? { expected } : {}),
        ...(r.expectedAt ? { expectedAt: r.expectedAt } : {}),
        ...(rule.feature !== undefined ? { feature: rule.feature } : {}),
      });
    }
  };
  /** One edit per struct site that `pick` accepts; `edit` gets the same site in the copy. */
  const perStruct = (
    pick: (s: StructSite) => boolean,
    edit: (s: StructSite) => ReturnType<Edit>,
  ): Edit[] => base.structs.flatMap((s, i) => (pick(s) ? [(c: Sites) => edit(c.structs[i]!)] : []));
  const perLeaf = (
    pick: (s: LeafSite) => boolean,
    edit: (s: LeafSite) => ReturnType<Edit>,
  ): Edit[] => base.leaves.flatMap((s, i) => (pick(s) ? [(c: Sites) => edit(c.leaves[i]!)] : []));
  const perContainer = (
    pick: (s: ContainerSite) => boolean,
    edit: (s: ContainerSite) => ReturnType<Edit>,
  ): Edit[] =>
    base.containers.flatMap((s, i) => (pick(s) ? [(c: Sites) => edit(c.containers[i]!)] : []));
  const present = (s: StructSite, f: FieldSpec) => s.node.fields.some((x) => x.id === f.id);
  /** One edit per field of the IDL that is on the wire (and that `pick` accepts), at every struct. */
  const perField = (
    pick: (s: StructSite, f: FieldSpec) => boolean,
    edit: (s: StructSite, f: FieldSpec, x: WField) => ReturnType<Edit>,
  ): Edit[] =>
    base.structs.flatMap((s, i) =>
      (s.spec?.fields ?? [])
        .filter((f) => present(s, f) && pick(s, f))
        .map((f) => (c: Sites) => {
          const t = c.structs[i]!;
          return edit(
            t,
            f,
            t.node.fields.find((y) => y.id === f.id)!,
          );
        }),
    );

  // Unions.
  const isUnion = (s: StructSite) => s.spec?.variant === 'union';
  make(
    'union-empty',
    perStruct(
      (s) => isUnion(s) && s.node.fields.length > 0,
      (s) => {
        s.node.fields = [];
        return { what: `union ${s.spec!.name} at ${s.path} with no field set` };
      },
    ),
  );
  make(
    'union-two-fields',
    perStruct(
      (s) => isUnion(s) && s.node.fields.length === 1,
      (s) => {
        const set = s.spec!.fields.find((f) => f.id === s.node.fields[0]!.id);
        for (const f of s.spec!.fields) {
          if (f.id === s.node.fields[0]!.id) continue;
          const v = zeroValue(f.type, protocol);
          if (v === undefined) continue;
          s.node.fields.push({ id: f.id, ttype: wireType(f.type), value: v });
          s.node.fields.sort((a, b) => a.id - b.id);
          return {
            what: `union ${s.spec!.name} at ${s.path} with fields ${set ? named(set) : `#${s.node.fields[0]!.id}`} and ${named(f)} both set`,
          };
        }
        return undefined;
      },
    ),
  );

  // Required fields.
  for (const [kind, withDefault] of [
    ['required-missing', false],
    ['required-missing-default', true],
  ] as const) {
    make(
      kind,
      perField(
        (s, f) =>
          s.spec!.variant !== 'union' &&
          f.requiredness === 'required' &&
          (f.defaultValue !== undefined) === withDefault,
        (t, f) => {
          t.node.fields = t.node.fields.filter((x) => x.id !== f.id);
          return {
            what: `${t.spec!.name} at ${t.path} without its required field ${named(f)}${withDefault ? ', which has a default' : ''}`,
          };
        },
      ),
    );
  }

  // Wire types: a known field with another type; containers with other element types; unknown fields.
  make(
    'field-wrong-type',
    perField(
      () => true,
      (t, f, x) => {
        const asString = x.ttype !== TType.STRING;
        x.ttype = asString ? TType.STRING : TType.I32;
        x.value = asString
          ? leaf.string(Uint8Array.of(0x78), protocol)
          : leaf.int(TType.I32, 1, protocol);
        return {
          what: `field ${named(f)} of ${t.spec!.name} at ${t.path} arriving as ${asString ? 'a string' : 'an i32'} (the IDL says ${f.type.kind === 'struct' || f.type.kind === 'enum' ? f.type.name : f.type.kind})`,
        };
      },
    ),
  );
  const other = (t: number) => (t === TType.STRING ? TType.I32 : TType.STRING);
  const otherValue = (t: number): WNode =>
    t === TType.STRING
      ? leaf.string(Uint8Array.of(0x78), protocol)
      : leaf.int(TType.I32, 1, protocol);
  make(
    'list-elem-type',
    perContainer(
      (s) => s.node.k !== 'map' && s.node.elems.length > 0,
      (s) => {
        const n = s.node as WSeq;
        const was = n.elemType;
        n.elemType = other(was);
        delete n.compactCode;
        n.elems = n.elems.map(() => otherValue(n.elemType));
        return {
          what: `${n.k} at ${s.path} whose ${n.elems.length} elements arrive as ${n.elemType === TType.STRING ? 'strings' : 'i32s'} (the IDL's type code is ${was})`,
        };
      },
    ),
  );
  make(
    'map-key-type',
    perContainer(
      (s) => s.node.k === 'map' && s.node.entries.length > 0,
      (s) => {
        const n = s.node as WMap;
        const was = n.keyType;
        n.keyType = other(was);
        n.entries = [{ key: otherValue(n.keyType), value: n.entries[0]!.value }];
        return {
          what: `map at ${s.path} with one entry whose key arrives as ${n.keyType === TType.STRING ? 'a string' : 'an i32'} (the IDL's key type code is ${was})`,
        };
      },
    ),
  );
  for (const t of [
    'bool',
    'byte',
    'i16',
    'i32',
    'i64',
    'double',
    'string',
    'struct',
    'list',
    'set',
    'map',
    'uuid',
  ])
    make(
      `unknown-field-${t}`,
      // Not in a union: a union with an unknown field and its own is two fields (at most 1).
      perStruct(
        (s) => s.spec !== undefined && s.spec.variant !== 'union',
        (s) => {
          const id = unusedId(s.spec!);
          const u = unknownValue(t, protocol);
          const field: WField = { id, ttype: u.ttype, value: u.value };
          // In the middle of the fields when there are some (a reader must go on after it).
          s.node.fields.splice(Math.ceil(s.node.fields.length / 2), 0, field);
          return { what: `an unknown ${t} field (id ${id}) in ${s.spec!.name} at ${s.path}` };
        },
      ),
    );

  // The same field twice; fields in reverse order.
  make(
    'field-twice',
    perField(
      () => true,
      (t, f, x) => {
        const v = wireType(f.type) === x.ttype ? zeroValue(f.type, protocol) : undefined;
        t.node.fields.push({ id: x.id, ttype: x.ttype, value: v ?? cloneWire(x.value) });
        return {
          what: `field ${named(f)} of ${t.spec!.name} at ${t.path} twice (${v ? 'the second time with the smallest value of its type' : 'the same value again'})`,
        };
      },
    ),
  );
  make(
    'reverse-order',
    perStruct(
      (s) => s.node.fields.length >= 2,
      (s) => {
        s.node.fields.reverse();
        return {
          what: `the ${s.node.fields.length} fields of ${s.spec?.name ?? 'a struct'} at ${s.path} in reverse order (ids ${s.node.fields.map((f) => f.id).join(', ')})`,
        };
      },
    ),
  );

  // Lengths and counts.
  const isStr = (s: LeafSite) => s.node.ttype === TType.STRING;
  const lengthCase = (kind: string, length: (content: Uint8Array) => number, how: string) =>
    make(
      kind,
      perLeaf(isStr, (s) => {
        const content = stringContent(s.node, protocol)!;
        s.replace(leaf.string(content, protocol, length(content)));
        return { what: `${s.spec?.kind ?? 'string'} at ${s.path} with ${how}` };
      }),
    );
  lengthCase('string-length-negative', () => -1, 'length -1');
  lengthCase(
    'string-length-past-end',
    (c) => c.length + bytes.length + 8,
    `a length past the end of the message (${bytes.length} bytes)`,
  );
  lengthCase('string-length-huge', () => 0x7fffffff, 'length 2147483647');
  for (const [kind, size] of [
    ['container-size-negative', -1],
    ['container-size-huge', 0x7fffffff],
  ] as const)
    make(
      kind,
      perContainer(
        () => true,
        (s) => {
          s.node.size = size;
          const n = s.node.k === 'map' ? s.node.entries.length : s.node.elems.length;
          return { what: `${s.node.k} at ${s.path} whose header says ${size} for its ${n}` };
        },
      ),
    );
  {
    const positions =
      bytes.length <= (options.cutAll ?? 24)
        ? [...Array(bytes.length).keys()]
        : spread(bytes.length, options.cuts ?? 8);
    const rule = KIND_RULES.truncated!;
    for (const p of positions) {
      const at = spanAt(ann, p);
      out.push({
        group: rule.group,
        kind: 'truncated',
        what: `the ${bytes.length}-byte message cut to its first ${p} bytes (inside ${at?.path ?? spec.name}: ${at?.meaning ?? 'the end'})`,
        spec: rule.spec,
        specRef: rule.specRef,
        bytes: bytes.slice(0, p),
      });
    }
  }

  // Values at the edges.
  const isKind = (s: LeafSite, ...kinds: string[]) =>
    s.spec !== undefined && kinds.includes(s.spec.kind);
  for (const [kind, content, how] of [
    ['string-invalid-utf8', [0x61, 0xff, 0xfe], 'invalid UTF-8 (61 FF FE)'],
    ['string-lone-surrogate', [0xed, 0xa0, 0x80], 'an encoded lone surrogate U+D800 (ED A0 80)'],
  ] as const)
    make(
      kind,
      perLeaf(
        (s) => isKind(s, 'string'),
        (s) => {
          s.replace(leaf.string(Uint8Array.from(content), protocol));
          return { what: `string at ${s.path} holding ${how}` };
        },
      ),
    );
  make(
    'bool-byte-2',
    perLeaf(
      (s) => protocol === 'binary' && s.node.ttype === TType.BOOL,
      (s) => {
        s.replace(leaf.bool(2));
        return { what: `bool at ${s.path} as byte 02` };
      },
    ),
  );
  make(
    'enum-undeclared',
    perLeaf(
      (s) => s.spec?.kind === 'enum',
      (s) => {
        const e = s.spec as Extract<TypeSpec, { kind: 'enum' }>;
        const v = Math.max(0, ...e.items.map((x) => x.value)) + 1000;
        s.replace(leaf.int(TType.I32, v, protocol));
        return { what: `enum ${e.name} at ${s.path} holding ${v}, which it does not declare` };
      },
    ),
  );
  const reachable = (s: LeafSite) => s.json !== undefined;
  make(
    'i8-sign',
    perLeaf(
      (s) => isKind(s, 'byte') && reachable(s),
      (s) => {
        s.replace(leaf.byte(0xff));
        return {
          what: `i8 at ${s.path} as byte FF (-1)`,
          expectedAt: { path: s.json!, value: -1 },
        };
      },
    ),
  );
  if (protocol === 'binary')
    make(
      'i16-sign',
      perLeaf(
        (s) => isKind(s, 'i16') && reachable(s),
        (s) => {
          s.replace(leaf.i16Raw(0xff, 0xff));
          return {
            what: `i16 at ${s.path} as bytes FF FF (-1)`,
            expectedAt: { path: s.json!, value: -1 },
          };
        },
      ),
    );
  for (const [kind, bits, value, how] of [
    ['double-negative-zero', '8000000000000000', { $double: '-0' }, '-0.0'],
    [
      'double-nan-payload',
      '7ff0000000000001',
      { $double: 'NaN' },
      'a NaN with payload 1 (7FF0000000000001)',
    ],
  ] as const)
    make(
      kind,
      perLeaf(
        (s) => isKind(s, 'double') && reachable(s),
        (s) => {
          s.replace(leaf.doubleBits(bits, protocol));
          return { what: `double at ${s.path} as ${how}`, expectedAt: { path: s.json!, value } };
        },
      ),
    );
  make(
    'set-duplicate',
    perContainer(
      (s) => s.node.k === 'set' && s.node.elems.length > 0,
      (s) => {
        const n = s.node as WSeq;
        n.elems.push(cloneWire(n.elems[0]!));
        return { what: `set at ${s.path} with its first element twice` };
      },
    ),
  );
  make(
    'map-duplicate-key',
    perContainer(
      (s) => s.node.k === 'map' && s.node.entries.length > 0,
      (s) => {
        const n = s.node as WMap;
        const m = s.spec?.kind === 'map' ? s.spec : undefined;
        const v =
          m && wireType(m.valueType) === n.valueType ? zeroValue(m.valueType, protocol) : undefined;
        n.entries.push({
          key: cloneWire(n.entries[0]!.key),
          value: v ?? cloneWire(n.entries[0]!.value),
        });
        return {
          what: `map at ${s.path} with its first key twice (${v ? 'the second time with the smallest value of its type' : 'the same value again'})`,
        };
      },
    ),
  );
  return out;
}

/**
 * Picks at most `count` of `cases` for one value: each from another group (rotating from
 * `offset` through the groups present), the kind inside the group and the instance rotated too, so
 * that a run's values cover every kind evenly. Never throws.
 */
export function pickCases(
  cases: readonly InvalidCase[],
  count: number,
  offset: number,
): InvalidCase[] {
  const groups = new Map<string, Map<string, InvalidCase[]>>();
  for (const c of cases) {
    const kinds = groups.get(c.group) ?? new Map<string, InvalidCase[]>();
    groups.set(c.group, kinds);
    const list = kinds.get(c.kind) ?? [];
    list.push(c);
    kinds.set(c.kind, list);
  }
  const names = [...groups.keys()];
  const out: InvalidCase[] = [];
  const turn = Math.floor(offset / 7);
  for (let j = 0; j < Math.min(count, names.length); j++) {
    const kinds = [...groups.get(names[(offset + j) % names.length]!)!.values()];
    const list = kinds[turn % kinds.length]!;
    out.push(list[Math.floor(turn / kinds.length) % list.length]!);
  }
  return out;
}
