import type { ColumnSpec, SourceValue } from "@sluice/core";
import type { ByteSink } from "./byte-sink.js";
import { parseDateText, parseDateTimeMicros } from "./datetime-text.js";
import { bigIntToFixedBytes, digitCount, smallUnscaledDecimal, unscaledDecimal } from "./decimal-text.js";
import { encodeError } from "./encode-error.js";
import type { ColumnLayout } from "./parquet-schema.js";

type Row = readonly SourceValue[];
type Value = Exclude<SourceValue, null>;

/** The open data page of one column chunk, as the encoders fill it. */
export interface OpenPage {
  readonly values: ByteSink;
  /** Definition levels of the open page; the caller makes room for the rows of one call. */
  readonly levels: Uint8Array;
  /** Values (NULLs included) in the open page. */
  count: number;
  /** Longest variable-length value appended to this column so far, in bytes (for ColumnStats). */
  maxBytes: number;
  /** Records a NULL at the current position; throws for a REQUIRED column or a short row. */
  appendNull(value: SourceValue | undefined): void;
  /** A zero or impossible date: NULL (counted, a sample key kept) or an error, by policy. */
  appendInvalidDate(value: string, row: Row): void;
  /**
   * Called after a text value of `written` bytes was appended: applies the column's
   * byte cap (throws, or shortens the value in place) and returns the bytes kept.
   */
  oversizeText(written: number, row: Row): number;
  /**
   * Called for a text value that holds NUL or is not well-formed UTF-16 (the caller
   * tests cheaply first): applies the column's NUL policy (throws, or returns the
   * value stripped / replaced, counted); throws for a lone surrogate.
   */
  warehouseText(value: string, row: Row): string;
  /** Cuts the page when its values reached the page size (checked per value by variable-length columns). */
  cutPageIfFull(): void;
}

/**
 * Appends `rows[start..end)[column]` to the open page in PLAIN encoding. One loop per
 * physical encoding, each its own function literal: the per-value work stays
 * monomorphic and inlinable, which a shared loop calling one of ~16 per-value
 * closures is not (measured in docs/adr/0003-parquet-encoding.md).
 * Booleans are appended as one byte 0/1 and bit-packed when the page is cut.
 */
export type ColumnEncoder = (
  rows: readonly Row[],
  column: number,
  start: number,
  end: number,
  page: OpenPage,
) => void;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const INTEGER_TEXT = /^[+-]?\d+$/;
/** Fixed-width columns cut pages between calls: a call is at most this many rows. */
export const FIXED_WIDTH_ROWS_PER_CALL = 4096;

export function integerRange(column: ColumnSpec): [number, number] {
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

/** Integer text of at most 15 digits as a Number, without a regular expression; else undefined. */
function smallIntegerText(text: string): number | undefined {
  const length = text.length;
  if (length === 0 || length > 16) return undefined;
  const first = text.charCodeAt(0);
  const negative = first === 45;
  let index = negative || first === 43 ? 1 : 0;
  if (index === length || length - index > 15) return undefined;
  let value = 0;
  for (; index < length; index++) {
    const digit = text.charCodeAt(index) - 48;
    if (digit < 0 || digit > 9) return undefined;
    value = value * 10 + digit;
  }
  return negative ? -value : value;
}

/**
 * The value as the warehouses can take it: most values pass two native scans (no NUL;
 * well-formed, which V8 answers at once for one-byte strings) and are returned as they are.
 */
function acceptable(value: string, row: Row, page: OpenPage): string {
  if (value.indexOf("\0") === -1 && (value as unknown as { isWellFormed(): boolean }).isWellFormed()) {
    return value;
  }
  return page.warehouseText(value, row);
}

/**
 * The encoder for one column. `textLimit` (bytes) caps string/TIME values: above it
 * the page's `oversizeText` decides; only the capped variant pays for the check.
 */
export function columnEncoderFor(
  layout: ColumnLayout,
  column: ColumnSpec,
  table: string,
  textLimit: number | null = null,
): ColumnEncoder {
  const fail = (value: unknown, reason: string) =>
    encodeError(table, column.name, column.sourceType, value, reason);
  const limited = textLimit !== null;
  const cap = textLimit ?? Number.POSITIVE_INFINITY;

  /** Any integer-like source value as a number within [min, max], or throws. */
  const smallInteger = (value: Value, min: number, max: number): number => {
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

  const bigInteger = (value: Value, min: bigint, max: bigint): bigint => {
    let big: bigint;
    if (typeof value === "bigint") big = value;
    else if (typeof value === "number" && Number.isSafeInteger(value)) big = BigInt(value);
    else if (typeof value === "string" && INTEGER_TEXT.test(value)) big = BigInt(value);
    else if (value instanceof Uint8Array) big = bufferToUnsigned(value);
    else throw fail(value, "expected an integer");
    if (big < min || big > max) throw fail(value, `integer out of range ${min}..${max}`);
    return big;
  };

  const precision = layout.precision ?? 0;
  const scale = layout.scale ?? 0;
  /** Exclusive bound of a DECIMAL(precision, scale) unscaled value (for the Number fast path). */
  const decimalLimit = 10 ** Math.min(precision, 16);

  /** Exact unscaled value as text (the general path: any precision, any source form). */
  const decimalUnscaled = (value: Value): string => {
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

  /** Unscaled value as an exact Number; only for precision <= 15 or a fast-path hit. */
  const decimalNumber = (value: Value): number | undefined => {
    if (typeof value !== "string") return undefined;
    const small = smallUnscaledDecimal(value, scale);
    return small !== undefined && small < decimalLimit && small > -decimalLimit ? small : undefined;
  };

  switch (layout.encoding) {
    case "boolean":
      return (rows, columnIndex, start, end, page) => {
        const sink = page.values;
        for (let row = start; row < end; row++) {
          const value = (rows[row] as Row)[columnIndex];
          if (value == null) {
            page.appendNull(value);
            continue;
          }
          let bit: number;
          if (value === 0 || value === 1) bit = value;
          else if (value === "0" || value === "1") bit = Number(value);
          else if (value instanceof Uint8Array && value.length === 1 && (value[0] ?? 2) <= 1)
            bit = value[0] ?? 0;
          else throw fail(value, "expected 0 or 1 for a boolean");
          sink.byte(bit);
          page.levels[page.count++] = 1;
        }
      };
    case "int32": {
      const [min, max] = integerRange(column);
      return (rows, columnIndex, start, end, page) => {
        const sink = page.values;
        for (let row = start; row < end; row++) {
          const value = (rows[row] as Row)[columnIndex];
          if (value == null) {
            page.appendNull(value);
            continue;
          }
          sink.int32(
            typeof value === "number" && value >= min && value <= max && Number.isInteger(value)
              ? value
              : smallInteger(value, min, max),
          );
          page.levels[page.count++] = 1;
        }
      };
    }
    case "int64":
      return (rows, columnIndex, start, end, page) => {
        const sink = page.values;
        for (let row = start; row < end; row++) {
          const value = (rows[row] as Row)[columnIndex];
          if (value == null) {
            page.appendNull(value);
            continue;
          }
          if (typeof value === "number" && Number.isSafeInteger(value)) sink.int64FromSafeNumber(value);
          else {
            const small = typeof value === "string" ? smallIntegerText(value) : undefined;
            if (small !== undefined) sink.int64FromSafeNumber(small);
            else sink.int64FromBigInt(bigInteger(value, INT64_MIN, INT64_MAX));
          }
          page.levels[page.count++] = 1;
        }
      };
    case "bit-int64":
      return (rows, columnIndex, start, end, page) => {
        const sink = page.values;
        for (let row = start; row < end; row++) {
          const value = (rows[row] as Row)[columnIndex];
          if (value == null) {
            page.appendNull(value);
            continue;
          }
          sink.int64FromBigInt(bigInteger(value, 0n, INT64_MAX));
          page.levels[page.count++] = 1;
        }
      };
    case "decimal-int32":
      return (rows, columnIndex, start, end, page) => {
        const sink = page.values;
        for (let row = start; row < end; row++) {
          const value = (rows[row] as Row)[columnIndex];
          if (value == null) {
            page.appendNull(value);
            continue;
          }
          sink.int32(decimalNumber(value) ?? Number(decimalUnscaled(value)));
          page.levels[page.count++] = 1;
        }
      };
    case "decimal-int64":
      return (rows, columnIndex, start, end, page) => {
        const sink = page.values;
        for (let row = start; row < end; row++) {
          const value = (rows[row] as Row)[columnIndex];
          if (value == null) {
            page.appendNull(value);
            continue;
          }
          const small = decimalNumber(value);
          if (small !== undefined) sink.int64FromSafeNumber(small);
          else sink.int64FromBigInt(BigInt(decimalUnscaled(value)));
          page.levels[page.count++] = 1;
        }
      };
    case "decimal-fixed": {
      const length = layout.typeLength ?? 16;
      return (rows, columnIndex, start, end, page) => {
        const sink = page.values;
        for (let row = start; row < end; row++) {
          const value = (rows[row] as Row)[columnIndex];
          if (value == null) {
            page.appendNull(value);
            continue;
          }
          const small = decimalNumber(value);
          const unscaled = small !== undefined ? BigInt(small) : BigInt(decimalUnscaled(value));
          sink.ensure(length);
          bigIntToFixedBytes(unscaled, length, sink.buffer, sink.length);
          sink.length += length;
          page.levels[page.count++] = 1;
        }
      };
    }
    case "bit-fixed": {
      const length = layout.typeLength ?? 9;
      return (rows, columnIndex, start, end, page) => {
        const sink = page.values;
        for (let row = start; row < end; row++) {
          const value = (rows[row] as Row)[columnIndex];
          if (value == null) {
            page.appendNull(value);
            continue;
          }
          const unsigned = bigInteger(value, 0n, 2n ** 64n - 1n);
          sink.ensure(length);
          bigIntToFixedBytes(unsigned, length, sink.buffer, sink.length);
          sink.length += length;
          page.levels[page.count++] = 1;
        }
      };
    }
    case "float":
    case "double": {
      const toNumber = (value: Value): number => {
        if (typeof value === "string" && value.trim() !== "" && !Number.isNaN(Number(value)))
          return Number(value);
        throw fail(value, "expected a number");
      };
      if (layout.encoding === "float") {
        return (rows, columnIndex, start, end, page) => {
          const sink = page.values;
          for (let row = start; row < end; row++) {
            const value = (rows[row] as Row)[columnIndex];
            if (value == null) {
              page.appendNull(value);
              continue;
            }
            sink.float(typeof value === "number" ? value : toNumber(value));
            page.levels[page.count++] = 1;
          }
        };
      }
      return (rows, columnIndex, start, end, page) => {
        const sink = page.values;
        for (let row = start; row < end; row++) {
          const value = (rows[row] as Row)[columnIndex];
          if (value == null) {
            page.appendNull(value);
            continue;
          }
          sink.double(typeof value === "number" ? value : toNumber(value));
          page.levels[page.count++] = 1;
        }
      };
    }
    case "date":
      return (rows, columnIndex, start, end, page) => {
        const sink = page.values;
        for (let row = start; row < end; row++) {
          const value = (rows[row] as Row)[columnIndex];
          if (value == null) {
            page.appendNull(value);
            continue;
          }
          if (typeof value !== "string") throw fail(value, "expected DATE text YYYY-MM-DD");
          const days = parseDateText(value);
          if (days === null) {
            page.appendInvalidDate(value, rows[row] as Row);
            continue;
          }
          if (days === undefined) throw fail(value, "not a valid date YYYY-MM-DD");
          sink.int32(days);
          page.levels[page.count++] = 1;
        }
      };
    case "datetime":
    case "timestamp":
      return (rows, columnIndex, start, end, page) => {
        const sink = page.values;
        for (let row = start; row < end; row++) {
          const value = (rows[row] as Row)[columnIndex];
          if (value == null) {
            page.appendNull(value);
            continue;
          }
          if (typeof value !== "string") throw fail(value, "expected text YYYY-MM-DD HH:MM:SS[.ffffff]");
          const micros = parseDateTimeMicros(value);
          if (micros === null) {
            page.appendInvalidDate(value, rows[row] as Row);
            continue;
          }
          if (micros === undefined) throw fail(value, "not a valid date-time YYYY-MM-DD HH:MM:SS[.ffffff]");
          if (typeof micros === "number") sink.int64FromSafeNumber(micros);
          else sink.int64FromBigInt(micros);
          page.levels[page.count++] = 1;
        }
      };
    case "utf8":
      if (limited) {
        return (rows, columnIndex, start, end, page) => {
          let longest = page.maxBytes;
          for (let row = start; row < end; row++) {
            const value = (rows[row] as Row)[columnIndex];
            if (value == null) {
              page.appendNull(value);
              continue;
            }
            const sink = page.values;
            let written =
              typeof value === "string"
                ? sink.lengthPrefixedUtf8(acceptable(value, rows[row] as Row, page))
                : value instanceof Uint8Array
                  ? sink.lengthPrefixedBytes(value)
                  : sink.lengthPrefixedUtf8(String(value));
            if (written > cap) written = page.oversizeText(written, rows[row] as Row);
            if (written > longest) longest = written;
            page.levels[page.count++] = 1;
            page.cutPageIfFull();
          }
          page.maxBytes = longest;
        };
      }
      return (rows, columnIndex, start, end, page) => {
        let longest = page.maxBytes;
        for (let row = start; row < end; row++) {
          const value = (rows[row] as Row)[columnIndex];
          if (value == null) {
            page.appendNull(value);
            continue;
          }
          // Read the sink per value: cutting a page may not replace it, but keeps this honest.
          const sink = page.values;
          const written =
            typeof value === "string"
              ? sink.lengthPrefixedUtf8(acceptable(value, rows[row] as Row, page))
              : value instanceof Uint8Array
                ? sink.lengthPrefixedBytes(value)
                : sink.lengthPrefixedUtf8(String(value));
          if (written > longest) longest = written;
          page.levels[page.count++] = 1;
          page.cutPageIfFull();
        }
        page.maxBytes = longest;
      };
    case "binary":
      return (rows, columnIndex, start, end, page) => {
        let longest = page.maxBytes;
        for (let row = start; row < end; row++) {
          const value = (rows[row] as Row)[columnIndex];
          if (value == null) {
            page.appendNull(value);
            continue;
          }
          const sink = page.values;
          let written: number;
          if (value instanceof Uint8Array) written = sink.lengthPrefixedBytes(value);
          else if (typeof value === "string") written = sink.lengthPrefixedUtf8(value);
          else throw fail(value, "expected binary bytes");
          if (written > longest) longest = written;
          page.levels[page.count++] = 1;
          page.cutPageIfFull();
        }
        page.maxBytes = longest;
      };
  }
}
