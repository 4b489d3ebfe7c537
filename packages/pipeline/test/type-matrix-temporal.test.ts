import type { Logger } from "@sluice/core";
import { describe, expect, it } from "vitest";
import {
  createMatrixTable,
  expectMatrixRoundTrip,
  type MatrixColumn,
  type MatrixTable,
  syncMatrixTable,
} from "./type-matrix-fixture.js";

const fraction = (digits: number, fill: string) => (digits > 0 ? `.${fill.repeat(digits)}` : "");
const micros = "123456";

interface TemporalCase {
  readonly column: MatrixColumn;
  readonly values: readonly string[];
}

const dateText = {
  source: "CAST(c AS CHAR)",
  duck: "CAST(c AS VARCHAR)",
  pg: "to_char(c, 'YYYY-MM-DD')",
  compare: "date",
} as const;
const dateTimeText = {
  source: "DATE_FORMAT(c, '%Y-%m-%d %H:%i:%s.%f')",
  duck: "strftime(c, '%Y-%m-%d %H:%M:%S.%f')",
  pg: "to_char(c, 'YYYY-MM-DD HH24:MI:SS.US')",
  compare: "date",
} as const;

// Rows: minimum, maximum, zero date, partial-zero / impossible date, ordinary (leap day), pre-epoch.
const cases: TemporalCase[] = [
  {
    column: { name: "d", ddl: "DATE NULL", ...dateText },
    values: ["'1000-01-01'", "'9999-12-31'", "'0000-00-00'", "'2024-00-15'", "'2024-02-29'", "'0001-01-01'"],
  },
  {
    column: { name: "d_nn", ddl: "DATE NOT NULL", ...dateText },
    values: ["'1000-01-01'", "'9999-12-31'", "'0000-00-00'", "'2024-02-30'", "'2000-02-29'", "'1969-12-31'"],
  },
];
for (let fsp = 0; fsp <= 6; fsp++) {
  cases.push({
    column: { name: `dt${fsp}`, ddl: `DATETIME(${fsp}) ${fsp % 2 ? "NOT NULL" : "NULL"}`, ...dateTimeText },
    values: [
      `'1000-01-01 00:00:00${fraction(fsp, "0")}'`,
      `'9999-12-31 23:59:59${fraction(fsp, "9")}'`,
      "'0000-00-00 00:00:00'",
      fsp % 2 ? `'2024-05-00 10:00:00${fraction(fsp, "5")}'` : `'2023-02-29 10:00:00'`,
      `'2024-02-29 13:14:15${fsp ? `.${micros.slice(0, fsp)}` : ""}'`,
      `'1969-12-31 23:59:59${fraction(fsp, "9")}'`,
    ],
  });
  cases.push({
    column: {
      name: `ts${fsp}`,
      ddl: fsp === 6 ? "TIMESTAMP(6) NOT NULL DEFAULT '2000-01-01 00:00:00'" : `TIMESTAMP(${fsp}) NULL`,
      ...dateTimeText,
    },
    values: [
      `'1970-01-01 00:00:01${fraction(fsp, "0")}'`,
      `'2038-01-19 03:14:07${fraction(fsp, "9")}'`,
      "'0000-00-00 00:00:00'",
      fsp === 6 ? "'2000-01-01 00:00:00'" : "NULL",
      `'2024-02-29 13:14:15${fsp ? `.${micros.slice(0, fsp)}` : ""}'`,
      `'1999-12-31 23:59:59${fraction(fsp, "9")}'`,
    ],
  });
}
for (const fsp of [0, 3, 6]) {
  cases.push({
    column: { name: `t${fsp}`, ddl: `TIME(${fsp}) ${fsp === 3 ? "NOT NULL" : "NULL"}`, duck: "c", pg: "c" },
    values: [
      `'-838:59:59${fraction(fsp, "0")}'`,
      `'838:59:59${fraction(fsp, "0")}'`,
      "'00:00:00'",
      fsp === 3 ? "'-00:00:00.001'" : "NULL",
      `'34:56:12${fsp ? `.${micros.slice(0, fsp)}` : ""}'`,
      `'-12:30:00${fsp ? `.${"0".repeat(fsp - 1)}1` : ""}'`,
    ],
  });
}
cases.push(
  {
    column: { name: "y", ddl: "YEAR NULL", source: "CAST(c + 0 AS CHAR)" },
    values: ["1901", "2155", "0", "NULL", "2024", "1969"],
  },
  {
    column: { name: "y_nn", ddl: "YEAR NOT NULL", source: "CAST(c + 0 AS CHAR)" },
    values: ["1901", "2155", "0", "2000", "2024", "1970"],
  },
);

const table: MatrixTable = {
  schema: "tm_temporal",
  table: "temporal",
  columns: cases.map((entry) => entry.column),
  rows: [0, 1, 2, 3, 4, 5].map((row) => cases.map((entry) => entry.values[row]).join(", ")),
  // Zero dates and impossible dates are what legacy servers hold: insert them as such.
  sqlMode: "ALLOW_INVALID_DATES",
};

function recordingLogger(): { logger: Logger; warnings: { message: string; fields?: unknown }[] } {
  const warnings: { message: string; fields?: unknown }[] = [];
  const ignore = () => {};
  return {
    warnings,
    logger: {
      debug: ignore,
      info: ignore,
      error: ignore,
      warn: (message, fields) => warnings.push({ message, fields }),
    },
  };
}

describe("type matrix: DATE, DATETIME(0..6), TIMESTAMP(0..6), TIME, YEAR", () => {
  it(`${cases.length} columns x ${table.rows.length} rows arrive exact; zero and impossible dates as NULL, counted and logged`, async () => {
    const { logger, warnings } = recordingLogger();
    const run = await expectMatrixRoundTrip(table, { logger });
    const extract = run.report.extract;
    expect(extract?.zeroDates).toMatchObject({ d: 2, d_nn: 2, dt0: 2, dt1: 2, ts0: 1, ts6: 1 });
    expect(extract?.zeroDateSamples?.d).toEqual({ value: "0000-00-00", key: "id=3" });
    expect(extract?.zeroDateSamples?.dt1).toEqual({ value: "0000-00-00 00:00:00.0", key: "id=3" });
    // Counted NULLs in the manifest include the zero dates.
    expect(run.manifest.columnStats?.d_nn).toEqual({ nulls: 2, maxBytes: null });
    const dWarning = warnings.find((warning) => warning.message.includes("tm_temporal.temporal.d "));
    expect(dWarning?.message).toContain("id=3");
    // TIME is text: its longest staged value is measured in bytes.
    expect(run.manifest.columnStats?.t6?.maxBytes).toBe("-838:59:59.000000".length);
  });

  it('invalidDates: "fail" stops the run naming table, column, row key and value; nothing is staged', async () => {
    const connection = await createMatrixTable({ ...table, schema: "tm_temporal_fail" });
    await connection.end();
    const failure = await syncMatrixTable(
      { ...table, schema: "tm_temporal_fail" },
      { invalidDates: "fail" },
    ).catch((error: Error) => error);
    expect(failure).toBeInstanceOf(Error);
    const message = (failure as Error).message;
    for (const part of [
      "tm_temporal_fail.temporal",
      "column d ",
      "id=3",
      '"0000-00-00"',
      "--invalid-dates null",
    ]) {
      expect(message).toContain(part);
    }
  });
});
