import type { SluiceErrorKind } from "@sluice/core";

/**
 * Exit codes schedulers can branch on: 2 = fix the command or configuration (do not
 * retry), 3 = transient (retry later), 4 = another run holds the table, 1 = anything else.
 */
export function exitCodeFor(kind: SluiceErrorKind, retryable: boolean): number {
  if (retryable) return 3;
  if (kind === "conflict") return 4;
  if (kind === "config" || kind === "auth" || kind === "not_found" || kind === "no_cursor") return 2;
  return 1;
}
