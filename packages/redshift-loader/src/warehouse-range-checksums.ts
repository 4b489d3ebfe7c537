import type { ColumnSpec, KeyRange, RangeChecksum } from "@sluice/core";
import { uncheckedKinds } from "@sluice/core";
import type pg from "pg";
import { qualifiedName, quoteIdentifier, type WarehouseTable } from "./sql-text.js";
import { readCatalogColumns } from "./target-catalog.js";
import { deletedAtColumn } from "./warehouse-key-sql.js";
import type { WarehouseDialect } from "./warehouse-url.js";

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
export function warehouseCanonicalText(column: ChecksumColumn, dialect: WarehouseDialect): string | null {
  const name = quoteIdentifier(column.target);
  const kind = column.source.logical.kind;
  if (uncheckedKinds.has(kind)) return null;
  switch (kind) {
    case "date":
      return `TO_CHAR(${name}, 'YYYY-MM-DD')`;
    case "datetime":
    case "timestamp":
      return `TO_CHAR(${name}, 'YYYY-MM-DD HH24:MI:SS.US')`;
    case "boolean":
      return `CASE WHEN ${name} IS NULL THEN NULL WHEN ${name} THEN '1' ELSE '0' END`;
    case "binary":
      return dialect === "redshift" ? `LOWER(FROM_VARBYTE(${name}, 'hex'))` : `ENCODE(${name}, 'hex')`;
    default:
      return `CAST(${name} AS VARCHAR)`;
  }
}

/**
 * The checksum of one row: the first 15 hex digits (60 bits) of MD5 of its canonical
 * text, as a number. PostgreSQL converts hex through `bit(60)`; Redshift has STRTOL.
 */
function rowHash(rowText: string, dialect: WarehouseDialect): string {
  const digits = `SUBSTRING(MD5(${rowText}), 1, 15)`;
  return dialect === "redshift"
    ? `CAST(STRTOL(${digits}, 16) AS DECIMAL(38,0))`
    : `CAST(CAST(CAST('x' || ${digits} AS BIT(60)) AS BIGINT) AS NUMERIC)`;
}

/** `key >= from` and `key < to` in expanded lexicographic form (Redshift has no row comparison). */
function keyCompare(keys: readonly string[], op: ">=" | "<", first: number): string {
  const strict = op === ">=" ? ">" : "<";
  const alternatives = keys.map((_, index) => {
    const equal = keys.slice(0, index).map((key, j) => `${quoteIdentifier(key)} = $${first + j}`);
    const last = index === keys.length - 1 ? op : strict;
    return [...equal, `${quoteIdentifier(keys[index] ?? "")} ${last} $${first + index}`].join(" AND ");
  });
  return `(${alternatives.map((alternative) => `(${alternative})`).join(" OR ")})`;
}

/**
 * Count and checksum of each key range of the target (names already mapped to the
 * warehouse's). The SQL is documented in docs/watermarks.md for running by hand.
 */
export async function warehouseRangeChecksums(
  client: pg.Client,
  dialect: WarehouseDialect,
  target: WarehouseTable,
  columns: readonly ChecksumColumn[],
  primaryKey: readonly string[],
  ranges: readonly KeyRange[],
): Promise<RangeChecksum[]> {
  const parts = columns
    .map((column) => warehouseCanonicalText(column, dialect))
    .filter((text): text is string => text !== null)
    .map((text) => `COALESCE(${text}, '\\N')`);
  const rowText = parts.length === 0 ? "''" : parts.join(" || CHR(31) || ");
  // Rows flagged deleted by soft-delete reconciliation are gone from the source: leave them out.
  const catalog = await readCatalogColumns(client, dialect, target);
  const liveOnly = catalog?.some((column) => column.name === deletedAtColumn) ?? false;
  const out: RangeChecksum[] = [];
  for (const range of ranges) {
    const clauses: string[] = [];
    const values: string[] = [];
    if (range.from) {
      clauses.push(keyCompare(primaryKey, ">=", values.length + 1));
      values.push(...range.from);
    }
    if (range.to) {
      clauses.push(keyCompare(primaryKey, "<", values.length + 1));
      values.push(...range.to);
    }
    if (liveOnly) clauses.push(`${quoteIdentifier(deletedAtColumn)} IS NULL`);
    const where = clauses.length === 0 ? "" : ` WHERE ${clauses.join(" AND ")}`;
    const result = await client.query<{ n: string; checksum: string }>(
      `SELECT COUNT(*) AS n, CAST(COALESCE(SUM(${rowHash(rowText, dialect)}), 0) AS VARCHAR) AS checksum FROM ${qualifiedName(target)}${where}`,
      values,
    );
    out.push({ rows: Number(result.rows[0]?.n ?? 0), checksum: String(result.rows[0]?.checksum ?? "0") });
  }
  return out;
}
