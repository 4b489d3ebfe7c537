import type { ExtractPlan, SluiceError } from "@sluice/core";
import { configError, formatTableRef } from "@sluice/core";
import { err, ok, type Result } from "neverthrow";
import type { CdcStrategy, PlanInput } from "./cdc-strategy.js";
import { checkLimits } from "./plan-input-checks.js";

/**
 * The whole table, every run, replacing the target: the manifest says `replace` and
 * the loader swaps the target's rows for the run's in one transaction, so readers see
 * the old snapshot or the new one, never a mix. For tables without a usable cursor
 * (lookup tables, tables without an update column) or without a primary key.
 *
 * The pages run inside one consistent-snapshot, read-only transaction on the source,
 * so the snapshot is one point in time even though it is read in keyset pages on the
 * primary key (bounded by the largest key at plan time). A table without a primary key
 * is read in one streamed query. A snapshot must be whole to replace the target, so
 * `--limit` and `--max-chunks` are refused; no watermark position is kept.
 */
export const fullSnapshotStrategy: CdcStrategy = {
  name: "full",
  description: "whole-table snapshot replacing the target atomically (no cursor needed)",
  needsCeiling: false,
  needsKeyCeiling: true,
  plan(input: PlanInput): Result<ExtractPlan, SluiceError> {
    const { spec } = input;
    const table = formatTableRef(spec.ref);
    const limits = checkLimits(input);
    if (limits.isErr()) return err(limits.error);
    if (limits.value.limit !== null || limits.value.maxChunks !== null) {
      return err(
        configError(
          `${table}: --strategy full takes a whole snapshot that replaces the target, so it cannot stop at --limit or --max-chunks; drop them, or use --strategy hybrid to copy in slices`,
        ),
      );
    }
    if (input.cursorColumn !== undefined) {
      return err(
        configError(
          `${table}: --cursor-column ${input.cursorColumn} does not apply to --strategy full, which copies every row; drop it`,
        ),
      );
    }
    return ok({
      table: spec.ref,
      strategy: "full",
      cursorColumn: null,
      keyColumns: [...spec.primaryKey],
      after: null,
      ceiling: null,
      keyCeiling: spec.primaryKey.length > 0 ? (input.keyCeiling ?? null) : null,
      limit: null,
      pageSize: limits.value.pageSize,
      maxChunks: null,
      writeMode: "replace",
      consistentSnapshot: true,
    });
  },
  advance: () => null,
};
