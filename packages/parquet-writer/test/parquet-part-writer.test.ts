import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ColumnSpec, SourceValue } from "@sluice/core";
import { afterAll, describe, expect, it } from "vitest";
import { createParquetPartWriter, parquetSchemaFor, readParquetRowsAsText } from "../src/index.js";
import { ROW_COUNT, rowsOf, typeCases } from "./all-types-fixture.js";
import { duckdbRows } from "./duckdb-query.js";

const directory = mkdtempSync(join(tmpdir(), "sluice-parquet-test-"));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
const columns = typeCases.map((typeCase) => typeCase.column);
let fileCounter = 0;

async function writePart(
  partColumns: readonly ColumnSpec[],
  rows: SourceValue[][],
  options: { compression?: "zstd" | "snappy" | "none"; rowGroupRows?: number; batchRows?: number } = {},
) {
  const path = join(directory, `part-${++fileCounter}.parquet`);
  const writer = createParquetPartWriter({ table: "shop.items", columns: partColumns, path, ...options });
  const batchRows = options.batchRows ?? 3;
  for (let start = 0; start < rows.length; start += batchRows) {
    await writer.write({ rows: rows.slice(start, start + batchRows) });
  }
  return writer.finish();
}

describe("createParquetPartWriter with every logical type", () => {
  it("writes values DuckDB reads back exactly, over several row groups", async () => {
    const summary = await writePart(columns, rowsOf(typeCases), { rowGroupRows: 3 });
    expect(summary.rows).toBe(ROW_COUNT);
    expect(summary.sizeBytes).toBe(readFileSync(summary.path).length);
    const selections = typeCases.map((typeCase, index) => {
      const expression = (typeCase.duckExpression ?? "CAST(c AS VARCHAR)").replace(
        "c",
        `"${typeCase.column.name}"`,
      );
      return `CASE WHEN "${typeCase.column.name}" IS NULL THEN NULL ELSE ${expression} END AS v${index}`;
    });
    const rows = await duckdbRows(
      `SELECT ${selections.join(", ")} FROM read_parquet('${summary.path}', file_row_number = true) ORDER BY file_row_number`,
    );
    expect(rows).toHaveLength(ROW_COUNT);
    typeCases.forEach((typeCase, index) => {
      const actual = rows.map((row) => row[`v${index}`] ?? null);
      expect({ column: typeCase.column.name, values: actual }).toEqual({
        column: typeCase.column.name,
        values: typeCase.duck,
      });
    });
  });

  it("reads its own files back as canonical text (PostgreSQL COPY form)", async () => {
    const summary = await writePart(columns, rowsOf(typeCases), { rowGroupRows: 2 });
    const rows: (readonly (string | null)[])[] = [];
    for await (const row of readParquetRowsAsText(summary.path, columns)) rows.push(row);
    const expected = Array.from({ length: ROW_COUNT }, (_, row) =>
      typeCases.map((typeCase) => typeCase.text[row] ?? null),
    );
    expect(rows).toEqual(expected);
  });

  it("uses ZSTD, V1 data pages and the requested row groups", async () => {
    const summary = await writePart(columns, rowsOf(typeCases), { rowGroupRows: 3 });
    const chunks = await duckdbRows(
      `SELECT row_group_id, path_in_schema, compression, data_page_offset, row_group_num_rows FROM parquet_metadata('${summary.path}')`,
    );
    expect(chunks).toHaveLength(columns.length * 2);
    expect(new Set(chunks.map((chunk) => chunk.compression))).toEqual(new Set(["ZSTD"]));
    expect(
      chunks.filter((chunk) => chunk.row_group_id === 0n).map((chunk) => chunk.row_group_num_rows)[0],
    ).toBe(3n);
    expect(
      chunks.filter((chunk) => chunk.row_group_id === 1n).map((chunk) => chunk.row_group_num_rows)[0],
    ).toBe(1n);
    expect(chunks.filter((chunk) => chunk.row_group_id === 0n).map((chunk) => chunk.path_in_schema)).toEqual(
      columns.map((column) => column.name),
    );
    const file = readFileSync(summary.path);
    for (const chunk of chunks) {
      const offset = Number(chunk.data_page_offset);
      // PageHeader in Thrift compact: field 1 (delta 1, type i32 = 0x15), zigzag varint
      // of PageType: DATA_PAGE = 0 -> 0x00 (DATA_PAGE_V2 = 3 would be 0x06).
      expect([chunk.path_in_schema, file[offset], file[offset + 1]]).toEqual([
        chunk.path_in_schema,
        0x15,
        0x00,
      ]);
    }
  });

  it("declares microsecond timestamps, decimal physical types and repetition as described", async () => {
    const summary = await writePart(columns, rowsOf(typeCases));
    const schema = await duckdbRows(
      `SELECT name, type, type_length, repetition_type, converted_type, scale, precision, logical_type FROM parquet_schema('${summary.path}') WHERE name <> 'schema'`,
    );
    const byName = new Map(schema.map((element) => [element.name, element]));
    expect(byName.get("ts0")).toMatchObject({ type: "INT64", converted_type: "TIMESTAMP_MICROS" });
    expect(String(byName.get("ts0")?.logical_type)).toMatch(/isAdjustedToUTC=1.*MICROS=MicroSeconds\(\)/);
    expect(String(byName.get("dt6")?.logical_type)).toMatch(/isAdjustedToUTC=0.*MICROS=MicroSeconds\(\)/);
    expect(byName.get("day")).toMatchObject({ type: "INT32", converted_type: "DATE" });
    expect(byName.get("d9")).toMatchObject({
      type: "INT32",
      converted_type: "DECIMAL",
      precision: 9n,
      scale: 2n,
    });
    expect(byName.get("d18")).toMatchObject({
      type: "INT64",
      converted_type: "DECIMAL",
      precision: 18n,
      scale: 2n,
    });
    // 10^38 - 1 needs 127 bits + sign = 16 bytes; 10^20 - 1 needs 67 bits + sign = 9 bytes.
    expect(byName.get("d38")).toMatchObject({
      type: "FIXED_LEN_BYTE_ARRAY",
      type_length: "16",
      precision: 38n,
    });
    expect(byName.get("u64")).toMatchObject({
      type: "FIXED_LEN_BYTE_ARRAY",
      type_length: "9",
      precision: 20n,
      scale: 0n,
    });
    expect(byName.get("i8")).toMatchObject({
      type: "INT32",
      converted_type: "INT_8",
      repetition_type: "REQUIRED",
    });
    expect(byName.get("u32")).toMatchObject({
      type: "INT64",
      converted_type: "INT_64",
      repetition_type: "OPTIONAL",
    });
    expect(byName.get("yr")).toMatchObject({ type: "INT32", converted_type: "INT_16" });
    expect(byName.get("s")).toMatchObject({ type: "BYTE_ARRAY", converted_type: "UTF8" });
    expect(byName.get("bin")).toMatchObject({ type: "BYTE_ARRAY", converted_type: null });
    expect(byName.get("bits")).toMatchObject({ type: "INT64", converted_type: "INT_64" });
    // parquetSchemaFor describes the same layout the file carries.
    for (const description of parquetSchemaFor(columns)) {
      const element = byName.get(description.name);
      expect([description.name, description.physicalType, description.repetition]).toEqual([
        description.name,
        element?.type,
        element?.repetition_type,
      ]);
    }
  });
});

describe("zero dates", () => {
  const dateColumns: ColumnSpec[] = [
    { name: "d", sourceType: "date", logical: { kind: "date" }, nullable: false },
    { name: "dt", sourceType: "datetime", logical: { kind: "datetime", fsp: 0 }, nullable: false },
    { name: "ts", sourceType: "timestamp", logical: { kind: "timestamp", fsp: 0 }, nullable: true },
  ];

  it("become NULL (even in NOT NULL columns) and are counted per column", async () => {
    const summary = await writePart(dateColumns, [
      ["0000-00-00", "0000-00-00 00:00:00", "0000-00-00 00:00:00"],
      ["2024-00-10", "2024-05-00 10:00:00", "2024-01-01 00:00:00"],
      ["2024-01-02", "2024-01-02 03:04:05", null],
    ]);
    expect(summary.zeroDates).toEqual({ d: 2, dt: 2, ts: 1 });
    const rows = await duckdbRows(
      `SELECT CAST(d AS VARCHAR) AS d, CAST(dt AS VARCHAR) AS dt, CAST(ts AS VARCHAR) AS ts FROM read_parquet('${summary.path}', file_row_number = true) ORDER BY file_row_number`,
    );
    expect(rows).toEqual([
      { d: null, dt: null, ts: null },
      { d: null, dt: null, ts: "2024-01-01 00:00:00+00" },
      { d: "2024-01-02", dt: "2024-01-02 03:04:05", ts: null },
    ]);
    expect(parquetSchemaFor(dateColumns).map((column) => column.repetition)).toEqual([
      "OPTIONAL",
      "OPTIONAL",
      "OPTIONAL",
    ]);
  });
});

describe("encode errors", () => {
  const cases: { column: ColumnSpec; value: SourceValue; shown: string }[] = [
    {
      column: {
        name: "price",
        sourceType: "decimal(5,2)",
        logical: { kind: "decimal", precision: 5, scale: 2 },
        nullable: true,
      },
      value: "1234.5",
      shown: '"1234.5"',
    },
    {
      column: {
        name: "price",
        sourceType: "decimal(5,2)",
        logical: { kind: "decimal", precision: 5, scale: 2 },
        nullable: true,
      },
      value: "1.234",
      shown: '"1.234"',
    },
    {
      column: {
        name: "qty",
        sourceType: "int",
        logical: { kind: "integer", bits: 32, unsigned: false },
        nullable: true,
      },
      value: "twelve",
      shown: '"twelve"',
    },
    {
      column: {
        name: "tiny",
        sourceType: "tinyint",
        logical: { kind: "integer", bits: 8, unsigned: false },
        nullable: true,
      },
      value: 128,
      shown: "128",
    },
    {
      column: {
        name: "big",
        sourceType: "bigint",
        logical: { kind: "integer", bits: 64, unsigned: false },
        nullable: true,
      },
      value: "9223372036854775808",
      shown: '"9223372036854775808"',
    },
    {
      column: { name: "seen", sourceType: "datetime", logical: { kind: "datetime", fsp: 0 }, nullable: true },
      value: "2024-13-01 00:00:00",
      shown: '"2024-13-01 00:00:00"',
    },
    {
      column: {
        name: "label",
        sourceType: "varchar(3)",
        logical: { kind: "string", maxBytes: 12 },
        nullable: false,
      },
      value: null,
      shown: "null",
    },
  ];

  for (const { column, value, shown } of cases) {
    it(`rejects ${String(value)} for ${column.sourceType} naming table, column and value`, async () => {
      const path = join(directory, `error-${++fileCounter}.parquet`);
      const writer = createParquetPartWriter({ table: "shop.items", columns: [column], path });
      const failure = await writer.write({ rows: [[value]] }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).toMatchObject({ kind: "encode", retryable: false });
      const message = (failure as { message: string }).message;
      expect(message).toContain("shop.items");
      expect(message).toContain(column.name);
      expect(message).toContain(shown);
      expect(message).not.toContain("\n");
      await writer.abort();
      expect(existsSync(path)).toBe(false);
    });
  }

  it("refuses an unknown compression", () => {
    expect(() =>
      createParquetPartWriter({
        table: "shop.items",
        columns,
        path: join(directory, "never.parquet"),
        compression: "gzip" as "zstd",
      }),
    ).toThrow(/gzip/);
  });
});

describe("codecs and size", () => {
  const wideColumns: ColumnSpec[] = [
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
      nullable: true,
    },
    { name: "label", sourceType: "varchar(64)", logical: { kind: "string", maxBytes: 256 }, nullable: true },
    { name: "flag", sourceType: "tinyint(1)", logical: { kind: "boolean" }, nullable: false },
  ];
  const rowCount = 150_000;
  const rows: SourceValue[][] = Array.from({ length: rowCount }, (_, index) => [
    String(index + 1),
    index % 10 === 0 ? null : `${index}.${String(index % 100).padStart(2, "0")}`,
    index % 7 === 0 ? null : `label number ${index} ${"x".repeat(index % 50)}`,
    index % 3 === 0 ? 1 : 0,
  ]);
  // Independent expectations computed from the inputs.
  let idSum = 0n;
  let amountCents = 0n;
  let labelBytes = 0;
  let flags = 0;
  let nullLabels = 0;
  for (const [id, amount, label, flag] of rows) {
    idSum += BigInt(id as string);
    if (amount !== null) amountCents += BigInt((amount as string).replace(".", ""));
    if (label === null) nullLabels++;
    else labelBytes += Buffer.byteLength(label as string);
    flags += flag as number;
  }

  for (const compression of ["zstd", "snappy", "none"] as const) {
    it(`writes ${rowCount} rows with ${compression} that DuckDB aggregates exactly`, async () => {
      const summary = await writePart(wideColumns, rows, { compression, batchRows: 10_000 });
      const [totals] = await duckdbRows(
        `SELECT count(*) AS n, CAST(sum(id) AS VARCHAR) AS ids, CAST(sum(amount) AS VARCHAR) AS amounts, sum(octet_length(CAST(label AS BLOB))) AS bytes, count(*) FILTER (WHERE label IS NULL) AS null_labels, count(*) FILTER (WHERE flag) AS flags FROM read_parquet('${summary.path}')`,
      );
      expect(totals).toEqual({
        n: BigInt(rowCount),
        ids: idSum.toString(),
        amounts: `${amountCents / 100n}.${String(amountCents % 100n).padStart(2, "0")}`,
        bytes: BigInt(labelBytes),
        null_labels: BigInt(nullLabels),
        flags: BigInt(flags),
      });
      const groups = await duckdbRows(
        `SELECT DISTINCT row_group_id, compression FROM parquet_metadata('${summary.path}') ORDER BY row_group_id`,
      );
      // 150k rows at the default 64Ki rows per group -> 3 row groups.
      expect(groups.map((group) => group.row_group_id)).toEqual([0n, 1n, 2n]);
      const codecName = { zstd: "ZSTD", snappy: "SNAPPY", none: "UNCOMPRESSED" }[compression];
      expect(new Set(groups.map((group) => group.compression))).toEqual(new Set([codecName]));
      let count = 0;
      let lastId = "";
      for await (const row of readParquetRowsAsText(summary.path, wideColumns)) {
        count++;
        lastId = row[0] as string;
      }
      expect([count, lastId]).toEqual([rowCount, String(rowCount)]);
    });
  }

  it("abort removes the partial file", async () => {
    const path = join(directory, "aborted.parquet");
    const writer = createParquetPartWriter({
      table: "shop.items",
      columns: wideColumns,
      path,
      rowGroupRows: 10,
    });
    await writer.write({ rows: rows.slice(0, 25) });
    expect(writer.rows).toBe(25);
    expect(existsSync(path)).toBe(true);
    await writer.abort();
    expect(existsSync(path)).toBe(false);
  });
});
