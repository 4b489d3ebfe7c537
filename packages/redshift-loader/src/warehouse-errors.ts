import { redactSecrets, type SluiceError, type SluiceErrorKind, sluiceError } from "@sluice/core";

interface DriverError {
  code?: string;
  message?: string;
  detail?: string;
  hint?: string;
}

const connectionCodes = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
]);

/**
 * SQLSTATEs that a repeat of the same transaction may not meet again: serialization
 * failure, deadlock, lock not available, too many connections, server starting up.
 */
const transientStates = new Set(["40001", "40P01", "55P03", "53300", "57P03"]);

/** Classifies a pg / Redshift failure by SQLSTATE or socket code. */
export function warehouseErrorKind(thrown: unknown, fallback: SluiceErrorKind): SluiceErrorKind {
  const code = (thrown as DriverError | null)?.code ?? "";
  const message = (thrown as DriverError | null)?.message ?? String(thrown);
  if (code === "28P01" || code === "28000" || code === "42501") return "auth";
  if (code === "3D000" || code === "42P01" || code === "3F000") return "not_found";
  if (code.startsWith("08") || code === "57P01" || connectionCodes.has(code)) return "connection";
  if (/timeout|terminated unexpectedly|Connection terminated/i.test(message)) return "connection";
  return fallback;
}

/** Known fixes, by SQLSTATE, appended to the message. */
function fixFor(code: string | undefined): string {
  switch (code) {
    case "28P01":
    case "28000":
      return "; check the user and password in the target URL";
    case "42501":
      return "; grant the loader user CREATE and USAGE on the target and ledger schemas";
    case "3D000":
      return "; create the database or fix its name in the target URL";
    case "22P02":
    case "22007":
    case "22008":
    case "22003":
      return "; a value does not fit the target column type: compare the target table with the source (sluice creates it from the source types)";
    case "23505":
      return "; the load ledger already records one of this run's files under another run: two manifests name the same part, re-stage one of them";
    case "23502":
      return "; a NULL reached a NOT NULL column: relax the target column or fix the source row";
    case "XX000":
      return "; on Redshift see STL_LOAD_ERRORS / SYS_LOAD_ERROR_DETAIL for the failing file and row";
    default:
      return "";
  }
}

/** One-line SluiceError for a driver failure; `context` names the table and step. */
export function warehouseError(thrown: unknown, fallback: SluiceErrorKind, context: string): SluiceError {
  const driver = thrown as DriverError | null;
  const base = driver?.message ?? String(thrown);
  const detail = driver?.detail ? ` (${driver.detail})` : "";
  const text = `${context}: ${base}${detail}${fixFor(driver?.code)}`.replace(/\s*\n\s*/g, " ");
  const kind = warehouseErrorKind(thrown, fallback);
  const retryable = kind === "connection" || transientStates.has(driver?.code ?? "");
  return sluiceError(kind, redactSecrets(text), { cause: thrown, retryable });
}
