import { randomUUID } from "node:crypto";
import { createS3ObjectStore } from "@sluice/connectors";
import { type ObjectStore, sluiceError } from "@sluice/core";
import type { FaultPoint } from "@sluice/core/internal";
import { createWarehouse, parseWarehouseUrl } from "@sluice/redshift-loader";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { syncTable, writePipelineMarkers } from "../src/index.js";
import {
  createSettlementSource,
  insertRows,
  localLake,
  normaliseDoubles,
  sourceRowsAsText,
  syncOptions,
  targetRowsAsText,
} from "./sync-fixture.js";

const schema = "pipeline_markers";
const table = { schema, table: "settlement" };
const folder = `_markers/${schema}.settlement/`;
let source: Awaited<ReturnType<typeof createSettlementSource>>;

beforeAll(async () => {
  source = await createSettlementSource(schema, 2_000);
});
afterAll(async () => {
  await source?.end();
});

function s3Lake(): ObjectStore {
  const { s3 } = inject("sluiceServices");
  return createS3ObjectStore({
    bucket: s3.bucket,
    prefix: `pipeline-markers-${randomUUID()}`,
    endpoint: s3.endpoint,
    region: s3.region,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    forcePathStyle: true,
  });
}

async function markerKeys(lake: ObjectStore): Promise<string[]> {
  return (await lake.list("_markers/"))._unsafeUnwrap().map((object) => object.key);
}

async function readJson(lake: ObjectStore, key: string) {
  const body = (await lake.get(key))._unsafeUnwrap();
  if (!body) throw new Error(`${key} missing`);
  return JSON.parse(new TextDecoder().decode(body));
}

async function readText(lake: ObjectStore, key: string): Promise<string | null> {
  const body = (await lake.get(key))._unsafeUnwrap();
  return body ? new TextDecoder().decode(body) : null;
}

/** A hook that records, at every stage boundary, which marker keys already exist. */
function markerSpy(lake: ObjectStore) {
  const seen: { point: FaultPoint; keys: string[] }[] = [];
  return {
    seen,
    hook: async (point: FaultPoint) => {
      seen.push({ point, keys: await markerKeys(lake) });
    },
  };
}

describe("completion markers", () => {
  it("backup-only: written after staging and the watermark, on the S3 stand-in", async () => {
    const lake = s3Lake();
    const spy = markerSpy(lake);
    const report = (
      await syncTable(syncOptions(table, lake, { mode: "backup-only", faultHook: spy.hook }))
    )._unsafeUnwrap();
    const runId = report.extract?.runId ?? "";
    // Every stage boundary was passed before any marker existed.
    expect(spy.seen.map((entry) => entry.point)).toContain("extract-committed");
    expect(spy.seen.every((entry) => entry.keys.length === 0)).toBe(true);

    const date = `${runId.slice(0, 4)}-${runId.slice(4, 6)}-${runId.slice(6, 8)}`;
    const dated = `${folder}${date}/${runId}/`;
    expect(await markerKeys(lake)).toEqual(
      [
        `${dated}completion_marker.txt`,
        `${dated}execution_metadata.json`,
        `${dated}table_metrics.json`,
        `${folder}latest/completion_marker.txt`,
        `${folder}latest/execution_metadata.json`,
        `${folder}latest/table_metrics.json`,
      ].sort(),
    );
    const metadata = await readJson(lake, `${dated}execution_metadata.json`);
    expect(metadata).toMatchObject({
      execution_id: runId,
      sluice_run_id: runId,
      table: `${schema}.settlement`,
      mode: "backup-only",
      status: "success",
      error: null,
      manifest_key: report.extract?.manifestKey,
      summary: { success_count: 1, failure_count: 0, total_rows_processed: 2_000 },
    });
    const result = metadata.table_results[`${schema}.settlement`];
    expect(result).toMatchObject({
      status: "success",
      rows_extracted: 2_000,
      rows_loaded: 0,
      files_created: report.extract?.files,
      bytes_written: report.extract?.bytes,
      cumulative_rows_extracted: 2_000,
      manifest_uri: lake.uriFor(report.extract?.manifestKey ?? ""),
    });
    expect(Date.parse(metadata.end_time)).toBeGreaterThanOrEqual(Date.parse(metadata.start_time));
    expect(await readText(lake, `${dated}completion_marker.txt`)).toMatch(
      new RegExp(`^SYNC_COMPLETED\nRun: ${runId}\nTable: ${schema}.settlement\nStatus: SUCCESS\n`),
    );
    expect(await readJson(lake, `${folder}latest/execution_metadata.json`)).toEqual(metadata);
    const metrics = await readJson(lake, `${dated}table_metrics.json`);
    expect(metrics.tables[0].s3_metrics.total_size_bytes).toBe(report.extract?.bytes);
    expect(metrics.tables[0].redshift_metrics).toBeNull();
  });

  it("sync: written after the warehouse commit, with loaded and cumulative counts", async () => {
    const lake = await localLake();
    const spy = markerSpy(lake);
    const report = (await syncTable(syncOptions(table, lake, { faultHook: spy.hook })))._unsafeUnwrap();
    expect(spy.seen.map((entry) => entry.point)).toContain("load-committed");
    expect(spy.seen.every((entry) => entry.keys.length === 0)).toBe(true);
    const metadata = await readJson(lake, `${folder}latest/execution_metadata.json`);
    expect(metadata.sluice_run_id).toBe(report.extract?.runId);
    expect(metadata.table_results[`${schema}.settlement`]).toMatchObject({
      status: "success",
      rows_processed: report.counts?.loaded,
      rows_loaded: report.counts?.loaded,
      runs_loaded: report.load?.runIds,
      cumulative_rows_loaded: report.cumulative?.loaded,
    });
    expect(report.counts?.loaded).toBeGreaterThan(0);
    const metrics = await readJson(lake, `${folder}latest/table_metrics.json`);
    expect(metrics.tables[0].redshift_metrics.rows_loaded).toBe(report.counts?.loaded);
  });

  it("a run stopped at any stage boundary leaves no success marker; a failure marker names the error, redacted", async () => {
    const lake = s3Lake();
    await insertRows(source, 30, "2026-04-01 00:00:00");
    // One successful run first, so `latest/completion_marker.txt` exists and must go.
    (await syncTable(syncOptions(table, lake)))._unsafeUnwrap();
    const successes = async () =>
      (await markerKeys(lake)).filter((key) => key.endsWith("completion_marker.txt"));
    const before = await successes();
    expect(before).toHaveLength(2);

    const points: FaultPoint[] = [
      "part-uploaded",
      "manifest-written",
      "extract-committed",
      "copy-started",
      "before-commit",
      "load-committed",
    ];
    for (const [index, stopAt] of points.entries()) {
      await insertRows(source, 10, `2026-05-0${index + 1} 00:00:00`);
      const failed = await syncTable(
        syncOptions(table, lake, {
          faultHook: (point) => {
            if (point === stopAt) {
              throw sluiceError(
                "load",
                `stopped at ${stopAt} reaching postgres://loader:hunter2@warehouse:5432/db`,
              );
            }
          },
        }),
      );
      expect(failed.isErr(), stopAt).toBe(true);
      // No new success marker, and the one in latest/ is gone.
      expect(await successes(), stopAt).toEqual(before.filter((key) => !key.includes("/latest/")));
      const failure = await readText(lake, `${folder}latest/failure_marker.txt`);
      expect(failure, stopAt).toMatch(/^SYNC_FAILED\n/);
      expect(failure).toContain(`stopped at ${stopAt}`);
      const metadata = await readJson(lake, `${folder}latest/execution_metadata.json`);
      expect(metadata.status).toBe("failed");
      expect(metadata.error).toContain("loader:***@warehouse");
      const dated = (await markerKeys(lake)).filter((key) => key.includes(metadata.sluice_run_id));
      expect(dated.map((key) => key.split("/").pop()).sort(), stopAt).toEqual([
        "execution_metadata.json",
        "failure_marker.txt",
        "table_metrics.json",
      ]);
    }
    for (const key of await markerKeys(lake)) expect(await readText(lake, key)).not.toContain("hunter2");

    // The next clean run converges and writes success again; latest/ loses the failure marker.
    // (the last stop came after the load's COMMIT, so this run has nothing new to move).
    (await syncTable(syncOptions(table, lake)))._unsafeUnwrap();
    expect(normaliseDoubles(await targetRowsAsText(schema))).toEqual(
      normaliseDoubles(await sourceRowsAsText(source, schema)),
    );
    expect(await readText(lake, `${folder}latest/failure_marker.txt`)).toBeNull();
    expect(await readText(lake, `${folder}latest/completion_marker.txt`)).toMatch(/^SYNC_COMPLETED\n/);
    expect((await successes()).length).toBe(before.length + 1);
  });

  it("a failed load (target unreachable) writes a failure marker, never a success one", async () => {
    const lake = await localLake();
    const options = syncOptions(table, lake);
    const connection = parseWarehouseUrl(inject("sluiceServices").postgres.url)._unsafeUnwrap();
    const unreachable = {
      ...options,
      warehouse: {
        connection: createWarehouse({ connection: { ...connection, port: 1, password: "hunter2" }, lake }),
      },
    };
    const failed = await syncTable(unreachable);
    expect(failed.isErr()).toBe(true);
    const keys = await markerKeys(lake);
    expect(keys.some((key) => key.endsWith("completion_marker.txt"))).toBe(false);
    const metadata = await readJson(lake, `${folder}latest/execution_metadata.json`);
    expect(metadata.status).toBe("failed");
    // Rows were staged before the load failed: the marker says how many.
    expect(metadata.table_results[`${schema}.settlement`].rows_extracted).toBeGreaterThan(0);
    for (const key of keys) expect(await readText(lake, key)).not.toContain("hunter2");
  });

  it("a dry run, and a run with completionMarkers false, write no markers", async () => {
    const lake = await localLake();
    (await syncTable(syncOptions(table, lake, { dryRun: true })))._unsafeUnwrap();
    expect(await markerKeys(lake)).toEqual([]);
    (
      await syncTable(syncOptions(table, lake, { mode: "backup-only", completionMarkers: false }))
    )._unsafeUnwrap();
    expect(await markerKeys(lake)).toEqual([]);
  });

  it("writePipelineMarkers: success only when every table succeeded", async () => {
    const lake = await localLake();
    const startedAt = new Date("2026-06-01T02:00:00.000Z");
    const finishedAt = new Date("2026-06-01T02:01:30.000Z");
    const ok = (await syncTable(syncOptions(table, lake, { mode: "backup-only" })))._unsafeUnwrap();
    const tables = [
      { table: `${schema}.settlement`, report: ok, startedAt, finishedAt },
      {
        table: `${schema}.other`,
        error: sluiceError("connection", "cannot reach mysql://etl:s3cret@db:3306/shop"),
        startedAt,
        finishedAt,
      },
    ];
    const failed = (
      await writePipelineMarkers(lake, {
        pipeline: "nightly_v1",
        runId: "run-a",
        startedAt,
        finishedAt,
        tables,
      })
    )._unsafeUnwrap();
    expect(failed.markerKey).toBe("_markers/_pipelines/nightly_v1/2026-06-01/run-a/failure_marker.txt");
    const metadata = await readJson(lake, "_markers/_pipelines/nightly_v1/latest/execution_metadata.json");
    expect(metadata).toMatchObject({
      pipeline: "nightly_v1",
      status: "failed",
      total_tables: 2,
      duration_seconds: 90,
      summary: { success_count: 1, failure_count: 1 },
    });
    expect(JSON.stringify(metadata)).not.toContain("s3cret");
    const passed = (
      await writePipelineMarkers(lake, {
        pipeline: "nightly_v1",
        runId: "run-b",
        startedAt,
        finishedAt,
        tables: tables.slice(0, 1),
      })
    )._unsafeUnwrap();
    expect(passed.markerKey).toBe("_markers/_pipelines/nightly_v1/2026-06-01/run-b/completion_marker.txt");
    expect(await readText(lake, "_markers/_pipelines/nightly_v1/latest/failure_marker.txt")).toBeNull();
    expect(
      await readText(lake, "_markers/_pipelines/nightly_v1/2026-06-01/run-a/completion_marker.txt"),
    ).toBeNull();
    const refused = await writePipelineMarkers(lake, {
      pipeline: "../escape",
      runId: "x",
      startedAt,
      finishedAt,
      tables,
    });
    expect(refused._unsafeUnwrapErr().kind).toBe("config");
  });
});
