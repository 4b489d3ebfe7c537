import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ColumnSpec, SourceValue } from "@sluice/core";
import { afterAll, describe, expect, it } from "vitest";
import { createParquetPartWriter } from "../src/index.js";
import { duckdbRows } from "./duckdb-query.js";

const directory = mkdtempSync(join(tmpdir(), "sluice-parquet-row-groups-"));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const columns: ColumnSpec[] = [
  { name: "id", sourceType: "int", logical: { kind: "integer", bits: 32, unsigned: false }, nullable: false },
  { name: "body", sourceType: "longtext", logical: { kind: "string", maxBytes: null }, nullable: false },
];
const mebibyte = 1024 * 1024;

/** Base64 of random bytes: ZSTD shrinks it by only ~25%, as it would real documents. */
const incompressible = (length: number) =>
  randomBytes(Math.ceil((length * 3) / 4))
    .toString("base64")
    .slice(0, length);

describe("row groups bounded by bytes", () => {
  for (const compressionThread of ["main", "worker"] as const) {
    it(`flushes a row group of large values once its compressed pages reach ~4 MiB, not at 64k rows (compression on ${compressionThread})`, async () => {
      const path = join(directory, `wide-${compressionThread}.parquet`);
      const rows: SourceValue[][] = Array.from({ length: 48 }, (_, index) => [
        index,
        incompressible(512 * 1024),
      ]);
      const writer = createParquetPartWriter({ table: "shop.docs", columns, path, compressionThread });
      // Batches of about 1 MiB, as extraction hands them over.
      for (let start = 0; start < rows.length; start += 2)
        await writer.write({ rows: rows.slice(start, start + 2) });
      await writer.finish();

      const groups = await duckdbRows(
        `SELECT row_group_id, any_value(row_group_num_rows) AS n, sum(total_compressed_size) AS bytes FROM parquet_metadata('${path}') GROUP BY row_group_id ORDER BY row_group_id`,
      );
      // 48 values of ~0.39 MiB compressed: several row groups, none above the bound
      // plus the one batch written before the check (~0.8 MiB compressed).
      expect(groups.length).toBeGreaterThanOrEqual(4);
      for (const group of groups) expect(Number(group.bytes)).toBeLessThanOrEqual(5 * mebibyte);
      expect(groups.reduce((sum, group) => sum + Number(group.n), 0)).toBe(rows.length);
      const [read] = await duckdbRows(
        `SELECT count(*) AS n, count(*) FILTER (WHERE id <> file_row_number) AS misplaced, sum(strlen(body)) AS bytes FROM read_parquet('${path}', file_row_number = true)`,
      );
      expect(read).toEqual({ n: 48n, misplaced: 0n, bytes: BigInt(48 * 512 * 1024) });
    });
  }

  it("keeps 64k-row groups for narrow rows", async () => {
    const path = join(directory, "narrow.parquet");
    const rows: SourceValue[][] = Array.from({ length: 150_000 }, (_, index) => [index, `note ${index}`]);
    const writer = createParquetPartWriter({ table: "shop.docs", columns, path });
    for (let start = 0; start < rows.length; start += 2000)
      await writer.write({ rows: rows.slice(start, start + 2000) });
    await writer.finish();
    const groups = await duckdbRows(
      `SELECT DISTINCT row_group_id, row_group_num_rows AS n FROM parquet_metadata('${path}') ORDER BY row_group_id`,
    );
    expect(groups.map((group) => Number(group.n))).toEqual([65_536, 65_536, 150_000 - 2 * 65_536]);
  });
});
