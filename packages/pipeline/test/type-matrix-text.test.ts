import { describe, expect, it } from "vitest";
import { expectMatrixRoundTrip, type MatrixColumn, type MatrixTable } from "./type-matrix-fixture.js";

interface TextCase {
  readonly column: MatrixColumn;
  /** One SQL literal per row; absent for generated columns. */
  readonly values?: readonly string[];
}

const emoji = "😀🚀𝄞";
// MariaDB string literal escapes: tab, newline, carriage return, backslash, quote.
const special = "'tab\\there\\nnew line\\r\\\\N \\\\ back ''quoted'' \"double\" ü 😀'";
const text = { compare: "text" } as const;
const bytes = { source: "LOWER(HEX(c))", duck: "lower(hex(c))", pg: "encode(c, 'hex')" } as const;
const geometry = {
  source: "LOWER(HEX(ST_AsBinary(c)))",
  duck: "lower(hex(c))",
  pg: "encode(c, 'hex')",
} as const;

const cases: TextCase[] = [
  { column: { name: "ch1", ddl: "CHAR(1) NULL", ...text }, values: ["'😀'", "'z'", "''", "NULL", "'\\t'"] },
  {
    column: { name: "ch10_nn", ddl: "CHAR(10) NOT NULL", ...text },
    values: [`'${emoji}'`, `'${"ü".repeat(10)}'`, "''", "'a  '", special.slice(0, 12).concat("'")],
  },
  {
    column: { name: "vc", ddl: "VARCHAR(255) NULL", ...text },
    values: [`'Grüße ${emoji}'`, `REPEAT('😀', 255)`, "''", "NULL", special],
  },
  {
    column: { name: "vc_max_nn", ddl: "VARCHAR(15000) NOT NULL", ...text },
    values: ["'x'", "REPEAT('€', 15000)", "''", "' '", special],
  },
  {
    column: { name: "vc_latin1", ddl: "VARCHAR(20) CHARACTER SET latin1 NULL", ...text },
    values: ["'Grüße'", "'ÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿ'", "''", "NULL", "'a\\\\b'"],
  },
  {
    column: { name: "tt", ddl: "TINYTEXT NULL", ...text },
    values: [`'${emoji}'`, "REPEAT('é', 127)", "''", "NULL", special],
  },
  {
    column: { name: "tx", ddl: "TEXT NULL", ...text },
    values: [`'${emoji}'`, "REPEAT('😀', 16383)", "''", "NULL", special],
  },
  {
    column: { name: "mt", ddl: "MEDIUMTEXT NULL", ...text },
    values: [`'${emoji}'`, "REPEAT('a😀', 40000)", "''", "NULL", special],
  },
  // 70,000 bytes: above Redshift's VARCHAR maximum, whole in the lake and in PostgreSQL.
  {
    column: { name: "lt_nn", ddl: "LONGTEXT NOT NULL", ...text },
    values: [`'${emoji}'`, "REPEAT('😀', 17500)", "''", "'-'", special],
  },
  {
    column: { name: "bin4", ddl: "BINARY(4) NULL", ...bytes },
    values: ["0x00ff0001", "0xffffffff", "''", "NULL", "0xc328"],
  },
  {
    column: { name: "vb", ddl: "VARBINARY(64) NOT NULL", ...bytes },
    values: ["0x00", "REPEAT(0xff, 64)", "''", "0xc328a0a1", "0x5c4e"],
  },
  {
    column: { name: "tb", ddl: "TINYBLOB NULL", ...bytes },
    values: ["0x000102", "REPEAT(0xfe, 255)", "''", "NULL", "0xed9fbf"],
  },
  {
    column: { name: "bl", ddl: "BLOB NULL", ...bytes },
    values: ["0xf09f9880", "REPEAT(0x00, 65535)", "''", "NULL", "0x80"],
  },
  {
    column: { name: "mb", ddl: "MEDIUMBLOB NULL", ...bytes },
    values: ["0xc0af", "REPEAT(0xc3, 100000)", "''", "NULL", "0x0a0d09"],
  },
  {
    column: { name: "lb_nn", ddl: "LONGBLOB NOT NULL", ...bytes },
    values: ["0xdeadbeef", "REPEAT(0x01, 200000)", "''", "0x00", "0xff"],
  },
  // MariaDB's JSON is LONGTEXT with CHECK (json_valid(c)): detected, carried as text, compared parsed.
  {
    column: { name: "js", ddl: "JSON NULL", compare: "json" },
    values: [
      `'{"a": [1, 2.5, "x${emoji}"], "b": null, "c": {"d": true}}'`,
      '\'[1, [2, [3, [4]]], {"k": "tab\\\\tquote\\\\""}]\'',
      "'\"\"'",
      "NULL",
      "'123.456e7'",
    ],
  },
  {
    column: { name: "js_nn", ddl: "JSON NOT NULL", compare: "json" },
    values: ["'{}'", "'[]'", "'null'", "'false'", "'\"😀\"'"],
  },
  {
    column: { name: "en", ddl: "ENUM('small','ü-medium','😀 large') NULL", ...text },
    values: ["'small'", "'😀 large'", "'ü-medium'", "NULL", "'small'"],
  },
  {
    column: { name: "en_nn", ddl: "ENUM('a','b') NOT NULL", ...text },
    values: ["'a'", "'b'", "'a'", "'b'", "'a'"],
  },
  {
    column: { name: "st", ddl: "SET('x','y','z😀') NULL", ...text },
    values: ["'x'", "'x,y,z😀'", "''", "NULL", "'z😀,x'"],
  },
  {
    column: { name: "uu", ddl: "UUID NULL", ...text },
    values: [
      "'123e4567-e89b-12d3-a456-426614174000'",
      "'ffffffff-ffff-ffff-ffff-ffffffffffff'",
      "'00000000-0000-0000-0000-000000000000'",
      "NULL",
      "UUID()",
    ],
  },
  // Generated columns are read like any other.
  {
    column: { name: "g_virtual", ddl: "VARCHAR(300) AS (CONCAT(vc, '!')) VIRTUAL", generated: true, ...text },
  },
  { column: { name: "g_stored", ddl: "BIGINT AS (id * 1000000007) STORED", generated: true } },
  // Spatial values travel as OGC WKB (ST_AsBinary): binary in Parquet, VARBYTE/bytea in the warehouse.
  {
    column: { name: "pt", ddl: "POINT NULL", ...geometry },
    values: [
      "ST_GeomFromText('POINT(1.5 -2.25)')",
      "ST_GeomFromText('POINT(1.7976931348623157e308 -1e-300)')",
      "ST_GeomFromText('POINT(0 0)')",
      "NULL",
      "ST_GeomFromText('POINT(13.4 52.5)', 4326)",
    ],
  },
  {
    column: { name: "geo_nn", ddl: "GEOMETRY NOT NULL", ...geometry },
    values: [
      "ST_GeomFromText('LINESTRING(0 0, 1 1, 2 0)')",
      "ST_GeomFromText('POLYGON((0 0, 10 0, 10 10, 0 10, 0 0), (2 2, 3 2, 3 3, 2 2))')",
      "ST_GeomFromText('MULTIPOINT(1 1, 2 2)')",
      "ST_GeomFromText('GEOMETRYCOLLECTION(POINT(1 2), LINESTRING(0 0, 1 1))')",
      "ST_GeomFromText('MULTIPOLYGON(((0 0, 1 0, 1 1, 0 0)))')",
    ],
  },
  {
    column: { name: "ls", ddl: "LINESTRING NULL", ...geometry },
    values: [
      "ST_GeomFromText('LINESTRING(0 0, 1 1)')",
      "NULL",
      "NULL",
      "NULL",
      "ST_GeomFromText('LINESTRING(-1 -1, 1 1, 2 2)')",
    ],
  },
];

const inserted = cases.filter((entry) => !entry.column.generated);
const table: MatrixTable = {
  schema: "tm_text",
  table: "texts",
  columns: cases.map((entry) => entry.column),
  rows: [0, 1, 2, 3, 4].map((row) => inserted.map((entry) => entry.values?.[row]).join(", ")),
};

describe("type matrix: CHAR/VARCHAR/TEXT (utf8mb4), BINARY/BLOB, JSON, ENUM, SET, UUID, generated, spatial", () => {
  it(`${cases.length} columns x ${table.rows.length} rows arrive exact in Parquet (DuckDB) and PostgreSQL`, async () => {
    const run = await expectMatrixRoundTrip(table);
    const stats = run.manifest.columnStats ?? {};
    // Longest staged value in bytes: UTF-8 for text (4 bytes an emoji), raw for binary.
    expect(stats.lt_nn).toEqual({ nulls: 0, maxBytes: 70_000 });
    expect(stats.vc).toEqual({ nulls: 1, maxBytes: 1020 });
    expect(stats.lb_nn).toEqual({ nulls: 0, maxBytes: 200_000 });
    expect(stats.en?.maxBytes).toBe(Buffer.byteLength("😀 large"));
    // JSON detected on MariaDB (LONGTEXT + CHECK json_valid).
    expect(run.manifest.columns.find((column) => column.name === "js")?.logical).toEqual({ kind: "json" });
  });
});
