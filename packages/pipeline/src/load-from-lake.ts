import type { LedgerRun, RunManifest, SluiceError } from "@sluice/core";
import { configError, formatTableRef, noRetry, retryAsync, silentLogger } from "@sluice/core";
import type { WatermarkStore } from "@sluice/watermark-store";
import { type Err, err, ok, type ResultAsync } from "neverthrow";
import { runStartOf } from "./abandoned-run.js";
import { manifestPrefix, redshiftManifestKey, runManifestKey } from "./lake-layout.js";
import { selectRunsToLoad } from "./load-order.js";
import { openTableSession } from "./open-table-loader.js";
import { stageProgress } from "./progress-reporter.js";
import { runSteps } from "./result-steps.js";
import type { RetryTally } from "./retry-tally.js";
import { parseRunManifest } from "./run-manifest-schema.js";
import type { LoadSummary } from "./run-report.js";
import type { SyncTableOptions } from "./sync-options.js";

/**
 * Loads every run manifest of the table that the warehouse ledger has not seen, oldest
 * first (later runs carry later versions of rows). The ledger is written in the same
 * transaction as the rows, so the warehouse itself knows what it holds: a crash
 * between load and the watermark mirror below only makes the next run skip work.
 */
export function loadFromLake(
  options: SyncTableOptions,
  watermarks: WatermarkStore,
  notes: string[],
  retries?: RetryTally,
): ResultAsync<LoadSummary, SluiceError> {
  const started = performance.now();
  // Kept across attempts: runs an earlier attempt committed stay counted as loaded.
  const done: LoadProgress = {
    runsLoaded: 0,
    rowsStaged: 0,
    rowsInserted: 0,
    rowsDeleted: 0,
    rowsExpected: 0,
    runIds: [],
    loadedHere: new Set(),
    skippedHere: 0,
    target: null,
  };
  // Each attempt opens a new session, reads the ledger and loads what it lacks: a run
  // whose connection dropped was rolled back (one transaction), and a run whose
  // COMMIT landed is in the ledger, so a repeat loads every run exactly once.
  return retryAsync(
    options.retry ?? noRetry,
    () => loadAttempt(options, watermarks, notes, done, started),
    retries?.hooksFor("load") ?? {},
  );
}

/** What the load did so far, over all its attempts. */
interface LoadProgress {
  runsLoaded: number;
  rowsStaged: number;
  rowsInserted: number;
  rowsDeleted: number;
  rowsExpected: number;
  runIds: string[];
  /** Runs committed by this load (not already in the ledger when it started). */
  loadedHere: Set<string>;
  /** Runs the loader found in the ledger this attempt (another loader won the race). */
  skippedHere: number;
  target: string | null;
}

function loadAttempt(
  options: SyncTableOptions,
  watermarks: WatermarkStore,
  notes: string[],
  done: LoadProgress,
  started: number,
): ResultAsync<LoadSummary, SluiceError> {
  const tableName = formatTableRef(options.table);
  return runSteps(`loading ${tableName}`, async function* () {
    const logger = options.logger ?? silentLogger;
    const warehouse = options.warehouse;
    if (!warehouse) {
      return err(
        configError(`${tableName}: no target given; pass --target postgres://... or redshift://...`),
      );
    }
    const manifestKeys = (yield* options.lake.list(manifestPrefix(options.table)))
      .map((object) => object.key)
      .filter((key) => key.endsWith(".json"))
      .sort();
    const loader = yield* openTableSession(warehouse, tableName, {
      logger,
      ...(options.tempDir ? { tempDir: options.tempDir } : {}),
      ...(options.faultHook ? { faultHook: options.faultHook } : {}),
    });
    try {
      const loaded = yield* loader.loadedRuns(tableName);
      if (!options.dryRun) {
        yield* catchUpLoadMirror(options, watermarks, loaded, manifestKeys.map(runIdOfManifestKey), notes);
      }
      const pending: RunManifest[] = [];
      for (const key of manifestKeys) {
        // Runs the ledger holds are not even read: a table with years of runs stays quick.
        if (loaded.has(runIdOfManifestKey(key))) continue;
        const body = yield* options.lake.get(key);
        if (!body) continue;
        const parsed = parseRunManifest(key, new TextDecoder().decode(body));
        if (parsed.isErr()) return err(parsed.error);
        if (!loaded.has(parsed.value.runId)) pending.push(parsed.value);
      }
      const held = yield* selectRunsToLoad(
        tableName,
        pending,
        loaded,
        options.loadSince ?? null,
        notes,
        options.dryRun ?? false,
      );
      pending.splice(0, pending.length, ...held);
      // Runs --since leaves in the lake are neither loaded nor skipped.
      const heldBack = leftBefore(pending, manifestKeys, loaded);
      const summary = done;
      done.skippedHere = 0;
      const runsSkipped = () =>
        manifestKeys.length - pending.length - heldBack - done.loadedHere.size + done.skippedHere;
      const result = () => ({
        runsLoaded: done.runsLoaded,
        runsSkipped: runsSkipped(),
        rowsStaged: done.rowsStaged,
        rowsInserted: done.rowsInserted,
        rowsDeleted: done.rowsDeleted,
        target: done.target,
        runIds: [...done.runIds],
        rowsExpected: done.rowsExpected,
        durationMs: Math.round(performance.now() - started),
      });
      if (options.dryRun) {
        const rows = pending.reduce((sum, manifest) => sum + manifest.rows, 0);
        notes.push(
          pending.length === 0
            ? `warehouse is up to date with the lake for ${tableName}`
            : `would load ${pending.length} run(s), ${rows} row(s): ${pending.map((m) => m.runId).join(", ")}`,
        );
        return ok(result());
      }
      if (pending.length === 0 && done.loadedHere.size === 0)
        notes.push(`warehouse already holds every staged run of ${tableName}`);
      const progress = stageProgress(options, "load");
      progress.start(pending.reduce((sum, manifest) => sum + manifest.rows, 0));
      let rowsLoaded = 0;
      for (const manifest of pending) {
        const report = yield* loader.loadRun(
          manifest,
          options.lake.uriFor(redshiftManifestKey(options.table, manifest.runId)),
        );
        summary.target = report.target;
        if (report.skipped) {
          summary.skippedHere += 1;
          if (!summary.runIds.includes(manifest.runId)) summary.runIds.push(manifest.runId);
          continue;
        }
        summary.loadedHere.add(manifest.runId);
        summary.runsLoaded += 1;
        summary.runIds.push(manifest.runId);
        summary.rowsExpected += manifest.rows;
        for (const change of report.schemaChanges ?? [])
          notes.push(`${report.target}: ${change} (run ${manifest.runId})`);
        summary.rowsStaged += report.rowsStaged;
        summary.rowsInserted += report.rowsInserted;
        summary.rowsDeleted += report.rowsDeleted;
        await options.faultHook?.("load-committed");
        const current = yield* watermarks.read(options.table);
        yield* watermarks.recordLoad(options.table, current?.revision ?? null, {
          lastRunId: manifest.runId,
          manifestKey: runManifestKey(options.table, manifest.runId),
          loadedAt: new Date().toISOString(),
          rowsLastRun: report.rowsStaged,
          rowsTotal: (current?.load?.rowsTotal ?? 0) + report.rowsStaged,
        });
        logger.info("run loaded", {
          table: tableName,
          runId: manifest.runId,
          target: report.target,
          rows: report.rowsStaged,
        });
        rowsLoaded += manifest.rows;
        progress.advance(rowsLoaded);
      }
      progress.finish(rowsLoaded);
      return ok(result());
    } finally {
      await loader.close();
    }
  });
}

/** Runs neither loaded nor about to be (left out by `loadSince`): not counted as skipped. */
function leftBefore(
  pending: readonly RunManifest[],
  manifestKeys: readonly string[],
  loaded: ReadonlyMap<string, LedgerRun>,
): number {
  const taken = new Set(pending.map((manifest) => manifest.runId));
  return manifestKeys.map(runIdOfManifestKey).filter((id) => !loaded.has(id) && !taken.has(id)).length;
}

function runIdOfManifestKey(key: string): string {
  return (key.split("/").pop() ?? "").replace(/\.json$/, "");
}

/**
 * The watermark's load state mirrors the ledger; a run killed between the load's
 * COMMIT and the mirror update leaves the mirror behind. Runs of this lake that the
 * ledger holds but the mirror has not seen (newer than its last run, and after the
 * last reset) are added to it, so the watermark again shows what landed.
 */
async function* catchUpLoadMirror(
  options: SyncTableOptions,
  watermarks: WatermarkStore,
  ledger: ReadonlyMap<string, LedgerRun>,
  lakeRunIds: readonly string[],
  notes: string[],
): AsyncGenerator<Err<never, SluiceError>, void> {
  const current = yield* watermarks.read(options.table);
  const mirrored = current?.load?.lastRunId ?? "";
  const reset =
    current?.load == null && current?.lastOverride?.event === "reset" ? current.lastOverride.at : null;
  const missed = lakeRunIds
    .filter((runId) => ledger.has(runId) && runId > mirrored)
    .filter((runId) => reset === null || (runStartOf(runId)?.toISOString() ?? "") > reset)
    .sort();
  const last = missed.at(-1);
  if (last === undefined) return;
  const rows = missed.reduce((sum, runId) => sum + (ledger.get(runId)?.rows ?? 0), 0);
  yield* watermarks.recordLoad(options.table, current?.revision ?? null, {
    lastRunId: last,
    manifestKey: runManifestKey(options.table, last),
    loadedAt: ledger.get(last)?.loadedAt ?? new Date().toISOString(),
    rowsLastRun: rows,
    rowsTotal: (current?.load?.rowsTotal ?? 0) + rows,
  });
  notes.push(
    `watermark load state caught up with the warehouse ledger: ${missed.join(", ")} (${rows} rows) had been committed by a run that stopped before recording it`,
  );
}
