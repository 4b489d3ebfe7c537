import type { CursorPosition, ExtractPlan, SluiceError, SnapshotProgress } from "@sluice/core";
import { formatTableRef, sluiceError } from "@sluice/core";
import { err, ok, type Result } from "neverthrow";
import type { AdvanceInput, CdcStrategy, PlanInput, SnapshotRangeOutcome } from "./cdc-strategy.js";
import { advancePosition } from "./default-advance.js";
import { canonicalText } from "./position-of-row.js";

/**
 * Gives a cursor strategy's plan its initial-snapshot form when the table has no
 * position yet. Reading a whole table in cursor order walks the cursor index and
 * fetches every row through it (1.5-1.9x the cost of a primary-key scan, measured);
 * the snapshot reads the same rows, `cursor < ceiling`, in primary-key order instead:
 *
 * - a first run (no position, no snapshot in progress) whose plan has a clock ceiling
 *   starts a snapshot below that ceiling;
 * - a run with a snapshot in progress continues it strictly after its last key, with
 *   the ceiling frozen when it started (the input's own ceiling is ignored), so the
 *   runs of one snapshot together read exactly the rows below one ceiling;
 * - anything else (a stored position, a cursor without a clock ceiling, or
 *   `initialSnapshot: false`) is returned unchanged.
 *
 * Why one frozen ceiling makes the hand-over exact: every write stamped below it had
 * committed when it was captured (ceiling protection, see mysql-ceiling.ts), so those
 * rows hold still while the snapshot pages through them, and every later write is
 * stamped at or above it, after the position the incremental runs start from
 * ({@link advanceWatermark}).
 */
export function withInitialSnapshot(input: PlanInput, plan: ExtractPlan): Result<ExtractPlan, SluiceError> {
  const { spec } = input;
  const table = formatTableRef(spec.ref);
  const reset = `reset it with: sluice watermark reset -t ${table}`;
  const keyColumns = [...spec.primaryKey];
  const progress = input.snapshot ?? null;
  if (progress !== null) {
    if (input.after !== null) {
      return err(
        sluiceError(
          "watermark",
          `${table}: the watermark holds both a position and an initial snapshot in progress (below ${progress.ceiling}); it was edited by hand or written by another sluice; ${reset}`,
        ),
      );
    }
    const keyLengths = [
      progress.afterKey,
      ...(progress.ranges ?? []).flatMap((range) => [range.afterKey, range.throughKey]),
    ].flatMap((key) => (key === null ? [] : [key.length]));
    const stale = keyLengths.find((length) => length !== keyColumns.length);
    if (stale !== undefined) {
      return err(
        sluiceError(
          "watermark",
          `${table}: the initial snapshot in progress stopped after a key of ${stale} value(s), but the primary key is now (${keyColumns.join(", ")}); the primary key changed since that run; ${reset}`,
        ),
      );
    }
    if (plan.cursorColumn === null) {
      return err(
        sluiceError(
          "watermark",
          `${table}: an initial snapshot is in progress but the ${plan.strategy} plan has no cursor column to bound it; ${reset}`,
        ),
      );
    }
    return ok({
      ...plan,
      after: null,
      ceiling: progress.ceiling,
      snapshot: {
        keyColumns,
        afterKey: progress.afterKey,
        ...(progress.ranges ? { ranges: progress.ranges } : {}),
      },
    });
  }
  const start =
    input.initialSnapshot !== false &&
    input.after === null &&
    plan.ceiling !== null &&
    plan.cursorColumn !== null &&
    keyColumns.length > 0;
  if (start) {
    return ok({ ...plan, snapshot: { keyColumns, afterKey: null } });
  }
  return ok(plan);
}

/** Where the next run starts: a position, or an initial snapshot still in progress. */
export interface WatermarkAdvance {
  /** The position for the next run; null while a snapshot is in progress (or before any row). */
  readonly position: CursorPosition | null;
  /** The snapshot to continue; null when the run was incremental or the snapshot is complete. */
  readonly snapshot: SnapshotProgress | null;
}

/**
 * The watermark after a run. Incremental runs: the strategy's `advance` (default: the
 * last row). Initial-snapshot runs:
 * - complete (the ordered pass was not cut by `--limit`/`--max-chunks`) with the
 *   source's `snapshotEnd`: every row below the ceiling is done, so the position is the
 *   largest (cursor, key) row below it, as a first run in cursor order would have left
 *   it. No row lies between that position and the ceiling, so the next run's
 *   `cursor > X OR (cursor = X AND key > K)` reads exactly the rows at or above the
 *   ceiling: every row written since the snapshot started, including rows whose cursor
 *   moved from below the ceiling to above it while it ran (whether or not the snapshot
 *   saw their old version). For a strategy without key columns (timestamp) the position
 *   is the cursor alone: the snapshot took that whole group of equal values. A null
 *   `snapshotEnd` (no dated row below the ceiling) leaves no position: the next run
 *   starts a new snapshot, which is as exact;
 * - cut: the same ceiling and the key of the last row taken (or the previous key when
 *   the run took none), so the next run continues the snapshot with no gap or repeat.
 */
export function advanceWatermark(strategy: CdcStrategy, input: AdvanceInput): WatermarkAdvance {
  const read = input.plan.snapshot;
  if (!read) return { position: advancePosition(strategy, input), snapshot: null };
  const ceiling = input.plan.ceiling;
  const table = formatTableRef(input.spec.ref);
  if (ceiling === null) {
    throw sluiceError("internal", `${table}: an initial-snapshot plan without a ceiling`);
  }
  if (input.ranges) return advanceRanges(ceiling, input.ranges);
  if (input.complete === true && input.snapshotEnd !== undefined) {
    return { position: input.snapshotEnd, snapshot: null };
  }
  const lastRow = input.lastRow;
  const afterKey =
    lastRow === null
      ? read.afterKey
      : read.keyColumns.map((name) => {
          const index = input.spec.columns.findIndex((column) => column.name === name);
          const text = index < 0 ? null : canonicalText(lastRow[index] ?? null);
          if (text === null) {
            throw sluiceError(
              "internal",
              `${table}: key column ${name} is missing or NULL in an extracted row`,
            );
          }
          return text;
        });
  return { position: null, snapshot: { ceiling, afterKey } };
}

/**
 * A snapshot read in ranges: complete once every range was read to its end in runs
 * that ended with the last range read in this one (its read gives the snapshot end,
 * which must come after every row of the snapshot was written, see above); else the
 * ranges still to read, each after its own last key, and the last range kept so the
 * run that finishes the others reads its end.
 */
function advanceRanges(ceiling: string, outcomes: readonly SnapshotRangeOutcome[]): WatermarkAdvance {
  const last = outcomes.find((outcome) => outcome.range.throughKey === null);
  const complete =
    outcomes.every((outcome) => outcome.exhausted) && last !== undefined && last.snapshotEnd !== undefined;
  if (complete) return { position: last.snapshotEnd ?? null, snapshot: null };
  const ranges = outcomes
    .filter((outcome) => !outcome.exhausted || outcome.range.throughKey === null)
    .map((outcome) => ({
      afterKey: outcome.lastKey ?? outcome.range.afterKey,
      throughKey: outcome.range.throughKey,
    }));
  return { position: null, snapshot: { ceiling, afterKey: null, ranges } };
}
