import type { SizeResult } from "./size-result.js";

/** docs/benchmarks.md is generated so the figures and the command never drift apart. */
export function renderBenchmarkDoc(machine: string, results: readonly SizeResult[], at: Date): string {
  const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
  const rows = results.map(
    (r) =>
      `| ${r.rows.toLocaleString("en-US")} | ${Math.round(r.referenceRowsPerSecond).toLocaleString("en-US")} | ${Math.round(r.sluiceRowsPerSecond).toLocaleString("en-US")} | **${r.ratio.toFixed(2)}** | **${r.peakRssMiB.toFixed(0)}** | ${r.files} | ${mib(r.sluiceParquetBytes)} | ${mib(r.duckdbParquetBytes)} | ${(r.sluiceParquetBytes / r.duckdbParquetBytes).toFixed(2)} |`,
  );
  return `# Benchmarks

Produced by \`pnpm bench\` (\`bash scripts/bench.sh\`; sizes via \`BENCH_ROWS=1000000,5000000\`) on ${at.toISOString().slice(0, 10)}.
Machine: ${machine}. Private MariaDB 10.11 and s3rver on loopback, started by the benchmark itself.

Each size builds a 20-column table (\`apps/bench/src/wide-table.ts\`) and measures, in the same run:

- **reference**: \`mariadb --quick --batch\` streaming \`SELECT *\` to /dev/null;
- **sluice**: \`sluice sync --backup-only\` as its own process, end to end: plan, keyset extraction, Parquet (ZSTD, V1 pages), upload to the S3 stand-in, manifests, watermark;
- **peak RSS** of the sluice process (VmHWM sampled from /proc);
- **Parquet bytes**: sluice's files against DuckDB's ZSTD re-encoding of the same rows.

Targets (issue #2): ratio >= 0.5; peak RSS <= 256 MiB and flat from 1M to 5M rows.

| rows | reference rows/s | sluice rows/s | sluice / reference | peak RSS MiB | files | sluice Parquet MiB | DuckDB ZSTD MiB | bytes ratio |
|---:|---:|---:|---:|---:|---:|---:|---:|---:|
${rows.join("\n")}
`;
}
