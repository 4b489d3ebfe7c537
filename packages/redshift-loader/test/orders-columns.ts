import type { ColumnSpec, LogicalType } from "@sluice/core";

const column = (name: string, sourceType: string, logical: LogicalType, nullable = true): ColumnSpec => ({
  name,
  sourceType,
  logical,
  nullable,
});

/** One column of every logical type, as the MySQL connector would describe them. */
export const everyTypeColumns: readonly ColumnSpec[] = [
  column("id", "bigint", { kind: "integer", bits: 64, unsigned: false }, false),
  column("qty", "tinyint unsigned", { kind: "integer", bits: 8, unsigned: true }),
  column("tiny", "tinyint", { kind: "integer", bits: 8, unsigned: false }),
  column("small_u", "smallint unsigned", { kind: "integer", bits: 16, unsigned: true }),
  column("medium", "int", { kind: "integer", bits: 32, unsigned: false }),
  column("int_u", "int unsigned", { kind: "integer", bits: 32, unsigned: true }),
  column("big_u", "bigint unsigned", { kind: "integer", bits: 64, unsigned: true }),
  column("amount", "decimal(18,2)", { kind: "decimal", precision: 18, scale: 2 }, false),
  column("ratio", "float", { kind: "float" }),
  column("score", "double", { kind: "double" }),
  column("born", "date", { kind: "date" }, false),
  column("created", "datetime(6)", { kind: "datetime", fsp: 6 }),
  column("updated_at", "timestamp", { kind: "timestamp", fsp: 0 }, false),
  column("dur", "time", { kind: "time", fsp: 0 }),
  column("yr", "year", { kind: "year" }),
  column("name", "varchar(100)", { kind: "string", maxBytes: 400 }, false),
  column("note", "longtext", { kind: "string", maxBytes: null }),
  column("huge", "varchar(65535)", { kind: "string", maxBytes: 262140 }),
  column("blob", "binary(16)", { kind: "binary", maxBytes: 16 }),
  column("doc", "json", { kind: "json" }),
  column("flags", "bit(8)", { kind: "bit", width: 8 }),
  column("flags64", "bit(64)", { kind: "bit", width: 64 }),
  column("active", "tinyint(1)", { kind: "boolean" }),
];
