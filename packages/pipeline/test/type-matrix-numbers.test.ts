import { createTestPgClient } from "@sluice/test-services";
import { describe, expect, inject, it } from "vitest";
import {
  createMatrixTable,
  expectMatrixRoundTrip,
  type MatrixColumn,
  type MatrixTable,
  syncMatrixTable,
} from "./type-matrix-fixture.js";

function nines(digits: number): string {
  return "9".repeat(digits);
}

/** The largest DECIMAL(p,s) as text, e.g. 999.99 for (5,2). */
function largest(precision: number, scale: number): string {
  const whole = nines(precision - scale) || "0";
  return scale > 0 ? `${whole}.${nines(scale)}` : whole;
}

interface NumberCase {
  readonly column: MatrixColumn;
  readonly values: readonly string[];
}

const decimalCases: NumberCase[] = [
  [1, 0],
  [5, 2],
  [9, 4],
  [10, 0],
  [18, 6],
  [19, 0],
  [28, 10],
  [38, 0],
  [38, 10],
  [38, 38],
].flatMap(([precision, scale]) => {
  const p = precision as number;
  const s = scale as number;
  const max = largest(p, s);
  const smallest = s > 0 ? `0.${"0".repeat(s - 1)}1` : "1";
  return [false, true].map((unsigned) => ({
    column: {
      name: `d${p}_${s}${unsigned ? "_u" : ""}`,
      ddl: `DECIMAL(${p},${s})${unsigned ? " UNSIGNED NOT NULL" : " NULL"}`,
      // DuckDB prints DECIMAL(p,p) without the leading zero (".5"): a display quirk.
      ...(p === s ? { duck: "regexp_replace(CAST(c AS VARCHAR), '^(-?)[.]', '\\10.')" } : {}),
    },
    values: [
      max,
      unsigned ? "0" : `-${max}`,
      smallest,
      unsigned ? smallest : "NULL",
      unsigned ? "0" : `-${smallest}`,
    ],
  }));
});

// FLOAT is compared through the exact binary value MariaDB holds (CAST AS DOUBLE), printed
// as its shortest round-trip form; MariaDB's own FLOAT text has only 6 digits.
const floatSource = "CAST(CAST(c AS DOUBLE) AS CHAR)";
const floatCases: NumberCase[] = [
  {
    column: { name: "f", ddl: "FLOAT NULL", source: floatSource, compare: "float" },
    values: ["16777217e0", "3.4028234e38", "-1.17549435e-38", "NULL", "1.0000001e0"],
  },
  {
    column: { name: "f_u_nn", ddl: "FLOAT UNSIGNED NOT NULL", source: floatSource, compare: "float" },
    values: ["0.1e0", "0", "3.14159274e0", "1e-45", "123456.789e0"],
  },
  {
    column: { name: "f7_4", ddl: "FLOAT(7,4) NULL", source: floatSource, compare: "float" },
    values: ["999.9999", "-999.9999", "0.0001", "NULL", "3.1416"],
  },
  {
    column: { name: "dbl", ddl: "DOUBLE NULL", compare: "double" },
    values: ["1.7976931348623157e308", "-1.7976931348623157e308", "4.9e-324", "NULL", "0.1e0 + 0.2e0"],
  },
  {
    column: { name: "dbl_nn", ddl: "DOUBLE NOT NULL", compare: "double" },
    values: ["2.2250738585072014e-308", "-0.1e0", "123456789.12345679e0", "9007199254740993e0", "1e22"],
  },
  // 16 significant digits above 2^53 in at most 17 characters: mysql2's text-protocol
  // parser builds those by repeated x10 and returned 10 for 9.999999999999999.
  {
    column: { name: "dbl_16", ddl: "DOUBLE NULL", compare: "double" },
    values: [
      "9.999999999999999e0",
      "99999999.99999999e0",
      "-9.999999999999998e0",
      "90071992.54740993e0",
      "NULL",
    ],
  },
  {
    column: { name: "f_16", ddl: "FLOAT NULL", source: floatSource, compare: "float" },
    values: ["9.999999e0", "-9.1e0", "9.8765e0", "NULL", "0.99999994e0"],
  },
];

const exactCases = [...decimalCases, ...floatCases];
const exactTable: MatrixTable = {
  schema: "tm_numbers",
  table: "numbers",
  columns: exactCases.map((entry) => entry.column),
  rows: [0, 1, 2, 3, 4].map((row) => exactCases.map((entry) => entry.values[row]).join(", ")),
};

const wideColumns: MatrixColumn[] = [
  { name: "d65_30", ddl: "DECIMAL(65,30) NULL" },
  { name: "d65_0_u", ddl: "DECIMAL(65,0) UNSIGNED NOT NULL" },
  { name: "d39_2", ddl: "DECIMAL(39,2) NULL" },
];
const wideTable: MatrixTable = {
  schema: "tm_wide_decimals",
  table: "wide",
  columns: wideColumns,
  rows: [
    `${largest(65, 30)}, ${largest(65, 0)}, -${largest(39, 2)}`,
    `-${largest(65, 30)}, 0, ${largest(39, 2)}`,
    `0.${"0".repeat(29)}1, 1, -0.01`,
    "NULL, 12345678901234567890123456789012345678901234567890123456789012345, NULL",
  ],
};

describe("type matrix: DECIMAL, FLOAT, DOUBLE", () => {
  it(`${exactCases.length} columns x ${exactTable.rows.length} rows arrive exact in Parquet (DuckDB) and PostgreSQL`, async () => {
    await expectMatrixRoundTrip(exactTable);
  });

  it("DECIMAL above 38 digits stops the run by default, naming table, column, type and both fixes", async () => {
    const connection = await createMatrixTable(wideTable);
    await connection.end();
    const failure = await syncMatrixTable(wideTable).catch((error: Error) => error);
    expect(failure).toBeInstanceOf(Error);
    const message = (failure as Error).message;
    for (const part of [
      "tm_wide_decimals.wide.d65_30",
      "decimal(65,30)",
      "--wide-decimals text",
      "ALTER TABLE",
    ]) {
      expect(message).toContain(part);
    }
  });

  it('wideDecimals: "text" carries DECIMAL(65,30) as its exact text into Parquet and a text column', async () => {
    const run = await expectMatrixRoundTrip(wideTable, { wideDecimals: "text" });
    expect(run.manifest.columns.find((column) => column.name === "d65_30")).toMatchObject({
      sourceType: "decimal(65,30)",
      logical: { kind: "string", maxBytes: 67 },
    });
    expect(run.manifest.columnStats?.d65_30).toEqual({ nulls: 1, maxBytes: 67 });
    const client = await createTestPgClient(inject("sluiceServices").postgres);
    const types = await client.query(
      `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'tm_wide_decimals' ORDER BY ordinal_position`,
    );
    await client.end();
    expect(types.rows.find((row) => row.column_name === "d65_30")?.data_type).toBe("text");
  });
});
