// A user's first program, run against the packed tarballs: a Parquet file from
// @sluice/parquet-writer alone, then a watermark kept by @sluice/watermark-store in a
// local-directory object store (@sluice/connectors). Exits non-zero on any mismatch.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLocalObjectStore } from "@sluice/connectors";
import {
  createParquetPartWriter,
  type ParquetPartOptions,
  readParquetRowsAsText,
} from "@sluice/parquet-writer";
import { createWatermarkStore, type ExtractCommit } from "@sluice/watermark-store";

function check(condition: boolean, what: string): void {
  if (!condition) {
    process.stderr.write(`pack-check consumer: ${what}\n`);
    process.exit(1);
  }
}

const directory = await mkdtemp(join(tmpdir(), "sluice-consumer-"));
try {
  const columns: ParquetPartOptions["columns"] = [
    {
      name: "id",
      sourceType: "bigint",
      logical: { kind: "integer", bits: 64, unsigned: false },
      nullable: false,
    },
    {
      name: "amount",
      sourceType: "decimal(18,2)",
      logical: { kind: "decimal", precision: 18, scale: 2 },
      nullable: true,
    },
    { name: "note", sourceType: "varchar(20)", logical: { kind: "string", maxBytes: 80 }, nullable: true },
  ];
  const rows = [
    ["9007199254740993", "12.50", "first"],
    ["2", null, "ü 😀 snappy snappy snappy snappy"],
  ];
  const path = join(directory, "part-00000.parquet");
  const writer = createParquetPartWriter({ table: "shop.orders", columns, path, compression: "snappy" });
  await writer.write({ rows });
  const summary = await writer.finish();
  check(summary.rows === 2, `expected 2 rows written, got ${summary.rows}`);
  const bytes = await readFile(path);
  check(
    bytes.subarray(0, 4).toString() === "PAR1" && bytes.subarray(-4).toString() === "PAR1",
    "no PAR1 magic",
  );
  const readBack: (readonly (string | null)[])[] = [];
  for await (const row of readParquetRowsAsText(path, columns)) readBack.push(row);
  check(
    JSON.stringify(readBack) === JSON.stringify(rows),
    `rows read back differ: ${JSON.stringify(readBack)}`,
  );

  const watermarks = createWatermarkStore(createLocalObjectStore({ directory: join(directory, "lake") }));
  const table = { schema: "shop", table: "orders" };
  const extract: ExtractCommit = {
    strategy: "hybrid",
    cursorColumn: "id",
    position: { cursorValue: null, keyValues: ["9007199254740993"] },
    lastRunId: "run-1",
    manifestKey: "shop.orders/_manifests/run-1.json",
    rowsTotal: 2,
    updatedAt: "2024-05-01T12:00:00.000Z",
  };
  const first = await watermarks.recordExtract(table, null, extract, "run-1", 2);
  check(first.isOk(), `first watermark write failed: ${first.isErr() ? first.error.message : ""}`);
  // A second writer that also expects "no document yet" must lose, not overwrite.
  const stale = await watermarks.recordExtract(table, null, { ...extract, lastRunId: "run-x" }, "run-x", 1);
  check(
    stale.isErr() && stale.error.kind === "conflict",
    "a stale watermark write was not refused as a conflict",
  );
  const stored = await watermarks.read(table);
  check(
    stored.isOk() && stored.value?.extract?.lastRunId === "run-1" && stored.value.extract.rowsTotal === 2,
    "the watermark read back is not the one written",
  );
  process.stdout.write(
    "pack-check consumer: Parquet written and read back; watermark kept by compare-and-set\n",
  );
} finally {
  await rm(directory, { recursive: true, force: true });
}
