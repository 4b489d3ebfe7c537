import type { RunReport } from "@sluice/pipeline";
import { reconcileLine } from "./reconcile-command.js";

/** The operator's view of a run: a few plain lines, no secrets (URIs carry none). */
export function renderRunReport(report: RunReport): string {
  const lines: string[] = [];
  const prefix = report.dryRun ? `${report.table} (dry run)` : report.table;
  const extract = report.extract;
  if (extract && !report.dryRun && extract.rows > 0) {
    lines.push(
      `${prefix}: extracted ${extract.rows} rows into ${extract.files} file(s), ${formatBytes(extract.bytes)}, run ${extract.runId}, in ${seconds(extract.durationMs)}; watermark now ${watermarkText(extract)}`,
    );
    lines.push(cdcLine(prefix, extract));
    for (const [column, count] of Object.entries(extract.zeroDates)) {
      const sample = extract.zeroDateSamples?.[column];
      lines.push(
        `${prefix}: ${count} zero or invalid date(s) in column ${column} written as NULL${sample ? ` (first: ${sample.value} in the row with ${sample.key})` : ""}`,
      );
    }
    for (const [column, count] of Object.entries(extract.truncatedValues ?? {})) {
      lines.push(`${prefix}: ${count} value(s) in column ${column} cut to Redshift's VARCHAR maximum`);
    }
    for (const [column, count] of Object.entries(extract.nulTextValues ?? {})) {
      lines.push(`${prefix}: ${count} value(s) in column ${column} had U+0000 (NUL) removed or replaced`);
    }
  }
  for (const note of report.notes) lines.push(`${prefix}: ${note}`);
  const load = report.load;
  if (load && !report.dryRun && load.runsLoaded > 0) {
    lines.push(
      `${prefix}: loaded ${load.runsLoaded} run(s), ${load.rowsStaged} rows into ${load.target} (${load.rowsInserted - load.rowsDeleted} new, ${load.rowsDeleted} updated) in ${seconds(load.durationMs)}`,
    );
  }
  const counts = report.counts;
  if (counts && !report.dryRun) {
    lines.push(
      `${prefix}: this run: extracted ${counts.extracted}, staged ${counts.staged}, loaded ${counts.loaded} (inserted ${counts.inserted}, updated ${counts.updated}, deleted ${counts.deleted})`,
    );
  }
  if (report.cumulative) {
    lines.push(
      `${prefix}: cumulative: extracted ${report.cumulative.extracted}, loaded ${report.cumulative.loaded}`,
    );
  }
  const verification = report.verification;
  if (verification) {
    lines.push(
      verification.mismatches.length === 0
        ? `${prefix}: verified: ${verification.sourceRows} rows in ${verification.ranges} key range(s) match ${verification.target}${verification.uncheckedColumns.length > 0 ? ` (compared by count only: ${verification.uncheckedColumns.join(", ")})` : ""}`
        : `${prefix}: verification FAILED: ${verification.mismatches.length} of ${verification.ranges} key range(s) differ (source ${verification.sourceRows} rows, target ${verification.targetRows})`,
    );
  }
  // Only when something was retried: a quiet run stays quiet.
  if (report.retries && report.retries.total > 0) {
    const { extract, stage, load } = report.retries.byStage;
    lines.push(
      `${prefix}: retried ${report.retries.total} transient failure(s): extract ${extract}, stage ${stage}, load ${load}`,
    );
  }
  if (report.failure) lines.push(`${prefix}: FAILED: ${report.failure}`);
  if (report.reconcile) lines.push(reconcileLine(prefix, report.reconcile));
  return lines.join("\n");
}

/** Strategy, queries issued, what bounded the run, and NULL cursors: what an operator checks first. */
function cdcLine(prefix: string, extract: NonNullable<RunReport["extract"]>): string {
  const parts = [`strategy ${extract.strategy} (${extract.writeMode})`, `${extract.queries} queries`];
  if (extract.ceiling !== null)
    parts.push(
      `ceiling ${extract.ceiling} (${extract.snapshot ? "frozen when the initial snapshot started" : (extract.ceilingBoundBy ?? "clock")})`,
    );
  if (extract.keyCeiling !== null) parts.push(`key ceiling (${extract.keyCeiling.join(", ")})`);
  if (extract.nullCursorRows)
    parts.push(`${extract.nullCursorRows} row(s) with NULL ${extract.cursorColumn}`);
  return `${prefix}: ${parts.join(", ")}`;
}

/** The position, or where the initial snapshot stands. */
function watermarkText(extract: NonNullable<RunReport["extract"]>): string {
  const snapshot = extract.snapshot;
  if (snapshot && !snapshot.complete) {
    return `initial snapshot (primary-key order, below ${snapshot.ceiling}) after key (${(snapshot.afterKey ?? []).join(", ")})`;
  }
  const position = extract.to
    ? [extract.to.cursorValue, ...extract.to.keyValues].filter((v) => v !== null)
    : [];
  return `(${position.join(", ")})`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

function formatBytes(bytes: number): string {
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
