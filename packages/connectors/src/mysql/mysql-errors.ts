import type { SluiceError } from "@sluice/core";
import { redactSecrets, sluiceError } from "@sluice/core";

/** Where an error happened, for messages: the server and what we were doing. */
export interface MysqlErrorContext {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly database: string;
  /** e.g. `describing shop.orders` */
  readonly doing: string;
}

const unreachable = new Set([
  "ECONNREFUSED",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
]);
const dropped = new Set([
  "PROTOCOL_CONNECTION_LOST",
  "ECONNRESET",
  "EPIPE",
  "ER_SERVER_SHUTDOWN",
  "ER_CON_COUNT_ERROR",
  "ER_SESSION_WAS_KILLED",
  "ER_CONNECTION_KILLED",
  "ER_CLIENT_INTERACTION_TIMEOUT",
]);
const transient = new Set([
  "ER_LOCK_DEADLOCK",
  "ER_LOCK_WAIT_TIMEOUT",
  "ER_QUERY_INTERRUPTED",
  "ER_STATEMENT_TIMEOUT",
]);
const denied = new Set([
  "ER_ACCESS_DENIED_ERROR",
  "ER_DBACCESS_DENIED_ERROR",
  "ER_TABLEACCESS_DENIED_ERROR",
  "ER_COLUMNACCESS_DENIED_ERROR",
  "ER_SPECIFIC_ACCESS_DENIED_ERROR",
]);

/** Maps a mysql2 (or socket) error to a SluiceError once, at the driver boundary. */
export function mysqlError(thrown: unknown, context: MysqlErrorContext): SluiceError {
  const code = errorCode(thrown) || mariadbCode(thrown);
  const detail = redactSecrets(thrown instanceof Error ? thrown.message : String(thrown)).replace(
    /\s+/g,
    " ",
  );
  const server = `${context.host}:${context.port}`;
  if (unreachable.has(code)) {
    return sluiceError(
      "connection",
      `cannot reach MySQL at ${server}: ${code}${detail && !detail.includes(code) ? ` ${detail}` : ""}; check --source / SLUICE_SOURCE_URL and that the server is up`,
      { retryable: true, cause: thrown },
    );
  }
  if (dropped.has(code) || transient.has(code)) {
    return sluiceError(
      "connection",
      `MySQL at ${server} failed while ${context.doing}: ${code}; retry the run`,
      {
        retryable: true,
        cause: thrown,
      },
    );
  }
  if (denied.has(code)) {
    return sluiceError(
      "auth",
      `MySQL at ${server} denied ${context.user}@${context.host} while ${context.doing} (${code}); check the user, password and grants in --source`,
      { retryable: false, cause: thrown },
    );
  }
  if (code === "ER_BAD_DB_ERROR") {
    return sluiceError(
      "not_found",
      `MySQL at ${server} has no database "${context.database}"; check the database part of --source`,
      { retryable: false, cause: thrown },
    );
  }
  if (code === "ER_NO_SUCH_TABLE" || code === "ER_BAD_FIELD_ERROR") {
    return sluiceError(
      "schema",
      `MySQL at ${server} while ${context.doing}: ${detail}; the table changed since it was described, run again`,
      { retryable: false, cause: thrown },
    );
  }
  if (isFatal(thrown)) {
    // mysql2 marks an error fatal when the connection is unusable afterwards (e.g.
    // "Can't add new command when connection is in closed state" after a KILL): a
    // new connection may well succeed.
    return sluiceError(
      "connection",
      `MySQL at ${server} closed the connection while ${context.doing}: ${detail}; retry the run`,
      { retryable: true, cause: thrown },
    );
  }
  return sluiceError("internal", `MySQL at ${server} while ${context.doing}: ${code || "error"} ${detail}`, {
    retryable: false,
    cause: thrown,
  });
}

function errorCode(thrown: unknown): string {
  if (typeof thrown === "object" && thrown !== null && "code" in thrown) {
    const code = (thrown as { code?: unknown }).code;
    if (typeof code === "string") return code;
  }
  return "";
}

/** MariaDB-only error numbers mysql2 has no name for. */
function mariadbCode(thrown: unknown): string {
  const errno =
    typeof thrown === "object" && thrown !== null ? (thrown as { errno?: unknown }).errno : undefined;
  // 1927 ER_CONNECTION_KILLED: `KILL CONNECTION` or a server shutdown ended the session.
  return errno === 1927 ? "ER_CONNECTION_KILLED" : "";
}

function isFatal(thrown: unknown): boolean {
  return typeof thrown === "object" && thrown !== null && (thrown as { fatal?: unknown }).fatal === true;
}
