import type { SizeResult } from "./size-result.js";

/**
 * Sections of docs/benchmarks.md below this line come from other commands
 * (`pnpm bench:parallel`, `pnpm bench:backfill`, hand measurements) and are kept as
 * they are when `pnpm bench` rewrites the part above it.
 */
export const handWrittenMarker =
  "<!-- pnpm bench writes everything above this line; the sections below come from other commands and are kept. -->";

/**
 * docs/benchmarks.md is generated so the figures and the command never drift apart;
 * `previous` (the file as it was) gives the hand-written sections after the marker.
 */
export function renderBenchmarkDoc(
  machine: string,
  results: readonly SizeResult[],
  at: Date,
  previous = "",
): string {
  const markerAt = previous.indexOf(handWrittenMarker);
  const kept = markerAt < 0 ? "" : previous.slice(markerAt + handWrittenMarker.length).replace(/^\n+/, "");
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
      r.peakRssMiB <= 256
        ? `memory target met (${r.peakRssMiB.toFixed(0)} MiB)`
        : `memory target missed by ${(r.peakRssMiB - 256).toFixed(0)} MiB (${r.peakRssMiB.toFixed(0)} > 256 MiB)`;
    return `- ${r.rows.toLocaleString("en-US")} rows: ${rate}; ${memory}.`;
  });
  const ordered = results.map(
    (r) =>
      `| ${r.rows.toLocaleString("en-US")} | ${r.referenceSeconds.toFixed(2)} | ${r.orderedReferenceSeconds.toFixed(2)} | ${(r.orderedReferenceSeconds / r.referenceSeconds).toFixed(2)} | ${r.sluiceSeconds.toFixed(2)} | ${(r.orderedReferenceSeconds / r.sluiceSeconds).toFixed(2)} |`,
  );
  const loads = results.map(
    (r) =>
      `| ${r.rows.toLocaleString("en-US")} | ${r.load.copySeconds.toFixed(2)} | ${Math.round(r.rows / r.load.copySeconds).toLocaleString("en-US")} | ${r.load.sluiceSeconds.toFixed(2)} | ${r.load.sluiceLoadSeconds.toFixed(2)} | ${Math.round(r.rows / r.load.sluiceSeconds).toLocaleString("en-US")} | **${(r.load.copySeconds / r.load.sluiceSeconds).toFixed(2)}** | ${r.load.peakRssMiB.toFixed(0)} |`,
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

${verdicts.join("\n")}

Load average (1 minute) when each size began: ${results.map((r) => `${r.rows.toLocaleString("en-US")} rows ${r.loadAverageBefore.toFixed(2)}`).join(", ")}. On these 2 cores anything
above ~1 means other work shared the machine and slowed the reference and sluice unequally:
compare ratios from quiet runs.

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

The live set is bounded by design: 2,000-row extraction batches with at most two buffered
ahead (the socket is paused beyond that), one Parquet row group being encoded plus one
being flushed, one part uploading (8 MiB multipart parts, two in flight) while the next
is encoded. What grows between 1M and 5M rows is V8 keeping garbage longer on a longer
run, and the upload of part N overlapping the encoding of part N+1 (a 1M-row run has a
single part, so no overlap). Capping the old space proves it: on 3M rows
\`--max-old-space-size=128\` held peak RSS at 211-219 MiB against 234-247 MiB uncapped,
with no loss of speed. The cap is not the default because a table of very wide rows
(LONGTEXT/BLOB values of megabytes) needs more than 128 MiB for one 2,000-row batch;
batches bounded by bytes rather than rows must come first.

## PostgreSQL load

The same run loads each size's staged run into the private PostgreSQL 15 and measures,
in the same run:

- **reference**: \`psql \\copy <table> FROM <file>\` (\`COPY ... FROM STDIN\`) of the same rows,
  exported by MariaDB as PostgreSQL's text format (\`SELECT ... INTO OUTFILE\`, not timed),
  into an empty table created \`LIKE\` sluice's target, primary key included;
- **sluice**: \`sluice sync --redshift-only\` as its own process, end to end: start-up, run
  manifests and ledger, Parquet parts read from the S3 stand-in and decoded, \`COPY\` into a
  staging table, the merge into the target, the ledger commit (the load stage alone, as the
  run report times it, in its own column).

| rows | COPY s | COPY rows/s | sluice s | sluice load stage s | sluice rows/s | sluice / COPY | peak RSS MiB |
|---:|---:|---:|---:|---:|---:|---:|---:|
${loads.join("\n")}

What separates the two: sluice writes each row twice (\`COPY\` into a session-local
staging table, then the merge: a \`DELETE\` of the target rows with a staged key and an
\`INSERT\` of the latest version per key), decodes Parquet where the reference parses
text, and pays its start-up and the S3 reads.
${kept ? `\n${handWrittenMarker}\n\n${kept}` : ""}`;
}
