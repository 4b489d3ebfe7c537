import type { ColumnSpec, SluiceError, TableSpec } from "@sluice/core";
import { configError, formatTableRef } from "@sluice/core";
import type { TextByteLimit } from "@sluice/parquet-writer";
import { err, ok, type Result } from "neverthrow";
import type { SyncTableOptions } from "./sync-options.js";

/**
 * DECIMAL above this precision has no exact home in Redshift (DECIMAL(38)), nor in
 * most Parquet readers (DuckDB, Spark, Spectrum stop at 38 digits).
 */
export const maxExactDecimalPrecision = 38;

/**
 * Applies the table's type policies to the described columns, before any row is read:
 * DECIMAL(p > 38) either stops the run (`wideDecimals: "fail"`, the default) or is
 * carried as its exact text (`"text"`: a string column in Parquet and the warehouse,
 * the source type kept for messages). Every stage after this one, and every later
 * `--redshift-only` load (the manifest records these columns), sees the mapped type.
 */
export function applyTypePolicies(
  spec: TableSpec,
  options: SyncTableOptions,
): Result<TableSpec, SluiceError> {
  const policy = options.wideDecimals ?? "fail";
  const columns: ColumnSpec[] = [];
  for (const column of spec.columns) {
    const logical = column.logical;
    if (logical.kind !== "decimal" || logical.precision <= maxExactDecimalPrecision) {
      columns.push(column);
      continue;
    }
    if (policy === "fail") {
      const table = formatTableRef(spec.ref);
      return err(
        configError(
          `${table}.${column.name} is ${column.sourceType}, but Redshift DECIMAL (and most Parquet readers) hold at most ${maxExactDecimalPrecision} digits; either carry it as exact text (wideDecimals: "text", --wide-decimals text: VARCHAR in the warehouse), or narrow it in MySQL (ALTER TABLE ${table} MODIFY ${column.name} DECIMAL(${maxExactDecimalPrecision},${Math.min(logical.scale, maxExactDecimalPrecision)}))`,
        ),
      );
    }
    // Sign, digits and decimal point: the longest text MySQL prints for the type.
    const maxBytes = logical.precision + (logical.scale > 0 ? 2 : 1);
    columns.push({ ...column, logical: { kind: "string", maxBytes } });
  }
  return ok(columns.every((column, index) => column === spec.columns[index]) ? spec : { ...spec, columns });
}

/**
 * The byte cap on text values, when this run's parts are bound for a warehouse whose
 * text column holds less than MySQL can send (the warehouse's `maxTextBytes`: Redshift
 * VARCHAR, 65,535 bytes, and COPY from Parquet cannot truncate): only then. A
 * PostgreSQL target (text holds 1 GB) and `--backup-only` keep the lake exact; the run
 * manifest's `columnStats.maxBytes` still tells a later Redshift load how long the
 * longest value is, and its pre-flight check refuses what does not fit.
 */
export function textLimitFor(options: SyncTableOptions): TextByteLimit | undefined {
  const maxBytes = options.warehouse?.connection.maxTextBytes ?? null;
  if (maxBytes === null) return undefined;
  return { maxBytes, policy: options.oversizeText ?? "fail" };
}
