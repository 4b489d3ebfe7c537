import type { ExtractPlan, SluiceError } from "@sluice/core";
import { configError, formatTableRef, sluiceError } from "@sluice/core";
import { err, ok, type Result } from "neverthrow";
import type { CdcStrategy, PlanInput } from "./cdc-strategy.js";
import { checkLimits, checkPosition } from "./plan-input-checks.js";
import { singleIntegerKey } from "./single-integer-key.js";

/**
 * Keyset on a single-column integer primary key, for append-only tables (logs,
 * events): each run takes the rows with a key above the last one taken, up to the
 * largest key when the run was planned (the key ceiling), so a table under constant
 * inserts still finishes and the new rows wait for the next run.
 *
 * Every page is `id > last AND id <= ceiling ORDER BY id LIMIT n`: a range read that
 * jumps over gaps, so a sparse sequence (1, 2, 10^9, 10^12) costs one query per page
 * of rows, never one per empty id span, and a short page is the only thing that ends
 * a run early — there are no rows left below the ceiling then.
 *
 * Limits: updates to old rows are never seen, and neither is a row whose AUTO_INCREMENT
 * id was handed out before a run but committed after it with a lower id than one the
 * run took (a concurrent transaction): use hybrid for tables where either can happen.
 */
export const idKeysetStrategy: CdcStrategy = {
  name: "id",
  description: "append-only keyset on an integer primary key, bounded by the largest id at plan time",
  needsCeiling: false,
  needsKeyCeiling: true,
  plan(input: PlanInput): Result<ExtractPlan, SluiceError> {
    const { spec } = input;
    const table = formatTableRef(spec.ref);
    const limits = checkLimits(input);
    if (limits.isErr()) return err(limits.error);
    if (input.cursorColumn !== undefined) {
      return err(
        configError(
          `${table}: --cursor-column ${input.cursorColumn} does not apply to --strategy id, which keys on the primary key alone; drop it or use --strategy hybrid`,
        ),
      );
    }
    const key = singleIntegerKey(spec);
    if (!key) {
      const has =
        spec.primaryKey.length === 0
          ? "has no primary key"
          : `has primary key (${spec.primaryKey.join(", ")})`;
      return err(
        sluiceError(
          "no_cursor",
          `${table} ${has}; the id strategy needs a single-column integer primary key; use --strategy hybrid with an update-timestamp column (--cursor-column <column>) or copy it whole with --strategy full`,
        ),
      );
    }
    const after = checkPosition(spec, "id", [key.name], input.after, false);
    if (after.isErr()) return err(after.error);
    return ok({
      table: spec.ref,
      strategy: "id",
      cursorColumn: null,
      keyColumns: [key.name],
      after: after.value,
      ceiling: null,
      keyCeiling: input.keyCeiling ?? null,
      limit: limits.value.limit,
      pageSize: limits.value.pageSize,
      maxChunks: limits.value.maxChunks,
      writeMode: "merge",
    });
  },
};
