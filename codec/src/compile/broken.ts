/**
 * Definitions that failed to compile, so that the compiler can go on to find the first error in
 * source order without reporting what follows from an earlier one (a constant of a struct whose
 * fields did not link would otherwise say the struct has no such field).
 */
import { IdlCompileError, IdlSyntaxError } from '../errors.js';

/** Enum and struct specs that did not compile completely (compared by identity). */
export const BROKEN: WeakSet<object> = new WeakSet();

/** Thrown where a check meets a BROKEN spec: the error it would raise follows from another. */
export class Consequence {
  /** @param of the broken spec that was met */
  constructor(readonly of: object) {}
}

/** Throws a Consequence when `spec` is BROKEN; returns nothing otherwise. Never throws else. */
export function checkNotBroken(spec: object): void {
  if (BROKEN.has(spec)) throw new Consequence(spec);
}

/** An error of the IDL itself (as opposed to a bug or a resolver failure that is not wrapped). */
export type IdlError = IdlSyntaxError | IdlCompileError;

/**
 * Collects the IDL errors of one file: `attempt` runs a step and records its IDL error instead
 * of throwing it (a Consequence is dropped); `first` is the earliest in source order.
 */
export class ErrorCollector {
  private readonly errors: IdlError[] = [];

  /** @param file the key of the file being compiled (its errors come before others') */
  constructor(private readonly file: string) {}

  /**
   * Runs `step`; returns true when it finished. An IdlSyntaxError or IdlCompileError it throws
   * is recorded and a Consequence dropped (both return false); anything else is rethrown.
   */
  attempt(step: () => void): boolean {
    try {
      step();
      return true;
    } catch (e) {
      if (e instanceof Consequence) return false;
      if (e instanceof IdlCompileError || e instanceof IdlSyntaxError) {
        this.errors.push(e);
        return false;
      }
      throw e;
    }
  }

  /** The recorded error that comes first in the file (then errors elsewhere), or undefined. */
  first(): IdlError | undefined {
    let best: IdlError | undefined;
    for (const e of this.errors) if (best === undefined || this.before(e, best)) best = e;
    return best;
  }

  /** Whether `a` comes before `b`: errors in this file by line and column, then the others. */
  private before(a: IdlError, b: IdlError): boolean {
    const rank = (e: IdlError): [number, number, number] =>
      e.loc !== undefined && e.loc.file === this.file ? [0, e.loc.line, e.loc.column] : [1, 0, 0];
    const [x, y] = [rank(a), rank(b)];
    return x[0] !== y[0] ? x[0] < y[0] : x[1] !== y[1] ? x[1] < y[1] : x[2] < y[2];
  }
}
