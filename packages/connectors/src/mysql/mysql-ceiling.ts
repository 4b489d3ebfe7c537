import type { CapturedCeiling, CeilingRequest } from "@sluice/core";
/**
 * The upper bound of one run's clock cursor, captured once when the run is planned.
 *
 * Rows stamped at or after it wait for the next run (ceiling protection). It is also
 * lowered below every write transaction still open on the server: a transaction that
 * stamped `updated_at = NOW()` before the run but commits after the run has read past
 * that stamp would otherwise be missed for good (late commit). InnoDB lists open
 * transactions in `information_schema.innodb_trx`; `trx_started` has one-second
 * resolution and is printed in the server's system time zone whatever the session's,
 * so it is converted to the cursor's clock and one more second is taken off (a
 * statement's NOW() can precede its transaction's registration by a fraction of a
 * second). InnoDB serves innodb_trx from a cache it refreshes only when the previous
 * read is more than 100 ms old, so the clock is read first and innodb_trx
 * {@link transactionReadDelayMs} later: every transaction registered before the clock
 * reading is then listed. Reading innodb_trx needs the PROCESS privilege; without it
 * only the safety lag protects late commits, and the caller is told so.
 */

/** Wait between reading the clock and reading innodb_trx: beyond InnoDB's 100 ms cache. */
export const transactionReadDelayMs = 150;
const format = "'%Y-%m-%d %H:%i:%s.%f'";

/**
 * Transactions that can still commit rows stamped in the past: not ours, not
 * read-only, not an autocommit SELECT, and either holding modified rows or running a
 * statement now (an idle transaction that modified nothing stamps NOW() when it next
 * writes, which is after this ceiling). Long idle read transactions therefore do not
 * hold the ceiling back; a long-running statement does while it runs.
 */
const openWriters = `FROM information_schema.innodb_trx
  WHERE trx_mysql_thread_id <> CONNECTION_ID() AND trx_is_read_only = 0 AND trx_autocommit_non_locking = 0
    AND (trx_rows_modified > 0 OR trx_query IS NOT NULL)`;

/** The clock statement, then the open-transaction statement (which needs PROCESS). */
export function ceilingStatements(lagMicroseconds: number): { clock: string; transactions: string } {
  const lag = Math.max(0, Math.trunc(lagMicroseconds));
  return {
    clock: `SELECT DATE_FORMAT(NOW(6), ${format}) AS now, DATE_FORMAT(NOW(6) - INTERVAL ${lag} MICROSECOND, ${format}) AS lagged`,
    transactions: `SELECT
      (SELECT DATE_FORMAT(CONVERT_TZ(trx_started, 'SYSTEM', @@session.time_zone), '%Y-%m-%d %H:%i:%s') ${openWriters} ORDER BY trx_started LIMIT 1) AS started,
      (SELECT CAST(trx_mysql_thread_id AS CHAR) ${openWriters} ORDER BY trx_started LIMIT 1) AS thread,
      (SELECT COUNT(*) ${openWriters}) AS open_writers`,
  };
}

/** MySQL/MariaDB: "Access denied; you need (at least one of) the PROCESS privilege(s)". */
export function isMissingProcessPrivilege(thrown: unknown): boolean {
  const errno = (thrown as { errno?: unknown } | null)?.errno;
  return errno === 1227 || errno === 1142 || errno === 1044;
}

/** Turns the statement's row into the ceiling: the lowest of lagged clock and open-transaction cap. */
export function ceilingFromRow(
  row: Record<string, unknown>,
  request: CeilingRequest,
  checked: boolean,
): CapturedCeiling {
  const now = String(row.now);
  const lagged = String(row.lagged);
  const lag = request.safetyLagSeconds ?? 0;
  const started = row.started == null ? null : String(row.started);
  const oldest = started === null ? null : { startedAt: started, threadId: String(row.thread ?? "?") };
  const openWriters = Number(row.open_writers ?? 0);
  let bound: string = lagged;
  let boundBy: CapturedCeiling["boundBy"] = lag > 0 ? "safety-lag" : "clock";
  // CONVERT_TZ gives NULL for a zone the server cannot resolve (named zone, no zone
  // tables): the transactions are there but their start cannot be placed on our clock.
  const usable = checked && !(openWriters > 0 && started === null);
  if (usable && started !== null) {
    const capped = secondBefore(started);
    if (capped < bound) {
      bound = capped;
      boundBy = "open-transaction";
    }
  }
  return {
    ceiling: floorToFsp(bound, request.fsp),
    now,
    boundBy,
    safetyLagSeconds: lag,
    oldestOpenTransaction: oldest,
    openTransactionsChecked: usable,
  };
}

/** `YYYY-MM-DD HH:MM:SS` minus one second, as `...SS.000000`, by calendar arithmetic in UTC terms. */
function secondBefore(text: string): string {
  const instant = Date.parse(`${text.replace(" ", "T")}Z`) - 1000;
  return `${new Date(instant).toISOString().slice(0, 19).replace("T", " ")}.000000`;
}

/** Cuts `YYYY-MM-DD HH:MM:SS.ffffff` to `fsp` digits: flooring is always safe for an exclusive bound. */
export function floorToFsp(text: string, fsp: number): string {
  return fsp <= 0 ? text.slice(0, 19) : text.slice(0, 20 + Math.min(6, fsp));
}
