import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { advanceWatermark } from "@sluice/cdc-strategies";
import type { ExtractPlan, SluiceError, Source, TableSpec } from "@sluice/core";
import { configError, formatTableRef, noRetry, retryAsync, silentLogger } from "@sluice/core";
import { prewarmPartWorker, releaseSparePartWorker } from "@sluice/parquet-writer";
import type { WatermarkDocument, WatermarkStore } from "@sluice/watermark-store";
import { type Err, err, ok, type ResultAsync } from "neverthrow";
import { cleanUpAbandonedRun } from "./abandoned-run.js";
import { commitSnapshotHandover, commitStagedRun } from "./commit-extract.js";
import { createExtractCounters, type ExtractCounters } from "./extract-counters.js";
import {
  describePlan,
  describePosition,
  type ExtractReportBase,
  reportBase,
  reportStagedRun,
  reportWithoutRows,
} from "./extract-report.js";
import { newRunId } from "./lake-layout.js";
import { type PlannedRun, planExtraction } from "./plan-extraction.js";
import { stageProgress } from "./progress-reporter.js";
import { runSteps } from "./result-steps.js";
import type { RetryTally } from "./retry-tally.js";
import type { ExtractReport } from "./run-report.js";
import { type RunTimeBudget, startRunTimeBudget, timeBudgetNote } from "./run-time-budget.js";
import { snapshotSplit } from "./snapshot-range-cut.js";
import { encodeThreadFor, estimateExtraction, type StagedParts, stageParts } from "./stage-parts.js";
import { laneCount, type StagedRanges, stageSnapshotRanges } from "./stage-snapshot-ranges.js";
import type { SyncTableOptions } from "./sync-options.js";
import { applyTypePolicies } from "./type-policies.js";

/**
 * A run's id and start time (the Hive partition of its parts), when the caller made
 * them first (syncTable names the lease holder after the run); else made here.
 */
export interface RunIdentity {
  readonly id: string;
  readonly startedAt: Date;
}

/**
 * Source -> Parquet parts -> lake -> run manifest -> watermark, in that order: the
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
    runSteps(`extracting ${tableName}`, async function* () {
      if (!options.source)
        return err(
          configError(`${tableName}: no source given; pass --source mysql://user:pass@host:port/db`),
        );
      if (number > 1 && !options.dryRun) {
        // Parts the failed attempt uploaded are listed by no manifest; remove them so
        // the lake holds only this attempt's parts under the run id.
        yield* cleanUpAbandonedRun(options.lake, options.table, identity.id, null, silentLogger);
      }
      return ok(
        yield* extractWith(options.source, options, watermarks, notes, identity, progress, retries, budget),
      );
    });
  // Once the manifests are being written, a repeat could stage the run twice (the
  // write may have landed): from there a failure ends the run and the next run's
  // abandoned-run check decides, as after a crash.
  return retryAsync(policy, attempt, {
    ...(retries?.hooksFor("extract") ?? {}),
    retryIf: () => !progress.committing,
  });
}

/**
 * One attempt: plan, then (unless a dry run) stage the rows as parts, commit manifests
 * and watermark, and report. The encoding worker, when asked for, starts while the run
 * plans (its module loading overlaps the metadata queries); one no part took is
 * stopped when the attempt ends.
 */
async function* extractWith(
  source: Source,
  options: SyncTableOptions,
  watermarks: WatermarkStore,
  notes: string[],
  run: RunIdentity,
  progress: { committing: boolean },
  retries: RetryTally | undefined,
  budget: RunTimeBudget | null,
): AsyncGenerator<Err<never, SluiceError>, ExtractReport> {
  const startedAt = performance.now();
  const elapsed = () => Math.round(performance.now() - startedAt);
  if (!options.dryRun && encodeThreadFor(source, options) === "worker") prewarmPartWorker();
  try {
    const planned = yield* planRun(source, options, watermarks, notes);
    const { counters, observer } = createExtractCounters();
    if (options.dryRun) return yield* reportDryRun(source, options, planned, counters, notes, elapsed);
    const logger = options.logger ?? silentLogger;
    const { plan } = planned.planned;
    logger.info("extract started", {
      table: formatTableRef(options.table),
      runId: run.id,
      strategy: plan.strategy,
      after: plan.after,
      ceiling: plan.ceiling,
    });
    const rowsRead = stageProgress(options, "extract");
    rowsRead.start(
      options.onProgress ? await estimateExtraction(source, planned.spec, plan, options) : undefined,
    );
    const split = yield* snapshotSplit(source, planned.spec, plan, laneCount(options));
    if (split?.note && !notes.includes(split.note)) notes.push(split.note);
    const ranges = split && split.ranges.length > 0 ? split.ranges : null;
    if (ranges) yield* refuseRowCaps(options, plan, ranges.length);
    const workDir = await mkdtemp(join(options.tempDir ?? tmpdir(), "sluice-run-"));
    try {
      const staged: StagedParts | StagedRanges = ranges
        ? await stageSnapshotRanges(
            source,
            planned.spec,
            plan,
            ranges,
            options,
            { id: run.id, startedAt: run.startedAt, workDir },
            logger,
            observer,
            rowsRead,
            budget?.gateFor(plan),
          )
        : await stageParts(
            source,
            planned.spec,
            plan,
            options,
            run.id,
            run.startedAt,
            workDir,
            logger,
            observer,
            retries,
            rowsRead,
            budget?.gateFor(plan),
          );
      rowsRead.finish(staged.rows);
      const report = yield* commitAndReport(
        options,
        watermarks,
        notes,
        run,
        planned,
        staged,
        counters,
        progress,
        elapsed,
        budget,
      );
      const timeBudget = budget?.report();
      return timeBudget ? { ...report, timeBudget } : report;
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
  } finally {
    await releaseSparePartWorker();
  }
}

/**
 * `--limit` and `--max-chunks` cut a run at a row or page of one ordered pass; a
 * snapshot read in ranges has no such single order (the ranges advance side by side),
 * so they are refused before anything is read. `--max-duration` cuts such runs.
 */
async function* refuseRowCaps(
  options: SyncTableOptions,
  plan: ExtractPlan,
  ranges: number,
): AsyncGenerator<Err<never, SluiceError>, void> {
  const cap = plan.limit !== null ? "--limit" : plan.maxChunks != null ? "--max-chunks" : null;
  if (cap === null) return;
  const tableName = formatTableRef(options.table);
  yield* err(
    configError(
      `${tableName}: the initial snapshot is read in ${ranges} key ranges (--snapshot-connections, or a run that started so), which ${cap} cannot cut in one order; cut runs by time with --max-duration instead (e.g. --max-duration 15m), or drop ${cap}`,
    ),
  );
}

/** The plan step: the table as the source describes it, the stored watermark, and the strategy's plan. */
interface RunPlan {
  readonly spec: TableSpec;
  readonly previous: WatermarkDocument | null;
  readonly planned: PlannedRun;
  readonly base: ExtractReportBase;
}

async function* planRun(
  source: Source,
  options: SyncTableOptions,
  watermarks: WatermarkStore,
  notes: string[],
): AsyncGenerator<Err<never, SluiceError>, RunPlan> {
  const logger = options.logger ?? silentLogger;
  const spec = yield* applyTypePolicies(yield* source.describeTable(options.table), options);
  const previous = yield* watermarks.read(options.table);
  const planned = yield* planExtraction(source, spec, previous, options, logger);
  // A retried attempt plans again: say each warning once.
  notes.push(...planned.warnings.filter((warning) => !notes.includes(warning)));
  return { spec, previous, planned, base: reportBase(planned.plan, planned.ceiling?.boundBy ?? null) };
}

async function* reportDryRun(
  source: Source,
  options: SyncTableOptions,
  planned: RunPlan,
  counters: ExtractCounters,
  notes: string[],
  elapsed: () => number,
): AsyncGenerator<Err<never, SluiceError>, ExtractReport> {
  const { plan } = planned.planned;
  const rows = yield* source.countRows(planned.spec, plan);
  counters.queries += 1;
  const tableName = formatTableRef(options.table);
  notes.push(
    describePlan(plan),
    `would extract ${options.limit != null ? Math.min(rows, options.limit) : rows} of ${rows} pending rows into ${options.lake.uriFor(`${tableName}/`)}`,
  );
  return reportWithoutRows(planned.base, counters, null, null, elapsed());
}

/**
 * The commit and report steps: where the watermark goes after the staged rows, then
 * either nothing to commit (an empty run leaves no trace; an empty snapshot tail hands
 * over to the incremental phase) or manifests and watermark, in that order.
 */
async function* commitAndReport(
  options: SyncTableOptions,
  watermarks: WatermarkStore,
  notes: string[],
  run: RunIdentity,
  planned: RunPlan,
  staged: StagedParts | StagedRanges,
  counters: ExtractCounters,
  progress: { committing: boolean },
  elapsed: () => number,
  budget: RunTimeBudget | null,
): AsyncGenerator<Err<never, SluiceError>, ExtractReport> {
  const logger = options.logger ?? silentLogger;
  const tableName = formatTableRef(options.table);
  const { spec, previous, base } = planned;
  const { strategy, plan } = planned.planned;
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
    ...("ranges" in staged ? { ranges: staged.ranges } : {}),
  });
  const snapshot = plan.snapshot
    ? {
        ceiling: plan.ceiling ?? "",
        afterKey: next.snapshot?.afterKey ?? null,
        complete: next.snapshot === null,
      }
    : null;
  const budgetNote = timeBudgetNote(budget?.report(), snapshot?.complete ?? counters.exhausted);
  if (budgetNote) notes.push(budgetNote);
  if (snapshot?.complete) {
    notes.push(
      `initial snapshot complete: every row with ${plan.cursorColumn} below ${plan.ceiling} is extracted; the next run continues after ${describePosition(next.position)} in (${plan.cursorColumn}, key) order`,
    );
  }
  const commit = { options, watermarks, spec, plan, previous, runId: run.id, next };
  if (staged.rows === 0 && plan.writeMode !== "replace" && snapshot?.complete && previous?.extract) {
    yield* commitSnapshotHandover(commit);
    return reportWithoutRows(base, counters, next.position, snapshot, elapsed());
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
    return reportWithoutRows(base, counters, plan.after, snapshot, elapsed());
  }
  const committed = yield* commitStagedRun(commit, staged, () => {
    progress.committing = true;
  });
  logger.info("extract committed", {
    table: tableName,
    runId: run.id,
    rows: staged.rows,
    files: staged.files.length,
    to: committed.to,
  });
  return reportStagedRun(base, counters, { runId: run.id, ...committed }, staged, snapshot, elapsed());
}
