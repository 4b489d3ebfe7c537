import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SyncProgress, syncTable } from "../src/index.js";
import { createSettlementSource, insertRows, localLake, syncOptions } from "./sync-fixture.js";

const schema = "pipeline_progress";
const table = { schema, table: "settlement" };
let source: Awaited<ReturnType<typeof createSettlementSource>>;

beforeAll(async () => {
  source = await createSettlementSource(schema, 4_000);
  await source.query(`ANALYZE TABLE ${schema}.settlement`);
});
afterAll(async () => {
  await source?.end();
});

const ofStage = (events: SyncProgress[], stage: SyncProgress["stage"]) =>
  events.filter((event) => event.stage === stage);

describe("syncTable onProgress: rows done per stage, MariaDB -> local lake -> PostgreSQL", () => {
  it("reports extract and load from 0 to the run's rows, against estimates, ending with one done event each", async () => {
    const lake = await localLake();
    const events: SyncProgress[] = [];
    const first = (
      await syncTable(
        syncOptions(table, lake, { onProgress: (event) => events.push(event), progressEveryMs: 0 }),
      )
    )._unsafeUnwrap();
    expect(first.extract?.rows).toBe(4_000);
    const extract = ofStage(events, "extract");
    expect(extract[0]).toMatchObject({ table: `${schema}.settlement`, rowsDone: 0, done: false });
    // A first snapshot: InnoDB's table estimate after ANALYZE, approximate by nature.
    expect(extract[0]?.rowsEstimated).toBeGreaterThan(2_000);
    expect(extract[0]?.rowsEstimated).toBeLessThan(8_000);
    expect(extract.some((event) => event.rowsDone > 0 && event.rowsDone < 4_000)).toBe(true);
    const done = extract.map((event) => event.rowsDone);
    expect(done).toEqual([...done].sort((a, b) => a - b));
    expect(extract.filter((event) => event.done)).toEqual([
      expect.objectContaining({ rowsDone: 4_000, done: true }),
    ]);
    expect(extract.at(-1)?.done).toBe(true);
    const load = ofStage(events, "load");
    expect(load[0]).toMatchObject({ rowsDone: 0, rowsEstimated: 4_000 });
    expect(load.at(-1)).toMatchObject({ rowsDone: 4_000, done: true });
    // Extraction ends before the load starts.
    expect(events.findIndex((event) => event.stage === "load")).toBeGreaterThan(
      events.findIndex((event) => event.stage === "extract" && event.done),
    );

    // An incremental run: the estimate is the optimizer's for the rows after the watermark.
    await insertRows(source, 300, "2026-05-01 00:00:00");
    const later: SyncProgress[] = [];
    const second = (
      await syncTable(syncOptions(table, lake, { onProgress: (event) => later.push(event) }))
    )._unsafeUnwrap();
    expect(second.extract?.rows).toBe(300);
    const incremental = ofStage(later, "extract");
    expect(incremental[0]?.rowsEstimated).toBeGreaterThan(0);
    expect(incremental[0]?.rowsEstimated).toBeLessThan(4_000);
    expect(incremental.at(-1)).toMatchObject({ rowsDone: 300, done: true });
  });

  it("throttles to the period (start and end only within it) and a display that throws does not fail the run", async () => {
    const lake = await localLake();
    const events: SyncProgress[] = [];
    const run = await syncTable(
      syncOptions(table, lake, {
        progressEveryMs: 60_000,
        onProgress: (event) => {
          events.push(event);
          throw new Error("display broke");
        },
      }),
    );
    expect(run._unsafeUnwrap().extract?.rows).toBeGreaterThanOrEqual(4_300);
    expect(ofStage(events, "extract").map((event) => [event.rowsDone, event.done])).toEqual([
      [0, false],
      [run._unsafeUnwrap().extract?.rows, true],
    ]);
  });
});
