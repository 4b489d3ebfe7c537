import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createLocalObjectStore, createS3ObjectStore } from "@sluice/connectors";
import type { ObjectStore } from "@sluice/core";
import { type FaultPoint, faultPoints } from "@sluice/core/internal";
import { createTestMysqlConnection, createTestPgClient } from "@sluice/test-services";
import { createWatermarkStore } from "@sluice/watermark-store";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

/**
 * Crash recovery, end to end: the built CLI (apps/cli/dist, built by scripts/setup.sh)
 * runs a sync that kills itself with SIGKILL at one stage boundary
 * (SLUICE_FAULT_AT), then runs again without the fault. After the rerun the target
 * must equal the source row for row and the watermark must match what landed.
 */
const cli = join(dirname(fileURLToPath(import.meta.url)), "..", "dist", "main.js");

interface Outcome {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

function runCli(args: string[], env: Record<string, string>): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], {
      env: { PATH: process.env.PATH ?? "", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

let connection: Awaited<ReturnType<typeof createTestMysqlConnection>>;
beforeAll(async () => {
  connection = await createTestMysqlConnection(inject("sluiceServices").mysql);
});
afterAll(async () => {
  await connection?.end();
});

async function warehouseRows(schema: string): Promise<string[][]> {
  const pg = await createTestPgClient(inject("sluiceServices").postgres);
  try {
    await pg.query("SET TIME ZONE 'UTC'");
    const result = await pg.query({
      text: `SELECT id::text, amount::text, note, to_char(updated_at, 'YYYY-MM-DD HH24:MI:SS.US') FROM "${schema}"."orders" AS o ORDER BY o.id`,
      rowMode: "array",
    });
    return result.rows as string[][];
  } finally {
    await pg.end();
  }
}

async function ledgerRows(schema: string): Promise<{ runs: string[]; rows: number }> {
  const pg = await createTestPgClient(inject("sluiceServices").postgres);
  try {
    const result = await pg.query(
      `SELECT run_id, SUM(rows)::int AS rows FROM sluice.sluice_load_ledger WHERE source_table = $1 GROUP BY run_id ORDER BY run_id`,
      [`${schema}.orders`],
    );
    return {
      runs: result.rows.map((row) => row.run_id),
      rows: result.rows.reduce((sum, row) => sum + row.rows, 0),
    };
  } finally {
    await pg.end();
  }
}

async function sourceRows(schema: string): Promise<string[][]> {
  await connection.query("SET time_zone = '+00:00'");
  const [rows] = await connection.query({
    sql: `SELECT CAST(id AS CHAR), CAST(amount AS CHAR), note, DATE_FORMAT(updated_at, '%Y-%m-%d %H:%i:%s.%f') FROM ${schema}.orders AS o ORDER BY o.id`,
    rowsAsArray: true,
  });
  return rows as string[][];
}

const lakes: {
  name: string;
  open: (schema: string) => Promise<{ store: ObjectStore; env: Record<string, string> }>;
}[] = [
  {
    name: "local",
    open: async () => {
      const directory = await mkdtemp(join(tmpdir(), "sluice-crash-"));
      return {
        store: createLocalObjectStore({ directory }),
        env: { SLUICE_LAKE_URL: `file://${directory}` },
      };
    },
  },
  {
    name: "s3",
    open: async (schema) => {
      const { s3 } = inject("sluiceServices");
      const prefix = `crash-${schema}-${randomUUID().slice(0, 8)}`;
      const credentials = { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey };
      return {
        store: createS3ObjectStore({
          bucket: s3.bucket,
          prefix,
          endpoint: s3.endpoint,
          region: s3.region,
          credentials,
          forcePathStyle: true,
        }),
        env: {
          SLUICE_LAKE_URL: `s3://${s3.bucket}/${prefix}`,
          AWS_ENDPOINT_URL_S3: s3.endpoint,
          AWS_REGION: s3.region,
          AWS_ACCESS_KEY_ID: s3.accessKeyId,
          AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
        },
      };
    },
  },
];

const cases = lakes.flatMap((lake) => faultPoints.map((point) => ({ lake, point })));

describe("kill -9 at every stage boundary, rerun: target equals source, watermark matches what landed", () => {
  it.each(cases)(
    "$lake.name lake, killed at $point",
    async ({ lake, point }: { lake: (typeof lakes)[number]; point: FaultPoint }) => {
      const schema = `crash_${lake.name}_${point.replaceAll("-", "_")}`;
      const services = inject("sluiceServices");
      await connection.query(`DROP DATABASE IF EXISTS ${schema}; CREATE DATABASE ${schema}; USE ${schema};
      CREATE TABLE ${schema}.orders (id BIGINT PRIMARY KEY, amount DECIMAL(10,2) NOT NULL, note VARCHAR(40),
        updated_at TIMESTAMP(6) NOT NULL, KEY (updated_at, id));
      INSERT INTO ${schema}.orders SELECT seq, seq * 1.5, ELT(1 + seq % 3, NULL, 'x', 'Grüße'),
        TIMESTAMP('2026-01-01 00:00:00') + INTERVAL seq SECOND FROM seq_1_to_20;`);
      const pg = await createTestPgClient(services.postgres);
      await pg.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await pg.end();
      const { store, env: lakeEnv } = await lake.open(schema);
      const env = {
        ...lakeEnv,
        SLUICE_SOURCE_URL: services.mysql.url.replace(/\/[^/]*$/, `/${schema}`),
        SLUICE_TARGET_URL: services.postgres.url,
      };
      const sync = ["sync", "-t", `${schema}.orders`, "--rows-per-file", "4", "--page-size", "3", "--json"];

      // A clean first run, then changes for the run that gets killed: updates and inserts.
      const first = await runCli(sync, env);
      expect(first.stderr).toBe("");
      expect(first.code).toBe(0);
      await connection.query(`UPDATE ${schema}.orders SET note = 'changed', updated_at = TIMESTAMP('2026-01-02 00:00:00') + INTERVAL id SECOND WHERE id % 4 = 0;
      INSERT INTO ${schema}.orders SELECT 20 + seq, seq, 'new', TIMESTAMP('2026-01-03 00:00:00') + INTERVAL seq SECOND FROM seq_1_to_9;`);

      const markers = async () => (await store.list("_markers/"))._unsafeUnwrap().map((object) => object.key);
      const markersBefore = await markers();
      const killed = await runCli(sync, { ...env, SLUICE_FAULT_AT: point });
      expect(killed.signal).toBe("SIGKILL");
      // Markers are the run's last act: a run killed at any stage boundary wrote none.
      expect(await markers()).toEqual(markersBefore);

      const rerun = await runCli([...sync, "--verify-data"], env);
      expect(rerun.stderr).toBe("");
      expect(rerun.code).toBe(0);
      const report = JSON.parse(rerun.stdout);
      // The dead run's lease was taken over at once (its pid is gone on this host), not after 15 minutes.
      expect(report.notes.join("\n")).toContain("its process is gone");
      expect(report.verification.mismatches).toEqual([]);
      const successes = (await markers()).filter((key) => key.endsWith("/completion_marker.txt"));
      expect(successes.filter((key) => !key.includes("/latest/"))).toHaveLength(2);

      // Row for row, no duplicates, nothing missing.
      const target = await warehouseRows(schema);
      expect(target).toEqual(await sourceRows(schema));
      expect(new Set(target.map((row) => row[0])).size).toBe(target.length);

      // The watermark: extraction at the newest row, load state equal to the ledger.
      const watermark = (await createWatermarkStore(store).read({ schema, table: "orders" }))._unsafeUnwrap();
      expect(watermark?.extract?.position).toEqual({
        cursorValue: "2026-01-03 00:00:09.000000",
        keyValues: ["29"],
      });
      const ledger = await ledgerRows(schema);
      expect(watermark?.load?.lastRunId).toBe(ledger.runs.at(-1));
      expect(watermark?.load?.rowsTotal).toBe(ledger.rows);
      // Every run the lake holds is loaded, and every Parquet part belongs to a run manifest.
      const objects = (await store.list(`${schema}.orders/`))._unsafeUnwrap().map((object) => object.key);
      const manifests = objects.filter((key) => key.endsWith(".json"));
      expect(manifests.map((key) => key.split("/").pop()?.replace(".json", "")).sort()).toEqual(ledger.runs);
      const listed = new Set<string>();
      for (const key of manifests) {
        const manifest = JSON.parse(
          new TextDecoder().decode((await store.get(key))._unsafeUnwrap() ?? new Uint8Array()),
        );
        for (const file of manifest.files) listed.add(file.key);
      }
      expect(objects.filter((key) => key.endsWith(".parquet")).sort()).toEqual([...listed].sort());
      // Cumulative extraction counts the rows every committed run took: 20 + 14 (5 updated, 9 new).
      expect(watermark?.extract?.rowsTotal).toBe(34);
    },
  );
});

describe("append tables: a run killed after staging is never loaded twice", () => {
  it.each(["part-uploaded", "manifest-written", "extract-committed", "before-commit"] as const)(
    "killed at %s, rerun: every version once, the latest view equals the source",
    async (point) => {
      const schema = `crash_append_${point.replaceAll("-", "_")}`;
      const services = inject("sluiceServices");
      await connection.query(`DROP DATABASE IF EXISTS ${schema}; CREATE DATABASE ${schema}; USE ${schema};
        CREATE TABLE ${schema}.orders (id BIGINT PRIMARY KEY, amount DECIMAL(10,2) NOT NULL, note VARCHAR(40),
          updated_at TIMESTAMP(6) NOT NULL, KEY (updated_at, id));
        INSERT INTO ${schema}.orders SELECT seq, seq * 1.5, 'v1', TIMESTAMP('2026-01-01 00:00:00') + INTERVAL seq SECOND
          FROM seq_1_to_12;`);
      const pg = await createTestPgClient(services.postgres);
      await pg.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await pg.end();
      const directory = await mkdtemp(join(tmpdir(), "sluice-crash-append-"));
      const env = {
        SLUICE_LAKE_URL: `file://${directory}`,
        SLUICE_SOURCE_URL: services.mysql.url.replace(/\/[^/]*$/, `/${schema}`),
        SLUICE_TARGET_URL: services.postgres.url,
      };
      const sync = [
        ...["sync", "-t", `${schema}.orders`, "--rows-per-file", "4", "--write-mode", "append"],
        ...["--latest-view-key", "id", "--latest-view-order", "updated_at", "--json"],
      ];
      expect((await runCli(sync, env)).code).toBe(0);
      await connection.query(
        `UPDATE ${schema}.orders SET note = 'v2', updated_at = TIMESTAMP('2026-01-02 00:00:00') + INTERVAL id SECOND WHERE id % 3 = 0`,
      );
      expect((await runCli(sync, { ...env, SLUICE_FAULT_AT: point })).signal).toBe("SIGKILL");
      const rerun = await runCli(sync, env);
      expect(rerun.stderr).toBe("");
      expect(rerun.code).toBe(0);

      const client = await createTestPgClient(services.postgres);
      try {
        // 12 first versions + 4 updated: each version exactly once.
        const versions = await client.query(
          `SELECT id, note, COUNT(*)::int AS n FROM "${schema}"."orders" GROUP BY id, note ORDER BY id, note`,
        );
        expect(versions.rows.length).toBe(16);
        expect(versions.rows.every((row) => row.n === 1)).toBe(true);
        await client.query("SET TIME ZONE 'UTC'");
        const latest = await client.query({
          text: `SELECT id::text, amount::text, note, to_char(updated_at, 'YYYY-MM-DD HH24:MI:SS.US') FROM "${schema}"."orders_latest" AS v ORDER BY v.id`,
          rowMode: "array",
        });
        expect(latest.rows).toEqual(await sourceRows(schema));
      } finally {
        await client.end();
      }
    },
  );
});
