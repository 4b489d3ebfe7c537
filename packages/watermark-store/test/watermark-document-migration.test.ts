import { describe, expect, it } from "vitest";
import { createWatermarkStore, migrateWatermarkDocument, watermarkKey } from "../src/index.js";
import { lakeBackends } from "./lake-backends.js";

const position = (cursorValue: string, id: string) => ({ cursorValue, keyValues: [id] });

// A version-1 document as sluice wrote it before version 2: two extractions, a load,
// then an operator `set` after the last extraction.
const versionOne = {
  version: 1,
  table: "shop.orders",
  revision: 4,
  extract: {
    strategy: "hybrid",
    cursorColumn: "updated_at",
    position: position("2024-05-03 00:00:00", "1"),
    lastRunId: "run-2",
    manifestKey: "shop.orders/_manifests/run-2.json",
    rowsTotal: 150,
    updatedAt: "2024-05-03T09:00:00.000Z",
  },
  load: { lastRunId: "run-1", loadedAt: "2024-05-01T12:00:00.000Z", rowsTotal: 120 },
  history: [
    {
      at: "2024-05-01T10:00:00.000Z",
      event: "extract",
      runId: "run-1",
      position: position("2024-05-01 10:00:00", "7"),
      rows: 120,
    },
    {
      at: "2024-05-01T12:00:00.000Z",
      event: "load",
      runId: "run-1",
      position: position("2024-05-01 10:00:00", "7"),
      rows: 120,
    },
    {
      at: "2024-05-02T10:00:00.000Z",
      event: "extract",
      runId: "run-2",
      position: position("2024-05-02 10:00:00", "9"),
      rows: 30,
    },
    {
      at: "2024-05-03T09:00:00.000Z",
      event: "set",
      runId: null,
      position: position("2024-05-03 00:00:00", "1"),
      rows: 0,
    },
  ],
};

describe("watermark document versions", () => {
  it("migrates a version-1 document: statuses, session counts and the last override come from its history", () => {
    const migrated = migrateWatermarkDocument(versionOne)._unsafeUnwrap();
    expect(migrated).toEqual({
      version: 2,
      table: "shop.orders",
      revision: 4,
      createdAt: "2024-05-01T10:00:00.000Z",
      updatedAt: "2024-05-03T09:00:00.000Z",
      extract: {
        ...versionOne.extract,
        status: "overridden",
        ceiling: null,
        rowsLastRun: 30,
      },
      load: { ...versionOne.load, status: "loaded", manifestKey: null, rowsLastRun: 120 },
      lastOverride: {
        at: "2024-05-03T09:00:00.000Z",
        event: "set",
        position: position("2024-05-03 00:00:00", "1"),
        previousPosition: null,
      },
      history: versionOne.history,
    });
    // Without the set, the cursor is the last run's.
    const plain = migrateWatermarkDocument({
      ...versionOne,
      history: versionOne.history.slice(0, 3),
    })._unsafeUnwrap();
    expect(plain.extract?.status).toBe("committed");
    expect(plain.lastOverride).toBeNull();
  });

  it("reads version-2 documents without a phase unchanged, and keeps an initial snapshot's phase", () => {
    const migrated = migrateWatermarkDocument(versionOne)._unsafeUnwrap();
    const plain = JSON.parse(JSON.stringify(migrated));
    // A document written before initial snapshots parses to exactly what it holds.
    expect(migrateWatermarkDocument(plain)._unsafeUnwrap()).toEqual(plain);
    expect(migrateWatermarkDocument(plain)._unsafeUnwrap().extract?.phase).toBeUndefined();
    const snapshot = { ceiling: "2024-05-03 09:00:00.000000", afterKey: ["120"] };
    const inProgress = {
      ...plain,
      extract: { ...plain.extract, position: null, phase: "snapshot", snapshot },
    };
    expect(migrateWatermarkDocument(inProgress)._unsafeUnwrap().extract).toMatchObject({
      phase: "snapshot",
      snapshot,
    });
    const broken = { ...inProgress, extract: { ...inProgress.extract, phase: "halfway" } };
    expect(migrateWatermarkDocument(broken)._unsafeUnwrapErr()).toContain("extract.phase");
  });

  it("refuses formats it does not know, naming the version", () => {
    expect(migrateWatermarkDocument({ ...versionOne, version: 3 })._unsafeUnwrapErr()).toContain(
      "version: 3 is not a watermark format",
    );
    expect(migrateWatermarkDocument({ ...versionOne, revision: 0 })._unsafeUnwrapErr()).toContain("revision");
  });
});

describe.each(lakeBackends)("watermark store reading version 1 on $name", ({ open }) => {
  it("reads a stored version-1 document and rewrites it as version 2 on the next write", async () => {
    const lake = await open();
    const ref = { schema: "shop", table: "orders" };
    await lake.put(watermarkKey(ref), JSON.stringify(versionOne));
    const watermarks = createWatermarkStore(lake, { now: () => new Date("2024-05-04T00:00:00.000Z") });
    expect((await watermarks.read(ref))._unsafeUnwrap()?.extract?.status).toBe("overridden");

    const reset = (await watermarks.reset(ref, { expectedRevision: 4 }))._unsafeUnwrap();
    const stored = JSON.parse(
      Buffer.from((await lake.get(watermarkKey(ref)))._unsafeUnwrap() ?? []).toString(),
    );
    expect(stored).toEqual(reset);
    expect(stored).toMatchObject({
      version: 2,
      revision: 5,
      createdAt: "2024-05-01T10:00:00.000Z",
      updatedAt: "2024-05-04T00:00:00.000Z",
      extract: null,
      load: null,
      lastOverride: {
        at: "2024-05-04T00:00:00.000Z",
        event: "reset",
        position: null,
        previousPosition: position("2024-05-03 00:00:00", "1"),
      },
    });
    expect(stored.history).toHaveLength(5);
    lake.close?.();
  });
});
