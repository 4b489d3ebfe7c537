import type { ExtractPlan, SluiceError } from "@sluice/core";
import type { Result } from "neverthrow";
import type { CdcStrategy, PlanInput } from "./cdc-strategy.js";
import { planCursorRun } from "./cursor-run-plan.js";

/**
 * The update column alone: pages `ORDER BY cursor` with `cursor > last`, so an index
 * on the cursor column is all it needs (no (cursor, pk) index). Ties are handled by
 * boundary de-duplication: a page that ends inside a group of equal cursor values is
 * completed by re-reading that whole group (`cursor = last`) and skipping the primary
 * keys already taken; a run always ends on a complete group (so `--limit` and
 * `--max-chunks` may be exceeded by the rest of the last group), and the watermark is
 * that group's cursor value with no key, so the next run starts at `cursor > last`.
 * The primary key is what de-duplicates, so the table needs one.
 *
 * Cost of the simpler index: one extra query per page that ends in a tie, and a tie
 * group is read whole (it streams; memory holds only the keys of the page's last group).
 *
 * A table without a position starts with an initial snapshot in primary-key order, as
 * hybrid does (see {@link withInitialSnapshot}); it is cut exactly at `--limit`.
 */
export const timestampStrategy: CdcStrategy = {
  name: "timestamp",
  description:
    "update timestamp only (index on the cursor suffices); ties completed and de-duplicated by key",
  needsCeiling: true,
  plan(input: PlanInput): Result<ExtractPlan, SluiceError> {
    return planCursorRun(input, {
      strategy: "timestamp",
      positionHasKey: false,
      whyPrimaryKey: (cursor) =>
        `the timestamp strategy de-duplicates rows that share a ${cursor} value by primary key`,
      extra: { paging: "cursor-groups", dedupColumns: [...input.spec.primaryKey] },
    });
  },
};
