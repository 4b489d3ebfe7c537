import type { ColumnSpec, KeyInterval, OrderedKeyColumn } from "@sluice/core";
import { intervalPredicate, keyListPredicate } from "@sluice/core";
import { qualifiedName, quoteIdentifier, type WarehouseTable } from "./sql-text.js";
import { warehouseColumnType } from "./warehouse-column-type.js";
import type { WarehouseDialect } from "./warehouse-url.js";

/** The soft-delete flag column sluice adds to a target whose deletes are kept as flags. */
export const deletedAtColumn = "_sluice_deleted_at";

/** A key column of the source and its name in the warehouse. */
export interface WarehouseKeyColumn {
  readonly source: ColumnSpec;
  readonly target: string;
}

/** A statement with PostgreSQL-style `$n` parameters. */
export interface WarehouseStatement {
  readonly sql: string;
  readonly values: unknown[];
}

const placeholder = (values: unknown[], value: unknown): string => {
  values.push(value);
  return `$${values.length}`;
};

/**
 * The key column's canonical text in the warehouse (session time zone UTC), equal to
 * the source's (`mysqlKeyText` in connectors) for the same value: decimal text for
 * numbers, `YYYY-MM-DD HH24:MI:SS.US` for times, lower-case hex for bytes.
 */
export function warehouseKeyText(column: WarehouseKeyColumn, dialect: WarehouseDialect): string {
  const name = quoteIdentifier(column.target);
  switch (column.source.logical.kind) {
    case "string":
      return name;
    case "binary":
      return dialect === "redshift" ? `FROM_VARBYTE(${name}, 'hex')` : `ENCODE(${name}, 'hex')`;
    case "date":
      return `TO_CHAR(${name}, 'YYYY-MM-DD')`;
    case "datetime":
    case "timestamp":
      return `TO_CHAR(${name}, 'YYYY-MM-DD HH24:MI:SS.US')`;
    default:
      return `CAST(${name} AS VARCHAR)`;
  }
}

/**
 * The column in reconciliation order, the order the source uses: numbers and times by
 * value, bytes bytewise, text by its UTF-8 bytes (`COLLATE "C"` on PostgreSQL,
 * `TO_VARBYTE(..., 'utf8')` on Redshift, whose VARBYTE comparisons are bytewise).
 */
function orderedColumn(
  column: WarehouseKeyColumn,
  dialect: WarehouseDialect,
  table: string,
): OrderedKeyColumn {
  const name = quoteIdentifier(column.target);
  const kind = column.source.logical.kind;
  if (kind === "string") {
    return dialect === "redshift"
      ? {
          expression: `TO_VARBYTE(${name}, 'utf8')`,
          bind: (text, values) => `TO_VARBYTE(${placeholder(values, text)}, 'utf8')`,
        }
      : {
          expression: `${name} COLLATE "C"`,
          bind: (text, values) => `${placeholder(values, text)} COLLATE "C"`,
        };
  }
  if (kind === "binary") {
    return {
      expression: name,
      bind: (text, values) =>
        dialect === "redshift"
          ? `TO_VARBYTE(${placeholder(values, text)}, 'hex')`
          : `DECODE(${placeholder(values, text)}, 'hex')`,
    };
  }
  const type = warehouseColumnType(dialect, column.source, table);
  return { expression: name, bind: (text, values) => `CAST(${placeholder(values, text)} AS ${type})` };
}

/**
 * Exact equality for point lookups and deletes: PostgreSQL's own equality is exact
 * for text (deterministic collations), so its key index serves; on Redshift text is
 * compared as bytes, so a case-insensitive collation cannot match another key.
 */
function equalityColumn(
  column: WarehouseKeyColumn,
  dialect: WarehouseDialect,
  table: string,
): OrderedKeyColumn {
  if (dialect === "postgres" && column.source.logical.kind === "string") {
    return { expression: quoteIdentifier(column.target), bind: (text, values) => placeholder(values, text) };
  }
  return orderedColumn(column, dialect, table);
}

/** The row's key hashed: the first 15 hex digits (60 bits) of the MD5 of its canonical text, as an exact number. */
function keyHash(texts: readonly string[], dialect: WarehouseDialect): string {
  const text = texts.join(" || CHR(31) || ");
  const digits = `SUBSTRING(MD5(${text}), 1, 15)`;
  // Redshift has STRTOL; PostgreSQL converts hex through bit(60). Summed as exact decimals.
  return dialect === "redshift"
    ? `CAST(STRTOL(${digits}, 16) AS DECIMAL(38,0))`
    : `CAST(CAST(CAST('x' || ${digits} AS BIT(60)) AS BIGINT) AS NUMERIC)`;
}

/** The reconciliation statements for one target table, per dialect. */
export interface WarehouseKeySql {
  digest(intervals: readonly KeyInterval[]): WarehouseStatement;
  keys(intervals: readonly KeyInterval[], limit: number): WarehouseStatement;
  existing(keys: readonly (readonly string[])[]): WarehouseStatement;
  hardDelete(keys: readonly (readonly string[])[]): WarehouseStatement;
  softDelete(keys: readonly (readonly string[])[], at: string): WarehouseStatement;
}

/**
 * Renders the target side of reconciliation. `liveOnly`: compare only rows not flagged
 * deleted (soft deletes: flagged rows are gone from the source already).
 */
export function warehouseKeySql(
  dialect: WarehouseDialect,
  target: WarehouseTable,
  keyColumns: readonly WarehouseKeyColumn[],
  liveOnly: boolean,
): WarehouseKeySql {
  const table = qualifiedName(target);
  const tableText = `${target.schema ?? "public"}.${target.name}`;
  const ordered = keyColumns.map((column) => orderedColumn(column, dialect, tableText));
  const equality = keyColumns.map((column) => equalityColumn(column, dialect, tableText));
  const texts = keyColumns.map((column) => warehouseKeyText(column, dialect));
  const live = `${quoteIdentifier(deletedAtColumn)} IS NULL`;
  const aliases = (prefix: string) => keyColumns.map((_, index) => `${prefix}${index}`);

  const scope = (intervals: readonly KeyInterval[], values: unknown[]) => {
    const which =
      intervals.length === 1
        ? "0"
        : `CASE ${intervals
            .map(
              (interval, index) =>
                `WHEN ${intervalPredicate(ordered, interval, values) || "TRUE"} THEN ${index}`,
            )
            .join(" ")} END`;
    const where = intervals.map((interval) => intervalPredicate(ordered, interval, values));
    const conditions: string[] = [];
    if (!where.some((p) => p === "")) conditions.push(`(${where.map((p) => `(${p})`).join(" OR ")})`);
    if (liveOnly) conditions.push(live);
    return { which, whereSql: conditions.length === 0 ? "" : ` WHERE ${conditions.join(" AND ")}` };
  };

  return {
    digest(intervals) {
      const values: unknown[] = [];
      const { which, whereSql } = scope(intervals, values);
      return {
        sql: `SELECT r, COUNT(*) AS n, CAST(COALESCE(SUM(h), 0) AS VARCHAR) AS s FROM (SELECT ${which} AS r, ${keyHash(texts, dialect)} AS h FROM ${table}${whereSql}) AS keyed GROUP BY r`,
        values,
      };
    },
    keys(intervals, limit) {
      const values: unknown[] = [];
      const { which, whereSql } = scope(intervals, values);
      const keys = aliases("k");
      const orders = aliases("o");
      const inner = [
        `${which} AS r`,
        ...texts.map((text, index) => `${text} AS ${keys[index]}`),
        ...ordered.map((column, index) => `${column.expression} AS ${orders[index]}`),
      ].join(", ");
      return {
        sql: [
          `SELECT r, ${keys.join(", ")} FROM (`,
          `SELECT r, ${keys.join(", ")}, ROW_NUMBER() OVER (PARTITION BY r ORDER BY ${orders.join(", ")}) AS rn`,
          `FROM (SELECT ${inner} FROM ${table}${whereSql}) AS keyed`,
          `) AS numbered WHERE rn <= ${Math.trunc(limit) + 1} ORDER BY r, rn`,
        ].join(" "),
        values,
      };
    },
    existing(keys) {
      const values: unknown[] = [];
      const where = keyListPredicate(equality, keys, values);
      const keyAliases = aliases("k");
      return {
        sql: `SELECT ${texts.map((text, index) => `${text} AS ${keyAliases[index]}`).join(", ")} FROM ${table} WHERE (${where})${liveOnly ? ` AND ${live}` : ""}`,
        values,
      };
    },
    hardDelete(keys) {
      const values: unknown[] = [];
      return { sql: `DELETE FROM ${table} WHERE ${keyListPredicate(equality, keys, values)}`, values };
    },
    softDelete(keys, at) {
      const values: unknown[] = [at];
      const where = keyListPredicate(equality, keys, values);
      return {
        sql: `UPDATE ${table} SET ${quoteIdentifier(deletedAtColumn)} = CAST($1 AS TIMESTAMP) WHERE ${live} AND (${where})`,
        values,
      };
    },
  };
}
