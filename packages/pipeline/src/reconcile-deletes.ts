import type { ExtractedThrough, SluiceError } from "@sluice/core";
import { configError, formatTableRef, silentLogger } from "@sluice/core";
import type { WatermarkDocument, WatermarkStore } from "@sluice/watermark-store";
import { err, ok, type ResultAsync } from "neverthrow";
import { compareKeys } from "./key-reconciliation.js";
import type { ReconcileReport } from "./reconcile-report.js";
import { runSteps } from "./result-steps.js";
import type { SyncTableOptions } from "./sync-options.js";
import { applyTypePolicies } from "./type-policies.js";

/** Deletes applied by one reconciliation at most, unless `reconcileMaxDeletes` says otherwise. */
export const defaultReconcileMaxDeletes = 1_000_000;

/** Strategies whose watermark position is (cursor, key prefix) in extraction order. */
const positionStrategies = new Set(["hybrid", "timestamp", "id"]);

/**
 * Finds rows deleted in MySQL by primary-key reconciliation with the target
 * (key-reconciliation.ts) and applies them: `_sluice_deleted_at` set (soft, the
 * default) or DELETE (hard), with a ledger row, in one warehouse transaction; then
 * records the time in the watermark document. Source rows at or below the watermark
 * that the target lacks are reported in the notes, never fixed here. Runs only
 * when every staged run is loaded (a later load of an older run would otherwise
 * bring a deleted row back). `reconcileId` names the reconciliation in the ledger.
 */
export function reconcileDeletes(
  options: SyncTableOptions,
  watermarks: WatermarkStore,
  notes: string[],
  reconcileId: string,
): ResultAsync<ReconcileReport, SluiceError> {
  const tableName = formatTableRef(options.table);
  return runSteps(`reconciling deletes of ${tableName}`, async function* () {
    const started = performance.now();
    const mode = options.deleteMode ?? "soft";
    const queries = { source: 0, target: 0 };
    const report = (fields: Partial<ReconcileReport>): ReconcileReport => ({
      mode,
      target: null,
      skipped: null,
      rangesCompared: 0,
      rangesDrilled: 0,
      leafRanges: 0,
      keysListed: 0,
      keysDeleted: 0,
      keysMissing: 0,
      missingSample: [],
      keysPending: 0,
      queries,
      alreadyApplied: false,
      durationMs: Math.round(performance.now() - started),
      ...fields,
    });
    if (!options.source || !options.warehouse) {
      return err(configError(`${tableName}: reconciling deletes needs both --source and --target`));
    }
    if (options.warehouse.writeMode === "append") {
      return err(
        configError(
          `${tableName}: delete reconciliation compares one row per key, but an append table keeps every version of a key; reconcile a merge table, or leave deletes to its latest view`,
        ),
      );
    }
    const previous = yield* watermarks.read(options.table);
    const skip =
      options.warehouse.writeMode === "replace"
        ? "the table is written in replace mode: each run replaces the target, so deletes already show"
        : skipReason(previous, tableName);
    if (skip) {
      notes.push(`deletes not reconciled: ${skip}`);
      return ok(report({ skipped: skip }));
    }
    const source = options.source;
    const spec = yield* applyTypePolicies(yield* source.describeTable(options.table), options);
    const keys = yield* source.keyDigests(spec, {
      extractedThrough: extractedThrough(previous, spec.primaryKey),
      onQuery: () => {
        queries.source += 1;
      },
    });
    const warehouse = options.warehouse;
    const target = yield* warehouse.connection.openKeyReconciler({
      spec,
      mode,
      logger: options.logger ?? silentLogger,
      onQuery: () => {
        queries.target += 1;
      },
      ...(warehouse.targetSchema ? { targetSchema: warehouse.targetSchema } : {}),
      ...(warehouse.targetName ? { targetName: warehouse.targetName } : {}),
    });
    try {
      if (!target.exists) {
        const why = `target ${target.target} does not exist yet (nothing loaded)`;
        notes.push(`deletes not reconciled: ${why}`);
        return ok(report({ target: target.target, skipped: why }));
      }
      const maxDeletes = options.reconcileMaxDeletes ?? defaultReconcileMaxDeletes;
      const compared = yield* compareKeys(keys, target, {
        maxDeletes,
        tooManyDeletes: (found) =>
          configError(
            `${tableName}: reconciliation found at least ${found} row(s) in ${target.target} that MySQL no longer has, more than the limit of ${maxDeletes}; nothing was deleted. Check that --source points at the right database; if the deletes are real, raise --reconcile-max-deletes or reload the table (sluice watermark reset -t ${tableName}, then sync)`,
          ),
      });
      const applied = yield* target.applyDeletes({
        reconcileId,
        keys: compared.deletes,
        keysMissing: compared.missing.length,
        at: (options.clock ?? (() => new Date()))(),
      });
      const at = (options.clock ?? (() => new Date()))().toISOString();
      const current = yield* watermarks.read(options.table);
      yield* watermarks.recordReconcile(options.table, current?.revision ?? null, {
        reconciledAt: at,
        runId: reconcileId,
        mode,
        keysDeleted: compared.deletes.length,
        keysMissing: compared.missing.length,
      });
      const verb = mode === "soft" ? "flagged deleted (_sluice_deleted_at)" : "deleted";
      notes.push(
        `deletes reconciled in ${target.target}: ${applied.skipped ? "already applied by this run" : `${applied.rows} row(s) ${verb}`}; ${compared.rangesCompared} range(s) compared, ${compared.rangesDrilled} drilled, ${queries.source + queries.target} queries`,
      );
      if (compared.missing.length > 0) {
        const sample = compared.missing.slice(0, 3).map((key) => `(${key.join(", ")})`);
        notes.push(
          `${compared.missing.length} row(s) of ${tableName} at or below the watermark are in MySQL but not in ${target.target} (first: ${sample.join(", ")}); they were not copied and reconciliation does not copy them: reload the table with \`sluice watermark reset -t ${tableName}\` and a sync, or re-sync those rows by touching their ${previous?.extract?.cursorColumn ?? "cursor column"}`,
        );
      }
      return ok(
        report({
          target: target.target,
          rangesCompared: compared.rangesCompared,
          rangesDrilled: compared.rangesDrilled,
          leafRanges: compared.leafRanges,
          keysListed: compared.keysListed,
          keysDeleted: applied.skipped ? 0 : applied.rows,
          keysMissing: compared.missing.length,
          missingSample: compared.missing.slice(0, 10),
          keysPending: compared.pending,
          alreadyApplied: applied.skipped,
        }),
      );
    } finally {
      await target.close();
    }
  });
}

/** Why a table cannot be reconciled now, or null. */
function skipReason(previous: WatermarkDocument | null, table: string): string | null {
  const extract = previous?.extract;
  if (!extract) return `${table} has not been extracted yet`;
  if (extract.strategy === "full")
    return "full snapshots replace the target every run, so deletes already show";
  if (!previous?.load) return `nothing of ${table} has been loaded yet`;
  if (extract.lastRunId !== "" && previous.load.lastRunId !== extract.lastRunId) {
    return `run ${extract.lastRunId} is staged in the lake but not loaded (the warehouse has ${previous.load.lastRunId}); a later load of it could bring deleted rows back, so load it first (sluice sync --redshift-only -t ${table})`;
  }
  return null;
}

/**
 * The watermark position as columns and values, for marking source keys extracted
 * (their rows must be in the target). Only for the built-in position strategies;
 * null otherwise (missing rows are then not judged).
 */
function extractedThrough(
  previous: WatermarkDocument | null,
  primaryKey: readonly string[],
): ExtractedThrough | null {
  const extract = previous?.extract;
  const position = extract?.position;
  if (!extract || !position || !positionStrategies.has(extract.strategy)) return null;
  const columns: string[] = [];
  const values: string[] = [];
  if (extract.cursorColumn !== null) {
    // Inside the legacy NULL-cursor group: nothing can be judged safely.
    if (position.cursorValue === null) return null;
    columns.push(extract.cursorColumn);
    values.push(position.cursorValue);
  }
  if (position.keyValues.length > primaryKey.length) return null;
  position.keyValues.forEach((value, index) => {
    columns.push(primaryKey[index] as string);
    values.push(value);
  });
  return columns.length === 0 ? null : { columns, values };
}
