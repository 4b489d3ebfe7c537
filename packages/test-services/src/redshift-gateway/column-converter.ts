import { GatewaySqlError, sqlState } from "./gateway-error.js";
import { describeParquetColumn, type ParquetColumn } from "./parquet-file.js";
import { type ParquetValueKind, parquetValueKind } from "./parquet-value-kind.js";
import { redshiftTypeName, type TargetColumn, type TargetType } from "./target-column-type.js";
import {
  bytesToBigInt,
  dateText,
  decimalText,
  doubleText,
  floatText,
  minimalDecimalBytes,
  timestampText,
} from "./value-text.js";

/** Turns one raw Parquet value into COPY text for the target column (null for NULL). */
export type ValueConverter = (value: unknown) => string | null;

export interface ConversionContext {
  /** The file as Redshift names it in errors (https://s3.<region>.amazonaws.com/bucket/key). */
  readonly fileUrl: string;
  /** The file as s3:// URL (Redshift names columns `<s3 url>.<column>`). */
  readonly s3Url: string;
  readonly table: string;
  readonly serializeToJson: boolean;
  readonly acceptInvalidCharacters: string | null;
}

/** A value the target column cannot take: fails the whole COPY, as in Redshift. */
export class LoadValueError extends GatewaySqlError {
  constructor(table: string, column: string, value: string, reason: string) {
    super(
      `Load into table '${table}' failed.  Check 'stl_load_errors' system table for details.`,
      sqlState.internal,
      `column: ${column}, raw_field_value: ${value.slice(0, 128)}, err_reason: ${reason}`,
    );
  }
}

/**
 * Checks that the Parquet column can load into the target column and returns its
 * converter. The compatibility rules model Redshift Spectrum's Parquet scan (COPY
 * from Parquet "uses Redshift Spectrum"): types must correspond; a DECIMAL never
 * loads into an integer column (FIXED_LEN_BYTE_ARRAY DECIMAL(20,0) into BIGINT is
 * the documented "incompatible Parquet schema" case); DECIMAL scale must match and
 * a FIXED_LEN_BYTE_ARRAY must have the minimal length for its precision (AWS
 * knowledge center, "invalid type length"); TIME cannot be loaded. Values that do
 * not fit (integer overflow, VARCHAR byte length, CHAR multibyte) fail the load.
 */
export function columnConverter(
  parquet: ParquetColumn,
  target: TargetColumn,
  context: ConversionContext,
): ValueConverter {
  const source = parquetValueKind(parquet);
  const type = target.type;
  const incompatible = (why?: string) =>
    new GatewaySqlError(
      "Spectrum Scan Error",
      sqlState.internal,
      `error: Spectrum Scan Error code: 15007 context: File '${context.fileUrl}' has an incompatible Parquet schema for column '${context.s3Url}.${parquet.name}'. Column type: ${redshiftTypeName(type)}, Parquet schema:\n${describeParquetColumn(parquet)}${why ? ` (${why})` : ""}`,
    );
  const fail = (value: string, reason: string) =>
    new LoadValueError(context.table, target.name, value, reason);
  const converter = converterFor(source, type, context, fail, incompatible);
  return (value) => (value === null || value === undefined ? null : converter(value));
}

type Fail = (value: string, reason: string) => LoadValueError;
type Incompatible = (why?: string) => GatewaySqlError;

function converterFor(
  source: ParquetValueKind,
  type: TargetType,
  context: ConversionContext,
  fail: Fail,
  incompatible: Incompatible,
): (value: unknown) => string {
  if (source.kind === "nested") {
    throw incompatible("nested Parquet columns are not emulated by the gateway");
  }
  if (source.kind === "time") throw incompatible("Redshift cannot load Parquet TIME; store it as text");
  if (source.kind === "timestamp" && source.unit === "NANOS") {
    // Redshift accepts the file but misreads nanoseconds (apache/arrow #38000): refuse loudly.
    throw incompatible("TIMESTAMP(NANOS) loads as wrong values on Redshift; write MICROS");
  }
  switch (type.kind) {
    case "integer": {
      if (source.kind !== "integer") throw incompatible();
      const limit = 1n << BigInt(type.bits - 1);
      return (value) => {
        const number = integerValue(value, source);
        if (number < -limit || number >= limit) {
          throw fail(
            String(number),
            `Overflow (${redshiftTypeName(type)} range is ${-limit} to ${limit - 1n})`,
          );
        }
        return String(number);
      };
    }
    case "numeric": {
      if (source.kind !== "decimal") throw incompatible();
      if (
        source.physical === "FIXED_LEN_BYTE_ARRAY" &&
        source.typeLength !== minimalDecimalBytes(source.precision)
      ) {
        throw incompatible(
          `column has an invalid type length ${source.typeLength} for precision ${source.precision}`,
        );
      }
      if (source.scale !== type.scale || source.precision > type.precision) throw incompatible();
      const limit = 10n ** BigInt(type.precision);
      return (value) => {
        const unscaled =
          value instanceof Uint8Array ? bytesToBigInt(value) : BigInt(value as number | bigint);
        const text = decimalText(unscaled, source.scale);
        if (unscaled >= limit || unscaled <= -limit) throw fail(text, "Numeric data overflow");
        return text;
      };
    }
    case "real":
      if (source.kind !== "float") throw incompatible();
      return (value) => floatText(value as number);
    case "double":
      if (source.kind === "double") return (value) => doubleText(value as number);
      if (source.kind === "float") return (value) => floatText(value as number);
      throw incompatible();
    case "boolean":
      if (source.kind !== "boolean") throw incompatible();
      return (value) => (value ? "t" : "f");
    case "date":
      if (source.kind !== "date") throw incompatible();
      return (value) => dateText(value as number);
    case "timestamp": {
      if (source.kind !== "timestamp") throw incompatible();
      const suffix = type.withZone ? "+00" : "";
      return (value) => `${timestampText(timestampMicros(value as bigint, source.unit))}${suffix}`;
    }
    case "character": {
      if (source.kind !== "string") throw incompatible();
      return (value) => {
        const text = utf8Text(value as Uint8Array, context, fail);
        const bytes = Buffer.byteLength(text);
        if (type.fixed && bytes !== text.length) {
          throw fail(text, "Multibyte character not supported for CHAR (Hint: try using VARCHAR)");
        }
        if (type.maxBytes !== null && bytes > type.maxBytes) {
          throw fail(text, `String length exceeds DDL length (${bytes} bytes > ${type.maxBytes})`);
        }
        return text;
      };
    }
    case "varbyte":
      if (source.kind !== "binary") throw incompatible();
      return (value) => {
        const bytes = value as Uint8Array;
        const hex = Buffer.from(bytes).toString("hex");
        if (type.maxBytes !== null && bytes.length > type.maxBytes) {
          throw fail(hex, `Value exceeds VARBYTE length (${bytes.length} bytes > ${type.maxBytes})`);
        }
        return `\\x${hex}`;
      };
    case "super":
      // "By specifying SERIALIZETOJSON ... you can load any column type in the file
      // that aligns with a SUPER column" (AWS, "Loading semistructured data").
      if (!context.serializeToJson)
        throw incompatible("a SUPER column loads from Parquet with SERIALIZETOJSON");
      return superConverter(source, context, fail);
    case "other":
      throw incompatible(`the gateway does not emulate loading ${type.name}`);
  }
}

function integerValue(value: unknown, source: Extract<ParquetValueKind, { kind: "integer" }>): bigint {
  const number = BigInt(value as number | bigint);
  if (!source.unsigned) return number;
  return source.bits === 32 ? BigInt.asUintN(32, number) : BigInt.asUintN(64, number);
}

function timestampMicros(value: bigint, unit: "MILLIS" | "MICROS" | "NANOS" | "INT96"): bigint {
  if (unit === "MILLIS") return BigInt(value) * 1000n;
  if (unit === "MICROS") return BigInt(value);
  // INT96 (nanoseconds via hyparquet): Redshift keeps microseconds, truncating.
  const nanos = BigInt(value);
  return nanos >= 0n ? nanos / 1000n : -((-nanos + 999n) / 1000n);
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });
const lenientUtf8 = new TextDecoder("utf-8");

function utf8Text(bytes: Uint8Array, context: ConversionContext, fail: Fail): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    if (context.acceptInvalidCharacters === null) {
      throw fail(
        Buffer.from(bytes).toString("hex"),
        "Invalid UTF8 character (use ACCEPTINVCHARS to replace it)",
      );
    }
    return lenientUtf8.decode(bytes).replaceAll("\uFFFD", context.acceptInvalidCharacters);
  }
}

/** SUPER: JSON-annotated strings are parsed; other values become JSON scalars. */
function superConverter(
  source: ParquetValueKind,
  context: ConversionContext,
  fail: Fail,
): (value: unknown) => string {
  switch (source.kind) {
    case "string":
      return (value) => {
        const text = utf8Text(value as Uint8Array, context, fail);
        if (!source.json) return JSON.stringify(text);
        try {
          JSON.parse(text);
        } catch {
          throw fail(text, "Invalid JSON");
        }
        return text;
      };
    case "boolean":
      return (value) => (value ? "true" : "false");
    case "integer":
      return (value) => String(integerValue(value, source));
    case "decimal":
      return (value) =>
        decimalText(
          value instanceof Uint8Array ? bytesToBigInt(value) : BigInt(value as number),
          source.scale,
        );
    case "float":
      return (value) => floatText(value as number);
    case "double":
      return (value) => doubleText(value as number);
    case "date":
      return (value) => JSON.stringify(dateText(value as number));
    case "timestamp":
      return (value) =>
        JSON.stringify(timestampText(timestampMicros(value as bigint, source.unit as "MICROS")));
    default:
      return (value) => JSON.stringify(Buffer.from(value as Uint8Array).toString("hex"));
  }
}
