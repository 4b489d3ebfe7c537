import type { LogicalType } from "./logical-type.js";
import type { TableRef } from "./table-ref.js";

export interface ColumnSpec {
  readonly name: string;
  /** The source's own column type, e.g. `decimal(18,2) unsigned`, kept for messages and DDL comments. */
  readonly sourceType: string;
  readonly logical: LogicalType;
  readonly nullable: boolean;
  /**
   * The server itself refreshes this column on every UPDATE (`ON UPDATE CURRENT_TIMESTAMP`),
   * the strongest sign that it can serve as a CDC cursor. Absent when unknown or false.
   */
  readonly onUpdateCurrentTimestamp?: boolean;
}

export interface IndexSpec {
  readonly name: string;
  readonly columns: readonly string[];
  readonly unique: boolean;
}

/** What we know of a table: columns in source ordinal order, its key and indexes. */
export interface TableSpec {
  readonly ref: TableRef;
  readonly columns: readonly ColumnSpec[];
  /** Primary key columns in key order; empty when the table has none. */
  readonly primaryKey: readonly string[];
  readonly indexes: readonly IndexSpec[];
}

export function findColumn(spec: TableSpec, name: string): ColumnSpec | undefined {
  return spec.columns.find((column) => column.name === name);
}
