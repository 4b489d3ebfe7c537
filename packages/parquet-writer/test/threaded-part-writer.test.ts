import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ColumnSpec, PackedRowBatch, SourceValue } from "@sluice/core";
import { afterAll, describe, expect, it } from "vitest";
import { createParquetPartWriter, createThreadedParquetPartWriter } from "../src/index.js";
import { partWorkerOf, releaseSparePartWorker } from "../src/threaded-part-writer.js";
import { rowsOf, typeCases } from "./all-types-fixture.js";
import { duckdbRows } from "./duckdb-query.js";

// The worker runs dist/part-writer-worker.js: these tests need the package built.
const directory = mkdtempSync(join(tmpdir(), "sluice-threaded-test-"));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
const columns = typeCases.map((typeCase) => typeCase.column);
let counter = 0;

async function writeBoth(partColumns: readonly ColumnSpec[], rows: SourceValue[][], batchRows: number) {
  const inlinePath = join(directory, `inline-${++counter}.parquet`);
  const threadedPath = join(directory, `threaded-${counter}.parquet`);
  const options = { table: "shop.items", columns: partColumns, rowGroupRows: 5 };
  const inline = createParquetPartWriter({ ...options, path: inlinePath });
  const threaded = createThreadedParquetPartWriter({ ...options, path: threadedPath });
  for (let start = 0; start < rows.length; start += batchRows) {
    const batch = { rows: rows.slice(start, start + batchRows) };
    await inline.write(batch);
    await threaded.write(batch);
  }
  return { inline: await inline.finish(), threaded: await threaded.finish() };
}

describe("createThreadedParquetPartWriter", () => {
  it("writes the very bytes the in-line writer writes, for every logical type", async () => {
    // Repeat the fixture rows so several batches and row groups cross the thread.
    const rows = Array.from({ length: 6 }, () => rowsOf(typeCases)).flat();
    const { inline, threaded } = await writeBoth(columns, rows, 3);
    expect(threaded.rows).toBe(rows.length);
    expect({ ...threaded, path: "" }).toEqual({ ...inline, path: "" });
    expect(readFileSync(threaded.path).equals(readFileSync(inline.path))).toBe(true);
  });

  it("sends Buffers that view a larger buffer as their own bytes only", async () => {
    const blob: ColumnSpec = {
      name: "payload",
      sourceType: "blob",
      nullable: true,
      logical: { kind: "binary", maxBytes: null },
    };
    const packet = Buffer.from("xxxxABCDEFyyyyGHzzzz");
    const rows: SourceValue[][] = [[packet.subarray(4, 10)], [null], [packet.subarray(14, 16)]];
    const { inline, threaded } = await writeBoth([blob], rows, 2);
    expect(readFileSync(threaded.path).equals(readFileSync(inline.path))).toBe(true);
    const read = await duckdbRows(
      `SELECT CAST(payload AS VARCHAR) AS v FROM read_parquet('${threaded.path}', file_row_number = true) ORDER BY file_row_number`,
    );
    expect(read.map((row) => row.v ?? null)).toEqual(["ABCDEF", null, "GH"]);
  });

  it("keeps an encode error's kind and message from the worker", async () => {
    const path = join(directory, `bad-${++counter}.parquet`);
    const amount: ColumnSpec = {
      name: "amount",
      sourceType: "int",
      nullable: false,
      logical: { kind: "integer", bits: 32, unsigned: false },
    };
    const writer = createThreadedParquetPartWriter({ table: "shop.items", columns: [amount], path });
    await writer.write({ rows: [["not a number"]] });
    const failure = await writer.finish().then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).toMatchObject({ kind: "encode" });
    expect((failure as { message: string }).message).toContain("amount");
    await writer.abort();
    expect(existsSync(path)).toBe(false);
  });

  it("turns a worker that dies mid-part into an internal error and leaves no file", async () => {
    const path = join(directory, `crash-${++counter}.parquet`);
    const writer = createThreadedParquetPartWriter({ table: "shop.items", columns, path });
    await writer.write({ rows: rowsOf(typeCases) });
    await partWorkerOf(writer)?.terminate();
    const failure = await writer.finish().then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).toMatchObject({ kind: "internal", retryable: false });
    expect((failure as { message: string }).message).toContain("shop.items");
    await writer.abort();
    expect(existsSync(path)).toBe(false);
  });

  it("takes packed rows as one transfer and writes what the in-line writer writes for their values", async () => {
    const partColumns: ColumnSpec[] = [
      {
        name: "id",
        sourceType: "int",
        nullable: false,
        logical: { kind: "integer", bits: 32, unsigned: false },
      },
      {
        name: "name",
        sourceType: "varchar(300)",
        nullable: true,
        logical: { kind: "string", maxBytes: 1200 },
      },
      { name: "raw", sourceType: "varbinary(8)", nullable: true, logical: { kind: "binary", maxBytes: 8 } },
    ];
    // The text protocol's row form: a length byte, then the value; 0xFB is NULL.
    const value = (text: string | null) =>
      text === null ? [0xfb] : [Buffer.byteLength(text), ...Buffer.from(text, "utf8")];
    const rows: SourceValue[][] = [];
    const packedBatches: PackedRowBatch[] = [];
    for (let batch = 0; batch < 4; batch++) {
      const bytes: number[] = [];
      const batchRows: SourceValue[][] = [];
      for (let index = 0; index < 3; index++) {
        const id = batch * 3 + index;
        const name = index === 1 ? null : `naïve ${id} ☃`;
        bytes.push(...value(String(id)), ...value(name), ...value(index === 2 ? null : "AB"));
        batchRows.push([id, name, index === 2 ? null : Buffer.from("AB")]);
      }
      rows.push(...batchRows);
      packedBatches.push({
        packed: { bytes: Uint8Array.from(bytes), rowCount: 3, decodings: ["integer", "text", "bytes"] },
        lastRow: batchRows[2] as SourceValue[],
      });
    }
    const options = { table: "shop.items", columns: partColumns, rowGroupRows: 5 };
    const inline = createParquetPartWriter({
      ...options,
      path: join(directory, `inline-${++counter}.parquet`),
    });
    const threaded = createThreadedParquetPartWriter({
      ...options,
      path: join(directory, `packed-${counter}.parquet`),
    });
    await inline.write({ rows });
    for (const batch of packedBatches) {
      await threaded.write(batch);
      // Transferred, not copied: the bytes are gone from this thread.
      expect(batch.packed.bytes.byteLength).toBe(0);
    }
    const [inlineSummary, threadedSummary] = [await inline.finish(), await threaded.finish()];
    expect(threadedSummary.rows).toBe(12);
    expect(readFileSync(threadedSummary.path).equals(readFileSync(inlineSummary.path))).toBe(true);
  });

  it("keeps a worker for the next part after a clean finish, and ends it on release", async () => {
    const write = async () => {
      const writer = createThreadedParquetPartWriter({
        table: "shop.items",
        columns,
        path: join(directory, `reused-${++counter}.parquet`),
      });
      await writer.write({ rows: rowsOf(typeCases) });
      const worker = partWorkerOf(writer);
      return { worker, summary: await writer.finish() };
    };
    const first = await write();
    const second = await write();
    expect(second.worker).toBe(first.worker);
    // The reused worker wrote the second part from a clean state: the same file again.
    expect(readFileSync(second.summary.path).equals(readFileSync(first.summary.path))).toBe(true);
    const exited = new Promise<number>((resolve) => first.worker?.once("exit", resolve));
    await releaseSparePartWorker();
    await exited;
    const third = await write();
    expect(third.worker).not.toBe(first.worker);
    await releaseSparePartWorker();
  });
});
