import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ColumnSpec, SourceValue } from "@sluice/core";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { smallUnscaledDecimal } from "../src/decimal-text.js";
import { createParquetPartWriter, readParquetRowsAsText } from "../src/index.js";
import { duckdbRows } from "./duckdb-query.js";

const directory = mkdtempSync(join(tmpdir(), "sluice-parquet-fast-"));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
let fileCounter = 0;
const nextPath = () => join(directory, `part-${++fileCounter}.parquet`);

/** Canonical DECIMAL text of an unscaled value, as DuckDB prints it (test-local, from BigInt). */
function canonicalDecimal(unscaled: bigint, scale: number): string {
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, "0");
  const body = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return negative ? `-${body}` : body;
}

/** A MySQL-like but deliberately untidy rendering: optional '+', leading zeros, short or zero-padded fraction. */
const decimalInput = (precision: number, scale: number) =>
  fc
    .record({
      unscaled: fc.bigInt({ min: -(10n ** BigInt(precision)) + 1n, max: 10n ** BigInt(precision) - 1n }),
      plus: fc.boolean(),
      leadingZeros: fc.integer({ min: 0, max: 3 }),
      extraZeros: fc.integer({ min: 0, max: 3 }),
      trimTrailingZeros: fc.boolean(),
    })
    .map(({ unscaled, plus, leadingZeros, extraZeros, trimTrailingZeros }) => {
      const negative = unscaled < 0n;
      const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, "0");
      const integerPart = "0".repeat(leadingZeros) + digits.slice(0, digits.length - scale);
      let fraction = digits.slice(digits.length - scale) + "0".repeat(scale > 0 ? extraZeros : 0);
      if (trimTrailingZeros) fraction = fraction.replace(/0+$/, "");
      const sign = negative ? "-" : plus ? "+" : "";
      return {
        input: fraction.length > 0 ? `${sign}${integerPart}.${fraction}` : `${sign}${integerPart}`,
        expected: canonicalDecimal(unscaled, scale),
      };
    });

const integerInput = (min: bigint, max: bigint) =>
  fc.bigInt({ min, max }).map((value) => ({ input: value.toString(), expected: value.toString() }));

/** Values of every length from 1 to 19/20 digits, so both the Number and the BigInt paths run. */
const byMagnitude = (min: bigint, max: bigint) =>
  fc.oneof(
    ...Array.from({ length: 20 }, (_, digits) => {
      const bound = 10n ** BigInt(digits + 1) - 1n;
      return integerInput(min < -bound ? -bound : min, max > bound ? bound : max);
    }),
  );

describe("smallUnscaledDecimal", () => {
  it("takes plain text of up to 15 unscaled digits and declines everything else", () => {
    const cases: [string, number, number | undefined][] = [
      ["-0.00", 2, 0],
      ["+0", 2, 0],
      [".5", 2, 50],
      ["5.", 2, 500],
      ["-12.3", 2, -1230],
      ["007.10", 2, 710],
      ["999999999999999", 0, 999999999999999],
      ["99999999999.9999", 4, 999999999999999],
      ["1000000000000000", 0, undefined],
      ["100000000000.0000", 4, undefined],
      ["1.500", 2, undefined],
      ["1e5", 0, undefined],
      ["", 0, undefined],
      ["-", 0, undefined],
      [".", 2, undefined],
      ["1.2.3", 2, undefined],
      [" 1", 0, undefined],
    ];
    expect(cases.map(([text, scale]) => [text, scale, smallUnscaledDecimal(text, scale)])).toEqual(cases);
  });
});

describe("exact fast paths against DuckDB", () => {
  const cases: { column: ColumnSpec; arbitrary: fc.Arbitrary<{ input: string; expected: string }> }[] = [
    [9, 2],
    [12, 2],
    [15, 4],
    [16, 3],
    [18, 0],
    [18, 6],
    [20, 5],
    [38, 10],
  ].map(([precision, scale]) => ({
    column: {
      name: `d${precision}_${scale}`,
      sourceType: `decimal(${precision},${scale})`,
      logical: { kind: "decimal", precision: precision as number, scale: scale as number },
      nullable: false,
    },
    arbitrary: decimalInput(precision as number, scale as number),
  }));
  cases.push(
    {
      column: {
        name: "i64",
        sourceType: "bigint",
        logical: { kind: "integer", bits: 64, unsigned: false },
        nullable: false,
      },
      arbitrary: byMagnitude(-(2n ** 63n), 2n ** 63n - 1n),
    },
    {
      column: {
        name: "u64",
        sourceType: "bigint unsigned",
        logical: { kind: "integer", bits: 64, unsigned: true },
        nullable: false,
      },
      arbitrary: byMagnitude(0n, 2n ** 64n - 1n),
    },
  );
  const rowCount = 3000;
  const generated = cases.map((typeCase, index) =>
    fc.sample(typeCase.arbitrary, { numRuns: rowCount, seed: 20240501 + index }),
  );
  const columns = cases.map((typeCase) => typeCase.column);
  const rows: SourceValue[][] = Array.from({ length: rowCount }, (_, row) =>
    generated.map((values) => (values[row] as { input: string }).input),
  );
  const expected = Array.from({ length: rowCount }, (_, row) =>
    generated.map((values) => (values[row] as { expected: string }).expected),
  );

  for (const compressionThread of ["main", "worker"] as const) {
    it(`round-trips ${rowCount} untidy decimals and 1-20 digit integers exactly (compression on ${compressionThread})`, async () => {
      const path = nextPath();
      const writer = createParquetPartWriter({
        table: "shop.fast",
        columns,
        path,
        rowGroupRows: 1000,
        compressionThread,
      });
      for (let start = 0; start < rowCount; start += 700)
        await writer.write({ rows: rows.slice(start, start + 700) });
      const summary = await writer.finish();
      expect(summary.rows).toBe(rowCount);
      const selections = columns.map((column, index) => `CAST("${column.name}" AS VARCHAR) AS v${index}`);
      const read = await duckdbRows(
        `SELECT ${selections.join(", ")} FROM read_parquet('${path}', file_row_number = true) ORDER BY file_row_number`,
      );
      expect(read.map((row) => columns.map((_, index) => row[`v${index}`]))).toEqual(expected);
      const text: (readonly (string | null)[])[] = [];
      for await (const row of readParquetRowsAsText(path, columns)) text.push(row);
      expect(text).toEqual(expected);
    });
  }
});

describe("pages and row groups", () => {
  const columns: ColumnSpec[] = [
    {
      name: "id",
      sourceType: "int",
      logical: { kind: "integer", bits: 32, unsigned: false },
      nullable: false,
    },
    { name: "body", sourceType: "longtext", logical: { kind: "string", maxBytes: null }, nullable: true },
  ];
  // Mostly small values, some of 2.5 MB (several times the page size), some NULL.
  const rows: SourceValue[][] = Array.from({ length: 20_000 }, (_, index) => [
    index,
    index % 13 === 0 ? null : index % 2500 === 7 ? `${index}:${"é".repeat(1_250_000)}` : `row ${index}`,
  ]);
  let bytes = 0;
  let nulls = 0;
  for (const [, body] of rows) {
    if (body === null) nulls++;
    else bytes += Buffer.byteLength(body as string);
  }

  for (const compressionThread of ["main", "worker"] as const) {
    it(`cuts pages inside huge values and keeps row groups in order (compression on ${compressionThread})`, async () => {
      const path = nextPath();
      const writer = createParquetPartWriter({
        table: "shop.docs",
        columns,
        path,
        rowGroupRows: 3000,
        compressionThread,
      });
      for (let start = 0; start < rows.length; start += 1500)
        await writer.write({ rows: rows.slice(start, start + 1500) });
      await writer.finish();
      const [totals] = await duckdbRows(
        `SELECT count(*) AS n, sum(strlen(body)) AS bytes, count(*) FILTER (WHERE body IS NULL) AS nulls, count(*) FILTER (WHERE id <> file_row_number) AS misplaced, count(*) FILTER (WHERE body IS NOT NULL AND split_part(body, ':', 1) <> CAST(id AS VARCHAR) AND body <> 'row ' || id) AS wrong FROM read_parquet('${path}', file_row_number = true)`,
      );
      expect(totals).toEqual({
        n: BigInt(rows.length),
        bytes: BigInt(bytes),
        nulls: BigInt(nulls),
        misplaced: 0n,
        wrong: 0n,
      });
      const groups = await duckdbRows(
        `SELECT count(DISTINCT row_group_id) AS groups FROM parquet_metadata('${path}')`,
      );
      expect(groups).toEqual([{ groups: BigInt(Math.ceil(rows.length / 3000)) }]);
    });
  }

  it("abort waits for a row group in flight, then removes the file", async () => {
    const path = nextPath();
    const writer = createParquetPartWriter({
      table: "shop.docs",
      columns,
      path,
      rowGroupRows: 500,
      compressionThread: "worker",
    });
    await writer.write({ rows: rows.slice(0, 5000) });
    await writer.abort();
    // Give a straggling write the chance to recreate the file if abort did not wait for it.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(existsSync(path)).toBe(false);
  });

  it("rejects a batch whose rows carry more values than columns", async () => {
    const writer = createParquetPartWriter({ table: "shop.docs", columns, path: nextPath() });
    const failure = await writer.write({ rows: [[1, "a", "extra"]] }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toMatchObject({ kind: "schema" });
    expect((failure as { message: string }).message).toMatch(/shop\.docs.*3 values.*2 columns/);
    await writer.abort();
  });

  it("refuses an unknown compression thread", () => {
    expect(() =>
      createParquetPartWriter({
        table: "shop.docs",
        columns,
        path: nextPath(),
        compressionThread: "gpu" as "main",
      }),
    ).toThrow(/gpu/);
  });
});
