import type { ExtractPlan, IndexSpec, TableSpec } from "@sluice/core";

/** Whether the plan's queries can run as index range scans, and if not, the index to create. */
export interface IndexAdvice {
  /** The index the queries use (`PRIMARY` for key-only plans); null when none fits. */
  readonly index: string | null;
  /** Columns a fitting index starts with. */
  readonly columns: readonly string[];
  /** `CREATE INDEX ...` to run on the source when no index fits; null otherwise. */
  readonly createIndexSql: string | null;
}

/**
 * Picks the index that serves the plan's ORDER BY and range predicates:
 * - cursor + keys (hybrid): an index whose columns are a prefix of (cursor, ...primary
 *   key). InnoDB appends the primary key to every secondary index, so an index on the
 *   cursor alone already orders by (cursor, pk);
 * - cursor only (`cursor-groups` paging): an index that starts with the cursor;
 * - keys only (id, full): the primary key; a plan without keys (full snapshot of a
 *   table without a primary key) reads the table in one pass and needs no index.
 */
export function indexAdvice(spec: TableSpec, plan: ExtractPlan): IndexAdvice {
  const samePrimaryKey =
    plan.keyColumns.length === spec.primaryKey.length &&
    plan.keyColumns.every((name, index) => spec.primaryKey[index] === name);
  if (plan.cursorColumn === null) {
    if (plan.keyColumns.length === 0) return { index: null, columns: [], createIndexSql: null };
    const wanted = plan.keyColumns;
    const found =
      (samePrimaryKey ? spec.indexes.find((index) => index.name === "PRIMARY") : undefined) ??
      spec.indexes.find((index) => startsWith(index.columns, wanted));
    return found
      ? { index: found.name, columns: wanted, createIndexSql: null }
      : { index: null, columns: wanted, createIndexSql: createIndexSql(spec, wanted) };
  }
  const cursor = plan.cursorColumn;
  const wanted = [cursor, ...(plan.keyColumns.length > 0 ? plan.keyColumns : (plan.dedupColumns ?? []))];
  const fits = (index: IndexSpec): boolean => {
    if (index.columns[0] !== cursor) return false;
    if (plan.keyColumns.length === 0) return true;
    // The index's own columns, then InnoDB's implicit primary key suffix.
    const implicit = [...index.columns, ...spec.primaryKey.filter((name) => !index.columns.includes(name))];
    return startsWith(implicit, wanted);
  };
  const found = spec.indexes.find(fits);
  return found
    ? { index: found.name, columns: wanted, createIndexSql: null }
    : { index: null, columns: wanted, createIndexSql: createIndexSql(spec, wanted) };
}

function startsWith(columns: readonly string[], prefix: readonly string[]): boolean {
  return prefix.every((name, index) => columns[index] === name);
}

const quote = (name: string) => `\`${name.replaceAll("`", "``")}\``;

function createIndexSql(spec: TableSpec, columns: readonly string[]): string {
  const name = `sluice_${spec.ref.table}_${columns[0]}`.replace(/[^A-Za-z0-9_]/g, "_").slice(0, 64);
  return `CREATE INDEX ${quote(name)} ON ${quote(spec.ref.schema)}.${quote(spec.ref.table)} (${columns.map(quote).join(", ")})`;
}
