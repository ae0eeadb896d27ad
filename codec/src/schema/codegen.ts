/**
 * A small helper for compiling specialised functions with `new Function`: generated code names
 * outside values (`$3`) that are bound once as closure constants, so hot code reads locals, not
 * an array or a map. Used to compile validators, encoders and decoders once per type.
 */
export class CodeGen {
  private readonly refs: unknown[] = [];
  private readonly refNames = new Map<unknown, string>();
  private counter = 0;

  /** Returns the identifier bound to `value` in the generated code (one per distinct value). */
  ref(value: unknown): string {
    let name = this.refNames.get(value);
    if (name === undefined) {
      name = `$${this.refs.length}`;
      this.refs.push(value);
      this.refNames.set(value, name);
    }
    return name;
  }

  /** Returns a fresh local variable name with the given prefix. */
  local(prefix = 'v'): string {
    return `${prefix}${this.counter++}`;
  }

  /**
   * Compiles `body` (which must `return` a function) with every `ref` bound, and returns what
   * it returns. Throws SyntaxError when the generated code is malformed (a codec bug).
   */
  compile<T>(body: string): T {
    const names = this.refs.map((_, i) => `$${i}`);
    const factory = new Function(
      '$refs',
      `'use strict';\nconst [${names.join(', ')}] = $refs;\n${body}`,
    ) as (refs: unknown[]) => T;
    return factory(this.refs);
  }
}

/** A JS string literal for `s` (safe to embed in generated code). */
export function lit(s: string): string {
  return JSON.stringify(s);
}

/** A property access for field `name` on `obj`: `o.name` when it is an identifier, else `o["name"]`. */
export function prop(obj: string, name: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(name) ? `${obj}.${name}` : `${obj}[${lit(name)}]`;
}
