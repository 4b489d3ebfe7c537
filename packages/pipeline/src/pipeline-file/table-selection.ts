import { closeMatches, configError, type SluiceError } from "@sluice/core";
import { err, ok, type Result } from "neverthrow";
import type { PipelineTableEntry } from "./pipeline-file-schema.js";

/**
 * The tables a `-t` list picks from a pipeline: exact names (case-insensitive) or
 * globs (`settlement.*`, `shop.order_?`). No `-t`: every enabled table, in file order.
 * A name or glob that picks nothing is an error (a typo must not run zero tables and
 * exit 0); an explicitly named disabled table runs.
 */
export function selectTables(
  tables: readonly PipelineTableEntry[],
  patterns: readonly string[],
  pipelinePath: string,
): Result<PipelineTableEntry[], SluiceError> {
  if (patterns.length === 0) return ok(tables.filter((entry) => entry.enabled !== false));
  const picked = new Set<PipelineTableEntry>();
  for (const pattern of patterns) {
    const matcher = globMatcher(pattern);
    const matches = tables.filter((entry) => matcher(entry.table));
    if (matches.length === 0) {
      const near = closeMatches(
        pattern,
        tables.map((entry) => entry.table),
      );
      return err(
        configError(
          `-t ${pattern} matches no table in ${pipelinePath}${near.length > 0 ? ` (did you mean ${near.join(", ")}?)` : ""}; add it under tables: or check the name`,
        ),
      );
    }
    const isGlob = /[*?]/.test(pattern);
    for (const entry of matches) if (!isGlob || entry.enabled !== false) picked.add(entry);
  }
  return ok(tables.filter((entry) => picked.has(entry)));
}

export function globMatcher(pattern: string): (name: string) => boolean {
  const source = pattern
    .split("")
    .map((char) => (char === "*" ? "[^]*" : char === "?" ? "." : char.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
    .join("");
  const expression = new RegExp(`^${source}$`, "i");
  return (name) => expression.test(name);
}
