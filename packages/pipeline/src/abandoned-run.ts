import type { Logger, ObjectStore, SluiceError, TableRef } from "@sluice/core";
import { formatTableRef } from "@sluice/core";
import type { WatermarkDocument } from "@sluice/watermark-store";
import { okAsync, type ResultAsync } from "neverthrow";
import { partKey, redshiftManifestKey, runManifestKey } from "./lake-layout.js";

/** What cleaning up after a dead run removed from the lake. */
export interface AbandonedRunCleanup {
  readonly runId: string;
  /** True when its extraction had committed: its files are real and stay for loading. */
  readonly committed: boolean;
  readonly manifestsRemoved: number;
  readonly partsRemoved: number;
}

/** The run's start time, which its id begins with (`20261125T091530123Z-k3j9`). */
export function runStartOf(runId: string): Date | null {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z/.exec(runId);
  if (!match) return null;
  const [, year, month, day, hour, minute, second, ms] = match;
  const at = new Date(`${year}-${month}-${day}T${hour}:${minute}:${second}.${ms}Z`);
  return Number.isNaN(at.getTime()) ? null : at;
}

/**
 * After taking over the lease of a run that died (killed, crashed, stalled past the
 * timeout), removes what that run staged without committing its extraction: its run
 * manifest first (so no loader can pick the run up), then its Redshift manifest,
 * then its Parquet parts. Its rows were never covered by the watermark, so this run
 * extracts them again: keeping its files would load them twice in an append table.
 * A run whose extraction did commit (it is the watermark's last run, or in its
 * history) is left alone: its files are what the next load must take.
 */
export function cleanUpAbandonedRun(
  lake: ObjectStore,
  table: TableRef,
  runId: string,
  watermark: WatermarkDocument | null,
  logger: Logger,
): ResultAsync<AbandonedRunCleanup, SluiceError> {
  const committed =
    watermark?.extract?.lastRunId === runId ||
    (watermark?.history ?? []).some((entry) => entry.event === "extract" && entry.runId === runId);
  const started = runStartOf(runId);
  if (committed || started === null) {
    return okAsync({ runId, committed, manifestsRemoved: 0, partsRemoved: 0 });
  }
  const manifests = [runManifestKey(table, runId), redshiftManifestKey(table, runId)];
  // Parts sit under the Hive partition of the run's start: `<table>/year=../hour=HH/<runId>_batch_NNNN.parquet`.
  const partsPrefix = partKey(table, started, runId, 0).replace(/0000\.parquet$/, "");
  return lake.head(manifests[0] ?? "").andThen((manifest) =>
    lake.head(manifests[1] ?? "").andThen((copyManifest) =>
      lake
        .delete(manifests)
        .andThen(() => lake.list(partsPrefix))
        .andThen((parts) =>
          lake.delete(parts.map((part) => part.key)).map((): AbandonedRunCleanup => {
            const cleanup = {
              runId,
              committed,
              manifestsRemoved: (manifest ? 1 : 0) + (copyManifest ? 1 : 0),
              partsRemoved: parts.length,
            };
            if (cleanup.manifestsRemoved + cleanup.partsRemoved > 0) {
              logger.warn("files of an abandoned run removed", { table: formatTableRef(table), ...cleanup });
            }
            return cleanup;
          }),
        ),
    ),
  );
}
