import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ColumnSpec, SourceValue } from "@sluice/core";
import { afterAll, describe, expect, it } from "vitest";
import { createParquetPartWriter, type ParquetPartOptions } from "../src/index.js";
import { duckdbRows } from "./duckdb-query.js";

const directory = mkdtempSync(join(tmpdir(), "sluice-parquet-policy-"));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
let fileCounter = 0;

const id: ColumnSpec = {
  name: "id",
  sourceType: "int",
  logical: { kind: "integer", bits: 32, unsigned: false },
  nullable: false,
};
const note: ColumnSpec = {
  name: "note",
  sourceType: "longtext",
  logical: { kind: "string", maxBytes: null },
  nullable: true,
};
const doc: ColumnSpec = { name: "doc", sourceType: "longtext", logical: { kind: "json" }, nullable: true };
const blob: ColumnSpec = {
  name: "blob",
  sourceType: "blob",
  logical: { kind: "binary", maxBytes: 65535 },
  nullable: true,
};
const born: ColumnSpec = { name: "born", sourceType: "date", logical: { kind: "date" }, nullable: false };

async function writePart(
  columns: readonly ColumnSpec[],
  rows: SourceValue[][],
  options: Partial<ParquetPartOptions> = {},
) {
  const path = join(directory, `part-${++fileCounter}.parquet`);
  const writer = createParquetPartWriter({
    table: "shop.people",
    columns,
    path,
    keyColumns: ["id"],
    ...options,
  });
  try {
    await writer.write({ rows });
    return await writer.finish();
  } catch (error) {
    await writer.abort();
    throw error;
  }
}

describe("zero and impossible dates", () => {
  const rows = [
    [1, "2024-02-29"],
    [2, "2024-02-30"],
    [3, "0000-00-00"],
    [4, "2023-02-29"],
  ];

  it('policy "null" writes NULL, counts them and keeps the first one with its row key', async () => {
    const summary = await writePart([id, born], rows);
    expect(summary.zeroDates).toEqual({ born: 3 });
    expect(summary.zeroDateSamples).toEqual({ born: { value: "2024-02-30", key: "id=2" } });
    expect(summary.columnStats.born).toEqual({ nulls: 3, maxBytes: null });
    const read = await duckdbRows(
      `SELECT id, CAST(born AS VARCHAR) AS born FROM read_parquet('${summary.path}') ORDER BY id`,
    );
    expect(read).toEqual([
      { id: 1, born: "2024-02-29" },
      { id: 2, born: null },
      { id: 3, born: null },
      { id: 4, born: null },
    ]);
  });

  it('policy "fail" stops naming table, column, key, value and both fixes', async () => {
    const failure = await writePart([id, born], rows, { invalidDates: "fail" }).catch(
      (error: unknown) => error,
    );
    expect(failure).toMatchObject({ kind: "encode" });
    const message = (failure as { message: string }).message;
    for (const part of [
      "shop.people",
      "born",
      "id=2",
      '"2024-02-30"',
      "fix the row",
      "--invalid-dates null",
    ]) {
      expect(message).toContain(part);
    }
  });
});

describe("text byte limit", () => {
  // 3 + 4 x 4 bytes: the cut at 10 bytes falls inside the third emoji.
  const long = `abc${"😀".repeat(4)}`;

  it('"truncate" cuts on a UTF-8 character boundary, counts it, and leaves JSON and binary whole', async () => {
    const summary = await writePart(
      [id, note, doc, blob],
      [
        [1, long, JSON.stringify({ text: long }), Buffer.alloc(40, 0xff)],
        [2, "short", null, null],
        [3, null, "[]", Buffer.alloc(0)],
      ],
      { textLimit: { maxBytes: 10, policy: "truncate" } },
    );
    expect(summary.truncatedValues).toEqual({ note: 1 });
    expect(summary.columnStats).toEqual({
      id: { nulls: 0, maxBytes: null },
      note: { nulls: 1, maxBytes: 7 },
      doc: { nulls: 1, maxBytes: Buffer.byteLength(JSON.stringify({ text: long })) },
      blob: { nulls: 1, maxBytes: 40 },
    });
    const read = await duckdbRows(
      `SELECT id, note, doc, octet_length(blob) AS blob FROM read_parquet('${summary.path}') ORDER BY id`,
    );
    expect(read).toEqual([
      { id: 1, note: "abc😀", doc: JSON.stringify({ text: long }), blob: 40n },
      { id: 2, note: "short", doc: null, blob: null },
      { id: 3, note: null, doc: "[]", blob: 0n },
    ]);
  });

  it('"fail" stops naming the row key, the column, the byte length and the fix', async () => {
    const failure = await writePart(
      [id, note],
      [
        [7, "ok"],
        [8, long],
      ],
      {
        textLimit: { maxBytes: 10, policy: "fail" },
      },
    ).catch((error: unknown) => error);
    expect(failure).toMatchObject({ kind: "encode" });
    const message = (failure as { message: string }).message;
    for (const part of ["shop.people", "note", "id=8", "19 bytes", "10 bytes", "--oversize-text truncate"]) {
      expect(message).toContain(part);
    }
  });

  it("writes everything whole without a limit and reports the longest value", async () => {
    const summary = await writePart(
      [id, note],
      [
        [1, long],
        [2, "x".repeat(70_000)],
      ],
    );
    expect(summary.truncatedValues).toEqual({});
    expect(summary.columnStats.note).toEqual({ nulls: 0, maxBytes: 70_000 });
  });
});

describe("text no warehouse takes: U+0000 (NUL) and lone surrogates", () => {
  const rows = () => [
    [1, "plain", '{"a":1}'],
    [2, "a\u0000b\u0000", "[]"],
    [3, "\u0000", "{}"],
    [4, null, null],
  ];

  it('"fail" (the default) stops naming table, column, key, position and both fixes', async () => {
    const failure = await writePart([id, note, doc], rows()).catch((error: unknown) => error);
    expect(failure).toMatchObject({ kind: "encode" });
    const message = (failure as { message: string }).message;
    for (const part of [
      "shop.people",
      "column note",
      "id=2",
      "U+0000",
      "position 2",
      "--nul-in-text strip",
      "--nul-in-text replace",
    ]) {
      expect(message).toContain(part);
    }
  });

  it('"strip" removes every NUL and counts values per column; the byte lengths are the stripped ones', async () => {
    const summary = await writePart([id, note, doc], rows(), { nulInText: "strip" });
    expect(summary.nulTextValues).toEqual({ note: 2 });
    expect(summary.nulTextSamples).toEqual({ note: "id=2" });
    expect(summary.columnStats.note).toEqual({ nulls: 1, maxBytes: 5 });
    const read = await duckdbRows(`SELECT id, note FROM read_parquet('${summary.path}') ORDER BY id`);
    expect(read.map((row) => row.note)).toEqual(["plain", "ab", "", null]);
  });

  it('"replace" writes U+FFFD for each NUL', async () => {
    const summary = await writePart([id, note, doc], rows(), { nulInText: "replace" });
    expect(summary.nulTextValues).toEqual({ note: 2 });
    const read = await duckdbRows(`SELECT id, note FROM read_parquet('${summary.path}') ORDER BY id`);
    expect(read.map((row) => row.note)).toEqual(["plain", "a\uFFFDb\uFFFD", "\uFFFD", null]);
  });

  it("NUL inside a text value cut to the byte limit is replaced before the cut", async () => {
    const summary = await writePart([id, note], [[1, `${"\u0000".repeat(4)}xyz`]], {
      nulInText: "replace",
      textLimit: { maxBytes: 10, policy: "truncate" },
    });
    // Four U+FFFD are 12 bytes: the cut keeps three whole ones.
    const read = await duckdbRows(`SELECT note FROM read_parquet('${summary.path}')`);
    expect(read).toEqual([{ note: "\uFFFD".repeat(3) }]);
    expect(summary.truncatedValues).toEqual({ note: 1 });
  });

  it("refuses a lone surrogate, which UTF-8 cannot hold, whatever the NUL policy", async () => {
    const failure = await writePart([id, note], [[5, "ok \uD800 here"]], { nulInText: "replace" }).catch(
      (error: unknown) => error,
    );
    expect(failure).toMatchObject({ kind: "encode" });
    const message = (failure as { message: string }).message;
    expect(message).toContain("lone UTF-16 surrogate");
    expect(message).toContain("id=5");
  });
});
