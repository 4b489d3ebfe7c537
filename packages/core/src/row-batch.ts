/**
 * One value as it leaves the source driver. mysql2 is run with
 * `dateStrings`, `supportBigNumbers` + `bigNumberStrings` and `decimalNumbers: false`,
 * so nothing is lost on the way in:
 * - integers: `number` up to INT/MEDIUMINT; BIGINT always `string` (bigNumberStrings);
 * - DECIMAL: `string` (exact);  FLOAT/DOUBLE: `string`, the server's shortest
 *   round-trip digits (the MySQL source reads them as text: mysql2's own float parser is
 *   inexact for some 16-digit values, ADR 0029); a `number` is accepted too;
 * - DATE / DATETIME / TIMESTAMP / TIME: the server's text, e.g. `2024-05-01 12:00:00.123456`;
 * - text, ENUM, SET, JSON: `string`;  binary and BIT: `Buffer` (Uint8Array);
 * - SQL NULL: `null`.
 */
export type SourceValue = string | number | bigint | Uint8Array | null;

/** A page of rows, each row an array in `TableSpec.columns` order. */
export interface RowBatch {
  readonly rows: readonly (readonly SourceValue[])[];
}
