import { compatSchema } from "./redshift-sql-translation.js";

/**
 * A target column's type as Redshift sees it, recovered from PostgreSQL's
 * `format_type()` of the translated table (SUPER and VARBYTE live on as domains in
 * the `redshift` schema, so their identity and VARBYTE's byte limit survive).
 */
export type TargetType =
  | { readonly kind: "integer"; readonly bits: 16 | 32 | 64 }
  | { readonly kind: "numeric"; readonly precision: number; readonly scale: number }
  | { readonly kind: "real" }
  | { readonly kind: "double" }
  | { readonly kind: "boolean" }
  | { readonly kind: "date" }
  | { readonly kind: "timestamp"; readonly withZone: boolean }
  /** VARCHAR(n) / CHAR(n): n counts bytes in Redshift (PostgreSQL counts characters). */
  | { readonly kind: "character"; readonly maxBytes: number | null; readonly fixed: boolean }
  | { readonly kind: "super" }
  | { readonly kind: "varbyte"; readonly maxBytes: number | null }
  | { readonly kind: "other"; readonly name: string };

export interface TargetColumn {
  readonly name: string;
  readonly type: TargetType;
}

export function parseTargetType(formatted: string): TargetType {
  const text = formatted.toLowerCase();
  const length = /\((\d+)(?:,(\d+))?\)/.exec(text);
  const first = length ? Number(length[1]) : null;
  if (text === "smallint") return { kind: "integer", bits: 16 };
  if (text === "integer") return { kind: "integer", bits: 32 };
  if (text === "bigint") return { kind: "integer", bits: 64 };
  if (text.startsWith("numeric")) {
    return { kind: "numeric", precision: first ?? 18, scale: length?.[2] ? Number(length[2]) : 0 };
  }
  if (text === "real") return { kind: "real" };
  if (text === "double precision") return { kind: "double" };
  if (text === "boolean") return { kind: "boolean" };
  if (text === "date") return { kind: "date" };
  if (text.startsWith("timestamp")) return { kind: "timestamp", withZone: text.includes("with time zone") };
  if (text.startsWith("character varying") || text === "text") {
    return { kind: "character", maxBytes: first, fixed: false };
  }
  if (text.startsWith("character")) return { kind: "character", maxBytes: first ?? 1, fixed: true };
  if (text === `${compatSchema}.super`) return { kind: "super" };
  const varbyte = new RegExp(`^${compatSchema}\\.varbyte_(\\d+)$`).exec(text);
  if (varbyte) return { kind: "varbyte", maxBytes: Number(varbyte[1]) };
  if (text === "bytea") return { kind: "varbyte", maxBytes: null };
  return { kind: "other", name: formatted };
}

/** The Redshift spelling of a target type, for error messages. */
export function redshiftTypeName(type: TargetType): string {
  switch (type.kind) {
    case "integer":
      return type.bits === 16 ? "SMALLINT" : type.bits === 32 ? "INTEGER" : "BIGINT";
    case "numeric":
      return `NUMERIC(${type.precision},${type.scale})`;
    case "real":
      return "REAL";
    case "double":
      return "DOUBLE PRECISION";
    case "boolean":
      return "BOOLEAN";
    case "date":
      return "DATE";
    case "timestamp":
      return type.withZone ? "TIMESTAMPTZ" : "TIMESTAMP";
    case "character":
      return `${type.fixed ? "CHAR" : "VARCHAR"}${type.maxBytes === null ? "" : `(${type.maxBytes})`}`;
    case "super":
      return "SUPER";
    case "varbyte":
      return `VARBYTE${type.maxBytes === null ? "" : `(${type.maxBytes})`}`;
    case "other":
      return type.name.toUpperCase();
  }
}

/** Columns of `table` in order, read through the client's own session (sees its temp tables). */
export function targetColumnsQuery(table: string): string {
  const literal = `'${table.replaceAll("'", "''")}'`;
  return `SELECT attname, format_type(atttypid, atttypmod) FROM pg_catalog.pg_attribute WHERE attrelid = ${literal}::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`;
}
