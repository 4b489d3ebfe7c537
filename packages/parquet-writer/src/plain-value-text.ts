import { formatDate, formatDateTimeMicros } from "./datetime-text.js";
import { fixedBytesToBigInt, formatDecimal } from "./decimal-text.js";
import type { ValueEncoding } from "./parquet-schema.js";

/**
 * PLAIN-encoded Parquet values -> canonical text (PostgreSQL input syntax), one value
 * at a time, for the reader that feeds `COPY`. The common cases avoid BigInt: an INT64
 * is read as two 32-bit halves and combined as a Number when it is a safe integer
 * (every timestamp of years 1685-2255, every id below 2^53), which is exact; only
 * the rest go through BigInt.
 */

const twoDigits = Array.from({ length: 100 }, (_, value) => (value < 10 ? `0${value}` : String(value)));
const MICROS_PER_DAY = 86_400_000_000;
/** |high word| below this: the 64-bit value is a safe integer. */
const SAFE_HIGH = 2 ** 21;

/** The INT64 at `offset` as a Number when exact, else null. */
export function safeInt64(data: Buffer, offset: number): number | null {
  const high = data.readInt32LE(offset + 4);
  if (high >= SAFE_HIGH || high < -SAFE_HIGH) return null;
  return high * 4_294_967_296 + data.readUInt32LE(offset);
}

export function int64Text(data: Buffer, offset: number): string {
  const value = safeInt64(data, offset);
  return value === null ? data.readBigInt64LE(offset).toString() : String(value);
}

function sixDigits(value: number): string {
  const high = Math.floor(value / 10_000);
  const low = value - high * 10_000;
  const middle = Math.floor(low / 100);
  return `${twoDigits[high]}${twoDigits[middle]}${twoDigits[low - middle * 100]}`;
}

/** Microseconds since epoch -> `YYYY-MM-DD HH:MM:SS.ffffff`. */
export function dateTimeText(data: Buffer, offset: number): string {
  const micros = safeInt64(data, offset);
  if (micros === null) return formatDateTimeMicros(data.readBigInt64LE(offset));
  const days = Math.floor(micros / MICROS_PER_DAY);
  const ofDay = micros - days * MICROS_PER_DAY;
  const seconds = Math.floor(ofDay / 1_000_000);
  const fraction = ofDay - seconds * 1_000_000;
  const hour = Math.floor(seconds / 3600);
  const minute = Math.floor((seconds - hour * 3600) / 60);
  const second = seconds - hour * 3600 - minute * 60;
  return `${formatDate(days)} ${twoDigits[hour]}:${twoDigits[minute]}:${twoDigits[second]}.${sixDigits(fraction)}`;
}

/**
 * Shortest decimal text that reads back to the same 32-bit float. A precision that
 * round-trips keeps doing so with more digits, so the shortest is found by bisection
 * over 1-9 digits (9 always suffice) instead of trying each in turn.
 */
export function floatText(value: number): string {
  if (!Number.isFinite(value) || value === 0) return numberText(value);
  let low = 1;
  let high = 9;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (Math.fround(Number(value.toPrecision(middle))) === value) high = middle;
    else low = middle + 1;
  }
  return numberText(Number(value.toPrecision(low)));
}

/** `formatDecimal` for an unscaled value that is a safe integer (its digits print without an exponent). */
function safeDecimalText(unscaled: number, scale: number): string {
  const negative = unscaled < 0;
  const digits = String(negative ? -unscaled : unscaled);
  if (scale === 0) return negative ? `-${digits}` : digits;
  const padded = digits.length > scale ? digits : digits.padStart(scale + 1, "0");
  const text = `${padded.slice(0, padded.length - scale)}.${padded.slice(padded.length - scale)}`;
  return negative ? `-${text}` : text;
}

export function numberText(value: number): string {
  return Object.is(value, -0) ? "-0" : String(value);
}

/** Bytes one PLAIN value takes, for the fixed-width encodings (0: length-prefixed or bit-packed). */
export function plainWidth(encoding: ValueEncoding, typeLength: number | null): number {
  switch (encoding) {
    case "int32":
    case "decimal-int32":
    case "float":
    case "date":
      return 4;
    case "int64":
    case "bit-int64":
    case "decimal-int64":
    case "double":
    case "datetime":
    case "timestamp":
      return 8;
    case "decimal-fixed":
    case "bit-fixed":
      return typeLength ?? 0;
    default:
      return 0;
  }
}

/** The text of one fixed-width PLAIN value at `offset`. */
export function fixedValueText(
  encoding: ValueEncoding,
  data: Buffer,
  offset: number,
  scale: number,
  typeLength: number,
): string {
  switch (encoding) {
    case "int32":
      return String(data.readInt32LE(offset));
    case "int64":
    case "bit-int64":
      return int64Text(data, offset);
    case "decimal-int32":
      return safeDecimalText(data.readInt32LE(offset), scale);
    case "decimal-int64": {
      const value = safeInt64(data, offset);
      return value === null
        ? formatDecimal(data.readBigInt64LE(offset), scale)
        : safeDecimalText(value, scale);
    }
    case "decimal-fixed":
    case "bit-fixed":
      return formatDecimal(fixedBytesToBigInt(data, offset, typeLength), scale);
    case "float":
      return floatText(data.readFloatLE(offset));
    case "double":
      return numberText(data.readDoubleLE(offset));
    case "date":
      return formatDate(data.readInt32LE(offset));
    case "datetime":
      return dateTimeText(data, offset);
    case "timestamp":
      return `${dateTimeText(data, offset)}+00`;
    default:
      throw new Error(`${encoding} is not a fixed-width encoding`);
  }
}
