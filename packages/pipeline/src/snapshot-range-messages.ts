import type { ExtractPlan, SluiceErrorJson, SourceRecipe, SqlStatement, TableSpec } from "@sluice/core";
import type { ParquetPartSummary } from "@sluice/parquet-writer";
import type { RangeRead, RangeReadSettings } from "./snapshot-range-read.js";

/** What a snapshot lane's worker thread starts with (structured-cloned). */
export interface LaneWorkerData {
  readonly recipe: SourceRecipe;
  readonly spec: TableSpec;
  readonly settings: Omit<RangeReadSettings, "stop">;
  /** One Int32: non-zero once the run's time budget is spent. */
  readonly stopFlag: SharedArrayBuffer;
}

/** Run -> lane: read this range's plan; a part was taken; close the source and end. */
export type LaneRequest =
  | { readonly type: "read"; readonly plan: ExtractPlan }
  | { readonly type: "part-taken" }
  | { readonly type: "close" };

/** Lane -> run, in the order they happen. */
export type LaneReply =
  | { readonly type: "part"; readonly summary: ParquetPartSummary }
  | { readonly type: "rows"; readonly count: number }
  | { readonly type: "query"; readonly statement: SqlStatement }
  | { readonly type: "null-cursor-rows"; readonly count: number | null }
  | { readonly type: "read"; readonly read: RangeRead }
  | { readonly type: "failed"; readonly error: SluiceErrorJson }
  | { readonly type: "closed" };
