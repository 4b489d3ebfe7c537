import type { ColumnSpec, RunManifest } from "@sluice/core";
import { formatWarehouseTable, type WarehouseTable } from "./sql-text.js";
import type { TargetColumnName } from "./target-names.js";
import { keepsNotNull, redshiftMaxVarbyteBytes, redshiftMaxVarcharBytes } from "./warehouse-column-type.js";
import { type DialectOrName, dialectOf } from "./warehouse-dialect.js";
import { parseWarehouseType, type WarehouseType } from "./warehouse-type.js";

/**
 * One column of a staged run as the loader uses it: the manifest's column, its
 * warehouse name, and the type that holds every value the run staged. That type
 * shapes the run's staging table (which COPY fills by position, in file order) and
 * is what the target column must hold (checked by name).
 */
export interface RunColumn {
  readonly source: ColumnSpec;
  readonly name: string;
  readonly type: WarehouseType;
  /** DDL text of `type` in the dialect's spelling. */
  readonly typeText: string;
  /** False when the target may keep NOT NULL (see `keepsNotNull`). */
  readonly nullable: boolean;
  /** Longest staged value in bytes (manifest columnStats), null when unknown. */
  readonly maxBytes: number | null;
  /**
   * The staging column's type when it differs from `type`, with the expression that
   * turns it into the target's. Only JSON where the dialect `stagesJsonAsText`
   * (Redshift: COPY puts a Parquet string into a SUPER column as a string scalar), so
   * the text is staged as VARCHAR and parsed by JSON_PARSE in the merge.
   */
  readonly staged: { readonly type: WarehouseType; readonly typeText: string; readonly parse: "json" } | null;
}

/**
 * Types for the run's columns: `warehouseColumnType`, with VARCHAR / VARBYTE widths
 * raised to the longest value the run staged (manifest `columnStats`) when that is
 * longer, up to Redshift's limits (a longer value is the pre-flight check's to refuse).
 */
export function runColumnsOf(
  dialect: DialectOrName,
  target: WarehouseTable,
  manifest: RunManifest,
  names: readonly TargetColumnName[],
): RunColumn[] {
  const sqlDialect = dialectOf(dialect);
  const tableName = formatWarehouseTable(target);
  return names.map(({ source, target: name }) => {
    const maxBytes = manifest.columnStats?.[source.name]?.maxBytes ?? null;
    let type = parseWarehouseType(sqlDialect.columnType(source, tableName));
    if (maxBytes !== null && (type.kind === "varchar" || type.kind === "varbyte") && type.length !== null) {
      const limit = type.kind === "varchar" ? redshiftMaxVarcharBytes : redshiftMaxVarbyteBytes;
      if (maxBytes > type.length) type = { kind: type.kind, length: Math.min(maxBytes, limit) };
    }
    let staged: RunColumn["staged"] = null;
    if (sqlDialect.stagesJsonAsText && source.logical.kind === "json") {
      // Capped at VARCHAR's limit: a longer document is the pre-flight check's to refuse.
      const stagedType: WarehouseType = {
        kind: "varchar",
        length: Math.max(1, Math.min(maxBytes ?? redshiftMaxVarcharBytes, redshiftMaxVarcharBytes)),
      };
      staged = { type: stagedType, typeText: sqlDialect.renderType(stagedType), parse: "json" };
    }
    return {
      source,
      name,
      type,
      typeText: sqlDialect.renderType(type),
      nullable: !keepsNotNull(source),
      maxBytes,
      staged,
    };
  });
}
