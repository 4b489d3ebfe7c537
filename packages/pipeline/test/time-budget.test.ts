import { createWatermarkStore } from "@sluice/watermark-store";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunReport, syncTable } from "../src/index.js";
import {
  createSettlementSource,
  insertRows,
  localLake,
  normaliseDoubles,
  sourceRowsAsText,
  syncOptions,
  targetRowsAsText,
} from "./sync-fixture.js";

const schema = "pipeline_budget";
const table = { schema, table: "settlement" };
let source: Awaited<ReturnType<typeof createSettlementSource>>;

beforeAll(async () => {
  source = await createSettlementSource(schema, 4_000);
});
afterAll(async () => {
  await source?.end();
});

/**
 * A monotonic clock that moves `stepMs` every time it is read. The budget reads it
 * once when the extraction starts and once per page boundary, so a budget of
 * (n - 0.5) steps is spent at the n-th boundary: the run stops after n pages, with
 * no sleep and no dependence on how fast the machine is.
 */
function steppingClock(stepMs: number): () => number {
  let reads = 0;
  return () => {
    reads += 1;
    return (reads - 1) * stepMs;
  };
}

/** Runs until a run is not stopped by its budget; every run gets a fresh clock. */
async function runUntilDone(options: (clock: () => number) => Parameters<typeof syncTable>[0]) {
  const reports: RunReport[] = [];
  for (let run = 0; run < 20; run += 1) {
    const report = (await syncTable(options(steppingClock(1_000))))._unsafeUnwrap();
    reports.push(report);
    if (!report.extract?.timeBudget?.stopped) return reports;
  }
  throw new Error("the budget stopped 20 runs in a row");
}

async function mariadbPositionAt(offset: number): Promise<{ cursorValue: string; keyValues: string[] }> {
  await source.query("SET time_zone = '+00:00'");
  const [rows] = await source.query({
    sql: `SELECT DATE_FORMAT(updated_at, '%Y-%m-%d %H:%i:%s.%f'), CAST(id AS CHAR) FROM ${schema}.settlement ORDER BY updated_at, id LIMIT ${offset}, 1`,
    rowsAsArray: true,
  });
  const [row] = rows as [string, string][];
  return { cursorValue: row?.[0] ?? "", keyValues: [row?.[1] ?? ""] };
}

describe("--max-duration: the extraction stops at a page boundary once its time budget is spent", () => {
  it("cuts an initial snapshot after whole pages; each next run continues; the target equals the source", async () => {
    const lake = await localLake();
    const reports = await runUntilDone((budgetClock) =>
      syncOptions(table, lake, { pageSize: 500, maxDurationMs: 2_500, budgetClock }),
    );
    // Three pages of 500 per run: the budget (2.5 steps) is spent at the third boundary.
    expect(reports.map((report) => report.extract?.rows)).toEqual([1_500, 1_500, 1_000]);
    const [first, second, last] = reports;
    expect(first?.extract?.timeBudget).toEqual({
      maxDurationMs: 2_500,
      stopped: true,
      stoppedAfterMs: 3_000,
    });
    expect(first?.extract?.snapshot).toMatchObject({ afterKey: ["1500"], complete: false });
    expect(first?.notes.join("\n")).toContain(
      "stopped at a page boundary after 3s, the --max-duration budget of 2.5s being spent; the rows extracted are committed and the watermark is on the last of them: run again to continue",
    );
    expect(second?.extract?.snapshot).toMatchObject({ afterKey: ["3000"], complete: false });
    // The last run read 2 pages, the second short: done before its budget, snapshot complete.
    expect(last?.extract?.timeBudget).toEqual({ maxDurationMs: 2_500, stopped: false, stoppedAfterMs: null });
    expect(last?.extract?.snapshot?.complete).toBe(true);
    // Every row staged once (4,000 in all) and the warehouse holds exactly the source.
    expect(reports.reduce((sum, report) => sum + (report.extract?.stagedRows ?? 0), 0)).toBe(4_000);
    expect(reports.reduce((sum, report) => sum + (report.load?.rowsStaged ?? 0), 0)).toBe(4_000);
    expect(normaliseDoubles(await targetRowsAsText(schema))).toEqual(
      normaliseDoubles(await sourceRowsAsText(source, schema)),
    );

    // Incremental keyset pages: 1,200 new rows, a budget spent at the second boundary.
    await insertRows(source, 1_200, "2026-02-01 00:00:00");
    const incremental = await runUntilDone((budgetClock) =>
      syncOptions(table, lake, { pageSize: 500, maxDurationMs: 1_500, budgetClock }),
    );
    expect(incremental.map((report) => report.extract?.rows)).toEqual([1_000, 200]);
    // The watermark lands on the last row extracted: the 1,000th new row in (updated_at, id) order.
    expect(incremental[0]?.extract?.to).toEqual(await mariadbPositionAt(4_000 + 999));
    const stored = (await createWatermarkStore(lake).read(table))._unsafeUnwrap();
    expect(stored?.extract?.position).toEqual(await mariadbPositionAt(5_199));
    expect(stored?.extract?.rowsTotal).toBe(5_200);
    expect(normaliseDoubles(await targetRowsAsText(schema))).toEqual(
      normaliseDoubles(await sourceRowsAsText(source, schema)),
    );
  });

  it("timestamp strategy: stops after a whole page and its tie group, and continues without a repeat", async () => {
    const lake = await localLake();
    const targetSchema = "pipeline_budget_ts";
    const reports = await runUntilDone((budgetClock) => {
      const options = syncOptions(table, lake, {
        strategy: "timestamp",
        initialSnapshot: false,
        pageSize: 700,
        maxDurationMs: 1_500,
        budgetClock,
      });
      return { ...options, warehouse: { ...options.warehouse, targetSchema } } as typeof options;
    });
    expect(reports.length).toBeGreaterThan(2);
    expect(reports.slice(0, -1).every((report) => report.extract?.timeBudget?.stopped)).toBe(true);
    const rows = await sourceRowsAsText(source, schema);
    expect(reports.reduce((sum, report) => sum + (report.extract?.stagedRows ?? 0), 0)).toBe(rows.length);
    expect(normaliseDoubles(await targetRowsAsText(targetSchema))).toEqual(normaliseDoubles(rows));
  });

  it("never cuts a full snapshot (it replaces the target and must be whole)", async () => {
    const report = (
      await syncTable(
        syncOptions(table, await localLake(), {
          mode: "backup-only",
          strategy: "full",
          pageSize: 500,
          maxDurationMs: 1,
          budgetClock: steppingClock(1_000),
        }),
      )
    )._unsafeUnwrap();
    const [[count]] = (await source.query({
      sql: `SELECT COUNT(*) FROM ${schema}.settlement`,
      rowsAsArray: true,
    })) as unknown as [[number][]];
    expect(report.extract?.rows).toBe(Number(count));
    expect(report.extract?.timeBudget?.stopped).toBe(false);
  });

  it("refuses a budget that is not positive, and one on a run that does not extract", async () => {
    const lake = await localLake();
    const zero = (await syncTable(syncOptions(table, lake, { maxDurationMs: 0 })))._unsafeUnwrapErr();
    expect(zero.kind).toBe("config");
    expect(zero.message).toContain("--max-duration must be a positive time budget");
    const loadOnly = (
      await syncTable(syncOptions(table, lake, { mode: "redshift-only", maxDurationMs: 60_000 }))
    )._unsafeUnwrapErr();
    expect(loadOnly.kind).toBe("config");
    expect(loadOnly.message).toContain(
      "--max-duration bounds extraction and cannot be combined with --redshift-only",
    );
  });
});
