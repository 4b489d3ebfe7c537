import type { ColumnSpec } from "@sluice/core";
import { configError } from "@sluice/core";
import { formatWarehouseTable, qualifiedName, quoteIdentifier, type WarehouseTable } from "./sql-text.js";
import type { ResolvedDdlOptions } from "./table-ddl-options.js";
import { keepsNotNull } from "./warehouse-column-type.js";
import { type DialectOrName, dialectOf } from "./warehouse-dialect.js";

export interface CreateTableOptions {
  /** Redshift SORTKEY; the run's cursor column, so incremental scans prune blocks. */
  readonly sortKey?: string | null;
  /**
   * Redshift physical design (DISTSTYLE/DISTKEY, SORTKEY, ENCODE), already resolved
   * to warehouse column names; overrides `sortKey`. Default DISTSTYLE AUTO, ENCODE AUTO.
   */
  readonly ddl?: ResolvedDdlOptions;
}

/** One column as it is declared: warehouse name, DDL type text, NOT NULL or not. */
export interface ColumnDefinition {
  readonly name: string;
  readonly type: string;
  readonly notNull: boolean;
}

/**
 * `CREATE TABLE IF NOT EXISTS` for the target, columns in Parquet order, with the
 * primary key (informational and unenforced on Redshift). Where the dialect has a
 * physical design (Redshift): DISTSTYLE AUTO and SORTKEY(cursor) unless `options.ddl`
 * says otherwise. Throws a `config` SluiceError naming the
 * column when a type cannot be held or a key column is missing.
 */
export function renderCreateTable(
  dialect: DialectOrName,
  target: WarehouseTable,
  columns: readonly ColumnSpec[],
  primaryKey: readonly string[],
  options: CreateTableOptions = {},
): string {
  const sqlDialect = dialectOf(dialect);
  const tableName = formatWarehouseTable(target);
  const definitions = columns.map((column) => ({
    name: column.name,
    type: sqlDialect.columnType(column, tableName),
    notNull: keepsNotNull(column),
  }));
  return renderCreateTableFromDefinitions(sqlDialect, target, definitions, primaryKey, options, true);
}

/**
 * `CREATE TABLE` from explicit column definitions (used to rebuild a table with
 * widened types in its existing column order). `ifNotExists` adds IF NOT EXISTS.
 */
export function renderCreateTableFromDefinitions(
  dialect: DialectOrName,
  target: WarehouseTable,
  columns: readonly ColumnDefinition[],
  primaryKey: readonly string[],
  options: CreateTableOptions = {},
  ifNotExists = false,
): string {
  const { physicalDesign } = dialectOf(dialect);
  const tableName = formatWarehouseTable(target);
  if (columns.length === 0) throw configError(`${tableName}: no columns to create the table with`);
  const ddl = options.ddl;
  const sortKey = ddl ? ddl.sortKey : options.sortKey ? [options.sortKey] : [];
  const named = [...primaryKey, ...sortKey, ...(ddl?.distKey ? [ddl.distKey] : [])];
  for (const key of [...named, ...Object.keys(ddl?.columnEncodings ?? {})]) {
    if (!columns.some((column) => column.name === key)) {
      throw configError(`${tableName}: key column "${key}" is not among the table's columns`);
    }
  }
  const encodings = physicalDesign ? (ddl?.columnEncodings ?? {}) : {};
  const lines = columns.map((column) => {
    const encoding = encodings[column.name];
    return `  ${quoteIdentifier(column.name)} ${column.type}${column.notNull ? " NOT NULL" : ""}${encoding ? ` ENCODE ${encoding.toUpperCase()}` : ""}`;
  });
  if (primaryKey.length > 0) lines.push(`  PRIMARY KEY (${primaryKey.map(quoteIdentifier).join(", ")})`);
  let sql = `CREATE TABLE${ifNotExists ? " IF NOT EXISTS" : ""} ${qualifiedName(target)} (\n${lines.join(",\n")}\n)`;
  if (physicalDesign) {
    const distStyle = ddl?.distStyle ?? "auto";
    sql += `\nDISTSTYLE ${distStyle.toUpperCase()}`;
    if (distStyle === "key" && ddl?.distKey) sql += `\nDISTKEY (${quoteIdentifier(ddl.distKey)})`;
    if (ddl?.sortKeyMode === "auto") sql += "\nSORTKEY AUTO";
    else if (sortKey.length > 0) {
      const style = ddl?.sortStyle === "interleaved" ? "INTERLEAVED " : "";
      sql += `\n${style}SORTKEY (${sortKey.map(quoteIdentifier).join(", ")})`;
    }
    // Naming an encoding for any column turns ENCODE AUTO off (AWS); say AUTO only when none is named.
    if (ddl && Object.keys(encodings).length === 0) sql += "\nENCODE AUTO";
  }
  return sql;
}

/** `ALTER TABLE ... ADD COLUMN` for columns a newer run carries at the end. */
export function renderAddColumn(dialect: DialectOrName, target: WarehouseTable, column: ColumnSpec): string {
  const type = dialectOf(dialect).columnType(column, formatWarehouseTable(target));
  return `ALTER TABLE ${qualifiedName(target)} ADD COLUMN ${quoteIdentifier(column.name)} ${type}`;
}
