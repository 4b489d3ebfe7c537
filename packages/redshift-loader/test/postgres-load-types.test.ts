import type { ColumnSpec } from "@sluice/core";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openLoader, type WarehouseLoader } from "../src/index.js";
import { everyTypeColumns } from "./orders-columns.js";
import {
  checkClient,
  privatePostgres,
  stageRun,
  targetAsText,
  temporaryLake,
  uniqueSchema,
} from "./pg-load-fixture.js";

const schema = uniqueSchema("rl_types");
const table = `${schema}.orders`;
let lake: Awaited<ReturnType<typeof temporaryLake>>;
let loader: WarehouseLoader;
let check: pg.Client;

beforeAll(async () => {
  lake = await temporaryLake();
  loader = (await openLoader({ connection: privatePostgres().connection, lake: lake.lake }))._unsafeUnwrap();
  check = await checkClient();
});

afterAll(async () => {
  await loader?.close();
  await check?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await check?.end();
  await lake?.dispose();
});

const specialText = "tab\there\nnew line\\back\rcr 'single' \"double\" ü 😀 \\N";

// Source values as mysql2 hands them over (core/row-batch.ts), one column of each type.
const fullRow = [
  "1",
  255,
  -128,
  65535,
  -2147483648,
  4294967295,
  "18446744073709551615",
  "-1234567890123456.78",
  0.1,
  Math.PI,
  "2024-02-29",
  "2024-05-01 12:34:56.123456",
  "2024-05-01 12:00:00",
  "-838:59:59",
  2024,
  specialText,
  "",
  "x".repeat(70_000),
  Buffer.from("00ff10203040506070809aabbccddeef", "hex"),
  '{"b": 1,  "a": [1, 2], "s": "tab\\tquote\\""}',
  Buffer.from([0b1010_0101]),
  Buffer.from("ffffffffffffffff", "hex"),
  1,
];
const nullRow = [
  "2",
  null,
  null,
  null,
  null,
  null,
  null,
  "0.00",
  null,
  null,
  "0000-00-00",
  null,
  "2024-05-01 12:00:01",
  null,
  null,
  "",
  null,
  null,
  null,
  null,
  null,
  null,
  0,
];

// What PostgreSQL prints for each value (`::text`), written by hand.
const expectedText = [
  [
    "1",
    "255",
    "-128",
    "65535",
    "-2147483648",
    "4294967295",
    "18446744073709551615",
    "-1234567890123456.78",
    "0.1",
    "3.141592653589793",
    "2024-02-29",
    "2024-05-01 12:34:56.123456",
    "2024-05-01 12:00:00+00",
    "-838:59:59",
    "2024",
    specialText,
    "",
    "x".repeat(70_000),
    "\\x00ff10203040506070809aabbccddeef",
    '{"b": 1,  "a": [1, 2], "s": "tab\\tquote\\""}',
    "165",
    "18446744073709551615",
    "true",
  ],
  [
    "2",
    null,
    null,
    null,
    null,
    null,
    null,
    "0.00",
    null,
    null,
    null,
    null,
    "2024-05-01 12:00:01+00",
    null,
    null,
    "",
    null,
    null,
    null,
    null,
    null,
    null,
    "false",
  ],
];

describe("PostgreSQL load of Parquet parts (every logical type)", () => {
  it("loads every column exactly as text, with the target created from the run", async () => {
    const manifest = await stageRun(lake.lake, {
      table,
      runId: "r1",
      columns: everyTypeColumns,
      primaryKey: ["id"],
      cursorColumn: "updated_at",
      parts: [[fullRow], [nullRow]],
    });
    const report = (await loader.loadRun(manifest, "unused-for-postgres"))._unsafeUnwrap();
    expect(report).toMatchObject({
      table,
      target: table,
      runId: "r1",
      skipped: false,
      filesLoaded: 2,
      rowsStaged: 2,
      rowsInserted: 2,
      rowsDeleted: 0,
    });
    const names = everyTypeColumns.map((column: ColumnSpec) => column.name);
    const rows = await targetAsText(check, `"${schema}"."orders"`, names, '"id"');
    expect(rows).toHaveLength(2);
    for (const [rowIndex, row] of rows.entries()) {
      for (const [columnIndex, name] of names.entries()) {
        expect({ column: name, value: row[columnIndex] }).toEqual({
          column: name,
          value: expectedText[rowIndex]?.[columnIndex],
        });
      }
    }
    // The target keeps the run's column order (COPY maps by position on Redshift).
    const order = await check.query(
      "SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'orders' ORDER BY ordinal_position",
      [schema],
    );
    expect(order.rows.map((row) => row.column_name)).toEqual(names);
    expect((await loader.countRows(table))._unsafeUnwrap()).toBe(2);
  });
});
