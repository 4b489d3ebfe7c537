import type {
  ColumnSpec,
  KeyDigest,
  KeyInterval,
  KeyPart,
  OrderedKeyColumn,
  SluiceError,
  SourceKey,
  TableSpec,
} from "@sluice/core";
import {
  findColumn,
  formatTableRef,
  intervalPredicate,
  keyListPredicate,
  keyText,
  lexicographic,
  sluiceError,
} from "@sluice/core";
import { ResultAsync } from "neverthrow";
import { bindValue, qualifiedName, quoteIdentifier } from "./keyset-query.js";

type Query = (sql: string, values: readonly unknown[]) => Promise<Record<string, unknown>[]>;

/**
 * Where the last extraction stopped, for telling extracted keys from pending ones:
 * the position's columns (the cursor first when the strategy has one, then key
 * columns) and their values as the watermark stores them.
 */
export interface ExtractedThrough {
  readonly columns: readonly string[];
  readonly values: readonly string[];
}

export interface KeyDigestOptions {
  /** Null or absent: no key is marked extracted (missing rows are then not judged). */
  readonly extractedThrough?: ExtractedThrough | null;
  /** Told every statement issued, for the reconciliation report. */
  readonly onQuery?: (sql: string) => void;
}

/**
 * The source side of delete reconciliation over one table's primary key. Each method
 * is one statement (lookups: one per 500 keys), whatever the number of intervals.
 */
export interface SourceKeyDigests {
  /** Count and digest of each interval. */
  digest(intervals: readonly KeyInterval[]): ResultAsync<KeyDigest[], SluiceError>;
  /**
   * Each interval cut into at most `parts` parts of about equal row counts, at keys
   * sampled from the source (keyset boundaries, not arithmetic), with each part's
   * digest. The first part starts at the interval's start and the last ends at its
   * end, so keys the target holds beyond the source's last one stay covered.
   */
  split(intervals: readonly KeyInterval[], parts: number): ResultAsync<KeyPart[][], SluiceError>;
  /** The first `limit` keys of each interval in key order (one more when there are more). */
  keys(intervals: readonly KeyInterval[], limit: number): ResultAsync<SourceKey[][], SluiceError>;
  /** Which of these keys exist, as `keyText`s (exact texts: a case-insensitive match is not a match). */
  existing(keys: readonly (readonly string[])[]): ResultAsync<Set<string>, SluiceError>;
}

/** Key kinds whose canonical text both MySQL and the warehouses print the same way. */
const supportedKinds = new Set([
  "integer",
  "decimal",
  "string",
  "binary",
  "date",
  "datetime",
  "timestamp",
  "year",
  "bit",
]);

/** Collations whose order is the byte order of the UTF-8 text (apart from trailing spaces under PAD SPACE). */
const byteOrderCollation = /^(utf8mb4|utf8mb3|utf8|ascii)_(nopad_)?bin$|^utf8mb4_0900_bin$/i;

/** Refuses a table whose key cannot be reconciled, naming the column and why. */
export function checkReconcilableKey(spec: TableSpec): SluiceError | null {
  const table = formatTableRef(spec.ref);
  if (spec.primaryKey.length === 0) {
    return sluiceError(
      "config",
      `${table} has no primary key, so deleted rows cannot be found by key reconciliation; add a primary key, or use --strategy full (which replaces the target each run)`,
    );
  }
  for (const name of spec.primaryKey) {
    const column = findColumn(spec, name);
    if (!column || !supportedKinds.has(column.logical.kind)) {
      return sluiceError(
        "config",
        `${table}: key column ${name} is ${column?.sourceType ?? "unknown"}, which delete reconciliation cannot compare exactly between MySQL and the warehouse (supported: integers, decimals, text, binary, dates and times); turn --reconcile-deletes off for this table, or use --strategy full`,
      );
    }
  }
  return null;
}

/** The key column's canonical text on MySQL (session time zone UTC). */
export function mysqlKeyText(column: ColumnSpec): string {
  const name = quoteIdentifier(column.name);
  switch (column.logical.kind) {
    case "string":
      return `CONVERT(${name} USING utf8mb4)`;
    case "binary":
      return `LOWER(HEX(${name}))`;
    case "date":
      return `DATE_FORMAT(${name}, '%Y-%m-%d')`;
    case "datetime":
    case "timestamp":
      return `DATE_FORMAT(${name}, '%Y-%m-%d %H:%i:%s.%f')`;
    case "bit":
      return `CAST(${name} + 0 AS CHAR)`;
    default:
      return `CAST(${name} AS CHAR)`;
  }
}

/** A native comparison: the column as it is (its index serves it) and the value cast to its type. */
function nativeColumn(column: ColumnSpec): OrderedKeyColumn {
  const name = quoteIdentifier(column.name);
  const logical = column.logical;
  const cast =
    logical.kind === "integer"
      ? logical.unsigned
        ? "CAST(? AS UNSIGNED)"
        : "CAST(? AS SIGNED)"
      : logical.kind === "decimal"
        ? `CAST(? AS DECIMAL(${logical.precision},${logical.scale}))`
        : logical.kind === "bit"
          ? "CAST(? AS UNSIGNED)"
          : "?";
  return {
    expression: name,
    bind: (text, values) => {
      values.push(bindValue(column, text));
      return cast;
    },
  };
}

/**
 * The column in reconciliation order: numbers, times and bytes by value (natively,
 * index-friendly); text by its UTF-8 bytes, natively when the collation already
 * orders that way, else as `CAST(CONVERT(c USING utf8mb4) AS BINARY)` (no index, one
 * scan per statement) so that the warehouse can apply the same order.
 */
function orderedColumn(column: ColumnSpec, collation: string | null): OrderedKeyColumn {
  if (column.logical.kind !== "string" || (collation !== null && byteOrderCollation.test(collation))) {
    return nativeColumn(column);
  }
  return {
    expression: `CAST(CONVERT(${quoteIdentifier(column.name)} USING utf8mb4) AS BINARY)`,
    bind: (text, values) => {
      values.push(text);
      return "CAST(CONVERT(? USING utf8mb4) AS BINARY)";
    },
  };
}

/** The row's key text hashed: the first 15 hex digits (60 bits) of its MD5, as a number. */
function keyHash(texts: readonly string[]): string {
  const text =
    texts.length === 1 ? (texts[0] as string) : `CONCAT_WS(CHAR(31 USING utf8mb4), ${texts.join(", ")})`;
  return `CAST(CONV(SUBSTRING(MD5(${text}), 1, 15), 16, 10) AS UNSIGNED)`;
}

/** SQL of the reconciliation statements, rendered without a connection (tests read them). */
export interface MysqlKeyDigestSql {
  digest(intervals: readonly KeyInterval[]): { sql: string; values: unknown[] };
  split(intervals: readonly KeyInterval[], parts: number): { sql: string; values: unknown[] };
  keys(intervals: readonly KeyInterval[], limit: number): { sql: string; values: unknown[] };
  existing(keys: readonly (readonly string[])[]): { sql: string; values: unknown[] };
}

export function mysqlKeyDigestSql(
  spec: TableSpec,
  collations: ReadonlyMap<string, string | null>,
  extractedThrough: ExtractedThrough | null,
): MysqlKeyDigestSql {
  const keyColumns = spec.primaryKey.map((name) => findColumn(spec, name) as ColumnSpec);
  const ordered = keyColumns.map((column) => orderedColumn(column, collations.get(column.name) ?? null));
  const native = keyColumns.map(nativeColumn);
  const texts = keyColumns.map(mysqlKeyText);
  const table = qualifiedName(spec);
  const aliases = (prefix: string) => keyColumns.map((_, index) => `${prefix}${index}`);

  // Which interval a row is in (CASE) and the rows of all of them (WHERE), each with its values.
  const scope = (intervals: readonly KeyInterval[]) => {
    const whichValues: unknown[] = [];
    const whereValues: unknown[] = [];
    const which =
      intervals.length === 1
        ? "0"
        : `CASE ${intervals
            .map(
              (interval, index) =>
                `WHEN ${intervalPredicate(ordered, interval, whichValues) || "TRUE"} THEN ${index}`,
            )
            .join(" ")} END`;
    const where = intervals.map((interval) => intervalPredicate(ordered, interval, whereValues));
    const whereSql = where.some((p) => p === "") ? "" : ` WHERE ${where.map((p) => `(${p})`).join(" OR ")}`;
    if (whereSql === "") whereValues.length = 0;
    return { which, whichValues, whereSql, whereValues };
  };

  const extracted = (values: unknown[]): string => {
    if (!extractedThrough || extractedThrough.columns.length === 0) return "0";
    const columns = extractedThrough.columns.map((name) =>
      nativeColumn(findColumn(spec, name) as ColumnSpec),
    );
    return `CASE WHEN ${lexicographic(columns, extractedThrough.values, "<=", values)} THEN 1 ELSE 0 END`;
  };

  return {
    digest(intervals) {
      const { which, whichValues, whereSql, whereValues } = scope(intervals);
      const values = [...whichValues, ...whereValues];
      return {
        sql: `SELECT r, COUNT(*) AS n, CAST(COALESCE(SUM(h), 0) AS CHAR) AS s FROM (SELECT ${which} AS r, ${keyHash(texts)} AS h FROM ${table}${whereSql}) AS keyed GROUP BY r`,
        values,
      };
    },
    split(intervals, parts) {
      const { which, whichValues, whereSql, whereValues } = scope(intervals);
      const values = [...whichValues, ...whereValues];
      const keys = aliases("k");
      const orders = aliases("o");
      const inner = [
        `${which} AS r`,
        ...texts.map((text, index) => `${text} AS ${keys[index]}`),
        ...ordered.map((column, index) => `${column.expression} AS ${orders[index]}`),
        `${keyHash(texts)} AS h`,
      ].join(", ");
      // ROW_NUMBER takes no frame; the running hash sum needs one (rows, not peers: keys are unique).
      const window = `PARTITION BY r ORDER BY ${orders.join(", ")}`;
      return {
        sql: [
          `SELECT r, rn, total, CAST(cs AS CHAR) AS cs, ${keys.join(", ")} FROM (`,
          `SELECT r, ${keys.join(", ")}, ROW_NUMBER() OVER (${window}) AS rn, COUNT(*) OVER (PARTITION BY r) AS total, SUM(h) OVER (${window} ROWS UNBOUNDED PRECEDING) AS cs`,
          `FROM (SELECT ${inner} FROM ${table}${whereSql}) AS keyed`,
          `) AS numbered WHERE MOD(rn, CEILING(total / ${Math.trunc(parts)})) = 0 OR rn = total ORDER BY r, rn`,
        ].join(" "),
        values,
      };
    },
    keys(intervals, limit) {
      const { which, whichValues, whereSql, whereValues } = scope(intervals);
      const judgedValues: unknown[] = [];
      const judged = extracted(judgedValues);
      const values = [...whichValues, ...judgedValues, ...whereValues];
      const keys = aliases("k");
      const orders = aliases("o");
      const inner = [
        `${which} AS r`,
        ...texts.map((text, index) => `${text} AS ${keys[index]}`),
        ...ordered.map((column, index) => `${column.expression} AS ${orders[index]}`),
        `${judged} AS j`,
      ].join(", ");
      return {
        sql: [
          `SELECT r, ${keys.join(", ")}, j FROM (`,
          `SELECT r, ${keys.join(", ")}, j, ROW_NUMBER() OVER (PARTITION BY r ORDER BY ${orders.join(", ")}) AS rn`,
          `FROM (SELECT ${inner} FROM ${table}${whereSql}) AS keyed`,
          `) AS numbered WHERE rn <= ${Math.trunc(limit) + 1} ORDER BY r, rn`,
        ].join(" "),
        values,
      };
    },
    existing(keys) {
      const values: unknown[] = [];
      const where = keyListPredicate(native, keys, values);
      const keyAliases = aliases("k");
      return {
        sql: `SELECT ${texts.map((text, index) => `${text} AS ${keyAliases[index]}`).join(", ")} FROM ${table} WHERE ${where}`,
        values,
      };
    },
  };
}

/** Keys per point-lookup statement. */
const lookupBatch = 500;

/**
 * Runs the reconciliation statements over one MySQL session: reads the key columns'
 * collations once, then answers the pipeline's questions. Requires window functions
 * (MariaDB 10.2+, MySQL 8.0+).
 */
export async function createMysqlKeyDigests(
  query: Query,
  spec: TableSpec,
  options: KeyDigestOptions,
  mapError: (thrown: unknown, doing: string) => SluiceError,
): Promise<SourceKeyDigests> {
  const refused = checkReconcilableKey(spec);
  if (refused) throw refused;
  const rows = await query(
    "SELECT COLUMN_NAME AS name, COLLATION_NAME AS collation FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?",
    [spec.ref.schema, spec.ref.table],
  );
  const collations = new Map(
    rows.map((row) => [String(row.name), row.collation === null ? null : String(row.collation)] as const),
  );
  const sql = mysqlKeyDigestSql(spec, collations, options.extractedThrough ?? null);
  const table = formatTableRef(spec.ref);
  const run = (statement: { sql: string; values: unknown[] }) => {
    options.onQuery?.(statement.sql);
    return query(statement.sql, statement.values);
  };
  const keyOf = (row: Record<string, unknown>) => spec.primaryKey.map((_, index) => String(row[`k${index}`]));
  const wrap = <T>(doing: string, work: () => Promise<T>): ResultAsync<T, SluiceError> =>
    ResultAsync.fromPromise(work(), (thrown) => mapError(thrown, `${doing} of ${table}`));

  return {
    digest: (intervals) =>
      wrap("digesting key ranges", async () => {
        const result = await run(sql.digest(intervals));
        const digests: KeyDigest[] = intervals.map(() => ({ rows: 0, sum: "0" }));
        for (const row of result) {
          if (row.r !== null) digests[Number(row.r)] = { rows: Number(row.n), sum: String(row.s) };
        }
        return digests;
      }),
    split: (intervals, parts) =>
      wrap("splitting key ranges", async () => {
        const result = await run(sql.split(intervals, parts));
        const split: KeyPart[][] = intervals.map(() => []);
        const previous = intervals.map(() => ({ rn: 0, cs: 0n, key: null as readonly string[] | null }));
        for (const row of result) {
          if (row.r === null) continue;
          const index = Number(row.r);
          const interval = intervals[index] as KeyInterval;
          const before = previous[index] as { rn: number; cs: bigint; key: readonly string[] | null };
          const rn = Number(row.rn);
          const cs = BigInt(String(row.cs));
          const last = rn === Number(row.total);
          const key = keyOf(row);
          (split[index] as KeyPart[]).push({
            interval: { after: before.key ?? interval.after, through: last ? interval.through : key },
            digest: { rows: rn - before.rn, sum: String(cs - before.cs) },
          });
          previous[index] = { rn, cs, key };
        }
        // An interval without source rows is one part with an empty digest.
        intervals.forEach((interval, index) => {
          if ((split[index] as KeyPart[]).length === 0)
            (split[index] as KeyPart[]).push({ interval, digest: { rows: 0, sum: "0" } });
        });
        return split;
      }),
    keys: (intervals, limit) =>
      wrap("listing keys", async () => {
        const result = await run(sql.keys(intervals, limit));
        const lists: SourceKey[][] = intervals.map(() => []);
        for (const row of result)
          if (row.r !== null) lists[Number(row.r)]?.push({ key: keyOf(row), extracted: Number(row.j) === 1 });
        return lists;
      }),
    existing: (keys) =>
      wrap("looking keys up", async () => {
        const found = new Set<string>();
        for (let start = 0; start < keys.length; start += lookupBatch) {
          const result = await run(sql.existing(keys.slice(start, start + lookupBatch)));
          for (const row of result) found.add(keyText(keyOf(row)));
        }
        return found;
      }),
  };
}
