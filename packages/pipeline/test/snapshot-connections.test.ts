import { createMysqlSource, mysqlSourceRecipe } from "@sluice/connectors";
import type { ObjectStore, SourceRecipe, TableRef } from "@sluice/core";
import { createWatermarkStore } from "@sluice/watermark-store";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunReport, type SyncTableOptions, syncTable } from "../src/index.js";
import { mysqlRows, pgRows } from "./cdc-fixture.js";
import {
  createSettlementSource,
  insertRows,
  localLake,
  mysqlTestOptions,
  normaliseDoubles,
  sourceRowsAsText,
  syncOptions,
  targetRowsAsText,
  testMysqlSource,
} from "./sync-fixture.js";

const schema = "pipeline_lanes";
const table = { schema, table: "settlement" };
let source: Awaited<ReturnType<typeof createSettlementSource>>;

beforeAll(async () => {
  source = await createSettlementSource(schema, 4_000);
  // Gaps in the keys: the ranges are cut by key width, so some hold few rows or none.
  await source.query(`DELETE FROM ${schema}.settlement WHERE id BETWEEN 1200 AND 2100`);
  // A composite key led by an integer: 1 to 4 lines per settlement, the same gaps.
  await source.query(`CREATE TABLE ${schema}.settlement_line (
      settlement_id BIGINT UNSIGNED NOT NULL, line SMALLINT NOT NULL, amount DECIMAL(12,2) NOT NULL,
      note VARCHAR(40) NULL, updated_at TIMESTAMP(6) NOT NULL,
      PRIMARY KEY (settlement_id, line), KEY settlement_line_updated_at (updated_at, settlement_id, line)
    ) DEFAULT CHARSET=utf8mb4`);
  await source.query(`INSERT INTO ${schema}.settlement_line
      SELECT s.id, l.seq, s.amount * l.seq, IF(l.seq = 2, NULL, CONCAT('line ', l.seq)), s.updated_at
      FROM ${schema}.settlement AS s JOIN seq_1_to_4 AS l ON l.seq <= 1 + s.id % 4`);
});
afterAll(async () => {
  await source?.end();
});

const recipe = (): SourceRecipe => {
  const made = mysqlSourceRecipe(mysqlTestOptions(schema));
  if (!made) throw new Error("no recipe for a direct connection");
  return made;
};

function withTarget(options: SyncTableOptions, targetSchema: string): SyncTableOptions {
  if (!options.warehouse) return options;
  return { ...options, warehouse: { ...options.warehouse, targetSchema } };
}

/**
 * Backup-only options with 2 worker lanes whose time budget is spent from the start:
 * each lane reads the first page (100 rows) of its first range and stops.
 */
function budgetCutOptions(ref: TableRef, lake: ObjectStore): SyncTableOptions {
  let reads = 0;
  return syncOptions(ref, lake, {
    mode: "backup-only",
    warehouse: undefined,
    pageSize: 100,
    snapshotConnections: { count: 2, recipe: recipe() },
    maxDurationMs: 1_000,
    budgetClock: () => (reads++ === 0 ? 0 : 5_000),
  });
}

/** Backup-only runs with 2 lanes after `first` until the snapshot is complete (at most 5); every report. */
async function finishWithLanes(ref: TableRef, lake: ObjectStore, first: RunReport): Promise<RunReport[]> {
  const reports = [first];
  for (let attempt = 0; attempt < 5 && !reports.at(-1)?.extract?.snapshot?.complete; attempt += 1) {
    reports.push(
      await run(
        syncOptions(ref, lake, {
          mode: "backup-only",
          warehouse: undefined,
          snapshotConnections: { count: 2, recipe: recipe() },
        }),
      ),
    );
  }
  return reports;
}

/** The report, or the run's own error (its message says what went wrong). */
async function run(options: SyncTableOptions): Promise<RunReport> {
  const result = await syncTable(options);
  if (result.isErr()) throw result.error;
  return result.value;
}

async function sourceCount(): Promise<number> {
  const [[row]] = (await source.query({
    sql: `SELECT COUNT(*) FROM ${schema}.settlement`,
    rowsAsArray: true,
  })) as unknown as [[number][]];
  return Number(row?.[0]);
}

describe("--snapshot-connections: an initial snapshot read in key ranges on parallel connections", () => {
  it("worker threads read every row once, hand over to incremental runs, and the target equals the source", async () => {
    const lake = await localLake();
    const targetSchema = "pipeline_lanes_workers";
    const first = await run(
      withTarget(
        syncOptions(table, lake, {
          snapshotConnections: { count: 2, recipe: recipe() },
        }),
        targetSchema,
      ),
    );
    const rows = await sourceCount();
    expect(rows).toBe(3_099);
    expect(first.extract?.rows).toBe(rows);
    expect(first.extract?.snapshot?.complete).toBe(true);
    expect(first.load?.rowsStaged).toBe(rows);
    // Cut into 2 x 4 ranges of equal key width: more page queries than one pass's 7.
    expect(first.extract?.queries).toBeGreaterThan(8);
    const stored = (await createWatermarkStore(lake).read(table))._unsafeUnwrap();
    expect(stored?.extract?.phase).toBe("incremental");
    expect(stored?.extract?.snapshot).toBeUndefined();
    expect(normaliseDoubles(await targetRowsAsText(targetSchema))).toEqual(
      normaliseDoubles(await sourceRowsAsText(source, schema)),
    );

    // The hand-over is exact: the next run reads the new and the updated rows only.
    await insertRows(source, 300, "2026-06-01 00:00:00");
    await source.query(
      `UPDATE ${schema}.settlement SET note = 'moved', updated_at = '2026-06-02 00:00:00' WHERE id IN (5, 3999)`,
    );
    const next = await run(
      withTarget(
        syncOptions(table, lake, { snapshotConnections: { count: 2, recipe: recipe() } }),
        targetSchema,
      ),
    );
    expect(next.extract?.rows).toBe(302);
    expect(normaliseDoubles(await targetRowsAsText(targetSchema))).toEqual(
      normaliseDoubles(await sourceRowsAsText(source, schema)),
    );
  });

  it("a run cut by its time budget records each range's position; later runs (one connection) finish it exactly", async () => {
    const lake = await localLake();
    const targetSchema = "pipeline_lanes_budget";
    const reports: RunReport[] = [];
    // A budget spent from the start: each lane reads the first page of its first range
    // (a run never stops before its first page), stops at the next page boundary, and
    // no range is started after that.
    const cut = await run(budgetCutOptions(table, lake));
    reports.push(cut);
    expect(cut.extract?.timeBudget?.stopped).toBe(true);
    expect(cut.extract?.snapshot?.complete).toBe(false);
    const rows = await sourceCount();
    expect(cut.extract?.rows).toBeGreaterThanOrEqual(200);
    expect(cut.extract?.rows).toBeLessThan(rows);
    const stored = (await createWatermarkStore(lake).read(table))._unsafeUnwrap();
    const ranges = stored?.extract?.snapshot?.ranges ?? [];
    expect(stored?.extract?.phase).toBe("snapshot");
    // Ranges left to read, in key order, the last one open-ended; some resume mid-range.
    expect(ranges.length).toBeGreaterThan(1);
    expect(ranges.at(-1)?.throughKey).toBeNull();
    expect(ranges.some((range) => range.afterKey !== null)).toBe(true);

    // A refused cap: ranges advance side by side, so --limit cannot cut them in one order.
    const refused = await syncTable(
      syncOptions(table, lake, { mode: "backup-only", warehouse: undefined, limit: 100 }),
    );
    expect(refused._unsafeUnwrapErr().kind).toBe("config");
    expect(refused._unsafeUnwrapErr().message).toContain("cut runs by time with --max-duration");

    // Later runs without --snapshot-connections go on with the ranges left, one at a time.
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const report = await run(
        withTarget(syncOptions(table, lake, { mode: "backup-only", warehouse: undefined }), targetSchema),
      );
      reports.push(report);
      if (report.extract?.snapshot?.complete) break;
    }
    expect(reports.at(-1)?.extract?.snapshot?.complete).toBe(true);
    expect(reports.reduce((sum, report) => sum + (report.extract?.stagedRows ?? 0), 0)).toBe(rows);
    const loaded = await run(withTarget(syncOptions(table, lake, { mode: "redshift-only" }), targetSchema));
    expect(loaded.load?.rowsStaged).toBe(rows);
    expect(normaliseDoubles(await targetRowsAsText(targetSchema))).toEqual(
      normaliseDoubles(await sourceRowsAsText(source, schema)),
    );
  });

  it("without a recipe (a source behind an SSH tunnel) the lanes share this thread over connections of their own", async () => {
    const lake = await localLake();
    const targetSchema = "pipeline_lanes_thread";
    const opened: number[] = [];
    const report = await run(
      withTarget(
        syncOptions(table, lake, {
          snapshotConnections: {
            count: 3,
            open: () => {
              opened.push(opened.length);
              return createMysqlSource(mysqlTestOptions(schema));
            },
          },
        }),
        targetSchema,
      ),
    );
    // The run's own source is the first lane; two more were opened (and closed by the run).
    expect(opened).toHaveLength(2);
    expect(report.extract?.snapshot?.complete).toBe(true);
    expect(normaliseDoubles(await targetRowsAsText(targetSchema))).toEqual(
      normaliseDoubles(await sourceRowsAsText(source, schema)),
    );
  });

  it("a composite key led by an integer is cut at real key tuples; a budget-cut run resumes per range, exactly", async () => {
    const lines = { schema, table: "settlement_line" };
    const lake = await localLake();
    const targetSchema = "pipeline_lanes_composite";
    const lineRows = async () =>
      mysqlRows(
        source,
        `SELECT settlement_id, line, CAST(amount AS CHAR), IFNULL(note, 'NULL'), DATE_FORMAT(updated_at, '%Y-%m-%d %H:%i:%s.%f')
           FROM ${schema}.settlement_line ORDER BY settlement_id, line`,
      );
    const expected = await lineRows();
    const cut = await run(budgetCutOptions(lines, lake));
    expect(cut.notes.join(" ")).not.toContain("read on one connection");
    expect(cut.extract?.snapshot?.complete).toBe(false);
    expect(cut.extract?.rows).toBeLessThan(expected.length);
    const stored = (await createWatermarkStore(lake).read(lines))._unsafeUnwrap();
    const ranges = stored?.extract?.snapshot?.ranges ?? [];
    expect(ranges.length).toBeGreaterThan(1);
    // Every bound is a whole key tuple, and each closed range ends at a row of the table.
    const keys = new Set(expected.map((row) => `${row[0]}/${row[1]}`));
    for (const range of ranges.slice(0, -1)) {
      expect(range.throughKey).toHaveLength(2);
      expect(keys.has((range.throughKey ?? []).join("/"))).toBe(true);
    }
    expect(ranges.at(-1)?.throughKey).toBeNull();
    expect(ranges.some((range) => range.afterKey?.length === 2)).toBe(true);

    // The rest with two connections again, then loaded: every line once.
    const reports = await finishWithLanes(lines, lake, cut);
    expect(reports.at(-1)?.extract?.snapshot?.complete).toBe(true);
    expect(reports.reduce((sum, report) => sum + (report.extract?.stagedRows ?? 0), 0)).toBe(expected.length);
    const loaded = await run(withTarget(syncOptions(lines, lake, { mode: "redshift-only" }), targetSchema));
    expect(loaded.load?.rowsStaged).toBe(expected.length);
    expect(
      await pgRows(
        `SELECT settlement_id, line, amount::text, COALESCE(note, 'NULL'), to_char(updated_at, 'YYYY-MM-DD HH24:MI:SS.US')
           FROM "${targetSchema}"."settlement_line" ORDER BY settlement_id, line`,
      ),
    ).toEqual(expected);
  });

  it("a composite key with few leading values is cut one value per range at least; one value is read on one connection", async () => {
    await source.query(`CREATE TABLE ${schema}.tenant_event (
        tenant INT NOT NULL, seq INT NOT NULL, note VARCHAR(20) NOT NULL, updated_at TIMESTAMP(6) NOT NULL,
        PRIMARY KEY (tenant, seq), KEY tenant_event_updated_at (updated_at, tenant, seq)
      ) DEFAULT CHARSET=utf8mb4;
      INSERT INTO ${schema}.tenant_event
        SELECT 1 + s.seq % 3, s.seq, CONCAT('event ', s.seq), TIMESTAMP('2026-01-01') + INTERVAL s.seq SECOND
        FROM seq_1_to_1200 AS s;
      CREATE TABLE ${schema}.one_tenant LIKE ${schema}.tenant_event;
      INSERT INTO ${schema}.one_tenant SELECT 7, seq, note, updated_at FROM ${schema}.tenant_event;`);
    const events = { schema, table: "tenant_event" };
    const lake = await localLake();
    const cut = await run(budgetCutOptions(events, lake));
    expect(cut.notes.join(" ")).not.toContain("read on one connection");
    const stored = (await createWatermarkStore(lake).read(events))._unsafeUnwrap();
    const ranges = stored?.extract?.snapshot?.ranges ?? [];
    // Three tenants, 400 rows each: cut at tenants 1 and 2 (a page-width guard would not cut at all).
    expect(ranges.map((range) => range.throughKey?.[0] ?? null)).toEqual(["1", "2", null]);
    const reports = await finishWithLanes(events, lake, cut);
    expect(reports.at(-1)?.extract?.snapshot?.complete).toBe(true);
    expect(reports.reduce((sum, report) => sum + (report.extract?.stagedRows ?? 0), 0)).toBe(1_200);

    const single = await run(
      syncOptions({ schema, table: "one_tenant" }, await localLake(), {
        mode: "backup-only",
        warehouse: undefined,
        snapshotConnections: { count: 2, recipe: recipe() },
      }),
    );
    expect(single.notes.join(" ")).toContain("do not span two values of tenant");
    expect(single.extract?.rows).toBe(1_200);
    expect(single.extract?.snapshot?.complete).toBe(true);
  });

  it("a source that cannot probe a composite key reads its snapshot on one connection, and says so", async () => {
    const lines = { schema, table: "settlement_line" };
    const lake = await localLake();
    const plain = testMysqlSource(mysqlTestOptions(schema));
    // The same source without the optional probe (as a Source of another team might be).
    const withoutProbe = new Proxy(plain, {
      get: (target, property) => (property === "lastKeyUpTo" ? undefined : Reflect.get(target, property)),
    });
    const report = await run(
      syncOptions(lines, lake, {
        mode: "backup-only",
        warehouse: undefined,
        source: withoutProbe,
        snapshotConnections: { count: 2, recipe: recipe() },
      }),
    );
    expect(report.notes.join(" ")).toContain("(settlement_id, line) is read on one connection");
    expect(report.extract?.snapshot?.complete).toBe(true);
    expect(report.extract?.rows).toBe((await lineRows(source)).length);
  });
});

async function lineRows(connection: typeof source): Promise<string[][]> {
  return mysqlRows(connection, `SELECT settlement_id, line FROM ${schema}.settlement_line`);
}
