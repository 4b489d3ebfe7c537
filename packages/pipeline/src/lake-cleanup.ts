import type { LedgerRun, Logger, ObjectStore, SluiceError, TableRef } from "@sluice/core";
import { configError, formatTableRef, silentLogger } from "@sluice/core";
import { createWatermarkStore } from "@sluice/watermark-store";
import { type Err, err, ok, okAsync, type ResultAsync } from "neverthrow";
import { type CleanupFilter, type CleanupPlan, planCleanup } from "./lake-cleanup-plan.js";
import { newRunId, runManifestKey } from "./lake-layout.js";
import { type TableUsage, tableUsage } from "./lake-usage.js";
import { openTableSession } from "./open-table-loader.js";
import { runSteps } from "./result-steps.js";
import { parseRunManifest } from "./run-manifest-schema.js";
import type { WarehouseTarget } from "./sync-options.js";
import { holdingTableLease } from "./table-lease.js";

export interface LakeTableOptions {
  readonly lake: ObjectStore;
  readonly table: TableRef;
  /** The warehouse whose ledger says which runs are loaded; without it, no run is known to be. */
  readonly warehouse?: WarehouseTarget;
  readonly logger?: Logger;
}

export interface LakeCleanupOptions extends LakeTableOptions {
  readonly filter: CleanupFilter;
  /** Delete runs the ledger does not hold (their rows are lost to the warehouse). */
  readonly force?: boolean;
  /** Plan only: the plan is exactly what the same clean would delete. */
  readonly dryRun?: boolean;
  /** Keys per delete request; default (and S3's maximum) 1,000. */
  readonly batchSize?: number;
  /** Called after each delete request. */
  readonly onBatch?: (progress: { readonly deleted: number; readonly total: number }) => void;
  readonly leaseTimeoutMs?: number;
  readonly clock?: () => Date;
}

export interface CleanupOutcome extends CleanupPlan {
  readonly dryRun: boolean;
  /** Objects deleted (0 on a dry run). */
  readonly deleted: number;
  /** Delete requests sent. */
  readonly batches: number;
  /** Set on a dry run that the real clean would refuse (unloaded runs without `force`). */
  readonly refusal: string | null;
  readonly notes: readonly string[];
}

/** Reads the ledger's loaded runs of the table; `undefined` without a warehouse. */
export function ledgerOf(
  options: LakeTableOptions,
): ResultAsync<ReadonlyMap<string, LedgerRun> | undefined, SluiceError> {
  const warehouse = options.warehouse;
  if (!warehouse) return okAsync(undefined);
  const tableName = formatTableRef(options.table);
  return runSteps(`reading the load ledger of ${tableName}`, async function* () {
    const session = yield* openTableSession(warehouse, tableName);
    try {
      return ok(yield* session.loadedRuns(tableName));
    } finally {
      await session.close();
    }
  });
}

/** Objects, bytes and runs of one table's folder, with the ledger's view when a warehouse is given. */
export function surveyLakeTable(options: LakeTableOptions): ResultAsync<TableUsage, SluiceError> {
  return runSteps(`surveying ${formatTableRef(options.table)} in the lake`, async function* () {
    const objects = yield* options.lake.list(`${formatTableRef(options.table)}/`);
    return ok(tableUsage(options.table, objects, yield* ledgerOf(options)));
  });
}

async function* unloadedRows(
  options: LakeTableOptions,
  plan: CleanupPlan,
): AsyncGenerator<Err<never, SluiceError>, number> {
  let rows = 0;
  for (const runId of plan.unloadedRuns) {
    const key = runManifestKey(options.table, runId);
    const body = yield* options.lake.get(key);
    if (!body) continue;
    rows += (yield* parseRunManifest(key, new TextDecoder().decode(body))).rows;
  }
  return rows;
}

function refusalOf(options: LakeCleanupOptions, plan: CleanupPlan): string | null {
  if (options.force || plan.unloadedRuns.length === 0) return null;
  const why = plan.ledgerChecked
    ? "the warehouse ledger has not loaded them"
    : "no --target was given, so nothing says they were loaded (a backup-only lake)";
  return `${plan.table}: ${plan.unloadedRuns.length} run(s) selected for cleaning hold ${plan.unloadedRows} row(s) that ${why}: ${plan.unloadedRuns.slice(0, 5).join(", ")}${plan.unloadedRuns.length > 5 ? ", ..." : ""}; load them first (sync --redshift-only${plan.ledgerChecked ? "" : " with --target"}), narrow the selection, or pass --force to delete them and lose those rows`;
}

/**
 * Prunes staged runs of one table (`sluice s3clean clean`). Safe by construction:
 * - only run files (parts, run and COPY manifests) are deleted, never `_state/`,
 *   `_markers/` or objects sluice did not write;
 * - runs are deleted whole; the watermark's last run and newer ones are kept;
 * - a run the ledger has not loaded is deleted only with `force` (the outcome says
 *   how many rows that loses); without a warehouse no run counts as loaded;
 * - it holds the table's lease, so no sync loads a run while it goes;
 * - every run manifest goes first, in its own requests, then COPY manifests and
 *   parts: a crash leaves each run either whole and listed, or unlisted with
 *   leftover files that the next clean removes (orphans). Loaders and
 *   `watermark get --show-files` only see listed runs, so they stay true throughout.
 */
export function cleanLakeTable(options: LakeCleanupOptions): ResultAsync<CleanupOutcome, SluiceError> {
  const tableName = formatTableRef(options.table);
  return runSteps<CleanupOutcome>(`cleaning ${tableName} in the lake`, async function* () {
    const watermarks = createWatermarkStore(options.lake);
    const plan = async function* (): AsyncGenerator<Err<never, SluiceError>, CleanupPlan> {
      const usage = yield* surveyLakeTable(options);
      const document = yield* watermarks.read(options.table);
      const chosen = planCleanup(usage, document, options.filter);
      return { ...chosen, unloadedRows: yield* unloadedRows(options, chosen) };
    };
    const notes: string[] = [];
    if (options.dryRun) {
      const planned = yield* plan();
      return ok({
        ...planned,
        dryRun: true,
        deleted: 0,
        batches: 0,
        refusal: refusalOf(options, planned),
        notes,
      });
    }
    const clock = options.clock ?? (() => new Date());
    const runId = newRunId(clock(), "s3clean");
    const leaseOptions = {
      table: options.table,
      mode: "backup-only" as const,
      lake: options.lake,
      logger: options.logger ?? silentLogger,
      ...(options.leaseTimeoutMs ? { leaseTimeoutMs: options.leaseTimeoutMs } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
    };
    const clean = () =>
      runSteps<CleanupOutcome>(`cleaning ${tableName} in the lake`, async function* () {
        // Planned under the lease: no run can be loading or committing meanwhile.
        const planned = yield* plan();
        const refusal = refusalOf(options, planned);
        if (refusal) return err(configError(refusal));
        const size = Math.min(options.batchSize ?? 1000, 1000);
        const total = planned.keys.runManifests.length + planned.keys.rest.length;
        let deleted = 0;
        let batches = 0;
        for (const keys of [planned.keys.runManifests, planned.keys.rest]) {
          for (let start = 0; start < keys.length; start += size) {
            const batch = keys.slice(start, start + size);
            yield* options.lake.delete(batch);
            deleted += batch.length;
            batches += 1;
            options.onBatch?.({ deleted, total });
          }
        }
        (options.logger ?? silentLogger).info("lake cleaned", {
          table: tableName,
          runs: planned.runs.length,
          deleted,
        });
        return ok({ ...planned, dryRun: false, deleted, batches, refusal: null, notes });
      });
    return ok(yield* holdingTableLease(leaseOptions, runId, watermarks, notes, clean));
  });
}
