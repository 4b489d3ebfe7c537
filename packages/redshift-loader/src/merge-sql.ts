import { qualifiedName, quoteIdentifier, type WarehouseTable } from "./sql-text.js";
import { type DialectOrName, dialectOf, type WarehouseSqlDialect } from "./warehouse-dialect.js";

/**
 * Staging tables filled through COPY FROM STDIN (PostgreSQL) carry this extra column:
 * the position of each row in the run (file order, then row order), so the last
 * version of a key wins even when cursor values tie. Redshift's Parquet COPY maps
 * columns by position and needs the column counts to match, so its staging tables
 * cannot have it.
 */
export const stagingSequenceColumn = "_sluice_seq";

/** True when the dialect's staging tables carry `stagingSequenceColumn` (see `copyPath`). */
export function carriesStagingSequence(dialect: WarehouseSqlDialect): boolean {
  return dialect.copyPath === "stdin";
}

/** A column the merge moves from staging to the target (by name). */
export interface MergeColumn {
  readonly name: string;
  /** Staged as JSON text (Redshift), parsed into the target's SUPER by JSON_PARSE. */
  readonly parseJson?: boolean;
}

/**
 * Statements that fold a staged run into the target, in order:
 * 1. DELETE the target rows whose key appears in staging;
 * 2. INSERT one row per key: the latest by cursor (NULL cursors last), then by
 *    position in the run (where staging carries it, see `stagingSequenceColumn`).
 * A table without a primary key is appended to (one INSERT).
 */
export function renderMergeStatements(
  dialect: DialectOrName,
  target: WarehouseTable,
  staging: WarehouseTable,
  columns: readonly MergeColumn[],
  primaryKey: readonly string[],
  cursorColumn: string | null,
): string[] {
  const targetName = qualifiedName(target);
  const stagingName = qualifiedName(staging);
  const columnList = columns.map((column) => quoteIdentifier(column.name)).join(", ");
  // What the INSERT takes from staging: the column itself, or JSON_PARSE of its text.
  const selectList = columns
    .map((column) =>
      column.parseJson ? `JSON_PARSE(${quoteIdentifier(column.name)})` : quoteIdentifier(column.name),
    )
    .join(", ");
  if (primaryKey.length === 0) {
    return [`INSERT INTO ${targetName} (${columnList})\nSELECT ${selectList}\nFROM ${stagingName}`];
  }
  const keyMatch = primaryKey
    .map((key) => `${targetName}.${quoteIdentifier(key)} = ${stagingName}.${quoteIdentifier(key)}`)
    .join("\n  AND ");
  const order: string[] = [];
  if (cursorColumn !== null) order.push(`${quoteIdentifier(cursorColumn)} DESC NULLS LAST`);
  if (carriesStagingSequence(dialectOf(dialect)))
    order.push(`${quoteIdentifier(stagingSequenceColumn)} DESC`);
  // Neither cursor nor sequence: any row of a key may win (its rows are one version).
  if (order.length === 0) order.push(...primaryKey.map(quoteIdentifier));
  const rank = quoteIdentifier("_sluice_rank");
  return [
    `DELETE FROM ${targetName}\nUSING ${stagingName}\nWHERE ${keyMatch}`,
    [
      `INSERT INTO ${targetName} (${columnList})`,
      `SELECT ${selectList}`,
      "FROM (",
      `  SELECT ${columnList},`,
      `    ROW_NUMBER() OVER (PARTITION BY ${primaryKey.map(quoteIdentifier).join(", ")} ORDER BY ${order.join(", ")}) AS ${rank}`,
      `  FROM ${stagingName}`,
      ") AS ranked",
      `WHERE ${rank} = 1`,
    ].join("\n"),
  ];
}
