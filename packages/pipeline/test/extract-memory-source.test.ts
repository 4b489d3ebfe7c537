import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ObjectStore, RunManifest, SourceValue, TableSpec } from "@sluice/core";
import { readParquetRowsAsText } from "@sluice/parquet-writer";
import { describe, expect, it } from "vitest";
import { type SyncTableOptions, syncTable } from "../src/index.js";
import { createMemorySource, type MemorySource } from "./memory-source.js";
import { localLake } from "./sync-fixture.js";

/**
 * The extract path (plan -> stage -> commit -> report) against the in-memory `Source`:
 * no database, so the pipeline's own rules are checked in milliseconds: snapshot then
 * incremental hand-over, limits and chunks, retries after a dropped connection, dry runs.
 * The same paths run against MariaDB in sync-table, initial-snapshot and transient-faults.
 */
const spec: TableSpec = {
  ref: { schema: "shop", table: "orders" },
  columns: [
    {
      name: "id",
      sourceType: "int",
      logical: { kind: "integer", bits: 32, unsigned: false },
      nullable: false,
    },
    { name: "note", sourceType: "varchar(40)", logical: { kind: "string", maxBytes: 160 }, nullable: true },
    {
      name: "updated_at",
      sourceType: "timestamp(6)",
      logical: { kind: "timestamp", fsp: 6 },
      nullable: false,
      onUpdateCurrentTimestamp: true,
    },
  ],
  primaryKey: ["id"],
  indexes: [{ name: "ix_updated", columns: ["updated_at"], unique: false }],
};

const stamp = (second: number) =>
  `2025-12-31 ${String(Math.floor(second / 3600) % 24).padStart(2, "0")}:${String(Math.floor(second / 60) % 60).padStart(2, "0")}:${String(second % 60).padStart(2, "0")}.000000`;

function tableOf(rows: number): SourceValue[][] {
  // Several rows share each timestamp, so pages end inside tie groups.
  return Array.from({ length: rows }, (_, index) => [
    index + 1,
    `note ${index + 1}`,
    stamp(Math.floor(index / 3)),
  ]);
}

function options(
  source: MemorySource,
  lake: ObjectStore,
  extra: Partial<SyncTableOptions> = {},
): SyncTableOptions {
  return { table: spec.ref, mode: "backup-only", source, lake, pageSize: 100, rowsPerFile: 250, ...extra };
}

/** Every row the lake's run manifests list, newest version per key, as text. */
async function stagedRows(lake: ObjectStore): Promise<Map<string, readonly (string | null)[]>> {
  const manifests = (await lake.list("shop.orders/_manifests/"))._unsafeUnwrap();
  const latest = new Map<string, readonly (string | null)[]>();
  const work = await mkdtemp(join(tmpdir(), "sluice-memory-"));
  try {
    for (const info of manifests.filter((each) => each.key.endsWith(".json"))) {
      const body = (await lake.get(info.key))._unsafeUnwrap();
      const manifest = JSON.parse(new TextDecoder().decode(body as Uint8Array)) as RunManifest;
      for (const file of manifest.files) {
        const path = join(work, "part.parquet");
        (await lake.getToFile(file.key, path))._unsafeUnwrap();
        for await (const row of readParquetRowsAsText(path, manifest.columns))
          latest.set(String(row[0]), row);
      }
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return latest;
}

function expectLakeEqualsSource(staged: Map<string, readonly (string | null)[]>, source: MemorySource) {
  expect(staged.size).toBe(source.rows.length);
  for (const row of source.rows) {
    // TIMESTAMP is UTC-adjusted in Parquet and reads back as PostgreSQL COPY text (`+00`).
    expect(staged.get(String(row[0]))).toEqual([String(row[0]), row[1], `${String(row[2])}+00`]);
  }
}

describe("extraction through the Source seam (in-memory source)", () => {
  it("snapshot in --limit slices, then incremental runs take updates and inserts once each", async () => {
    const source = createMemorySource(spec, tableOf(1_000));
    const lake = await localLake();
    const first = (await syncTable(options(source, lake, { limit: 400 })))._unsafeUnwrap();
    expect(first.extract).toMatchObject({ rows: 400, phase: "snapshot", snapshot: { complete: false } });
    const second = (await syncTable(options(source, lake)))._unsafeUnwrap();
    expect(second.extract).toMatchObject({ rows: 600, phase: "snapshot", snapshot: { complete: true } });
    expect(first.extract?.rows ?? 0).toBeLessThan(1_000);

    // Later writes: an update moves row 5 past the snapshot's end, and 50 new rows.
    source.now = "2026-01-02 00:00:00.000000";
    (source.rows[4] as SourceValue[])[1] = "changed";
    (source.rows[4] as SourceValue[])[2] = "2026-01-01 10:00:00.000000";
    for (let id = 1_001; id <= 1_050; id++)
      source.rows.push([id, `late ${id}`, "2026-01-01 12:00:00.000000"]);
    const third = (await syncTable(options(source, lake)))._unsafeUnwrap();
    expect(third.extract).toMatchObject({ rows: 51, phase: "incremental" });
    const fourth = (await syncTable(options(source, lake)))._unsafeUnwrap();
    expect(fourth.extract?.rows).toBe(0);
    expectLakeEqualsSource(await stagedRows(lake), source);
  });

  it("--max-chunks bounds the page queries of a run; runs continue where the last stopped", async () => {
    const source = createMemorySource(spec, tableOf(730));
    const lake = await localLake();
    const runs: number[] = [];
    for (let run = 0; run < 10; run++) {
      const report = (await syncTable(options(source, lake, { maxChunks: 3 })))._unsafeUnwrap();
      runs.push(report.extract?.rows ?? 0);
      if (report.extract?.rows === 0) break;
    }
    // 300 rows per run (3 pages of 100) until the last 130.
    expect(runs).toEqual([300, 300, 130, 0]);
    expectLakeEqualsSource(await stagedRows(lake), source);
  });

  it("a dropped connection mid-run is retried with the same source; every row staged once", async () => {
    const source = createMemorySource(spec, tableOf(600));
    const lake = await localLake();
    source.failAfterBatches(2);
    const retry = { attempts: 2, baseDelayMs: 1, maxDelayMs: 1 };
    const report = (await syncTable(options(source, lake, { retry })))._unsafeUnwrap();
    expect(report.retries?.byStage.extract).toBe(1);
    expect(report.extract?.rows).toBe(600);
    expect(report.extract?.stagedRows).toBe(600);
    expectLakeEqualsSource(await stagedRows(lake), source);
  });

  it("a dry run counts the pending rows and writes nothing", async () => {
    const source = createMemorySource(spec, tableOf(250));
    const lake = await localLake();
    const report = (await syncTable(options(source, lake, { dryRun: true, limit: 100 })))._unsafeUnwrap();
    expect(report.notes.join("\n")).toMatch(/would extract 100 of 250 pending rows/);
    expect((await lake.list(""))._unsafeUnwrap()).toEqual([]);
    expect(source.pages).toBe(0);
  });

  it("a table the source does not have fails naming it, and nothing is staged", async () => {
    const source = createMemorySource(spec, tableOf(10));
    const lake = await localLake();
    const failed = await syncTable({ ...options(source, lake), table: { schema: "shop", table: "missing" } });
    expect(failed._unsafeUnwrapErr()).toMatchObject({ kind: "not_found" });
    expect(failed._unsafeUnwrapErr().message).toMatch(/shop\.missing/);
    expect((await lake.list("shop.missing/"))._unsafeUnwrap()).toEqual([]);
  });
});
