/**
 * The codec's one error hierarchy. Every error has a stable `name`, and where it applies a
 * field `path` (`User.emails[2]`), a byte `offset` into the input, and a source location.
 *
 *   ThriftError
 *   ├── IdlSyntaxError        the text is not Thrift IDL          (file:line:col, caret excerpt)
 *   ├── IdlCompileError       the IDL parses but does not link    (file:line:col)
 *   ├── ValidationError       a value does not fit its type       (path)
 *   └── ProtocolError         bytes cannot be decoded             (offset, path)
 *       ├── EndOfInputError   the bytes stop early
 *       ├── LimitExceededError a length, depth or size passes a limit
 *       └── InvalidDataError  a type code, bool, UTF-8 or envelope that cannot be
 */

/** Where in a source file something is. `line` and `column` are 1-based. */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** Options shared by every ThriftError constructor. */
export interface ThriftErrorOptions {
  readonly cause?: unknown;
}

/** Options of the IDL errors: where the file with the error was included from. */
export interface IdlErrorOptions extends ThriftErrorOptions {
  /**
   * The include headers that led to the file with the error, innermost first (the include of
   * that file, then the include of the file that includes it, ...); empty for the main file.
   */
  readonly includedFrom?: readonly SourceLocation[];
}

/** `\n  included from a.thrift:1:1` for each location, innermost first. */
function includedFromText(chain: readonly SourceLocation[]): string {
  return chain.map((l) => `\n  included from ${formatLocation(l)}`).join('');
}

/** Base class of every error the codec throws on purpose. */
export class ThriftError extends Error {
  override get name(): string {
    return 'ThriftError';
  }
  constructor(message: string, options: ThriftErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
  }
}

/** Formats `file:line:col`. */
export function formatLocation(loc: SourceLocation): string {
  return `${loc.file}:${loc.line}:${loc.column}`;
}

/**
 * The IDL text is not valid Thrift. The message names file:line:col, shows the line with a caret
 * under the column, and says what was expected.
 */
export class IdlSyntaxError extends ThriftError {
  override get name(): string {
    return 'IdlSyntaxError';
  }
  /**
   * @param reason what is wrong and what was expected, e.g. `expected '}' but found 'struct'`
   * @param loc where
   * @param sourceLine the text of the offending line (without its newline), for the caret excerpt
   */
  /** The include headers that led to this file, innermost first (see IdlErrorOptions). */
  readonly includedFrom: readonly SourceLocation[];
  constructor(
    readonly reason: string,
    readonly loc: SourceLocation,
    readonly sourceLine: string = '',
    options: IdlErrorOptions = {},
  ) {
    const chain = options.includedFrom ?? [];
    super(IdlSyntaxError.format(reason, loc, sourceLine) + includedFromText(chain), options);
    this.includedFrom = chain;
  }
  /** Renders `file:line:col: reason` followed by the line and a caret. */
  static format(reason: string, loc: SourceLocation, sourceLine: string): string {
    let text = `${formatLocation(loc)}: ${reason}`;
    if (sourceLine !== '') {
      const prefix = sourceLine.slice(0, Math.max(0, loc.column - 1)).replace(/[^\t]/g, ' ');
      text += `\n  ${sourceLine}\n  ${prefix}^`;
    }
    return text;
  }
}

/**
 * The IDL parses but cannot be compiled: an unknown type, a duplicate name or id, a rule of the
 * dialect. `related` names other locations that matter (the first definition of a duplicate).
 */
export class IdlCompileError extends ThriftError {
  override get name(): string {
    return 'IdlCompileError';
  }
  /** The include headers that led to this file, innermost first (see IdlErrorOptions). */
  readonly includedFrom: readonly SourceLocation[];
  constructor(
    readonly reason: string,
    readonly loc: SourceLocation | undefined,
    readonly related: readonly SourceLocation[] = [],
    options: IdlErrorOptions = {},
  ) {
    const chain = options.includedFrom ?? [];
    super(
      (loc === undefined ? '' : `${formatLocation(loc)}: `) +
        reason +
        related.map((r) => `\n  see ${formatLocation(r)}`).join('') +
        includedFromText(chain),
      options,
    );
    this.includedFrom = chain;
  }
}

/** A value does not fit its Thrift type. `path` names the field, e.g. `User.emails[2]`. */
export class ValidationError extends ThriftError {
  override get name(): string {
    return 'ValidationError';
  }
  constructor(
    readonly path: string,
    readonly reason: string,
    options: ThriftErrorOptions = {},
  ) {
    super(`${path}: ${reason}`, options);
  }
}

/**
 * Bytes cannot be decoded. `offset` is the byte offset into the input where the problem was
 * seen; `path` names the field being decoded (empty at the top level).
 */
export class ProtocolError extends ThriftError {
  override get name(): string {
    return 'ProtocolError';
  }
  constructor(
    readonly reason: string,
    readonly offset: number,
    readonly path: string = '',
    options: ThriftErrorOptions = {},
  ) {
    super(
      `${path === '' ? 'cannot decode' : `cannot decode ${path}`}: ${reason} at byte ${offset}`,
      options,
    );
  }
  /** Returns a copy of this error with `path` set (used as errors unwind through fields). */
  withPath(path: string): ProtocolError {
    const Ctor = this.constructor as new (
      reason: string,
      offset: number,
      path: string,
      options: ThriftErrorOptions,
    ) => ProtocolError;
    return new Ctor(this.reason, this.offset, path, { cause: this.cause });
  }
}

/** The input ends before the value does. */
export class EndOfInputError extends ProtocolError {
  override get name(): string {
    return 'EndOfInputError';
  }
}

/** A length, nesting depth or message size passes a configured limit. */
export class LimitExceededError extends ProtocolError {
  override get name(): string {
    return 'LimitExceededError';
  }
}

/** A type code, bool byte, UTF-8 sequence, envelope header or message type is invalid. */
export class InvalidDataError extends ProtocolError {
  override get name(): string {
    return 'InvalidDataError';
  }
}

/**
 * An envelope names a method the service does not have. Carries what a server needs to answer
 * with TApplicationException UNKNOWN_METHOD: the name, seqid and message type.
 */
export class UnknownMethodError extends InvalidDataError {
  override get name(): string {
    return 'UnknownMethodError';
  }
  /** The method name the envelope gave. */
  methodName = '';
  /** The envelope's seqid. */
  seqid = 0;
  /** The envelope's message type code. */
  messageType = 0;
}
