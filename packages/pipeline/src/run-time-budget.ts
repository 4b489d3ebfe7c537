import type { ExtractPlan } from "@sluice/core";

/**
 * A run's time budget (`--max-duration`, `max_duration:`), as the run report gives it:
 * whether the extraction stopped on it, and how long it had run when it did.
 */
export interface TimeBudgetReport {
  readonly maxDurationMs: number;
  /** The budget ended the extraction at a page boundary: rows may remain for the next run. */
  readonly stopped: boolean;
  /** Time from the start of the extraction to the page boundary where it stopped; null if it did not. */
  readonly stoppedAfterMs: number | null;
}

/**
 * The extraction's time budget, counted from the start of the extraction (planning
 * included, retried attempts sharing it) on a monotonic clock. It is only ever asked
 * at a page boundary (see `stopAtPageBoundary` in @sluice/connectors): a run never
 * stops mid-page, commits what it took, and its watermark lands on the last row of the
 * last whole page, exactly as after `--max-chunks` (docs/adr/0026-time-budgeted-runs.md).
 */
export interface RunTimeBudget {
  /**
   * The page-boundary check for this plan, or undefined when the plan must be read
   * whole (a `full` snapshot replaces the target, so it cannot stop part-way).
   */
  gateFor(plan: ExtractPlan): (() => boolean) | undefined;
  report(): TimeBudgetReport;
}

/**
 * Starts the budget now. `clock` reads milliseconds on a monotonic clock (default
 * `performance.now`); tests inject one to spend the budget without waiting. Null
 * without a budget.
 */
export function startRunTimeBudget(
  maxDurationMs: number | null | undefined,
  clock: () => number = () => performance.now(),
): RunTimeBudget | null {
  if (maxDurationMs == null) return null;
  const startedAt = clock();
  let stoppedAfterMs: number | null = null;
  const spent = () => {
    if (stoppedAfterMs !== null) return true;
    const elapsed = clock() - startedAt;
    if (elapsed < maxDurationMs) return false;
    stoppedAfterMs = Math.round(elapsed);
    return true;
  };
  return {
    gateFor: (plan) => (plan.consistentSnapshot || plan.writeMode === "replace" ? undefined : spent),
    report: () => ({ maxDurationMs, stopped: stoppedAfterMs !== null, stoppedAfterMs }),
  };
}

/**
 * The run report's line for a run the budget stopped (null otherwise): what was kept
 * and how to go on. `complete` says the pass found nothing left after its last page
 * (an initial snapshot's probe), so there is nothing to continue.
 */
export function timeBudgetNote(budget: TimeBudgetReport | undefined, complete: boolean): string | null {
  if (!budget?.stopped) return null;
  const spent = `stopped at a page boundary after ${formatDuration(budget.stoppedAfterMs ?? 0)}, the --max-duration budget of ${formatDuration(budget.maxDurationMs)} being spent`;
  return complete
    ? `${spent}; nothing was left to extract`
    : `${spent}; the rows extracted are committed and the watermark is on the last of them: run again to continue`;
}

/** `42s`, `15m`, `1h 30m 5s`, as a person writes a duration. */
function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${ms < 10_000 && ms % 1000 !== 0 ? (ms / 1000).toFixed(1) : seconds}s`;
  const parts: string[] = [];
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (h > 0) parts.push(`${h}h`);
  if (m > 0) parts.push(`${m}m`);
  if (s > 0) parts.push(`${s}s`);
  return parts.join(" ");
}
