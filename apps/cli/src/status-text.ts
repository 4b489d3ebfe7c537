import type { WaitingRows } from "@sluice/connectors";
import type { TableStatus } from "./table-status.js";

const count = (rows: number) => rows.toLocaleString("en-US");

/** "12,300", "~12,300 (estimate)", "~12,300 (table size)": the output always says which. */
export function waitingText(waiting: WaitingRows | null): string {
  if (!waiting) return "?";
  if (waiting.method === "exact") return count(waiting.rows);
  return `~${count(waiting.rows)} (${waiting.method === "index-estimate" ? "estimate" : "table size"})`;
}

function lastRunText(status: TableStatus): string {
  const run = status.lastRun;
  if (!run) return status.watermark?.extractedAt ? `- (watermark ${status.watermark.extractedAt})` : "never";
  const when = (run.finishedAt ?? run.startedAt ?? "").replace(/\.\d+Z$/, "Z");
  const rows = run.mode === "backup-only" ? run.rowsExtracted : Math.max(run.rowsLoaded, run.rowsExtracted);
  return `${run.status} ${when} (${count(rows)} rows)`;
}

function leaseText(status: TableStatus): string {
  const lease = status.lease;
  if (!lease || lease.state === "free") return "free";
  return `${lease.state === "stale" ? "STALE " : ""}${lease.host} pid ${lease.pid} since ${lease.since.replace(/\.\d+Z$/, "Z")}`;
}

function unloadedText(status: TableStatus): string {
  if (!status.staged) return "?";
  const rows = status.staged.unloaded.reduce((sum, run) => sum + run.rows, 0);
  const runs = status.staged.unloaded.length;
  const basis = status.staged.ledger ? "" : " (by watermark)";
  return runs === 0 ? `0${basis}` : `${runs} run(s), ${count(rows)} rows${basis}`;
}

/** A column-aligned table like sync's summary, then each table's problems. */
export function statusText(statuses: readonly TableStatus[], pipeline: string | null): string {
  const header = ["TABLE", "POSITION", "LAST RUN", "WAITING", "UNLOADED", "LEASE"];
  const rows = statuses.map((status) => [
    status.table,
    status.position,
    lastRunText(status),
    waitingText(status.waiting),
    unloadedText(status),
    leaseText(status),
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]?.length ?? 0)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join("  ")
      .trimEnd();
  const lines = [
    ...(pipeline ? [`pipeline ${pipeline}: ${statuses.length} table(s)`] : []),
    line(header),
    ...rows.map(line),
  ];
  for (const status of statuses) {
    for (const problem of status.problems) lines.push(`${status.table}: ${problem}`);
    if (status.lastRun?.status === "failed" && status.lastRun.error) {
      lines.push(`${status.table}: last run ${status.lastRun.runId} failed: ${status.lastRun.error}`);
    }
  }
  return lines.join("\n");
}
