import type { ColumnSpec, LogicalType, TableSpec } from "@sluice/core";

export function column(name: string, logical: LogicalType, extra: Partial<ColumnSpec> = {}): ColumnSpec {
  return { name, sourceType: logical.kind, logical, nullable: false, ...extra };
}

export const bigintKey: LogicalType = { kind: "integer", bits: 64, unsigned: false };
export const datetime6: LogicalType = { kind: "datetime", fsp: 6 };
export const timestamp0: LogicalType = { kind: "timestamp", fsp: 0 };
export const text: LogicalType = { kind: "string", maxBytes: 400 };

export function spec(columns: ColumnSpec[], primaryKey: string[]): TableSpec {
  return { ref: { schema: "shop", table: "orders" }, columns, primaryKey, indexes: [] };
}
