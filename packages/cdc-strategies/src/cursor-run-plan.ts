import type { ExtractPlan, SluiceError } from "@sluice/core";
import { formatTableRef, sluiceError } from "@sluice/core";
import { err, type Result } from "neverthrow";
import type { PlanInput } from "./cdc-strategy.js";
import { ceilingForCursor, chooseCursorColumn } from "./choose-cursor-column.js";
import { withInitialSnapshot } from "./initial-snapshot.js";
import { checkLimits, checkPosition } from "./plan-input-checks.js";

/** What differs between the strategies that follow an update-timestamp cursor. */
export interface CursorRunShape {
  readonly strategy: "hybrid" | "timestamp";
  /** Whether the watermark position carries the primary key (hybrid) or the cursor alone. */
  readonly positionHasKey: boolean;
  /** Why the strategy needs a primary key, given the cursor column (for the refusal). */
  readonly whyPrimaryKey: (cursorColumn: string) => string;
  /** Plan fields only this strategy sets (paging style, de-duplication). */
  readonly extra?: Partial<ExtractPlan>;
}

/**
 * The plan of a cursor-following run: limits checked, cursor column chosen, primary
 * key required, stored position validated, ceiling applied, and the first run turned
 * into an initial snapshot (see {@link withInitialSnapshot}).
 */
export function planCursorRun(input: PlanInput, shape: CursorRunShape): Result<ExtractPlan, SluiceError> {
  const { spec } = input;
  const limits = checkLimits(input);
  if (limits.isErr()) return err(limits.error);
  const cursor = chooseCursorColumn(input, shape.strategy);
  if (cursor.isErr()) return err(cursor.error);
  if (spec.primaryKey.length === 0) {
    return err(
      sluiceError(
        "no_cursor",
        `${formatTableRef(spec.ref)} has no primary key; ${shape.whyPrimaryKey(cursor.value)}; add a primary key, or copy the table whole with --strategy full`,
      ),
    );
  }
  const keyColumns = shape.positionHasKey ? [...spec.primaryKey] : [];
  const after = checkPosition(spec, shape.strategy, keyColumns, input.after, true);
  if (after.isErr()) return err(after.error);
  return withInitialSnapshot(input, {
    table: spec.ref,
    strategy: shape.strategy,
    cursorColumn: cursor.value,
    keyColumns,
    after: after.value,
    ceiling: ceilingForCursor(spec, cursor.value, input.ceiling),
    limit: limits.value.limit,
    pageSize: limits.value.pageSize,
    maxChunks: limits.value.maxChunks,
    nullCursor: limits.value.nullCursor,
    writeMode: "merge",
    ...shape.extra,
  });
}
