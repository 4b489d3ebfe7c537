import { formatTableRef } from "@sluice/core";
import type { SyncProgress, SyncTableOptions } from "./sync-options.js";

/** One stage's progress: `advance` as rows go by, `finish` once with the final count. */
export interface StageProgress {
  advance(rowsDone: number): void;
  finish(rowsDone: number): void;
  /** Announces the stage (rows done 0) with its estimated total, when one is known. */
  start(estimatedRows?: number): void;
}

const inert: StageProgress = {
  advance() {},
  finish() {},
  start() {},
};

/**
 * Throttles a stage's events to one per `progressEveryMs`: the extract loop calls
 * `advance` per batch (thousands of times on a big table), and a display redrawn that
 * often would cost more than the copy. Without `onProgress` it is inert: no clock reads.
 */
export function stageProgress(options: SyncTableOptions, stage: SyncProgress["stage"]): StageProgress {
  const report = options.onProgress;
  if (!report) return inert;
  const table = formatTableRef(options.table);
  const every = options.progressEveryMs ?? 250;
  let estimated: number | undefined;
  let last = Number.NEGATIVE_INFINITY;
  const emit = (rowsDone: number, done: boolean) => {
    try {
      report({
        table,
        stage,
        rowsDone,
        ...(estimated !== undefined ? { rowsEstimated: estimated } : {}),
        done,
      });
    } catch {
      // A display that throws must not fail the copy.
    }
  };
  return {
    advance(rowsDone) {
      const now = performance.now();
      if (now - last < every) return;
      last = now;
      emit(rowsDone, false);
    },
    finish(rowsDone) {
      emit(rowsDone, true);
    },
    start(estimatedRows) {
      estimated = estimatedRows;
      last = performance.now();
      emit(0, false);
    },
  };
}
