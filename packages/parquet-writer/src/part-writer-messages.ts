import type { PackedRows, SluiceErrorKind, SourceValue } from "@sluice/core";
import type { ParquetPartOptions, ParquetPartSummary } from "./parquet-part-writer.js";

/** What the main thread asks of a part-writer worker (one part per worker at a time). */
export type PartWorkerRequest =
  | { readonly type: "open"; readonly id: number; readonly options: ParquetPartOptions }
  | { readonly type: "write"; readonly id: number; readonly rows: readonly (readonly SourceValue[])[] }
  /** Rows still packed; `packed.bytes`' buffer came along as a transfer, not a copy. */
  | { readonly type: "write-packed"; readonly id: number; readonly packed: PackedRows }
  | { readonly type: "finish"; readonly id: number }
  | { readonly type: "abort"; readonly id: number };

/** A SluiceError as it crosses the thread boundary (its `cause` stays behind). */
export interface PartWorkerFailure {
  readonly kind: SluiceErrorKind;
  readonly message: string;
  readonly retryable: boolean;
}

export type PartWorkerReply =
  | { readonly id: number; readonly ok: true; readonly summary?: ParquetPartSummary }
  | { readonly id: number; readonly ok: false; readonly error: PartWorkerFailure };
