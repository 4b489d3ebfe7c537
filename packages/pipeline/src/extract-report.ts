import type { CursorPosition, ExtractPlan } from "@sluice/core";
import type { ExtractCounters } from "./extract-counters.js";
import type { ExtractReport } from "./run-report.js";
import type { StagedParts } from "./stage-parts.js";

/** The report fields fixed by the plan: every outcome of the run carries them. */
export type ExtractReportBase = Pick<
  ExtractReport,
  | "strategy"
  | "cursorColumn"
  | "from"
  | "ceiling"
  | "ceilingBoundBy"
  | "keyCeiling"
  | "writeMode"
  | "phase"
  | "zeroDates"
>;

export function reportBase(
  plan: ExtractPlan,
  ceilingBoundBy: ExtractReport["ceilingBoundBy"],
): ExtractReportBase {
  return {
    strategy: plan.strategy,
    cursorColumn: plan.cursorColumn,
    from: plan.after,
    ceiling: plan.ceiling,
    ceilingBoundBy,
    keyCeiling: plan.keyCeiling ?? null,
    writeMode: plan.writeMode ?? "merge",
    phase: plan.snapshot ? "snapshot" : "incremental",
    zeroDates: {},
  };
}

/** A run that moved no rows (a dry run, or nothing new): no run id, no files, the position it ends on. */
export function reportWithoutRows(
  base: ExtractReportBase,
  counters: ExtractCounters,
  to: CursorPosition | null,
  snapshot: ExtractReport["snapshot"],
  durationMs: number,
): ExtractReport {
  return {
    ...base,
    runId: null,
    to,
    rows: 0,
    files: 0,
    bytes: 0,
    manifestKey: null,
    queries: counters.queries,
    nullCursorRows: counters.nullCursorRows,
    snapshot,
    durationMs,
  };
}

/** A committed run: what it staged and where the watermark now stands. */
export function reportStagedRun(
  base: ExtractReportBase,
  counters: ExtractCounters,
  committed: { readonly runId: string; readonly manifestKey: string; readonly to: CursorPosition | null },
  staged: StagedParts,
  snapshot: ExtractReport["snapshot"],
  durationMs: number,
): ExtractReport {
  return {
    ...base,
    runId: committed.runId,
    to: committed.to,
    rows: staged.rows,
    stagedRows: staged.files.reduce((sum, file) => sum + file.rows, 0),
    files: staged.files.length,
    bytes: staged.files.reduce((sum, file) => sum + file.sizeBytes, 0),
    manifestKey: committed.manifestKey,
    queries: counters.queries,
    nullCursorRows: counters.nullCursorRows,
    snapshot,
    zeroDates: staged.zeroDates,
    zeroDateSamples: staged.zeroDateSamples,
    truncatedValues: staged.truncatedValues,
    nulTextValues: staged.nulTextValues,
    durationMs,
  };
}

/** The plan in words, for a dry run. */
export function describePlan(plan: ExtractPlan): string {
  const from = plan.snapshot
    ? `initial snapshot in primary-key order after key ${describeKey(plan.snapshot.afterKey)}`
    : `after ${describePosition(plan.after)}`;
  return `plan: strategy ${plan.strategy}, cursor ${plan.cursorColumn ?? "(none)"}, ${from}, ceiling ${plan.ceiling ?? "(none)"}`;
}

export function describePosition(position: ExtractPlan["after"]): string {
  if (!position) return "the beginning";
  return `(${[position.cursorValue, ...position.keyValues].filter((value) => value !== null).join(", ")})`;
}

function describeKey(key: readonly string[] | null): string {
  return key === null ? "(the first)" : `(${key.join(", ")})`;
}
