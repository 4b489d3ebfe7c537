import type {
  ColumnSpec,
  ExtractPlan,
  OrderedKeyColumn,
  SourceValue,
  SqlFragment,
  SqlStatement,
  TableSpec,
} from "@sluice/core";
import { compileMysql, findColumn, formatTableRef, lexicographic, sluiceError } from "@sluice/core";
import { sql } from "kysely";
import { spatialTypes } from "./mysql-logical-type.js";

/**
 * Where the next keyset page starts: the cursor value (null = inside the group of
 * rows whose cursor is NULL; undefined = the plan has no cursor) and the key values
 * of the last row taken. Values are either what mysql2 returned for that row or the
 * canonical text stored in a watermark; {@link bindValue} accepts both.
 */
export interface KeysetBound {
  readonly cursor: SourceValue | undefined;
  readonly keys: readonly SourceValue[];
}

export type { SqlStatement } from "@sluice/core";

const table = (spec: TableSpec): SqlFragment => sql.id(spec.ref.schema, spec.ref.table);
const ident = (name: string): SqlFragment => sql.id(name);
const limitText = (limit: number): SqlFragment => sql.raw(String(Math.trunc(limit)));
const where = (parts: readonly SqlFragment[]): SqlFragment =>
  parts.length === 0 ? sql`` : sql` WHERE ${sql.join(parts, sql` AND `)}`;

/**
 * The SELECT list in spec order. Three kinds of column are not selected as they are:
 * - spatial values as WKB (`ST_AsBinary`), so they stay bytes in a standard format;
 * - FLOAT times `1e0`: the server prints FLOAT in the text protocol with 6 significant
 *   digits (16777216 arrives as 16777200), while the DOUBLE it widens to exactly is
 *   printed in full (shortest round trip). `* 1e0` rather than CAST(... AS DOUBLE),
 *   which older MySQL lacks; it keeps the sign of -0 and NULL;
 * - FLOAT and DOUBLE as the server's text of the double (`CAST(.. AS CHAR)`, the
 *   same digits the text protocol sends), which the encoder reads with `Number()`,
 *   correctly rounded. mysql2 parses a DOUBLE of at most 17 characters itself by
 *   repeated x10, which is inexact once the digits exceed 2^53: 9.999999999999999
 *   arrived as 10 and 99999999.99999999 as 100000000 (mysql2 3.24 to 3.26; ADR 0029).
 */
export function selectList(spec: TableSpec): SqlFragment {
  return sql.join(
    spec.columns.map((column) => {
      const name = ident(column.name);
      if (spatialTypes.has(column.sourceType.toLowerCase())) return sql`ST_AsBinary(${name}) AS ${name}`;
      if (column.logical.kind === "float") return sql`CAST((${name} * 1e0) AS CHAR) AS ${name}`;
      if (column.logical.kind === "double") return sql`CAST(${name} AS CHAR) AS ${name}`;
      return name;
    }),
  );
}

/**
 * One keyset page:
 * `SELECT cols FROM t WHERE (c > ? OR (c = ? AND k1 > ?) OR ...) AND c < ?ceiling ORDER BY c, k1.. LIMIT n`.
 * The expanded OR form (core `lexicographic`), not `(c, k) > (?, ?)`: MariaDB 10.11
 * does not use the (c, k) index for the row constructor and scans instead.
 * `cursor-groups` plans have no key columns: the page is `c > ? ... ORDER BY c`.
 */
export function keysetPageQuery(
  spec: TableSpec,
  plan: ExtractPlan,
  bound: KeysetBound | null,
  limit: number,
): SqlStatement {
  const order = [...(plan.cursorColumn === null ? [] : [plan.cursorColumn]), ...plan.keyColumns].map(ident);
  return compileMysql(
    sql`SELECT ${selectList(spec)} FROM ${table(spec)}${where(keysetWhere(spec, plan, bound))} ORDER BY ${sql.join(order)} LIMIT ${limitText(limit)}`,
  );
}

/**
 * One page of an initial snapshot (`plan.snapshot`): the rows below the ceiling in
 * primary-key order, strictly after the last key taken:
 * `SELECT cols FROM t FORCE INDEX (PRIMARY) WHERE (k1 > ? OR ...) AND c < ? ORDER BY k1.. LIMIT n`.
 * A range scan of the clustered index (the first page, with no key bound, reads it
 * from its first entry and stops at the LIMIT). The hint is needed: MariaDB 10.11
 * prefers a range on the cursor index plus a filesort for `c < ?` with
 * `ORDER BY pk LIMIT n` (measured on the benchmark table), which would sort every
 * remaining row below the ceiling for each page. `limit: "probe"` selects only the key
 * of the next row (LIMIT 1): whether a run cut by --limit left anything of the snapshot.
 */
export function snapshotPageQuery(
  spec: TableSpec,
  plan: ExtractPlan,
  afterKeys: readonly SourceValue[] | null,
  limit: number | "probe",
): SqlStatement {
  const keys = sql.join((plan.snapshot?.keyColumns ?? []).map((name) => ident(columnOf(spec, name).name)));
  const select = limit === "probe" ? keys : selectList(spec);
  return compileMysql(
    sql`SELECT ${select} FROM ${table(spec)} FORCE INDEX (PRIMARY)${where(snapshotWhere(spec, plan, afterKeys))} ORDER BY ${keys} LIMIT ${limitText(limit === "probe" ? 1 : limit)}`,
  );
}

/**
 * The end of a complete initial snapshot: the largest (cursor, key) row below its
 * ceiling, `SELECT c, k.. FROM t WHERE c < ? ORDER BY c DESC, k DESC LIMIT 1`, one
 * backward probe of the cursor index. Its position is where the incremental runs start.
 */
export function snapshotEndQuery(spec: TableSpec, plan: ExtractPlan): SqlStatement {
  if (plan.cursorColumn === null || plan.ceiling === null) {
    throw sluiceError("internal", `${formatTableRef(spec.ref)}: a snapshot end needs a cursor and a ceiling`);
  }
  const cursor = columnOf(spec, plan.cursorColumn);
  const columns = [cursor, ...plan.keyColumns.map((name) => columnOf(spec, name))].map((column) =>
    ident(column.name),
  );
  return compileMysql(
    sql`SELECT ${sql.join(columns)} FROM ${table(spec)} WHERE ${ident(cursor.name)} < ${mysqlPlaceholder(cursor, bindValue(cursor, plan.ceiling))} ORDER BY ${sql.join(columns.map((column) => sql`${column} DESC`))} LIMIT 1`,
  );
}

function snapshotWhere(
  spec: TableSpec,
  plan: ExtractPlan,
  afterKeys: readonly SourceValue[] | null,
): SqlFragment[] {
  const tableText = formatTableRef(spec.ref);
  const read = plan.snapshot;
  if (!read || read.keyColumns.length === 0 || plan.cursorColumn === null || plan.ceiling === null) {
    throw sluiceError(
      "internal",
      `${tableText}: an initial-snapshot plan needs key columns, a cursor column and a ceiling`,
    );
  }
  const keys = read.keyColumns.map((name) => columnOf(spec, name));
  const cursor = columnOf(spec, plan.cursorColumn);
  const parts: SqlFragment[] = [];
  if (afterKeys) {
    if (afterKeys.length !== keys.length) {
      throw sluiceError(
        "internal",
        `${tableText}: snapshot bound has ${afterKeys.length} key value(s) for ${keys.length} key column(s)`,
      );
    }
    parts.push(lexicographic(keys.map(sourceKeyColumn), afterKeys, ">"));
  }
  const through = read.throughKey ?? null;
  if (through) {
    if (through.length !== keys.length) {
      throw sluiceError(
        "internal",
        `${tableText}: snapshot range ends at ${through.length} key value(s) for ${keys.length} key column(s)`,
      );
    }
    parts.push(lexicographic(keys.map(sourceKeyColumn), through, "<="));
  }
  // NULL cursors are never below the ceiling: they follow the plan's NULL policy.
  parts.push(sql`${ident(cursor.name)} < ${mysqlPlaceholder(cursor, bindValue(cursor, plan.ceiling))}`);
  return parts;
}

/** `SELECT COUNT(*)` over the same bounds as the plan's pages (ignores the limit). */
export function keysetCountQuery(spec: TableSpec, plan: ExtractPlan | undefined): SqlStatement {
  const parts = !plan
    ? []
    : plan.snapshot
      ? snapshotWhere(spec, plan, plan.snapshot.afterKey)
      : keysetWhere(spec, plan, boundOfPosition(plan));
  return compileMysql(sql`SELECT COUNT(*) AS n FROM ${table(spec)}${where(parts)}`);
}

/**
 * One page of the NULL-cursor pass (`nullCursor: "oldest"`): rows whose cursor is NULL,
 * in key order, strictly after `afterKeys`. An index on the cursor serves it as a `ref`
 * lookup on NULL, already in key order (InnoDB appends the key).
 */
export function nullCursorPageQuery(
  spec: TableSpec,
  plan: ExtractPlan,
  keyColumns: readonly string[],
  afterKeys: readonly SourceValue[] | null,
  limit: number,
): SqlStatement {
  const cursor = columnOf(spec, plan.cursorColumn as string);
  const keys = keyColumns.map((name) => columnOf(spec, name));
  const parts = [sql`${ident(cursor.name)} IS NULL`];
  if (afterKeys) parts.push(lexicographic(keys.map(sourceKeyColumn), afterKeys, ">"));
  return compileMysql(
    sql`SELECT ${selectList(spec)} FROM ${table(spec)}${where(parts)} ORDER BY ${sql.join(keys.map((key) => ident(key.name)))} LIMIT ${limitText(limit)}`,
  );
}

/** `SELECT COUNT(*) ... WHERE cursor IS NULL`: the rows a `skip` policy leaves out. */
export function nullCursorCountQuery(spec: TableSpec, cursorColumn: string): SqlStatement {
  return compileMysql(
    sql`SELECT COUNT(*) AS n FROM ${table(spec)} WHERE ${ident(columnOf(spec, cursorColumn).name)} IS NULL`,
  );
}

/**
 * Every row of one group of equal cursor values (`cursor-groups` paging): read whole
 * after a page ended inside it, so ties split across the page boundary are completed.
 */
export function cursorGroupQuery(spec: TableSpec, plan: ExtractPlan, cursorValue: SourceValue): SqlStatement {
  const cursor = columnOf(spec, plan.cursorColumn as string);
  return compileMysql(
    sql`SELECT ${selectList(spec)} FROM ${table(spec)} WHERE ${ident(cursor.name)} = ${mysqlPlaceholder(cursor, bindValue(cursor, cursorValue))}`,
  );
}

/** The largest key tuple (`ORDER BY k1 DESC, k2 DESC LIMIT 1`): one backward index probe. */
export function maxKeyQuery(spec: TableSpec, keyColumns: readonly string[]): SqlStatement {
  const keys = keyColumns.map((name) => ident(columnOf(spec, name).name));
  return compileMysql(
    sql`SELECT ${sql.join(keys)} FROM ${table(spec)} ORDER BY ${sql.join(keys.map((key) => sql`${key} DESC`))} LIMIT 1`,
  );
}

/** The smallest key tuple (`ORDER BY k1, k2 LIMIT 1`): one forward index probe. */
export function minKeyQuery(spec: TableSpec, keyColumns: readonly string[]): SqlStatement {
  const keys = keyColumns.map((name) => ident(columnOf(spec, name).name));
  return compileMysql(sql`SELECT ${sql.join(keys)} FROM ${table(spec)} ORDER BY ${sql.join(keys)} LIMIT 1`);
}

/**
 * The largest key tuple whose leading column is at most `leadingAtMost`, strictly after
 * `after` when given: `SELECT k1, k2.. FROM t FORCE INDEX (PRIMARY) WHERE (k1 > ? OR ..)
 * AND k1 <= ? ORDER BY k1 DESC, k2 DESC.. LIMIT 1`, one backward probe of the clustered
 * index. Where a snapshot of a composite key is cut by its leading integer column, this
 * is the last row of a range: a real tuple to end the range at, and the lower bound keeps
 * successive ends strictly increasing without comparing tuples (collations) in JavaScript.
 */
export function lastKeyUpToQuery(
  spec: TableSpec,
  keyColumns: readonly string[],
  after: readonly string[] | null,
  leadingAtMost: string,
): SqlStatement {
  const columns = keyColumns.map((name) => columnOf(spec, name));
  const [leading] = columns;
  if (!leading) {
    throw sluiceError("internal", `${formatTableRef(spec.ref)}: a key probe needs at least one key column`);
  }
  if (after && after.length !== columns.length) {
    throw sluiceError(
      "internal",
      `${formatTableRef(spec.ref)}: key probe bound has ${after.length} value(s) for ${columns.length} key column(s)`,
    );
  }
  const keys = columns.map((column) => ident(column.name));
  const parts: SqlFragment[] = [];
  if (after) parts.push(lexicographic(columns.map(sourceKeyColumn), after, ">"));
  parts.push(sql`${ident(leading.name)} <= ${mysqlPlaceholder(leading, bindValue(leading, leadingAtMost))}`);
  return compileMysql(
    sql`SELECT ${sql.join(keys)} FROM ${table(spec)} FORCE INDEX (PRIMARY)${where(parts)} ORDER BY ${sql.join(keys.map((key) => sql`${key} DESC`))} LIMIT 1`,
  );
}

/** A plan without cursor and key (full snapshot of a table without a primary key): one streamed scan. */
export function wholeTableQuery(spec: TableSpec): SqlStatement {
  return compileMysql(sql`SELECT ${selectList(spec)} FROM ${table(spec)}`);
}

/** The plan's stored position as a bound, or null for a first run. */
export function boundOfPosition(plan: ExtractPlan): KeysetBound | null {
  if (!plan.after) return null;
  return {
    cursor: plan.cursorColumn === null ? undefined : plan.after.cursorValue,
    keys: plan.after.keyValues,
  };
}

/** A source column in a keyset comparison: itself, and a driver value through {@link bindValue}. */
function sourceKeyColumn(column: ColumnSpec): OrderedKeyColumn<SourceValue> {
  return {
    expression: ident(column.name),
    bind: (value) => mysqlPlaceholder(column, bindValue(column, value)),
  };
}

function keysetWhere(spec: TableSpec, plan: ExtractPlan, bound: KeysetBound | null): SqlFragment[] {
  const parts: SqlFragment[] = [];
  const keys = plan.keyColumns.map((name) => columnOf(spec, name));
  const cursor = plan.cursorColumn === null ? null : columnOf(spec, plan.cursorColumn);
  // With an explicit NULL policy the ordered pass never holds NULL cursors (they are
  // skipped, or read by their own pass); without one, NULLs sort first (legacy plans).
  const datedOnly = plan.nullCursor !== undefined;

  if (bound) {
    if (bound.keys.length !== keys.length) {
      throw sluiceError(
        "internal",
        `${formatTableRef(spec.ref)}: keyset bound has ${bound.keys.length} key value(s) for ${keys.length} key column(s)`,
      );
    }
    if (!cursor) {
      parts.push(lexicographic(keys.map(sourceKeyColumn), bound.keys, ">"));
    } else if (bound.cursor === null || bound.cursor === undefined) {
      const c = ident(cursor.name);
      if (datedOnly) parts.push(sql`${c} IS NOT NULL`);
      // Inside the NULL group (NULL sorts first): the rest of it, then every dated row.
      else
        parts.push(
          sql`((${c} IS NULL AND ${lexicographic(keys.map(sourceKeyColumn), bound.keys, ">")}) OR ${c} IS NOT NULL)`,
        );
    } else {
      // (cursor, keys..) after (bound cursor, bound keys..): one lexicographic comparison.
      parts.push(lexicographic([cursor, ...keys].map(sourceKeyColumn), [bound.cursor, ...bound.keys], ">"));
    }
  }
  if (cursor && plan.ceiling !== null) {
    const c = ident(cursor.name);
    const ceiling = mysqlPlaceholder(cursor, bindValue(cursor, plan.ceiling));
    // Legacy plans: NULL cursors are not "at or after" the ceiling: they belong to the NULL group.
    parts.push(
      cursor.nullable && !datedOnly ? sql`(${c} IS NULL OR ${c} < ${ceiling})` : sql`${c} < ${ceiling}`,
    );
  } else if (cursor && datedOnly && !bound && cursor.nullable) {
    parts.push(sql`${ident(cursor.name)} IS NOT NULL`);
  }
  if (!cursor && plan.keyCeiling && keys.length > 0) {
    // Key tuples up to and including the ceiling.
    parts.push(lexicographic(keys.map(sourceKeyColumn), plan.keyCeiling, "<="));
  }
  return parts;
}

/**
 * A bound value compared with `column`. Integers and decimals are cast from text:
 * MySQL compares a string with a number as DOUBLE, which is inexact above 2^53; a
 * constant CAST keeps the comparison exact and the index usable.
 */
export function mysqlPlaceholder(column: ColumnSpec, value: unknown): SqlFragment {
  const logical = column.logical;
  if (logical.kind === "integer") {
    return logical.unsigned ? sql`CAST(${value} AS UNSIGNED)` : sql`CAST(${value} AS SIGNED)`;
  }
  if (logical.kind === "decimal") {
    return sql`CAST(${value} AS DECIMAL(${sql.raw(`${Math.trunc(logical.precision)},${Math.trunc(logical.scale)}`)}))`;
  }
  return sql`${value}`;
}

/** A bound value for the driver: binary keys from hex text to bytes, the rest as given. */
export function bindValue(column: ColumnSpec, value: SourceValue): unknown {
  if (value === null) return null;
  const kind = column.logical.kind;
  if ((kind === "binary" || kind === "bit") && typeof value === "string") return Buffer.from(value, "hex");
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (typeof value === "bigint") return value.toString();
  if ((kind === "float" || kind === "double") && typeof value === "string") return Number(value);
  return value;
}

/**
 * The canonical text of a value as it came from the driver (binary as lowercase hex,
 * numbers in decimal): the inverse of {@link bindValue}, and what the watermark stores.
 */
export function canonicalValueText(value: SourceValue | undefined): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "bigint") return String(value);
  return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("hex");
}

/** Position of a column in `spec.columns` (= in each extracted row). */
export function columnIndex(spec: TableSpec, name: string): number {
  const index = spec.columns.findIndex((column) => column.name === name);
  if (index < 0) {
    throw sluiceError(
      "schema",
      `${formatTableRef(spec.ref)} has no column ${name}, which the extract plan orders by`,
    );
  }
  return index;
}

function columnOf(spec: TableSpec, name: string): ColumnSpec {
  const column = findColumn(spec, name);
  if (!column) {
    throw sluiceError(
      "schema",
      `${formatTableRef(spec.ref)} has no column ${name}, which the extract plan orders by`,
    );
  }
  return column;
}
