import type { ProcessCpu, SizeResult } from "./size-result.js";

/** Issue #13's targets: sluice / reference at 1M and 5M rows, and peak RSS. */
const rateTarget = 0.8;
const memoryTargetMiB = 200;
const percent = (share: number | null): string => (share === null ? "n/a" : `${(share * 100).toFixed(0)}%`);

/** The least wall time a process could take here: its CPU and the server's, spread over every core. */
function leastWall(cpu: ProcessCpu, cores: number): number {
  return (cpu.process + cpu.server) / cores;
}

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
  cores: number,
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
    // The better of the two settings, named: a ratio in words must match a cell of a table.
    const lanesBetter = r.lanes.ratio > r.ratio;
    const best = lanesBetter ? r.lanes.ratio : r.ratio;
    const how = lanesBetter ? ` with --snapshot-connections ${r.lanes.connections}` : "";
    const ceiling = r.referenceSeconds / leastWall(r.cpu.sluice, cores);
    const rate =
      best >= rateTarget
        ? `rate target met (${best.toFixed(2)}${how})`
        : `rate target missed (${best.toFixed(2)}${how} < ${rateTarget}; this machine's CPU ceiling at sluice's CPU cost: ${ceiling.toFixed(2)})`;
    const memory =
      r.peakRssMiB <= memoryTargetMiB
        ? `memory target met (${r.peakRssMiB.toFixed(0)} MiB)`
        : `memory target missed by ${(r.peakRssMiB - memoryTargetMiB).toFixed(0)} MiB (${r.peakRssMiB.toFixed(0)} > ${memoryTargetMiB} MiB)`;
    return `- ${r.rows.toLocaleString("en-US")} rows: ${rate}; ${memory}.`;
  });
  const cpuOf = (cpu: ProcessCpu) =>
    `${(cpu.process + cpu.server).toFixed(2)} (${cpu.process.toFixed(2)} + ${cpu.server.toFixed(2)})`;
  const ceilings = results.map(
    (r) =>
      `| ${r.rows.toLocaleString("en-US")} | ${r.referenceSeconds.toFixed(2)} | ${cpuOf(r.cpu.reference)} | ${((r.cpu.reference.process + r.cpu.reference.server) / r.referenceSeconds).toFixed(2)} | ${r.sluiceSeconds.toFixed(2)} | ${cpuOf(r.cpu.sluice)} | ${leastWall(r.cpu.sluice, cores).toFixed(2)} | **${(r.referenceSeconds / leastWall(r.cpu.sluice, cores)).toFixed(2)}** | ${r.ratio.toFixed(2)} |`,
  );
  const ordered = results.map(
    (r) =>
      `| ${r.rows.toLocaleString("en-US")} | ${r.referenceSeconds.toFixed(2)} | ${r.orderedReferenceSeconds.toFixed(2)} | ${(r.orderedReferenceSeconds / r.referenceSeconds).toFixed(2)} | ${r.sluiceSeconds.toFixed(2)} | ${(r.orderedReferenceSeconds / r.sluiceSeconds).toFixed(2)} |`,
  );
  const lanes = results.map(
    (r) =>
      `| ${r.rows.toLocaleString("en-US")} | ${r.lanes.connections} | ${r.sluiceSeconds.toFixed(2)} | **${r.ratio.toFixed(2)}** | ${r.peakRssMiB.toFixed(0)} | ${r.lanes.seconds.toFixed(2)} | ${cpuOf(r.cpu.lanes)} | **${r.lanes.ratio.toFixed(2)}** | ${r.lanes.peakRssMiB.toFixed(0)} | ${(r.sluiceSeconds / r.lanes.seconds).toFixed(2)} |`,
  );
  const loads = results.map(
    (r) =>
      `| ${r.rows.toLocaleString("en-US")} | ${r.load.copySeconds.toFixed(2)} | ${Math.round(r.rows / r.load.copySeconds).toLocaleString("en-US")} | ${r.load.sluiceSeconds.toFixed(2)} | ${r.load.sluiceLoadSeconds.toFixed(2)} | ${Math.round(r.rows / r.load.sluiceSeconds).toLocaleString("en-US")} | **${(r.load.copySeconds / r.load.sluiceSeconds).toFixed(2)}** | ${r.load.peakRssMiB.toFixed(0)} |`,
  );
  return `# Benchmarks

Produced by \`BENCH_ROWS=${results.map((result) => result.rows).join(",")} pnpm bench\` (\`bash scripts/bench.sh\`; the default sizes are 1000000,5000000) on ${at.toISOString().slice(0, 10)}.
Machine: ${machine}. Private MariaDB 10.11 and s3rver on loopback, started by the benchmark itself.

Each size builds a 20-column table (\`apps/bench/src/wide-table.ts\`) and measures, in the same run:

- **reference**: \`mariadb --quick --batch\` streaming \`SELECT *\` to /dev/null;
- **sluice**: \`sluice sync --backup-only\` as its own process, end to end: plan, keyset extraction, Parquet (ZSTD, V1 pages), upload to the S3 stand-in, manifests, watermark;
- **peak RSS** of the sluice process (VmHWM sampled from /proc);
- **CPU seconds** (user + system) of each process, all threads, and of the MariaDB server while it ran;
- **Parquet bytes**: sluice's files against DuckDB's ZSTD re-encoding of the same rows.

Targets (issue #13): sluice / reference >= ${rateTarget} at 1M and 5M rows, or the measured
ceiling stated; peak RSS <= ${memoryTargetMiB} MiB, flat from 1M to 20M rows.

| rows | reference rows/s | sluice rows/s | sluice / reference | peak RSS MiB | files | sluice Parquet MiB | DuckDB ZSTD MiB | bytes ratio |
|---:|---:|---:|---:|---:|---:|---:|---:|---:|
${rows.join("\n")}

${verdicts.join("\n")}

Load average (1 minute) when each size began: ${results.map((r) => `${r.rows.toLocaleString("en-US")} rows ${r.loadAverageBefore.toFixed(2)}`).join(", ")}. On these ${cores} cores anything
above ~1 means other work shared the machine and slowed the reference and sluice unequally:
compare ratios from quiet runs.

CPU time the host took for other guests (steal, /proc/stat) while each ran: ${results.map((r) => `${r.rows.toLocaleString("en-US")} rows: reference ${percent(r.steal.reference)}, sluice ${percent(r.steal.sluice)}, ${r.lanes.connections} lanes ${percent(r.steal.lanes)}`).join("; ")}.
Steal slows whichever process it lands on: a ratio whose two runs saw different steal is
off by about that difference, and a machine losing a large share to steal measures slower
than its cores are.

A run has a fixed cost the reference does not pay, about 0.4-0.6 s on this machine: Node
start-up and module loading, the connections, the 150 ms open-transaction read that caps
the ceiling (docs/cdc.md), manifests and the watermark commit, and the last part's upload
after extraction ends. It weighs ~15% on a 1M-row run and ~3% at 5M rows.

## The ceiling: CPU on a machine the source shares

The source server runs on the same ${cores} cores as the client, and serving rows costs it
CPU too. The reference already uses the whole machine: the stock client formatting
rows as text and the server sending them, each on a core. So no client can go faster
than the CPU it and the server need together, spread over every core:
(process CPU + server CPU) / ${cores}. That bound, divided into the reference's wall time,
is the best ratio sluice could reach here at its current CPU cost, however well it
used both cores:

| rows | reference s | its CPU s (client + server) | cores busy | sluice s | its CPU s (sluice + server) | least wall s | **ceiling** | measured ratio |
|---:|---:|---:|---:|---:|---:|---:|---:|---:|
${ceilings.join("\n")}

What keeps sluice above the reference's CPU: it parses every value (the reference only
copies text), encodes and compresses Parquet, and its keyset pages cost the server more
than one plain scan. Since ADR 0030 the reading thread no longer parses rows: it copies
row packets off the socket into 1 MiB buffers, and a worker thread, which receives each
buffer as one transfer, decodes, encodes and compresses them. A CPU profile of a 1M-row
run (\`--cpu-prof\` on both threads, 2026-12-06, on a host taking up to half of this
machine's CPU as steal) has the reading thread busy ~2.5 s (start-up and module loading,
the packet copies, uploads, GC) and the worker ~7.6 s: decoding ~1.3 s, the column
encoders ~3 s (date/time parsing ~0.9 s of it), ZSTD ~0.8 s, GC ~0.5 s. The worker is
now the longer thread; what would shorten it is encoding straight from the packed bytes
(text copied as it came, dates and decimals parsed from bytes), and, with more cores,
row groups split over two workers (docs/adr/0030-packed-rows-to-the-encoding-thread.md).

## Both cores: \`--snapshot-connections\`

The same first run again (a lake of its own, so an initial snapshot again) with
\`--snapshot-connections ${results[0]?.lanes.connections ?? 2}\`: the snapshot's primary-key range is cut into
4 ranges per connection, and each connection reads, encodes and compresses its ranges on
its own worker thread; the main thread uploads finished part files and commits
(docs/adr/0028-snapshot-key-ranges-on-worker-threads.md).

| rows | connections | one connection s | ratio | peak RSS MiB | ranges in parallel s | its CPU s (sluice + server) | ratio | peak RSS MiB | speed-up |
|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
${lanes.join("\n")}

On this machine the lanes compete with the server for the same two cores, and each
worker thread pays its own start-up and V8 heap (more CPU in garbage collection): the
speed-up is what is left of the CPU the single-threaded run leaves idle. With the
source on its own host, as in production, the server's CPU leaves the client's cores
and the lanes have them to themselves.

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
of 8 pairs). Page size (50k vs 200k vs 1M rows per query) changed the time by less than
the run-to-run noise.

## Memory

Memory is bounded by bytes, not rows (docs/adr/0017-perf-bytes-bounded-memory.md):
extraction batches of 2,000 rows or ~1 MiB of values, whichever comes first, two of
them buffered ahead before the socket is paused; Parquet row groups flushed at 64k rows,
32 MiB of page bytes or 4 MiB of compressed pages held, one filling while the one before
is written; pages of 1 MiB; upload parts of 5 MiB, one in flight, while the next part
file is encoded. The buffers that cycle (value and chunk sinks, upload parts, ZSTD
output) are reused or freed at once instead of waiting for V8's next full GC, and the
CLI runs V8 with a fixed old-generation growth factor (\`--heap-growing-percent=50\`,
with \`--max-semi-space-size=4\`, in its shebang), so garbage does not pile up between
full GCs, and glibc with two malloc arenas (\`MALLOC_ARENA_MAX=2\`, set by the shebang
too), so freed buffers are reused instead of being spread over one arena per thread. What a run holds at its peak, on the 20-column table: ~116 MiB before the
first row (Node's own ~50 MiB of code and data, ~30 MiB of V8 heap for the loaded
modules: AWS SDK, mysql2, pg, kysely), V8's heap growing to 50-60 MiB, ~25 MiB of
Parquet buffers (value sinks of up to a page per column, two compressed-chunk sinks per
column), a 5 MiB upload part while part N uploads and N+1 is encoded (a 1M-row run
has one part, so no overlap), and the allocator's slack. The Parquet buffers live on the
encoding worker (ADR 0030), whose own V8 heap (~30 MiB, semi-spaces of 4 MiB) and
per-thread state come on top. With \`--snapshot-connections N\`
each worker thread adds its own V8 heap, modules and Parquet buffers (~60 MiB each
here). Tables of large values and the breakdown of what remains are under
"Bytes-bounded memory" below (\`pnpm bench:wide\`).

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
