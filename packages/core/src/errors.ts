/**
 * Every failure crossing a package boundary is one of these kinds. `retryable` says
 * whether running the same thing again may succeed (a dropped connection) or not
 * (a wrong password, an unknown table). Messages name the table, the column, the
 * value and the fix; they never contain secrets (see `redactUrl`).
 */
export type SluiceErrorKind =
  | "config" // bad flag, URL, option or combination
  | "connection" // host unreachable, timeout, dropped connection
  | "auth" // wrong user or password, denied access
  | "not_found" // unknown schema, table, bucket, object
  | "no_cursor" // table lacks a column the chosen CDC strategy needs
  | "schema" // source and target shapes disagree
  | "encode" // a value cannot be represented exactly in Parquet
  | "stage" // writing to the lake failed
  | "load" // the warehouse refused the load
  | "conflict" // someone else holds the table's lease or changed the watermark
  | "watermark" // state document unreadable or inconsistent
  | "internal"; // a bug: please report

/**
 * The brand every SluiceError carries. `Symbol.for` returns the same symbol in every
 * copy of @sluice/core loaded into one process (a CLI and a plugin each bundling
 * their own), where `instanceof` would answer false for the other copy's errors.
 */
const brand: unique symbol = Symbol.for("@sluice/core/SluiceError") as never;

/** What `JSON.stringify` prints for an error: no stack, no cause (either may hold secrets). */
export interface SluiceErrorJson {
  readonly name: string;
  readonly kind: SluiceErrorKind;
  readonly retryable: boolean;
  readonly message: string;
}

/**
 * The one error type of sluice (ADR 0023): an `Error`, so it keeps a stack for
 * debugging, with the `kind` and `retryable` that decide exit codes and retries.
 * Returned inside `Result`/`ResultAsync`; thrown only inside a stage that is wrapped
 * once (see ADR 0023). Test with {@link SluiceError.isInstance}, not `instanceof`.
 */
export class SluiceError extends Error {
  readonly kind: SluiceErrorKind;
  readonly retryable: boolean;
  /** The underlying error, for debugging; never printed verbatim to operators. */
  declare readonly cause?: unknown;
  declare readonly message: string;

  constructor(
    kind: SluiceErrorKind,
    message: string,
    options: { retryable?: boolean; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.kind = kind;
    this.retryable = options.retryable ?? kind === "connection";
    Object.defineProperty(this, brand, { value: true });
  }

  /** True for a SluiceError from any copy of @sluice/core (a brand, not `instanceof`). */
  static isInstance(value: unknown): value is SluiceError {
    return typeof value === "object" && value !== null && (value as { [brand]?: unknown })[brand] === true;
  }

  override get name(): string {
    return "SluiceError";
  }

  /**
   * `JSON.stringify(error)` would print `{}` for an Error (message and stack are not
   * enumerable) and every enumerable field otherwise (a cause holding a URL with a
   * password): this prints the operator-facing fields only, secrets redacted.
   */
  toJSON(): SluiceErrorJson {
    return {
      name: this.name,
      kind: this.kind,
      retryable: this.retryable,
      message: redactSecrets(this.message),
    };
  }
}

export function sluiceError(
  kind: SluiceErrorKind,
  message: string,
  options: { retryable?: boolean; cause?: unknown } = {},
): SluiceError {
  const error = new SluiceError(kind, message, options);
  // The stack starts where the error was made, not inside this factory.
  Error.captureStackTrace(error, sluiceError);
  return error;
}

export const configError = (message: string, cause?: unknown): SluiceError =>
  sluiceError("config", message, { cause });

/**
 * The same failure told in other words (a caller adding what it was doing): same
 * kind and retryability, the original kept as the cause.
 */
export function rephrased(error: SluiceError, message: string): SluiceError {
  return new SluiceError(error.kind, message, { retryable: error.retryable, cause: error });
}

/** Type guard usable across packages and across copies of @sluice/core. */
export function isSluiceError(value: unknown): value is SluiceError {
  return SluiceError.isInstance(value);
}

/** Turns anything thrown into a SluiceError, keeping one that already is. */
export function toSluiceError(thrown: unknown, fallback: SluiceErrorKind, context: string): SluiceError {
  if (isSluiceError(thrown)) return thrown;
  const detail = thrown instanceof Error ? thrown.message : String(thrown);
  return new SluiceError(fallback, `${context}: ${redactSecrets(detail)}`, { cause: thrown });
}

/** Removes `user:password@` credentials from any URL embedded in a text. */
export function redactSecrets(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)([^:/@\s]+):([^@\s]*)@/gi, "$1$2:***@");
}
