import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLocalObjectStore } from "@sluice/connectors";
import { createTestMysqlConnection, createTestPgClient } from "@sluice/test-services";
import { createLeaseStore, leaseHolderFor } from "@sluice/watermark-store";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { sluice } from "./cli-harness.js";

const schema = "cli_watermarks";
const table = `${schema}.orders`;
let connection: Awaited<ReturnType<typeof createTestMysqlConnection>>;
let env: Record<string, string>;
let lakeDir: string;

beforeAll(async () => {
  const services = inject("sluiceServices");
  connection = await createTestMysqlConnection(services.mysql);
  await connection.query(`DROP DATABASE IF EXISTS ${schema}; CREATE DATABASE ${schema}; USE ${schema};
    CREATE TABLE orders (id BIGINT PRIMARY KEY, total DECIMAL(10,2), note VARCHAR(40),
      updated_at TIMESTAMP(6) NOT NULL, KEY (updated_at, id));
    INSERT INTO orders VALUES (1, 9.99, 'a', '2026-01-01 00:00:01'), (2, 19.99, 'b', '2026-01-01 00:00:02'),
      (3, 29.99, 'c', '2026-01-01 00:00:03');`);
  const pg = await createTestPgClient(services.postgres);
  await pg.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await pg.end();
  lakeDir = await mkdtemp(join(tmpdir(), "sluice-cli-wm-"));
  env = {
    SLUICE_SOURCE_URL: services.mysql.url.replace(/\/[^/]*$/, `/${schema}`),
    SLUICE_LAKE_URL: `file://${lakeDir}`,
    SLUICE_TARGET_URL: services.postgres.url,
  };
});
afterAll(async () => {
  await connection?.end();
});

async function targetCount(): Promise<number> {
  const pg = await createTestPgClient(inject("sluiceServices").postgres);
  try {
    return Number((await pg.query(`SELECT COUNT(*) AS n FROM ${schema}.orders`)).rows[0].n);
  } finally {
    await pg.end();
  }
}

describe("sluice watermark and watermark-count commands (MariaDB -> local lake -> PostgreSQL)", () => {
  it("get: nothing yet, then session and cumulative counts apart, staged files and their load state", async () => {
    const empty = await sluice(["watermark", "get", "-t", table], env);
    expect(empty.code).toBe(0);
    expect(empty.stdout).toContain("no watermark yet");

    expect((await sluice(["sync", "-t", table], env)).code).toBe(0);
    await connection.query(
      `UPDATE ${schema}.orders SET note = 'a2', updated_at = '2026-01-02 00:00:00' WHERE id = 1`,
    );
    const second = await sluice(["sync", "-t", table, "--json"], env);
    expect(second.code).toBe(0);
    const report = JSON.parse(second.stdout);
    expect(report.counts).toEqual({
      extracted: 1,
      staged: 1,
      loaded: 1,
      inserted: 0,
      updated: 1,
      deleted: 0,
    });
    expect(report.cumulative).toEqual({ extracted: 4, loaded: 4 });

    const text = await sluice(["watermark", "get", "-t", table], env);
    expect(text.stdout).toContain("rows extracted: last run 1 | cumulative 4");
    expect(text.stdout).toContain("rows loaded: last run 1 | cumulative 4");
    expect(text.stdout).toContain("up to (2026-01-02 00:00:00.000000, 1)");

    const files = await sluice(["watermark", "get", "-t", table, "--show-files", "--json"], env);
    const shown = JSON.parse(files.stdout);
    expect(shown.watermark.extract.rowsTotal).toBe(4);
    expect(shown.stagedRuns.map((run: { rows: number }) => run.rows)).toEqual([3, 1]);
    expect(shown.stagedRuns.every((run: { loaded: unknown }) => run.loaded !== null)).toBe(true);

    // A backup-only run stages a run the warehouse lacks: --show-files says so.
    await connection.query(`INSERT INTO ${schema}.orders VALUES (4, 1.00, 'd', '2026-01-03 00:00:00')`);
    expect((await sluice(["sync", "--backup-only", "-t", table], env)).code).toBe(0);
    const pending = await sluice(["watermark", "get", "-t", table, "--show-files"], env);
    expect(pending.stdout).toMatch(/run \S+: 1 rows in 1 file\(s\) {2}NOT LOADED/);
    expect(pending.stdout.match(/file\(s\) {2}loaded at/g)).toHaveLength(2);

    const list = await sluice(["watermark", "list"], env);
    expect(list.stdout).toContain(`${table}\textracted up to (2026-01-03 00:00:00.000000, 4)`);
    expect(list.stdout).toContain("(1 rows; cumulative 5)");
  });

  it("validate-counts explains updates counted twice, staged-not-loaded runs and source deletions", async () => {
    const staged = await sluice(["watermark-count", "validate-counts", "-t", table], env);
    expect(staged.code).toBe(1);
    expect(staged.stdout).toContain("source rows now: 4");
    expect(staged.stdout).toContain("target rows now: 3");
    expect(staged.stdout).toContain("1 row(s) in 1 run(s) are staged in the lake but not loaded");
    expect(staged.stdout).toContain("covered by the staged and pending rows above");

    expect((await sluice(["sync", "--redshift-only", "-t", table], env)).code).toBe(0);
    const updated = await sluice(["watermark-count", "validate-counts", "-t", table, "--json"], env);
    expect(updated.code).toBe(0);
    const counts = JSON.parse(updated.stdout);
    expect(counts).toMatchObject({ sourceRows: 4, targetRows: 4, consistent: true, ledgerRows: 5 });
    expect(counts.watermark).toEqual({
      extractedLastRun: 1,
      extractedTotal: 5,
      loadedLastRun: 1,
      loadedTotal: 5,
    });
    expect(counts.explanations.join("\n")).toContain("updated rows are counted twice");

    await connection.query(`DELETE FROM ${schema}.orders WHERE id = 2`);
    const deleted = await sluice(["watermark-count", "validate-counts", "-t", table], env);
    expect(deleted.code).toBe(1);
    expect(deleted.stdout).toContain("rows deleted in the source stay in the target");
    await connection.query(`INSERT INTO ${schema}.orders VALUES (2, 19.99, 'b', '2026-01-01 00:00:02')`);
  });

  it("set-count corrects the cumulative count only, absolute and additive", async () => {
    const absolute = await sluice(
      ["watermark-count", "set-count", "-t", table, "--count", "4", "--mode", "absolute"],
      env,
    );
    expect(absolute.code).toBe(0);
    expect(absolute.stdout).toContain("cumulative extract count 5 -> 4");
    const additive = await sluice(
      [
        "watermark-count",
        "set-count",
        "-t",
        table,
        "--count",
        "-1",
        "--mode",
        "additive",
        "--stage",
        "load",
        "--json",
      ],
      env,
    );
    const doc = JSON.parse(additive.stdout);
    expect(doc.load.rowsTotal).toBe(4);
    expect(doc.load.rowsLastRun).toBe(1);
    expect(doc.extract.rowsTotal).toBe(4);
    expect(doc.lastOverride.count).toEqual({
      stage: "load",
      mode: "additive",
      given: -1,
      before: 5,
      after: 4,
    });
    const bad = await sluice(
      ["watermark-count", "set-count", "-t", table, "--count", "x", "--mode", "absolute"],
      env,
    );
    expect(bad.code).toBe(2);
  });

  it("set and reset are refused while a run holds the table; set moves the cursor; reset keeps a backup", async () => {
    const lake = createLocalObjectStore({ directory: lakeDir });
    const leases = createLeaseStore(lake);
    const ref = { schema, table: "orders" };
    const busy = (
      await leases.acquire(
        ref,
        leaseHolderFor("20260101T000000000Z-busy", { host: "airflow-worker-3", pid: 777 }),
      )
    )._unsafeUnwrap();
    for (const args of [
      ["watermark", "set", "-t", table, "--timestamp", "2026-01-01 00:00:02", "--id", "2"],
      ["watermark", "reset", "-t", table],
    ]) {
      const refused = await sluice(args, env);
      expect(refused.code).toBe(4);
      expect(refused.stderr).toContain(
        "is held by run 20260101T000000000Z-busy on airflow-worker-3 (pid 777)",
      );
    }
    (await busy.release())._unsafeUnwrap();

    const set = await sluice(
      ["watermark", "set", "-t", table, "--timestamp", "2026-01-01 00:00:02", "--id", "2"],
      env,
    );
    expect(set.code).toBe(0);
    expect(set.stdout).toContain(
      "watermark set to (2026-01-01 00:00:02, 2) (was (2026-01-03 00:00:00.000000, 4))",
    );
    const bad = await sluice(["watermark", "set", "-t", table, "--timestamp", "yesterday"], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("is not a cursor value");
    // The next run takes the rows after (00:00:02, id 2): ids 3, 1 and 4; id 2 sits at the position.
    const rerun = JSON.parse((await sluice(["sync", "-t", table, "--json"], env)).stdout);
    expect(rerun.extract.rows).toBe(3);
    expect(await targetCount()).toBe(4);

    const before = await readFile(join(lakeDir, `_state/${table}/watermark.json`), "utf8");
    const reset = await sluice(["watermark", "reset", "-t", table, "--json"], env);
    expect(reset.code).toBe(0);
    const outcome = JSON.parse(reset.stdout);
    expect(outcome.document.extract).toBeNull();
    expect(outcome.document.lastOverride.backupKey).toBe(outcome.backupKey);
    expect(await readFile(join(lakeDir, outcome.backupKey), "utf8")).toBe(before);
    // After the reset every row is extracted again; the merge keeps one row per key.
    const again = JSON.parse((await sluice(["sync", "-t", table, "--json"], env)).stdout);
    expect(again.extract.rows).toBe(4);
    expect(await targetCount()).toBe(4);
  });

  it("force-reset breaks a live lease with a warning and removes what that run staged uncommitted", async () => {
    const lake = createLocalObjectStore({ directory: lakeDir });
    const runId = "20260105T101010123Z-stuck";
    const ref = { schema, table: "orders" };
    (
      await createLeaseStore(lake).acquire(ref, leaseHolderFor(runId, { host: "worker-9", pid: 9 }))
    )._unsafeUnwrap();
    const part = `${table}/year=2026/month=01/day=05/hour=10/${runId}_batch_0001.parquet`;
    (await lake.put(part, "not really parquet"))._unsafeUnwrap();
    (await lake.put(`${table}/_manifests/${runId}.json`, "{}"))._unsafeUnwrap();

    const forced = await sluice(["watermark", "force-reset", "-t", table], env);
    expect(forced.code).toBe(0);
    expect(forced.stderr).toContain(`sluice: warning: broke the lease of run ${runId} on worker-9 (pid 9)`);
    expect(forced.stdout).toContain("watermark reset");
    expect((await lake.head(part))._unsafeUnwrap()).toBeNull();
    expect((await lake.head(`${table}/_manifests/${runId}.json`))._unsafeUnwrap()).toBeNull();
    const lease = (await createLeaseStore(lake).read(ref))._unsafeUnwrap();
    expect(lease?.releasedAt).not.toBeNull();
  });
});
