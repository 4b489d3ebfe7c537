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

/** Per-column policies and the means to name a row in messages, shared by a part's builders. */
export interface ColumnValueRules {
  readonly table: string;
  readonly column: ColumnSpec;
  readonly invalidDates: InvalidDatePolicy;
  /** Cap for this column's values in bytes, or null when none applies. */
  readonly textLimit: TextByteLimit | null;
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
