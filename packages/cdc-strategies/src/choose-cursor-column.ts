import type { SluiceError, TableSpec } from "@sluice/core";
import { configError, findColumn, formatTableRef, sluiceError } from "@sluice/core";
import { err, ok, type Result } from "neverthrow";
import type { PlanInput } from "./cdc-strategy.js";
import { cursorableKinds, describeCandidates, detectCursorColumn } from "./detect-cursor-column.js";
import { singleIntegerKey } from "./single-integer-key.js";

/** `--cursor-column` when given (checked), else the detected update timestamp. */
export function chooseCursorColumn(input: PlanInput, strategy: string): Result<string, SluiceError> {
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
  return err(sluiceError("no_cursor", noCursorMessage(spec, strategy)));
}

function noCursorMessage(spec: TableSpec, strategy: string): string {
  const table = formatTableRef(spec.ref);
  const key = singleIntegerKey(spec);
  const fit = key
    ? `for an append-only table use --strategy id (keyset on ${key.name}), or --strategy full for a whole-table snapshot`
    : `copy it whole with --strategy full, or add a column \`updated_at TIMESTAMP(6) DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6)\``;
  return `${table}: no update-timestamp column for the ${strategy} strategy: ${describeCandidates(spec)}; name one with --cursor-column <column>, or ${fit}`;
}

/**
 * The caller captures NOW(fsp); it bounds clock cursors as is. A DATE cursor is bounded
 * by today's date, so rows of a day still in progress wait until it is over. A numeric
 * cursor has no clock to bound it.
 */
export function ceilingForCursor(
  spec: TableSpec,
  cursorColumn: string,
  ceiling: string | null,
): string | null {
  if (ceiling === null) return null;
  const kind = findColumn(spec, cursorColumn)?.logical.kind;
  if (kind === "datetime" || kind === "timestamp") return ceiling;
  if (kind === "date") return ceiling.slice(0, 10);
  return null;
}
