import { describe, expect, it } from "vitest";
import { createWatermarkStore, watermarkKey } from "../src/index.js";
import { lakeBackends } from "./lake-backends.js";

const ref = { schema: "shop", table: "orders" };

const commit = (rowsTotal: number, runId: string) => ({
  strategy: "hybrid",
  cursorColumn: "updated_at",
  position: { cursorValue: "2024-05-01 10:00:00.000000", keyValues: ["42"] },
  ceiling: "2024-05-01 10:05:00.000000",
  lastRunId: runId,
  manifestKey: `shop.orders/_manifests/${runId}.json`,
  rowsTotal,
  updatedAt: "2024-05-01T10:05:01.000Z",
});

describe.each(lakeBackends)("operator changes on $name", ({ open }) => {
  it("backup copies the stored bytes; reset records where the backup went", async () => {
    const lake = await open();
    const watermarks = createWatermarkStore(lake, { now: () => new Date("2024-05-02T08:00:00.123Z") });
    expect((await watermarks.backup(ref))._unsafeUnwrap()).toBeNull();
    (await watermarks.recordExtract(ref, null, commit(100, "run-1"), "run-1", 100))._unsafeUnwrap();
    const stored = (await lake.get(watermarkKey(ref)))._unsafeUnwrap();
    const backupKey = (await watermarks.backup(ref))._unsafeUnwrap();
    expect(backupKey).toBe("_state/shop.orders/backups/20240502T080000123Z.json");
    expect(Buffer.from((await lake.get(backupKey ?? ""))._unsafeUnwrap() ?? [])).toEqual(
      Buffer.from(stored ?? []),
    );
    const reset = (await watermarks.reset(ref, { backupKey: backupKey ?? "" }))._unsafeUnwrap();
    expect(reset.extract).toBeNull();
    expect(reset.lastOverride).toMatchObject({ event: "reset", backupKey });
    expect(reset.lastOverride?.previousPosition?.keyValues).toEqual(["42"]);
    // Backups do not show up as tables.
    expect((await watermarks.list())._unsafeUnwrap().map((doc) => doc.table)).toEqual(["shop.orders"]);
  });

  it("an initial snapshot's phase is stored with the extract state; a set position ends it", async () => {
    const lake = await open();
    const watermarks = createWatermarkStore(lake);
    const snapshot = { ceiling: "2024-05-01 10:05:00.000000", afterKey: ["42"] };
    const committed = { ...commit(42, "run-1"), position: null, phase: "snapshot" as const, snapshot };
    (await watermarks.recordExtract(ref, null, committed, "run-1", 42))._unsafeUnwrap();
    const read = (await watermarks.read(ref))._unsafeUnwrap();
    expect(read?.extract).toMatchObject({ phase: "snapshot", snapshot, position: null, rowsLastRun: 42 });
    const set = (
      await watermarks.set(ref, { cursorValue: "2024-05-01 09:00:00.000000", keyValues: ["7"] })
    )._unsafeUnwrap();
    expect(set.extract?.phase).toBeUndefined();
    expect(set.extract?.snapshot).toBeUndefined();
  });

  it("setCount: absolute and additive change the cumulative count only, recorded as an override", async () => {
    const lake = await open();
    const watermarks = createWatermarkStore(lake);
    const none = (
      await watermarks.setCount(ref, { stage: "extract", mode: "absolute", count: 5 })
    )._unsafeUnwrapErr();
    expect(none.kind).toBe("config");
    expect(none.message).toContain("no extract state yet");
    (await watermarks.recordExtract(ref, null, commit(100, "run-1"), "run-1", 40))._unsafeUnwrap();

    const absolute = (
      await watermarks.setCount(ref, { stage: "extract", mode: "absolute", count: 70 })
    )._unsafeUnwrap();
    expect(absolute.extract?.rowsTotal).toBe(70);
    expect(absolute.extract?.rowsLastRun).toBe(40);
    expect(absolute.lastOverride).toMatchObject({
      event: "count",
      count: { stage: "extract", mode: "absolute", given: 70, before: 100, after: 70 },
    });
    const additive = (
      await watermarks.setCount(ref, { stage: "extract", mode: "additive", count: -20 })
    )._unsafeUnwrap();
    expect(additive.extract?.rowsTotal).toBe(50);
    expect(additive.history.at(-1)).toMatchObject({ event: "count", rows: 50 });
    const negative = (
      await watermarks.setCount(ref, { stage: "extract", mode: "additive", count: -51 })
    )._unsafeUnwrapErr();
    expect(negative.message).toContain("would be negative (-1)");
    const noLoad = (
      await watermarks.setCount(ref, { stage: "load", mode: "absolute", count: 1 })
    )._unsafeUnwrapErr();
    expect(noLoad.message).toContain("no load state yet");
  });
});
