import type {
  ExtractPlan,
  KeyRange,
  Logger,
  RangeChecksum,
  RetryHooks,
  RetryPolicy,
  RowBatch,
  SluiceError,
  TableRef,
  TableSpec,
} from "@sluice/core";
import { configError, formatTableRef, isSluiceError } from "@sluice/core";
import { type Connection, createConnection } from "mysql2";
import { errAsync, ResultAsync } from "neverthrow";
import { canonicalValueText, keysetCountQuery, maxKeyQuery } from "./keyset-query.js";
import {
  type CapturedCeiling,
  type CeilingRequest,
  ceilingFromRow,
  ceilingStatements,
  isMissingProcessPrivilege,
  transactionReadDelayMs,
} from "./mysql-ceiling.js";
import { type MysqlConnectionOptions, mysqlSessionConfig } from "./mysql-connection-options.js";
import { describeMysqlTable } from "./mysql-describe-table.js";
import { type MysqlErrorContext, mysqlError } from "./mysql-errors.js";
import { type ExtractObserver, extractPlanRows } from "./mysql-extract.js";
import { createMysqlKeyDigests, type KeyDigestOptions, type SourceKeyDigests } from "./mysql-key-digests.js";
import { mysqlKeyBoundaries, mysqlRangeChecksums } from "./mysql-range-checksums.js";

export interface MysqlExtractOptions {
  /** Rows per yielded RowBatch; default 10 000. */
  readonly batchRows?: number;
  /**
   * Approximate value bytes per yielded RowBatch (string lengths, byte lengths, 8 per
   * other value), on top of `batchRows`: bounds the rows held in memory for wide
   * LONGTEXT/BLOB rows. Absent: batches are bounded by rows only.
   */
  readonly batchBytes?: number;
  /** Receives the warning about rows a cursor cannot see (NULL cursor values). */
  readonly logger?: Logger;
  /** Told every statement issued and the NULL-cursor count, for run reports and tests. */
  readonly observer?: ExtractObserver;
  /**
   * A dropped connection (reset, timeout, KILL, lock-wait timeout) during keyset or
   * snapshot pages: reconnect and re-issue the page after the last row handed on, up
   * to `retry.attempts` times per failure without progress. Absent: no resume.
   */
  readonly retry?: RetryPolicy;
  /** Counts and waits for `retry` (onRetry is told every reconnect). */
  readonly retryHooks?: RetryHooks;
  /**
   * Asked between pages of the ordered pass, never before the first: true ends the
   * pass at that page boundary as `--max-chunks` would (the run's time budget).
   */
  readonly stopAtPageBoundary?: () => boolean;
}

/** A MySQL/MariaDB table source over one session pinned to UTC. */
export interface MysqlSource {
  /** `MariaDB` or `MySQL` and the server version, e.g. `MariaDB 10.11.6`. */
  readonly serverVersion: string;
  describeTable(ref: TableRef): ResultAsync<TableSpec, SluiceError>;
  /**
   * The server's `NOW(fsp)` as text, for an extract ceiling. `clock: "utc"` (default)
   * matches TIMESTAMP cursors (read in the session zone, UTC); `"server"` is NOW() in
   * the server's default time zone, which is what `DEFAULT/ON UPDATE CURRENT_TIMESTAMP`
   * writes into a DATETIME cursor.
   */
  serverNow(fsp: number, clock?: "utc" | "server"): ResultAsync<string, SluiceError>;
  /**
   * The run's clock ceiling: NOW() in the cursor's clock, minus the safety lag, and
   * below the start of the oldest open write transaction when `innodb_trx` is readable
   * (see mysql-ceiling.ts for the guarantee and its limits).
   */
  captureCeiling(request: CeilingRequest): ResultAsync<CapturedCeiling, SluiceError>;
  /** The largest key tuple as canonical text (binary as hex), or null for an empty table. */
  maxKey(spec: TableSpec, keyColumns: readonly string[]): ResultAsync<string[] | null, SluiceError>;
  /** InnoDB's row estimate (`information_schema.TABLES.TABLE_ROWS`): cheap, approximate. */
  estimateRows(ref: TableRef): ResultAsync<number, SluiceError>;
  /** Keyset pages of the plan, streamed in batches; throws a SluiceError. */
  extract(spec: TableSpec, plan: ExtractPlan, options?: MysqlExtractOptions): AsyncIterable<RowBatch>;
  /**
   * The optimizer's estimate of the rows within the plan's bounds (`EXPLAIN` of the
   * count query): one index dive, no scan, so cheap enough to show progress against;
   * approximate, and never used for correctness.
   */
  estimatePendingRows(spec: TableSpec, plan: ExtractPlan): ResultAsync<number, SluiceError>;
  /** Exact COUNT(*) of rows within the plan's bounds (ignoring its limit); all rows without a plan. */
  countRows(spec: TableSpec, plan?: ExtractPlan): ResultAsync<number, SluiceError>;
  /**
   * For data verification: the primary-key values that cut the table into ranges of
   * `rowsPerRange` rows (key order); none for a table without a primary key.
   */
  keyBoundaries(spec: TableSpec, rowsPerRange: number): ResultAsync<string[][], SluiceError>;
  /** Row count and checksum of canonical row text per key range (docs/watermarks.md). */
  checksumRanges(spec: TableSpec, ranges: readonly KeyRange[]): ResultAsync<RangeChecksum[], SluiceError>;
  /** Primary-key digests, splits, key lists and lookups for delete reconciliation (mysql-key-digests.ts). */
  keyDigests(spec: TableSpec, options?: KeyDigestOptions): ResultAsync<SourceKeyDigests, SluiceError>;
  close(): Promise<void>;
}

/** Opens one connection, pins the session to UTC and learns the server flavour. */
export function openMysqlSource(options: MysqlConnectionOptions): ResultAsync<MysqlSource, SluiceError> {
  const context = (doing: string): MysqlErrorContext => ({
    host: options.host,
    port: options.port,
    user: options.user,
    database: options.database,
    doing,
  });
  return ResultAsync.fromPromise(connect(options), (thrown) =>
    mysqlError(thrown, context("connecting")),
  ).andThen(({ connection, version }) =>
    ResultAsync.fromSafePromise(
      Promise.resolve(
        sourceOver(connection, version, context, async () => (await connect(options)).connection),
      ),
    ),
  );
}

async function connect(
  options: MysqlConnectionOptions,
): Promise<{ connection: Connection; version: string }> {
  const connection = createConnection(mysqlSessionConfig(options));
  try {
    await run(connection, "SET time_zone = '+00:00'");
    const rows = await run(connection, "SELECT VERSION() AS version");
    return { connection, version: String(rows[0]?.version ?? "") };
  } catch (thrown) {
    connection.destroy();
    throw thrown;
  }
}

function sourceOver(
  first: Connection,
  version: string,
  context: (doing: string) => MysqlErrorContext,
  reopen: () => Promise<Connection>,
): MysqlSource {
  // Replaced when an extraction resumes after a dropped connection; every method
  // reads it at call time.
  let connection = first;
  const mariadb = /mariadb/i.test(version);
  const serverVersion = `${mariadb ? "MariaDB" : "MySQL"} ${version.split("-")[0]}`;
  // A dropped connection emits 'error' outside any query; keep it from crashing the
  // process: the next query fails with a mapped error instead.
  const ignoreErrors = (each: Connection) => each.on("error", () => {});
  ignoreErrors(connection);
  const reconnect = async () => {
    connection.destroy();
    const fresh = await reopen();
    ignoreErrors(fresh);
    connection = fresh;
  };
  const query = (sql: string, values: readonly unknown[]) => run(connection, sql, values);
  return {
    serverVersion,
    describeTable: (ref) =>
      ResultAsync.fromPromise(describeMysqlTable(query, ref, mariadb), (thrown) =>
        mapUnlessSluice(thrown, context(`describing ${formatTableRef(ref)}`)),
      ),
    serverNow(fsp, clock = "utc") {
      if (!Number.isInteger(fsp) || fsp < 0 || fsp > 6) {
        return errAsync(configError(`fractional second precision ${fsp} is not an integer from 0 to 6`));
      }
      return ResultAsync.fromPromise(serverNowText(query, fsp, clock), (thrown) =>
        mysqlError(thrown, context("reading the server clock")),
      );
    },
    captureCeiling(request) {
      if (!Number.isInteger(request.fsp) || request.fsp < 0 || request.fsp > 6) {
        return errAsync(
          configError(`fractional second precision ${request.fsp} is not an integer from 0 to 6`),
        );
      }
      const lag = request.safetyLagSeconds ?? 0;
      if (!Number.isFinite(lag) || lag < 0) {
        return errAsync(configError(`--safety-lag-seconds ${lag} is not a number of seconds >= 0`));
      }
      return ResultAsync.fromPromise(
        inClock(query, request.clock, async () => {
          const statements = ceilingStatements(lag * 1_000_000);
          const [clock] = await query(statements.clock, []);
          await new Promise((resolve) => setTimeout(resolve, transactionReadDelayMs));
          try {
            const [transactions] = await query(statements.transactions, []);
            return ceilingFromRow({ ...clock, ...transactions }, request, true);
          } catch (thrown) {
            if (!isMissingProcessPrivilege(thrown)) throw thrown;
            return ceilingFromRow(clock ?? {}, request, false);
          }
        }),
        (thrown) => mysqlError(thrown, context("capturing the extract ceiling")),
      );
    },
    maxKey(spec, keyColumns) {
      return ResultAsync.fromPromise(
        (async () => {
          if (keyColumns.length === 0) return null;
          const statement = maxKeyQuery(spec, keyColumns);
          const rows = await query(statement.sql, statement.values);
          const row = rows[0];
          if (!row) return null;
          return Object.values(row).map((value) => canonicalValueText(value as never) ?? "");
        })(),
        (thrown) =>
          mapUnlessSluice(thrown, context(`reading the largest key of ${formatTableRef(spec.ref)}`)),
      );
    },
    estimateRows(ref) {
      return ResultAsync.fromPromise(
        (async () => {
          const rows = await query(
            "SELECT TABLE_ROWS AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?",
            [ref.schema, ref.table],
          );
          return Number(rows[0]?.n ?? 0);
        })(),
        (thrown) => mysqlError(thrown, context(`estimating the rows of ${formatTableRef(ref)}`)),
      );
    },
    extract(spec, plan, options = {}) {
      return extractPlanRows(() => connection, spec, plan, {
        batchRows: options.batchRows ?? 10_000,
        batchBytes: options.batchBytes,
        logger: options.logger,
        observer: options.observer,
        stopAtPageBoundary: options.stopAtPageBoundary,
        resume: options.retry
          ? { policy: options.retry, ...(options.retryHooks ? { hooks: options.retryHooks } : {}), reconnect }
          : undefined,
        mapError: (thrown) => mapUnlessSluice(thrown, context(`extracting ${formatTableRef(spec.ref)}`)),
      });
    },
    estimatePendingRows(spec, plan) {
      return ResultAsync.fromPromise(
        (async () => {
          const statement = keysetCountQuery(spec, plan);
          const rows = await query(`EXPLAIN ${statement.sql}`, statement.values);
          // One line per table access; the scan of this table is the largest.
          return rows.reduce((most, row) => Math.max(most, Number(row.rows ?? 0)), 0);
        })(),
        (thrown) =>
          mapUnlessSluice(thrown, context(`estimating the pending rows of ${formatTableRef(spec.ref)}`)),
      );
    },
    countRows(spec, plan) {
      return ResultAsync.fromPromise(
        (async () => {
          const statement = keysetCountQuery(spec, plan);
          const rows = await query(statement.sql, statement.values);
          return Number(rows[0]?.n ?? 0);
        })(),
        (thrown) => mapUnlessSluice(thrown, context(`counting rows of ${formatTableRef(spec.ref)}`)),
      );
    },
    keyBoundaries: (spec, rowsPerRange) =>
      ResultAsync.fromPromise(mysqlKeyBoundaries(query, spec, rowsPerRange), (thrown) =>
        mapUnlessSluice(thrown, context(`reading key ranges of ${formatTableRef(spec.ref)}`)),
      ),
    checksumRanges: (spec, ranges) =>
      ResultAsync.fromPromise(mysqlRangeChecksums(query, spec, ranges), (thrown) =>
        mapUnlessSluice(thrown, context(`checksumming ${formatTableRef(spec.ref)}`)),
      ),
    keyDigests(spec, options = {}) {
      const mapError = (thrown: unknown, doing: string) => mapUnlessSluice(thrown, context(doing));
      return ResultAsync.fromPromise(createMysqlKeyDigests(query, spec, options, mapError), (thrown) =>
        mapError(thrown, `reading the key columns of ${formatTableRef(spec.ref)}`),
      );
    },
    close: () =>
      new Promise<void>((resolve) => {
        connection.end(() => {
          // end() waits for queued queries; destroy() makes sure the socket is gone even after an error.
          connection.destroy();
          resolve();
        });
      }),
  };
}

async function serverNowText(
  query: (sql: string, values: readonly unknown[]) => Promise<Record<string, unknown>[]>,
  fsp: number,
  clock: "utc" | "server",
): Promise<string> {
  return inClock(query, clock, async () => {
    const rows = await query(`SELECT NOW(${fsp}) AS now`, []);
    return String(rows[0]?.now);
  });
}

/**
 * Runs `work` with the session in the cursor's clock: UTC (the session's pinned zone)
 * or the server's default zone, restoring UTC afterwards.
 */
async function inClock<T>(
  query: (sql: string, values: readonly unknown[]) => Promise<Record<string, unknown>[]>,
  clock: "utc" | "server",
  work: () => Promise<T>,
): Promise<T> {
  if (clock === "utc") return work();
  try {
    await query("SET time_zone = @@global.time_zone", []);
    return await work();
  } finally {
    await query("SET time_zone = '+00:00'", []);
  }
}

/** Metadata queries: rows as objects. */
function run(
  connection: Connection,
  sql: string,
  values: readonly unknown[] = [],
): Promise<Record<string, unknown>[]> {
  return new Promise((resolve, reject) => {
    connection.query({ sql, values: [...values] }, (error, rows) => {
      if (error) reject(error);
      else resolve(Array.isArray(rows) ? (rows as Record<string, unknown>[]) : []);
    });
  });
}

function mapUnlessSluice(thrown: unknown, context: MysqlErrorContext): SluiceError {
  return isSluiceError(thrown) ? thrown : mysqlError(thrown, context);
}
