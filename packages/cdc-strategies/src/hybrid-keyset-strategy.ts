import type { ExtractPlan, SluiceError } from "@sluice/core";
import type { Result } from "neverthrow";
import type { CdcStrategy, PlanInput } from "./cdc-strategy.js";
import { planCursorRun } from "./cursor-run-plan.js";

/**
 * Keyset on (update timestamp, primary key): every row changed since the last run,
 * taken in (cursor, pk) order, bounded above by the source clock so rows still being
 * written wait for the next run. The primary key breaks ties between rows stamped
 * in the same instant, which is what makes page and run boundaries exact: the
 * watermark is the (cursor, key) of the last row taken, whatever `--limit` or
 * `--max-chunks` cut.
 *
 * Rows whose cursor is NULL follow `nullCursor`: `skip` (default) leaves them out and
 * the source counts them; `oldest` re-reads them every run in a first pass keyed by
 * the primary key. A stored position with a null cursor value (written before the
 * policy existed, "inside the NULL group") resumes at the first dated row.
 *
 * A table without a position starts with an initial snapshot (see
 * {@link withInitialSnapshot}): the rows below the first run's ceiling in primary-key
 * order, resumable across runs, then keyset runs from `cursor >= that ceiling`.
 */
export const hybridKeysetStrategy: CdcStrategy = {
  name: "hybrid",
  description:
    "update timestamp + primary key keyset (default): inserts and updates, exact at every boundary",
  needsCeiling: true,
  plan(input: PlanInput): Result<ExtractPlan, SluiceError> {
    return planCursorRun(input, {
      strategy: "hybrid",
      positionHasKey: true,
      whyPrimaryKey: (cursor) =>
        `the hybrid strategy needs one to break ties between rows with the same ${cursor} and to resume exactly`,
    });
  },
};
