import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { advanceWatermark } from "@sluice/cdc-strategies";
import type { ExtractObserver, MysqlSource } from "@sluice/connectors";
import { openMysqlSource } from "@sluice/connectors";
import type {
  CursorPosition,
  ExtractPlan,
  Logger,
  RunManifest,
  SluiceError,
  SourceValue,
  StagedFile,
  TableSpec,
} from "@sluice/core";
import { configError, formatTableRef, noRetry, retryAsync, silentLogger } from "@sluice/core";
import type { ParquetPartSummary, ParquetPartWriter } from "@sluice/parquet-writer";
import {
  createParquetPartWriter,
  createThreadedParquetPartWriter,
  prewarmPartWorker,
  releaseSparePartWorker,
} from "@sluice/parquet-writer";
import { renderRedshiftManifest } from "@sluice/redshift-loader";
import type { WatermarkStore } from "@sluice/watermark-store";
import type { ResultAsync } from "neverthrow";
import { cleanUpAbandonedRun } from "./abandoned-run.js";
import { newRunId, partKey, redshiftManifestKey, runManifestKey } from "./lake-layout.js";
import { planExtraction } from "./plan-extraction.js";
import { type StageProgress, stageProgress } from "./progress-reporter.js";
import { runAsResult, step } from "./result-steps.js";
import type { RetryTally } from "./retry-tally.js";
import type { ExtractReport } from "./run-report.js";
import { type RunTimeBudget, startRunTimeBudget, timeBudgetNote } from "./run-time-budget.js";
import { createStagedValueTally, type StagedValueTally } from "./staged-value-tally.js";
import { defaultRowsPerFile, type SyncTableOptions } from "./sync-options.js";
import { applyTypePolicies, textLimitFor } from "./type-policies.js";

/**
 * A run's id and start time (the Hive partition of its parts), when the caller made
 * them first (syncTable names the lease holder after the run); else made here.
 */
export interface RunIdentity {
  readonly id: string;
  readonly startedAt: Date;
}

/**
 * MySQL -> Parquet parts -> lake -> run manifest -> watermark, in that order: the
 * watermark moves only after every part and the manifest that lists them are
 * durable, so a crash anywhere before leaves the previous watermark and the next run
 * re-extracts the same rows (orphan parts are never listed in a manifest, so never loaded).
 */
export function extractToLake(
  options: SyncTableOptions,
  watermarks: WatermarkStore,
  notes: string[],
  run?: RunIdentity,
  retries?: RetryTally,
): ResultAsync<ExtractReport, SluiceError> {
  const tableName = formatTableRef(options.table);
  const policy = options.retry ?? noRetry;
  // One run id for every attempt: a retry overwrites the parts of the failed one.
  const started = run?.startedAt ?? (options.clock ?? (() => new Date()))();
  const identity = run ?? {
    id: newRunId(started, Math.random().toString(36).slice(2, 6)),
    startedAt: started,
  };
  const progress = { committing: false };
  // Started before the first attempt: a retried attempt spends what is left of it.
  const budget = startRunTimeBudget(options.maxDurationMs, options.budgetClock);
  const attempt = (number: number) =>
    runAsResult(`extracting ${tableName}`, async () => {
      if (!options.source)
        throw configError(`${tableName}: no source given; pass --source mysql://user:pass@host:port/db`);
      if (number > 1 && !options.dryRun) {
        // Parts the failed attempt uploaded are listed by no manifest; remove them so
        // the lake holds only this attempt's parts under the run id.
        await step(cleanUpAbandonedRun(options.lake, options.table, identity.id, null, silentLogger));
      }
      const source = await step(openMysqlSource(options.source));
      try {
        return await extractWith(source, options, watermarks, notes, identity, progress, retries, budget);
      } finally {
        await source.close();
      }
    });
  // Once the manifests are being written, a repeat could stage the run twice (the
  // write may have landed): from there a failure ends the run and the next run's
  // abandoned-run check decides, as after a crash.
  return retryAsync(policy, attempt, {
    ...(retries?.hooksFor("extract") ?? {}),
    retryIf: () => !progress.committing,
  });
}

async function extractWith(
  source: MysqlSource,
  options: SyncTableOptions,
  watermarks: WatermarkStore,
  notes: string[],
  run: RunIdentity | undefined,
  progress: { committing: boolean },
  retries: RetryTally | undefined,
  budget: RunTimeBudget | null,
): Promise<ExtractReport> {
  const started = run?.startedAt ?? (options.clock ?? (() => new Date()))();
  const startedAt = performance.now();
  const elapsed = () => Math.round(performance.now() - startedAt);
  // The encoding worker starts while the run plans (its module loading overlaps the
  // metadata queries); one no part took is stopped when the run ends.
  if (!options.dryRun && (options.encodeThread ?? defaultEncodeThread) === "worker") prewarmPartWorker();
  try {
    return await extractPlanned(
      source,
      options,
      watermarks,
      notes,
      run,
      progress,
      retries,
      started,
      elapsed,
      budget,
    );
  } finally {
    await releaseSparePartWorker();
  }
}

async function extractPlanned(
  source: MysqlSource,
  options: SyncTableOptions,
  watermarks: WatermarkStore,
  notes: string[],
  run: RunIdentity | undefined,
  progress: { committing: boolean },
  retries: RetryTally | undefined,
  started: Date,
  elapsed: () => number,
  budget: RunTimeBudget | null,
): Promise<ExtractReport> {
  const logger = options.logger ?? silentLogger;
  const tableName = formatTableRef(options.table);
  const spec = applyTypePolicies(await step(source.describeTable(options.table)), options);
  const previous = await step(watermarks.read(options.table));
  const planned = await step(planExtraction(source, spec, previous, options, logger));
  const { strategy, plan } = planned;
  // A retried attempt plans again: say each warning once.
  notes.push(...planned.warnings.filter((warning) => !notes.includes(warning)));
  // Counted as the source reports them; the report says how many queries a run took.
  const counters = {
    queries: 0,
    nullCursorRows: null as number | null,
    exhausted: false,
    snapshotEnd: undefined as CursorPosition | null | undefined,
  };
  const observer: ExtractObserver = {
    query: () => {
      counters.queries += 1;
    },
    nullCursorRows: (count) => {
      counters.nullCursorRows = count;
    },
    exhausted: () => {
      counters.exhausted = true;
    },
    snapshotEnd: (position) => {
      counters.snapshotEnd = position;
    },
  };
  const base = {
    strategy: plan.strategy,
    cursorColumn: plan.cursorColumn,
    from: plan.after,
    ceiling: plan.ceiling,
    ceilingBoundBy: planned.ceiling?.boundBy ?? null,
    keyCeiling: plan.keyCeiling ?? null,
    writeMode: plan.writeMode ?? "merge",
    phase: plan.snapshot ? ("snapshot" as const) : ("incremental" as const),
    zeroDates: {},
  };
  if (options.dryRun) {
    const rows = await step(source.countRows(spec, plan));
    counters.queries += 1;
    notes.push(
      `plan: strategy ${plan.strategy}, cursor ${plan.cursorColumn ?? "(none)"}, ${plan.snapshot ? `initial snapshot in primary-key order after key ${describeKey(plan.snapshot.afterKey)}` : `after ${describePosition(plan.after)}`}, ceiling ${plan.ceiling ?? "(none)"}`,
      `would extract ${options.limit != null ? Math.min(rows, options.limit) : rows} of ${rows} pending rows into ${options.lake.uriFor(`${tableName}/`)}`,
    );
    return {
      ...base,
      runId: null,
      to: null,
      rows: 0,
      files: 0,
      bytes: 0,
      manifestKey: null,
      queries: counters.queries,
      nullCursorRows: counters.nullCursorRows,
      snapshot: null,
      durationMs: elapsed(),
    };
  }

  const runId = run?.id ?? newRunId(started, Math.random().toString(36).slice(2, 6));
  logger.info("extract started", {
    table: tableName,
    runId,
    strategy: plan.strategy,
    after: plan.after,
    ceiling: plan.ceiling,
  });
  const rowsRead = stageProgress(options, "extract");
  rowsRead.start(options.onProgress ? await estimateExtraction(source, spec, plan, options) : undefined);
  const workDir = await mkdtemp(join(options.tempDir ?? tmpdir(), "sluice-run-"));
  try {
    const staged = await writeParts(
      source,
      spec,
      plan,
      options,
      runId,
      started,
      workDir,
      logger,
      observer,
      retries,
      rowsRead,
      budget?.gateFor(plan),
    );
    rowsRead.finish(staged.rows);
    if (plan.nullCursor === "skip" && counters.nullCursorRows) {
      notes.push(
        `${counters.nullCursorRows} row(s) have NULL ${plan.cursorColumn} and are not copied (--null-cursor skip); set ${plan.cursorColumn} on them, or run with --null-cursor oldest`,
      );
    }
    const next = advanceWatermark(strategy, {
      plan,
      spec,
      lastRow: staged.lastRow,
      rows: staged.rows,
      complete: counters.exhausted,
      ...(counters.snapshotEnd !== undefined ? { snapshotEnd: counters.snapshotEnd } : {}),
    });
    const snapshotReport = plan.snapshot
      ? {
          ceiling: plan.ceiling ?? "",
          afterKey: next.snapshot?.afterKey ?? null,
          complete: next.snapshot === null,
        }
      : null;
    const timeBudget = budget?.report();
    const budgetNote = timeBudgetNote(timeBudget, snapshotReport?.complete ?? counters.exhausted);
    if (budgetNote) notes.push(budgetNote);
    if (snapshotReport?.complete) {
      notes.push(
        `initial snapshot complete: every row with ${plan.cursorColumn} below ${plan.ceiling} is extracted; the next run continues after ${describePosition(next.position)} in (${plan.cursorColumn}, key) order`,
      );
    }
    // A run that moved no rows: no run id, no files, the position it ends on.
    const emptyRun = (to: typeof plan.after) => ({
      ...base,
      runId: null,
      to,
      rows: 0,
      files: 0,
      bytes: 0,
      manifestKey: null,
      queries: counters.queries,
      nullCursorRows: counters.nullCursorRows,
      snapshot: snapshotReport,
      ...(timeBudget ? { timeBudget } : {}),
      durationMs: elapsed(),
    });
    // A snapshot in progress that this run found complete without new rows (the rows
    // left after the last run's key moved above the ceiling or were deleted) still
    // hands over to the incremental phase, without a manifest: otherwise every later
    // run would read the empty tail again.
    if (staged.rows === 0 && plan.writeMode !== "replace" && snapshotReport?.complete && previous?.extract) {
      await step(
        watermarks.recordExtract(
          options.table,
          previous.revision,
          {
            strategy: plan.strategy,
            cursorColumn: plan.cursorColumn,
            position: next.position,
            phase: "incremental",
            ceiling: plan.ceiling,
            lastRunId: previous.extract.lastRunId,
            manifestKey: previous.extract.manifestKey,
            rowsTotal: previous.extract.rowsTotal,
            updatedAt: new Date().toISOString(),
          },
          runId,
          0,
        ),
      );
      return emptyRun(next.position);
    }
    // An empty snapshot still replaces the target (the table was emptied); otherwise
    // an empty run changes nothing and leaves no trace.
    if (staged.rows === 0 && plan.writeMode !== "replace") {
      // Say where the run stopped looking: rows stamped at or after the ceiling (the
      // current second, or a late-commit guard) are real but wait for the next run.
      const upTo = plan.ceiling === null ? "" : ` before the ceiling ${plan.ceiling}`;
      notes.push(
        `nothing new in ${tableName} after ${describePosition(plan.after)}${upTo}; watermark unchanged`,
      );
      return emptyRun(plan.after);
    }
    const manifest: RunManifest = {
      version: 1,
      table: tableName,
      runId,
      createdAt: new Date().toISOString(),
      strategy: plan.strategy,
      columns: spec.columns,
      primaryKey: spec.primaryKey,
      cursorColumn: plan.cursorColumn,
      writeMode: plan.writeMode ?? "merge",
      files: staged.files,
      rows: staged.rows,
      columnStats: staged.columnStats,
      // What `sluice runs drop` restores to withdraw this run (docs/adr/0023-nul-unloadable-values.md).
      startedFrom: { watermarkRevision: previous?.revision ?? null, extract: previous?.extract ?? null },
    };
    const manifestKey = runManifestKey(options.table, runId);
    // The Redshift manifest first, the sluice manifest last: the loader only sees a
    // run once its sluice manifest exists, and by then everything it names is durable.
    progress.committing = true;
    await step(
      options.lake.put(redshiftManifestKey(options.table, runId), renderRedshiftManifest(staged.files)),
    );
    await step(
      options.lake.put(manifestKey, `${JSON.stringify(manifest, null, 2)}\n`, {
        contentType: "application/json",
      }),
    );
    await options.faultHook?.("manifest-written");
    const to = next.position;
    await withdrawOnConflict(
      options,
      [manifestKey, redshiftManifestKey(options.table, runId)],
      watermarks.recordExtract(
        options.table,
        previous?.revision ?? null,
        {
          strategy: plan.strategy,
          cursorColumn: plan.cursorColumn,
          position: to,
          // Snapshot runs record their phase (snapshot, or incremental once complete);
          // incremental runs leave it out (absent means incremental).
          ...(next.snapshot ? { phase: "snapshot" as const, snapshot: next.snapshot } : {}),
          ...(plan.snapshot && !next.snapshot ? { phase: "incremental" as const } : {}),
          ceiling: plan.ceiling,
          lastRunId: runId,
          manifestKey,
          rowsTotal: (previous?.extract?.rowsTotal ?? 0) + staged.rows,
          updatedAt: new Date().toISOString(),
        },
        runId,
        staged.rows,
      ),
    );
    await options.faultHook?.("extract-committed");
    logger.info("extract committed", {
      table: tableName,
      runId,
      rows: staged.rows,
      files: staged.files.length,
      to,
    });
    return {
      ...base,
      runId,
      to,
      rows: staged.rows,
      stagedRows: staged.files.reduce((sum, file) => sum + file.rows, 0),
      files: staged.files.length,
      bytes: staged.files.reduce((sum, file) => sum + file.sizeBytes, 0),
      manifestKey,
      queries: counters.queries,
      nullCursorRows: counters.nullCursorRows,
      snapshot: snapshotReport,
      zeroDates: staged.zeroDates,
      zeroDateSamples: staged.zeroDateSamples,
      truncatedValues: staged.truncatedValues,
      nulTextValues: staged.nulTextValues,
      ...(timeBudget ? { timeBudget } : {}),
      durationMs: elapsed(),
    };
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

/**
 * Rows per batch handed from the MySQL stream to the encoder. The source buffers up
 * to three batches before pausing the socket; small batches keep those rows (JS
 * strings, the bulk of the heap) few, at no measurable cost in throughput.
 */
const extractBatchRows = 2_000;
/**
 * ...and at most this many approximate value bytes, so a table of multi-megabyte
 * LONGTEXT/BLOB rows holds a few batches of a few MiB, not 2,000 rows of them
 * (docs/adr/0024-perf-bytes-bounded-memory.md). A narrow row (~200 bytes) never
 * reaches it: 2,000 of them are ~0.4 MiB.
 */
const extractBatchBytes = 4 * 1024 * 1024;
/**
 * In line by default: the worker path copies every batch (structured clone), which
 * measured ~2.3 s more CPU per 1M rows than it moves off this thread, so it is slower
 * end to end on two cores (docs/adr/0024-perf-bytes-bounded-memory.md).
 */
const defaultEncodeThread: "main" | "worker" = "main";

interface StagedParts extends StagedValueTally {
  readonly files: StagedFile[];
  readonly rows: number;
  /** Last row of the ordered pass (rows of a `nullCursor: "oldest"` NULL pass come first and are not it). */
  readonly lastRow: readonly SourceValue[] | null;
}

/**
 * Streams rows into Parquet parts of `rowsPerFile` rows. While part N uploads, part
 * N+1 is being written: at most one upload is in flight, so temp disk holds two parts.
 */
async function writeParts(
  source: MysqlSource,
  spec: TableSpec,
  plan: ExtractPlan,
  options: SyncTableOptions,
  runId: string,
  started: Date,
  workDir: string,
  logger: Logger,
  observer: ExtractObserver,
  retries: RetryTally | undefined,
  progress: StageProgress,
  stopAtPageBoundary: (() => boolean) | undefined,
): Promise<StagedParts> {
  const tableName = formatTableRef(options.table);
  const rowsPerFile = options.rowsPerFile ?? defaultRowsPerFile;
  const encodeThread = options.encodeThread ?? defaultEncodeThread;
  const files: StagedFile[] = [];
  const textLimit = textLimitFor(options);
  const values = createStagedValueTally(tableName, logger, textLimit?.maxBytes, options.nulInText ?? "fail");
  let writer: ParquetPartWriter | null = null;
  let batchIndex = 0;
  let rows = 0;
  let lastRow: readonly SourceValue[] | null = null;
  let upload: Promise<void> = Promise.resolve();
  const nullPassCursor =
    plan.nullCursor === "oldest" && plan.cursorColumn !== null
      ? spec.columns.findIndex((column) => column.name === plan.cursorColumn)
      : -1;

  const startPart = (): ParquetPartWriter => {
    batchIndex += 1;
    const create = encodeThread === "worker" ? createThreadedParquetPartWriter : createParquetPartWriter;
    return create({
      table: tableName,
      columns: spec.columns,
      path: join(workDir, `part-${batchIndex}.parquet`),
      keyColumns: spec.primaryKey,
      invalidDates: options.invalidDates ?? "null",
      nulInText: options.nulInText ?? "fail",
      ...(textLimit ? { textLimit } : {}),
      ...(options.compression ? { compression: options.compression } : {}),
    });
  };
  const finishPart = async (part: ParquetPartWriter, index: number): Promise<void> => {
    const summary: ParquetPartSummary = await part.finish();
    await options.faultHook?.("part-written");
    values.add(summary);
    await upload;
    const key = partKey(options.table, started, runId, index);
    upload = (async () => {
      const stored = await step(options.lake.putFile(key, summary.path));
      await options.faultHook?.("part-uploaded");
      files.push({ key, uri: options.lake.uriFor(key), sizeBytes: stored.sizeBytes, rows: summary.rows });
      await rm(summary.path, { force: true });
      logger.debug("part staged", { table: tableName, key, rows: summary.rows, bytes: stored.sizeBytes });
    })();
    // Surface an upload failure at the next await instead of as an unhandled rejection.
    upload.catch(() => {});
  };

  try {
    const reading = {
      logger,
      observer,
      batchRows: extractBatchRows,
      batchBytes: extractBatchBytes,
      ...(options.retry ? { retry: options.retry } : {}),
      ...(retries ? { retryHooks: retries.hooksFor("extract") } : {}),
      ...(stopAtPageBoundary ? { stopAtPageBoundary } : {}),
    };
    for await (const batch of source.extract(spec, plan, reading)) {
      if (batch.rows.length === 0) continue;
      writer ??= startPart();
      await writer.write(batch);
      rows += batch.rows.length;
      progress.advance(rows);
      const last = batch.rows[batch.rows.length - 1];
      if (last && (nullPassCursor < 0 || last[nullPassCursor] !== null)) lastRow = last;
      if (writer.rows >= rowsPerFile) {
        const full = writer;
        writer = null;
        await finishPart(full, batchIndex);
      }
    }
    if (writer) {
      const last = writer;
      writer = null;
      await finishPart(last, batchIndex);
    }
    await upload;
  } catch (thrown) {
    await writer?.abort();
    await upload.catch(() => {});
    throw thrown;
  }
  return { files, rows, lastRow, ...values.tally };
}

/**
 * What a progress display shows as the total, capped by `--limit`: a run from the
 * table's beginning (a first snapshot, or a first keyset pass) takes InnoDB's table row
 * estimate (`TABLE_ROWS`; the optimizer's range guess over a whole-table condition can be
 * off by half); any other run the optimizer's estimate of the rows after its position.
 * Only a display's guess: when it cannot be had the display shows rows without a
 * total, and the run goes on.
 */
async function estimateExtraction(
  source: MysqlSource,
  spec: TableSpec,
  plan: ExtractPlan,
  options: SyncTableOptions,
): Promise<number | undefined> {
  const fromTheStart = plan.snapshot ? plan.snapshot.afterKey === null : plan.after === null;
  const estimate = fromTheStart
    ? await source.estimateRows(spec.ref)
    : await source.estimatePendingRows(spec, plan);
  if (estimate.isErr()) return undefined;
  return options.limit != null ? Math.min(estimate.value, options.limit) : estimate.value;
}

function describePosition(position: ExtractPlan["after"]): string {
  if (!position) return "the beginning";
  return `(${[position.cursorValue, ...position.keyValues].filter((value) => value !== null).join(", ")})`;
}

/**
 * A commit refused with `conflict` (this run lost its lease, or the watermark moved)
 * wrote nothing: the run's manifests are withdrawn so no loader takes rows the
 * watermark does not cover (the run that took over may already have cleaned up the
 * parts). Other failures leave them: the write may have landed, and the next run's
 * abandoned-run check decides.
 */
async function withdrawOnConflict(
  options: SyncTableOptions,
  manifestKeys: readonly string[],
  commit: ResultAsync<unknown, SluiceError>,
): Promise<void> {
  const outcome = await commit;
  if (outcome.isOk()) return;
  if (outcome.error.kind === "conflict") await options.lake.delete(manifestKeys);
  throw outcome.error;
}

function describeKey(key: readonly string[] | null): string {
  return key === null ? "(the first)" : `(${key.join(", ")})`;
}
