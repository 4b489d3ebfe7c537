import type { ExtractPlan, SluiceError } from "@sluice/core";
import { configError, formatTableRef, sluiceError } from "@sluice/core";
import { err, ok, type Result } from "neverthrow";
import type { CdcStrategy, PlanInput } from "./cdc-strategy.js";
import { checkLimits, checkPosition } from "./plan-input-checks.js";
import { singleIntegerKey } from "./single-integer-key.js";

/**
 * Keyset on a single-column integer primary key, for append-only tables (logs,
 * events): each run takes the rows with a key above the last one taken. Updates to
 * old rows are never seen, and neither is a row whose AUTO_INCREMENT id was handed
 * out before a run but committed after it (a concurrent transaction): use hybrid for
 * tables where either can happen. No ceiling: ids carry no time.
 */
export const idKeysetStrategy: CdcStrategy = {
  name: "id",
  needsCeiling: false,
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
          `${table} ${has}; the id strategy needs a single-column integer primary key; use --strategy hybrid with an update-timestamp column (--cursor-column <column>) or copy it with a full refresh`,
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
      limit: limits.value.limit,
      pageSize: limits.value.pageSize,
    });
  },
};
