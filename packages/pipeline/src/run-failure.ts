import type { SluiceError } from "@sluice/core";
import { sluiceError } from "@sluice/core";
import type { RunReport } from "./run-report.js";

/**
 * A run that did work but must not count as a success (rows extracted and not loaded,
 * fewer loaded than staged, source and target differ after `verifyData`). It carries
 * the run report, so the caller can still print every stage's counts.
 */
export interface IncompleteRunError extends SluiceError {
  readonly report: RunReport;
}

export function incompleteRun(report: RunReport, reason: string, cause?: SluiceError): IncompleteRunError {
  const base = cause ? { ...cause, message: reason } : sluiceError("load", reason);
  return { ...base, report: { ...report, failure: reason } };
}

/** Type guard (no `instanceof` across packages). */
export function isIncompleteRun(error: SluiceError): error is IncompleteRunError {
  return (
    typeof (error as { report?: unknown }).report === "object" &&
    (error as { report?: unknown }).report !== null
  );
}
