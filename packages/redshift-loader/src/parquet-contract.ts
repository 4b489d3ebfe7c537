import { type SluiceError, sluiceError } from "@sluice/core";
import { type ParquetColumnDescription, parquetSchemaFor } from "@sluice/parquet-writer";
import { redshiftDialect } from "./redshift-dialect.js";
import type { RunColumn } from "./run-columns.js";
import {
  redshiftMaxDecimalPrecision,
  redshiftMaxVarbyteBytes,
  redshiftMaxVarcharBytes,
} from "./warehouse-column-type.js";
import { typeHolds, type WarehouseType } from "./warehouse-type.js";

/** Smallest two's complement byte count holding every unscaled value of `precision` digits. */
function minimalDecimalBytes(precision: number): number {
  const largest = 10n ** BigInt(precision) - 1n;
  let bytes = 1;
  while (1n << BigInt(8 * bytes - 1) <= largest) bytes++;
  return bytes;
}

/** The integer range an annotated Parquet integer can carry, as the narrowest warehouse type holding it. */
function integerRange(parquet: ParquetColumnDescription): WarehouseType | null {
  switch (parquet.convertedType) {
    case "INT_8":
    case "UINT_8":
    case "INT_16":
      return { kind: "smallint" };
    case "UINT_16":
    case "INT_32":
      return { kind: "integer" };
    case "UINT_32":
    case "INT_64":
      return { kind: "bigint" };
    case "UINT_64":
      return { kind: "decimal", precision: 20, scale: 0 };
    case null:
      return parquet.physicalType === "INT32" ? { kind: "integer" } : { kind: "bigint" };
    default:
      return null;
  }
}

/**
 * Why Redshift's positional `COPY ... FORMAT AS PARQUET` would refuse (or corrupt) this
 * column going into a staging column of `column.type`, or null when it accepts it.
 * Rules (AWS COPY from columnar formats, ARCHITECTURE.md): decimals keep precision and
 * scale, stored as INT32 up to 9 digits, INT64 up to 18, else FIXED_LEN_BYTE_ARRAY of
 * minimal length, at most 38 digits; timestamps are INT64 microseconds (wall clock to
 * TIMESTAMP, UTC-adjusted to TIMESTAMPTZ); integers land in a type holding their range;
 * text is UTF-8 into VARCHAR at least as wide (in bytes) as the longest value staged,
 * or SUPER; binary into VARBYTE.
 */
export function parquetMismatch(parquet: ParquetColumnDescription, column: RunColumn): string | null {
  // COPY fills the staging column, which differs from the target's only for JSON.
  const type = column.staged?.type ?? column.type;
  if (
    column.staged?.parse === "json" &&
    column.maxBytes !== null &&
    column.maxBytes > redshiftMaxVarcharBytes
  )
    return `the longest JSON document staged is ${column.maxBytes} bytes; JSON_PARSE takes at most ${redshiftMaxVarcharBytes} (VARCHAR's limit)`;
  const logical = parquet.logicalType ?? "";
  if (logical.startsWith("DECIMAL")) {
    const precision = parquet.precision ?? 0;
    const scale = parquet.scale ?? 0;
    if (precision > redshiftMaxDecimalPrecision)
      return `DECIMAL(${precision},${scale}) exceeds Redshift's ${redshiftMaxDecimalPrecision} digits`;
    const storage = precision <= 9 ? "INT32" : precision <= 18 ? "INT64" : "FIXED_LEN_BYTE_ARRAY";
    if (parquet.physicalType !== storage)
      return `DECIMAL(${precision},${scale}) is stored as ${parquet.physicalType}, Redshift expects ${storage}`;
    if (storage === "FIXED_LEN_BYTE_ARRAY" && parquet.typeLength !== minimalDecimalBytes(precision))
      return `DECIMAL(${precision},${scale}) is stored in ${parquet.typeLength} bytes, the minimal length is ${minimalDecimalBytes(precision)}`;
    if (type.kind !== "decimal" || type.precision !== precision || type.scale !== scale)
      return `a Parquet DECIMAL(${precision},${scale}) needs a DECIMAL(${precision},${scale}) column`;
    return null;
  }
  if (logical.startsWith("TIMESTAMP")) {
    if (parquet.physicalType !== "INT64" || !logical.startsWith("TIMESTAMP(MICROS"))
      return `timestamps must be INT64 microseconds (found ${parquet.physicalType} ${logical}); other units load as garbage`;
    const wanted = logical.includes("isAdjustedToUTC=true") ? "timestamptz" : "timestamp";
    return type.kind === wanted ? null : `${logical} loads into ${wanted.toUpperCase()}`;
  }
  if (logical === "DATE") return type.kind === "date" ? null : "a Parquet DATE loads into DATE";
  switch (parquet.physicalType) {
    case "BOOLEAN":
      return type.kind === "boolean" ? null : "a Parquet BOOLEAN loads into BOOLEAN";
    case "FLOAT":
      return type.kind === "real" || type.kind === "double" ? null : "a Parquet FLOAT loads into REAL";
    case "DOUBLE":
      return type.kind === "double" ? null : "a Parquet DOUBLE loads into DOUBLE PRECISION";
    case "INT32":
    case "INT64": {
      const range = integerRange(parquet);
      if (range === null) return `unexpected integer annotation ${parquet.convertedType}`;
      return typeHolds(type, range)
        ? null
        : `${parquet.physicalType} ${parquet.convertedType ?? ""} values need at least ${redshiftDialect.renderType(range)}`.replace(
            "  ",
            " ",
          );
    }
    case "BYTE_ARRAY": {
      const text = logical === "STRING" || parquet.convertedType === "UTF8";
      if (text && type.kind === "super") return null;
      const kind = text ? "varchar" : "varbyte";
      const limit = text ? redshiftMaxVarcharBytes : redshiftMaxVarbyteBytes;
      if (type.kind !== kind) return `${text ? "UTF-8 text" : "binary"} loads into ${kind.toUpperCase()}`;
      if (column.maxBytes !== null && column.maxBytes > limit)
        return `the longest value staged is ${column.maxBytes} bytes, more than ${kind.toUpperCase()}'s ${limit}`;
      if (column.maxBytes !== null && type.length !== null && column.maxBytes > type.length)
        return `the longest value staged is ${column.maxBytes} bytes, more than ${kind.toUpperCase()}(${type.length})`;
      return null;
    }
    default:
      return `unexpected Parquet type ${parquet.physicalType}`;
  }
}

/**
 * The pre-flight contract between a run's files and the staging table its COPY fills
 * (Redshift): the Parquet schema the writer emits for the manifest's columns, column by
 * column in file order, against the staging columns in the same order. The first
 * mismatch is returned as a `schema` error naming the table, run, column, both types
 * and the fix; COPY never runs.
 */
export function checkParquetContract(
  table: string,
  runId: string,
  columns: readonly RunColumn[],
): SluiceError | null {
  const schema = parquetSchemaFor(columns.map((column) => column.source));
  if (schema.length !== columns.length) {
    return sluiceError(
      "schema",
      `${table} run ${runId}: the files have ${schema.length} columns but the staging table ${columns.length}; COPY from Parquet needs equal counts: re-stage the run`,
    );
  }
  for (const [index, parquet] of schema.entries()) {
    const column = columns[index] as RunColumn;
    const reason = parquetMismatch(parquet, column);
    if (reason === null) continue;
    const parquetType = [parquet.physicalType, parquet.logicalType ?? parquet.convertedType]
      .filter(Boolean)
      .join(" ");
    const oversize = reason.startsWith("the longest value");
    const oversizeJson = reason.startsWith("the longest JSON");
    return sluiceError(
      "schema",
      `${table} run ${runId}, column "${column.source.name}" (${column.source.sourceType}, position ${index + 1}): Parquet ${parquetType} cannot load into ${column.staged?.typeText ?? column.typeText}: ${reason}; ${
        oversizeJson
          ? "shrink the documents in MySQL, or load this column into PostgreSQL (json has no such limit)"
          : oversize
            ? "shorten the values in MySQL, or re-stage the run with the table's oversize-text policy set to truncate"
            : "this sluice version's writer and loader disagree on the type: re-stage the run with a matching sluice version and report it"
      }`,
    );
  }
  return null;
}
