import type { ColumnSpec, SourceValue } from "@sluice/core";

/**
 * One column per logical type with boundary values. `duck` is what DuckDB's
 * `CAST(col AS VARCHAR)` prints and `text` the canonical text our reader must give;
 * both written by hand from the MySQL values, not computed by the code under test.
 */
export interface TypeCase {
  readonly column: ColumnSpec;
  readonly values: readonly SourceValue[];
  readonly duck: readonly (string | null)[];
  readonly text: readonly (string | null)[];
  /** SQL expression over `c` used instead of CAST(c AS VARCHAR) (e.g. hex for blobs). */
  readonly duckExpression?: string;
}

const integer = (bits: 8 | 16 | 32 | 64, unsigned = false) => ({ kind: "integer", bits, unsigned }) as const;

function spec(name: string, sourceType: string, logical: ColumnSpec["logical"], nullable = true): ColumnSpec {
  return { name, sourceType, logical, nullable };
}

function same(values: readonly (string | null)[]): {
  duck: readonly (string | null)[];
  text: readonly (string | null)[];
} {
  return { duck: values, text: values };
}

// Four rows per column.
export const typeCases: readonly TypeCase[] = [
  {
    column: spec("i8", "tinyint", integer(8), false),
    values: [-128, 127, 0, -1],
    ...same(["-128", "127", "0", "-1"]),
  },
  {
    column: spec("u8", "tinyint unsigned", integer(8, true)),
    values: [0, 255, null, 7],
    ...same(["0", "255", null, "7"]),
  },
  {
    column: spec("i16", "smallint", integer(16)),
    values: [-32768, 32767, null, 12],
    ...same(["-32768", "32767", null, "12"]),
  },
  {
    column: spec("u16", "smallint unsigned", integer(16, true), false),
    values: [0, 65535, 1, 2],
    ...same(["0", "65535", "1", "2"]),
  },
  {
    column: spec("i32", "int", integer(32)),
    values: [-2147483648, 2147483647, null, 0],
    ...same(["-2147483648", "2147483647", null, "0"]),
  },
  {
    column: spec("u32", "int unsigned", integer(32, true)),
    values: [0, 4294967295, 2147483648, null],
    ...same(["0", "4294967295", "2147483648", null]),
  },
  {
    column: spec("i64", "bigint", integer(64), false),
    values: ["-9223372036854775808", "9223372036854775807", "0", "-9007199254740993"],
    ...same(["-9223372036854775808", "9223372036854775807", "0", "-9007199254740993"]),
  },
  {
    column: spec("u64", "bigint unsigned", integer(64, true)),
    values: ["18446744073709551615", "0", null, "9223372036854775808"],
    ...same(["18446744073709551615", "0", null, "9223372036854775808"]),
  },
  {
    column: spec("d9", "decimal(9,2)", { kind: "decimal", precision: 9, scale: 2 }),
    values: ["-9999999.99", "-12.5", null, "0.01"],
    ...same(["-9999999.99", "-12.50", null, "0.01"]),
  },
  {
    column: spec("d18", "decimal(18,2)", { kind: "decimal", precision: 18, scale: 2 }, false),
    values: ["9999999999999999.99", "-9999999999999999.99", "0", "-0.05"],
    ...same(["9999999999999999.99", "-9999999999999999.99", "0.00", "-0.05"]),
  },
  {
    column: spec("d38", "decimal(38,10)", { kind: "decimal", precision: 38, scale: 10 }),
    values: [
      "9999999999999999999999999999.9999999999",
      "-9999999999999999999999999999.9999999999",
      null,
      "-0.0000000001",
    ],
    ...same([
      "9999999999999999999999999999.9999999999",
      "-9999999999999999999999999999.9999999999",
      null,
      "-0.0000000001",
    ]),
  },
  {
    column: spec("f", "float", { kind: "float" }),
    values: [1.5, -0.25, null, 0.1],
    ...same(["1.5", "-0.25", null, "0.1"]),
  },
  {
    column: spec("dbl", "double", { kind: "double" }, false),
    values: [0.1, -1234.5678, 1e-7, 123456789.125],
    duck: ["0.1", "-1234.5678", "1e-07", "123456789.125"],
    text: ["0.1", "-1234.5678", "1e-7", "123456789.125"],
  },
  {
    column: spec("b", "tinyint(1)", { kind: "boolean" }),
    values: [1, 0, null, 1],
    duck: ["true", "false", null, "true"],
    text: ["t", "f", null, "t"],
  },
  {
    column: spec("day", "date", { kind: "date" }),
    values: ["2024-02-29", "1000-01-01", "9999-12-31", null],
    ...same(["2024-02-29", "1000-01-01", "9999-12-31", null]),
  },
  {
    column: spec("dt6", "datetime(6)", { kind: "datetime", fsp: 6 }, false),
    values: [
      "2024-05-01 12:34:56.123456",
      "1000-01-01 00:00:00.000001",
      "9999-12-31 23:59:59.999999",
      "1969-12-31 23:59:59.5",
    ],
    duck: [
      "2024-05-01 12:34:56.123456",
      "1000-01-01 00:00:00.000001",
      "9999-12-31 23:59:59.999999",
      "1969-12-31 23:59:59.5",
    ],
    text: [
      "2024-05-01 12:34:56.123456",
      "1000-01-01 00:00:00.000001",
      "9999-12-31 23:59:59.999999",
      "1969-12-31 23:59:59.500000",
    ],
  },
  {
    column: spec("ts0", "timestamp", { kind: "timestamp", fsp: 0 }),
    values: ["1970-01-01 00:00:01", "2038-01-19 03:14:07", null, "2024-05-01 12:34:56"],
    duck: ["1970-01-01 00:00:01+00", "2038-01-19 03:14:07+00", null, "2024-05-01 12:34:56+00"],
    text: [
      "1970-01-01 00:00:01.000000+00",
      "2038-01-19 03:14:07.000000+00",
      null,
      "2024-05-01 12:34:56.000000+00",
    ],
  },
  {
    column: spec("tm", "time(3)", { kind: "time", fsp: 3 }),
    values: ["-838:59:59.000", "12:00:00.500", null, "00:00:00.000"],
    ...same(["-838:59:59.000", "12:00:00.500", null, "00:00:00.000"]),
  },
  {
    column: spec("yr", "year", { kind: "year" }),
    values: [1901, 2155, 0, null],
    ...same(["1901", "2155", "0", null]),
  },
  {
    column: spec("s", "varchar(20)", { kind: "string", maxBytes: 80 }),
    values: ["plain", "ünïcödé 😀𝄞", "", null],
    ...same(["plain", "ünïcödé 😀𝄞", "", null]),
  },
  {
    column: spec("j", "json", { kind: "json" }),
    values: ['{"a": [1, 2]}', "null", null, '"😀"'],
    ...same(['{"a": [1, 2]}', "null", null, '"😀"']),
  },
  {
    column: spec("bin", "varbinary(8)", { kind: "binary", maxBytes: 8 }),
    values: [Buffer.from([0, 1, 255]), Buffer.alloc(0), null, Buffer.from("AB")],
    duck: ["0001FF", "", null, "4142"],
    text: ["\\x0001ff", "\\x", null, "\\x4142"],
    duckExpression: "hex(c)",
  },
  {
    column: spec("bits", "bit(10)", { kind: "bit", width: 10 }),
    values: [Buffer.from([0x03, 0xff]), Buffer.from([0, 0]), null, Buffer.from([0x02, 0x00])],
    ...same(["1023", "0", null, "512"]),
  },
  {
    column: spec("bits64", "bit(64)", { kind: "bit", width: 64 }),
    values: [
      Buffer.from("ffffffffffffffff", "hex"),
      Buffer.from("0000000000000001", "hex"),
      null,
      Buffer.from("8000000000000000", "hex"),
    ],
    ...same(["18446744073709551615", "1", null, "9223372036854775808"]),
  },
];

export const ROW_COUNT = 4;

export function rowsOf(cases: readonly TypeCase[]): SourceValue[][] {
  return Array.from({ length: ROW_COUNT }, (_, row) => cases.map((typeCase) => typeCase.values[row] ?? null));
}
