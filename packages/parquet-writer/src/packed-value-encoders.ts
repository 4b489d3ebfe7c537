import type { ColumnSpec, PackedRowIndex } from "@sluice/core";
import { daysFromCivil } from "./datetime-text.js";
import type { ColumnLayout } from "./parquet-schema.js";
import { type ColumnEncoder, integerRange, type OpenPage } from "./value-encoders.js";

/**
 * Appends the values of `column` for rows [start, end) of a packed batch to the open
 * page, reading their bytes where they lie (no value becomes a JS string or number
 * object on the way). Each encoder takes the common case only: plain digits, dates,
 * ASCII or well-formed UTF-8 text without NUL. Every other value (NULL aside) goes to
 * the column's row encoder with its row decoded, so zero dates, NUL policies,
 * oversized text and errors behave, and are counted and worded, exactly as for row
 * batches; the tests hold the two paths to byte-identical files.
 */
export type PackedColumnEncoder = (
  index: PackedRowIndex,
  column: number,
  start: number,
  end: number,
  page: OpenPage,
) => void;

const MICROS_PER_DAY = 86_400_000_000;

/** Hands one value to the row encoder: its row decoded (the batch's rows are decoded once, when first needed). */
const viaRows = (
  rowEncoder: ColumnEncoder,
  index: PackedRowIndex,
  column: number,
  row: number,
  page: OpenPage,
) => rowEncoder(index.rows(), column, row, row + 1, page);

/** `bytes[start..end)` as an integer of at most 15 digits (optional '-'), else undefined. */
function smallInteger(bytes: Uint8Array, start: number, end: number): number | undefined {
  let position = start;
  const negative = bytes[position] === 45;
  if (negative) position++;
  if (position === end || end - position > 15) return undefined;
  let value = 0;
  for (; position < end; position++) {
    const digit = (bytes[position] as number) - 48;
    if (digit < 0 || digit > 9) return undefined;
    value = value * 10 + digit;
  }
  return negative ? -value : value;
}

/** `count` ASCII digits at `at` as a number, or -1. */
function digitsAt(bytes: Uint8Array, at: number, count: number): number {
  let value = 0;
  for (let position = at; position < at + count; position++) {
    const digit = (bytes[position] as number) - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/** `YYYY-MM-DD` at `start` as days since 1970-01-01 when it is a calendar date; else undefined (the row path decides). */
function daysAt(bytes: Uint8Array, start: number): number | undefined {
  if (bytes[start + 4] !== 45 || bytes[start + 7] !== 45) return undefined;
  const year = digitsAt(bytes, start, 4);
  const month = digitsAt(bytes, start + 5, 2);
  const day = digitsAt(bytes, start + 8, 2);
  // Zero dates (year, month or day 0), malformed text and impossible days take the row path.
  if (year < 1 || month < 1 || month > 12 || day < 1) return undefined;
  if (day > 28) {
    const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
    const last =
      month === 2 ? (leap ? 29 : 28) : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
    if (day > last) return undefined;
  }
  return daysFromCivil(year, month, day);
}

/** `YYYY-MM-DD[ HH:MM:SS[.f{1,6}]]` as microseconds since the epoch, when a safe integer; else undefined. */
function microsAt(bytes: Uint8Array, start: number, end: number): number | undefined {
  const length = end - start;
  if (length < 10) return undefined;
  const days = daysAt(bytes, start);
  if (days === undefined) return undefined;
  let micros = 0;
  if (length > 10) {
    if (length < 19 || bytes[start + 10] !== 32 || bytes[start + 13] !== 58 || bytes[start + 16] !== 58) {
      return undefined;
    }
    const hour = digitsAt(bytes, start + 11, 2);
    const minute = digitsAt(bytes, start + 14, 2);
    const second = digitsAt(bytes, start + 17, 2);
    if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return undefined;
    let fraction = 0;
    if (length > 19) {
      const fractionDigits = length - 20;
      if (bytes[start + 19] !== 46 || fractionDigits < 1 || fractionDigits > 6) return undefined;
      fraction = digitsAt(bytes, start + 20, fractionDigits);
      if (fraction < 0) return undefined;
      for (let digit = fractionDigits; digit < 6; digit++) fraction *= 10;
    }
    micros = ((hour * 60 + minute) * 60 + second) * 1_000_000 + fraction;
  }
  const total = days * MICROS_PER_DAY + micros;
  return Number.isSafeInteger(total) ? total : undefined;
}

/**
 * The unscaled value of decimal text at `scale` with at most 15 digits, as
 * smallUnscaledDecimal (decimal-text.ts) reads it from a string; else undefined.
 */
function smallUnscaledAt(bytes: Uint8Array, start: number, end: number, scale: number): number | undefined {
  let position = start;
  const first = bytes[position];
  const negative = first === 45;
  if (negative || first === 43) position++;
  let value = 0;
  let fractionDigits = -1;
  let seenDigit = false;
  for (; position < end; position++) {
    const code = bytes[position] as number;
    if (code === 46 && fractionDigits < 0) {
      fractionDigits = 0;
      continue;
    }
    const digit = code - 48;
    if (digit < 0 || digit > 9 || value >= 1e14) return undefined;
    if (fractionDigits >= 0 && ++fractionDigits > scale) return undefined;
    value = value * 10 + digit;
    seenDigit = true;
  }
  if (!seenDigit) return undefined;
  for (let padded = Math.max(fractionDigits, 0); padded < scale; padded++) {
    if (value >= 1e14) return undefined;
    value *= 10;
  }
  return negative && value !== 0 ? -value : value;
}

/** Non-empty text of printable ASCII (no spaces or controls, which Number() would trim). */
function isPlainAscii(bytes: Uint8Array, start: number, end: number): boolean {
  if (end <= start) return false;
  for (let position = start; position < end; position++) {
    const code = bytes[position] as number;
    if (code <= 32 || code >= 127) return false;
  }
  return true;
}

/**
 * Whether `bytes[start..end)` is well-formed UTF-8 (WHATWG: no overlong forms, no
 * surrogates, nothing above U+10FFFF) without NUL: then its decoded text would encode
 * back to these very bytes, and they can be copied as they are.
 */
function isCleanUtf8(bytes: Uint8Array, start: number, end: number): boolean {
  let position = start;
  while (position < end) {
    const lead = bytes[position] as number;
    if (lead < 0x80) {
      if (lead === 0) return false;
      position++;
      continue;
    }
    let needed: number;
    let lower = 0x80;
    let upper = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) needed = 1;
    else if (lead >= 0xe0 && lead <= 0xef) {
      needed = 2;
      if (lead === 0xe0) lower = 0xa0;
      else if (lead === 0xed) upper = 0x9f;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      needed = 3;
      if (lead === 0xf0) lower = 0x90;
      else if (lead === 0xf4) upper = 0x8f;
    } else return false;
    if (position + needed >= end) return false;
    const second = bytes[position + 1] as number;
    if (second < lower || second > upper) return false;
    for (let next = 2; next <= needed; next++) {
      const continuation = bytes[position + next] as number;
      if (continuation < 0x80 || continuation > 0xbf) return false;
    }
    position += needed + 1;
  }
  return true;
}

/** The packed encoder of a column, or null when its encoding has none (its row encoder takes the batch's decoded rows). */
export function packedEncoderFor(
  layout: ColumnLayout,
  column: ColumnSpec,
  rowEncoder: ColumnEncoder,
  textLimit: number | null,
): PackedColumnEncoder | null {
  switch (layout.encoding) {
    case "boolean":
      return (index, columnIndex, start, end, page) => {
        const { bytes, starts, ends, columns } = index;
        const sink = page.values;
        for (let row = start; row < end; row++) {
          const at = starts[row * columns + columnIndex] as number;
          if (at >= 0 && (ends[row * columns + columnIndex] as number) === at + 1) {
            const bit = (bytes[at] as number) - 48;
            if (bit === 0 || bit === 1) {
              sink.byte(bit);
              page.levels[page.count++] = 1;
              continue;
            }
          }
          if (at < 0) page.appendNull(null);
          else viaRows(rowEncoder, index, columnIndex, row, page);
        }
      };
    case "int32": {
      const [min, max] = integerRange(column);
      return (index, columnIndex, start, end, page) => {
        const { bytes, starts, ends, columns } = index;
        const sink = page.values;
        for (let row = start; row < end; row++) {
          const slot = row * columns + columnIndex;
          const at = starts[slot] as number;
          if (at < 0) {
            page.appendNull(null);
            continue;
          }
          const value = smallInteger(bytes, at, ends[slot] as number);
          if (value !== undefined && value >= min && value <= max) {
            sink.int32(value);
            page.levels[page.count++] = 1;
          } else viaRows(rowEncoder, index, columnIndex, row, page);
        }
      };
    }
    case "int64":
      return (index, columnIndex, start, end, page) => {
        const { bytes, starts, ends, columns } = index;
        const sink = page.values;
        for (let row = start; row < end; row++) {
          const slot = row * columns + columnIndex;
          const at = starts[slot] as number;
          if (at < 0) {
            page.appendNull(null);
            continue;
          }
          const value = smallInteger(bytes, at, ends[slot] as number);
          if (value !== undefined) {
            sink.int64FromSafeNumber(value);
            page.levels[page.count++] = 1;
          } else viaRows(rowEncoder, index, columnIndex, row, page);
        }
      };
    case "decimal-int32":
    case "decimal-int64": {
      const scale = layout.scale ?? 0;
      const limit = 10 ** Math.min(layout.precision ?? 0, 16);
      const wide = layout.encoding === "decimal-int64";
      return (index, columnIndex, start, end, page) => {
        const { bytes, starts, ends, columns } = index;
        const sink = page.values;
        for (let row = start; row < end; row++) {
          const slot = row * columns + columnIndex;
          const at = starts[slot] as number;
          if (at < 0) {
            page.appendNull(null);
            continue;
          }
          const value = smallUnscaledAt(bytes, at, ends[slot] as number, scale);
          if (value !== undefined && value < limit && value > -limit) {
            if (wide) sink.int64FromSafeNumber(value);
            else sink.int32(value);
            page.levels[page.count++] = 1;
          } else viaRows(rowEncoder, index, columnIndex, row, page);
        }
      };
    }
    case "float":
    case "double": {
      const single = layout.encoding === "float";
      return (index, columnIndex, start, end, page) => {
        const { starts, ends, columns } = index;
        const sink = page.values;
        for (let row = start; row < end; row++) {
          const slot = row * columns + columnIndex;
          const at = starts[slot] as number;
          if (at < 0) {
            page.appendNull(null);
            continue;
          }
          const stop = ends[slot] as number;
          // The server's shortest round-trip digits (ADR 0029): Number() of that text,
          // for plain ASCII text only (Latin-1 and UTF-8 read it alike).
          const value = isPlainAscii(index.bytes, at, stop) ? Number(index.latin1(at, stop)) : Number.NaN;
          if (!Number.isNaN(value)) {
            if (single) sink.float(value);
            else sink.double(value);
            page.levels[page.count++] = 1;
          } else viaRows(rowEncoder, index, columnIndex, row, page);
        }
      };
    }
    case "date":
      return (index, columnIndex, start, end, page) => {
        const { bytes, starts, ends, columns } = index;
        const sink = page.values;
        for (let row = start; row < end; row++) {
          const slot = row * columns + columnIndex;
          const at = starts[slot] as number;
          if (at < 0) {
            page.appendNull(null);
            continue;
          }
          const days = (ends[slot] as number) - at === 10 ? daysAt(bytes, at) : undefined;
          if (days !== undefined) {
            sink.int32(days);
            page.levels[page.count++] = 1;
          } else viaRows(rowEncoder, index, columnIndex, row, page);
        }
      };
    case "datetime":
    case "timestamp":
      return (index, columnIndex, start, end, page) => {
        const { bytes, starts, ends, columns } = index;
        const sink = page.values;
        for (let row = start; row < end; row++) {
          const slot = row * columns + columnIndex;
          const at = starts[slot] as number;
          if (at < 0) {
            page.appendNull(null);
            continue;
          }
          const micros = microsAt(bytes, at, ends[slot] as number);
          if (micros !== undefined) {
            sink.int64FromSafeNumber(micros);
            page.levels[page.count++] = 1;
          } else viaRows(rowEncoder, index, columnIndex, row, page);
        }
      };
    case "utf8":
    case "binary": {
      const cap = textLimit ?? Number.POSITIVE_INFINITY;
      const text = layout.encoding === "utf8";
      return (index, columnIndex, start, end, page) => {
        const { bytes, starts, ends, columns } = index;
        // Bytes go as they are only where the row path would write these very bytes:
        // text it decodes as UTF-8 (checked well-formed and NUL-free here), or bytes
        // for a binary column.
        const decodedAsBytes = index.decodings[columnIndex] === "bytes";
        if (!text && !decodedAsBytes) {
          rowEncoder(index.rows(), columnIndex, start, end, page);
          return;
        }
        let longest = page.maxBytes;
        for (let row = start; row < end; row++) {
          const slot = row * columns + columnIndex;
          const at = starts[slot] as number;
          if (at < 0) {
            page.appendNull(null);
            continue;
          }
          const stop = ends[slot] as number;
          const length = stop - at;
          if (length <= cap && (!text || isCleanUtf8(bytes, at, stop))) {
            page.values.lengthPrefixedRange(bytes, at, stop);
            if (length > longest) longest = length;
            page.levels[page.count++] = 1;
            page.cutPageIfFull();
          } else {
            page.maxBytes = longest;
            viaRows(rowEncoder, index, columnIndex, row, page);
            longest = page.maxBytes;
          }
        }
        page.maxBytes = longest;
      };
    }
    default:
      return null;
  }
}
