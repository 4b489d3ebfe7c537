import type { CursorPosition, NullCursorPolicy, SluiceError, TableSpec } from "@sluice/core";
import { configError, formatTableRef, sluiceError } from "@sluice/core";
import { err, ok, type Result } from "neverthrow";
import { defaultPageSize, type PlanInput } from "./cdc-strategy.js";

/** The knobs every strategy shares: positive integers or null, a known NULL policy. */
export function checkLimits(input: PlanInput): Result<
  {
    pageSize: number;
    limit: number | null;
    maxChunks: number | null;
    nullCursor: NullCursorPolicy;
  },
  SluiceError
> {
  const table = formatTableRef(input.spec.ref);
  const pageSize = input.pageSize ?? defaultPageSize;
  if (!Number.isSafeInteger(pageSize) || pageSize < 1) {
    return err(configError(`${table}: page size ${pageSize} is not a positive integer; pass e.g. 50000`));
  }
  const limit = input.limit;
  if (limit !== null && (!Number.isSafeInteger(limit) || limit < 1)) {
    return err(
      configError(`${table}: --limit ${limit} is not a positive integer; omit it to take every row`),
    );
  }
  const maxChunks = input.maxChunks ?? null;
  if (maxChunks !== null && (!Number.isSafeInteger(maxChunks) || maxChunks < 1)) {
    return err(
      configError(
        `${table}: --max-chunks ${maxChunks} is not a positive integer; omit it to issue every page query`,
      ),
    );
  }
  const nullCursor = input.nullCursor ?? "skip";
  if (nullCursor !== "skip" && nullCursor !== "oldest") {
    return err(configError(`${table}: --null-cursor ${String(nullCursor)} is not one of skip, oldest`));
  }
  return ok({ pageSize, limit, maxChunks, nullCursor });
}

/**
 * A stored position must have one key value per key column; anything else means the
 * watermark was written for another key or another strategy, and resuming from it
 * could skip or repeat rows.
 */
export function checkPosition(
  spec: TableSpec,
  strategy: string,
  keyColumns: readonly string[],
  after: CursorPosition | null,
  expectsCursor: boolean,
): Result<CursorPosition | null, SluiceError> {
  if (after === null) return ok(null);
  const table = formatTableRef(spec.ref);
  const reset = `reset it with: sluice watermark reset -t ${table}`;
  if (after.keyValues.length !== keyColumns.length) {
    return err(
      sluiceError(
        "watermark",
        `${table}: stored position has ${after.keyValues.length} key value(s) but the ${strategy} strategy keys on (${keyColumns.join(", ")}); the primary key changed since the last run; ${reset}`,
      ),
    );
  }
  if (!expectsCursor && after.cursorValue !== null) {
    return err(
      sluiceError(
        "watermark",
        `${table}: stored position carries a cursor value (${after.cursorValue}) but the ${strategy} strategy has no cursor column; it was written by another strategy; ${reset}`,
      ),
    );
  }
  return ok(after);
}
