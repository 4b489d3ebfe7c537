import type { ColumnSpec, ExtractPlan, SourceValue, TableSpec } from "@sluice/core";
import { findColumn, formatTableRef, sluiceError } from "@sluice/core";
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

export interface SqlStatement {
  readonly sql: string;
  readonly values: unknown[];
}

export function quoteIdentifier(name: string): string {
  return `\`${name.replaceAll("`", "``")}\``;
}

export function qualifiedName(spec: TableSpec): string {
  return `${quoteIdentifier(spec.ref.schema)}.${quoteIdentifier(spec.ref.table)}`;
}

/**
 * The SELECT list in spec order. Two kinds of column are not selected as they are:
 * - spatial values as WKB (`ST_AsBinary`), so they stay bytes in a standard format;
 * - FLOAT times `1e0`: the server prints FLOAT in the text protocol with 6 significant
 *   digits (16777216 arrives as 16777200), while the DOUBLE it widens to exactly is
 *   printed in full (shortest round trip). `* 1e0` rather than CAST(... AS DOUBLE),
 *   which older MySQL lacks; it keeps the sign of -0 and NULL.
 */
export function selectList(spec: TableSpec): string {
  return spec.columns
    .map((column) => {
      const name = quoteIdentifier(column.name);
      if (spatialTypes.has(column.sourceType.toLowerCase())) return `ST_AsBinary(${name}) AS ${name}`;
      if (column.logical.kind === "float") return `(${name} * 1e0) AS ${name}`;
      return name;
    })
    .join(", ");
}

/**
 * One keyset page:
 * `SELECT cols FROM t WHERE (c > ? OR (c = ? AND k1 > ?) OR ...) AND c < ?ceiling ORDER BY c, k1.. LIMIT n`.
 * The expanded OR form, not `(c, k) > (?, ?)`: MariaDB 10.11 does not use the
 * (c, k) index for the row constructor and scans instead (ARCHITECTURE, measured).
 * `cursor-groups` plans have no key columns: the page is `c > ? ... ORDER BY c`.
 */
export function keysetPageQuery(
  spec: TableSpec,
  plan: ExtractPlan,
  bound: KeysetBound | null,
  limit: number,
): SqlStatement {
  const where = keysetWhere(spec, plan, bound);
  const order = [...(plan.cursorColumn === null ? [] : [plan.cursorColumn]), ...plan.keyColumns]
    .map(quoteIdentifier)
    .join(", ");
  return {
    sql: `SELECT ${selectList(spec)} FROM ${qualifiedName(spec)}${where.sql ? ` WHERE ${where.sql}` : ""} ORDER BY ${order} LIMIT ${Math.trunc(limit)}`,
    values: where.values,
  };
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
  const where = snapshotWhere(spec, plan, afterKeys);
  const keys = (plan.snapshot?.keyColumns ?? []).map((name) => quoteIdentifier(columnOf(spec, name).name));
  const select = limit === "probe" ? keys.join(", ") : selectList(spec);
  return {
    sql: `SELECT ${select} FROM ${qualifiedName(spec)} FORCE INDEX (PRIMARY) WHERE ${where.sql} ORDER BY ${keys.join(", ")} LIMIT ${limit === "probe" ? 1 : Math.trunc(limit)}`,
    values: where.values,
  };
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
    quoteIdentifier(column.name),
  );
  return {
    sql: `SELECT ${columns.join(", ")} FROM ${qualifiedName(spec)} WHERE ${quoteIdentifier(cursor.name)} < ${placeholder(cursor)} ORDER BY ${columns.map((column) => `${column} DESC`).join(", ")} LIMIT 1`,
    values: [bindValue(cursor, plan.ceiling)],
  };
}

function snapshotWhere(
  spec: TableSpec,
  plan: ExtractPlan,
  afterKeys: readonly SourceValue[] | null,
): SqlStatement {
  const table = formatTableRef(spec.ref);
  const read = plan.snapshot;
  if (!read || read.keyColumns.length === 0 || plan.cursorColumn === null || plan.ceiling === null) {
    throw sluiceError(
      "internal",
      `${table}: an initial-snapshot plan needs key columns, a cursor column and a ceiling`,
    );
  }
  const keys = read.keyColumns.map((name) => columnOf(spec, name));
  const cursor = columnOf(spec, plan.cursorColumn);
  const values: unknown[] = [];
  const parts: string[] = [];
  if (afterKeys) {
    if (afterKeys.length !== keys.length) {
      throw sluiceError(
        "internal",
        `${table}: snapshot bound has ${afterKeys.length} key value(s) for ${keys.length} key column(s)`,
      );
    }
    parts.push(lexicographicAfter(keys, afterKeys, values));
  }
  // NULL cursors are never below the ceiling: they follow the plan's NULL policy.
  parts.push(`${quoteIdentifier(cursor.name)} < ${placeholder(cursor)}`);
  values.push(bindValue(cursor, plan.ceiling));
  return { sql: parts.join(" AND "), values };
}

/** `SELECT COUNT(*)` over the same bounds as the plan's pages (ignores the limit). */
export function keysetCountQuery(spec: TableSpec, plan: ExtractPlan | undefined): SqlStatement {
  const where = !plan
    ? { sql: "", values: [] }
    : plan.snapshot
      ? snapshotWhere(spec, plan, plan.snapshot.afterKey)
      : keysetWhere(spec, plan, boundOfPosition(plan));
  return {
    sql: `SELECT COUNT(*) AS n FROM ${qualifiedName(spec)}${where.sql ? ` WHERE ${where.sql}` : ""}`,
    values: where.values,
  };
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
  const values: unknown[] = [];
  const parts = [`${quoteIdentifier(cursor.name)} IS NULL`];
  if (afterKeys) parts.push(lexicographicAfter(keys, afterKeys, values));
  return {
    sql: `SELECT ${selectList(spec)} FROM ${qualifiedName(spec)} WHERE ${parts.join(" AND ")} ORDER BY ${keys.map((key) => quoteIdentifier(key.name)).join(", ")} LIMIT ${Math.trunc(limit)}`,
    values,
  };
}

/** `SELECT COUNT(*) ... WHERE cursor IS NULL`: the rows a `skip` policy leaves out. */
export function nullCursorCountQuery(spec: TableSpec, cursorColumn: string): SqlStatement {
  return {
    sql: `SELECT COUNT(*) AS n FROM ${qualifiedName(spec)} WHERE ${quoteIdentifier(columnOf(spec, cursorColumn).name)} IS NULL`,
    values: [],
  };
}

/**
 * Every row of one group of equal cursor values (`cursor-groups` paging): read whole
 * after a page ended inside it, so ties split across the page boundary are completed.
 */
export function cursorGroupQuery(spec: TableSpec, plan: ExtractPlan, cursorValue: SourceValue): SqlStatement {
  const cursor = columnOf(spec, plan.cursorColumn as string);
  return {
    sql: `SELECT ${selectList(spec)} FROM ${qualifiedName(spec)} WHERE ${quoteIdentifier(cursor.name)} = ${placeholder(cursor)}`,
    values: [bindValue(cursor, cursorValue)],
  };
}

/** The largest key tuple (`ORDER BY k1 DESC, k2 DESC LIMIT 1`): one backward index probe. */
export function maxKeyQuery(spec: TableSpec, keyColumns: readonly string[]): SqlStatement {
  const keys = keyColumns.map((name) => quoteIdentifier(columnOf(spec, name).name));
  return {
    sql: `SELECT ${keys.join(", ")} FROM ${qualifiedName(spec)} ORDER BY ${keys.map((key) => `${key} DESC`).join(", ")} LIMIT 1`,
    values: [],
  };
}

/** A plan without cursor and key (full snapshot of a table without a primary key): one streamed scan. */
export function wholeTableQuery(spec: TableSpec): SqlStatement {
  return { sql: `SELECT ${selectList(spec)} FROM ${qualifiedName(spec)}`, values: [] };
}

/** The plan's stored position as a bound, or null for a first run. */
export function boundOfPosition(plan: ExtractPlan): KeysetBound | null {
  if (!plan.after) return null;
  return {
    cursor: plan.cursorColumn === null ? undefined : plan.after.cursorValue,
    keys: plan.after.keyValues,
  };
}

function keysetWhere(spec: TableSpec, plan: ExtractPlan, bound: KeysetBound | null): SqlStatement {
  const parts: string[] = [];
  const values: unknown[] = [];
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
      parts.push(lexicographicAfter(keys, bound.keys, values));
    } else if (bound.cursor === null || bound.cursor === undefined) {
      const c = quoteIdentifier(cursor.name);
      if (datedOnly) parts.push(`${c} IS NOT NULL`);
      // Inside the NULL group (NULL sorts first): the rest of it, then every dated row.
      else
        parts.push(
          `((${c} IS NULL AND ${lexicographicAfter(keys, bound.keys, values)}) OR ${c} IS NOT NULL)`,
        );
    } else {
      const c = quoteIdentifier(cursor.name);
      const cursorValue = bindValue(cursor, bound.cursor);
      const branches = [`${c} > ${placeholder(cursor)}`];
      values.push(cursorValue);
      // Equal cursor: fall through to the keys, each branch binding the cursor value again.
      for (const branch of lexicographicBranches(keys, bound.keys)) {
        branches.push(`(${c} = ${placeholder(cursor)} AND ${branch.sql})`);
        values.push(cursorValue, ...branch.values);
      }
      parts.push(branches.length === 1 ? (branches[0] as string) : `(${branches.join(" OR ")})`);
    }
  }
  if (cursor && plan.ceiling !== null) {
    const c = quoteIdentifier(cursor.name);
    // Legacy plans: NULL cursors are not "at or after" the ceiling: they belong to the NULL group.
    parts.push(
      cursor.nullable && !datedOnly
        ? `(${c} IS NULL OR ${c} < ${placeholder(cursor)})`
        : `${c} < ${placeholder(cursor)}`,
    );
    values.push(bindValue(cursor, plan.ceiling));
  } else if (cursor && datedOnly && !bound && cursor.nullable) {
    parts.push(`${quoteIdentifier(cursor.name)} IS NOT NULL`);
  }
  if (!cursor && plan.keyCeiling && keys.length > 0) {
    parts.push(lexicographicAtMost(keys, plan.keyCeiling, values));
  }
  return { sql: parts.join(" AND "), values };
}

/** `(k1 < ? OR (k1 = ? AND k2 <= ?))`: key tuples up to and including `ceiling`. */
function lexicographicAtMost(
  keys: readonly ColumnSpec[],
  ceiling: readonly SourceValue[],
  values: unknown[],
): string {
  const branches = keys.map((key, index) => {
    const terms: string[] = [];
    for (let prefix = 0; prefix < index; prefix += 1) {
      const column = keys[prefix] as ColumnSpec;
      terms.push(`${quoteIdentifier(column.name)} = ${placeholder(column)}`);
      values.push(bindValue(column, ceiling[prefix] ?? null));
    }
    const last = index === keys.length - 1;
    terms.push(`${quoteIdentifier(key.name)} ${last ? "<=" : "<"} ${placeholder(key)}`);
    values.push(bindValue(key, ceiling[index] ?? null));
    return terms.length === 1 ? (terms[0] as string) : `(${terms.join(" AND ")})`;
  });
  return branches.length === 1 ? (branches[0] as string) : `(${branches.join(" OR ")})`;
}

/** `(k1 > ? OR (k1 = ? AND k2 > ?) OR ...)`, pushing its values. */
function lexicographicAfter(
  keys: readonly ColumnSpec[],
  bound: readonly SourceValue[],
  values: unknown[],
): string {
  const branches = lexicographicBranches(keys, bound);
  for (const branch of branches) values.push(...branch.values);
  const sql = branches.map((branch) => branch.sql).join(" OR ");
  return branches.length === 1 ? sql : `(${sql})`;
}

function lexicographicBranches(keys: readonly ColumnSpec[], bound: readonly SourceValue[]): SqlStatement[] {
  return keys.map((key, index) => {
    const terms: string[] = [];
    const values: unknown[] = [];
    for (let prefix = 0; prefix < index; prefix += 1) {
      const column = keys[prefix] as ColumnSpec;
      terms.push(`${quoteIdentifier(column.name)} = ${placeholder(column)}`);
      values.push(bindValue(column, bound[prefix] ?? null));
    }
    terms.push(`${quoteIdentifier(key.name)} > ${placeholder(key)}`);
    values.push(bindValue(key, bound[index] ?? null));
    return { sql: terms.length === 1 ? (terms[0] as string) : `(${terms.join(" AND ")})`, values };
  });
}

/**
 * The placeholder for a value compared with `column`. Integers and decimals are cast
 * from text: MySQL compares a string with a number as DOUBLE, which is inexact above
 * 2^53; a constant CAST keeps the comparison exact and the index usable.
 */
function placeholder(column: ColumnSpec): string {
  const logical = column.logical;
  if (logical.kind === "integer") return logical.unsigned ? "CAST(? AS UNSIGNED)" : "CAST(? AS SIGNED)";
  if (logical.kind === "decimal") return `CAST(? AS DECIMAL(${logical.precision},${logical.scale}))`;
  return "?";
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
