import { randomUUID } from "node:crypto";
import { createS3ObjectStore } from "@sluice/connectors";
import { type ObjectStore, sluiceError } from "@sluice/core";
import { errAsync } from "neverthrow";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { cleanLakeTable, listStagedRuns, syncTable } from "../src/index.js";
import {
  createSettlementSource,
  insertRows,
  localLake,
  normaliseDoubles,
  sourceRowsAsText,
  syncOptions,
  targetRowsAsText,
} from "./sync-fixture.js";

const schema = "pipeline_lake_cleanup";
const table = { schema, table: "settlement" };
let source: Awaited<ReturnType<typeof createSettlementSource>>;

beforeAll(async () => {
  source = await createSettlementSource(schema, 300);
});
afterAll(async () => {
  await source?.end();
});

function s3Lake(): ObjectStore {
  const { s3 } = inject("sluiceServices");
  return createS3ObjectStore({
    bucket: s3.bucket,
    prefix: `pipeline-cleanup-${randomUUID()}`,
    endpoint: s3.endpoint,
    region: s3.region,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    forcePathStyle: true,
  });
}

async function keys(lake: ObjectStore, prefix = ""): Promise<string[]> {
  return (await lake.list(prefix))._unsafeUnwrap().map((object) => object.key);
}

describe("cleanLakeTable", () => {
  it("deletes more than 1,000 keys in requests of at most 1,000 on the S3 stand-in", async () => {
    const lake = s3Lake();
    const run = (await syncTable(syncOptions(table, lake, { mode: "backup-only" })))._unsafeUnwrap();
    const kept = await keys(lake);
    // 1,200 parts of a run from 2020 whose manifest is gone (an interrupted clean).
    const old = "20200101T000000000Z-old1";
    const orphanKeys = Array.from(
      { length: 1_200 },
      (_, index) =>
        `${schema}.settlement/year=2020/month=01/day=01/hour=00/${old}_batch_${String(index).padStart(4, "0")}.parquet`,
    );
    for (let start = 0; start < orphanKeys.length; start += 100) {
      await Promise.all(
        orphanKeys
          .slice(start, start + 100)
          .map(async (key) => (await lake.put(key, "PAR1"))._unsafeUnwrap()),
      );
    }
    const progress: number[] = [];
    const outcome = (
      await cleanLakeTable({
        lake,
        table,
        filter: { now: new Date() },
        onBatch: ({ deleted }) => progress.push(deleted),
      })
    )._unsafeUnwrap();
    expect(outcome.runs).toEqual([
      expect.objectContaining({ runId: old, orphan: true, objects: 1_200, bytes: 4_800 }),
    ]);
    expect(outcome.unloadedRuns).toEqual([]);
    expect(progress).toEqual([1_000, 1_200]);
    expect(outcome.batches).toBe(2);
    // The orphans are gone; the watermark's run (and everything else) is not.
    const withoutLease = (list: string[]) => list.filter((key) => !key.endsWith("/lease.json"));
    expect(withoutLease(await keys(lake))).toEqual(withoutLease(kept));
    expect(await keys(lake, `${schema}.settlement/year=2020/`)).toEqual([]);
    expect(kept).toContain(run.extract?.manifestKey);
  });

  it("a clean killed after the run manifests leaves only unlisted files; loads stay exact; a rerun finishes", async () => {
    const lake = await localLake();
    for (let index = 0; index < 3; index += 1) {
      await insertRows(source, 20, `2026-07-0${index + 1} 00:00:00`);
      (await syncTable(syncOptions(table, lake)))._unsafeUnwrap();
    }
    const runs = (await listStagedRuns(lake, table))._unsafeUnwrap();
    expect(runs).toHaveLength(3);
    const warehouse = syncOptions(table, lake).warehouse;
    if (!warehouse) throw new Error("fixture has a warehouse");
    // The second delete request (COPY manifests and parts) fails as if the process died there.
    let calls = 0;
    const crashing: ObjectStore = {
      ...lake,
      delete: (batch) => {
        calls += 1;
        return calls === 2 ? errAsync(sluiceError("stage", "simulated crash")) : lake.delete(batch);
      },
    };
    const crashed = await cleanLakeTable({ lake: crashing, table, warehouse, filter: { now: new Date() } });
    expect(crashed._unsafeUnwrapErr().message).toContain("simulated crash");
    // Only the last run is still staged; the other two are unlisted leftovers, not half-listed runs.
    expect((await listStagedRuns(lake, table))._unsafeUnwrap().map((run) => run.runId)).toEqual([
      runs[2]?.runId,
    ]);
    const load = (await syncTable(syncOptions(table, lake, { mode: "redshift-only" })))._unsafeUnwrap();
    expect(load.load?.runsLoaded).toBe(0);
    expect(normaliseDoubles(await targetRowsAsText(schema))).toEqual(
      normaliseDoubles(await sourceRowsAsText(source, schema)),
    );
    const finished = (
      await cleanLakeTable({ lake, table, warehouse, filter: { now: new Date() } })
    )._unsafeUnwrap();
    expect(finished.runs.map((run) => [run.runId, run.orphan])).toEqual([
      [runs[0]?.runId, true],
      [runs[1]?.runId, true],
    ]);
    const left = await keys(lake, `${schema}.settlement/`);
    expect(left.every((key) => key.includes(runs[2]?.runId ?? "?"))).toBe(true);
    expect(left.length).toBe(runs[2] ? runs[2].files.length + 2 : -1);
  });
});

describe("loading from a point in time (loadSince)", () => {
  it("loads only runs started at or after it, and refuses to load the older ones after the newer", async () => {
    const sinceSchema = "pipeline_load_since";
    const sinceTable = { schema: sinceSchema, table: "settlement" };
    const sinceSource = await createSettlementSource(sinceSchema, 50);
    try {
      const lake = await localLake();
      const at = (iso: string) => () => new Date(iso);
      const early = (
        await syncTable(
          syncOptions(sinceTable, lake, { mode: "backup-only", clock: at("2025-09-09T10:00:00Z") }),
        )
      )._unsafeUnwrap();
      await insertRows(sinceSource, 7, "2026-08-01 00:00:00");
      const late = (
        await syncTable(
          syncOptions(sinceTable, lake, { mode: "backup-only", clock: at("2025-09-09T13:00:00Z") }),
        )
      )._unsafeUnwrap();
      expect(late.extract?.rows).toBe(7);

      const since = new Date("2025-09-09T12:00:00Z");
      const loaded = (
        await syncTable(syncOptions(sinceTable, lake, { mode: "redshift-only", loadSince: since }))
      )._unsafeUnwrap();
      expect(loaded.load?.runIds).toEqual([late.extract?.runId]);
      expect(loaded.load?.rowsStaged).toBe(7);
      expect(loaded.notes.join("\n")).toContain(
        `left 1 staged run(s) of ${sinceSchema}.settlement that started before --since 2025-09-09T12:00:00.000Z unloaded (50 rows): ${early.extract?.runId}`,
      );
      const target = await targetRowsAsText(sinceSchema);
      expect(target).toHaveLength(7);

      // Without --since, the older run would now land over newer rows: refused, naming it.
      const refused = await syncTable(syncOptions(sinceTable, lake, { mode: "redshift-only" }));
      expect(refused._unsafeUnwrapErr().kind).toBe("config");
      expect(refused._unsafeUnwrapErr().message).toContain(
        `staged run(s) ${early.extract?.runId} are older than run ${late.extract?.runId}`,
      );
      expect(await targetRowsAsText(sinceSchema)).toEqual(target);
      const backupOnly = await syncTable(
        syncOptions(sinceTable, lake, { mode: "backup-only", loadSince: since }),
      );
      expect(backupOnly._unsafeUnwrapErr().kind).toBe("config");
    } finally {
      await sinceSource.end();
    }
  });
});
