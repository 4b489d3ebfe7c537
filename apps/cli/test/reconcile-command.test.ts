import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestMysqlConnection, createTestPgClient } from "@sluice/test-services";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { sluice } from "./cli-harness.js";

const schema = "cli_reconcile";
let connection: Awaited<ReturnType<typeof createTestMysqlConnection>>;
let env: Record<string, string>;

async function warehouse(sql: string): Promise<string[][]> {
  const pg = await createTestPgClient(inject("sluiceServices").postgres);
  try {
    const result = await pg.query({ text: sql, rowMode: "array" });
    return (result.rows ?? []) as string[][];
  } finally {
    await pg.end();
  }
}

beforeAll(async () => {
  const services = inject("sluiceServices");
  connection = await createTestMysqlConnection(services.mysql);
  await connection.query(`DROP DATABASE IF EXISTS ${schema}; CREATE DATABASE ${schema}; USE ${schema};
    CREATE TABLE orders (id INT PRIMARY KEY, v INT NOT NULL, updated_at TIMESTAMP(6) NOT NULL, KEY (updated_at, id));
    INSERT INTO orders SELECT seq, seq, TIMESTAMP('2026-01-01 00:00:00') + INTERVAL seq SECOND FROM seq_1_to_300;`);
  await warehouse(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  env = {
    SLUICE_SOURCE_URL: services.mysql.url.replace(/\/[^/]*$/, `/${schema}`),
    SLUICE_LAKE_URL: `file://${await mkdtemp(join(tmpdir(), "sluice-cli-reconcile-"))}`,
    SLUICE_TARGET_URL: services.postgres.url,
  };
});
afterAll(async () => {
  await connection?.end();
});

describe("sluice reconcile and sync --reconcile-deletes", () => {
  it("flags, then hard-deletes, rows deleted in MySQL; bad flags exit 2", async () => {
    expect((await sluice(["sync", "-t", `${schema}.orders`], env)).code).toBe(0);
    await connection.query(`DELETE FROM ${schema}.orders WHERE id IN (1, 150, 300)`);

    const soft = await sluice(["reconcile", "-t", `${schema}.orders`, "--json"], env);
    expect(soft.stderr).toBe("");
    expect(soft.code).toBe(0);
    const report = JSON.parse(soft.stdout) as { reconcile: { keysDeleted: number; mode: string } };
    expect(report.reconcile).toMatchObject({ keysDeleted: 3, mode: "soft" });
    expect(
      await warehouse(`SELECT id FROM ${schema}.orders WHERE _sluice_deleted_at IS NOT NULL ORDER BY id`),
    ).toEqual([[1], [150], [300]]);

    await connection.query(`DELETE FROM ${schema}.orders WHERE id = 7`);
    const hard = await sluice(
      ["sync", "-t", `${schema}.orders`, "--reconcile-deletes", "every", "--delete-mode", "hard"],
      env,
    );
    expect(hard.code).toBe(0);
    expect(hard.stdout).toMatch(
      /reconciliation \(hard\) of cli_reconcile\.orders: .* queries .*; 4 deleted, 0 missing/,
    );
    expect(await warehouse(`SELECT count(*)::int FROM ${schema}.orders`)).toEqual([[296]]);

    // Within the cadence: no second reconciliation.
    const later = await sluice(
      ["sync", "-t", `${schema}.orders`, "--reconcile-deletes", "24h", "--json"],
      env,
    );
    expect(later.code).toBe(0);
    expect(JSON.parse(later.stdout).reconcile).toBeUndefined();
    const watermark = JSON.parse(
      (await sluice(["watermark", "get", "-t", `${schema}.orders`, "--json"], env)).stdout,
    );
    expect(watermark.reconcile).toMatchObject({ mode: "hard", keysDeleted: 4 });

    const bad = await sluice(["sync", "-t", `${schema}.orders`, "--reconcile-deletes", "weekly"], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--reconcile-deletes must be off, every, or a number of hours/);
  }, 60_000);
});
