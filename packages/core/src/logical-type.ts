/**
 * The logical type of a column, independent of MySQL, Parquet or the warehouse.
 * Each stage maps it to its own physical representation; keeping one union here
 * is what lets the Parquet schema and the warehouse DDL agree column by column.
 */
export type LogicalType =
  | { readonly kind: "boolean" }
  | { readonly kind: "integer"; readonly bits: 8 | 16 | 32 | 64; readonly unsigned: boolean }
  | { readonly kind: "decimal"; readonly precision: number; readonly scale: number }
  | { readonly kind: "float" }
  | { readonly kind: "double" }
  | { readonly kind: "date" }
  /** DATETIME: a wall-clock value without zone. `fsp` = fractional second digits (0..6). */
  | { readonly kind: "datetime"; readonly fsp: number }
  /** TIMESTAMP: an instant; read with the session time zone pinned to UTC. */
  | { readonly kind: "timestamp"; readonly fsp: number }
  /** TIME can be negative or above 24h, and Redshift cannot load it from Parquet: kept as text. */
  | { readonly kind: "time"; readonly fsp: number }
  | { readonly kind: "year" }
  /** Text; `maxBytes` is the declared maximum length in bytes when known (chars x 4 for utf8mb4). */
  | { readonly kind: "string"; readonly maxBytes: number | null }
  | { readonly kind: "binary"; readonly maxBytes: number | null }
  | { readonly kind: "json" }
  /** BIT(n): carried as an unsigned integer of n bits. */
  | { readonly kind: "bit"; readonly width: number };

export type LogicalKind = LogicalType["kind"];
