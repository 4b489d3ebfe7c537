import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type ColumnSpec,
  decodePackedRows,
  type PackedRows,
  type SourceValue,
  type ValueDecoding,
} from "@sluice/core";
import { afterAll, describe, expect, it } from "vitest";
import { createParquetPartWriter, type ParquetPartOptions } from "../src/index.js";
import { rowsOf, typeCases } from "./all-types-fixture.js";

const directory = mkdtempSync(join(tmpdir(), "sluice-packed-encoders-"));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
let counter = 0;

/** The text protocol's row form of `rows`: per value a length, length-encoded, then its bytes; 0xFB for NULL. */
function pack(rows: readonly (readonly SourceValue[])[], decodings: readonly ValueDecoding[]): PackedRows {
  const parts: Uint8Array[] = [];
  for (const row of rows) {
    for (const value of row) {
      if (value === null) {
        parts.push(Uint8Array.of(0xfb));
        continue;
      }
      const bytes = value instanceof Uint8Array ? value : Buffer.from(String(value), "utf8");
      const n = bytes.byteLength;
      parts.push(
        Uint8Array.from(
          n < 251 ? [n] : n < 65536 ? [0xfc, n & 0xff, n >> 8] : [0xfd, n & 0xff, (n >> 8) & 0xff, n >> 16],
        ),
        bytes,
      );
    }
  }
  return { bytes: new Uint8Array(Buffer.concat(parts)), rowCount: rows.length, decodings };
}

/** How the MySQL source would decode each column (packed-decodings.ts in @sluice/connectors). */
function decodingOf(column: ColumnSpec, values: readonly SourceValue[]): ValueDecoding {
  const kind = column.logical.kind;
  if (kind === "binary" || kind === "bit") return "bytes";
  if (values.every((value) => value === null || Number.isInteger(value))) return "integer";
  if (kind === "string" || kind === "json") return "text";
  return "ascii";
}

/**
 * Writes the same packed batches twice: through the packed encoders (the fast path),
 * and as the rows they decode to (the row encoders). The files must be the same bytes.
 */
async function bothWays(
  columns: readonly ColumnSpec[],
  rows: readonly (readonly SourceValue[])[],
  extra: Partial<ParquetPartOptions> = {},
  batchRows = 3,
) {
  const decodings = columns.map((column, index) =>
    decodingOf(
      column,
      rows.map((row) => row[index] ?? null),
    ),
  );
  const options = { table: "shop.items", columns, rowGroupRows: 7, ...extra };
  const viaRows = createParquetPartWriter({ ...options, path: join(directory, `rows-${++counter}.parquet`) });
  const packed = createParquetPartWriter({ ...options, path: join(directory, `packed-${counter}.parquet`) });
  for (let start = 0; start < rows.length; start += batchRows) {
    const batch = pack(rows.slice(start, start + batchRows), decodings);
    await viaRows.write({ rows: decodePackedRows(batch) });
    await packed.write({ packed: batch, lastRow: [] });
  }
  const [a, b] = [await viaRows.finish(), await packed.finish()];
  return { viaRows: a, packed: b, same: readFileSync(a.path).equals(readFileSync(b.path)) };
}

const column = (name: string, sourceType: string, logical: ColumnSpec["logical"]): ColumnSpec => ({
  name,
  sourceType,
  logical,
  nullable: true,
});

describe("packed encoders", () => {
  it("write the very file the row encoders write, for every logical type of the fixture", async () => {
    const columns = typeCases.map((typeCase) => typeCase.column);
    const rows = Array.from({ length: 5 }, () => rowsOf(typeCases)).flat();
    const { viaRows, packed, same } = await bothWays(columns, rows);
    expect(packed.rows).toBe(rows.length);
    expect({ ...packed, path: "" }).toEqual({ ...viaRows, path: "" });
    expect(same).toBe(true);
  });

  it("leave every value off the common case to the row path: same bytes, same counts", async () => {
    const columns = [
      column("id", "int", { kind: "integer", bits: 32, unsigned: false }),
      column("big", "bigint", { kind: "integer", bits: 64, unsigned: false }),
      column("price", "decimal(12,2)", { kind: "decimal", precision: 12, scale: 2 }),
      column("born", "date", { kind: "date" }),
      column("at", "datetime(6)", { kind: "datetime", fsp: 6 }),
      column("score", "double", { kind: "double" }),
      column("name", "varchar(8)", { kind: "string", maxBytes: 32 }),
      column("flag", "tinyint(1)", { kind: "boolean" }),
    ];
    const rows: SourceValue[][] = [
      [1, "12", "1.50", "2024-02-29", "2024-02-29 23:59:59.999999", "0.1", "plain", 1],
      // Past 15 digits; excess zeros; zero date; a 'T' separator; an exponent; non-ASCII text.
      [-2, "-9223372036854775808", "3.100", "0000-00-00", "2024-01-01T00:00:00", "1e300", "Zürich ☃", 0],
      // Impossible day; ALLOW_INVALID_DATES' Feb 30; text with NUL; NULLs.
      [null, null, null, "2023-02-29", "2024-02-30 00:00:00", null, "a\u0000b", null],
      // A 4-byte character; ill-formed UTF-8 decoded as U+FFFD; text over the cap.
      [3, "+7", "-0.00", "1000-01-01", "1000-01-01 00:00:00", "-0", "😀\uFFFDx", 1],
      [4, "007", "99.99", "9999-12-31", "9999-12-31 23:59:59", "-1.5e-300", "x".repeat(40), 0],
    ];
    const { viaRows, packed, same } = await bothWays(columns, rows, {
      invalidDates: "null",
      nulInText: "replace",
      textLimit: { maxBytes: 32, policy: "truncate" },
    });
    expect(same).toBe(true);
    expect({ ...packed, path: "" }).toEqual({ ...viaRows, path: "" });
    // The row path's policies ran for the values the fast path left to it.
    expect(packed.zeroDates).toEqual({ born: 2, at: 1 });
    expect(packed.nulTextValues).toEqual({ name: 1 });
    expect(packed.truncatedValues).toEqual({ name: 1 });
  });

  it("fail a value the row path refuses, with the row path's message", async () => {
    const columns = [column("amount", "int", { kind: "integer", bits: 32, unsigned: false })];
    const path = join(directory, `bad-${++counter}.parquet`);
    const writer = createParquetPartWriter({ table: "shop.items", columns, path });
    const failure = await writer
      .write({ packed: pack([[1], ["99999999999"]], ["integer"]), lastRow: [] })
      .then(
        () => null,
        (error: unknown) => error,
      );
    expect(failure).toMatchObject({ kind: "encode" });
    expect((failure as Error).message).toMatch(/amount.*out of range/);
  });
});
