/**
 * Stage boundaries where crash-recovery tests stop a sync (kill -9) to prove that a
 * rerun converges: the target equals the source row for row, the watermark matches
 * what landed. In order of a run:
 * - `part-written`: a Parquet part is complete on local disk, not uploaded;
 * - `part-uploaded`: a part is in the lake, no manifest lists it yet;
 * - `manifest-written`: the run manifest is in the lake, the watermark not advanced;
 * - `extract-committed`: manifest and watermark written, nothing loaded;
 * - `copy-started`: the warehouse transaction holds staged rows, not merged;
 * - `before-commit`: merged and ledger row written, COMMIT not sent;
 * - `load-committed`: COMMIT done, the watermark's load mirror not yet updated.
 */
export const faultPoints = [
  "part-written",
  "part-uploaded",
  "manifest-written",
  "extract-committed",
  "copy-started",
  "before-commit",
  "load-committed",
] as const;

export type FaultPoint = (typeof faultPoints)[number];

/**
 * Called at each fault point; production leaves it unset. Libraries only call it;
 * the CLI maps `SLUICE_FAULT_AT=<point>` to a SIGKILL of its own process there.
 */
export type FaultHook = (point: FaultPoint) => void | Promise<void>;
