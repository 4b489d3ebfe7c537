import type { ColumnSpec } from "@sluice/core";
import { configError } from "@sluice/core";
import { formatWarehouseTable, qualifiedName, quoteIdentifier, type WarehouseTable } from "./sql-text.js";
import { keepsNotNull, warehouseColumnType } from "./warehouse-column-type.js";
import type { WarehouseDialect } from "./warehouse-url.js";

export interface CreateTableOptions {
  /** Redshift SORTKEY; the run's cursor column, so incremental scans prune blocks. */
  readonly sortKey?: string | null;
}

/**
 * `CREATE TABLE IF NOT EXISTS` for the target, columns in Parquet order (COPY from
 * Parquet maps by position). Redshift: DISTSTYLE AUTO, SORTKEY(cursor) and the
 * (informational, unenforced) primary key. Throws a `config` SluiceError naming the
 * column when a type cannot be held or a key column is missing.
 */
export function renderCreateTable(
  dialect: WarehouseDialect,
  target: WarehouseTable,
  columns: readonly ColumnSpec[],
  primaryKey: readonly string[],
  options: CreateTableOptions = {},
): string {
  const tableName = formatWarehouseTable(target);
  if (columns.length === 0) throw configError(`${tableName}: no columns to create the table with`);
  for (const key of [...primaryKey, ...(options.sortKey ? [options.sortKey] : [])]) {
    if (!columns.some((column) => column.name === key)) {
      throw configError(`${tableName}: key column "${key}" is not among the table's columns`);
    }
  }
  const lines = columns.map((column) => {
    const type = warehouseColumnType(dialect, column, tableName);
    return `  ${quoteIdentifier(column.name)} ${type}${keepsNotNull(column) ? " NOT NULL" : ""}`;
  });
  if (primaryKey.length > 0) lines.push(`  PRIMARY KEY (${primaryKey.map(quoteIdentifier).join(", ")})`);
  let sql = `CREATE TABLE IF NOT EXISTS ${qualifiedName(target)} (\n${lines.join(",\n")}\n)`;
  if (dialect === "redshift") {
    sql += "\nDISTSTYLE AUTO";
    if (options.sortKey) sql += `\nSORTKEY (${quoteIdentifier(options.sortKey)})`;
  }
  return sql;
}

/** `ALTER TABLE ... ADD COLUMN` for columns a newer run carries at the end. */
export function renderAddColumn(
  dialect: WarehouseDialect,
  target: WarehouseTable,
  column: ColumnSpec,
): string {
  const type = warehouseColumnType(dialect, column, formatWarehouseTable(target));
  return `ALTER TABLE ${qualifiedName(target)} ADD COLUMN ${quoteIdentifier(column.name)} ${type}`;
}
