import type { TableRef } from "@sluice/core";
import { formatTableRef } from "@sluice/core";

/**
 * Where things live in the lake, relative to its prefix. Keeping every key in one
 * file is what lets `s3clean`, the loader and operators agree on the layout:
 *
 *   <schema.table>/year=YYYY/month=MM/day=DD/hour=HH/<run-ts>_batch_NNNN.parquet
 *   <schema.table>/_manifests/<run-id>.json        (sluice run manifest)
 *   <schema.table>/_manifests/<run-id>.manifest    (Redshift COPY manifest)
 *   _state/<schema.table>/watermark.json           (watermark-store)
 *
 * The Hive partition is the run's start time (UTC), not the rows' timestamps: a run
 * is the unit the loader and the ledger reason about, and it keeps keys deterministic.
 */
export function partKey(table: TableRef, runStartedAt: Date, runId: string, batchIndex: number): string {
  const iso = runStartedAt.toISOString();
  const [year, month, day, hour] = [iso.slice(0, 4), iso.slice(5, 7), iso.slice(8, 10), iso.slice(11, 13)];
  const batch = String(batchIndex).padStart(4, "0");
  return `${formatTableRef(table)}/year=${year}/month=${month}/day=${day}/hour=${hour}/${runId}_batch_${batch}.parquet`;
}

export function manifestPrefix(table: TableRef): string {
  return `${formatTableRef(table)}/_manifests/`;
}

export function runManifestKey(table: TableRef, runId: string): string {
  return `${manifestPrefix(table)}${runId}.json`;
}

export function redshiftManifestKey(table: TableRef, runId: string): string {
  return `${manifestPrefix(table)}${runId}.manifest`;
}

/** Run ids sort by time: `20261125T021400123Z`, plus a suffix against clashes within a millisecond. */
export function newRunId(startedAt: Date, suffix: string): string {
  const compact = startedAt.toISOString().replace(/[-:]/g, "").replace(".", "");
  return `${compact}-${suffix}`;
}

/**
 * Completion markers (docs/airflow.md): one folder per run under the UTC date the run
 * started, and a `latest/` folder overwritten by every finished run.
 *
 *   _markers/<schema.table>/<yyyy-mm-dd>/<run-id>/completion_marker.txt   (success only)
 *   _markers/<schema.table>/<yyyy-mm-dd>/<run-id>/failure_marker.txt      (failure only)
 *   _markers/<schema.table>/latest/...
 *   _markers/_pipelines/<pipeline>/<yyyy-mm-dd>/<run-id>/...              (multi-table runs)
 *
 * `_pipelines` has no dot, so it can never be a `schema.table` folder.
 */
export const markersRoot = "_markers/";

export function tableMarkerFolder(table: TableRef): string {
  return `${markersRoot}${formatTableRef(table)}/`;
}

export function pipelineMarkerFolder(pipeline: string): string {
  return `${markersRoot}_pipelines/${pipeline}/`;
}

/** `<folder><yyyy-mm-dd>/<run-id>/`: the run's own, never rewritten by another run. */
export function datedMarkerFolder(folder: string, runStartedAt: Date, runId: string): string {
  return `${folder}${runStartedAt.toISOString().slice(0, 10)}/${runId}/`;
}
