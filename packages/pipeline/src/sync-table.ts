import type { SluiceError } from "@sluice/core";
import { configError, formatTableRef, invalidRetryPolicy, silentLogger } from "@sluice/core";
import { createWatermarkStore, type WatermarkStore } from "@sluice/watermark-store";
import { err, errAsync, ok, type ResultAsync } from "neverthrow";
import { extractToLake, type RunIdentity } from "./extract-to-lake.js";
import { finishRun } from "./finish-run.js";
import { newRunId } from "./lake-layout.js";
import { loadFromLake } from "./load-from-lake.js";
import { runWithMarkers } from "./marked-run.js";
import { tableRequest } from "./open-table-loader.js";
import { reconcileIfDue } from "./reconcile-table.js";
import { runSteps } from "./result-steps.js";
import { createRetryTally } from "./retry-tally.js";
import { incompleteRun } from "./run-failure.js";
import type { ExtractReport, LoadSummary, RunReport } from "./run-report.js";
import { stageCounts } from "./stage-counts.js";
import type { SyncTableOptions } from "./sync-options.js";
import { holdingTableLease } from "./table-lease.js";

/**
 * One table, one run: extract what changed into the lake (unless `redshift-only`),
 * then load every staged run the warehouse lacks (unless `backup-only`). Loading
 * works from the lake alone, so a failed load is retried by the next run (or by
 * `--redshift-only`) without touching MySQL again. The whole run (not a dry run)
 * holds the table's lease, so a concurrent run on the same table is refused with
 * kind `conflict` naming the holder.
 */
export function syncTable(options: SyncTableOptions): ResultAsync<RunReport, SluiceError> {
  const tableName = formatTableRef(options.table);
  const invalid = validate(options);
  if (invalid) return errAsync(invalid);
  return runSteps(`syncing ${tableName}`, async function* () {
    const notes: string[] = [];
    const watermarks = createWatermarkStore(options.lake);
    const retries = createRetryTally(
      tableName,
      options.logger ?? silentLogger,
      () => options.lake.retries?.() ?? 0,
      options.retryTiming,
    );
    const stages = (store: WatermarkStore, run?: RunIdentity): ResultAsync<RunReport, SluiceError> =>
      runSteps(`syncing ${tableName}`, async function* () {
        let extract: ExtractReport | null = null;
        let load: LoadSummary | null = null;
        if (options.mode !== "redshift-only")
          extract = yield* extractToLake(options, store, notes, run, retries);
        if (options.mode !== "backup-only") {
          const loaded = await loadFromLake(options, store, notes, retries);
          // Rows were extracted but the load failed: say so with the counts of what did happen.
          if (loaded.isErr() && extract && extract.rows > 0) {
            const report = {
              table: tableName,
              dryRun: false,
              extract,
              load: null,
              notes,
              retries: retries.counts(),
            };
            return err(
              incompleteRun(
                { ...report, counts: stageCounts(extract, null) },
                loaded.error.message,
                loaded.error,
              ),
            );
          }
          if (loaded.isErr()) return err(loaded.error);
          load = loaded.value;
        }
        const reconcile = yield* reconcileIfDue(options, store, notes, run);
        return ok(
          yield* finishRun(options, store, {
            table: tableName,
            dryRun: options.dryRun ?? false,
            extract,
            load,
            notes,
            retries: retries.counts(),
            ...(reconcile ? { reconcile } : {}),
          }),
        );
      });
    // A dry run writes nothing, so it takes no lease (and is not refused by one).
    if (options.dryRun) return ok(yield* stages(watermarks));
    yield* options.lake.checkAccess();
    const startedAt = (options.clock ?? (() => new Date()))();
    const run = { id: newRunId(startedAt, Math.random().toString(36).slice(2, 6)), startedAt };
    // Markers are written last and inside the lease (marked-run.ts).
    return ok(
      yield* holdingTableLease(options, run.id, watermarks, notes, (fenced) =>
        runWithMarkers(options, run, () => stages(fenced, run)),
      ),
    );
  });
}

function validate(options: SyncTableOptions): SluiceError | null {
  const tableName = formatTableRef(options.table);
  if (options.mode !== "redshift-only" && !options.source) {
    return configError(
      `${tableName}: no source; pass --source mysql://user:pass@host:port/db or set SLUICE_SOURCE_URL`,
    );
  }
  if (options.mode !== "backup-only" && !options.warehouse) {
    return configError(
      `${tableName}: no target; pass --target postgres://... or redshift://... (SLUICE_TARGET_URL), or use --backup-only`,
    );
  }
  if (options.limit != null && (!Number.isInteger(options.limit) || options.limit <= 0)) {
    return configError(`${tableName}: --limit must be a positive whole number of rows, got ${options.limit}`);
  }
  const warehouse = options.warehouse;
  if (warehouse) {
    // Names and settings the operator gave are checked before the source is touched;
    // columns named by DDL options are checked by the loader once the run's columns are known.
    const checked = warehouse.connection.checkTable(tableRequest(warehouse, tableName));
    if (checked.isErr()) return checked.error;
  }
  if (options.verifyData && warehouse?.writeMode === "append") {
    return configError(
      `${tableName}: --verify-data compares one row per key, but an append table keeps every version; verify a merge table, or compare its latest view by hand`,
    );
  }
  if (options.reconcileDeletes && options.reconcileDeletes !== "off" && warehouse?.writeMode === "append") {
    return configError(
      `${tableName}: --reconcile-deletes compares one row per key, but an append table keeps every version of a key; reconcile a merge table, or leave deletes to its latest view`,
    );
  }
  if (
    options.reconcileMaxDeletes !== undefined &&
    !(Number.isInteger(options.reconcileMaxDeletes) && options.reconcileMaxDeletes >= 0)
  ) {
    return configError(
      `${tableName}: --reconcile-max-deletes must be a whole number >= 0, got ${options.reconcileMaxDeletes}`,
    );
  }
  if (options.loadSince && options.mode === "backup-only") {
    return configError(
      `${tableName}: --since chooses which staged runs to load and cannot be combined with --backup-only`,
    );
  }
  if (options.loadSince && Number.isNaN(options.loadSince.getTime())) {
    return configError(`${tableName}: --since is not a valid time`);
  }
  const retryProblem = options.retry ? invalidRetryPolicy(options.retry) : null;
  if (retryProblem) return configError(`${tableName}: ${retryProblem}`);
  if (
    options.maxDurationMs != null &&
    !(Number.isFinite(options.maxDurationMs) && options.maxDurationMs > 0)
  ) {
    return configError(
      `${tableName}: --max-duration must be a positive time budget (milliseconds here), got ${options.maxDurationMs}`,
    );
  }
  if (options.maxDurationMs != null && options.mode === "redshift-only") {
    return configError(
      `${tableName}: --max-duration bounds extraction and cannot be combined with --redshift-only`,
    );
  }
  if (options.limit != null && options.mode === "redshift-only") {
    return configError(
      `${tableName}: --limit applies to extraction and cannot be combined with --redshift-only`,
    );
  }
  return null;
}
