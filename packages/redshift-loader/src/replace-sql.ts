import type { WriteMode } from "@sluice/core";
import { type MergeColumn, renderMergeStatements } from "./merge-sql.js";
import { qualifiedName, type WarehouseTable } from "./sql-text.js";
import type { DialectOrName } from "./warehouse-dialect.js";

/**
 * A full snapshot replaces the target: DELETE every row, then INSERT the staged ones
 * (the keyless form of the merge, so staged JSON is parsed the same way). The loader
 * runs these inside its one load transaction, so readers see the old snapshot or the
 * new one, never a mix. DELETE, not TRUNCATE: Redshift's TRUNCATE commits the
 * transaction it runs in, which would expose an empty table.
 */
export function renderReplaceStatements(
  dialect: DialectOrName,
  target: WarehouseTable,
  staging: WarehouseTable,
  columns: readonly MergeColumn[],
): string[] {
  return [
    `DELETE FROM ${qualifiedName(target)}`,
    ...renderMergeStatements(dialect, target, staging, columns, [], null),
  ];
}

/** The statements that apply a staged run by its manifest's write mode (absent: merge). */
export function renderWriteStatements(
  writeMode: WriteMode | undefined,
  dialect: DialectOrName,
  target: WarehouseTable,
  staging: WarehouseTable,
  columns: readonly MergeColumn[],
  primaryKey: readonly string[],
  cursorColumn: string | null,
): string[] {
  if (writeMode === "replace") return renderReplaceStatements(dialect, target, staging, columns);
  if (writeMode === "append")
    return renderMergeStatements(dialect, target, staging, columns, [], cursorColumn);
  return renderMergeStatements(dialect, target, staging, columns, primaryKey, cursorColumn);
}
