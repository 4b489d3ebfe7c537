import { formatTableRef, rephrased, type SluiceError, silentLogger } from "@sluice/core";
import { err, ok, type Result, ResultAsync } from "neverthrow";
import { writeTableMarkers } from "./completion-markers.js";
import type { RunIdentity } from "./extract-to-lake.js";
import { isIncompleteRun } from "./run-failure.js";
import type { RunReport } from "./run-report.js";
import type { SyncTableOptions } from "./sync-options.js";

/**
 * Runs a table's stages and then writes its completion markers: the success marker
 * only once `work` has returned, i.e. after the last commit the run makes (the
 * watermark after staging for a backup-only run, the warehouse COMMIT and its
 * mirror for a load); a failure marker when `work` failed. Called inside the table's
 * lease, so a run refused by another run's lease writes nothing over that run's
 * markers.
 *
 * A success whose markers cannot be written fails the run: Airflow would wait
 * forever for it. The data is committed by then, so the rerun finds nothing new to
 * load and writes the markers. A failure marker that cannot be written is logged
 * and the run's own error is the one reported.
 */
export function runWithMarkers(
  options: SyncTableOptions,
  run: RunIdentity,
  work: () => ResultAsync<RunReport, SluiceError>,
): ResultAsync<RunReport, SluiceError> {
  if (options.completionMarkers === false) return work();
  return new ResultAsync(marked(options, run, work));
}

async function marked(
  options: SyncTableOptions,
  run: RunIdentity,
  work: () => ResultAsync<RunReport, SluiceError>,
): Promise<Result<RunReport, SluiceError>> {
  const tableName = formatTableRef(options.table);
  const clock = options.clock ?? (() => new Date());
  const logger = options.logger ?? silentLogger;
  const base = {
    runId: run.id,
    startedAt: run.startedAt,
    mode: options.mode,
    ...(options.pipeline ? { pipeline: options.pipeline } : {}),
  };
  const outcome = await work();
  if (outcome.isErr()) {
    const error = outcome.error;
    const written = await writeTableMarkers(options.lake, {
      ...base,
      outcome: {
        table: tableName,
        error,
        ...(isIncompleteRun(error) ? { report: error.report } : {}),
        startedAt: run.startedAt,
        finishedAt: clock(),
      },
    });
    if (written.isErr()) {
      logger.warn("failure marker not written", {
        table: tableName,
        runId: run.id,
        error: written.error.message,
      });
    }
    return err(error);
  }
  const report = outcome.value;
  const written = await writeTableMarkers(options.lake, {
    ...base,
    outcome: { table: tableName, report, startedAt: run.startedAt, finishedAt: clock() },
  });
  if (written.isErr()) {
    return err(
      rephrased(
        written.error,
        `${tableName}: the run's data is committed, but ${written.error.message}; rerun to write the markers (it finds nothing new to move)`,
      ),
    );
  }
  logger.info("completion markers written", {
    table: tableName,
    runId: run.id,
    marker: written.value.markerKey,
  });
  return ok(report);
}
