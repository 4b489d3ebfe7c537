import type { ColumnSpec, KeyRange, RangeChecksum, TableSpec } from "@sluice/core";
import { uncheckedKinds } from "@sluice/core";
import { qualifiedName, quoteIdentifier } from "./keyset-query.js";
import { spatialTypes } from "./mysql-logical-type.js";

type Query = (sql: string, values: readonly unknown[]) => Promise<Record<string, unknown>[]>;

/**
 * A column's canonical text on MySQL/MariaDB (session time zone UTC), matching the
 * warehouse side (redshift-loader `warehouse-range-checksums.ts`): integers and
 * decimals as plain decimal text, times with six fractional digits, zero or impossible
 * dates as NULL (sluice loads them as NULL), booleans as 1/0, bytes as lower-case hex,
 * text as UTF-8. Null for kinds left out (see `uncheckedKinds`).
 */
export function mysqlCanonicalText(column: ColumnSpec): string | null {
  const name = quoteIdentifier(column.name);
  const kind = column.logical.kind;
  if (uncheckedKinds.has(kind)) return null;
  const impossible = `(YEAR(${name}) = 0 OR MONTH(${name}) = 0 OR DAY(${name}) = 0 OR DAY(${name}) > COALESCE(DAY(LAST_DAY(${name})), 0))`;
  switch (kind) {
    case "date":
      return `IF(${impossible}, NULL, DATE_FORMAT(${name}, '%Y-%m-%d'))`;
    case "datetime":
    case "timestamp":
      return `IF(${impossible}, NULL, DATE_FORMAT(${name}, '%Y-%m-%d %H:%i:%s.%f'))`;
    case "boolean":
      return `CASE WHEN ${name} IS NULL THEN NULL WHEN ${name} <> 0 THEN '1' ELSE '0' END`;
    case "binary":
      // Spatial values travel as WKB (see selectList); the stored form carries an SRID prefix.
      return spatialTypes.has(column.sourceType.toLowerCase())
        ? `LOWER(HEX(ST_AsBinary(${name})))`
        : `LOWER(HEX(${name}))`;
    case "bit":
      return `CAST(${name} + 0 AS CHAR)`;
    case "string":
      return `CONVERT(${name} USING utf8mb4)`;
    default:
      return `CAST(${name} AS CHAR)`;
  }
}

function rowText(spec: TableSpec): string {
  const parts = spec.columns
    .map(mysqlCanonicalText)
    .filter((text): text is string => text !== null)
    .map((text) => `COALESCE(${text}, '\\\\N')`);
  // CONCAT_WS skips NULLs, which is why each part is COALESCEd first.
  return parts.length === 0 ? "''" : `CONCAT_WS(CHAR(31 USING utf8mb4), ${parts.join(", ")})`;
}

/** `(k1, k2) >= (?, ?)`: row comparison, fine for a verification scan. */
function rangeWhere(spec: TableSpec, range: KeyRange): { sql: string; values: unknown[] } {
  const keys = `(${spec.primaryKey.map(quoteIdentifier).join(", ")})`;
  const marks = `(${spec.primaryKey.map(() => "?").join(", ")})`;
  const clauses: string[] = [];
  const values: unknown[] = [];
  if (range.from) {
    clauses.push(`${keys} >= ${marks}`);
    values.push(...range.from);
  }
  if (range.to) {
    clauses.push(`${keys} < ${marks}`);
    values.push(...range.to);
  }
  return { sql: clauses.length === 0 ? "" : `WHERE ${clauses.join(" AND ")}`, values };
}

/** Count and checksum of each range, one query per range. */
export async function mysqlRangeChecksums(
  query: Query,
  spec: TableSpec,
  ranges: readonly KeyRange[],
): Promise<RangeChecksum[]> {
  const out: RangeChecksum[] = [];
  for (const range of ranges) {
    const where = rangeWhere(spec, range);
    const rows = await query(
      `SELECT COUNT(*) AS n, CAST(COALESCE(SUM(CAST(CONV(SUBSTRING(MD5(${rowText(spec)}), 1, 15), 16, 10) AS UNSIGNED)), 0) AS CHAR) AS checksum FROM ${qualifiedName(spec)} ${where.sql}`,
      where.values,
    );
    out.push({ rows: Number(rows[0]?.n ?? 0), checksum: String(rows[0]?.checksum ?? "0") });
  }
  return out;
}

/**
 * Primary-key values of every `rowsPerRange`-th row in key order (the first excluded):
 * the boundaries between ranges. Walks the key index one range at a time.
 */
export async function mysqlKeyBoundaries(
  query: Query,
  spec: TableSpec,
  rowsPerRange: number,
): Promise<string[][]> {
  if (spec.primaryKey.length === 0) return [];
  const keys = spec.primaryKey.map(quoteIdentifier).join(", ");
  const boundaries: string[][] = [];
  let after: readonly string[] | null = null;
  for (;;) {
    const where: { sql: string; values: unknown[] } = after
      ? {
          sql: `WHERE (${keys}) >= (${spec.primaryKey.map(() => "?").join(", ")})`,
          values: [...after],
        }
      : { sql: "", values: [] };
    // From the previous boundary (inclusive), skip one range's rows: the next boundary.
    const rows = await query(
      `SELECT ${spec.primaryKey.map((key, index) => `CAST(${quoteIdentifier(key)} AS CHAR) AS k${index}`).join(", ")} FROM ${qualifiedName(spec)} ${where.sql} ORDER BY ${keys} LIMIT 1 OFFSET ${rowsPerRange}`,
      where.values,
    );
    const row = rows[0];
    if (!row) return boundaries;
    // Aliased k0, k1...: an alias named like the column would make ORDER BY sort the text.
    after = spec.primaryKey.map((_, index) => String(row[`k${index}`]));
    boundaries.push([...after]);
  }
}
