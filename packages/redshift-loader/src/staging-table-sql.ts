import { carriesStagingSequence, stagingSequenceColumn } from "./merge-sql.js";
import type { RunColumn } from "./run-columns.js";
import { qualifiedName, quoteIdentifier, type WarehouseTable } from "./sql-text.js";
import { type DialectOrName, dialectOf } from "./warehouse-dialect.js";

/**
 * The session-local staging table of one run, shaped like the run's files (their
 * columns, in file order, with types holding every staged value), not like the target:
 * Redshift's Parquet COPY maps columns by position and needs equal counts, and a run
 * staged before the target gained, widened or lost a column must still load. Rows go
 * on into the target by column name. Every column is nullable: NOT NULL is the
 * target's to enforce. A dialect whose rows arrive through COPY FROM STDIN adds
 * `_sluice_seq` (the row's position in the run, see `stagingSequenceColumn`); one
 * that drops staging at commit says so (`ON COMMIT DROP`).
 */
export function renderStagingTable(
  dialect: DialectOrName,
  staging: WarehouseTable,
  columns: readonly RunColumn[],
): string {
  const sqlDialect = dialectOf(dialect);
  const lines = columns.map(
    (column) => `  ${quoteIdentifier(column.name)} ${column.staged?.typeText ?? column.typeText}`,
  );
  if (carriesStagingSequence(sqlDialect)) {
    lines.push(`  ${quoteIdentifier(stagingSequenceColumn)} BIGINT NOT NULL`);
  }
  const onCommit = sqlDialect.dropsStagingAtCommit ? " ON COMMIT DROP" : "";
  return `CREATE TEMP TABLE ${qualifiedName(staging)} (\n${lines.join(",\n")}\n)${onCommit}`;
}
