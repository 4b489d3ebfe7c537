import type { ExtractPlan, Logger, RowBatch, SluiceError, TableRef, TableSpec } from "@sluice/core";
import { configError, formatTableRef, isSluiceError } from "@sluice/core";
import { type Connection, createConnection } from "mysql2";
import { errAsync, ResultAsync } from "neverthrow";
import { keysetCountQuery } from "./keyset-query.js";
import type { MysqlConnectionOptions } from "./mysql-connection-options.js";
import { describeMysqlTable } from "./mysql-describe-table.js";
import { type MysqlErrorContext, mysqlError } from "./mysql-errors.js";
import { extractKeysetPages } from "./mysql-extract.js";

export interface MysqlExtractOptions {
  /** Rows per yielded RowBatch; default 10 000. */
  readonly batchRows?: number;
  /** Receives the warning about rows a cursor cannot see (NULL cursor values). */
  readonly logger?: Logger;
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
  /** Keyset pages of the plan, streamed in batches; throws a SluiceError. */
  extract(spec: TableSpec, plan: ExtractPlan, options?: MysqlExtractOptions): AsyncIterable<RowBatch>;
  /** Exact COUNT(*) of rows within the plan's bounds (ignoring its limit); all rows without a plan. */
  countRows(spec: TableSpec, plan?: ExtractPlan): ResultAsync<number, SluiceError>;
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
    ResultAsync.fromSafePromise(Promise.resolve(sourceOver(connection, version, context))),
  );
}

async function connect(
  options: MysqlConnectionOptions,
): Promise<{ connection: Connection; version: string }> {
  const connection = createConnection({
    host: options.host,
    port: options.port,
    user: options.user,
    password: options.password,
    database: options.database,
    connectTimeout: options.connectTimeoutMs ?? 10_000,
    ...(options.stream ? { stream: options.stream } : {}),
    // Nothing lossy on the way in: see SourceValue in @sluice/core.
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
    decimalNumbers: false,
    jsonStrings: true,
    charset: "utf8mb4",
    timezone: "+00:00",
  });
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
  connection: Connection,
  version: string,
  context: (doing: string) => MysqlErrorContext,
): MysqlSource {
  const mariadb = /mariadb/i.test(version);
  const serverVersion = `${mariadb ? "MariaDB" : "MySQL"} ${version.split("-")[0]}`;
  // A dropped connection emits 'error' outside any query; keep it from crashing the
  // process: the next query fails with a mapped error instead.
  connection.on("error", () => {});
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
    extract(spec, plan, options = {}) {
      return extractKeysetPages(connection, spec, plan, {
        batchRows: options.batchRows ?? 10_000,
        logger: options.logger,
        mapError: (thrown) => mapUnlessSluice(thrown, context(`extracting ${formatTableRef(spec.ref)}`)),
      });
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
  if (clock === "utc") {
    const rows = await query(`SELECT NOW(${fsp}) AS now`, []);
    return String(rows[0]?.now);
  }
  try {
    await query("SET time_zone = @@global.time_zone", []);
    const rows = await query(`SELECT NOW(${fsp}) AS now`, []);
    return String(rows[0]?.now);
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
