import { randomUUID } from "node:crypto";
import { createS3ObjectStore } from "@sluice/connectors";
import type { ObjectStore } from "@sluice/core";
import { createTestMysqlConnection, createTestPgClient } from "@sluice/test-services";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { sluice } from "./cli-harness.js";

// Lower case: Redshift folds identifiers.
const schema = "cli_runs";
const table = `${schema}.notes`;
let connection: Awaited<ReturnType<typeof createTestMysqlConnection>>;
let env: Record<string, string>;
let redshiftUrl: string;
let store: ObjectStore;

beforeAll(async () => {
  const services = inject("sluiceServices");
  connection = await createTestMysqlConnection(services.mysql);
  // Row 2 is 70,000 bytes: more than a Redshift VARCHAR holds. A backup-only run stages
  // it whole (the lake stays exact), and then no Redshift load can ever take that run.
  await connection.query(`DROP DATABASE IF EXISTS ${schema}; CREATE DATABASE ${schema}; USE ${schema};
    CREATE TABLE notes (id BIGINT PRIMARY KEY, body LONGTEXT NULL,
      updated_at TIMESTAMP(6) NOT NULL, KEY (updated_at, id)) DEFAULT CHARSET=utf8mb4;
    INSERT INTO notes VALUES (1, 'one', '2026-01-01 00:00:01'), (2, REPEAT('x', 70000), '2026-01-01 00:00:02'),
      (3, 'three 😀', '2026-01-01 00:00:03');`);
  const pg = await createTestPgClient(services.postgres);
  await pg.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await pg.end();
  const { s3 } = services;
  const prefix = `cli-runs-${randomUUID().slice(0, 8)}`;
  store = createS3ObjectStore({
    bucket: s3.bucket,
    prefix,
    endpoint: s3.endpoint,
    region: s3.region,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    forcePathStyle: true,
  });
  redshiftUrl = services.redshift.url;
  env = {
    SLUICE_SOURCE_URL: services.mysql.url.replace(/\/[^/]*$/, `/${schema}`),
    SLUICE_LAKE_URL: `s3://${s3.bucket}/${prefix}`,
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

async function watermark(): Promise<{
  revision: number;
  extract: { lastRunId: string; position: unknown } | null;
}> {
  const result = await sluice(["watermark", "get", "-t", table, "--json"], env);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout);
}

async function runsList(): Promise<{ runId: string; rows: number; loaded: boolean | null }[]> {
  const result = await sluice(["runs", "list", "-t", table, "--target", redshiftUrl, "--json"], env);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout);
}

describe("sluice runs: recovering a run the warehouse cannot load", () => {
  it("lists the stuck runs, drops them with the later one, rewinds, and a re-extract with a new policy loads", async () => {
    const first = await sluice(["sync", "-t", table, "--backup-only", "--json"], env);
    expect(first.code, first.stderr).toBe(0);
    await connection.query(`INSERT INTO ${schema}.notes VALUES (4, 'four', '2026-01-02 00:00:00')`);
    const second = await sluice(["sync", "-t", table, "--backup-only", "--json"], env);
    expect(second.code, second.stderr).toBe(0);
    const [r1, r2] = [JSON.parse(first.stdout).extract.runId, JSON.parse(second.stdout).extract.runId];
    const afterSecond = await watermark();

    // The newest run alone can always go: the position returns to where it started.
    await connection.query(`INSERT INTO ${schema}.notes VALUES (5, 'five', '2026-01-03 00:00:00')`);
    const third = await sluice(["sync", "-t", table, "--backup-only", "--json"], env);
    expect(third.code, third.stderr).toBe(0);
    const r3 = JSON.parse(third.stdout).extract.runId as string;
    const newest = await sluice(["runs", "drop", "-t", table, r3], env);
    expect(newest.code, newest.stderr).toBe(0);
    const rewound = await watermark();
    expect(rewound.extract).toEqual(afterSecond.extract);
    await connection.query(`DELETE FROM ${schema}.notes WHERE id = 5`);

    // The load refuses the first run, naming the column, however often it is retried.
    const load = await sluice(["sync", "-t", table, "--redshift-only", "--target", redshiftUrl], env);
    expect(load.code).not.toBe(0);
    expect(load.stderr).toContain("body");
    expect(load.stderr).toContain("70000");

    expect(await runsList()).toMatchObject([
      { runId: r1, rows: 3, loaded: false },
      { runId: r2, rows: 1, loaded: false },
    ]);
    const before = await watermark();
    expect(before.extract?.lastRunId).toBe(r2);

    // R2 starts from R1's position: dropping R1 alone is refused, naming R2.
    const alone = await sluice(["runs", "drop", "-t", table, r1, "--target", redshiftUrl], env);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toContain(r2);
    expect(alone.stderr).toContain("--cascade");

    const dry = await sluice(["runs", "drop", "-t", table, r1, "--cascade", "--dry-run", "--json"], env);
    expect(dry.code, dry.stderr).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({
      dryRun: true,
      runs: [r1, r2],
      rows: 4,
      positionAfter: null,
    });
    expect((await watermark()).revision).toBe(before.revision);
    expect(await runsList()).toHaveLength(2);

    const dropped = await sluice(
      ["runs", "drop", "-t", table, r1, "--cascade", "--target", redshiftUrl],
      env,
    );
    expect(dropped.code, dropped.stderr).toBe(0);
    expect(dropped.stdout).toContain(`withdrew 2 run(s) holding 4 row(s): ${r1}, ${r2}`);
    const after = await watermark();
    expect(after.extract).toBeNull();
    expect(await runsList()).toEqual([]);
    // Only _state/ and _markers/ remain: no part, manifest or COPY manifest of either run.
    const left = (await store.list(""))._unsafeUnwrap().map((object) => object.key);
    expect(left.filter((key) => !key.startsWith("_state/") && !key.startsWith("_markers/"))).toEqual([]);

    // Re-extract with the policy Redshift needs: every row once, the long one cut.
    const again = await sluice(
      ["sync", "-t", table, "--target", redshiftUrl, "--oversize-text", "truncate", "--json"],
      env,
    );
    expect(again.code, again.stderr).toBe(0);
    const report = JSON.parse(again.stdout);
    expect(report.extract.rows).toBe(4);
    expect(report.extract.truncatedValues).toEqual({ body: 1 });
    const [source] = await connection.query({
      sql: `SELECT CAST(id AS CHAR), LEFT(body, 65535) FROM ${schema}.notes ORDER BY id`,
      rowsAsArray: true,
    });
    const pg = await createTestPgClient(inject("sluiceServices").postgres);
    try {
      const target = await pg.query({
        text: `SELECT id::text, body FROM ${schema}.notes ORDER BY id`,
        rowMode: "array",
      });
      expect(target.rows).toEqual(source);
    } finally {
      await pg.end();
    }

    // A loaded run is the warehouse's: refused.
    const loadedRun = report.extract.runId as string;
    expect(await runsList()).toMatchObject([{ runId: loadedRun, loaded: true }]);
    const refused = await sluice(["runs", "drop", "-t", table, loadedRun, "--target", redshiftUrl], env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("loaded");
  });

  it("--nul-in-text: the default stops before anything is committed; strip loads and counts", async () => {
    await connection.query(`CREATE TABLE ${schema}.nul_notes (id BIGINT PRIMARY KEY, body TEXT,
      updated_at TIMESTAMP(6) NOT NULL, KEY (updated_at, id));
      INSERT INTO ${schema}.nul_notes VALUES (1, 'plain', '2026-01-01'), (2, CONCAT('a', CHAR(0), 'b'), '2026-01-01')`);
    const nulTable = `${schema}.nul_notes`;
    const failed = await sluice(["sync", "-t", nulTable, "--target", redshiftUrl], env);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain("column body");
    expect(failed.stderr).toContain("id=2");
    expect(failed.stderr).toContain("--nul-in-text");
    const state = await sluice(["watermark", "get", "-t", nulTable, "--json"], env);
    expect(JSON.parse(state.stdout || "null")?.extract ?? null).toBeNull();
    const stripped = await sluice(
      ["sync", "-t", nulTable, "--target", redshiftUrl, "--nul-in-text", "strip", "--json"],
      env,
    );
    expect(stripped.code, stripped.stderr).toBe(0);
    expect(JSON.parse(stripped.stdout).extract.nulTextValues).toEqual({ body: 1 });
    const pg = await createTestPgClient(inject("sluiceServices").postgres);
    try {
      const target = await pg.query(`SELECT body FROM ${schema}.nul_notes ORDER BY id`);
      expect(target.rows.map((row) => row.body)).toEqual(["plain", "ab"]);
    } finally {
      await pg.end();
    }
  });
});
