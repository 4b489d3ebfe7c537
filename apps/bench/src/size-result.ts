import type { LoadResult } from "./postgres-load.js";

/** One benchmark size's figures, all measured in the same run. */
export interface SizeResult {
  readonly rows: number;
  readonly referenceSeconds: number;
  readonly referenceRowsPerSecond: number;
  readonly sluiceSeconds: number;
  readonly sluiceRowsPerSecond: number;
  readonly ratio: number;
  /** The stock client reading the rows in sluice's keyset order (cursor index), to /dev/null. */
  readonly orderedReferenceSeconds: number;
  readonly peakRssMiB: number;
  readonly sluiceParquetBytes: number;
  readonly duckdbParquetBytes: number;
  readonly files: number;
  /** The staged run loaded into PostgreSQL by sluice, and by a raw COPY of the same rows. */
  readonly load: LoadResult;
  /** The 1-minute load average when this size's measurements began (2 cores: above ~1, shared). */
  readonly loadAverageBefore: number;
}
