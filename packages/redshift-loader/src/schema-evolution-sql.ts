import { type CreateTableOptions, renderCreateTableFromDefinitions } from "./create-table-sql.js";
import type { EvolutionPlan } from "./schema-evolution.js";
import { qualifiedName, quoteIdentifier, type WarehouseTable } from "./sql-text.js";
import { type DialectOrName, dialectOf, type WarehouseSqlDialect } from "./warehouse-dialect.js";

/**
 * Redshift VARCHAR widenings that `ALTER TABLE ... ALTER COLUMN ... TYPE` can do in
 * place. AWS allows it for VARCHAR only and never inside a transaction block, nor for
 * key columns (or columns with defaults or BYTEDICT/RUNLENGTH/TEXT255/TEXT32K
 * encodings, which the caller learns by the statement failing). The loader runs these
 * before its transaction; whatever still needs widening afterwards is rebuilt inside it.
 */
export function renderRedshiftVarcharAlters(
  target: WarehouseTable,
  plan: EvolutionPlan,
  primaryKey: readonly string[],
): string[] {
  return plan.typeChanges
    .filter(
      (change) =>
        change.from.type.kind === "varchar" &&
        change.to.kind === "varchar" &&
        !primaryKey.includes(change.column),
    )
    .map(
      (change) =>
        `ALTER TABLE ${qualifiedName(target)} ALTER COLUMN ${quoteIdentifier(change.column)} TYPE ${change.toText}`,
    );
}

/**
 * Statements (inside the load transaction) that apply the plan: ADD COLUMN, ALTER
 * COLUMN ... TYPE, ALTER COLUMN ... DROP NOT NULL where the dialect
 * `altersTypesInTransaction` (PostgreSQL). Otherwise (Redshift) ADD COLUMN when that
 * is all; any type change or NOT NULL relaxation rebuilds the table (see
 * `renderRebuildStatements`), since Redshift cannot change those in place inside a
 * transaction.
 */
export function renderEvolutionStatements(
  dialect: DialectOrName,
  target: WarehouseTable,
  plan: EvolutionPlan,
  primaryKey: readonly string[],
  createOptions: CreateTableOptions,
): string[] {
  const sqlDialect = dialectOf(dialect);
  const table = qualifiedName(target);
  if (rebuildsFor(sqlDialect, plan)) {
    const existing = plan.finalColumns
      .filter((column) => !plan.addColumns.some((added) => added.name === column.name))
      .map((column) => column.name);
    return renderRebuildStatements(sqlDialect, target, plan, existing, primaryKey, createOptions);
  }
  const statements: string[] = [];
  for (const change of plan.typeChanges) {
    statements.push(
      `ALTER TABLE ${table} ALTER COLUMN ${quoteIdentifier(change.column)} TYPE ${change.toText}`,
    );
  }
  for (const column of plan.relaxNotNull) {
    statements.push(`ALTER TABLE ${table} ALTER COLUMN ${quoteIdentifier(column)} DROP NOT NULL`);
  }
  // Redshift allows one ADD COLUMN per ALTER TABLE; PostgreSQL accepts the same form.
  for (const column of plan.addColumns) {
    statements.push(`ALTER TABLE ${table} ADD COLUMN ${quoteIdentifier(column.name)} ${column.typeText}`);
  }
  return statements;
}

/**
 * True when applying the plan rebuilds the table: it changes a type or relaxes a NOT
 * NULL and the dialect cannot do that inside the load transaction.
 */
export function rebuildsFor(dialect: WarehouseSqlDialect, plan: EvolutionPlan): boolean {
  return !dialect.altersTypesInTransaction && (plan.typeChanges.length > 0 || plan.relaxNotNull.length > 0);
}

/** Name of the table a rebuild fills before it takes the target's place. */
export function rebuildTableName(target: WarehouseTable, dialect: DialectOrName): WarehouseTable {
  const suffix = "_sluice_rebuild";
  const encoder = new TextEncoder();
  const { maxIdentifierBytes } = dialectOf(dialect);
  let base = target.name;
  while (encoder.encode(base + suffix).length > maxIdentifierBytes) base = [...base].slice(0, -1).join("");
  return { schema: target.schema, name: base + suffix };
}

/**
 * Rebuilds the target with the plan's final columns, keeping column order: CREATE the
 * new table (same order, widened types, relaxed NOT NULL, added columns at the end,
 * the configured DISTSTYLE/SORTKEY/ENCODE), copy every row, drop the old table, rename
 * the new one. Run inside the load transaction, so readers see the old table or the
 * new one, never neither. Privileges granted on the old table and views bound to it do
 * not carry over (ALTER DEFAULT PRIVILEGES and late-binding views do).
 */
export function renderRebuildStatements(
  dialect: DialectOrName,
  target: WarehouseTable,
  plan: EvolutionPlan,
  existingColumns: readonly string[],
  primaryKey: readonly string[],
  createOptions: CreateTableOptions,
): string[] {
  const rebuilt = rebuildTableName(target, dialect);
  const list = existingColumns.map(quoteIdentifier).join(", ");
  return [
    renderCreateTableFromDefinitions(dialect, rebuilt, plan.finalColumns, primaryKey, createOptions),
    `INSERT INTO ${qualifiedName(rebuilt)} (${list})\nSELECT ${list}\nFROM ${qualifiedName(target)}`,
    `DROP TABLE ${qualifiedName(target)}`,
    `ALTER TABLE ${qualifiedName(rebuilt)} RENAME TO ${quoteIdentifier(target.name)}`,
  ];
}
