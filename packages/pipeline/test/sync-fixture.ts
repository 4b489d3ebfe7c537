import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createLocalObjectStore,
  createMysqlSource,
  type MysqlConnectionOptions,
  parseMysqlUrl,
} from "@sluice/connectors";
import type { ObjectStore, Source, TableRef } from "@sluice/core";
import { createWarehouse, parseWarehouseUrl } from "@sluice/redshift-loader";
import { createTestMysqlConnection, createTestPgClient } from "@sluice/test-services";
import { afterAll, inject, onTestFinished } from "vitest";
import type { SyncTableOptions, WarehouseTarget } from "../src/index.js";

/**
 * A settlement-like table in its own MariaDB database and PostgreSQL schema, so test
 * files running in parallel never see each other's rows.
 */
export const settlementColumns = [
  "id",
  "merchant_id",
  "amount",
  "currency",
  "status",
  "note",
  "settled_at",
  "fx_rate",
  "created_at",
  "updated_at",
] as const;

export async function createSettlementSource(schema: string, rows: number) {
  const services = inject("sluiceServices");
  const connection = await createTestMysqlConnection(services.mysql);
  await connection.query(`DROP DATABASE IF EXISTS ${schema}; CREATE DATABASE ${schema}; USE ${schema};`);
  await connection.query(`CREATE TABLE settlement (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    merchant_id INT NOT NULL,
    amount DECIMAL(12,2) NOT NULL,
    currency CHAR(3) NOT NULL,
    status ENUM('pending','settled','refunded') NOT NULL,
    note VARCHAR(255) NULL,
    settled_at DATETIME(6) NULL,
    fx_rate DOUBLE NULL,
    created_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
    KEY settlement_updated_at_id (updated_at, id)
  ) DEFAULT CHARSET=utf8mb4`);
  await insertRows(connection, rows, "2026-01-01 00:00:00");
  return connection;
}

/**
 * Rows share timestamps in groups of 7 (to exercise the key tie-breaker) and carry
 * negatives, NULLs, 4-byte UTF-8 and microseconds.
 */
export async function insertRows(
  connection: Awaited<ReturnType<typeof createTestMysqlConnection>>,
  rows: number,
  base: string,
): Promise<void> {
  await connection.query(
    `INSERT INTO settlement (merchant_id, amount, currency, status, note, settled_at, fx_rate, created_at, updated_at)
     SELECT s.seq % 37, IF(s.seq % 13 = 0, -1, 1) * ROUND((s.seq * 7919 % 1000000) / 100, 2),
            ELT(1 + s.seq % 3, 'EUR', 'USD', 'GBP'), ELT(1 + s.seq % 3, 'pending', 'settled', 'refunded'),
            ELT(1 + s.seq % 4, NULL, 'plain', 'Grüße', 'emoji 🚀 note'),
            IF(s.seq % 5 = 0, NULL, TIMESTAMP(?) + INTERVAL s.seq SECOND + INTERVAL (s.seq * 31 % 1000000) MICROSECOND),
            IF(s.seq % 6 = 0, NULL, s.seq / 3),
            TIMESTAMP(?) + INTERVAL s.seq MINUTE,
            TIMESTAMP(?) + INTERVAL (s.seq DIV 7) SECOND + INTERVAL 123456 MICROSECOND
     FROM seq_1_to_${rows} AS s`,
    [base, base, base],
  );
}

export async function localLake(): Promise<ObjectStore> {
  return createLocalObjectStore({ directory: await mkdtemp(join(tmpdir(), "sluice-lake-")) });
}

/** The private MariaDB's connection settings, in `database`. */
export function mysqlTestOptions(database: string): MysqlConnectionOptions {
  const source = parseMysqlUrl(inject("sluiceServices").mysql.url)._unsafeUnwrap();
  return { ...source, database };
}

const openSources = new Set<Source>();
afterAll(async () => {
  await Promise.all([...openSources].map((source) => source.close()));
});

/**
 * A MySQL source as the CLI opens one (connecting on first use), closed when the test
 * ends (or the file, when made outside a test): the pipeline never closes a source.
 */
export function testMysqlSource(options: MysqlConnectionOptions): Source {
  const source = createMysqlSource(options);
  try {
    onTestFinished(() => source.close());
  } catch {
    openSources.add(source);
  }
  return source;
}

/** Options to override; `warehouse: undefined` unsets the default target (backup-only runs). */
type SyncOverrides = Partial<Omit<SyncTableOptions, "warehouse">> & {
  readonly warehouse?: WarehouseTarget | undefined;
};

export function syncOptions(
  table: TableRef,
  lake: ObjectStore,
  overrides: SyncOverrides = {},
): SyncTableOptions {
  const services = inject("sluiceServices");
  const connection = parseWarehouseUrl(services.postgres.url)._unsafeUnwrap();
  const { warehouse, ...rest } = overrides;
  const options: SyncTableOptions = {
    table,
    mode: "sync",
    source: testMysqlSource(mysqlTestOptions(table.schema)),
    lake,
    pageSize: 500,
    rowsPerFile: 1_500,
    ...rest,
  };
  if (!("warehouse" in overrides))
    return { ...options, warehouse: { connection: createWarehouse({ connection, lake }) } };
  return warehouse === undefined ? options : { ...options, warehouse };
}

/** Source rows as canonical text, straight from MariaDB's own formatting. */
export async function sourceRowsAsText(
  connection: Awaited<ReturnType<typeof createTestMysqlConnection>>,
  schema: string,
): Promise<string[][]> {
  await connection.query("SET time_zone = '+00:00'");
  const [rows] = await connection.query({
    sql: `SELECT CAST(id AS CHAR), CAST(merchant_id AS CHAR), CAST(amount AS CHAR), currency, CAST(status AS CHAR), note,
                 DATE_FORMAT(settled_at, '%Y-%m-%d %H:%i:%s.%f'), fx_rate,
                 DATE_FORMAT(created_at, '%Y-%m-%d %H:%i:%s.%f'),
                 DATE_FORMAT(updated_at, '%Y-%m-%d %H:%i:%s.%f')
          FROM ${schema}.settlement ORDER BY id`,
    rowsAsArray: true,
  });
  return (rows as unknown[][]).map(
    (row) => row.map((value) => (value === null ? null : String(value))) as string[],
  );
}

/** Target rows formatted by PostgreSQL into the same canonical text. */
export async function targetRowsAsText(schema: string): Promise<string[][]> {
  const client = await createTestPgClient(inject("sluiceServices").postgres);
  try {
    await client.query("SET TIME ZONE 'UTC'");
    const result = await client.query({
      text: `SELECT id::text, merchant_id::text, amount::text, currency, status, note,
                    to_char(settled_at, 'YYYY-MM-DD HH24:MI:SS.US'), fx_rate::text,
                    to_char(created_at, 'YYYY-MM-DD HH24:MI:SS.US'), to_char(updated_at, 'YYYY-MM-DD HH24:MI:SS.US')
             FROM "${schema}"."settlement" AS s ORDER BY s.id`,
      rowMode: "array",
    });
    return result.rows as string[][];
  } finally {
    await client.end();
  }
}

/** Doubles are compared as numbers (both sides print shortest forms, but not always the same one). */
export function normaliseDoubles(rows: string[][]): (string | number | null)[][] {
  return rows.map((row) =>
    row.map((value, index) => (index === 7 && value !== null ? Number(value) : value)),
  );
}
