import { type SluiceError, sluiceError } from "@sluice/core";
import type { ColumnDefinition } from "./create-table-sql.js";
import type { RunColumn } from "./run-columns.js";
import { formatWarehouseTable, qualifiedName, quoteIdentifier, type WarehouseTable } from "./sql-text.js";
import type { CatalogColumn } from "./target-catalog.js";
import { type DialectOrName, dialectOf, type WarehouseSqlDialect } from "./warehouse-dialect.js";
import { typeHolds, type WarehouseType, widenedType } from "./warehouse-type.js";

/** A target column whose type must grow to hold a run's values. */
export interface TypeChange {
  readonly column: string;
  readonly from: CatalogColumn;
  readonly to: WarehouseType;
  readonly toText: string;
}

/**
 * What must change in an existing target before a run can be merged into it BY NAME.
 * Empty lists mean the target already holds the run as it is.
 */
export interface EvolutionPlan {
  /** Columns the target lacks (added in MySQL): appended, nullable. */
  readonly addColumns: readonly RunColumn[];
  /** Columns whose type must widen (VARCHAR(50)->(200), INTEGER->BIGINT, DECIMAL(10,2)->(12,2), ...). */
  readonly typeChanges: readonly TypeChange[];
  /**
   * NOT NULL columns that must accept NULL: nullable in the run, or missing from it
   * (dropped in MySQL: new rows get NULL there).
   */
  readonly relaxNotNull: readonly string[];
  /** The target's columns after the change, in table order (existing first, then added). */
  readonly finalColumns: readonly ColumnDefinition[];
}

export function isEmptyPlan(plan: EvolutionPlan): boolean {
  return plan.addColumns.length === 0 && plan.typeChanges.length === 0 && plan.relaxNotNull.length === 0;
}

/**
 * Compares a run's columns with the existing target by name. Missing columns are added;
 * a narrower target type is widened when one type holds both (same family); a target
 * type that already holds the run's is kept (files staged before a widening, or a
 * column narrowed in MySQL, still load); anything else stops the table with a `schema`
 * error naming the table, the column, both types and the fix.
 */
export function planSchemaEvolution(
  dialect: DialectOrName,
  source: string,
  runId: string,
  target: WarehouseTable,
  run: readonly RunColumn[],
  existing: readonly CatalogColumn[],
): EvolutionPlan | SluiceError {
  const sqlDialect = dialectOf(dialect);
  const byName = new Map(run.map((column) => [column.name, column]));
  const typeChanges: TypeChange[] = [];
  const relaxNotNull: string[] = [];
  const finalColumns: ColumnDefinition[] = [];
  for (const column of existing) {
    const wanted = byName.get(column.name);
    let type = column.type;
    if (wanted && !typeHolds(column.type, wanted.type)) {
      const widened = widenedType(column.type, wanted.type, sqlDialect.maxDecimalPrecision);
      if (widened === null) return cannotWiden(sqlDialect, source, runId, target, column, wanted);
      type = widened;
      typeChanges.push({
        column: column.name,
        from: column,
        to: widened,
        toText: sqlDialect.renderType(widened),
      });
    }
    const mustAcceptNull = wanted === undefined || wanted.nullable;
    if (!column.nullable && mustAcceptNull) relaxNotNull.push(column.name);
    finalColumns.push({
      name: column.name,
      type: sqlDialect.renderType(type),
      notNull: !column.nullable && !mustAcceptNull,
    });
  }
  const have = new Set(existing.map((column) => column.name));
  const addColumns = run.filter((column) => !have.has(column.name));
  for (const column of addColumns)
    finalColumns.push({ name: column.name, type: column.typeText, notNull: false });
  return { addColumns, typeChanges, relaxNotNull, finalColumns };
}

function cannotWiden(
  dialect: WarehouseSqlDialect,
  source: string,
  runId: string,
  target: WarehouseTable,
  column: CatalogColumn,
  wanted: RunColumn,
): SluiceError {
  const table = qualifiedName(target);
  const renamed = quoteIdentifier(`${column.name}_old`);
  // Two exact numerics fail to widen only past the dialect's DECIMAL precision.
  const decimalLimit =
    wanted.type.kind === "decimal" && column.type.kind === "decimal"
      ? ` (a type holding both would need more than ${dialect.maxDecimalPrecision} digits)`
      : "";
  return sluiceError(
    "schema",
    `${source} run ${runId}: target ${formatWarehouseTable(target)} column "${column.name}" is ${column.typeText.toUpperCase()} but the run carries ${wanted.typeText} (MySQL ${wanted.source.sourceType}), which it cannot hold and cannot be widened to${decimalLimit}; sluice only widens within a type family. Fix: keep the old values under another name with ALTER TABLE ${table} RENAME COLUMN ${quoteIdentifier(column.name)} TO ${renamed} (the next run adds "${column.name}" with the new type, NULL in older rows), or drop the table and reset the watermark to reload it whole`,
  );
}
