import type { ColumnSpec, KeyRange, OrderedKeyColumn, RangeChecksum, SqlFragment } from "@sluice/core";
import { compilePostgres, keyRangePredicate, uncheckedKinds } from "@sluice/core";
import { sql } from "kysely";
import type pg from "pg";
import type { WarehouseTable } from "./sql-text.js";
import { readCatalogColumns } from "./target-catalog.js";
import { type DialectOrName, dialectOf, type WarehouseSqlDialect } from "./warehouse-dialect.js";
import { deletedAtColumn, rangeKeyColumn } from "./warehouse-key-sql.js";

/** A source column and its name in the warehouse. */
export interface ChecksumColumn {
  readonly source: ColumnSpec;
  readonly target: string;
}

/**
 * A column's canonical text in the warehouse (session time zone UTC), the same text
 * connectors' `mysqlCanonicalText` makes on the source: decimal text for numbers,
 * `YYYY-MM-DD HH24:MI:SS.US` for times, 1/0 for booleans, lower-case hex for bytes.
 * Null for kinds left out of checksums.
 */
export function warehouseCanonicalText(column: ChecksumColumn, dialect: DialectOrName): SqlFragment | null {
  const name = sql.id(column.target);
  const kind = column.source.logical.kind;
  if (uncheckedKinds.has(kind)) return null;
  switch (kind) {
    case "date":
      return sql`TO_CHAR(${name}, 'YYYY-MM-DD')`;
    case "datetime":
    case "timestamp":
      return sql`TO_CHAR(${name}, 'YYYY-MM-DD HH24:MI:SS.US')`;
    case "boolean":
      return sql`CASE WHEN ${name} IS NULL THEN NULL WHEN ${name} THEN '1' ELSE '0' END`;
    case "binary": {
      const { hexEncode, hexIsLowerCase } = dialectOf(dialect);
      return hexIsLowerCase ? hexEncode(name) : sql`LOWER(${hexEncode(name)})`;
    }
    default:
      return sql`CAST(${name} AS VARCHAR)`;
  }
}

/**
 * Count and checksum of each key range of the target (names already mapped to the
 * warehouse's). The SQL is documented in docs/watermarks.md for running by hand.
 */
export async function warehouseRangeChecksums(
  client: pg.Client,
  dialect: WarehouseSqlDialect,
  target: WarehouseTable,
  columns: readonly ChecksumColumn[],
  primaryKey: readonly string[],
  ranges: readonly KeyRange[],
): Promise<RangeChecksum[]> {
  const parts = columns
    .map((column) => warehouseCanonicalText(column, dialect))
    .filter((text): text is SqlFragment => text !== null)
    .map((text) => sql`COALESCE(${text}, '\\N')`);
  const rowText = parts.length === 0 ? sql`''` : sql.join(parts, sql` || CHR(31) || `);
  const tableText = `${target.schema ?? "public"}.${target.name}`;
  const keys = primaryKey.map((name): OrderedKeyColumn => {
    const column = columns.find((candidate) => candidate.target === name);
    return column
      ? rangeKeyColumn(column, dialect, tableText)
      : { expression: sql.id(name), bind: (text) => sql`${text}` };
  });
  const table = target.schema === null ? sql.id(target.name) : sql.id(target.schema, target.name);
  // Rows flagged deleted by soft-delete reconciliation are gone from the source: leave them out.
  const catalog = await readCatalogColumns(client, dialect, target);
  const liveOnly = catalog?.some((column) => column.name === deletedAtColumn) ?? false;
  const out: RangeChecksum[] = [];
  for (const range of ranges) {
    const clauses: SqlFragment[] = [];
    const inRange = keyRangePredicate(keys, range);
    if (inRange) clauses.push(inRange);
    if (liveOnly) clauses.push(sql`${sql.id(deletedAtColumn)} IS NULL`);
    const where = clauses.length === 0 ? sql`` : sql` WHERE ${sql.join(clauses, sql` AND `)}`;
    const statement = compilePostgres(
      sql`SELECT COUNT(*) AS n, CAST(COALESCE(SUM(${dialect.md5Number(rowText)}), 0) AS VARCHAR) AS checksum FROM ${table}${where}`,
    );
    const result = await client.query<{ n: string; checksum: string }>(statement.sql, statement.values);
    out.push({ rows: Number(result.rows[0]?.n ?? 0), checksum: String(result.rows[0]?.checksum ?? "0") });
  }
  return out;
}
