import { formatTableRef, type SluiceError, type TableRef } from "@sluice/core";
import { type Connection, createConnection } from "mysql2";
import { ResultAsync } from "neverthrow";
import { isMissingProcessPrivilege } from "./mysql-ceiling.js";
import { type MysqlConnectionOptions, mysqlSessionConfig } from "./mysql-connection-options.js";
import { mysqlError } from "./mysql-errors.js";

/** What `sluice info` reports of a MySQL server. */
export interface MysqlServerFacts {
  /** `MariaDB 10.11.6`, `MySQL 8.0.36`. */
  readonly serverVersion: string;
  /** Connect + handshake, then one `SELECT 1` round trip. */
  readonly connectMs: number;
  readonly latencyMs: number;
  /** `@@global.time_zone` (`SYSTEM` means the OS zone) and `@@system_time_zone`. */
  readonly timeZone: string;
  readonly systemTimeZone: string;
  /** Reading `information_schema.innodb_trx` works: the open-transaction ceiling protects late commits. */
  readonly processPrivilege: boolean;
  /** Per `schema.table`: readable, or why not (missing table, SELECT denied). */
  readonly tables: Readonly<Record<string, { readonly select: boolean; readonly problem: string | null }>>;
}

/** Where the rows still to extract start: strictly after this row, in the strategy's order. */
export interface WaitingRowsBound {
  /** Null for key-ordered strategies (id, snapshot). */
  readonly cursorColumn: string | null;
  readonly cursorValue: string | null;
  /** The primary key of the last row taken (canonical text); null before the first row. */
  readonly keyValues: readonly string[] | null;
}

/** A row count and how it was obtained, so output can say which it is. */
export interface WaitingRows {
  readonly rows: number;
  /**
   * `exact`: a COUNT bounded by an index range (small ranges only); `index-estimate`:
   * the optimizer's estimate of the index range (EXPLAIN); `table-estimate`:
   * InnoDB's TABLE_ROWS of the whole table (no usable index, or no position yet).
   */
  readonly method: "exact" | "index-estimate" | "table-estimate";
}

/** Below this many estimated rows, an index-range COUNT is cheap enough to be exact. */
const exactCountLimit = 100_000;

/**
 * A short-lived session for operator commands (`sluice info`, `sluice status`): server
 * facts and cheap row estimates, each O(an index range) at most: never a scan of a
 * large table. It is separate from `MysqlSource` because it must see the server's own
 * time zone before pinning the session to UTC.
 */
export interface MysqlProbe {
  facts(tables: readonly TableRef[]): ResultAsync<MysqlServerFacts, SluiceError>;
  waitingRows(table: TableRef, after: WaitingRowsBound | null): ResultAsync<WaitingRows, SluiceError>;
  close(): Promise<void>;
}

export function openMysqlProbe(options: MysqlConnectionOptions): ResultAsync<MysqlProbe, SluiceError> {
  const context = (doing: string) => ({
    host: options.host,
    port: options.port,
    user: options.user,
    database: options.database,
    doing,
  });
  const started = performance.now();
  const open = async () => {
    const connection = createConnection(mysqlSessionConfig(options));
    connection.on("error", () => {});
    try {
      await query(connection, "SELECT 1");
      return connection;
    } catch (thrown) {
      connection.destroy();
      throw thrown;
    }
  };
  return ResultAsync.fromPromise(open(), (thrown) => mysqlError(thrown, context("connecting"))).map(
    (connection) => probeOver(connection, Math.round(performance.now() - started), context),
  );
}

function probeOver(
  connection: Connection,
  connectMs: number,
  context: (doing: string) => Parameters<typeof mysqlError>[1],
): MysqlProbe {
  const sql = (text: string, values: readonly unknown[] = []) => query(connection, text, values);
  // Cursor text in the watermark is UTC for TIMESTAMP columns, as the extraction read it.
  let pinned = false;
  const pinUtc = async () => {
    if (pinned) return;
    await sql("SET time_zone = '+00:00'");
    pinned = true;
  };
  return {
    facts(tables) {
      const work = async (): Promise<MysqlServerFacts> => {
        const before = performance.now();
        await sql("SELECT 1");
        const latencyMs = Math.round((performance.now() - before) * 10) / 10;
        const [row] = await sql(
          "SELECT VERSION() AS version, @@global.time_zone AS tz, @@system_time_zone AS system_tz",
        );
        const version = String(row?.version ?? "");
        const flavour = /mariadb/i.test(version) ? "MariaDB" : "MySQL";
        let processPrivilege = true;
        try {
          await sql("SELECT COUNT(*) AS n FROM information_schema.innodb_trx");
        } catch (thrown) {
          if (!isMissingProcessPrivilege(thrown)) throw thrown;
          processPrivilege = false;
        }
        const readable: Record<string, { select: boolean; problem: string | null }> = {};
        for (const table of tables) {
          try {
            await sql(
              `SELECT 1 FROM ${quoteIdentifier(table.schema)}.${quoteIdentifier(table.table)} LIMIT 0`,
            );
            readable[formatTableRef(table)] = { select: true, problem: null };
          } catch (thrown) {
            const code = (thrown as { code?: string }).code ?? "error";
            readable[formatTableRef(table)] = {
              select: false,
              problem:
                code === "ER_NO_SUCH_TABLE"
                  ? "no such table"
                  : code === "ER_TABLEACCESS_DENIED_ERROR"
                    ? "SELECT denied"
                    : code,
            };
          }
        }
        return {
          serverVersion: `${flavour} ${version.split("-")[0]}`,
          connectMs,
          latencyMs,
          timeZone: String(row?.tz ?? ""),
          systemTimeZone: String(row?.system_tz ?? ""),
          processPrivilege,
          tables: readable,
        };
      };
      return ResultAsync.fromPromise(work(), (thrown) => mysqlError(thrown, context("checking the server")));
    },
    waitingRows(table, after) {
      const work = async (): Promise<WaitingRows> => {
        await pinUtc();
        const name = `${quoteIdentifier(table.schema)}.${quoteIdentifier(table.table)}`;
        const tableRows = async (): Promise<WaitingRows> => {
          const [row] = await sql(
            "SELECT TABLE_ROWS AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?",
            [table.schema, table.table],
          );
          return { rows: Number(row?.n ?? 0), method: "table-estimate" };
        };
        const predicate = await afterPredicate(sql, table, after);
        if (predicate === null) return tableRows();
        const plan = await sql(
          `EXPLAIN SELECT 1 FROM ${name} WHERE ${predicate.range}`,
          predicate.rangeValues,
        );
        const first = plan[0] ?? {};
        // type ALL: no index serves the range, and its `rows` is the whole table.
        if (first.key === null || first.key === undefined || first.type === "ALL") return tableRows();
        const estimated = Number(first.rows ?? 0);
        if (estimated > exactCountLimit) return { rows: estimated, method: "index-estimate" };
        const [counted] = await sql(
          `SELECT COUNT(*) AS n FROM (SELECT 1 FROM ${name} WHERE ${predicate.range} AND (${predicate.exact}) LIMIT ${exactCountLimit + 1}) AS waiting`,
          [...predicate.rangeValues, ...predicate.exactValues],
        );
        const rows = Number(counted?.n ?? 0);
        return rows > exactCountLimit
          ? { rows: estimated, method: "index-estimate" }
          : { rows, method: "exact" };
      };
      return ResultAsync.fromPromise(work(), (thrown) =>
        mysqlError(thrown, context(`estimating the rows waiting in ${formatTableRef(table)}`)),
      );
    },
    close: () =>
      new Promise<void>((resolve) => {
        connection.end(() => resolve());
      }),
  };
}

type Sql = (text: string, values?: readonly unknown[]) => Promise<Record<string, unknown>[]>;

/**
 * "After this row" as an index-friendly range (`cursor >= v` or `k1 >= v1`, which
 * the optimizer can estimate) and the exact condition within it (ties broken by the
 * primary key, as extraction orders rows). Null: no position, every row waits.
 */
async function afterPredicate(
  sql: Sql,
  table: TableRef,
  after: WaitingRowsBound | null,
): Promise<{ range: string; rangeValues: unknown[]; exact: string; exactValues: unknown[] } | null> {
  if (after === null) return null;
  const keyRows = await sql(
    "SELECT COLUMN_NAME AS name FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND CONSTRAINT_NAME = 'PRIMARY' ORDER BY ORDINAL_POSITION",
    [table.schema, table.table],
  );
  const key = keyRows.map((row) => String(row.name));
  const keyValues = after.keyValues ?? [];
  const keyAfter = () => {
    // (k1, k2) > (v1, v2) spelled out: k1 > v1 OR (k1 = v1 AND k2 > v2).
    const clauses: string[] = [];
    const values: unknown[] = [];
    for (let index = 0; index < key.length; index += 1) {
      const equal = key.slice(0, index).map((column) => `${quoteIdentifier(column)} = ?`);
      clauses.push([...equal, `${quoteIdentifier(key[index] as string)} > ?`].join(" AND "));
      values.push(...keyValues.slice(0, index + 1));
    }
    return { sql: clauses.map((clause) => `(${clause})`).join(" OR "), values };
  };
  if (after.cursorColumn !== null && after.cursorValue !== null) {
    const cursor = quoteIdentifier(after.cursorColumn);
    if (key.length === 0 || keyValues.length !== key.length) {
      return { range: `${cursor} > ?`, rangeValues: [after.cursorValue], exact: "1 = 1", exactValues: [] };
    }
    const tie = keyAfter();
    return {
      range: `${cursor} >= ?`,
      rangeValues: [after.cursorValue],
      exact: `${cursor} > ? OR (${tie.sql})`,
      exactValues: [after.cursorValue, ...tie.values],
    };
  }
  if (key.length === 0 || keyValues.length !== key.length) return null;
  const tie = keyAfter();
  return {
    range: `${quoteIdentifier(key[0] as string)} >= ?`,
    rangeValues: [keyValues[0]],
    exact: tie.sql,
    exactValues: tie.values,
  };
}

function query(connection: Connection, sql: string, values: readonly unknown[] = []) {
  return new Promise<Record<string, unknown>[]>((resolve, reject) => {
    connection.query({ sql, values: [...values] }, (error, rows) => {
      if (error) reject(error);
      else resolve(Array.isArray(rows) ? (rows as Record<string, unknown>[]) : []);
    });
  });
}

/** A MySQL identifier in backticks (the probe's statements name tables and columns). */
function quoteIdentifier(name: string): string {
  return `\`${name.replaceAll("`", "``")}\``;
}
