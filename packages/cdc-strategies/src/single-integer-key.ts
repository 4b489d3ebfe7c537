import type { ColumnSpec, TableSpec } from "@sluice/core";
import { findColumn } from "@sluice/core";

/** The primary key column when the key is exactly one integer column, else null. */
export function singleIntegerKey(spec: TableSpec): ColumnSpec | null {
  if (spec.primaryKey.length !== 1) return null;
  const column = findColumn(spec, spec.primaryKey[0] as string);
  return column?.logical.kind === "integer" ? column : null;
}
