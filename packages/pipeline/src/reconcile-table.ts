import type { SluiceError } from "@sluice/core";
import { configError, formatTableRef } from "@sluice/core";
import { createWatermarkStore, type WatermarkStore } from "@sluice/watermark-store";
import { errAsync, ok, okAsync, type ResultAsync } from "neverthrow";
import type { RunIdentity } from "./extract-to-lake.js";
import { newRunId } from "./lake-layout.js";
import { isReconcileDue } from "./reconcile-cadence.js";
import { reconcileDeletes } from "./reconcile-deletes.js";
import type { ReconcileReport } from "./reconcile-report.js";
import { runSteps } from "./result-steps.js";
import type { SyncTableOptions } from "./sync-options.js";
import { holdingTableLease } from "./table-lease.js";

/**
 * The reconciliation step of a sync run: after the load, when the run moved both
 * stages (mode `sync`, not a dry run) and the table's cadence makes it due.
 * Returns null when it does not run.
 */
export function reconcileIfDue(
  options: SyncTableOptions,
  watermarks: WatermarkStore,
  notes: string[],
  run: RunIdentity | undefined,
): ResultAsync<ReconcileReport | null, SluiceError> {
  const cadence = options.reconcileDeletes ?? "off";
  if (cadence === "off" || options.mode !== "sync") return okAsync(null);
  if (options.dryRun || !run) {
    notes.push("a real run would reconcile deletes when due (--reconcile-deletes)");
    return okAsync(null);
  }
  const now = (options.clock ?? (() => new Date()))();
  return watermarks
    .read(options.table)
    .andThen((document) =>
      isReconcileDue(cadence, document?.reconcile, now)
        ? reconcileDeletes(options, watermarks, notes, run.id)
        : okAsync(null),
    );
}

/**
 * `sluice reconcile -t T`: one delete reconciliation now, whatever the cadence, under
 * the table's lease (no sync of the same table runs meanwhile). Needs the source and
 * the target; extracts and loads nothing.
 */
export function reconcileTable(
  options: SyncTableOptions,
): ResultAsync<{ readonly report: ReconcileReport; readonly notes: readonly string[] }, SluiceError> {
  const tableName = formatTableRef(options.table);
  if (!options.source || !options.warehouse) {
    return errAsync(
      configError(
        `${tableName}: reconcile needs --source (SLUICE_SOURCE_URL) and --target (SLUICE_TARGET_URL)`,
      ),
    );
  }
  return runSteps(`reconciling ${tableName}`, async function* () {
    const notes: string[] = [];
    yield* options.lake.checkAccess();
    const startedAt = (options.clock ?? (() => new Date()))();
    const id = newRunId(startedAt, Math.random().toString(36).slice(2, 6));
    const report = yield* holdingTableLease(
      options,
      id,
      createWatermarkStore(options.lake),
      notes,
      (fenced) => reconcileDeletes(options, fenced, notes, id),
    );
    return ok({ report, notes });
  });
}
