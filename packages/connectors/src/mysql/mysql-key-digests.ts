import type {
  ColumnSpec,
  ExtractedThrough,
  KeyDigest,
  KeyDigestOptions,
  KeyInterval,
  KeyPart,
  OrderedKeyColumn,
  SluiceError,
  SourceKey,
  SourceKeyDigests,
  TableSpec,
} from "@sluice/core";
import {
  compileMysql,
  findColumn,
  formatTableRef,
  intervalPredicate,
  keyListPredicate,
  keyText,
  lexicographic,
  type SqlFragment,
  type SqlStatement,
  sluiceError,
} from "@sluice/core";
import { sql } from "kysely";
import { ResultAsync } from "neverthrow";
import { bindValue, mysqlPlaceholder } from "./keyset-query.js";
import { mysqlMd5Number } from "./mysql-hash-sql.js";

type Query = (sql: string, values: readonly unknown[]) => Promise<Record<string, unknown>[]>;

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
export function mysqlKeyText(column: ColumnSpec): SqlFragment {
  const name = sql.id(column.name);
  switch (column.logical.kind) {
    case "string":
      return sql`CONVERT(${name} USING utf8mb4)`;
    case "binary":
      return sql`LOWER(HEX(${name}))`;
    case "date":
      return sql`DATE_FORMAT(${name}, '%Y-%m-%d')`;
    case "datetime":
    case "timestamp":
      return sql`DATE_FORMAT(${name}, '%Y-%m-%d %H:%i:%s.%f')`;
    case "bit":
      return sql`CAST(${name} + 0 AS CHAR)`;
    default:
      return sql`CAST(${name} AS CHAR)`;
  }
}

/** A native comparison: the column as it is (its index serves it) and the value cast to its type. */
export function nativeColumn(column: ColumnSpec): OrderedKeyColumn {
  // A BIT key's canonical text is its decimal value (`mysqlKeyText`), not hex bytes.
  const bind =
    column.logical.kind === "bit"
      ? (text: string) => sql`CAST(${text} AS UNSIGNED)`
      : (text: string) => mysqlPlaceholder(column, bindValue(column, text));
  return { expression: sql.id(column.name), bind };
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
    expression: sql`CAST(CONVERT(${sql.id(column.name)} USING utf8mb4) AS BINARY)`,
    bind: (text) => sql`CAST(CONVERT(${text} USING utf8mb4) AS BINARY)`,
  };
}

/** The row's key text hashed: the first 15 hex digits (60 bits) of its MD5, as a number. */
function keyHash(texts: readonly SqlFragment[]): SqlFragment {
  const text =
    texts.length === 1
      ? (texts[0] as SqlFragment)
      : sql`CONCAT_WS(CHAR(31 USING utf8mb4), ${sql.join(texts)})`;
  return mysqlMd5Number(text);
}

/** SQL of the reconciliation statements, rendered without a connection (tests read them). */
export interface MysqlKeyDigestSql {
  digest(intervals: readonly KeyInterval[]): SqlStatement;
  split(intervals: readonly KeyInterval[], parts: number): SqlStatement;
  keys(intervals: readonly KeyInterval[], limit: number): SqlStatement;
  existing(keys: readonly (readonly string[])[]): SqlStatement;
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
  const table = sql.id(spec.ref.schema, spec.ref.table);
  const aliases = (prefix: string) => keyColumns.map((_, index) => sql.raw(`${prefix}${index}`));

  // Which interval a row is in (CASE) and the rows of all of them (WHERE). Values are
  // bound in text order by the compiler, however the two are nested.
  const scope = (intervals: readonly KeyInterval[]) => {
    const predicates = intervals.map((interval) => intervalPredicate(ordered, interval));
    const which =
      intervals.length === 1
        ? sql`0`
        : sql`CASE ${sql.join(
            predicates.map((p, index) => sql`WHEN ${p ?? sql`TRUE`} THEN ${sql.raw(String(index))}`),
            sql` `,
          )} END`;
    const where = predicates.some((p) => p === null)
      ? sql``
      : sql` WHERE ${sql.join(
          predicates.map((p) => sql`(${p})`),
          sql` OR `,
        )}`;
    return { which, where };
  };

  const extracted = (): SqlFragment => {
    if (!extractedThrough || extractedThrough.columns.length === 0) return sql`0`;
    const columns = extractedThrough.columns.map((name) =>
      nativeColumn(findColumn(spec, name) as ColumnSpec),
    );
    return sql`CASE WHEN ${lexicographic(columns, extractedThrough.values, "<=")} THEN 1 ELSE 0 END`;
  };

  return {
    digest(intervals) {
      const { which, where } = scope(intervals);
      return compileMysql(
        sql`SELECT r, COUNT(*) AS n, CAST(COALESCE(SUM(h), 0) AS CHAR) AS s FROM (SELECT ${which} AS r, ${keyHash(texts)} AS h FROM ${table}${where}) AS keyed GROUP BY r`,
      );
    },
    split(intervals, parts) {
      const { which, where } = scope(intervals);
      const keys = sql.join(aliases("k"));
      const orders = sql.join(aliases("o"));
      const inner = sql.join([
        sql`${which} AS r`,
        ...texts.map((text, index) => sql`${text} AS ${sql.raw(`k${index}`)}`),
        ...ordered.map((column, index) => sql`${column.expression} AS ${sql.raw(`o${index}`)}`),
        sql`${keyHash(texts)} AS h`,
      ]);
      // ROW_NUMBER takes no frame; the running hash sum needs one (rows, not peers: keys are unique).
      const window = sql`PARTITION BY r ORDER BY ${orders}`;
      return compileMysql(
        sql`SELECT r, rn, total, CAST(cs AS CHAR) AS cs, ${keys} FROM ( SELECT r, ${keys}, ROW_NUMBER() OVER (${window}) AS rn, COUNT(*) OVER (PARTITION BY r) AS total, SUM(h) OVER (${window} ROWS UNBOUNDED PRECEDING) AS cs FROM (SELECT ${inner} FROM ${table}${where}) AS keyed ) AS numbered WHERE MOD(rn, CEILING(total / ${sql.raw(String(Math.trunc(parts)))})) = 0 OR rn = total ORDER BY r, rn`,
      );
    },
    keys(intervals, limit) {
      const { which, where } = scope(intervals);
      const keys = sql.join(aliases("k"));
      const orders = sql.join(aliases("o"));
      const inner = sql.join([
        sql`${which} AS r`,
        ...texts.map((text, index) => sql`${text} AS ${sql.raw(`k${index}`)}`),
        ...ordered.map((column, index) => sql`${column.expression} AS ${sql.raw(`o${index}`)}`),
        sql`${extracted()} AS j`,
      ]);
      return compileMysql(
        sql`SELECT r, ${keys}, j FROM ( SELECT r, ${keys}, j, ROW_NUMBER() OVER (PARTITION BY r ORDER BY ${orders}) AS rn FROM (SELECT ${inner} FROM ${table}${where}) AS keyed ) AS numbered WHERE rn <= ${sql.raw(String(Math.trunc(limit) + 1))} ORDER BY r, rn`,
      );
    },
    existing(keys) {
      const selected = sql.join(texts.map((text, index) => sql`${text} AS ${sql.raw(`k${index}`)}`));
      return compileMysql(sql`SELECT ${selected} FROM ${table} WHERE ${keyListPredicate(native, keys)}`);
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
