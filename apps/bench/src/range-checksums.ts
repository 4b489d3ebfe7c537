import type { DuckDBConnection } from "@duckdb/node-api";
import type { Connection } from "mysql2/promise";

/**
 * Value-by-value comparison of the benchmark's 20-column table (wide-table.ts) between
 * MariaDB and the Parquet parts sluice staged, read by DuckDB: each row becomes one
 * canonical text (every column, NULL spelled out), its MD5 is summed per range of ids
 * with the row count. Sums, unlike XOR, keep a duplicated row visible; any changed
 * value changes its range's sum. Each column is printed the same way on both sides
 * (FLOAT widened to DOUBLE first, whole doubles without `.0`, timestamps with
 * microseconds, TINYINT(1) as 0/1).
 */
export interface RangeChecksum {
  readonly range: number;
  readonly rows: number;
  readonly sum: string;
}

type ColumnText = readonly [name: string, mariadb: string, duckdb: string];

const plain = (name: string): ColumnText => [name, `CAST(${name} AS CHAR)`, `CAST(${name} AS VARCHAR)`];
const stamp = (name: string): ColumnText => [
  name,
  `DATE_FORMAT(${name}, '%Y-%m-%d %H:%i:%s.%f')`,
  `strftime(CAST(${name} AS TIMESTAMP), '%Y-%m-%d %H:%M:%S.%f')`,
];

/** MariaDB prints a whole double as `2`, DuckDB as `2.0`; otherwise both print the shortest exact form. */
const wholeDouble = (value: string) => `regexp_replace(CAST(${value} AS VARCHAR), '\\.0$', '')`;

const columns: readonly ColumnText[] = [
  plain("id"),
  plain("account_id"),
  plain("region_id"),
  plain("flags"),
  plain("external_id"),
  plain("amount"),
  plain("balance"),
  ["rate", "CAST(rate AS CHAR)", wholeDouble("rate")],
  ["ratio", "CAST(CAST(ratio AS DOUBLE) AS CHAR)", wholeDouble("CAST(ratio AS DOUBLE)")],
  plain("currency"),
  plain("status"),
  plain("email"),
  plain("city"),
  plain("reference"),
  plain("comment"),
  plain("birth_date"),
  stamp("posted_at"),
  stamp("created_at"),
  ["is_active", "CAST(is_active AS CHAR)", "CAST(CAST(is_active AS INTEGER) AS VARCHAR)"],
  stamp("updated_at"),
];

const rowText = (side: 1 | 2) =>
  `CONCAT_WS('|', ${columns.map((column) => `COALESCE(${column[side]}, '<null>')`).join(", ")})`;

/** Per-range count and checksum in MariaDB (session in UTC, as sluice reads TIMESTAMPs). */
export async function mariadbRangeChecksums(
  connection: Connection,
  table: string,
  rangeRows: number,
): Promise<RangeChecksum[]> {
  await connection.query("SET time_zone = '+00:00'");
  const [rows] = await connection.query({
    sql: `SELECT id DIV ${rangeRows} AS r, COUNT(*) AS n,
                 CAST(SUM(CAST(CONV(LEFT(MD5(${rowText(1)}), 12), 16, 10) AS UNSIGNED)) AS CHAR) AS s
          FROM ${table} GROUP BY r ORDER BY r`,
    rowsAsArray: true,
  });
  return (rows as [number | string, number | string, string][]).map(([range, count, sum]) => ({
    range: Number(range),
    rows: Number(count),
    sum: String(sum),
  }));
}

/** The same over Parquet files, in DuckDB. */
export async function parquetRangeChecksums(
  db: DuckDBConnection,
  paths: readonly string[],
  rangeRows: number,
): Promise<RangeChecksum[]> {
  await db.run("SET TimeZone = 'UTC'");
  const list = paths.map((path) => `'${path}'`).join(", ");
  const reader = await db.runAndReadAll(
    `SELECT id // ${rangeRows} AS r, COUNT(*) AS n,
            CAST(SUM(CAST(('0x' || LEFT(md5(${rowText(2)}), 12)) AS BIGINT)) AS VARCHAR) AS s
     FROM read_parquet([${list}]) GROUP BY r ORDER BY r`,
  );
  return reader.getRows().map(([range, count, sum]) => ({
    range: Number(range),
    rows: Number(count),
    sum: String(sum),
  }));
}
