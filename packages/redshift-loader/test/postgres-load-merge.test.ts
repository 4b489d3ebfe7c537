import type { ColumnSpec, RunManifest, StagedFile } from "@sluice/core";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openLoader, type WarehouseLoader } from "../src/index.js";
import {
  checkClient,
  privatePostgres,
  stageRun,
  targetAsText,
  temporaryLake,
  uniqueSchema,
} from "./pg-load-fixture.js";

const schema = uniqueSchema("rl_merge");
const ledgerSchema = uniqueSchema("rl_ledger");
const table = `${schema}.accounts`;
const target = `"${schema}"."accounts"`;
let lake: Awaited<ReturnType<typeof temporaryLake>>;
let loader: WarehouseLoader;
let check: pg.Client;

const columns: ColumnSpec[] = [
  { name: "id", sourceType: "int", logical: { kind: "integer", bits: 32, unsigned: false }, nullable: false },
  { name: "name", sourceType: "varchar(50)", logical: { kind: "string", maxBytes: 200 }, nullable: true },
  { name: "updated_at", sourceType: "datetime", logical: { kind: "datetime", fsp: 0 }, nullable: false },
];
const [id, name, updatedAt] = columns as [ColumnSpec, ColumnSpec, ColumnSpec];
const names = columns.map((column) => column.name);
const run = (runId: string, parts: (string | number | null)[][][]) =>
  stageRun(lake.lake, { table, runId, columns, primaryKey: ["id"], cursorColumn: "updated_at", parts });

const ledgerRows = async () =>
  (
    await check.query(
      `SELECT run_id, file_key, rows::text FROM "${ledgerSchema}".sluice_load_ledger WHERE source_table = $1 ORDER BY run_id, file_key`,
      [table],
    )
  ).rows;

beforeAll(async () => {
  lake = await temporaryLake();
  loader = (
    await openLoader({ connection: privatePostgres().connection, lake: lake.lake, ledgerSchema })
  )._unsafeUnwrap();
  check = await checkClient();
});

afterAll(async () => {
  await loader?.close();
  await check?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await check?.query(`DROP SCHEMA IF EXISTS "${ledgerSchema}" CASCADE`);
  await check?.end();
  await lake?.dispose();
});

describe("PostgreSQL merge, idempotency and rollback", () => {
  let second: RunManifest;

  it("inserts a first run", async () => {
    const first = await run("r1", [
      [
        [1, "ann", "2024-01-01 00:00:01"],
        [2, "bob", "2024-01-01 00:00:02"],
        [3, "cid", "2024-01-01 00:00:03"],
      ],
      [
        [4, "dan", "2024-01-01 00:00:04"],
        [5, "eve", "2024-01-01 00:00:05"],
      ],
    ]);
    const report = (await loader.loadRun(first, ""))._unsafeUnwrap();
    expect(report).toMatchObject({
      skipped: false,
      filesLoaded: 2,
      rowsStaged: 5,
      rowsInserted: 5,
      rowsDeleted: 0,
    });
  });

  it("updates existing keys and keeps the latest version of keys repeated within a run", async () => {
    second = await run("r2", [
      [
        // id 3 twice: the later cursor wins though it comes first.
        [3, "cid-late", "2024-02-01 00:00:09"],
        [3, "cid-early", "2024-02-01 00:00:01"],
        // id 4 twice with the same cursor: the row later in the run wins (next file).
        [4, "dan-first", "2024-02-01 00:00:05"],
        [2, "bob-2", "2024-02-01 00:00:02"],
      ],
      [
        [4, "dan-second", "2024-02-01 00:00:05"],
        [6, "fay", "2024-02-01 00:00:06"],
      ],
    ]);
    const report = (await loader.loadRun(second, ""))._unsafeUnwrap();
    expect(report).toMatchObject({
      skipped: false,
      filesLoaded: 2,
      rowsStaged: 6,
      rowsDeleted: 3, // ids 2, 3, 4 existed
      rowsInserted: 4, // ids 2, 3, 4, 6
    });
    expect(await targetAsText(check, target, names, "id")).toEqual([
      ["1", "ann", "2024-01-01 00:00:01"],
      ["2", "bob-2", "2024-02-01 00:00:02"],
      ["3", "cid-late", "2024-02-01 00:00:09"],
      ["4", "dan-second", "2024-02-01 00:00:05"],
      ["5", "eve", "2024-01-01 00:00:05"],
      ["6", "fay", "2024-02-01 00:00:06"],
    ]);
    expect((await loader.countRows(table))._unsafeUnwrap()).toBe(6);
  });

  it("skips a run the ledger already holds: no duplicates, no new ledger rows", async () => {
    const ledgerBefore = await ledgerRows();
    expect(ledgerBefore.map((row) => row.run_id)).toEqual(["r1", "r1", "r2", "r2"]);
    const report = (await loader.loadRun(second, ""))._unsafeUnwrap();
    expect(report).toMatchObject({ skipped: true, rowsStaged: 0, rowsInserted: 0, rowsDeleted: 0 });
    expect(await ledgerRows()).toEqual(ledgerBefore);
    expect((await loader.countRows(table))._unsafeUnwrap()).toBe(6);
    expect([...(await loader.loadedRunIds(table))._unsafeUnwrap()].sort()).toEqual(["r1", "r2"]);
  });

  it("rolls everything back when a part holds fewer rows than its manifest says", async () => {
    const before = await targetAsText(check, target, names, "id");
    const ledgerBefore = await ledgerRows();
    const staged = await run("r3", [
      [[1, "ann-3", "2024-03-01 00:00:01"]],
      [
        [7, "gus", "2024-03-01 00:00:07"],
        [8, "hal", "2024-03-01 00:00:08"],
      ],
    ]);
    const [good, bad] = staged.files as [StagedFile, StagedFile];
    const lying: RunManifest = {
      ...staged,
      files: [good, { ...bad, rows: 3 }],
      rows: 4,
    };
    const error = (await loader.loadRun(lying, ""))._unsafeUnwrapErr();
    expect(error.kind).toBe("load");
    expect(error.message).toContain(table);
    expect(error.message).toContain(bad.key);
    expect(error.message).toContain("holds 2 rows");
    expect(error.message).not.toContain("\n");
    expect(await targetAsText(check, target, names, "id")).toEqual(before);
    expect(await ledgerRows()).toEqual(ledgerBefore);
    expect((await loader.loadedRunIds(table))._unsafeUnwrap().has("r3")).toBe(false);

    // The same session still works, and the honest manifest loads.
    const report = (await loader.loadRun(staged, ""))._unsafeUnwrap();
    expect(report).toMatchObject({ rowsStaged: 3, rowsDeleted: 1, rowsInserted: 3 });
    expect((await loader.countRows(table))._unsafeUnwrap()).toBe(8);
  });

  it("rolls back when reading a part fails midway, and creates no table for a failed first run", async () => {
    const freshTable = `${schema}.fresh`;
    const staged = await stageRun(lake.lake, {
      table: freshTable,
      runId: "f1",
      columns,
      primaryKey: ["id"],
      cursorColumn: "updated_at",
      parts: [[[1, "a", "2024-01-01 00:00:00"]]],
    });
    const failing = (
      await openLoader({
        connection: privatePostgres().connection,
        lake: lake.lake,
        ledgerSchema,
        readParquetRows: async function* () {
          yield ["1", "a", "2024-01-01 00:00:00"];
          throw { kind: "encode", retryable: false, message: "part is corrupt at row 2" };
        },
      })
    )._unsafeUnwrap();
    try {
      const error = (await failing.loadRun(staged, ""))._unsafeUnwrapErr();
      expect(error.message).toContain("corrupt");
      const exists = await check.query("SELECT to_regclass($1) AS oid", [`"${schema}"."fresh"`]);
      expect(exists.rows[0].oid).toBeNull();
      expect((await failing.loadedRunIds(freshTable))._unsafeUnwrap().size).toBe(0);
      // The session survives the aborted COPY.
      expect((await failing.countRows(table))._unsafeUnwrap()).toBe(8);
    } finally {
      await failing.close();
    }
  });

  it("appends to a table without primary key", async () => {
    const logTable = `${schema}.log`;
    const stage = (runId: string, parts: (string | number | null)[][][]) =>
      stageRun(lake.lake, { table: logTable, runId, columns, primaryKey: [], cursorColumn: null, parts });
    const one = await stage("a1", [
      [
        [1, "x", "2024-01-01 00:00:00"],
        [1, "x", "2024-01-01 00:00:00"],
      ],
    ]);
    const two = await stage("a2", [[[1, "x", "2024-01-01 00:00:00"]]]);
    expect((await loader.loadRun(one, ""))._unsafeUnwrap().rowsInserted).toBe(2);
    expect((await loader.loadRun(two, ""))._unsafeUnwrap().rowsInserted).toBe(1);
    expect((await loader.loadRun(two, ""))._unsafeUnwrap().skipped).toBe(true);
    expect((await loader.countRows(logTable))._unsafeUnwrap()).toBe(3);
  });

  it("adds new trailing columns, and loads a run whose columns come in another order by name", async () => {
    const wider: ColumnSpec[] = [
      ...columns,
      {
        name: "email",
        sourceType: "varchar(80)",
        logical: { kind: "string", maxBytes: 320 },
        nullable: true,
      },
    ];
    const staged = await stageRun(lake.lake, {
      table,
      runId: "r4",
      columns: wider,
      primaryKey: ["id"],
      cursorColumn: "updated_at",
      parts: [[[9, "ivy", "2024-04-01 00:00:00", "ivy@example.com"]]],
    });
    const added = (await loader.loadRun(staged, ""))._unsafeUnwrap();
    expect(added.schemaChanges).toEqual(["added email text"]);
    const rows = await targetAsText(check, target, [...names, "email"], "id");
    expect(rows.at(-1)).toEqual(["9", "ivy", "2024-04-01 00:00:00", "ivy@example.com"]);
    expect(rows[0]).toEqual(["1", "ann-3", "2024-03-01 00:00:01", null]);

    // Files in another column order (and without the newer column) stage in their own
    // order and merge by name; the missing column is NULL for the new row.
    const reordered = await stageRun(lake.lake, {
      table,
      runId: "r5",
      columns: [name, id, updatedAt],
      primaryKey: ["id"],
      cursorColumn: "updated_at",
      parts: [[["jo", 10, "2024-05-01 00:00:00"]]],
    });
    const report = (await loader.loadRun(reordered, ""))._unsafeUnwrap();
    expect(report).toMatchObject({ rowsInserted: 1, schemaChanges: [] });
    // (targetAsText orders by the text form of id: "10" sorts before "9".)
    const rowTen = (await targetAsText(check, target, [...names, "email"], "id")).find(
      (row) => row[0] === "10",
    );
    expect(rowTen).toEqual(["10", "jo", "2024-05-01 00:00:00", null]);
    expect((await loader.countRows(table))._unsafeUnwrap()).toBe(10);
  });
});
