import { createTestMysqlConnection, createTestPgClient } from "@sluice/test-services";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { syncTable } from "../src/index.js";
import { localLake, syncOptions } from "./sync-fixture.js";

// MariaDB ALTER TABLE between syncs, loaded into the real PostgreSQL warehouse:
// columns added, widened, dropped, and a change sluice cannot widen.
const schema = "pipeline_evolve";
const table = { schema, table: "Items" };
let source: Awaited<ReturnType<typeof createTestMysqlConnection>>;

beforeAll(async () => {
  source = await createTestMysqlConnection(inject("sluiceServices").mysql);
  await source.query(`DROP DATABASE IF EXISTS ${schema}; CREATE DATABASE ${schema}; USE ${schema};`);
  await source.query(`CREATE TABLE Items (
    ID INT NOT NULL PRIMARY KEY,
    Qty INT NOT NULL,
    amount DECIMAL(10,2) NULL,
    name VARCHAR(50) NULL,
    legacy SMALLINT NOT NULL DEFAULT 0,
    updated_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
    KEY items_updated_at_id (updated_at, ID)
  ) DEFAULT CHARSET=utf8mb4`);
  await source.query(`INSERT INTO Items VALUES
    (1, 10, 10.50, 'one', 7, '2026-01-01 00:00:01'),
    (2, 20, NULL, 'two', 8, '2026-01-01 00:00:02')`);
});
afterAll(async () => {
  const client = await createTestPgClient(inject("sluiceServices").postgres);
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => {});
  await client.end();
  await source?.end();
});

async function warehouse<T extends Record<string, unknown>>(sql: string): Promise<T[]> {
  const client = await createTestPgClient(inject("sluiceServices").postgres);
  try {
    await client.query("SET TIME ZONE 'UTC'");
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

const targetColumns = () =>
  warehouse<{ column_name: string; data_type: string; is_nullable: string }>(
    `SELECT column_name, data_type, is_nullable FROM information_schema.columns
     WHERE table_schema = '${schema}' AND table_name = 'items' ORDER BY ordinal_position`,
  ).then((rows) =>
    rows.map((row) => `${row.column_name} ${row.data_type}${row.is_nullable === "NO" ? " not null" : ""}`),
  );

const targetRows = () =>
  warehouse<Record<string, string | null>>(
    `SELECT id::text, qty::text, amount::text, name, legacy::text, email FROM "${schema}"."items" ORDER BY id`,
  );

describe("schema evolution through syncTable: MariaDB ALTER TABLE between runs", () => {
  it("adds, widens and keeps dropped columns; loads runs staged before the change; stops on an unwidenable change", async () => {
    const lake = await localLake();
    const first = (await syncTable(syncOptions(table, lake)))._unsafeUnwrap();
    expect(first.load?.target).toBe(`${schema}.items`);
    expect(await targetColumns()).toEqual([
      "id integer not null",
      "qty integer not null",
      "amount numeric",
      "name text",
      "legacy smallint not null",
      "updated_at timestamp with time zone",
    ]);

    // A run staged in the old shape but not loaded yet...
    await source.query(`INSERT INTO ${schema}.Items VALUES (3, 30, 3.00, 'three', 9, '2026-01-02 00:00:00')`);
    expect(
      (await syncTable(syncOptions(table, lake, { mode: "backup-only" })))._unsafeUnwrap().extract?.rows,
    ).toBe(1);

    // ...then MySQL changes the table.
    await source.query(`ALTER TABLE ${schema}.Items
      MODIFY Qty BIGINT NOT NULL,
      MODIFY amount DECIMAL(12,2) NULL,
      MODIFY name VARCHAR(200) NULL,
      DROP COLUMN legacy,
      ADD COLUMN email VARCHAR(80) NULL`);
    await source.query(
      `INSERT INTO ${schema}.Items (ID, Qty, amount, name, email, updated_at) VALUES (4, 5000000000, 1234567890.12, '${"long name ".repeat(15)}', 'd@example.com', '2026-01-03 00:00:00')`,
    );
    await source.query(
      `UPDATE ${schema}.Items SET email = 'a@example.com', updated_at = '2026-01-03 00:00:01' WHERE ID = 1`,
    );

    const second = (await syncTable(syncOptions(table, lake)))._unsafeUnwrap();
    expect(second.extract?.rows).toBe(2);
    expect(second.load?.runsLoaded).toBe(2);
    expect(second.notes).toEqual(
      expect.arrayContaining([
        expect.stringContaining("widened qty integer -> bigint"),
        expect.stringContaining("legacy now accepts NULL"),
        expect.stringContaining("added email text"),
      ]),
    );
    expect(await targetColumns()).toEqual([
      "id integer not null",
      "qty bigint not null",
      "amount numeric",
      "name text",
      "legacy smallint",
      "updated_at timestamp with time zone",
      "email text",
    ]);
    const [precision] = await warehouse<{ numeric_precision: number; numeric_scale: number }>(
      `SELECT numeric_precision, numeric_scale FROM information_schema.columns WHERE table_schema = '${schema}' AND table_name = 'items' AND column_name = 'amount'`,
    );
    expect(precision).toEqual({ numeric_precision: 12, numeric_scale: 2 });
    expect(await targetRows()).toEqual([
      // Row 1 was re-extracted after the DROP: the dropped column is NULL for its new version.
      { id: "1", qty: "10", amount: "10.50", name: "one", legacy: null, email: "a@example.com" },
      { id: "2", qty: "20", amount: null, name: "two", legacy: "8", email: null },
      { id: "3", qty: "30", amount: "3.00", name: "three", legacy: "9", email: null },
      {
        id: "4",
        qty: "5000000000",
        amount: "1234567890.12",
        name: "long name ".repeat(15),
        legacy: null,
        email: "d@example.com",
      },
    ]);

    // A change sluice cannot widen: text -> integer.
    await source.query(`UPDATE ${schema}.Items SET email = NULL`);
    await source.query(`ALTER TABLE ${schema}.Items MODIFY email INT NULL`);
    await source.query(
      `INSERT INTO ${schema}.Items (ID, Qty, email, updated_at) VALUES (5, 50, 42, '2026-01-04 00:00:00')`,
    );
    const before = await targetRows();
    const stopped = await syncTable(syncOptions(table, lake));
    const error = stopped._unsafeUnwrapErr();
    expect(error.kind).toBe("schema");
    expect(error.retryable).toBe(false);
    expect(error.message).toContain(`${schema}.Items`);
    expect(error.message).toContain(`column "email" is TEXT but the run carries integer (MySQL int(11))`);
    expect(error.message).toContain(`ALTER TABLE "${schema}"."items" RENAME COLUMN "email" TO "email_old"`);
    expect(await targetRows()).toEqual(before);

    // The operator follows the instructions; the staged runs then load from the lake alone.
    await warehouse(`ALTER TABLE "${schema}"."items" RENAME COLUMN "email" TO "email_old"`);
    const resumed = (await syncTable(syncOptions(table, lake, { mode: "redshift-only" })))._unsafeUnwrap();
    expect(resumed.load?.runsLoaded).toBe(1);
    const [row5] = await warehouse<{ email: string; email_old: string | null }>(
      `SELECT email::text AS email, email_old FROM "${schema}"."items" WHERE id = 5`,
    );
    expect(row5).toEqual({ email: "42", email_old: null });
  });
});
