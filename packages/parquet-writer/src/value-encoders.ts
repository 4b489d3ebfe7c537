import type { ColumnSpec, SourceValue } from "@sluice/core";
import type { ByteSink } from "./byte-sink.js";
import { parseDateText, parseDateTimeMicros } from "./datetime-text.js";
import { bigIntToFixedBytes, digitCount, unscaledDecimal } from "./decimal-text.js";
import { encodeError } from "./encode-error.js";
import type { ColumnLayout } from "./parquet-schema.js";

/**
 * Appends one non-null value in PLAIN encoding. Returns false when the value is a
 * MySQL zero date, which the caller records as NULL. Booleans are appended as one
 * byte 0/1 and bit-packed when the page is cut.
 */
export type ValueEncoder = (sink: ByteSink, value: Exclude<SourceValue, null>) => boolean;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const INTEGER_TEXT = /^[+-]?\d+$/;

function integerRange(column: ColumnSpec): [number, number] {
  const logical = column.logical;
  if (logical.kind === "year") return [0, 32767];
  if (logical.kind !== "integer") return [-2147483648, 2147483647];
  if (logical.unsigned) return [0, 2 ** logical.bits - 1];
  return [-(2 ** (logical.bits - 1)), 2 ** (logical.bits - 1) - 1];
}

function bufferToUnsigned(bytes: Uint8Array): bigint {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return value;
}

export function valueEncoderFor(layout: ColumnLayout, column: ColumnSpec, table: string): ValueEncoder {
  const fail = (value: unknown, reason: string) =>
    encodeError(table, column.name, column.sourceType, value, reason);

  /** Any integer-like source value as a number within [min, max], or throws. */
  const smallInteger = (value: Exclude<SourceValue, null>, min: number, max: number): number => {
    let number: number;
    if (typeof value === "number") number = value;
    else if (typeof value === "string" && INTEGER_TEXT.test(value)) number = Number(value);
    else if (typeof value === "bigint") number = Number(value);
    else throw fail(value, "expected an integer");
    if (!Number.isInteger(number) || number < min || number > max) {
      throw fail(value, `integer out of range ${min}..${max}`);
    }
    return number;
  };

  const bigInteger = (value: Exclude<SourceValue, null>, min: bigint, max: bigint): bigint => {
    let big: bigint;
    if (typeof value === "bigint") big = value;
    else if (typeof value === "number" && Number.isSafeInteger(value)) big = BigInt(value);
    else if (typeof value === "string" && INTEGER_TEXT.test(value)) big = BigInt(value);
    else if (value instanceof Uint8Array) big = bufferToUnsigned(value);
    else throw fail(value, "expected an integer");
    if (big < min || big > max) throw fail(value, `integer out of range ${min}..${max}`);
    return big;
  };

  const decimalUnscaled = (value: Exclude<SourceValue, null>): string => {
    const precision = layout.precision ?? 0;
    const scale = layout.scale ?? 0;
    let text: string;
    if (typeof value === "string") text = value;
    else if (typeof value === "bigint") text = value.toString();
    else if (typeof value === "number" && Number.isFinite(value) && !/e/i.test(String(value)))
      text = String(value);
    else throw fail(value, `expected a DECIMAL(${precision},${scale}) as text`);
    const unscaled = unscaledDecimal(text, scale);
    if (unscaled === undefined) throw fail(value, `not a decimal with at most ${scale} fractional digits`);
    if (digitCount(unscaled) > precision) throw fail(value, `exceeds DECIMAL(${precision},${scale})`);
    return unscaled;
  };

  switch (layout.encoding) {
    case "boolean":
      return (sink, value) => {
        let bit: number;
        if (value === 0 || value === 1) bit = value;
        else if (value === "0" || value === "1") bit = Number(value);
        else if (value instanceof Uint8Array && value.length === 1 && (value[0] ?? 2) <= 1)
          bit = value[0] ?? 0;
        else throw fail(value, "expected 0 or 1 for a boolean");
        sink.byte(bit);
        return true;
      };
    case "int32": {
      const [min, max] = integerRange(column);
      return (sink, value) => {
        sink.int32(
          typeof value === "number" && value >= min && value <= max && Number.isInteger(value)
            ? value
            : smallInteger(value, min, max),
        );
        return true;
      };
    }
    case "uint32":
      return (sink, value) => {
        // UINT_32 is stored in the INT32 bit pattern.
        sink.int32(smallInteger(value, 0, 4294967295) | 0);
        return true;
      };
    case "int64":
      return (sink, value) => {
        if (typeof value === "number" && Number.isSafeInteger(value)) sink.int64FromSafeNumber(value);
        else if (typeof value === "string" && value.length <= 16 && INTEGER_TEXT.test(value)) {
          sink.int64FromSafeNumber(Number(value));
        } else sink.int64FromBigInt(bigInteger(value, INT64_MIN, INT64_MAX));
        return true;
      };
    case "bit-int64":
      return (sink, value) => {
        sink.int64FromBigInt(bigInteger(value, 0n, INT64_MAX));
        return true;
      };
    case "decimal-int32":
      return (sink, value) => {
        sink.int32(Number(decimalUnscaled(value)));
        return true;
      };
    case "decimal-int64":
      return (sink, value) => {
        const unscaled = decimalUnscaled(value);
        if (unscaled.length <= 15) sink.int64FromSafeNumber(Number(unscaled));
        else sink.int64FromBigInt(BigInt(unscaled));
        return true;
      };
    case "decimal-fixed": {
      const length = layout.typeLength ?? 16;
      return (sink, value) => {
        const unscaled = BigInt(decimalUnscaled(value));
        sink.ensure(length);
        bigIntToFixedBytes(unscaled, length, sink.buffer, sink.length);
        sink.length += length;
        return true;
      };
    }
    case "bit-fixed": {
      const length = layout.typeLength ?? 9;
      return (sink, value) => {
        const unsigned = bigInteger(value, 0n, 2n ** 64n - 1n);
        sink.ensure(length);
        bigIntToFixedBytes(unsigned, length, sink.buffer, sink.length);
        sink.length += length;
        return true;
      };
    }
    case "float":
    case "double": {
      const single = layout.encoding === "float";
      return (sink, value) => {
        let number: number;
        if (typeof value === "number") number = value;
        else if (typeof value === "string" && value.trim() !== "" && !Number.isNaN(Number(value)))
          number = Number(value);
        else throw fail(value, "expected a number");
        if (single) sink.float(number);
        else sink.double(number);
        return true;
      };
    }
    case "date":
      return (sink, value) => {
        if (typeof value !== "string") throw fail(value, "expected DATE text YYYY-MM-DD");
        const days = parseDateText(value);
        if (days === null) return false;
        if (days === undefined) throw fail(value, "not a valid date YYYY-MM-DD");
        sink.int32(days);
        return true;
      };
    case "datetime":
    case "timestamp":
      return (sink, value) => {
        if (typeof value !== "string") throw fail(value, "expected text YYYY-MM-DD HH:MM:SS[.ffffff]");
        const micros = parseDateTimeMicros(value);
        if (micros === null) return false;
        if (micros === undefined) throw fail(value, "not a valid date-time YYYY-MM-DD HH:MM:SS[.ffffff]");
        if (typeof micros === "number") sink.int64FromSafeNumber(micros);
        else sink.int64FromBigInt(micros);
        return true;
      };
    case "utf8":
      return (sink, value) => {
        if (typeof value === "string") sink.lengthPrefixedUtf8(value);
        else if (value instanceof Uint8Array) sink.lengthPrefixedBytes(value);
        else sink.lengthPrefixedUtf8(String(value));
        return true;
      };
    case "binary":
      return (sink, value) => {
        if (value instanceof Uint8Array) sink.lengthPrefixedBytes(value);
        else if (typeof value === "string") sink.lengthPrefixedUtf8(value);
        else throw fail(value, "expected binary bytes");
        return true;
      };
  }
}
