import { mkdtemp, readdir, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { createLocalObjectStore } from "@sluice/connectors";
import type { RunManifest } from "@sluice/core";
import { createTestMysqlConnection, createTestPgClient } from "@sluice/test-services";
import { expect, inject } from "vitest";
import { type RunReport, type SyncTableOptions, syncTable } from "../src/index.js";
import { syncOptions } from "./sync-fixture.js";

/**
 * How one column is compared. Each side renders the value as canonical text with its
 * own functions (MariaDB, DuckDB over the Parquet files, PostgreSQL over the target),
 * never with sluice code; `compare` then says how two texts are equal.
 */
export interface MatrixColumn {
  readonly name: string;
  /** Column definition after the name, e.g. `BIGINT UNSIGNED NOT NULL`. */
  readonly ddl: string;
  /** MariaDB expression over `c` giving the canonical text. Default `CAST(c AS CHAR)`. */
  readonly source?: string;
  /** DuckDB expression over `c`. Default `CAST(c AS VARCHAR)`. */
  readonly duck?: string;
  /** PostgreSQL expression over `c`. Default `c::text`. */
  readonly pg?: string;
  /**
   * `text` (exact), `float` / `double` (shortest round-trip form of the same binary
   * value), `json` (parsed-equal), `date` (exact, but MySQL's zero and impossible dates
   * are expected as NULL: the default invalidDates policy).
   */
  readonly compare?: "text" | "float" | "double" | "json" | "date";
  /** A generated column: computed by MariaDB, so `rows` carry no value for it. */
  readonly generated?: boolean;
}

export interface MatrixTable {
  readonly schema: string;
  readonly table: string;
  readonly columns: readonly MatrixColumn[];
  /** SQL tuples after `VALUES`, without the id (added in order from 1). */
  readonly rows: readonly string[];
  /** sql_mode for the inserts (zero dates need a lax one). */
  readonly sqlMode?: string;
}

type Connection = Awaited<ReturnType<typeof createTestMysqlConnection>>;

/** Replaces the placeholder identifier `c` (a whole word) with the quoted column name. */
function over(template: string, column: string, quote: string): string {
  return template.replace(/\bc\b/g, `${quote}${column}${quote}`);
}

export async function createMatrixTable(definition: MatrixTable): Promise<Connection> {
  const connection = await createTestMysqlConnection(inject("sluiceServices").mysql);
  const { schema, table } = definition;
  await connection.query(
    `DROP DATABASE IF EXISTS ${schema}; CREATE DATABASE ${schema} CHARACTER SET utf8mb4; USE ${schema};`,
  );
  const columns = definition.columns.map((column) => `\`${column.name}\` ${column.ddl}`).join(",\n  ");
  await connection.query(
    `CREATE TABLE ${table} (\n  id INT NOT NULL PRIMARY KEY,\n  ${columns}\n) DEFAULT CHARSET=utf8mb4`,
  );
  await connection.query(`SET SESSION sql_mode = ?, time_zone = '+00:00'`, [
    definition.sqlMode ?? "STRICT_TRANS_TABLES",
  ]);
  const inserted = definition.columns.filter((column) => !column.generated);
  const names = inserted.map((column) => `\`${column.name}\``).join(", ");
  const tuples = definition.rows.map((row, index) => `(${index + 1}, ${row})`).join(",\n");
  await connection.query(`INSERT INTO ${table} (id, ${names}) VALUES ${tuples}`);
  return connection;
}

export interface MatrixRun {
  readonly report: RunReport;
  readonly lakeDirectory: string;
  readonly manifest: RunManifest;
  readonly files: readonly string[];
}

/** Runs the real `syncTable` (id strategy) into a fresh local lake and the private PostgreSQL. */
export async function syncMatrixTable(
  definition: MatrixTable,
  overrides: Partial<SyncTableOptions> = {},
): Promise<MatrixRun> {
  const pg = await createTestPgClient(inject("sluiceServices").postgres);
  await pg.query(`DROP SCHEMA IF EXISTS "${definition.schema}" CASCADE`);
  await pg.end();
  const lakeDirectory = await mkdtemp(join(tmpdir(), "sluice-matrix-lake-"));
  const lake = createLocalObjectStore({ directory: lakeDirectory });
  const result = await syncTable(
    syncOptions({ schema: definition.schema, table: definition.table }, lake, {
      strategy: "id",
      pageSize: 7,
      rowsPerFile: 10,
      ...overrides,
    }),
  );
  if (result.isErr()) throw new Error(result.error.message);
  const report = result.value;
  const manifestKey = report.extract?.manifestKey;
  if (!manifestKey) throw new Error("the run staged nothing");
  const manifest = JSON.parse(await readFile(join(lakeDirectory, manifestKey), "utf8")) as RunManifest;
  const entries = await readdir(lakeDirectory, { recursive: true });
  const files = entries
    .filter((entry) => entry.endsWith(".parquet"))
    .map((entry) => join(lakeDirectory, entry));
  return { report, lakeDirectory, manifest, files };
}

type TextRow = (string | null)[];

function asText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (Buffer.isBuffer(value)) return value.toString("utf8");
  return String(value);
}

export async function sourceText(connection: Connection, definition: MatrixTable): Promise<TextRow[]> {
  await connection.query("SET time_zone = '+00:00'");
  const list = definition.columns.map((column) => over(column.source ?? "CAST(c AS CHAR)", column.name, "`"));
  const [rows] = await connection.query({
    sql: `SELECT ${list.join(", ")} FROM ${definition.schema}.${definition.table} ORDER BY id`,
    rowsAsArray: true,
  });
  return (rows as unknown[][]).map((row) => row.map(asText));
}

export async function parquetText(files: readonly string[], definition: MatrixTable): Promise<TextRow[]> {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    await connection.run("SET TimeZone = 'UTC'");
    const list = definition.columns.map(
      (column) => `CAST(${over(column.duck ?? "CAST(c AS VARCHAR)", column.name, '"')} AS VARCHAR)`,
    );
    const reader = await connection.runAndReadAll(
      `SELECT ${list.join(", ")} FROM read_parquet([${files.map((file) => `'${file}'`).join(", ")}]) ORDER BY id`,
    );
    return reader.getRows().map((row) => row.map(asText));
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

export async function targetText(definition: MatrixTable): Promise<TextRow[]> {
  const client = await createTestPgClient(inject("sluiceServices").postgres);
  try {
    await client.query("SET TIME ZONE 'UTC'");
    const list = definition.columns.map(
      (column) => `(${over(column.pg ?? "c::text", column.name, '"')})::text`,
    );
    const result = await client.query({
      text: `SELECT ${list.join(", ")} FROM "${definition.schema}"."${definition.table}" ORDER BY id`,
      rowMode: "array",
    });
    return result.rows as TextRow[];
  } finally {
    await client.end();
  }
}

/** Shortest decimal text that reads back to the same 32-bit float. */
function shortestFloat32(text: string): string {
  const value = Math.fround(Number(text));
  for (let digits = 1; digits <= 9; digits++) {
    const candidate = Number(value.toPrecision(digits));
    if (Math.fround(candidate) === value) return Object.is(candidate, -0) ? "-0" : String(candidate);
  }
  return String(value);
}

/** A calendar date or date-time text, or null for MySQL's zero and impossible dates. */
function calendarOrNull(text: string): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(text);
  if (!match) return text;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(2000, month - 1, day));
  date.setUTCFullYear(year);
  const valid =
    year > 0 && month > 0 && day > 0 && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  return valid ? text : null;
}

/** The source text as the policy says it must arrive. */
function expected(column: MatrixColumn, value: string | null): unknown {
  if (value === null) return null;
  switch (column.compare ?? "text") {
    case "float":
      return shortestFloat32(value);
    case "double":
      return String(Number(value));
    case "json":
      return JSON.parse(value);
    case "date":
      return calendarOrNull(value);
    default:
      return value;
  }
}

function arrived(column: MatrixColumn, value: string | null): unknown {
  if (value === null) return null;
  switch (column.compare ?? "text") {
    case "float":
      return shortestFloat32(value);
    case "double":
      return String(Number(value));
    case "json":
      return JSON.parse(value);
    default:
      return value;
  }
}

/** Compares value by value, reporting `row id / column` on a mismatch. */
export function expectSameValues(
  definition: MatrixTable,
  source: readonly TextRow[],
  actual: readonly TextRow[],
  where: string,
): void {
  expect(actual.length, `${where}: row count`).toBe(source.length);
  source.forEach((row, rowIndex) => {
    definition.columns.forEach((column, columnIndex) => {
      const want = expected(column, row[columnIndex] ?? null);
      const got = arrived(column, actual[rowIndex]?.[columnIndex] ?? null);
      expect(got, `${where}: id ${rowIndex + 1}, column ${column.name} (${column.ddl})`).toEqual(want);
    });
  });
}

/** The whole check for one table: sync, then Parquet (DuckDB) and PostgreSQL against MariaDB. */
export async function expectMatrixRoundTrip(
  definition: MatrixTable,
  overrides: Partial<SyncTableOptions> = {},
): Promise<MatrixRun> {
  const connection = await createMatrixTable(definition);
  try {
    const run = await syncMatrixTable(definition, overrides);
    const source = await sourceText(connection, definition);
    expect(run.report.extract?.rows).toBe(definition.rows.length);
    expectSameValues(definition, source, await parquetText(run.files, definition), "Parquet via DuckDB");
    expectSameValues(definition, source, await targetText(definition), "PostgreSQL target");
    return run;
  } finally {
    await connection.end();
  }
}
