import { type MysqlProbe, openMysqlProbe } from "@sluice/connectors";
import { formatTableRef, type ObjectStore, redactSecrets, type TableRef } from "@sluice/core";
import { defaultRowsPerFile, type RunEstimate, type RunReport } from "@sluice/pipeline";
import { createWatermarkStore } from "@sluice/watermark-store";
import { resolveConnections } from "./connection-settings.js";
import type { RunPlan } from "./pipeline-run-plan.js";
import { recentRuns } from "./recent-runs.js";
import { reachSource } from "./source-tunnel.js";
import type { SyncRunResult } from "./sync-run.js";
import { waitingBound } from "./table-status.js";

/** Previous runs an estimate's rates are averaged over. */
const rateRuns = 5;

/**
 * `sync --dry-run --estimate`: adds to each dry-run report the rows waiting (the same
 * cheap count as `sluice status`), and bytes, files and time extrapolated from the
 * table's last runs (bytes per row, rows per second of extraction, as their
 * completion markers recorded them). One source session serves every table. What
 * cannot be estimated is said in the report's notes, never guessed.
 */
export async function withEstimates(plan: RunPlan, result: SyncRunResult): Promise<SyncRunResult> {
  const connections = resolveConnections(plan.flags, plan.env, { source: true, target: false });
  if (connections.isErr()) return noted(result, `estimate: ${connections.error.message}`);
  const { lake } = connections.value;
  const reached = await reachSource(plan.flags, plan.env, connections.value.source);
  if (reached.isErr()) {
    lake.close?.();
    return noted(result, `estimate: ${reached.error.message}`);
  }
  const probe = reached.value.source ? await openMysqlProbe(reached.value.source) : undefined;
  try {
    const outcomes = [];
    for (const outcome of result.outcomes) {
      const planned = plan.tables.find((each) => formatTableRef(each.table) === outcome.table);
      if (!outcome.report || !planned) {
        outcomes.push(outcome);
        continue;
      }
      if (!probe || probe.isErr()) {
        outcomes.push({
          ...outcome,
          report: withNote(outcome.report, `estimate: ${probe?.error.message ?? "no source"}`),
        });
        continue;
      }
      const estimate = await estimateTable(lake, probe.value, planned.table, {
        limit: planned.flags.limit,
        rowsPerFile: planned.flags.rowsPerFile ?? defaultRowsPerFile,
      });
      const report =
        "rows" in estimate
          ? { ...withNote(outcome.report, estimateText(estimate)), estimate }
          : withNote(outcome.report, `estimate: ${estimate.problem}`);
      outcomes.push({ ...outcome, report });
    }
    return { ...result, outcomes };
  } finally {
    if (probe?.isOk()) await probe.value.close();
    await reached.value.close();
    lake.close?.();
  }
}

async function estimateTable(
  lake: ObjectStore,
  probe: MysqlProbe,
  table: TableRef,
  settings: { limit: number | undefined; rowsPerFile: number },
): Promise<RunEstimate | { problem: string }> {
  const doc = await createWatermarkStore(lake).read(table);
  if (doc.isErr()) return { problem: redactSecrets(doc.error.message) };
  const bound = waitingBound(doc.value);
  const waiting = await probe.waitingRows(table, bound === "everything" ? null : bound);
  if (waiting.isErr()) return { problem: redactSecrets(waiting.error.message) };
  const rows =
    settings.limit === undefined ? waiting.value.rows : Math.min(settings.limit, waiting.value.rows);
  const runs = await recentRuns(lake, table, rateRuns);
  const measured = (runs.isOk() ? runs.value : []).filter(
    (run) => run.status === "ok" && run.rowsExtracted > 0,
  );
  const rowsMeasured = measured.reduce((sum, run) => sum + run.rowsExtracted, 0);
  const bytesMeasured = measured.reduce((sum, run) => sum + run.bytes, 0);
  const secondsMeasured = measured.reduce((sum, run) => sum + (run.extractSeconds ?? 0), 0);
  const bytesPerRow = rowsMeasured > 0 && bytesMeasured > 0 ? bytesMeasured / rowsMeasured : null;
  const rowsPerSecond = secondsMeasured > 0 ? rowsMeasured / secondsMeasured : null;
  return {
    rows,
    rowsMethod: waiting.value.method,
    bytes: bytesPerRow === null ? null : Math.round(rows * bytesPerRow),
    files: Math.ceil(rows / settings.rowsPerFile),
    seconds: rowsPerSecond === null ? null : Math.round((rows / rowsPerSecond) * 10) / 10,
    rowsPerSecond: rowsPerSecond === null ? null : Math.round(rowsPerSecond),
    bytesPerRow: bytesPerRow === null ? null : Math.round(bytesPerRow),
    basedOnRuns: measured.length,
  };
}

function estimateText(estimate: RunEstimate): string {
  const rows = estimate.rows.toLocaleString("en-US");
  const rowsText =
    estimate.rowsMethod === "exact"
      ? `${rows} rows`
      : `~${rows} rows (${estimate.rowsMethod === "index-estimate" ? "estimate" : "table size"})`;
  const bytes = estimate.bytes === null ? "bytes unknown (no previous run)" : `~${estimate.bytes} bytes`;
  const time =
    estimate.seconds === null
      ? "time unknown (no measured run)"
      : `~${estimate.seconds}s at ${estimate.rowsPerSecond} rows/s`;
  return `estimate: ${rowsText}, ${bytes}, ${estimate.files} file(s), ${time} (from the last ${estimate.basedOnRuns} run(s))`;
}

function withNote(report: RunReport, note: string): RunReport {
  return { ...report, notes: [...report.notes, note] };
}

function noted(result: SyncRunResult, note: string): SyncRunResult {
  return {
    ...result,
    outcomes: result.outcomes.map((outcome) =>
      outcome.report ? { ...outcome, report: withNote(outcome.report, note) } : outcome,
    ),
  };
}
