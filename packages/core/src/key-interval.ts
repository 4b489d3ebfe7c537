/**
 * A slice of a table in primary-key order, for delete reconciliation: the keys
 * strictly after `after` and up to and including `through` (null: unbounded on that
 * side). Values are canonical key texts (numbers in decimal, times as
 * `YYYY-MM-DD HH:MM:SS.ffffff`, bytes as lower-case hex, text as itself), one per
 * key column. Source and target evaluate the same interval in the same order
 * (numbers and times by value, text and bytes by their UTF-8 / raw bytes), so both
 * sides see the same keys in it.
 */
export interface KeyInterval {
  readonly after: readonly string[] | null;
  readonly through: readonly string[] | null;
}

/**
 * The keys of one interval summarised: how many, and the sum of the first 60 bits of
 * the MD5 of each key's canonical text (key column texts joined by U+001F), as exact
 * decimal text. The sum does not depend on row order, so two databases that hold the
 * same keys compute the same digest, and one extra or missing key changes it.
 */
export interface KeyDigest {
  readonly rows: number;
  readonly sum: string;
}

/** One part of an interval split on the source by its own keys, with the source digest of the part. */
export interface KeyPart {
  readonly interval: KeyInterval;
  readonly digest: KeyDigest;
}

/** A key as its canonical texts, and whether its row is at or below the extraction watermark. */
export interface SourceKey {
  readonly key: readonly string[];
  /** True when the row's (cursor, key) position is at or below the watermark: it must be in the target. */
  readonly extracted: boolean;
}

/** Separator of key column texts in a key's canonical text (ASCII unit separator). */
export const keyTextSeparator = "\u001f";

/** One string per key, for set comparisons in memory. */
export function keyText(key: readonly string[]): string {
  return key.join(keyTextSeparator);
}
