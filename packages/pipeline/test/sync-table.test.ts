import { createWatermarkStore } from "@sluice/watermark-store";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { manifestPrefix, syncTable } from "../src/index.js";
import {
  createSettlementSource,
  insertRows,
  localLake,
  normaliseDoubles,
  sourceRowsAsText,
  syncOptions,
  targetRowsAsText,
} from "./sync-fixture.js";

const schema = "pipeline_sync";
const table = { schema, table: "settlement" };
let source: Awaited<ReturnType<typeof createSettlementSource>>;

beforeAll(async () => {
  source = await createSettlementSource(schema, 4_000);
});
afterAll(async () => {
  await source?.end();
});

describe("syncTable, hybrid strategy, MariaDB -> local lake -> PostgreSQL", () => {
  it("moves every row, then exactly the inserted and updated rows, then nothing", async () => {
    const lake = await localLake();
    const first = (await syncTable(syncOptions(table, lake)))._unsafeUnwrap();
    expect(first.extract?.rows).toBe(4_000);
    expect(first.extract?.files).toBe(3); // 1,500 rows per file
    expect(first.load?.rowsStaged).toBe(4_000);
    expect(normaliseDoubles(await targetRowsAsText(schema))).toEqual(
      normaliseDoubles(await sourceRowsAsText(source, schema)),
    );

    // 25 new rows, 40 updated ones: the second run moves exactly 65 rows.
    await insertRows(source, 25, "2026-02-01 00:00:00");
    await source.query(
      `UPDATE ${schema}.settlement SET status = 'refunded', amount = amount + 0.01, updated_at = '2026-03-01 00:00:00.5' WHERE id % 100 = 0`,
    );
    const second = (await syncTable(syncOptions(table, lake)))._unsafeUnwrap();
    expect(second.extract?.rows).toBe(65);
    expect(second.load?.runsLoaded).toBe(1);
    expect(second.load?.rowsDeleted).toBe(40);
    expect(normaliseDoubles(await targetRowsAsText(schema))).toEqual(
      normaliseDoubles(await sourceRowsAsText(source, schema)),
    );

    const third = (await syncTable(syncOptions(table, lake)))._unsafeUnwrap();
    expect(third.extract?.rows).toBe(0);
    expect(third.load?.runsLoaded).toBe(0);
    expect(third.notes.join("\n")).toMatch(/nothing new in .* before the ceiling \d{4}-\d\d-\d\d /);

    // The watermark sits on the last row in (updated_at, id) order, as MariaDB orders it.
    await source.query("SET time_zone = '+00:00'");
    const [[last]] = (await source.query({
      sql: `SELECT DATE_FORMAT(updated_at, '%Y-%m-%d %H:%i:%s.%f'), CAST(id AS CHAR) FROM ${schema}.settlement ORDER BY updated_at DESC, id DESC LIMIT 1`,
      rowsAsArray: true,
    })) as unknown as [[string, string][]];
    const doc = (await createWatermarkStore(lake).read(table))._unsafeUnwrap();
    expect(doc?.extract?.position).toEqual({ cursorValue: last?.[0], keyValues: [last?.[1]] });
    const manifests = (await lake.list(manifestPrefix(table)))._unsafeUnwrap();
    expect(manifests.filter((object) => object.key.endsWith(".json"))).toHaveLength(2);
  });

  it("with --limit stops exactly on the Nth row in cursor order, and resumes after it", async () => {
    const lake = await localLake();
    const limited = (
      await syncTable(syncOptions(table, lake, { mode: "backup-only", limit: 1_001, initialSnapshot: false }))
    )._unsafeUnwrap();
    expect(limited.extract?.rows).toBe(1_001);
    await source.query("SET time_zone = '+00:00'");
    const [ordered] = await source.query({
      sql: `SELECT DATE_FORMAT(updated_at, '%Y-%m-%d %H:%i:%s.%f'), CAST(id AS CHAR) FROM ${schema}.settlement ORDER BY updated_at, id LIMIT 1000, 2`,
      rowsAsArray: true,
    });
    const [nth, next] = ordered as [string, string][];
    expect(limited.extract?.to).toEqual({ cursorValue: nth?.[0], keyValues: [nth?.[1]] });

    const rest = (await syncTable(syncOptions(table, lake, { mode: "backup-only" })))._unsafeUnwrap();
    const [[count]] = (await source.query({
      sql: `SELECT COUNT(*) FROM ${schema}.settlement`,
      rowsAsArray: true,
    })) as unknown as [[number]];
    expect(rest.extract?.rows).toBe(Number(count) - 1_001);
    expect(next).toBeDefined();
  });

  it("leaves rows stamped at or after the captured ceiling for the next run", async () => {
    const lake = await localLake();
    await source.query(
      `INSERT INTO ${schema}.settlement (merchant_id, amount, currency, status, updated_at) VALUES (1, 1.00, 'EUR', 'pending', NOW(6) + INTERVAL 1 HOUR)`,
    );
    const run = (await syncTable(syncOptions(table, lake, { mode: "backup-only" })))._unsafeUnwrap();
    const [[count]] = (await source.query({
      sql: `SELECT COUNT(*) FROM ${schema}.settlement`,
      rowsAsArray: true,
    })) as unknown as [[number]];
    expect(run.extract?.rows).toBe(Number(count) - 1);
    expect(run.extract?.ceiling).not.toBeNull();
    await source.query(`DELETE FROM ${schema}.settlement WHERE updated_at > NOW(6)`);
  });

  it("--dry-run plans and counts but writes nothing", async () => {
    const lake = await localLake();
    const run = (await syncTable(syncOptions(table, lake, { dryRun: true })))._unsafeUnwrap();
    expect(run.dryRun).toBe(true);
    expect(run.notes.join("\n")).toMatch(/would extract \d+ of \d+ pending rows/);
    expect((await lake.list(""))._unsafeUnwrap()).toEqual([]);
    expect((await createWatermarkStore(lake).read(table))._unsafeUnwrap()).toBeNull();
  });

  it("--backup-only stages without loading; --redshift-only then loads from the lake alone", async () => {
    const lake = await localLake();
    const targetSchema = "pipeline_split";
    const backup = (await syncTable(syncOptions(table, lake, { mode: "backup-only" })))._unsafeUnwrap();
    expect(backup.load).toBeNull();
    const options = syncOptions(table, lake, { mode: "redshift-only" });
    const { source: _unused, warehouse, ...withoutSource } = options;
    if (!warehouse) throw new Error("syncOptions gives a warehouse");
    const load = (
      await syncTable({ ...withoutSource, warehouse: { ...warehouse, targetSchema } })
    )._unsafeUnwrap();
    expect(load.extract).toBeNull();
    expect(load.load?.rowsStaged).toBe(backup.extract?.rows);
    expect(normaliseDoubles(await targetRowsAsText(targetSchema))).toEqual(
      normaliseDoubles(await sourceRowsAsText(source, schema)),
    );
    const again = (
      await syncTable({ ...withoutSource, warehouse: { ...warehouse, targetSchema } })
    )._unsafeUnwrap();
    expect(again.load?.runsLoaded).toBe(0);
  });
});
