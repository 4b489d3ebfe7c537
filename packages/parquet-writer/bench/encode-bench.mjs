// Not a test: encodes 1M synthetic rows of a 20-column mixed table and prints rows/s
// and peak RSS. Run after `pnpm exec tsc -b packages/parquet-writer`:
//   node packages/parquet-writer/bench/encode-bench.mjs [rows] [zstd|snappy|none] [main|worker]
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createParquetPartWriter } from "../dist/index.js";

const totalRows = Number(process.argv[2] ?? 1_000_000);
const compression = process.argv[3] ?? "zstd";
const compressionThread = process.argv[4] ?? "main";
const int = (bits, unsigned = false) => ({ kind: "integer", bits, unsigned });
const str = (name, nullable = false) => ({
  name,
  sourceType: "varchar(64)",
  logical: { kind: "string", maxBytes: 256 },
  nullable,
});
const columns = [
  { name: "id", sourceType: "bigint", logical: int(64), nullable: false },
  { name: "account_id", sourceType: "int", logical: int(32), nullable: false },
  { name: "parent_id", sourceType: "bigint", logical: int(64), nullable: true },
  {
    name: "amount",
    sourceType: "decimal(12,2)",
    logical: { kind: "decimal", precision: 12, scale: 2 },
    nullable: false,
  },
  {
    name: "rate",
    sourceType: "decimal(18,4)",
    logical: { kind: "decimal", precision: 18, scale: 4 },
    nullable: true,
  },
  { name: "score", sourceType: "double", logical: { kind: "double" }, nullable: false },
  { name: "ratio", sourceType: "float", logical: { kind: "float" }, nullable: true },
  str("name"),
  str("email"),
  str("city", true),
  { name: "code", sourceType: "char(8)", logical: { kind: "string", maxBytes: 32 }, nullable: false },
  str("note", true),
  { name: "birth_date", sourceType: "date", logical: { kind: "date" }, nullable: true },
  { name: "created_at", sourceType: "datetime(6)", logical: { kind: "datetime", fsp: 6 }, nullable: false },
  { name: "updated_at", sourceType: "timestamp(6)", logical: { kind: "timestamp", fsp: 6 }, nullable: false },
  { name: "status", sourceType: "tinyint", logical: int(8), nullable: false },
  { name: "flags", sourceType: "smallint", logical: int(16), nullable: true },
  { name: "counter", sourceType: "int", logical: int(32), nullable: true },
  { name: "external_id", sourceType: "bigint", logical: int(64), nullable: true },
  { name: "weight", sourceType: "double", logical: { kind: "double" }, nullable: true },
];
const cities = ["Berlin", "Lisbon", "Osaka", "Quito", "Nairobi", null];
const pad = (n, w) => String(n).padStart(w, "0");
function makeBatch(start, size) {
  const rows = [];
  for (let i = start; i < start + size; i++) {
    const second = i % 86400;
    const time = `${pad(Math.floor(second / 3600), 2)}:${pad(Math.floor(second / 60) % 60, 2)}:${pad(second % 60, 2)}`;
    const day = `2024-${pad((i % 12) + 1, 2)}-${pad((i % 28) + 1, 2)}`;
    rows.push([
      String(i + 1),
      i % 100_000,
      i % 3 === 0 ? null : String(i * 7),
      `${(i % 1_000_000) - 500_000}.${pad(i % 100, 2)}`,
      i % 5 === 0 ? null : `${i % 99_999}.${pad(i % 10_000, 4)}`,
      i * 0.37,
      i % 4 === 0 ? null : (i % 1000) / 8,
      `customer ${i}`,
      `user${i}@example.com`,
      cities[i % cities.length],
      `C${pad(i % 10_000_000, 7)}`,
      i % 2 === 0 ? null : `note about row ${i} with some text`,
      i % 7 === 0 ? null : `19${pad(50 + (i % 50), 2)}-${pad((i % 12) + 1, 2)}-${pad((i % 28) + 1, 2)}`,
      `${day} ${time}.${pad(i % 1_000_000, 6)}`,
      `${day} ${time}.${pad((i * 13) % 1_000_000, 6)}`,
      i % 128,
      i % 3 === 0 ? null : i % 30_000,
      i % 11 === 0 ? null : i,
      i % 2 === 0 ? null : String(9_000_000_000_000 + i),
      i % 6 === 0 ? null : i / 3,
    ]);
  }
  return { rows };
}

// Batches are generated up front (as a source would hand them over) so the
// figure measures encoding, not the generator; they are reused to cap memory.
const batchSize = 10_000;
const batches = Array.from({ length: 10 }, (_, index) => makeBatch(index * batchSize, batchSize));
const path = join(tmpdir(), `sluice-encode-bench-${process.pid}.parquet`);
let peakRss = process.memoryUsage().rss;
const baseRss = peakRss;
const started = process.hrtime.bigint();
const cpuStart = process.cpuUsage();
const writer = createParquetPartWriter({
  table: "bench.orders",
  columns,
  path,
  compression,
  compressionThread,
});
for (let written = 0, index = 0; written < totalRows; written += batchSize, index++) {
  await writer.write(batches[index % batches.length]);
  if (index % 10 === 0) peakRss = Math.max(peakRss, process.memoryUsage().rss);
}
const summary = await writer.finish();
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const cpu = process.cpuUsage(cpuStart);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
peakRss = Math.max(peakRss, process.memoryUsage().rss);
rmSync(path, { force: true });
console.log(
  JSON.stringify({
    rows: summary.rows,
    columns: columns.length,
    compression,
    compressionThread,
    seconds: Number(seconds.toFixed(2)),
    rowsPerSecond: Math.round(summary.rows / seconds),
    // CPU of the whole process (main thread + libuv pool): the cost a sync pays per row.
    cpuSeconds: Number(cpuSeconds.toFixed(2)),
    rowsPerCpuSecond: Math.round(summary.rows / cpuSeconds),
    fileMiB: Number((summary.sizeBytes / 2 ** 20).toFixed(1)),
    rssBeforeMiB: Math.round(baseRss / 2 ** 20),
    peakRssMiB: Math.round(peakRss / 2 ** 20),
  }),
);
