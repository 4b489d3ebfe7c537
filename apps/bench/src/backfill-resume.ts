import { mkdir, mkdtemp, rm, statfs, writeFile } from "node:fs/promises";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { GetObjectCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { DuckDBInstance } from "@duckdb/node-api";
import { createTestS3Client, startServices } from "@sluice/test-services";
import { benchConnection } from "./bench-connection.js";
import { measureProcess } from "./measure-process.js";
import { mariadbRangeChecksums, parquetRangeChecksums } from "./range-checksums.js";
import { seededRandom } from "./seeded-random.js";
import { shebangEnv, shebangNodeFlags } from "./shebang-node-flags.js";
import { fillWideTable, wideTableDdl } from "./wide-table.js";

/**
 * `pnpm bench:backfill`: a large table copied as a series of resumable runs that are
 * SIGKILLed at random (seeded) points, then checked value by value.
 *
 * Builds ROWS rows of the benchmark's 20-column table in a private MariaDB, then runs
 * `sluice sync --backup-only --json <ARGS>` (default `--max-duration 15s`) again and
 * again as its own process; before each run a seeded draw decides whether to SIGKILL
 * it and when. Each process's peak RSS is sampled. It stops when a run finishes with
 * the initial snapshot complete. Then: every Parquet part the committed run manifests
 * list is read by DuckDB and compared with MariaDB per range of ids (row count and
 * summed MD5 of every column's text, see range-checksums.ts); the staged rows must add
 * up to the table exactly. Last, a no-op incremental run on the full table is timed
 * against the CLI's start-up (`sluice --version`).
 *
 * BENCH_BACKFILL_ROWS (default 50,000,000, lowered with a message if the disk cannot
 * hold it), BENCH_BACKFILL_ARGS, BENCH_SEED (default 13), BENCH_KILL_CHANCE (0.5),
 * BENCH_KILL_WINDOW_S (max seconds into a run for a kill, default 20).
 * BENCH_BACKFILL_LOAD=1 also loads the lake into a private PostgreSQL
 * (`sync --redshift-only`, timed), times no-op `sync` runs with that target, and runs
 * `sync --verify-data` (source and target compared by key-range checksums).
 */
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const log = (line: string) => console.log(line);
const wanted = Number(process.env.BENCH_BACKFILL_ROWS ?? 50_000_000);
const runArgs = (process.env.BENCH_BACKFILL_ARGS ?? "--max-duration 15s").split(/\s+/).filter(Boolean);
const seed = Number(process.env.BENCH_SEED ?? 13);
const killChance = Number(process.env.BENCH_KILL_CHANCE ?? 0.5);
const killWindowMs = Number(process.env.BENCH_KILL_WINDOW_S ?? 20) * 1000;
const rangeRows = 1_000_000;
const withLoad = process.env.BENCH_BACKFILL_LOAD === "1";
/**
 * Disk per row, measured on this table: InnoDB data and the cursor index (~330 B),
 * the staged Parquet (~48 B) and the copy DuckDB reads (~48 B), with headroom.
 */
const diskBytesPerRow = 600;

const free = await statfs(tmpdir());
const freeBytes = free.bavail * free.bsize;
const rows = Math.min(wanted, Math.floor((freeBytes * 0.8) / diskBytesPerRow / 1_000_000) * 1_000_000);
if (rows < wanted) {
  log(
    `${(freeBytes / 2 ** 30).toFixed(0)} GiB free under ${tmpdir()}: ${wanted} rows need ~${((wanted * diskBytesPerRow) / 2 ** 30).toFixed(0)} GiB; running ${rows} rows`,
  );
}
if (rows <= 0) throw new Error(`not enough disk under ${tmpdir()} for the benchmark`);

interface RunRecord {
  readonly run: number;
  readonly seconds: number;
  readonly peakRssMiB: number;
  readonly killed: boolean;
  readonly killAfterS: number | null;
  readonly rows: number | null;
  readonly stoppedByBudget: boolean | null;
}

const random = seededRandom(seed);
const main = join(repoRoot, "apps/cli/dist/main.js");
const nodeFlags = await shebangNodeFlags(main);
const running = await startServices({ which: withLoad ? ["mysql", "s3", "postgres"] : ["mysql", "s3"] });
const work = await mkdtemp(join(tmpdir(), "sluice-bench-backfill-"));
const runs: RunRecord[] = [];
let summary: Record<string, unknown> = {};
try {
  const { my, s3, connection } = await benchConnection(running);
  log(
    `== backfill of ${rows} rows x 20 columns, sluice sync --backup-only ${runArgs.join(" ")}, seed ${seed}`,
  );
  const fillStarted = performance.now();
  // The fill is the benchmark's set-up, not a change to copy: kept out of the binlog.
  await connection.query(
    "SET SESSION sql_log_bin = 0; CREATE DATABASE IF NOT EXISTS bench; USE bench; DROP TABLE IF EXISTS wide20",
  );
  await connection.query(wideTableDdl);
  await fillWideTable(connection, rows, (line) => {
    if (/filled \d*000000 /.test(line)) log(line);
  });
  await connection.query("ANALYZE TABLE wide20");
  log(`  filled in ${((performance.now() - fillStarted) / 1000).toFixed(0)} s`);

  const prefix = `backfill-${Date.now()}`;
  const env = {
    ...process.env,
    ...(await shebangEnv(main)),
    SLUICE_SOURCE_URL: my.url.replace(/\/[^/]*$/, "/bench"),
    SLUICE_LAKE_URL: `s3://${s3.bucket}/${prefix}`,
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    AWS_REGION: s3.region,
    AWS_ACCESS_KEY_ID: s3.accessKeyId,
    AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
  };
  const sluice = (args: readonly string[], killAfterMs?: number) =>
    measureProcess(
      process.execPath,
      [...nodeFlags, main, "sync", "--json", "-t", "bench.wide20", ...args],
      env,
      false,
      killAfterMs === undefined ? {} : { killAfterMs },
    );
  const sync = (args: readonly string[], killAfterMs?: number) =>
    sluice(["--backup-only", ...args], killAfterMs);

  const backfillStarted = performance.now();
  for (let run = 1; ; run += 1) {
    if (run > 1_000) throw new Error("1,000 runs without finishing the backfill");
    const kill = random() < killChance ? Math.round(300 + random() * (killWindowMs - 300)) : undefined;
    const measured = await sync(runArgs, kill);
    const peakRssMiB = measured.peakRssBytes / 2 ** 20;
    if (measured.killed) {
      runs.push({
        run,
        seconds: measured.seconds,
        peakRssMiB,
        killed: true,
        killAfterS: (kill ?? 0) / 1000,
        rows: null,
        stoppedByBudget: null,
      });
      log(
        `  run ${run}: SIGKILL after ${measured.seconds.toFixed(1)} s, peak RSS ${peakRssMiB.toFixed(0)} MiB`,
      );
      continue;
    }
    if (measured.exitCode !== 0)
      throw new Error(`run ${run} failed (${measured.exitCode}): ${measured.stderr}`);
    const report = JSON.parse(measured.stdout) as {
      extract: {
        rows: number;
        phase: string;
        snapshot: { complete: boolean } | null;
        timeBudget?: { stopped: boolean };
      };
    };
    runs.push({
      run,
      seconds: measured.seconds,
      peakRssMiB,
      killed: false,
      killAfterS: null,
      rows: report.extract.rows,
      stoppedByBudget: report.extract.timeBudget?.stopped ?? null,
    });
    log(
      `  run ${run}: ${report.extract.rows} rows in ${measured.seconds.toFixed(1)} s, peak RSS ${peakRssMiB.toFixed(0)} MiB${report.extract.timeBudget?.stopped ? ", stopped by its budget" : ""}`,
    );
    if (report.extract.phase === "incremental" || report.extract.snapshot?.complete) break;
  }
  const backfillSeconds = (performance.now() - backfillStarted) / 1000;
  const finished = runs.filter((run) => !run.killed);
  const extractedRows = finished.reduce((sum, run) => sum + (run.rows ?? 0), 0);
  const finishedSeconds = finished.reduce((sum, run) => sum + run.seconds, 0);

  // What a load would take: every part of every run manifest left in the lake.
  const client = createTestS3Client(s3);
  const manifestKeys: string[] = [];
  let token: string | undefined;
  do {
    const listed = await client.send(
      new ListObjectsV2Command({
        Bucket: s3.bucket,
        Prefix: `${prefix}/bench.wide20/_manifests/`,
        ...(token ? { ContinuationToken: token } : {}),
      }),
    );
    for (const object of listed.Contents ?? [])
      if (object.Key?.endsWith(".json")) manifestKeys.push(object.Key);
    token = listed.IsTruncated ? listed.NextContinuationToken : undefined;
  } while (token);
  const paths: string[] = [];
  let stagedRows = 0;
  for (const key of manifestKeys) {
    const manifest = JSON.parse(await getText(client, s3.bucket, key)) as {
      rows: number;
      files: { key: string }[];
    };
    stagedRows += manifest.rows;
    for (const file of manifest.files) {
      const path = join(work, `part-${paths.length}.parquet`);
      const object = await client.send(
        new GetObjectCommand({ Bucket: s3.bucket, Key: `${prefix}/${file.key}` }),
      );
      if (!object.Body) throw new Error(`empty part ${file.key}`);
      await writeFile(path, await object.Body.transformToByteArray());
      paths.push(path);
    }
  }
  const verifyStarted = performance.now();
  const duck = await DuckDBInstance.create(":memory:");
  const db = await duck.connect();
  const [lakeRanges, sourceRanges] = await Promise.all([
    parquetRangeChecksums(db, paths, rangeRows),
    mariadbRangeChecksums(connection, "bench.wide20", rangeRows),
  ]);
  db.closeSync();
  const differing = sourceRanges.filter((range, index) => {
    const other = lakeRanges[index];
    return !other || other.range !== range.range || other.rows !== range.rows || other.sum !== range.sum;
  });
  const exact = differing.length === 0 && lakeRanges.length === sourceRanges.length && stagedRows === rows;
  log(
    `  verified in ${((performance.now() - verifyStarted) / 1000).toFixed(0)} s: ${manifestKeys.length} committed runs, ${paths.length} parts, ${stagedRows} staged rows; ${sourceRanges.length} id ranges of ${rangeRows}: ${exact ? "every range equal (count and checksum)" : `${differing.length} range(s) DIFFER`}`,
  );

  // A no-op incremental run on the whole table, against the CLI's own start-up.
  const startup: number[] = [];
  for (let i = 0; i < 3; i += 1) {
    const version = await measureProcess(process.execPath, [...nodeFlags, main, "--version"], env);
    startup.push(version.seconds);
  }
  const noop: { seconds: number; extractMs: number; rows: number }[] = [];
  for (let i = 0; i < 3; i += 1) {
    const measured = await sync([]);
    if (measured.exitCode !== 0) throw new Error(`no-op run failed: ${measured.stderr}`);
    const report = JSON.parse(measured.stdout) as { extract: { rows: number; durationMs: number } };
    noop.push({ seconds: measured.seconds, extractMs: report.extract.durationMs, rows: report.extract.rows });
  }
  const startupSeconds = Math.min(...startup);
  log(
    `  no-op incremental run on ${rows} rows: ${noop.map((n) => `${n.seconds.toFixed(2)} s (extract ${n.extractMs} ms, ${n.rows} rows)`).join(", ")}; start-up (sluice --version) ${startupSeconds.toFixed(2)} s`,
  );
  await connection.end();
  const load = withLoad ? await loadAndVerify(sluice, running.services.postgres?.url, rows) : null;

  const kills = runs.filter((run) => run.killed).length;
  const peak = Math.max(...runs.map((run) => run.peakRssMiB));
  const peakFinished = Math.max(...finished.map((run) => run.peakRssMiB));
  summary = {
    rows,
    args: runArgs,
    seed,
    killChance,
    runs: runs.length,
    kills,
    finishedRuns: finished.length,
    backfillSeconds,
    rowsPerSecondOverall: rows / backfillSeconds,
    rowsPerSecondOfFinishedRuns: extractedRows / finishedSeconds,
    extractedRows,
    stagedRows,
    committedRuns: manifestKeys.length,
    exact,
    differingRanges: differing.map((range) => range.range),
    maxPeakRssMiB: peak,
    maxPeakRssMiBFinishedRuns: peakFinished,
    noop,
    startupSeconds,
    ...(load ? { load } : {}),
  };
  log(
    `\n${rows} rows in ${backfillSeconds.toFixed(0)} s (${Math.round(rows / backfillSeconds)} rows/s overall, kills included; ${Math.round(extractedRows / finishedSeconds)} rows/s in the runs that finished), ${runs.length} runs, ${kills} SIGKILLs, max peak RSS ${peak.toFixed(0)} MiB; ${exact ? "exact" : "NOT EXACT"}`,
  );
  if (!exact) process.exitCode = 1;
} finally {
  await running.stop();
  await rm(work, { recursive: true, force: true });
}

const machine = `${cpus().length} cores (${cpus()[0]?.model ?? "?"}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.versions.node}, load average after ${loadavg()
  .map((value) => value.toFixed(2))
  .join(" ")}`;
await mkdir(join(repoRoot, "bench-results"), { recursive: true });
await writeFile(
  join(repoRoot, "bench-results/backfill.json"),
  `${JSON.stringify({ machine, at: new Date().toISOString(), ...summary, perRun: runs }, null, 2)}\n`,
);
log(`machine: ${machine}; figures in bench-results/backfill.json`);

/**
 * The lake into PostgreSQL, timed; then no-op `sync` runs with that target (the load
 * stage lists the staged runs and asks the ledger), and one `--verify-data` run.
 */
async function loadAndVerify(
  sluice: (args: readonly string[]) => ReturnType<typeof measureProcess>,
  target: string | undefined,
  rows: number,
) {
  if (!target) throw new Error("postgres did not start");
  const loaded = await sluice(["--redshift-only", "--target", target]);
  if (loaded.exitCode !== 0) throw new Error(`load failed: ${loaded.stderr}`);
  const report = JSON.parse(loaded.stdout) as {
    load: { rowsStaged: number; runsLoaded: number; durationMs: number };
  };
  if (report.load.rowsStaged !== rows)
    throw new Error(`loaded ${report.load.rowsStaged} rows, expected ${rows}`);
  log(
    `  sync --redshift-only: ${report.load.runsLoaded} runs, ${rows} rows in ${loaded.seconds.toFixed(0)} s (${Math.round(rows / loaded.seconds)} rows/s), peak RSS ${(loaded.peakRssBytes / 2 ** 20).toFixed(0)} MiB`,
  );
  const noop: { seconds: number; extractMs: number; loadMs: number }[] = [];
  for (let i = 0; i < 3; i += 1) {
    const measured = await sluice(["--target", target]);
    if (measured.exitCode !== 0) throw new Error(`no-op sync failed: ${measured.stderr}`);
    const run = JSON.parse(measured.stdout) as {
      extract: { rows: number; durationMs: number };
      load: { runsLoaded: number; durationMs: number };
    };
    if (run.extract.rows !== 0 || run.load.runsLoaded !== 0) throw new Error("the no-op sync moved rows");
    noop.push({ seconds: measured.seconds, extractMs: run.extract.durationMs, loadMs: run.load.durationMs });
  }
  log(
    `  no-op sync with the PostgreSQL target: ${noop.map((n) => `${n.seconds.toFixed(2)} s (extract ${n.extractMs} ms, load ${n.loadMs} ms)`).join(", ")}`,
  );
  const verified = await sluice(["--target", target, "--verify-data"]);
  const verification = (
    JSON.parse(verified.stdout) as {
      verification?: {
        sourceRows: number;
        targetRows: number;
        mismatches: unknown[];
        uncheckedColumns: string[];
      };
    }
  ).verification;
  log(
    `  sync --verify-data: exit ${verified.exitCode} in ${verified.seconds.toFixed(0)} s, source ${verification?.sourceRows} rows, target ${verification?.targetRows}, ${verification?.mismatches.length} differing ranges (by count only: ${verification?.uncheckedColumns.join(", ")})`,
  );
  if (verified.exitCode !== 0) process.exitCode = 1;
  return {
    seconds: loaded.seconds,
    rowsPerSecond: rows / loaded.seconds,
    loadStageMs: report.load.durationMs,
    peakRssMiB: loaded.peakRssBytes / 2 ** 20,
    noopSync: noop,
    verifySeconds: verified.seconds,
    verification,
  };
}

async function getText(client: ReturnType<typeof createTestS3Client>, bucket: string, key: string) {
  const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  if (!object.Body) throw new Error(`empty object ${key}`);
  return object.Body.transformToString();
}
