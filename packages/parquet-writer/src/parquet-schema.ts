import type { ColumnSpec, LogicalType } from "@sluice/core";
import type { ConvertedTypeName, PhysicalTypeName } from "./parquet-enums.js";

/** How one column is laid out in our Parquet files (what a loader needs to know). */
export interface ParquetColumnDescription {
  name: string;
  physicalType: string;
  logicalType: string | null;
  convertedType: string | null;
  repetition: "REQUIRED" | "OPTIONAL";
  typeLength: number | null;
  precision: number | null;
  scale: number | null;
}

/**
 * The internal, typed form of a column's layout. `encoding` names the value
 * conversion used by both the writer and the reader.
 */
export interface ColumnLayout {
  readonly name: string;
  readonly physicalType: PhysicalTypeName;
  readonly convertedType: ConvertedTypeName | null;
  /** Parquet LogicalType annotation, written in addition to the converted type. */
  readonly logicalType:
    | { readonly kind: "STRING" }
    | { readonly kind: "DATE" }
    | { readonly kind: "DECIMAL"; readonly precision: number; readonly scale: number }
    | { readonly kind: "TIMESTAMP"; readonly isAdjustedToUTC: boolean }
    | null;
  readonly optional: boolean;
  readonly typeLength: number | null;
  readonly precision: number | null;
  readonly scale: number | null;
  readonly encoding: ValueEncoding;
}

export type ValueEncoding =
  | "boolean"
  | "int32"
  | "int64"
  | "decimal-int32"
  | "decimal-int64"
  | "decimal-fixed"
  | "float"
  | "double"
  | "date"
  | "datetime"
  | "timestamp"
  | "utf8"
  | "binary"
  | "bit-int64"
  | "bit-fixed";

/** Smallest byte count whose two's complement range holds every unscaled value of `precision` digits. */
export function decimalByteLength(precision: number): number {
  const largest = 10n ** BigInt(precision) - 1n;
  let bytes = 1;
  while (1n << BigInt(8 * bytes - 1) <= largest) bytes++;
  return bytes;
}

function decimalLayout(name: string, optional: boolean, precision: number, scale: number): ColumnLayout {
  const logicalType = { kind: "DECIMAL", precision, scale } as const;
  const common = { name, convertedType: "DECIMAL", logicalType, optional, precision, scale } as const;
  if (precision <= 9)
    return { ...common, physicalType: "INT32", typeLength: null, encoding: "decimal-int32" };
  if (precision <= 18)
    return { ...common, physicalType: "INT64", typeLength: null, encoding: "decimal-int64" };
  return {
    ...common,
    physicalType: "FIXED_LEN_BYTE_ARRAY",
    typeLength: decimalByteLength(precision),
    encoding: "decimal-fixed",
  };
}

function plainLayout(
  name: string,
  optional: boolean,
  physicalType: PhysicalTypeName,
  convertedType: ConvertedTypeName | null,
  encoding: ValueEncoding,
  logicalType: ColumnLayout["logicalType"] = null,
): ColumnLayout {
  return {
    name,
    physicalType,
    convertedType,
    logicalType,
    optional,
    typeLength: null,
    precision: null,
    scale: null,
    encoding,
  };
}

function integerLayout(
  name: string,
  optional: boolean,
  logical: Extract<LogicalType, { kind: "integer" }>,
): ColumnLayout {
  if (logical.unsigned) {
    // UINT_64 values above 2^63-1 do not fit INT64, and not every reader honours
    // UINT_64: carry unsigned BIGINT exactly as DECIMAL(20,0).
    if (logical.bits === 64) return decimalLayout(name, optional, 20, 0);
    // INT UNSIGNED as a plain INT64: UINT_32 would store values above 2^31-1 in the
    // INT32 bit pattern, which a reader that ignores the annotation reads as negative.
    if (logical.bits === 32) return plainLayout(name, optional, "INT64", "INT_64", "int64");
    return plainLayout(name, optional, "INT32", logical.bits === 8 ? "UINT_8" : "UINT_16", "int32");
  }
  if (logical.bits === 64) return plainLayout(name, optional, "INT64", "INT_64", "int64");
  const converted = logical.bits === 8 ? "INT_8" : logical.bits === 16 ? "INT_16" : "INT_32";
  return plainLayout(name, optional, "INT32", converted, "int32");
}

/**
 * Maps one column. DATE, DATETIME and TIMESTAMP are always OPTIONAL: MySQL stores
 * zero dates (`0000-00-00`) even in NOT NULL columns, they have no Parquet value, and
 * we write them as NULL (counted in the part summary) rather than fail the table.
 */
export function columnLayout(column: ColumnSpec): ColumnLayout {
  const { name, logical } = column;
  const optional = column.nullable;
  switch (logical.kind) {
    case "boolean":
      return plainLayout(name, optional, "BOOLEAN", null, "boolean");
    case "integer":
      return integerLayout(name, optional, logical);
    case "decimal":
      return decimalLayout(name, optional, logical.precision, logical.scale);
    case "float":
      return plainLayout(name, optional, "FLOAT", null, "float");
    case "double":
      return plainLayout(name, optional, "DOUBLE", null, "double");
    case "date":
      return plainLayout(name, true, "INT32", "DATE", "date", { kind: "DATE" });
    case "datetime":
      // A wall-clock value: TIMESTAMP(MICROS, isAdjustedToUTC=false). The legacy
      // TIMESTAMP_MICROS converted type means "adjusted to UTC", so it is not written.
      return plainLayout(name, true, "INT64", null, "datetime", {
        kind: "TIMESTAMP",
        isAdjustedToUTC: false,
      });
    case "timestamp":
      return plainLayout(name, true, "INT64", "TIMESTAMP_MICROS", "timestamp", {
        kind: "TIMESTAMP",
        isAdjustedToUTC: true,
      });
    case "time":
    case "string":
    case "json":
      return plainLayout(name, optional, "BYTE_ARRAY", "UTF8", "utf8", { kind: "STRING" });
    case "year":
      return plainLayout(name, optional, "INT32", "INT_16", "int32");
    case "binary":
      return plainLayout(name, optional, "BYTE_ARRAY", null, "binary");
    case "bit":
      // BIT(64) can exceed INT64: carried like unsigned BIGINT.
      if (logical.width > 63) return { ...decimalLayout(name, optional, 20, 0), encoding: "bit-fixed" };
      return plainLayout(name, optional, "INT64", "INT_64", "bit-int64");
  }
}

function describeLogicalType(layout: ColumnLayout): string | null {
  const logical = layout.logicalType;
  if (logical === null) return null;
  switch (logical.kind) {
    case "DECIMAL":
      return `DECIMAL(${logical.precision},${logical.scale})`;
    case "TIMESTAMP":
      return `TIMESTAMP(MICROS,isAdjustedToUTC=${logical.isAdjustedToUTC})`;
    default:
      return logical.kind;
  }
}

/** The Parquet schema our writer produces for these columns, in column order. */
export function parquetSchemaFor(columns: readonly ColumnSpec[]): readonly ParquetColumnDescription[] {
  return columns.map((column) => {
    const layout = columnLayout(column);
    return {
      name: layout.name,
      physicalType: layout.physicalType,
      logicalType: describeLogicalType(layout),
      convertedType: layout.convertedType,
      repetition: layout.optional ? "OPTIONAL" : "REQUIRED",
      typeLength: layout.typeLength,
      precision: layout.precision,
      scale: layout.scale,
    };
  });
}
