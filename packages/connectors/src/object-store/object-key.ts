import { configError, type SluiceError } from "@sluice/core";

/**
 * Checks a store-relative key: `/`-separated, no empty, `.` or `..` segments, no
 * leading slash. The same rule for S3 and the local directory keeps a key that works
 * in tests working in production, and stops a key from escaping the lake directory.
 * Returns the error, or null when the key is fine.
 */
export function invalidKey(key: string): SluiceError | null {
  if (key === "" || key.includes("\0") || key.includes("\\")) {
    return configError(`object key "${key}" is empty or contains NUL or a backslash; use /-separated keys`);
  }
  if (key.split("/").some((segment) => segment === "" || segment === "." || segment === "..")) {
    return configError(`object key "${key}" has an empty, '.' or '..' segment; use keys like a/b/c.parquet`);
  }
  return null;
}

/** A list prefix may be "" or end with "/"; it must not climb out with "..". */
export function invalidListPrefix(prefix: string): SluiceError | null {
  if (prefix === "") return null;
  return invalidKey(prefix.endsWith("/") ? prefix.slice(0, -1) : prefix);
}

/** Byte-order comparison of keys, so both stores list in the same order as S3 does for ASCII keys. */
export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
