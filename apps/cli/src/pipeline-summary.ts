import { redactSecrets } from "@sluice/core";
import type { SyncRunResult, TableOutcome } from "./sync-run.js";

/**
 * The end of a multi-table run, one row per table: what an operator scans first.
 * `lag` is how far the table's position trails the source clock the run read up to
 * (its ceiling): both come from MySQL's clock, so no time zone enters the difference.
 */
export function renderPipelineSummary(result: SyncRunResult, pipelineName: string | null): string {
  const header = ["table", "status", "rows", "files", "bytes", "duration", "lag"];
  const rows = result.outcomes.map((outcome) => [
    outcome.table,
    outcome.status === "failed" ? `FAILED (exit ${outcome.exitCode})` : outcome.status,
    String(rowsOf(outcome)),
    String(outcome.report?.extract?.files ?? 0),
    formatBytes(outcome.report?.extract?.bytes ?? 0),
    duration(outcome.finishedAt.getTime() - outcome.startedAt.getTime()),
    lagOf(outcome),
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] as string).length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) =>
        column >= 2 && column <= 4
          ? cell.padStart(widths[column] as number)
          : cell.padEnd(widths[column] as number),
      )
      .join("  ")
      .trimEnd();
  const failed = result.outcomes.filter((outcome) => outcome.status !== "ok");
  const lines = [
    `${pipelineName ? `pipeline ${pipelineName}` : "sync"} run ${result.runId}: ${result.outcomes.length - failed.length} of ${result.outcomes.length} table(s) ok in ${duration(result.finishedAt.getTime() - result.startedAt.getTime())}`,
    line(header),
    ...rows.map(line),
  ];
  for (const outcome of failed) {
    const why = outcome.error ? redactSecrets(outcome.error.message) : (outcome.note ?? "not run");
    lines.push(why.startsWith(`${outcome.table}:`) ? why : `${outcome.table}: ${why}`);
  }
  if (result.markerProblem) lines.push(`pipeline markers: ${redactSecrets(result.markerProblem.message)}`);
  return lines.join("\n");
}

/**
 * One code for the whole run (README "Exit codes"): 0 when every table succeeded;
 * otherwise the failed tables' own code when they agree (2 fix the configuration,
 * 3 transient, 4 lease held), and 1 when they differ or a table failed otherwise.
 */
export function pipelineExitCode(result: SyncRunResult): number {
  const codes = new Set(result.outcomes.filter((outcome) => outcome.status !== "ok").map((o) => o.exitCode));
  if (result.markerProblem) codes.add(1);
  if (codes.size === 0) return 0;
  return codes.size === 1 ? ([...codes][0] as number) : 1;
}

/** The JSON document of a run: one entry per table, errors as kind/retryable/message. */
export function pipelineJson(result: SyncRunResult, pipelineName: string | null): unknown {
  return {
    pipeline: pipelineName,
    runId: result.runId,
    startedAt: result.startedAt.toISOString(),
    finishedAt: result.finishedAt.toISOString(),
    durationMs: result.finishedAt.getTime() - result.startedAt.getTime(),
    exitCode: pipelineExitCode(result),
    tables: result.outcomes.map((outcome) => ({
      table: outcome.table,
      status: outcome.status,
      exitCode: outcome.exitCode,
      rows: rowsOf(outcome),
      durationMs: outcome.finishedAt.getTime() - outcome.startedAt.getTime(),
      lagSeconds: lagSeconds(outcome),
      ...(outcome.note ? { note: outcome.note } : {}),
      error: outcome.error
        ? {
            kind: outcome.error.kind,
            retryable: outcome.error.retryable,
            message: redactSecrets(outcome.error.message),
          }
        : null,
      report: outcome.report,
    })),
    ...(result.markerProblem ? { markerProblem: redactSecrets(result.markerProblem.message) } : {}),
  };
}

/** Rows this run moved: extracted, or loaded for a `--redshift-only` run. */
function rowsOf(outcome: TableOutcome): number {
  const report = outcome.report;
  if (!report) return 0;
  return report.counts?.extracted || report.extract?.rows || report.load?.rowsStaged || 0;
}

function lagSeconds(outcome: TableOutcome): number | null {
  const extract = outcome.report?.extract;
  const position = extract?.to?.cursorValue;
  if (!extract?.ceiling || !position) return null;
  const ceiling = Date.parse(`${extract.ceiling.replace(" ", "T")}Z`);
  const at = Date.parse(`${position.replace(" ", "T")}Z`);
  if (Number.isNaN(ceiling) || Number.isNaN(at)) return null;
  return Math.max(0, Math.round((ceiling - at) / 1000));
}

function lagOf(outcome: TableOutcome): string {
  const seconds = lagSeconds(outcome);
  return seconds === null ? "-" : duration(seconds * 1000);
}

function duration(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 60) return `${minutes}m${Math.round((ms % 60_000) / 1000)}s`;
  return `${Math.floor(minutes / 60)}h${minutes % 60}m`;
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}
