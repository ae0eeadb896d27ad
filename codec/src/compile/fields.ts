/**
 * Links field lists (of structs, unions, exceptions, and of functions' parameters and
 * exceptions): ids, requiredness, types and annotations now; default values later, once every
 * struct's fields are known (a default may be a struct constant).
 */
import { IdlCompileError, formatLocation } from '../errors.js';
import type { SourceLocation } from '../errors.js';
import type * as A from '../idl/ast.js';
import type { ConstValueSpec, FieldSpec, StructSpec, TypeSpec } from '../schema/spec.js';
import { ImplicitIds, apacheOnly, describeField, fieldId, fieldRequiredness } from './dialects.js';
import type { DialectRules, FieldOwner } from './dialects.js';
import type { TypeLinker } from './types.js';

/** What linking fields needs. */
export interface FieldContext {
  readonly rules: DialectRules;
  readonly types: TypeLinker;
  /** Defaults to evaluate once all fields are linked. */
  readonly pending: PendingDefault[];
  /** Reports a warning (see IdlWarning). */
  readonly warn: (reason: string, loc: SourceLocation) => void;
}

/**
 * Field names that would hide a method every generated class has (`john.toPrimitive()`,
 * `User.fromPrimitive({...})`), with what they clash with. thriftrw-python refuses such IDL too
 * (a field named `to_primitive` or `from_primitive` fails to load: "'to_primitive' in __slots__
 * conflicts with class variable").
 */
export const METHOD_NAMES: ReadonlyMap<string, string> = new Map([
  ['toPrimitive', 'the toPrimitive() method of every generated struct, union and exception'],
  ['fromPrimitive', 'the static fromPrimitive() of every generated struct, union and exception'],
]);

/** Checks the Apache-only markers of `f` (`&`, `xsd_*`) against the dialect; warns of `xsd_*`. */
function checkMarkers(f: A.Field, what: string, ctx: FieldContext): void {
  if (f.reference === true) apacheOnly(`'&' (a reference field: ${what})`, ctx.rules, f.loc);
  const xsd = [
    ...(f.xsdOptional === true ? ['xsd_optional'] : []),
    ...(f.xsdNillable === true ? ['xsd_nillable'] : []),
    ...(f.xsdAttrs === undefined ? [] : ['xsd_attrs']),
  ];
  if (xsd.length === 0) return;
  const words = xsd.map((x) => `'${x}'`).join(', ');
  apacheOnly(`${words} (on ${what})`, ctx.rules, f.loc);
  ctx.warn(
    `${words} on ${what} ${xsd.length === 1 ? 'is' : 'are'} ignored: only Apache's XSD ` +
      `generator reads ${xsd.length === 1 ? 'it' : 'them'}, and 'xsd_optional' does not make a ` +
      `field optional. Please remove ${xsd.length === 1 ? 'it' : 'them'} (write 'optional' for ` +
      `an optional field)`,
    f.loc,
  );
}

/** A field default waiting to be evaluated: `struct.fields[index]` gets `value`. */
export interface PendingDefault {
  readonly struct: StructSpec;
  readonly index: number;
  readonly value: A.ConstValue;
}

/**
 * The default of a field whose default is written but not evaluated yet (compared by identity).
 * It lets struct constants see that a required field has a default before defaults are linked.
 */
export const PENDING_DEFAULT: ConstValueSpec = { kind: 'scalar', value: false };

/** `struct 'User'`, `the parameters of function 'KeyValue.get'`, ... */
export function describeOwner(owner: FieldOwner): string {
  switch (owner.kind) {
    case 'parameter':
      return `the parameters of function '${owner.name}'`;
    case 'throws':
      return `the response of function '${owner.name}'`;
    default:
      return `${owner.kind} '${owner.name}'`;
  }
}

/** Converts annotations to a name → value map (a repeated name keeps its last value). */
export function annotationMap(annotations: A.Annotations): Map<string, string | undefined> {
  return new Map(annotations.map((a) => [a.name, a.value]));
}

/**
 * Links `fields` into `struct.fields` (after `leading`, e.g. a response's `success` field),
 * checking the dialect's rules, and queues their defaults on `ctx.pending`. Throws
 * IdlCompileError for a bad id or requiredness, a default where none is allowed, an unknown
 * type, or a duplicate id or name.
 */
export function linkFields(
  struct: StructSpec,
  owner: FieldOwner,
  fields: readonly A.Field[],
  ctx: FieldContext,
  leading: readonly FieldSpec[] = [],
): void {
  const implicit = new ImplicitIds();
  const out: FieldSpec[] = [...leading];
  for (const f of fields) {
    const clash = METHOD_NAMES.get(f.name);
    if (clash !== undefined) {
      throw new IdlCompileError(
        `${describeField(owner, f.name)} has the name of ${clash}, which the field would hide ` +
          `(thriftrw-python refuses such a field too). Please rename the field`,
        f.loc,
      );
    }
    checkMarkers(f, describeField(owner, f.name), ctx);
    const id = fieldId(f, owner, ctx.rules, implicit);
    const requiredness = fieldRequiredness(f, owner, ctx.rules);
    if (f.defaultValue !== undefined && (owner.kind === 'union' || owner.kind === 'throws')) {
      const kind = owner.kind === 'union' ? 'union fields' : "a function's exceptions";
      throw new IdlCompileError(
        `${describeField(owner, f.name)} has a default value, but ${kind} cannot have one. ` +
          `Please remove the default value`,
        f.defaultValue.loc,
      );
    }
    if (f.defaultValue !== undefined) {
      ctx.pending.push({ struct, index: out.length, value: f.defaultValue });
    }
    out.push({
      id,
      name: f.name,
      type: ctx.types.resolve(f.type),
      requiredness,
      defaultValue: f.defaultValue === undefined ? undefined : PENDING_DEFAULT,
      annotations: annotationMap(f.annotations),
      loc: f.loc,
    });
  }
  checkUnique(out, owner);
  struct.fields = out;
}

/** Throws IdlCompileError (with the first one as `related`) for a repeated field id or name. */
export function checkUnique(fields: readonly FieldSpec[], owner: FieldOwner): void {
  const ids = new Map<number, FieldSpec>();
  const names = new Map<string, FieldSpec>();
  for (const f of fields) {
    const sameName = names.get(f.name);
    if (sameName !== undefined) {
      throw new IdlCompileError(
        `duplicate field name '${f.name}' in ${describeOwner(owner)} (first at ` +
          `${formatLocation(sameName.loc)}). Please rename one of them`,
        f.loc,
        [sameName.loc],
      );
    }
    const sameId = ids.get(f.id);
    if (sameId !== undefined) {
      throw new IdlCompileError(
        `duplicate field id ${f.id} in ${describeOwner(owner)}: '${f.name}' and '${sameId.name}' ` +
          `(at ${formatLocation(sameId.loc)}). Please give '${f.name}' an unused id`,
        f.loc,
        [sameId.loc],
      );
    }
    names.set(f.name, f);
    ids.set(f.id, f);
  }
}

/**
 * Evaluates every queued default with `evaluate` (the value typed against the field's type) and
 * stores it in its field.
 */
export function applyDefaults(
  pending: readonly PendingDefault[],
  evaluate: (value: A.ConstValue, type: TypeSpec) => ConstValueSpec,
): void {
  for (const p of pending) {
    const fields = [...p.struct.fields];
    const field = fields[p.index];
    if (field === undefined) continue;
    fields[p.index] = { ...field, defaultValue: evaluate(p.value, field.type) };
    p.struct.fields = fields;
  }
}

/**
 * Throws IdlCompileError when building a default never ends: the default of `S.f` is a struct
 * constant that leaves a field with a default unset, whose default leaves ... `S.f` unset again
 * (`struct S { 1: optional S next = {} }`). Building `new S()` would then recurse without end.
 * Linear in the size of the defaults: a graph from each defaulted field to the defaulted fields
 * its default leaves unset, searched for a cycle with an explicit stack.
 */
export function checkDefaultCycles(pending: readonly PendingDefault[]): void {
  const edges = new Map<FieldSpec, FieldSpec[]>();
  const owner = new Map<FieldSpec, StructSpec>();
  const out = (f: FieldSpec): FieldSpec[] => {
    let list = edges.get(f);
    if (list !== undefined) return list;
    list = [];
    edges.set(f, list);
    const seen = new Set<ConstValueSpec>();
    const todo: ConstValueSpec[] = f.defaultValue === undefined ? [] : [f.defaultValue];
    while (todo.length > 0) {
      const c = todo.pop()!;
      if (seen.has(c)) continue;
      seen.add(c);
      if (c.kind === 'list') todo.push(...c.values);
      else if (c.kind === 'map') for (const [k, v] of c.entries) todo.push(k, v);
      else if (c.kind === 'struct') {
        const given = new Set(c.fields.map(([name]) => name));
        for (const [, v] of c.fields) todo.push(v);
        if (c.spec.variant === 'union') continue;
        for (const g of c.spec.fields) {
          if (g.defaultValue !== undefined && !given.has(g.name)) {
            list.push(g);
            owner.set(g, c.spec);
          }
        }
      }
    }
    return list;
  };
  const state = new Map<FieldSpec, 'open' | 'done'>();
  for (const p of pending) {
    const start = p.struct.fields[p.index];
    if (start === undefined || state.has(start)) continue;
    owner.set(start, p.struct);
    const path: FieldSpec[] = [];
    const stack: { field: FieldSpec; next: number }[] = [];
    const enter = (f: FieldSpec): void => {
      state.set(f, 'open');
      path.push(f);
      stack.push({ field: f, next: 0 });
    };
    enter(start);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const next = out(top.field)[top.next++];
      if (next === undefined) {
        state.set(top.field, 'done');
        stack.pop();
        path.pop();
        continue;
      }
      const s = state.get(next);
      if (s === 'done') continue;
      if (s === 'open') {
        const cycle = [...path.slice(path.indexOf(next)), next];
        const name = (f: FieldSpec) => `${owner.get(f)?.name ?? '?'}.${f.name}`;
        throw new IdlCompileError(
          `the default of ${name(next)} never finishes building: ${cycle.map(name).join(' -> ')} ` +
            `(each default leaves the next field unset, so its own default applies). Please set ` +
            `that field in the constant, or remove one of these defaults`,
          next.loc,
          cycle.slice(1, -1).map((f) => f.loc),
        );
      }
      enter(next);
    }
  }
}
