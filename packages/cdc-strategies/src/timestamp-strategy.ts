import type { ExtractPlan, SluiceError } from "@sluice/core";
import { formatTableRef, sluiceError } from "@sluice/core";
import { err, type Result } from "neverthrow";
import type { CdcStrategy, PlanInput } from "./cdc-strategy.js";
import { ceilingForCursor, chooseCursorColumn } from "./choose-cursor-column.js";
import { withInitialSnapshot } from "./initial-snapshot.js";
import { checkLimits, checkPosition } from "./plan-input-checks.js";

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
    const { spec } = input;
    const table = formatTableRef(spec.ref);
    const limits = checkLimits(input);
    if (limits.isErr()) return err(limits.error);
    const cursor = chooseCursorColumn(input, "timestamp");
    if (cursor.isErr()) return err(cursor.error);
    if (spec.primaryKey.length === 0) {
      return err(
        sluiceError(
          "no_cursor",
          `${table} has no primary key; the timestamp strategy de-duplicates rows that share a ${cursor.value} value by primary key; add one, or copy the table whole with --strategy full`,
        ),
      );
    }
    const after = checkPosition(spec, "timestamp", [], input.after, true);
    if (after.isErr()) return err(after.error);
    return withInitialSnapshot(input, {
      table: spec.ref,
      strategy: "timestamp",
      cursorColumn: cursor.value,
      keyColumns: [],
      after: after.value,
      ceiling: ceilingForCursor(spec, cursor.value, input.ceiling),
      limit: limits.value.limit,
      pageSize: limits.value.pageSize,
      maxChunks: limits.value.maxChunks,
      nullCursor: limits.value.nullCursor,
      paging: "cursor-groups",
      dedupColumns: [...spec.primaryKey],
      writeMode: "merge",
    });
  },
};
