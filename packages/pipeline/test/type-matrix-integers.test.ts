import { describe, expect, it } from "vitest";
import { expectMatrixRoundTrip, type MatrixColumn, type MatrixTable } from "./type-matrix-fixture.js";

// Every integer type, signed and unsigned, nullable and NOT NULL, at both ends of its range.
const ranges = [
  { type: "TINYINT", min: "-128", max: "127", umax: "255" },
  { type: "SMALLINT", min: "-32768", max: "32767", umax: "65535" },
  { type: "MEDIUMINT", min: "-8388608", max: "8388607", umax: "16777215" },
  { type: "INT", min: "-2147483648", max: "2147483647", umax: "4294967295" },
  { type: "BIGINT", min: "-9223372036854775808", max: "9223372036854775807", umax: "18446744073709551615" },
] as const;

interface IntegerCase {
  readonly column: MatrixColumn;
  /** Values for rows 1..5: min, max, zero, NULL-or-one, a value just past 2^53 where it fits. */
  readonly values: readonly string[];
}

const cases: IntegerCase[] = [];
for (const range of ranges) {
  for (const unsigned of [false, true]) {
    for (const nullable of [true, false]) {
      const name = `${range.type.toLowerCase()}${unsigned ? "_u" : ""}${nullable ? "" : "_nn"}`;
      const ddl = `${range.type}${unsigned ? " UNSIGNED" : ""}${nullable ? " NULL" : " NOT NULL"}`;
      const big = range.type === "BIGINT";
      cases.push({
        column: { name, ddl },
        values: [
          unsigned ? "0" : range.min,
          unsigned ? range.umax : range.max,
          unsigned ? "1" : "-1",
          nullable ? "NULL" : "0",
          big ? (unsigned ? "9223372036854775808" : "-9007199254740993") : "7",
        ],
      });
    }
  }
}
// TINYINT(1) and BOOL (an alias of TINYINT(1)) stay integers: legacy schemas keep codes 0..9 in them.
cases.push(
  { column: { name: "tinyint1", ddl: "TINYINT(1) NULL" }, values: ["0", "1", "-128", "NULL", "127"] },
  { column: { name: "bool_nn", ddl: "BOOL NOT NULL" }, values: ["0", "1", "TRUE", "FALSE", "9"] },
);
// BIT(n) as an unsigned integer of n bits; BIT(64) exceeds INT64 and travels as DECIMAL(20,0).
for (const width of [1, 2, 8, 31, 32, 63, 64]) {
  const max = (2n ** BigInt(width) - 1n).toString();
  cases.push({
    column: {
      name: `bit${width}`,
      ddl: `BIT(${width}) ${width === 8 ? "NOT NULL" : "NULL"}`,
      source: "CAST(c + 0 AS CHAR)",
    },
    values: [`b'0'`, max, `b'1'`, width === 8 ? "b'10'" : "NULL", (2n ** BigInt(width - 1)).toString()],
  });
}

const table: MatrixTable = {
  schema: "tm_integers",
  table: "integers",
  columns: cases.map((entry) => entry.column),
  rows: [0, 1, 2, 3, 4].map((row) => cases.map((entry) => entry.values[row]).join(", ")),
};

describe("type matrix: integers, BOOL and BIT", () => {
  it(`${cases.length} columns x ${table.rows.length} rows arrive exact in Parquet (DuckDB) and PostgreSQL`, async () => {
    const run = await expectMatrixRoundTrip(table);
    // Fixed-width columns carry no byte length; NULLs are counted per column.
    expect(run.manifest.columnStats?.tinyint).toEqual({ nulls: 1, maxBytes: null });
    expect(run.manifest.columnStats?.bigint_u_nn).toEqual({ nulls: 0, maxBytes: null });
  });
});
