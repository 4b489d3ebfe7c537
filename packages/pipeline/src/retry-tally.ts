import type { Logger, RetryEvent, RetryHooks } from "@sluice/core";

/** Where a retry happened: reading MySQL, reading or writing the lake, loading the warehouse. */
export type RetryStage = "extract" | "stage" | "load";

/** Retries this run made, by stage (run report `retries`). */
export interface RetryCounts {
  readonly total: number;
  readonly byStage: Readonly<Record<RetryStage, number>>;
}

/**
 * Counts and logs the retries of one run. The lake's own retries (the S3 SDK's)
 * happen below the pipeline and are read as a difference of the store's counter.
 */
export interface RetryTally {
  /** Hooks for one stage's retries: each is counted and logged with its reason. */
  hooksFor(stage: RetryStage): RetryHooks;
  counts(): RetryCounts;
}

export function createRetryTally(
  table: string,
  logger: Logger,
  lakeRetries: () => number,
  overrides: Pick<RetryHooks, "sleep" | "random"> = {},
): RetryTally {
  const byStage: Record<RetryStage, number> = { extract: 0, stage: 0, load: 0 };
  const lakeAtStart = lakeRetries();
  return {
    hooksFor: (stage) => ({
      ...overrides,
      onRetry: (event: RetryEvent) => {
        byStage[stage] += 1;
        logger.warn("transient failure, retrying", {
          table,
          stage,
          retry: event.retry,
          delayMs: event.delayMs,
          kind: event.error.kind,
          reason: event.error.message,
        });
      },
    }),
    counts: () => {
      const stage = byStage.stage + (lakeRetries() - lakeAtStart);
      return {
        total: byStage.extract + stage + byStage.load,
        byStage: { extract: byStage.extract, stage, load: byStage.load },
      };
    },
  };
}
