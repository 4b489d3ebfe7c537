import type { WatermarkAdvance } from "@sluice/cdc-strategies";
import type { CursorPosition, ExtractPlan, RunManifest, SluiceError, TableSpec } from "@sluice/core";
import { formatTableRef } from "@sluice/core";
import { renderRedshiftManifest } from "@sluice/redshift-loader";
import type { WatermarkDocument, WatermarkStore } from "@sluice/watermark-store";
import { type Err, err, type ResultAsync } from "neverthrow";
import { redshiftManifestKey, runManifestKey } from "./lake-layout.js";
import type { StagedParts } from "./stage-parts.js";
import type { SyncTableOptions } from "./sync-options.js";

/** What a commit needs: the plan it ran, what it staged, and the watermark it started from. */
export interface ExtractCommit {
  readonly options: SyncTableOptions;
  readonly watermarks: WatermarkStore;
  readonly spec: TableSpec;
  readonly plan: ExtractPlan;
  readonly previous: WatermarkDocument | null;
  readonly runId: string;
  readonly next: WatermarkAdvance;
}

/**
 * A snapshot in progress that this run found complete without new rows (the rows left
 * after the last run's key moved above the ceiling or were deleted) still hands over
 * to the incremental phase, without a manifest: otherwise every later run would read
 * the empty tail again.
 */
export async function* commitSnapshotHandover(
  commit: ExtractCommit,
): AsyncGenerator<Err<never, SluiceError>, void> {
  const { options, plan, previous, next } = commit;
  const extract = previous?.extract;
  if (!previous || !extract) return;
  yield* commit.watermarks.recordExtract(
    options.table,
    previous.revision,
    {
      strategy: plan.strategy,
      cursorColumn: plan.cursorColumn,
      position: next.position,
      phase: "incremental",
      ceiling: plan.ceiling,
      lastRunId: extract.lastRunId,
      manifestKey: extract.manifestKey,
      rowsTotal: extract.rowsTotal,
      updatedAt: new Date().toISOString(),
    },
    commit.runId,
    0,
  );
}

/**
 * Commits a staged run: the Redshift manifest, then the sluice manifest, then the
 * watermark. The loader only sees a run once its sluice manifest exists, and by then
 * everything it names is durable; the watermark moves only after both. `onCommitting`
 * is called before the first write: from there a repeat could stage the run twice.
 */
export async function* commitStagedRun(
  commit: ExtractCommit,
  staged: StagedParts,
  onCommitting: () => void,
): AsyncGenerator<
  Err<never, SluiceError>,
  { readonly manifestKey: string; readonly to: CursorPosition | null }
> {
  const { options, plan, previous, runId, next } = commit;
  const manifest: RunManifest = {
    version: 1,
    table: formatTableRef(options.table),
    runId,
    createdAt: new Date().toISOString(),
    strategy: plan.strategy,
    columns: commit.spec.columns,
    primaryKey: commit.spec.primaryKey,
    cursorColumn: plan.cursorColumn,
    writeMode: plan.writeMode ?? "merge",
    files: staged.files,
    rows: staged.rows,
    columnStats: staged.columnStats,
    // What `sluice runs drop` restores to withdraw this run (docs/adr/0016-nul-unloadable-values.md).
    startedFrom: { watermarkRevision: previous?.revision ?? null, extract: previous?.extract ?? null },
  };
  const manifestKey = runManifestKey(options.table, runId);
  const copyManifestKey = redshiftManifestKey(options.table, runId);
  onCommitting();
  yield* options.lake.put(copyManifestKey, renderRedshiftManifest(staged.files));
  yield* options.lake.put(manifestKey, `${JSON.stringify(manifest, null, 2)}\n`, {
    contentType: "application/json",
  });
  await options.faultHook?.("manifest-written");
  const to = next.position;
  yield* withdrawOnConflict(
    options,
    [manifestKey, copyManifestKey],
    commit.watermarks.recordExtract(
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
  return { manifestKey, to };
}

/**
 * A commit refused with `conflict` (this run lost its lease, or the watermark moved)
 * wrote nothing: the run's manifests are withdrawn so no loader takes rows the
 * watermark does not cover (the run that took over may already have cleaned up the
 * parts). Other failures leave them: the write may have landed, and the next run's
 * abandoned-run check decides.
 */
async function* withdrawOnConflict(
  options: SyncTableOptions,
  manifestKeys: readonly string[],
  commit: ResultAsync<unknown, SluiceError>,
): AsyncGenerator<Err<never, SluiceError>, void> {
  const outcome = await commit;
  if (outcome.isOk()) return;
  if (outcome.error.kind === "conflict") await options.lake.delete(manifestKeys);
  return yield* err(outcome.error);
}
