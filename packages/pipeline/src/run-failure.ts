import { SluiceError } from "@sluice/core";
import type { RunReport } from "./run-report.js";

/**
 * A run that did work but must not count as a success (rows extracted and not loaded,
 * fewer loaded than staged, source and target differ after `verifyData`). It carries
 * the run report, so the caller can still print every stage's counts.
 */
export class IncompleteRunError extends SluiceError {
  readonly report: RunReport;

  constructor(report: RunReport, reason: string, cause?: SluiceError) {
    super(cause?.kind ?? "load", reason, cause ? { retryable: cause.retryable, cause } : {});
    this.report = { ...report, failure: reason };
  }
}

export function incompleteRun(report: RunReport, reason: string, cause?: SluiceError): IncompleteRunError {
  return new IncompleteRunError(report, reason, cause);
}

/** Type guard (structural: the brand says SluiceError, the report says incomplete run). */
export function isIncompleteRun(error: SluiceError): error is IncompleteRunError {
  return (
    typeof (error as { report?: unknown }).report === "object" &&
    (error as { report?: unknown }).report !== null
  );
}
