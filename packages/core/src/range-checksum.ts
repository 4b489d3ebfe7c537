/**
 * A slice of a table by primary key for `sluice sync --verify-data`: `from` inclusive,
 * `to` exclusive, each the key values as text (null: unbounded). Source and target
 * compute the same slices, so a difference names the slice where it is.
 */
export interface KeyRange {
  readonly from: readonly string[] | null;
  readonly to: readonly string[] | null;
}

/**
 * Rows of one slice and the sum of the first 60 bits of the MD5 of each row's
 * canonical text, as decimal text (the sum is exact: MySQL DECIMAL, PostgreSQL NUMERIC).
 * The canonical text of a row is its compared columns' canonical texts joined by
 * U+001F, with `\N` for NULL; see docs/watermarks.md ("Verifying data").
 */
export interface RangeChecksum {
  readonly rows: number;
  readonly checksum: string;
}

/** Logical kinds left out of checksums (compared by count only): their text differs between the databases. */
export const uncheckedKinds: ReadonlySet<string> = new Set(["float", "double", "json", "time"]);

/** Separator of column texts inside a row's canonical text (ASCII unit separator). */
export const canonicalSeparator = "\u001f";
