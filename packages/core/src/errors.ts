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

export interface SluiceError {
  readonly kind: SluiceErrorKind;
  readonly retryable: boolean;
  readonly message: string;
  /** The underlying error, for debugging; never printed verbatim to operators. */
  readonly cause?: unknown;
}

export function sluiceError(
  kind: SluiceErrorKind,
  message: string,
  options: { retryable?: boolean; cause?: unknown } = {},
): SluiceError {
  return { kind, message, retryable: options.retryable ?? kind === "connection", cause: options.cause };
}

export const configError = (message: string, cause?: unknown): SluiceError =>
  sluiceError("config", message, { cause });

/** Type guard usable across packages (no `instanceof`). */
export function isSluiceError(value: unknown): value is SluiceError {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { kind?: unknown }).kind === "string" &&
    typeof (value as { message?: unknown }).message === "string" &&
    typeof (value as { retryable?: unknown }).retryable === "boolean"
  );
}

/** Turns anything thrown into a SluiceError, keeping one that already is. */
export function toSluiceError(thrown: unknown, fallback: SluiceErrorKind, context: string): SluiceError {
  if (isSluiceError(thrown)) return thrown;
  const detail = thrown instanceof Error ? thrown.message : String(thrown);
  return sluiceError(fallback, `${context}: ${redactSecrets(detail)}`, { cause: thrown });
}

/** Removes `user:password@` credentials from any URL embedded in a text. */
export function redactSecrets(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)([^:/@\s]+):([^@\s]*)@/gi, "$1$2:***@");
}
