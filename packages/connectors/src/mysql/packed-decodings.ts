import type { ValueDecoding } from "@sluice/core";

/** What mysql2 tells of one result column (its ColumnDefinition). */
export interface ResultField {
  readonly columnType: number;
  readonly characterSet: number;
  readonly encoding?: string;
  /** MariaDB's extended metadata, e.g. "json". */
  readonly extendedFormat?: string;
}

/** The binary pseudo-charset: mysql2 hands such values on as Buffers. */
const BINARY_CHARSET = 63;

/** mysql2's column type codes (its `Types` constants) that sluice's sessions decode as numbers. */
const integerTypes = new Set([
  1, // TINY
  2, // SHORT
  3, // LONG
  9, // INT24
  13, // YEAR
]);
/** Types mysql2 turns into something other than a number, a string or a Buffer here. */
const otherTypes = new Set([
  4, // FLOAT: mysql2 parses it itself (inexact, ADR 0029); sluice selects it as text
  5, // DOUBLE: same
  6, // NULL
  242, // VECTOR
  255, // GEOMETRY: sluice selects ST_AsBinary
]);

/**
 * How each result column must be decoded to give exactly the value mysql2 gives under
 * `mysqlSessionConfig` (dateStrings, bigNumberStrings, decimalNumbers: false,
 * jsonStrings, utf8mb4): integers of at most 32 bits and YEAR as numbers; BIGINT,
 * DECIMAL and the date/time types as their (ASCII) text; binary-charset columns as bytes;
 * every other column as UTF-8 text. Null when a column falls outside these (its type
 * or its charset): the statement is then read through mysql2's own row parser.
 */
export function packedDecodings(fields: readonly ResultField[]): ValueDecoding[] | null {
  const decodings: ValueDecoding[] = [];
  for (const field of fields) {
    if (field.extendedFormat === "json") decodings.push("text");
    else if (integerTypes.has(field.columnType)) decodings.push("integer");
    else if (otherTypes.has(field.columnType)) return null;
    // JSON (245): MySQL reports charset 63, mysql2 decodes it as UTF-8 text (jsonStrings).
    else if (field.columnType === 245) decodings.push("text");
    // BIGINT, DECIMAL, dates and times: ASCII text (their charset says binary; mysql2
    // looks at their type first, as here).
    else if (isAsciiType(field.columnType)) decodings.push("ascii");
    else if (field.characterSet === BINARY_CHARSET) decodings.push("bytes");
    else if (field.encoding === "utf8") decodings.push("text");
    else return null;
  }
  return decodings;
}

/** LONGLONG, DECIMAL, NEWDECIMAL, DATE, TIMESTAMP, DATETIME, TIME: mysql2 reads these as text. */
const asciiTypes = new Set([8, 0, 246, 10, 7, 12, 11]);
const isAsciiType = (columnType: number): boolean => asciiTypes.has(columnType);
