import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestMysqlConnection, createTestPgClient } from "@sluice/test-services";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { sluice } from "./cli-harness.js";

const schema = "cli_write_modes";
let connection: Awaited<ReturnType<typeof createTestMysqlConnection>>;
let env: Record<string, string>;

async function warehouse(sql: string): Promise<string[][]> {
  const pg = await createTestPgClient(inject("sluiceServices").postgres);
  try {
    await pg.query("SET TIME ZONE 'UTC'");
    return (await pg.query({ text: sql, rowMode: "array" })).rows as string[][];
  } finally {
    await pg.end();
  }
}

async function source(sql: string): Promise<string[][]> {
  const [rows] = await connection.query({ sql, rowsAsArray: true });
  return rows as string[][];
}

beforeAll(async () => {
  const services = inject("sluiceServices");
  connection = await createTestMysqlConnection(services.mysql);
  await connection.query(`DROP DATABASE IF EXISTS ${schema}; CREATE DATABASE ${schema}; USE ${schema};
    SET time_zone = '+00:00';
    CREATE TABLE events (id INT PRIMARY KEY, status VARCHAR(10), updated_at TIMESTAMP(6) NOT NULL, KEY (updated_at, id));
    INSERT INTO events SELECT seq, 'new', TIMESTAMP('2026-01-01') + INTERVAL seq SECOND FROM seq_1_to_5;
    CREATE TABLE snapshot (id INT PRIMARY KEY, label VARCHAR(10), updated_at TIMESTAMP(6) NOT NULL, KEY (updated_at, id));
    INSERT INTO snapshot SELECT seq, 'v1', TIMESTAMP('2026-01-01') + INTERVAL seq SECOND FROM seq_1_to_3;`);
  await warehouse(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  env = {
    SLUICE_SOURCE_URL: services.mysql.url.replace(/\/[^/]*$/, `/${schema}`),
    SLUICE_LAKE_URL: `file://${await mkdtemp(join(tmpdir(), "sluice-cli-modes-"))}`,
    SLUICE_TARGET_URL: services.postgres.url,
  };
});
afterAll(async () => {
  await connection?.end();
});

describe("write modes per table", () => {
  const append = [
    "sync",
    "-t",
    `${schema}.events`,
    "--write-mode",
    "append",
    "--latest-view-key",
    "id",
    "--latest-view-order",
    "updated_at",
    "--json",
  ];

  it("append keeps every version; the latest view shows the newest row per key", async () => {
    expect((await sluice(append, env)).code).toBe(0);
    await connection.query(
      `UPDATE ${schema}.events SET status = 'paid', updated_at = '2026-01-02 00:00:00' WHERE id IN (2, 4)`,
    );
    const second = await sluice(append, env);
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout).counts).toMatchObject({
      extracted: 2,
      loaded: 2,
      inserted: 2,
      updated: 0,
    });
    const versions = await warehouse(
      `SELECT id::text, status FROM ${schema}.events AS e ORDER BY e.id, e.updated_at`,
    );
    expect(versions).toEqual([
      ["1", "new"],
      ["2", "new"],
      ["2", "paid"],
      ["3", "new"],
      ["4", "new"],
      ["4", "paid"],
      ["5", "new"],
    ]);
    const latest = await warehouse(
      `SELECT id::text, status, to_char(updated_at, 'YYYY-MM-DD HH24:MI:SS.US') FROM ${schema}.events_latest AS v ORDER BY v.id`,
    );
    expect(latest).toEqual(
      await source(
        `SELECT CAST(id AS CHAR), status, DATE_FORMAT(updated_at, '%Y-%m-%d %H:%i:%s.%f') FROM ${schema}.events AS e ORDER BY e.id`,
      ),
    );
  });

  it("a latest view on a merge table, or --verify-data on an append table, is refused up front", async () => {
    const merge = await sluice(
      ["sync", "-t", `${schema}.events`, "--latest-view-key", "id", "--latest-view-order", "updated_at"],
      env,
    );
    expect(merge.code).toBe(2);
    expect(merge.stderr).toContain("the write mode is merge; use --write-mode append");
    const verify = await sluice([...append, "--verify-data"], env);
    expect(verify.code).toBe(2);
    expect(verify.stderr).toContain("an append table keeps every version");
    const half = await sluice([...append.slice(0, 5), "--latest-view-key", "id"], env);
    expect(half.code).toBe(2);
  });

  it("replace: each run's rows replace the table (a full run after reset restores it)", async () => {
    const replace = ["sync", "-t", `${schema}.snapshot`, "--write-mode", "replace"];
    const rows = () => warehouse(`SELECT id::text, label FROM ${schema}.snapshot AS s ORDER BY s.id`);
    expect((await sluice(replace, env)).code).toBe(0);
    expect(await rows()).toEqual([
      ["1", "v1"],
      ["2", "v1"],
      ["3", "v1"],
    ]);
    await connection.query(
      `UPDATE ${schema}.snapshot SET label = 'v2', updated_at = '2026-02-01' WHERE id = 1`,
    );
    expect((await sluice(replace, env)).code).toBe(0);
    // An incremental run carries only what changed: that is what replace keeps.
    expect(await rows()).toEqual([["1", "v2"]]);
    expect((await sluice(["watermark", "reset", "-t", `${schema}.snapshot`], env)).code).toBe(0);
    expect((await sluice(replace, env)).code).toBe(0);
    expect(await rows()).toEqual([
      ["1", "v2"],
      ["2", "v1"],
      ["3", "v1"],
    ]);
  });
});
