import { sluiceError } from "@sluice/core";
import { createWatermarkStore, type WatermarkStore } from "@sluice/watermark-store";
import { errAsync } from "neverthrow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunReport } from "../src/index.js";
import { extractToLake, syncTable } from "../src/index.js";
import {
  createSourceDatabase,
  dropTargetSchema,
  type MysqlConnection,
  mysqlRows,
  pgRows,
} from "./cdc-fixture.js";
import { localLake, syncOptions } from "./sync-fixture.js";

const schema = "pipeline_snapshot";
let source: MysqlConnection;

// Stamps come from the server clock (TIMESTAMP(6) ON UPDATE), as the guarantee assumes.
const ddl = (table: string) => `CREATE TABLE ${table} (id INT NOT NULL PRIMARY KEY, v INT NOT NULL,
  updated_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  KEY ix_${table}_updated (updated_at))`;

beforeAll(async () => {
  source = await createSourceDatabase(
    schema,
    `${ddl("orders")}; ${ddl("crash")}; ${ddl("rules")}; ${ddl("tail")};`,
  );
  for (const table of ["orders", "crash", "rules", "tail"]) {
    await source.query(`INSERT INTO ${schema}.${table} (id, v) SELECT 100 + seq, seq FROM seq_1_to_50`);
  }
  await dropTargetSchema(schema);
});
afterAll(async () => {
  await source?.end();
});

const run = async (options: Parameters<typeof syncTable>[0]): Promise<RunReport> =>
  (await syncTable(options))._unsafeUnwrap();

const sourceRows = (table: string) =>
  mysqlRows(source, `SELECT CAST(id AS CHAR), CAST(v AS CHAR) FROM ${schema}.${table} ORDER BY id`);
const targetRows = (table: string) =>
  pgRows(`SELECT id::text, v::text FROM "${schema}"."${table}" ORDER BY id`);

describe("initial snapshot: a table without a watermark is read in primary-key order below a frozen ceiling", () => {
  for (const strategy of ["hybrid", "timestamp"] as const) {
    it(`${strategy}: resumable across limited runs with the same ceiling; writes during it reach the target; then incremental`, async () => {
      const table = `${strategy}_orders`;
      await source.query(`CREATE TABLE ${schema}.${table} LIKE ${schema}.orders`);
      await source.query(`INSERT INTO ${schema}.${table} SELECT * FROM ${schema}.orders`);
      const lake = await localLake();
      const ref = { schema, table };
      const options = (limit: number | null) =>
        syncOptions(ref, lake, { strategy, limit, pageSize: 8, warehouse: undefined, mode: "backup-only" });
      const loadOptions = syncOptions(ref, lake, { strategy });
      const watermarks = createWatermarkStore(lake);

      // Run 1: 20 rows in key order (101..120), a snapshot in progress.
      const first = await run(options(20));
      expect(first.extract?.rows).toBe(20);
      expect(first.extract?.phase).toBe("snapshot");
      expect(first.extract?.snapshot).toEqual({
        ceiling: first.extract?.ceiling,
        afterKey: ["120"],
        complete: false,
      });
      const ceiling = first.extract?.ceiling as string;
      let doc = (await watermarks.read(ref))._unsafeUnwrap();
      expect(doc?.extract?.phase).toBe("snapshot");
      expect(doc?.extract?.snapshot).toEqual({ ceiling, afterKey: ["120"] });
      expect(doc?.extract?.position).toBeNull();

      // Writes while the snapshot is half done: an update behind its position and one
      // ahead of it (both move across the ceiling), and a key below every other.
      await new Promise((resolve) => setTimeout(resolve, 20));
      await source.query(`UPDATE ${schema}.${table} SET v = v + 1000 WHERE id IN (105, 140)`);
      await source.query(`INSERT INTO ${schema}.${table} (id, v) VALUES (1, -1)`);

      // Run 2 continues after key 120 with the SAME ceiling; 140 is no longer below it.
      const second = await run(options(20));
      expect(second.extract?.ceiling).toBe(ceiling);
      expect(second.extract?.phase).toBe("snapshot");
      expect(second.extract?.snapshot?.afterKey).toEqual(["141"]);

      // Run 3 takes the last 9 rows, exactly its limit: the key probe finds nothing
      // left, so the snapshot completes in this run, on the largest row below the ceiling.
      const third = await run(options(9));
      expect(third.extract?.rows).toBe(9);
      expect(third.extract?.snapshot?.complete).toBe(true);
      expect(third.notes.join("\n")).toContain("initial snapshot complete");
      const [[lastStamp, lastId]] = (await mysqlRows(
        source,
        `SELECT DATE_FORMAT(updated_at, '%Y-%m-%d %H:%i:%s.%f'), CAST(id AS CHAR) FROM ${schema}.${table}
         WHERE updated_at < '${ceiling}' ORDER BY updated_at DESC, id DESC LIMIT 1`,
      )) as [[string, string]];
      expect(third.extract?.to).toEqual({
        cursorValue: lastStamp,
        keyValues: strategy === "hybrid" ? [lastId] : [],
      });
      doc = (await watermarks.read(ref))._unsafeUnwrap();
      expect(doc?.extract?.phase).toBe("incremental");
      expect(doc?.extract?.snapshot).toBeUndefined();
      expect(doc?.extract?.rowsTotal).toBe(49);

      // Run 4, incremental: exactly the rows written since the snapshot started.
      const fourth = await run(options(null));
      expect(fourth.extract?.phase).toBe("incremental");
      expect(fourth.extract?.rows).toBe(3);
      const loaded = await run(loadOptions);
      expect(loaded.load?.runsLoaded).toBe(4);
      expect(await targetRows(table)).toEqual(await sourceRows(table));
    });
  }

  it("a crash before the watermark commit leaves the snapshot where it was; the rerun takes the same rows, no gap", async () => {
    const lake = await localLake();
    const ref = { schema, table: "crash" };
    const options = syncOptions(ref, lake, { limit: 10, warehouse: undefined, mode: "backup-only" });
    const store = createWatermarkStore(lake);
    const first = (await extractToLake(options, store, []))._unsafeUnwrap();
    expect(first.snapshot?.afterKey).toEqual(["110"]);
    // The process dies between the manifest and the watermark commit.
    const failing: WatermarkStore = {
      ...store,
      recordExtract: () =>
        errAsync(sluiceError("connection", "the process died before the watermark commit")),
    };
    expect((await extractToLake(options, failing, [])).isErr()).toBe(true);
    const doc = (await store.read(ref))._unsafeUnwrap();
    expect(doc?.extract?.snapshot).toEqual({ ceiling: first.ceiling, afterKey: ["110"] });
    const rerun = (await extractToLake(options, store, []))._unsafeUnwrap();
    expect(rerun.ceiling).toBe(first.ceiling);
    expect(rerun.snapshot?.afterKey).toEqual(["120"]);
    // Everything, once: the rest of the snapshot in one run, then nothing new.
    const rest = (await extractToLake({ ...options, limit: null }, store, []))._unsafeUnwrap();
    expect(rest.rows).toBe(30);
    expect(rest.snapshot?.complete).toBe(true);
    expect(first.rows + rerun.rows + rest.rows).toBe(50);
  });

  it("a snapshot whose remaining rows all moved above the ceiling hands over in an empty run, without a manifest", async () => {
    const lake = await localLake();
    const ref = { schema, table: "tail" };
    const options = (limit: number | null) =>
      syncOptions(ref, lake, { limit, warehouse: undefined, mode: "backup-only" });
    const first = await run(options(45));
    expect(first.extract?.snapshot).toMatchObject({ afterKey: ["145"], complete: false });
    await source.query(`UPDATE ${schema}.tail SET v = v + 1000 WHERE id > 145`);
    const empty = await run(options(null));
    expect(empty.extract?.rows).toBe(0);
    expect(empty.extract?.manifestKey).toBeNull();
    expect(empty.extract?.snapshot?.complete).toBe(true);
    expect(empty.extract?.to?.keyValues).toEqual(["145"]);
    const doc = (await createWatermarkStore(lake).read(ref))._unsafeUnwrap();
    expect(doc?.extract).toMatchObject({
      phase: "incremental",
      lastRunId: first.extract?.runId,
      rowsTotal: 45,
    });
    expect(doc?.extract?.position?.keyValues).toEqual(["145"]);
    const rest = await run(options(null));
    expect(rest.extract?.phase).toBe("incremental");
    expect(rest.extract?.rows).toBe(5);
  });

  it("a snapshot in progress refuses another strategy or cursor column; --no-initial-snapshot reads in cursor order", async () => {
    const lake = await localLake();
    const ref = { schema, table: "rules" };
    const base = { warehouse: undefined, mode: "backup-only" as const };
    await run(syncOptions(ref, lake, { ...base, limit: 5 }));
    const other = await syncTable(syncOptions(ref, lake, { ...base, strategy: "timestamp" }));
    expect(other._unsafeUnwrapErr().message).toContain('written by strategy "hybrid", not "timestamp"');
    await source.query(
      `ALTER TABLE ${schema}.rules ADD COLUMN changed_at DATETIME NULL, ADD KEY (changed_at)`,
    );
    const column = await syncTable(syncOptions(ref, lake, { ...base, cursorColumn: "changed_at" }));
    expect(column._unsafeUnwrapErr().kind).toBe("watermark");
    expect(column._unsafeUnwrapErr().message).toContain("--cursor-column updated_at");

    const ordered = await run(
      syncOptions(ref, await localLake(), { ...base, limit: 5, initialSnapshot: false }),
    );
    expect(ordered.extract?.phase).toBe("incremental");
    expect(ordered.extract?.snapshot).toBeNull();
  });
});
