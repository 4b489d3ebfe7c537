import { type ColumnSpec, configError, type LogicalType } from "@sluice/core";

/**
 * Redshift's limits (AWS "Character types", "VARBYTE type", "Numeric types"): VARCHAR
 * counts bytes up to 65,535, VARBYTE holds up to 1,024,000 bytes, DECIMAL 38 digits.
 */
export const redshiftMaxVarcharBytes = 65535;
export const redshiftMaxVarbyteBytes = 1_024_000;
export const redshiftMaxDecimalPrecision = 38;

/**
 * Redshift's type for one column (`redshiftDialect.columnType`). The types must accept
 * the Parquet physical types parquet-writer emits for the same LogicalType (COPY maps
 * by position and refuses incompatible types). Throws a `config` SluiceError when
 * Redshift cannot hold the column exactly.
 */
export function redshiftColumnType(column: ColumnSpec, table: string): string {
  const logical = column.logical;
  switch (logical.kind) {
    case "boolean":
      return "BOOLEAN";
    case "integer":
      return integerType(logical, "DECIMAL(20,0)");
    case "decimal":
      if (logical.precision > redshiftMaxDecimalPrecision) {
        throw configError(
          `${table}.${column.name} is ${column.sourceType} but Redshift DECIMAL allows precision up to ${redshiftMaxDecimalPrecision}; re-extract with wideDecimals: "text" (--wide-decimals text) to carry it as exact text, or narrow the column in MySQL`,
        );
      }
      return `DECIMAL(${logical.precision},${logical.scale})`;
    case "float":
      return "REAL";
    case "double":
      return "DOUBLE PRECISION";
    case "date":
      return "DATE";
    case "datetime":
      return "TIMESTAMP";
    case "timestamp":
      return "TIMESTAMPTZ";
    case "time":
      // Redshift cannot load TIME from Parquet; MySQL TIME also exceeds 24h.
      return "VARCHAR(32)";
    case "year":
      return "SMALLINT";
    case "string":
      return `VARCHAR(${boundedLength(logical.maxBytes, redshiftMaxVarcharBytes)})`;
    case "binary":
      return `VARBYTE(${boundedLength(logical.maxBytes, redshiftMaxVarbyteBytes)})`;
    case "json":
      return "SUPER";
    case "bit":
      return logical.width > 63 ? "DECIMAL(20,0)" : "BIGINT";
  }
}

/**
 * PostgreSQL's type for one column (`postgresDialect.columnType`), chosen so the text
 * we COPY in reads back identically: `text` rather than `varchar(n)` (MySQL counts
 * bytes, PostgreSQL characters), `json` rather than `jsonb` (jsonb reorders keys and
 * rewrites whitespace). PostgreSQL holds every MySQL type, so it never throws.
 */
export function postgresColumnType(column: ColumnSpec): string {
  const logical = column.logical;
  switch (logical.kind) {
    case "boolean":
      return "boolean";
    case "integer":
      return integerType(logical, "numeric(20,0)").toLowerCase();
    case "decimal":
      return `numeric(${logical.precision},${logical.scale})`;
    case "float":
      return "real";
    case "double":
      return "double precision";
    case "date":
      return "date";
    case "datetime":
      return "timestamp(6)";
    case "timestamp":
      return "timestamptz(6)";
    case "time":
    case "string":
      return "text";
    case "year":
      return "smallint";
    case "binary":
      return "bytea";
    case "json":
      return "json";
    case "bit":
      return logical.width > 63 ? "numeric(20,0)" : "bigint";
  }
}

/** Signed types hold their MySQL range; unsigned ones widen to the next type up. */
function integerType(logical: Extract<LogicalType, { kind: "integer" }>, unsigned64: string): string {
  switch (logical.bits) {
    case 8:
      return "SMALLINT";
    case 16:
      return logical.unsigned ? "INTEGER" : "SMALLINT";
    case 32:
      return logical.unsigned ? "BIGINT" : "INTEGER";
    case 64:
      return logical.unsigned ? unsigned64 : "BIGINT";
  }
}

function boundedLength(maxBytes: number | null, limit: number): number {
  if (maxBytes === null) return limit;
  return Math.max(1, Math.min(maxBytes, limit));
}

/**
 * Zero dates leave MySQL as NULL even from NOT NULL columns (parquet-writer writes
 * them OPTIONAL), so temporal columns never get NOT NULL in the warehouse.
 */
export function keepsNotNull(column: ColumnSpec): boolean {
  const kind = column.logical.kind;
  return !column.nullable && kind !== "date" && kind !== "datetime" && kind !== "timestamp";
}
