import type { FaultPoint } from "@sluice/core/internal";
import { describe, expect, it } from "vitest";
import { type SyncTableOptions, syncTable } from "../src/index.js";
import { createMemorySource, type MemorySource } from "./memory-source.js";
import { createMemoryWarehouse, type MemoryWarehouse } from "./memory-warehouse.js";
import { localLake } from "./sync-fixture.js";

/**
 * Whole syncs (extract, stage, commit, load, ledger) through both seams with in-memory
 * implementations: the pipeline's exactly-once rules without a database. The same
 * paths run against MariaDB, PostgreSQL and the Redshift gateway in sync-table,
 * crash-recovery and sync-redshift-gateway.
 */
const spec = {
  ref: { schema: "shop", table: "settlement" },
  columns: [
    {
      name: "id",
      sourceType: "bigint",
      logical: { kind: "integer", bits: 64, unsigned: false },
      nullable: false,
    },
    {
      name: "amount",
      sourceType: "decimal(12,2)",
      logical: { kind: "decimal", precision: 12, scale: 2 },
      nullable: false,
    },
    { name: "updated_at", sourceType: "datetime(6)", logical: { kind: "datetime", fsp: 6 }, nullable: false },
  ],
  primaryKey: ["id"],
  indexes: [{ name: "ix_updated", columns: ["updated_at"], unique: false }],
} as const;

const at = (minute: number) =>
  `2025-06-01 ${String(Math.floor(minute / 60)).padStart(2, "0")}:${String(minute % 60).padStart(2, "0")}:00.000000`;

function seeded(rows: number): MemorySource {
  const source = createMemorySource(
    { ...spec, columns: [...spec.columns], primaryKey: [...spec.primaryKey], indexes: [...spec.indexes] },
    Array.from({ length: rows }, (_, index) => [String(index + 1), `${index}.25`, at(index % 600)]),
  );
  source.now = "2025-06-02 00:00:00.000000";
  return source;
}

async function setUp(rows: number) {
  const source = seeded(rows);
  const lake = await localLake();
  const warehouse = createMemoryWarehouse(lake);
  const options = (extra: Partial<SyncTableOptions> = {}): SyncTableOptions => ({
    table: spec.ref,
    mode: "sync",
    source,
    lake,
    warehouse: { connection: warehouse },
    pageSize: 200,
    rowsPerFile: 500,
    ...extra,
  });
  return { source, lake, warehouse, options };
}

function expectTargetEqualsSource(warehouse: MemoryWarehouse, source: MemorySource) {
  const target = warehouse
    .rowsOf("shop.settlement")
    .map((row) => [row[0], row[1], row[2]])
    .sort((a, b) => Number(a[0]) - Number(b[0]));
  const expected = source.rows
    .map((row) => [String(row[0]), String(row[1]), String(row[2])])
    .sort((a, b) => Number(a[0]) - Number(b[0]));
  expect(target).toEqual(expected);
}

describe("sync through the Source and Warehouse seams (in memory)", () => {
  it("runs with updates and inserts in between leave the target equal to the source", async () => {
    const { source, warehouse, options } = await setUp(1_200);
    const first = (await syncTable(options()))._unsafeUnwrap();
    expect(first.counts).toMatchObject({ extracted: 1_200, staged: 1_200, loaded: 1_200 });
    source.now = "2025-06-03 00:00:00.000000";
    for (const id of [3, 700, 1_200]) {
      const row = source.rows[id - 1] as (string | number | null)[];
      row[1] = "99.99";
      row[2] = "2025-06-02 08:00:00.000000";
    }
    source.rows.push(["1201", "1.00", "2025-06-02 09:00:00.000000"]);
    const second = (await syncTable(options()))._unsafeUnwrap();
    expect(second.counts).toMatchObject({ extracted: 4, loaded: 4 });
    const third = (await syncTable(options()))._unsafeUnwrap();
    expect(third.counts?.extracted).toBe(0);
    expect(warehouse.loads).toHaveLength(2);
    expectTargetEqualsSource(warehouse, source);
  });

  it("a load that fails before COMMIT is loaded by the next run exactly once", async () => {
    const { source, warehouse, options } = await setUp(900);
    const crash = async (point: FaultPoint) => {
      if (point === "before-commit") throw new Error("killed before COMMIT (test)");
    };
    const failed = await syncTable(options({ faultHook: crash }));
    expect(failed.isErr()).toBe(true);
    expect(warehouse.loads).toEqual([]);
    const rerun = (await syncTable(options()))._unsafeUnwrap();
    // Nothing new to extract; the staged run is loaded now.
    expect(rerun.counts).toMatchObject({ extracted: 0, loaded: 900 });
    expect(warehouse.loads).toHaveLength(1);
    const again = (await syncTable(options({ mode: "redshift-only" })))._unsafeUnwrap();
    expect(again.load?.runsLoaded).toBe(0);
    expect(warehouse.loads).toHaveLength(1);
    expectTargetEqualsSource(warehouse, source);
  });

  it("backup-only runs pile up in the lake; one load takes them in order, each once", async () => {
    const { source, warehouse, options } = await setUp(1_000);
    for (let run = 0; run < 3; run++) {
      (await syncTable(options({ mode: "backup-only", limit: 400 })))._unsafeUnwrap();
    }
    expect(warehouse.loads).toEqual([]);
    const loaded = (await syncTable(options({ mode: "redshift-only" })))._unsafeUnwrap();
    expect(loaded.load?.runsLoaded).toBe(3);
    expect([...warehouse.loads]).toEqual([...warehouse.loads].sort());
    expectTargetEqualsSource(warehouse, source);
  });

  it("a target name the warehouse refuses stops the run before the source is read", async () => {
    const { source, options } = await setUp(10);
    const refused = await syncTable(
      options({
        warehouse: { connection: createMemoryWarehouse(await localLake()), targetName: "Bad Name!" },
      }),
    );
    expect(refused._unsafeUnwrapErr()).toMatchObject({ kind: "config" });
    expect(refused._unsafeUnwrapErr().message).toMatch(/Bad Name!/);
    expect(source.pages).toBe(0);
  });
});
