import { configError, type SluiceError } from "@sluice/core";

/**
 * `--since '2025-09-09 12:00:00'`: a UTC instant (the lake's run ids and partitions
 * are UTC). Accepts `YYYY-MM-DD`, `YYYY-MM-DD HH:MM[:SS[.fff]]`, the same with `T`,
 * and ISO 8601 with an explicit offset (`Z`, `+02:00`).
 */
export function parseSince(text: string | undefined): Date | undefined | SluiceError {
  if (text === undefined) return undefined;
  const trimmed = text.trim();
  const match =
    /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?))?(Z|[+-]\d{2}:\d{2})?$/.exec(trimmed);
  const at = match ? new Date(`${match[1]}T${match[2] ?? "00:00"}${match[3] ?? "Z"}`) : null;
  if (!at || Number.isNaN(at.getTime())) {
    return configError(
      `--since must be a time like '2025-09-09 12:00:00' (UTC) or 2025-09-09T12:00:00+02:00, got "${text}"`,
    );
  }
  return at;
}
