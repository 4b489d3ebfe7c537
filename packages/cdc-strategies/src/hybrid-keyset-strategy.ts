import type { ExtractPlan, SluiceError, TableSpec } from "@sluice/core";
import { configError, findColumn, formatTableRef, sluiceError } from "@sluice/core";
import { err, ok, type Result } from "neverthrow";
import type { CdcStrategy, PlanInput } from "./cdc-strategy.js";
import { cursorableKinds, describeCandidates, detectCursorColumn } from "./detect-cursor-column.js";
import { checkLimits, checkPosition } from "./plan-input-checks.js";
import { singleIntegerKey } from "./single-integer-key.js";

/**
 * Keyset on (update timestamp, primary key): every row changed since the last run,
 * taken in (cursor, pk) order, bounded above by the source clock so rows still being
 * written wait for the next run. The primary key breaks ties between rows stamped
 * in the same instant, which is what makes page boundaries exact.
 *
 * Rows whose cursor is NULL sort before every value (MySQL orders NULL first), so a
 * first run takes them too, in key order; a stored position with a null cursor value
 * means "inside the NULL group". Once a run has passed the NULL group, rows that later
 * get a NULL cursor are invisible to this strategy: the MySQL source warns about them.
 */
export const hybridKeysetStrategy: CdcStrategy = {
  name: "hybrid",
  needsCeiling: true,
  plan(input: PlanInput): Result<ExtractPlan, SluiceError> {
    const { spec } = input;
    const table = formatTableRef(spec.ref);
    const limits = checkLimits(input);
    if (limits.isErr()) return err(limits.error);
    const cursor = chooseCursor(input);
    if (cursor.isErr()) return err(cursor.error);
    if (spec.primaryKey.length === 0) {
      return err(
        sluiceError(
          "no_cursor",
          `${table} has no primary key; the hybrid strategy needs one to break ties between rows with the same ${cursor.value} and to resume exactly; add a primary key, or copy the table with a full refresh`,
        ),
      );
    }
    const after = checkPosition(spec, "hybrid", spec.primaryKey, input.after, true);
    if (after.isErr()) return err(after.error);
    return ok({
      table: spec.ref,
      strategy: "hybrid",
      cursorColumn: cursor.value,
      keyColumns: [...spec.primaryKey],
      after: after.value,
      ceiling: ceilingFor(spec, cursor.value, input.ceiling),
      limit: limits.value.limit,
      pageSize: limits.value.pageSize,
    });
  },
};

/**
 * The caller captures NOW(fsp); it bounds clock cursors as is. A DATE cursor is bounded
 * by today's date, so rows of a day still in progress wait until it is over. A numeric
 * cursor has no clock to bound it.
 */
function ceilingFor(spec: TableSpec, cursorColumn: string, ceiling: string | null): string | null {
  if (ceiling === null) return null;
  const kind = findColumn(spec, cursorColumn)?.logical.kind;
  if (kind === "datetime" || kind === "timestamp") return ceiling;
  if (kind === "date") return ceiling.slice(0, 10);
  return null;
}

function chooseCursor(input: PlanInput): Result<string, SluiceError> {
  const { spec } = input;
  const table = formatTableRef(spec.ref);
  if (input.cursorColumn !== undefined) {
    const column = findColumn(spec, input.cursorColumn);
    if (!column) {
      return err(
        configError(
          `--cursor-column ${input.cursorColumn}: ${table} has no such column; its columns are ${spec.columns.map((c) => c.name).join(", ")}`,
        ),
      );
    }
    if (!cursorableKinds.has(column.logical.kind)) {
      return err(
        configError(
          `--cursor-column ${column.name}: ${table}.${column.name} is ${column.sourceType}; a cursor must be a DATETIME, TIMESTAMP, DATE or a number that grows on every change`,
        ),
      );
    }
    return ok(column.name);
  }
  const detected = detectCursorColumn(spec);
  if (detected !== null) return ok(detected);
  return err(sluiceError("no_cursor", noCursorMessage(spec)));
}

function noCursorMessage(spec: TableSpec): string {
  const table = formatTableRef(spec.ref);
  const key = singleIntegerKey(spec);
  const fit = key
    ? `for an append-only table use --strategy id (keyset on ${key.name})`
    : `copy it with a full refresh, or add a column \`updated_at TIMESTAMP(6) DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6)\``;
  return `${table}: no update-timestamp column for the hybrid strategy: ${describeCandidates(spec)}; name one with --cursor-column <column>, or ${fit}`;
}
