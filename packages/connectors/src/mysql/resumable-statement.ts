import type { AnyRowBatch, RetryHooks, RetryPolicy, SluiceError, SourceValue } from "@sluice/core";
import { batchLastRow, batchRowCount, retryDelayMs, shouldRetry } from "@sluice/core";
import type { SqlStatement } from "./keyset-query.js";

/**
 * How an extraction recovers from a dropped connection: the policy, the hooks that
 * count and wait, and a fresh connection. Absent: every failure ends the extraction.
 */
export interface ExtractResume {
  readonly policy: RetryPolicy;
  readonly hooks?: RetryHooks;
  /** Replaces the extraction's connection (the old one is unusable) and resolves when the new one is ready. */
  reconnect(): Promise<void>;
}

/**
 * One keyset page that survives a dropped connection. Rows are ordered by a total
 * order (the keyset), so after a failure the page is re-issued strictly after the
 * last row already handed on, for the rows it still owes: no row is read twice into
 * the part being written, none is skipped. `statementFor(after, limit)` builds the
 * page query; `after` starts as the page's own bound and then becomes `boundOf(row)`.
 * Retries are counted per failure without progress, so a long extraction survives
 * several blips while a server that drops every connection at once fails within the
 * policy's attempts.
 */
export async function* resumablePage<B>(
  first: B,
  limit: number,
  statementFor: (after: B, limit: number) => SqlStatement,
  boundOf: (row: readonly SourceValue[]) => B,
  run: (statement: SqlStatement) => AsyncGenerator<AnyRowBatch>,
  recover: (thrown: unknown, retriesSoFar: number) => Promise<void>,
): AsyncGenerator<AnyRowBatch> {
  let after = first;
  let left = limit;
  let retries = 0;
  for (;;) {
    let progressed = false;
    try {
      for await (const batch of run(statementFor(after, left))) {
        const last = batchLastRow(batch);
        if (last) {
          left -= batchRowCount(batch);
          after = boundOf(last);
          progressed = true;
        }
        yield batch;
      }
      return;
    } catch (thrown) {
      if (progressed) retries = 0;
      await recover(thrown, retries);
      retries += 1;
      // Everything the page owed was handed on before the connection dropped.
      if (left <= 0) return;
    }
  }
}

/**
 * The `recover` of `resumablePage`: rethrows the mapped error unless it is retryable
 * and the policy has a try left; else tells `onRetry`, waits the backoff and
 * reconnects (a failed reconnect counts as another failed try).
 */
export function recoverWith(
  resume: ExtractResume | undefined,
  mapError: (thrown: unknown) => SluiceError,
): (thrown: unknown, retriesSoFar: number) => Promise<void> {
  return async (thrown, retriesSoFar) => {
    let error = mapError(thrown);
    let retries = retriesSoFar;
    for (;;) {
      if (!resume || !shouldRetry(resume.policy, error, retries)) throw error;
      const delayMs = retryDelayMs(resume.policy, retries + 1, resume.hooks?.random);
      resume.hooks?.onRetry?.({ error, retry: retries + 1, delayMs });
      await (resume.hooks?.sleep ?? ((ms: number) => new Promise((resolve) => setTimeout(resolve, ms))))(
        delayMs,
      );
      try {
        await resume.reconnect();
        return;
      } catch (reconnectFailure) {
        error = mapError(reconnectFailure);
        retries += 1;
      }
    }
  };
}
