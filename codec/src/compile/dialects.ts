/**
 * The rules that differ between the `thriftrw` and `apache` dialects (field ids, requiredness),
 * and the rules both share for union and function fields.
 */
import { IdlCompileError } from '../errors.js';
import type { SourceLocation } from '../errors.js';
import type * as A from '../idl/ast.js';
import type { FieldRequiredness } from '../schema/spec.js';
import type { Dialect } from './index.js';

/** How a dialect treats fields. */
export interface DialectRules {
  readonly name: Dialect;
  /** Struct and exception fields must say `required` or `optional`. */
  readonly explicitRequiredness: boolean;
  /** Every field needs an id (otherwise: implicit ids -1, -2, ... per field list). */
  readonly explicitIds: boolean;
  /** The smallest id a field may be given explicitly. */
  readonly minFieldId: number;
  /**
   * Apache 0.17's leniencies: `&` on fields, `xsd_*` markers, `async`, a oneway function with a
   * return type, `{}` and `[]` for any empty container, an included enum's item as `mod.ITEM`.
   */
  readonly apacheSyntax: boolean;
}

// prettier-ignore
const DIALECTS: Readonly<Record<Dialect, DialectRules>> = {
  thriftrw: {
    name: 'thriftrw', explicitRequiredness: true, explicitIds: true, minFieldId: 1,
    apacheSyntax: false,
  },
  apache: {
    name: 'apache', explicitRequiredness: false, explicitIds: false, minFieldId: -32768,
    apacheSyntax: true,
  },
};

/**
 * Throws IdlCompileError at `loc` when `rules` is not the apache dialect: `construct` (such as
 * `'&' (a reference field)`) is syntax that Apache's compiler accepts and thriftrw refuses.
 */
export function apacheOnly(construct: string, rules: DialectRules, loc: SourceLocation): void {
  if (rules.apacheSyntax) return;
  throw new IdlCompileError(
    `${construct} is Apache Thrift syntax that thriftrw does not accept (the ${rules.name} ` +
      `dialect). Please remove it, or load the file with the 'apache' dialect`,
    loc,
  );
}

/** The rules of `dialect` (default `thriftrw`); throws IdlCompileError for an unknown dialect. */
export function dialectRules(dialect: Dialect | undefined): DialectRules {
  const rules = DIALECTS[dialect ?? 'thriftrw'] as DialectRules | undefined;
  if (rules === undefined) {
    throw new IdlCompileError(
      `unknown dialect '${String(dialect)}'; please use 'thriftrw' or 'apache'`,
      undefined,
    );
  }
  return rules;
}

/** What owns a list of fields. */
export type FieldOwnerKind = 'struct' | 'union' | 'exception' | 'parameter' | 'throws';

/** A field list's owner: a struct-like type, or a function's parameters or exceptions. */
export interface FieldOwner {
  readonly kind: FieldOwnerKind;
  /** The struct name, or `Service.function` for parameters and exceptions. */
  readonly name: string;
}

/** `field 'x' of struct 'User'`, `parameter 'k' of function 'KeyValue.get'`, ... */
export function describeField(owner: FieldOwner, field: string): string {
  switch (owner.kind) {
    case 'parameter':
      return `parameter '${field}' of function '${owner.name}'`;
    case 'throws':
      return `exception '${field}' of function '${owner.name}'`;
    default:
      return `field '${field}' of ${owner.kind} '${owner.name}'`;
  }
}

/** Hands out Apache's implicit field ids (-1, -2, ...) within one field list. */
export class ImplicitIds {
  private next = -1;
  /** The next implicit id. */
  take(): number {
    return this.next--;
  }
}

/**
 * The id of `field`: the explicit one (checked against the dialect's range) or, where the
 * dialect allows it, the next implicit one. Throws IdlCompileError with a fix otherwise.
 */
export function fieldId(
  field: A.Field,
  owner: FieldOwner,
  rules: DialectRules,
  implicit: ImplicitIds,
): number {
  const what = describeField(owner, field.name);
  if (field.id === undefined) {
    if (!rules.explicitIds) return implicit.take();
    throw new IdlCompileError(
      `${what} has no id (the ${rules.name} dialect needs explicit ids). ` +
        `Please give the field an id from ${rules.minFieldId} to 32767`,
      field.loc,
    );
  }
  if (field.id < rules.minFieldId || field.id > 32767) {
    const range = `${rules.minFieldId} to 32767`;
    throw new IdlCompileError(
      `${what} has id ${field.id}, outside ${range} (the ${rules.name} dialect). ` +
        `Please give the field an id from ${range}`,
      field.loc,
    );
  }
  return field.id;
}

/**
 * The requiredness of `field`: struct and exception fields as written (the thriftrw dialect
 * demands `required` or `optional`); union fields are `optional` and may not be `required`;
 * parameters as written; a function's exceptions are always `optional`.
 */
export function fieldRequiredness(
  field: A.Field,
  owner: FieldOwner,
  rules: DialectRules,
): FieldRequiredness {
  switch (owner.kind) {
    case 'struct':
    case 'exception':
      if (field.requiredness === 'default' && rules.explicitRequiredness) {
        throw new IdlCompileError(
          `${describeField(owner, field.name)} is neither required nor optional (the ` +
            `${rules.name} dialect needs one). Please mark the field '${field.name}' of ` +
            `${owner.kind} '${owner.name}' as required or optional`,
          field.loc,
        );
      }
      return field.requiredness;
    case 'union':
      if (field.requiredness === 'required') {
        throw new IdlCompileError(
          `${describeField(owner, field.name)} is required, but union fields cannot be. ` +
            `Please remove 'required' from the field '${field.name}' of union '${owner.name}'`,
          field.loc,
        );
      }
      return 'optional';
    case 'parameter':
      return field.requiredness;
    case 'throws':
      return 'optional';
  }
}
