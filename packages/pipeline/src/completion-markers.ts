import { configError, type ObjectStore, parseTableRef, rephrased, type SluiceError } from "@sluice/core";
import { errAsync, ok, type ResultAsync, safeTry } from "neverthrow";
import { markerFiles, type TableRunOutcome } from "./completion-marker-documents.js";
import { datedMarkerFolder, pipelineMarkerFolder, tableMarkerFolder } from "./lake-layout.js";
import type { SyncMode } from "./sync-options.js";

export type { TableRunOutcome } from "./completion-marker-documents.js";

/** Where a run's markers landed (keys relative to the lake). */
export interface WrittenMarkers {
  readonly datedFolder: string;
  readonly latestFolder: string;
  /** The key a sensor waits for: `completion_marker.txt` or `failure_marker.txt`. */
  readonly markerKey: string;
}

const pipelineNamePattern = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/**
 * Writes one run's markers into `folder` (see `lake-layout.ts`), in an order that a
 * sensor polling for one key can rely on:
 * 1. a failure first deletes `latest/completion_marker.txt` (a success deletes
 *    `latest/failure_marker.txt`), so `latest/` never shows a finished run's outcome
 *    next to an older contrary one;
 * 2. the dated folder `<yyyy-mm-dd>/<run-id>/`: `execution_metadata.json`,
 *    `table_metrics.json`, then the marker file; every object is one PUT, which S3
 *    makes visible whole or not at all, so a sensor that sees the marker finds the
 *    metadata complete next to it;
 * 3. the same three files into `latest/`, the marker again last.
 * A failure never writes `completion_marker.txt`: an existence check cannot mistake it.
 */
function writeMarkers(
  lake: ObjectStore,
  folder: string,
  runId: string,
  startedAt: Date,
  files: ReturnType<typeof markerFiles>,
): ResultAsync<WrittenMarkers, SluiceError> {
  const latest = `${folder}latest/`;
  const dated = datedMarkerFolder(folder, startedAt, runId);
  const contrary =
    files.markerName === "completion_marker.txt" ? "failure_marker.txt" : "completion_marker.txt";
  // safeTry (ADR 0023): straight-line steps, no resource to release, nothing that throws.
  return safeTry(async function* () {
    yield* lake.delete([`${latest}${contrary}`]);
    for (const target of [dated, latest]) {
      yield* lake.put(`${target}execution_metadata.json`, files.executionMetadata, {
        contentType: "application/json",
      });
      yield* lake.put(`${target}table_metrics.json`, files.tableMetrics, { contentType: "application/json" });
      yield* lake.put(`${target}${files.markerName}`, files.markerText, { contentType: "text/plain" });
    }
    return ok({ datedFolder: dated, latestFolder: latest, markerKey: `${dated}${files.markerName}` });
  });
}

/** The lake's own error, told as a marker failure (same kind and retryability). */
function asMarkerFailure<T>(what: string, work: ResultAsync<T, SluiceError>): ResultAsync<T, SluiceError> {
  return work.mapErr((error) => rephrased(error, `${what}: ${error.message}`));
}

/**
 * The markers of one table's run: called by `syncTable` last, after the data the
 * run describes is durable (staged and watermarked for a backup-only run, committed
 * in the warehouse for a load), while the run still holds the table's lease.
 */
export function writeTableMarkers(
  lake: ObjectStore,
  run: {
    readonly runId: string;
    readonly startedAt: Date;
    readonly mode: SyncMode;
    readonly pipeline?: string;
    readonly outcome: TableRunOutcome;
  },
): ResultAsync<WrittenMarkers, SluiceError> {
  const table = parseTableRef(run.outcome.table);
  if (table.isErr()) return errAsync(table.error);
  const context = {
    runId: run.runId,
    pipeline: run.pipeline ?? null,
    mode: run.mode,
    startedAt: run.startedAt,
    finishedAt: run.outcome.finishedAt,
    uriFor: (key: string) => lake.uriFor(key),
  };
  return asMarkerFailure(
    `writing the completion markers of ${run.outcome.table} (run ${run.runId})`,
    writeMarkers(
      lake,
      tableMarkerFolder(table.value),
      run.runId,
      run.startedAt,
      markerFiles([run.outcome], context),
    ),
  );
}

/**
 * The markers of a multi-table run (`sync -p pipeline`), written by the caller after
 * every table's run has ended (each table's own markers are already written by
 * `syncTable`): `_markers/_pipelines/<pipeline>/<yyyy-mm-dd>/<run-id>/`. Success
 * (`completion_marker.txt`) only when every table succeeded; otherwise
 * `failure_marker.txt` naming the tables that failed.
 */
export function writePipelineMarkers(
  lake: ObjectStore,
  run: {
    readonly pipeline: string;
    readonly runId: string;
    readonly startedAt: Date;
    readonly finishedAt: Date;
    readonly mode?: SyncMode;
    readonly tables: readonly TableRunOutcome[];
  },
): ResultAsync<WrittenMarkers, SluiceError> {
  if (!pipelineNamePattern.test(run.pipeline) || run.pipeline.includes("..")) {
    return errAsync(
      configError(
        `pipeline name "${run.pipeline}" cannot name a marker folder; use letters, digits, "_", "-" and "." only`,
      ),
    );
  }
  if (run.tables.length === 0) {
    return errAsync(configError(`pipeline ${run.pipeline}: no table outcomes to write markers for`));
  }
  const context = {
    runId: run.runId,
    pipeline: run.pipeline,
    mode: run.mode ?? null,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    uriFor: (key: string) => lake.uriFor(key),
  };
  return asMarkerFailure(
    `writing the completion markers of pipeline ${run.pipeline} (run ${run.runId})`,
    writeMarkers(
      lake,
      pipelineMarkerFolder(run.pipeline),
      run.runId,
      run.startedAt,
      markerFiles(run.tables, context),
    ),
  );
}
