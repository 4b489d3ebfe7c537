import type { SizeResult } from "./size-result.js";

/**
 * Where the sections written by hand begin (figures quoted from \`pnpm bench:parallel\`
 * and \`pnpm bench:wide\`, which print them): \`pnpm bench\` regenerates what is above
 * this line and keeps what follows it.
 */
export const handWrittenMarker =
  "<!-- Written by hand below this line (pnpm bench:parallel, pnpm bench:wide); pnpm bench keeps it. -->";

/** The hand-written tail of an existing docs/benchmarks.md, marker included ("" if none). */
export function handWrittenTail(existing: string): string {
  const at = existing.indexOf(handWrittenMarker);
  return at < 0 ? "" : existing.slice(at);
}

/** docs/benchmarks.md is generated so the figures and the command never drift apart. */
export function renderBenchmarkDoc(
  machine: string,
  results: readonly SizeResult[],
  at: Date,
  handWritten = "",
): string {
  const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
  const rows = results.map(
    (r) =>
      `| ${r.rows.toLocaleString("en-US")} | ${Math.round(r.referenceRowsPerSecond).toLocaleString("en-US")} | ${Math.round(r.sluiceRowsPerSecond).toLocaleString("en-US")} | **${r.ratio.toFixed(2)}** | **${r.peakRssMiB.toFixed(0)}** | ${r.files} | ${mib(r.sluiceParquetBytes)} | ${mib(r.duckdbParquetBytes)} | ${(r.sluiceParquetBytes / r.duckdbParquetBytes).toFixed(2)} |`,
  );
  // Said in words so a miss is never hidden in a table cell.
  const verdicts = results.map((r) => {
    const rate =
      r.ratio >= 0.5
        ? `rate target met (${r.ratio.toFixed(2)})`
        : `rate target missed by ${Math.round((1 - r.ratio / 0.5) * 100)}% (${r.ratio.toFixed(2)} < 0.5)`;
    const memory =
      r.peakRssMiB <= 200
        ? `memory target met (${r.peakRssMiB.toFixed(0)} MiB)`
        : `memory target missed by ${(r.peakRssMiB - 200).toFixed(0)} MiB (${r.peakRssMiB.toFixed(0)} > 200 MiB)`;
    return `- ${r.rows.toLocaleString("en-US")} rows: ${rate}; ${memory}.`;
  });
  const ordered = results.map(
    (r) =>
      `| ${r.rows.toLocaleString("en-US")} | ${r.referenceSeconds.toFixed(2)} | ${r.orderedReferenceSeconds.toFixed(2)} | ${(r.orderedReferenceSeconds / r.referenceSeconds).toFixed(2)} | ${r.sluiceSeconds.toFixed(2)} | ${(r.orderedReferenceSeconds / r.sluiceSeconds).toFixed(2)} |`,
  );
  return `# Benchmarks

Produced by \`pnpm bench\` (\`bash scripts/bench.sh\`; sizes via \`BENCH_ROWS=${results.map((r) => r.rows).join(",")}\`, default 1000000,5000000) on ${at.toISOString().slice(0, 10)}.
Machine: ${machine}. Private MariaDB 10.11 and s3rver on loopback, started by the benchmark itself.

Each size builds a 20-column table (\`apps/bench/src/wide-table.ts\`) and measures, in the same run:

- **reference**: \`mariadb --quick --batch\` streaming \`SELECT *\` to /dev/null;
- **sluice**: \`sluice sync --backup-only\` as its own process, end to end: plan, keyset extraction, Parquet (ZSTD, V1 pages), upload to the S3 stand-in, manifests, watermark;
- **peak RSS** of the sluice process (VmHWM sampled from /proc);
- **Parquet bytes**: sluice's files against DuckDB's ZSTD re-encoding of the same rows.

Targets: ratio >= 0.5 (issue #2); peak RSS <= 200 MiB and flat from 1M to 20M rows (issue 13).

| rows | reference rows/s | sluice rows/s | sluice / reference | peak RSS MiB | files | sluice Parquet MiB | DuckDB ZSTD MiB | bytes ratio |
|---:|---:|---:|---:|---:|---:|---:|---:|---:|
${rows.join("\n")}

${verdicts.join("\n")}

A run has a fixed cost the reference does not pay, about 0.4-0.6 s on this machine: Node
start-up and module loading, the connections, the 150 ms open-transaction read that caps
the ceiling (docs/cdc.md), manifests and the watermark commit, and the last part's upload
after extraction ends. It weighs ~15% on a 1M-row run of ~3.4 s and ~3% at 5M rows, which
is part of the difference between the two ratios (the other part: the reference itself
slows from 1M to 5M rows as the table outgrows the buffer pool).

## Where the time goes

The reference scans the table in primary-key order. So does sluice's first run of a table:
the hybrid strategy reads a table without a watermark as an initial snapshot, the rows
below a ceiling frozen at its start in primary-key pages (\`FORCE INDEX (PRIMARY)\`, see
docs/cdc.md), and switches to keyset order on the cursor index \`(updated_at, id)\` only
for the incremental runs after it. Reading the whole table in that keyset order (what a
first run did before the snapshot, and still does with \`--no-initial-snapshot\`) makes
MariaDB fetch every row through the secondary index; the same client reading in that
order, measured in the same run, shows the source's cost of that order:

| rows | scan s | keyset-order read s | source cost of the order | sluice s | sluice / keyset-order read |
|---:|---:|---:|---:|---:|---:|
${ordered.join("\n")}

What the snapshot changes, measured on one 1M-row table (2026-11-25, two sessions of 4
alternating pairs): its own statement (\`FORCE INDEX (PRIMARY) WHERE updated_at < NOW(6)
ORDER BY id\`) streams in 1.38-1.43 s like the plain scan (1.40-1.43 s), against 2.00-2.08 s
in keyset order, so the source does ~30% less work; sluice's wall time drops 3-5% (means
3.39-3.41 s with the snapshot against 3.51-3.59 s with \`--no-initial-snapshot\`, faster in 7
of 8 pairs). sluice is bound by its own CPU, not by MariaDB: a CPU profile of a snapshot
run (\`NODE_OPTIONS=--cpu-prof\`) splits its ~3.5 s as ~0.7 s in the column encoders,
~0.43 s in mysql2's row parsing plus ~0.3 s decoding strings, ~0.27 s ZSTD, ~0.26 s garbage
collection, ~0.2 s date/time parsing, and ~0.66 s idle (start-up, the 150 ms
open-transaction read, waits for rows and the last upload). The way past the 0.5 target is
on sluice's side. Page size (50k vs 200k vs 1M rows per query) and ZSTD on a worker thread
changed the time by less than the run-to-run noise (both measured before the snapshot,
both left at their defaults).

## Memory

Memory is bounded by bytes, not rows (docs/adr/0017-perf-bytes-bounded-memory.md):
extraction batches of 2,000 rows or ~1 MiB of values, whichever comes first, two of
them buffered ahead before the socket is paused; Parquet row groups flushed at 64k rows,
32 MiB of page bytes or 4 MiB of compressed pages held, one filling while the one before
is written; pages of 1 MiB; upload parts of 5 MiB, two in flight, while the next part
file is encoded. The buffers that cycle (value and chunk sinks, upload parts, ZSTD
output) are reused or freed at once instead of waiting for V8's next full GC, and the
CLI runs V8 with a fixed old-generation growth factor (\`--heap-growing-percent=50\`,
with \`--max-semi-space-size=8\`, in its shebang), so garbage does not pile up between
full GCs. What a run holds at its peak, on the 20-column table: ~116 MiB before the
first row (Node's own ~50 MiB of code and data, ~30 MiB of V8 heap for the loaded
modules: AWS SDK, mysql2, pg, kysely), V8's heap growing to 50-60 MiB, ~25 MiB of
Parquet buffers (value sinks of up to a page per column, two compressed-chunk sinks per
column), 10 MiB of upload parts while part N uploads and N+1 is encoded (a 1M-row run
has one part, so no overlap), and the allocator's slack. Tables of large values and the
breakdown of what remains are under "Bytes-bounded memory" below (\`pnpm bench:wide\`).
${handWritten === "" ? "" : `\n${handWritten}`}`;
}
