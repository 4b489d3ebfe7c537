import type { ColumnSpec, KeyInterval, OrderedKeyColumn, SqlFragment, SqlStatement } from "@sluice/core";
import { compilePostgres, intervalPredicate, keyListPredicate } from "@sluice/core";
import { sql } from "kysely";
import type { WarehouseTable } from "./sql-text.js";
import { type DialectOrName, dialectOf, type WarehouseSqlDialect } from "./warehouse-dialect.js";

/** The soft-delete flag column sluice adds to a target whose deletes are kept as flags. */
export const deletedAtColumn = "_sluice_deleted_at";

/** A key column of the source and its name in the warehouse. */
export interface WarehouseKeyColumn {
  readonly source: ColumnSpec;
  readonly target: string;
}

/** A statement with PostgreSQL-style `$n` parameters. */
export type WarehouseStatement = SqlStatement;

const ident = (name: string): SqlFragment => sql.id(name);

/**
 * The key column's canonical text in the warehouse (session time zone UTC), equal to
 * the source's (`mysqlKeyText` in connectors) for the same value: decimal text for
 * numbers, `YYYY-MM-DD HH24:MI:SS.US` for times, lower-case hex for bytes.
 */
export function warehouseKeyText(column: WarehouseKeyColumn, dialect: DialectOrName): SqlFragment {
  const name = ident(column.target);
  switch (column.source.logical.kind) {
    case "string":
      return name;
    case "binary":
      return dialectOf(dialect).hexEncode(name);
    case "date":
      return sql`TO_CHAR(${name}, 'YYYY-MM-DD')`;
    case "datetime":
    case "timestamp":
      return sql`TO_CHAR(${name}, 'YYYY-MM-DD HH24:MI:SS.US')`;
    default:
      return sql`CAST(${name} AS VARCHAR)`;
  }
}

/**
 * The column in reconciliation order, the order the source uses: numbers and times by
 * value, bytes bytewise, text by its UTF-8 bytes (`dialect.bytewiseText`).
 */
function orderedColumn(
  column: WarehouseKeyColumn,
  dialect: WarehouseSqlDialect,
  table: string,
): OrderedKeyColumn {
  const name = ident(column.target);
  const kind = column.source.logical.kind;
  if (kind === "string") {
    return { expression: dialect.bytewiseText(name), bind: (text) => dialect.bytewiseText(sql`${text}`) };
  }
  if (kind === "binary") {
    return { expression: name, bind: (text) => dialect.hexDecode(sql`${text}`) };
  }
  const type = sql.raw(dialect.columnType(column.source, table));
  return { expression: name, bind: (text) => sql`CAST(${text} AS ${type})` };
}

/**
 * Exact equality for point lookups and deletes: where the dialect's own text equality
 * is exact (PostgreSQL's deterministic collations) the key index serves; elsewhere
 * (Redshift) text is compared as bytes, so a case-insensitive collation cannot match
 * another key.
 */
function equalityColumn(
  column: WarehouseKeyColumn,
  dialect: WarehouseSqlDialect,
  table: string,
): OrderedKeyColumn {
  if (dialect.textEqualityIsExact && column.source.logical.kind === "string") {
    return { expression: ident(column.target), bind: (text) => sql`${text}` };
  }
  return orderedColumn(column, dialect, table);
}

/**
 * A key column in a verification range (`key >= from AND key < to`): text compared
 * as the warehouse compares it (the ranges' boundaries come from the source's key
 * order; the same comparison as before kysely, see ADR 0023), every other kind cast
 * from the canonical key text to its type, so the comparison is exact.
 */
export function rangeKeyColumn(
  column: WarehouseKeyColumn,
  dialect: WarehouseSqlDialect,
  table: string,
): OrderedKeyColumn {
  if (column.source.logical.kind === "string") {
    return { expression: ident(column.target), bind: (text) => sql`${text}` };
  }
  return orderedColumn(column, dialect, table);
}

/** The row's key hashed to an exact number (`dialect.md5Number` of its canonical text). */
function keyHash(texts: readonly SqlFragment[], dialect: WarehouseSqlDialect): SqlFragment {
  return dialect.md5Number(sql.join(texts, sql` || CHR(31) || `));
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
  dialect: DialectOrName,
  target: WarehouseTable,
  keyColumns: readonly WarehouseKeyColumn[],
  liveOnly: boolean,
): WarehouseKeySql {
  const sqlDialect = dialectOf(dialect);
  const table = target.schema === null ? ident(target.name) : sql.id(target.schema, target.name);
  const tableText = `${target.schema ?? "public"}.${target.name}`;
  const ordered = keyColumns.map((column) => orderedColumn(column, sqlDialect, tableText));
  const equality = keyColumns.map((column) => equalityColumn(column, sqlDialect, tableText));
  const texts = keyColumns.map((column) => warehouseKeyText(column, sqlDialect));
  const live = sql`${ident(deletedAtColumn)} IS NULL`;
  const aliases = (prefix: string) => sql.join(keyColumns.map((_, index) => sql.raw(`${prefix}${index}`)));
  const keyTexts = sql.join(texts.map((text, index) => sql`${text} AS ${sql.raw(`k${index}`)}`));

  const scope = (intervals: readonly KeyInterval[]) => {
    const predicates = intervals.map((interval) => intervalPredicate(ordered, interval));
    const which =
      intervals.length === 1
        ? sql`0`
        : sql`CASE ${sql.join(
            predicates.map((p, index) => sql`WHEN ${p ?? sql`TRUE`} THEN ${sql.raw(String(index))}`),
            sql` `,
          )} END`;
    const conditions: SqlFragment[] = [];
    if (!predicates.some((p) => p === null)) {
      conditions.push(
        sql`(${sql.join(
          predicates.map((p) => sql`(${p})`),
          sql` OR `,
        )})`,
      );
    }
    if (liveOnly) conditions.push(live);
    return {
      which,
      where: conditions.length === 0 ? sql`` : sql` WHERE ${sql.join(conditions, sql` AND `)}`,
    };
  };

  return {
    digest(intervals) {
      const { which, where } = scope(intervals);
      return compilePostgres(
        sql`SELECT r, COUNT(*) AS n, CAST(COALESCE(SUM(h), 0) AS VARCHAR) AS s FROM (SELECT ${which} AS r, ${keyHash(texts, sqlDialect)} AS h FROM ${table}${where}) AS keyed GROUP BY r`,
      );
    },
    keys(intervals, limit) {
      const { which, where } = scope(intervals);
      const inner = sql.join([
        sql`${which} AS r`,
        keyTexts,
        ...ordered.map((column, index) => sql`${column.expression} AS ${sql.raw(`o${index}`)}`),
      ]);
      return compilePostgres(
        sql`SELECT r, ${aliases("k")} FROM ( SELECT r, ${aliases("k")}, ROW_NUMBER() OVER (PARTITION BY r ORDER BY ${aliases("o")}) AS rn FROM (SELECT ${inner} FROM ${table}${where}) AS keyed ) AS numbered WHERE rn <= ${sql.raw(String(Math.trunc(limit) + 1))} ORDER BY r, rn`,
      );
    },
    existing(keys) {
      return compilePostgres(
        sql`SELECT ${keyTexts} FROM ${table} WHERE (${keyListPredicate(equality, keys)})${liveOnly ? sql` AND ${live}` : sql``}`,
      );
    },
    hardDelete(keys) {
      return compilePostgres(sql`DELETE FROM ${table} WHERE ${keyListPredicate(equality, keys)}`);
    },
    softDelete(keys, at) {
      return compilePostgres(
        sql`UPDATE ${table} SET ${ident(deletedAtColumn)} = CAST(${at} AS TIMESTAMP) WHERE ${live} AND (${keyListPredicate(equality, keys)})`,
      );
    },
  };
}
