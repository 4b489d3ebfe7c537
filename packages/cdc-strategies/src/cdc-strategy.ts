import type { CursorPosition, ExtractPlan, SluiceError, TableSpec } from "@sluice/core";
import type { Result } from "neverthrow";

/** What a strategy needs to decide one run; everything is already known, no I/O. */
export interface PlanInput {
  readonly spec: TableSpec;
  /** Where the previous run stopped; null on a first run. */
  readonly after: CursorPosition | null;
  /** Source `NOW(fsp)` captured by the caller just before planning; null for no upper bound. */
  readonly ceiling: string | null;
  /** Rows this run may extract at most; null for all. */
  readonly limit: number | null;
  /** Rows per keyset query; default {@link defaultPageSize}. */
  readonly pageSize?: number;
  /** Operator override of the detected cursor column (`--cursor-column`). */
  readonly cursorColumn?: string;
}

/**
 * A CDC planner: turns a table's shape and the previous position into an ExtractPlan.
 * Pure, so strategies are unit-testable and a data engineer can add one without a database.
 */
export interface CdcStrategy {
  readonly name: string;
  /** True when the plan bounds the cursor by the source clock, so the caller must capture `NOW(fsp)`. */
  readonly needsCeiling: boolean;
  plan(input: PlanInput): Result<ExtractPlan, SluiceError>;
}

export const defaultPageSize = 50_000;
