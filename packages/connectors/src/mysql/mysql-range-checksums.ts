import type { ColumnSpec, KeyRange, RangeChecksum, SqlFragment, TableSpec } from "@sluice/core";
import { compileMysql, findColumn, keyRangePredicate, lexicographic, uncheckedKinds } from "@sluice/core";
import { sql } from "kysely";
import { mysqlMd5Number } from "./mysql-hash-sql.js";
import { mysqlKeyText, nativeColumn } from "./mysql-key-digests.js";
import { spatialTypes } from "./mysql-logical-type.js";

type Query = (sql: string, values: readonly unknown[]) => Promise<Record<string, unknown>[]>;

/**
 * A column's canonical text on MySQL/MariaDB (session time zone UTC), matching the
 * warehouse side (redshift-loader `warehouse-range-checksums.ts`): integers and
 * decimals as plain decimal text, times with six fractional digits, zero or impossible
 * dates as NULL (sluice loads them as NULL), booleans as 1/0, bytes as lower-case hex,
 * text as UTF-8. Null for kinds left out (see `uncheckedKinds`).
 */
export function mysqlCanonicalText(column: ColumnSpec): SqlFragment | null {
  const name = sql.id(column.name);
  const kind = column.logical.kind;
  if (uncheckedKinds.has(kind)) return null;
  const impossible = sql`(YEAR(${name}) = 0 OR MONTH(${name}) = 0 OR DAY(${name}) = 0 OR DAY(${name}) > COALESCE(DAY(LAST_DAY(${name})), 0))`;
  switch (kind) {
    case "date":
      return sql`IF(${impossible}, NULL, DATE_FORMAT(${name}, '%Y-%m-%d'))`;
    case "datetime":
    case "timestamp":
      return sql`IF(${impossible}, NULL, DATE_FORMAT(${name}, '%Y-%m-%d %H:%i:%s.%f'))`;
    case "boolean":
      return sql`CASE WHEN ${name} IS NULL THEN NULL WHEN ${name} <> 0 THEN '1' ELSE '0' END`;
    case "binary":
      // Spatial values travel as WKB (see selectList); the stored form carries an SRID prefix.
      return spatialTypes.has(column.sourceType.toLowerCase())
        ? sql`LOWER(HEX(ST_AsBinary(${name})))`
        : sql`LOWER(HEX(${name}))`;
    case "bit":
      return sql`CAST(${name} + 0 AS CHAR)`;
    case "string":
      return sql`CONVERT(${name} USING utf8mb4)`;
    default:
      return sql`CAST(${name} AS CHAR)`;
  }
}

function rowText(spec: TableSpec): SqlFragment {
  const parts = spec.columns
    .map(mysqlCanonicalText)
    .filter((text): text is SqlFragment => text !== null)
    .map((text) => sql`COALESCE(${text}, '\\\\N')`);
  // CONCAT_WS skips NULLs, which is why each part is COALESCEd first.
  return parts.length === 0 ? sql`''` : sql`CONCAT_WS(CHAR(31 USING utf8mb4), ${sql.join(parts)})`;
}

/**
 * The primary key in comparisons: the columns as they are (the key index serves the
 * expanded lexicographic form, which it does not for a row constructor) and each
 * bound text cast to the column's type (a string compared with a BIGINT is compared
 * as DOUBLE, inexact above 2^53).
 */
const keyColumns = (spec: TableSpec) =>
  spec.primaryKey.map((name) => nativeColumn(findColumn(spec, name) as ColumnSpec));

/** Count and checksum of each range, one query per range. */
export async function mysqlRangeChecksums(
  query: Query,
  spec: TableSpec,
  ranges: readonly KeyRange[],
): Promise<RangeChecksum[]> {
  const out: RangeChecksum[] = [];
  const keys = keyColumns(spec);
  for (const range of ranges) {
    const where = keyRangePredicate(keys, range);
    const statement = compileMysql(
      sql`SELECT COUNT(*) AS n, CAST(COALESCE(SUM(${mysqlMd5Number(rowText(spec))}), 0) AS CHAR) AS checksum FROM ${sql.id(spec.ref.schema, spec.ref.table)}${where ? sql` WHERE ${where}` : sql``}`,
    );
    const rows = await query(statement.sql, statement.values);
    out.push({ rows: Number(rows[0]?.n ?? 0), checksum: String(rows[0]?.checksum ?? "0") });
  }
  return out;
}

/**
 * Primary-key values of every `rowsPerRange`-th row in key order (the first excluded):
 * the boundaries between ranges, as the keys' canonical texts (`mysqlKeyText`, what
 * the range predicates bind). Walks the key index one range at a time.
 */
export async function mysqlKeyBoundaries(
  query: Query,
  spec: TableSpec,
  rowsPerRange: number,
): Promise<string[][]> {
  if (spec.primaryKey.length === 0) return [];
  const keys = keyColumns(spec);
  const texts = spec.primaryKey.map((name) => mysqlKeyText(findColumn(spec, name) as ColumnSpec));
  const boundaries: string[][] = [];
  let after: readonly string[] | null = null;
  for (;;) {
    // From the previous boundary (inclusive), skip one range's rows: the next boundary.
    // Aliased k0, k1...: an alias named like the column would make ORDER BY sort the text.
    const statement = compileMysql(
      sql`SELECT ${sql.join(texts.map((text, index) => sql`${text} AS ${sql.raw(`k${index}`)}`))} FROM ${sql.id(spec.ref.schema, spec.ref.table)}${after ? sql` WHERE ${lexicographic(keys, after, ">=")}` : sql``} ORDER BY ${sql.join(keys.map((key) => key.expression))} LIMIT 1 OFFSET ${sql.raw(String(Math.trunc(rowsPerRange)))}`,
    );
    const rows = await query(statement.sql, statement.values);
    const row = rows[0];
    if (!row) return boundaries;
    after = spec.primaryKey.map((_, index) => String(row[`k${index}`]));
    boundaries.push([...after]);
  }
}
