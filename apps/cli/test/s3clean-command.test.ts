import { randomUUID } from "node:crypto";
import { createS3ObjectStore } from "@sluice/connectors";
import type { ObjectStore } from "@sluice/core";
import { createTestMysqlConnection, createTestPgClient } from "@sluice/test-services";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { sluice } from "./cli-harness.js";

const schema = "cli_s3clean";
const table = `${schema}.orders`;
let connection: Awaited<ReturnType<typeof createTestMysqlConnection>>;
let env: Record<string, string>;
let store: ObjectStore;

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
  await pg
    .query(`DELETE FROM sluice.sluice_load_ledger WHERE source_table = $1`, [table])
    .catch(() => undefined);
  await pg.end();
  const { s3 } = services;
  const prefix = `cli-s3clean-${randomUUID().slice(0, 8)}`;
  store = createS3ObjectStore({
    bucket: s3.bucket,
    prefix,
    endpoint: s3.endpoint,
    region: s3.region,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    forcePathStyle: true,
  });
  env = {
    SLUICE_SOURCE_URL: services.mysql.url.replace(/\/[^/]*$/, `/${schema}`),
    SLUICE_LAKE_URL: `s3://${s3.bucket}/${prefix}`,
    SLUICE_TARGET_URL: services.postgres.url,
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    AWS_REGION: s3.region,
    AWS_ACCESS_KEY_ID: s3.accessKeyId,
    AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
  };
});
afterAll(async () => {
  await connection?.end();
  store?.close?.();
});

/**
 * Every object with its size, but the lease: s3clean holds the table's lease while it
 * plans and deletes (as any writer does), so lease.json is rewritten; nothing else in
 * _state/ may change.
 */
async function lakeObjects(prefix = ""): Promise<Map<string, number>> {
  const objects = (await store.list(prefix))._unsafeUnwrap().filter((o) => !o.key.endsWith("/lease.json"));
  return new Map(objects.map((object) => [object.key, object.sizeBytes]));
}

async function ledgerRuns(): Promise<string[]> {
  const pg = await createTestPgClient(inject("sluiceServices").postgres);
  try {
    const result = await pg.query(
      "SELECT DISTINCT run_id FROM sluice.sluice_load_ledger WHERE source_table = $1 ORDER BY run_id",
      [table],
    );
    return result.rows.map((row) => row.run_id);
  } finally {
    await pg.end();
  }
}

async function update(id: number, note: string, at: string) {
  await connection.query(`UPDATE ${schema}.orders SET note = ?, updated_at = ? WHERE id = ?`, [note, at, id]);
}

describe("sluice s3clean (MariaDB -> S3 stand-in -> PostgreSQL)", () => {
  it("lists, refuses unloaded runs, deletes exactly what the dry run listed, keeps _state and the newest run", async () => {
    // Runs A and B loaded; C and D only staged (backup-only); D is the watermark's last run.
    expect((await sluice(["sync", "-t", table], env)).code).toBe(0);
    await update(1, "a2", "2026-01-02 00:00:00");
    expect((await sluice(["sync", "-t", table], env)).code).toBe(0);
    await update(2, "b2", "2026-01-03 00:00:00");
    expect((await sluice(["sync", "-t", table, "--backup-only"], env)).code).toBe(0);
    await update(3, "c2", "2026-01-04 00:00:00");
    expect((await sluice(["sync", "-t", table, "--backup-only"], env)).code).toBe(0);

    // list: sizes and counts equal what the store itself holds under the table's folder.
    const listed = await sluice(["s3clean", "list", "-t", table, "--json"], env);
    expect(listed.code).toBe(0);
    const [usage] = JSON.parse(listed.stdout);
    const tableObjects = await lakeObjects(`${table}/`);
    expect(usage.objects).toBe(tableObjects.size);
    expect(usage.bytes).toBe([...tableObjects.values()].reduce((sum, size) => sum + size, 0));
    expect(usage.runs).toHaveLength(4);
    const runIds: string[] = usage.runs.map((run: { runId: string }) => run.runId);
    expect(usage.runs.map((run: { loaded: unknown }) => run.loaded !== null)).toEqual([
      true,
      true,
      false,
      false,
    ]);
    const every = await sluice(["s3clean", "list", "--show-timestamps"], env);
    expect(every.code).toBe(0);
    expect(every.stdout).toMatch(new RegExp(`^${table}\\t4 run\\(s\\) \\(2 loaded, 2 not loaded\\)\\t`, "m"));
    for (const runId of runIds) expect(every.stdout).toContain(runId);
    expect(every.stdout).not.toMatch(/_state|_markers/);

    const before = await lakeObjects();
    const state = (await store.get(`_state/${table}/watermark.json`))._unsafeUnwrap();

    // Without --force the unloaded run C is refused, and nothing at all is deleted.
    const refused = await sluice(["s3clean", "clean", "-t", table, "--older-than", "0m"], env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("1 run(s) selected for cleaning hold 1 row(s)");
    expect(refused.stderr).toContain(runIds[2]);
    expect(refused.stderr).toContain("--force");
    expect(await lakeObjects()).toEqual(before);
    const dryRefused = await sluice(
      ["s3clean", "clean", "-t", table, "--older-than", "0m", "--dry-run"],
      env,
    );
    expect(dryRefused.code).toBe(2);

    // The dry run lists exactly what the clean then deletes.
    const dry = await sluice(
      ["s3clean", "clean", "-t", table, "--older-than", "0m", "--force", "--dry-run", "--json"],
      env,
    );
    expect(dry.code).toBe(0);
    const [plan] = JSON.parse(dry.stdout);
    const planned = [...plan.keys.runManifests, ...plan.keys.rest].sort();
    expect(plan.runs.map((run: { runId: string }) => run.runId)).toEqual(runIds.slice(0, 3));
    expect(plan.keptNewerThanWatermark).toBe(1);
    expect(await lakeObjects()).toEqual(before);

    const clean = await sluice(["s3clean", "clean", "-t", table, "--older-than", "0m", "--force"], env);
    expect(clean.code).toBe(0);
    expect(clean.stdout).toContain(`${table}: deleted 3 run(s), ${planned.length} object(s)`);
    expect(clean.stdout).toContain("lost 1 row(s) in 1 run(s) the warehouse had not loaded");
    const after = await lakeObjects();
    const gone = [...before.keys()].filter((key) => !after.has(key)).sort();
    expect(gone).toEqual(planned);
    expect([...after.keys()].filter((key) => !before.has(key))).toEqual([]);
    // _state and _markers untouched, byte for byte.
    expect((await store.get(`_state/${table}/watermark.json`))._unsafeUnwrap()).toEqual(state);
    for (const [key, size] of before) {
      if (key.startsWith("_state/") || key.startsWith("_markers/")) expect(after.get(key)).toBe(size);
    }

    // The manifests stay true: only D is staged, and loading from the lake loads D once and nothing twice.
    const files = JSON.parse(
      (await sluice(["watermark", "get", "-t", table, "--show-files", "--json"], env)).stdout,
    );
    expect(files.stagedRuns.map((run: { runId: string }) => run.runId)).toEqual([runIds[3]]);
    const load = await sluice(["sync", "-t", table, "--redshift-only", "--json"], env);
    expect(load.code).toBe(0);
    expect(JSON.parse(load.stdout).load).toMatchObject({ runsLoaded: 1, runIds: [runIds[3]] });
    const again = await sluice(["sync", "-t", table, "--redshift-only", "--json"], env);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).load.runsLoaded).toBe(0);
    expect(await ledgerRuns()).toEqual([runIds[0], runIds[1], runIds[3]]);
  });

  it("refuses a backup-only lake without --target unless --force, and clean-all without --older-than", async () => {
    // A new last run E, so the run before it (loaded, but no ledger is asked) can be selected.
    await update(1, "a3", "2026-01-05 00:00:00");
    expect((await sluice(["sync", "-t", table, "--backup-only"], env)).code).toBe(0);
    const noTarget = { ...env, SLUICE_TARGET_URL: "" };
    const before = await lakeObjects();
    const refused = await sluice(["s3clean", "clean-all", "--older-than", "0m"], noTarget);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("no --target was given");
    expect(await lakeObjects()).toEqual(before);
    const forced = await sluice(["s3clean", "clean-all", "--older-than", "0m", "--force"], noTarget);
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain(`${table}: deleted 1 run(s)`);
    expect(forced.stdout).toContain("is not known to have loaded (no --target)");
    const needsAge = await sluice(["s3clean", "clean-all"], env);
    expect(needsAge.code).toBe(2);
    expect(needsAge.stderr).toContain("--older-than");
    const badAge = await sluice(["s3clean", "clean", "-t", table, "--older-than", "7 weeks"], env);
    expect(badAge.code).toBe(2);
    // -p reads the pipeline file's tables: a missing file is named, with the two ways to give one.
    const pipeline = await sluice(["s3clean", "clean", "-p", "nightly"], env);
    expect(pipeline.code).toBe(2);
    expect(pipeline.stderr).toContain("pipelines/nightly.yml does not exist");
    const badSince = await sluice(["sync", "-t", table, "--redshift-only", "--since", "yesterday"], env);
    expect(badSince.code).toBe(2);
    expect(badSince.stderr).toContain("--since");
    // --since in the future leaves the staged run E unloaded and says so; without it, E loads.
    const future = await sluice(
      ["sync", "-t", table, "--redshift-only", "--since", "2099-01-01 00:00:00", "--json"],
      env,
    );
    expect(future.code).toBe(0);
    const skipped = JSON.parse(future.stdout);
    expect(skipped.load.runsLoaded).toBe(0);
    expect(skipped.notes.join("\n")).toMatch(
      /left 1 staged run\(s\) of cli_s3clean\.orders that started before --since 2099-01-01T00:00:00\.000Z unloaded \(1 rows\)/,
    );
    const plain = await sluice(["sync", "-t", table, "--redshift-only", "--json"], env);
    expect(plain.code).toBe(0);
    expect(JSON.parse(plain.stdout).load.runsLoaded).toBe(1);
  });
});
