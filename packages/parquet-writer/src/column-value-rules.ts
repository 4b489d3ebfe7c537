import type { ColumnSpec, SluiceError, SourceValue } from "@sluice/core";
import { sluiceError } from "@sluice/core";

/**
 * What to do with a DATE/DATETIME/TIMESTAMP value that is no calendar date: MySQL's
 * zero dates (`0000-00-00`), partial zeros (`2024-00-15`) and the impossible dates
 * `ALLOW_INVALID_DATES` stores (`2024-02-30`). `"null"` writes NULL and counts it
 * (never 1970-01-01); `"fail"` stops the part with an error naming the row.
 */
export type InvalidDatePolicy = "null" | "fail";

/**
 * A byte cap for text values (string and TIME columns; not JSON, whose target is
 * SUPER). Redshift's VARCHAR holds at most 65,535 bytes and COPY from Parquet has no
 * TRUNCATECOLUMNS, so a longer value would fail the whole COPY. `"fail"` stops the
 * part naming the row; `"truncate"` cuts the value on a UTF-8 character boundary and
 * counts it.
 */
export interface TextByteLimit {
  readonly maxBytes: number;
  readonly policy: "fail" | "truncate";
}

/**
 * What to do with U+0000 (NUL) in a text value. MySQL keeps it in VARCHAR/TEXT, Parquet
 * holds it, but neither PostgreSQL (`invalid byte sequence for encoding "UTF8": 0x00`)
 * nor Redshift VARCHAR accepts it, so a staged NUL makes a run that can never load.
 * `"fail"` stops the part naming the row; `"strip"` removes every NUL; `"replace"`
 * writes U+FFFD (the Unicode replacement character, see {@link nulReplacement}) for
 * each. Values changed are counted per column.
 */
export type NulInTextPolicy = "fail" | "strip" | "replace";

/**
 * What `"replace"` writes for each NUL. Redshift's COPY ACCEPTINVCHARS defaults to `?`
 * for invalid UTF-8, but `?` cannot be told from a real question mark afterwards;
 * U+FFFD is what a UTF-8 decoder (mysql2's included) already writes for bytes it
 * cannot read, so one character marks every substitution, and it is valid in both
 * warehouses. Docs: docs/types.md, docs/adr/0016-nul-unloadable-values.md.
 */
export const nulReplacement = "\uFFFD";

/** Per-column policies and the means to name a row in messages, shared by a part's builders. */
export interface ColumnValueRules {
  readonly table: string;
  readonly column: ColumnSpec;
  readonly invalidDates: InvalidDatePolicy;
  /** Cap for this column's values in bytes, or null when none applies. */
  readonly textLimit: TextByteLimit | null;
  /** NUL in text (string, TIME, JSON, decimal-as-text columns). */
  readonly nulInText: NulInTextPolicy;
  /** `id=42` (the primary key of the row), for messages and samples. */
  describeKey(row: readonly SourceValue[]): string;
}

function valueText(value: SourceValue | undefined): string {
  if (value === null || value === undefined) return "NULL";
  if (value instanceof Uint8Array) return `0x${Buffer.from(value).toString("hex")}`;
  return String(value);
}

/** Describes a row by its key columns, or says that there is no key to name it by. */
export function rowKeyDescriber(
  columns: readonly ColumnSpec[],
  keyColumns: readonly string[],
): (row: readonly SourceValue[]) => string {
  const indexes = keyColumns
    .map((name) => ({ name, index: columns.findIndex((column) => column.name === name) }))
    .filter((key) => key.index >= 0);
  if (indexes.length === 0) return () => "(table has no primary key)";
  return (row) => indexes.map((key) => `${key.name}=${valueText(row[key.index])}`).join(", ");
}

/** The error for an invalid date under policy "fail". */
export function invalidDateError(
  rules: ColumnValueRules,
  value: string,
  row: readonly SourceValue[],
): SluiceError {
  const { table, column } = rules;
  return sluiceError(
    "encode",
    `Table ${table} column ${column.name} (${column.sourceType}) holds ${JSON.stringify(value)}, which is no calendar date, in the row with ${rules.describeKey(row)}; fix the row in MySQL, or let sluice write such dates as NULL (invalidDates: "null", --invalid-dates null).`,
  );
}

/** The error for a text value above the byte cap under policy "fail". */
export function oversizeTextError(
  rules: ColumnValueRules,
  bytes: number,
  row: readonly SourceValue[],
): SluiceError {
  const { table, column } = rules;
  const limit = rules.textLimit?.maxBytes ?? 0;
  return sluiceError(
    "encode",
    `Table ${table} column ${column.name} (${column.sourceType}) has a value of ${bytes} bytes in the row with ${rules.describeKey(row)}, above Redshift's VARCHAR maximum of ${limit} bytes; shorten the value in MySQL, or opt in to cutting such values at ${limit} bytes (oversizeText: "truncate", --oversize-text truncate).`,
  );
}

/** The error for NUL in a text value under policy "fail". */
export function nulInTextError(
  rules: ColumnValueRules,
  value: string,
  row: readonly SourceValue[],
): SluiceError {
  const { table, column } = rules;
  const at = value.indexOf("\0");
  const around = JSON.stringify(value.slice(Math.max(0, at - 20), at + 20));
  return sluiceError(
    "encode",
    `Table ${table} column ${column.name} (${column.sourceType}) holds the character U+0000 (NUL) at position ${at + 1} in the row with ${rules.describeKey(row)} (around ${around}); neither PostgreSQL nor Redshift text can store it. Remove it in MySQL (UPDATE ${table} SET ${column.name} = REPLACE(${column.name}, CHAR(0), '') WHERE ...), or let sluice remove it (nulInText: "strip", --nul-in-text strip) or write U+FFFD for it (nulInText: "replace", --nul-in-text replace). Nothing of this run was committed.`,
  );
}

/**
 * The error for a string that is not well-formed UTF-16 (a lone surrogate): writing it
 * as UTF-8 would silently put U+FFFD in its place. mysql2 decodes text with a UTF-8
 * decoder, which never yields one, so this names a source that handed one over.
 */
export function malformedTextError(
  rules: ColumnValueRules,
  value: string,
  row: readonly SourceValue[],
): SluiceError {
  const { table, column } = rules;
  return sluiceError(
    "encode",
    `Table ${table} column ${column.name} (${column.sourceType}) has a value with a lone UTF-16 surrogate in the row with ${rules.describeKey(row)} (${JSON.stringify(value.slice(0, 60))}); it has no UTF-8 form, so it cannot be staged exactly; fix the value at the source (or in the custom strategy that produced it).`,
  );
}

/**
 * Where to cut `bytes[start, start + length)` so at most `limit` bytes stay and no
 * UTF-8 sequence is split: back off while the first dropped byte is a continuation
 * byte (10xxxxxx), which belongs to the character before it.
 */
export function utf8CutLength(bytes: Uint8Array, start: number, length: number, limit: number): number {
  if (length <= limit) return length;
  let cut = limit;
  while (cut > 0 && ((bytes[start + cut] ?? 0) & 0xc0) === 0x80) cut--;
  return cut;
}
