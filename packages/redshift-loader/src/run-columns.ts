import type { ColumnSpec, RunManifest } from "@sluice/core";
import { formatWarehouseTable, type WarehouseTable } from "./sql-text.js";
import type { TargetColumnName } from "./target-names.js";
import {
  keepsNotNull,
  redshiftMaxVarbyteBytes,
  redshiftMaxVarcharBytes,
  warehouseColumnType,
} from "./warehouse-column-type.js";
import { parseWarehouseType, renderWarehouseType, type WarehouseType } from "./warehouse-type.js";
import type { WarehouseDialect } from "./warehouse-url.js";

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
}

/**
 * Types for the run's columns: `warehouseColumnType`, with VARCHAR / VARBYTE widths
 * raised to the longest value the run staged (manifest `columnStats`) when that is
 * longer, up to Redshift's limits (a longer value is the pre-flight check's to refuse).
 */
export function runColumnsOf(
  dialect: WarehouseDialect,
  target: WarehouseTable,
  manifest: RunManifest,
  names: readonly TargetColumnName[],
): RunColumn[] {
  const tableName = formatWarehouseTable(target);
  return names.map(({ source, target: name }) => {
    const maxBytes = manifest.columnStats?.[source.name]?.maxBytes ?? null;
    let type = parseWarehouseType(warehouseColumnType(dialect, source, tableName));
    if (maxBytes !== null && (type.kind === "varchar" || type.kind === "varbyte") && type.length !== null) {
      const limit = type.kind === "varchar" ? redshiftMaxVarcharBytes : redshiftMaxVarbyteBytes;
      if (maxBytes > type.length) type = { kind: type.kind, length: Math.min(maxBytes, limit) };
    }
    return {
      source,
      name,
      type,
      typeText: renderWarehouseType(type, dialect),
      nullable: !keepsNotNull(source),
      maxBytes,
    };
  });
}
