import { redactSecrets, type SluiceError } from "@sluice/core";
import type { RunReport } from "./run-report.js";
import type { SyncMode } from "./sync-options.js";

/** How one table's run ended, as a marker records it. */
export interface TableRunOutcome {
  /** `schema.table` */
  readonly table: string;
  /** The run's report; on a failure, the counts of what did happen when the error carried them. */
  readonly report?: RunReport;
  /** Set when the run failed; its message is written with credentials redacted. */
  readonly error?: Pick<SluiceError, "kind" | "message">;
  /** When this table's run started and ended. */
  readonly startedAt: Date;
  readonly finishedAt: Date;
}

/** The three files of one marker folder, in the order they are written (the marker last). */
export interface MarkerFiles {
  readonly executionMetadata: string;
  readonly tableMetrics: string;
  /** `completion_marker.txt` for a success, `failure_marker.txt` for a failure. */
  readonly markerName: "completion_marker.txt" | "failure_marker.txt";
  readonly markerText: string;
}

interface RunContext {
  readonly runId: string;
  readonly pipeline: string | null;
  readonly mode: SyncMode | null;
  readonly startedAt: Date;
  readonly finishedAt: Date;
  /** Lake URI of a key, so readers outside sluice can open the manifest. */
  readonly uriFor: (key: string) => string;
}

const seconds = (from: Date, to: Date) => Math.round(to.getTime() - from.getTime()) / 1000;

/**
 * Rows "processed" as the replaced system counted them: loaded rows when the run
 * loaded (sync, redshift-only), extracted rows for a backup-only run.
 */
function rowsProcessed(outcome: TableRunOutcome, mode: SyncMode | null): number {
  const counts = outcome.report?.counts;
  if (!counts) return 0;
  return mode === "backup-only" ? counts.extracted : counts.loaded;
}

function tableResult(outcome: TableRunOutcome, context: RunContext) {
  const report = outcome.report;
  const extract = report?.extract ?? null;
  return {
    status: outcome.error ? "failed" : "success",
    rows_processed: rowsProcessed(outcome, context.mode),
    rows_extracted: report?.counts?.extracted ?? extract?.rows ?? 0,
    rows_loaded: report?.counts?.loaded ?? 0,
    files_created: extract?.files ?? 0,
    bytes_written: extract?.bytes ?? 0,
    runs_loaded: report?.load?.runIds ?? [],
    cumulative_rows_extracted: report?.cumulative?.extracted ?? null,
    cumulative_rows_loaded: report?.cumulative?.loaded ?? null,
    manifest_key: extract?.manifestKey ?? null,
    manifest_uri: extract?.manifestKey ? context.uriFor(extract.manifestKey) : null,
    started_at: outcome.startedAt.toISOString(),
    completed_at: outcome.finishedAt.toISOString(),
    duration_seconds: seconds(outcome.startedAt, outcome.finishedAt),
    error: outcome.error ? redactSecrets(outcome.error.message) : null,
    error_kind: outcome.error?.kind ?? null,
  };
}

/**
 * `execution_metadata.json`: the replaced system's fields (`execution_id`,
 * `start_time`, `pipeline`, `tables_requested`, `table_results`, `status`,
 * `end_time`, `duration_seconds`, `summary`) plus sluice's run id, mode and, per
 * table, the manifest key and cumulative counts. One document shape serves a single
 * table's run and a pipeline's.
 */
export function executionMetadata(outcomes: readonly TableRunOutcome[], context: RunContext) {
  const results = Object.fromEntries(
    outcomes.map((outcome) => [outcome.table, tableResult(outcome, context)]),
  );
  const failed = outcomes.filter((outcome) => outcome.error);
  const single = outcomes.length === 1 ? outcomes[0] : undefined;
  return {
    execution_id: context.runId,
    sluice_run_id: context.runId,
    pipeline: context.pipeline,
    table: single?.table ?? null,
    mode: context.mode,
    tables_requested: outcomes.map((outcome) => outcome.table),
    total_tables: outcomes.length,
    status: failed.length === 0 ? "success" : "failed",
    start_time: context.startedAt.toISOString(),
    end_time: context.finishedAt.toISOString(),
    duration_seconds: seconds(context.startedAt, context.finishedAt),
    manifest_key: single?.report?.extract?.manifestKey ?? null,
    error: failed.length === 0 ? null : failed.map((f) => redactSecrets(f.error?.message ?? "")).join("; "),
    table_results: results,
    summary: {
      success_count: outcomes.length - failed.length,
      failure_count: failed.length,
      total_rows_processed: outcomes.reduce((sum, o) => sum + rowsProcessed(o, context.mode), 0),
      total_files_created: outcomes.reduce((sum, o) => sum + (o.report?.extract?.files ?? 0), 0),
      total_bytes_written: outcomes.reduce((sum, o) => sum + (o.report?.extract?.bytes ?? 0), 0),
    },
  };
}

/** `table_metrics.json`: per-stage figures of each table (the replaced system's groups). */
export function tableMetrics(outcomes: readonly TableRunOutcome[], context: RunContext) {
  return {
    run_id: context.runId,
    pipeline: context.pipeline,
    tables: outcomes.map((outcome) => {
      const extract = outcome.report?.extract ?? null;
      const load = outcome.report?.load ?? null;
      const counts = outcome.report?.counts;
      const extractSeconds = (extract?.durationMs ?? 0) / 1000;
      const loadSeconds = (load?.durationMs ?? 0) / 1000;
      return {
        table_name: outcome.table,
        status: outcome.error ? "failed" : "success",
        mysql_metrics: extract
          ? {
              rows_extracted: extract.rows,
              queries: extract.queries,
              extraction_duration_seconds: extractSeconds,
              avg_rows_per_second: extractSeconds > 0 ? Math.round(extract.rows / extractSeconds) : null,
              strategy: extract.strategy,
              from: extract.from,
              to: extract.to,
            }
          : null,
        s3_metrics: extract
          ? {
              files_created: extract.files,
              rows_staged: extract.stagedRows ?? extract.rows,
              total_size_bytes: extract.bytes,
              total_size_mb: Math.round((extract.bytes / 1024 / 1024) * 100) / 100,
              manifest_key: extract.manifestKey,
            }
          : null,
        redshift_metrics: load
          ? {
              target: load.target,
              runs_loaded: load.runsLoaded,
              runs_skipped: load.runsSkipped,
              rows_loaded: counts?.loaded ?? load.rowsStaged,
              rows_inserted: counts?.inserted ?? null,
              rows_updated: counts?.updated ?? null,
              rows_deleted: counts?.deleted ?? load.rowsDeleted,
              load_duration_seconds: loadSeconds,
              avg_load_rate_rows_per_second:
                loadSeconds > 0 ? Math.round(load.rowsStaged / loadSeconds) : null,
            }
          : null,
        cumulative: outcome.report?.cumulative ?? null,
      };
    }),
  };
}

/** The small text file a sensor waits for; its name alone says success or failure. */
export function markerText(outcomes: readonly TableRunOutcome[], context: RunContext): string {
  const failed = outcomes.filter((outcome) => outcome.error);
  const lines = [
    failed.length === 0 ? "SYNC_COMPLETED" : "SYNC_FAILED",
    `Run: ${context.runId}`,
    ...(context.pipeline ? [`Pipeline: ${context.pipeline}`] : []),
    `Table: ${outcomes.map((outcome) => outcome.table).join(", ")}`,
    `Status: ${failed.length === 0 ? "SUCCESS" : "FAILED"}`,
    ...(context.mode ? [`Mode: ${context.mode}`] : []),
    `Timestamp: ${context.finishedAt.toISOString()}`,
    `Duration: ${seconds(context.startedAt, context.finishedAt).toFixed(2)}s`,
    `Rows: ${outcomes.reduce((sum, o) => sum + rowsProcessed(o, context.mode), 0)}`,
    ...failed.map((f) => `Error: ${f.table}: ${redactSecrets(f.error?.message ?? "").replace(/\s+/g, " ")}`),
  ];
  return `${lines.join("\n")}\n`;
}

export function markerFiles(outcomes: readonly TableRunOutcome[], context: RunContext): MarkerFiles {
  const failed = outcomes.some((outcome) => outcome.error);
  return {
    executionMetadata: `${JSON.stringify(executionMetadata(outcomes, context), null, 2)}\n`,
    tableMetrics: `${JSON.stringify(tableMetrics(outcomes, context), null, 2)}\n`,
    markerName: failed ? "failure_marker.txt" : "completion_marker.txt",
    markerText: markerText(outcomes, context),
  };
}
