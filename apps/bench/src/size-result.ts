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
  /**
   * CPU seconds of each measured process and of the MariaDB server while it ran: the
   * client and the server share the machine's cores, so (process + server) / cores is
   * the least wall time that process could have taken here.
   */
  readonly cpu: {
    readonly reference: ProcessCpu;
    readonly sluice: ProcessCpu;
    readonly lanes: ProcessCpu;
  };
  readonly sluiceParquetBytes: number;
  readonly duckdbParquetBytes: number;
  readonly files: number;
  /** The staged run loaded into PostgreSQL by sluice, and by a raw COPY of the same rows. */
  readonly load: LoadResult;
  /** The same first run with `--snapshot-connections N` (key ranges on N connections and threads). */
  readonly lanes: {
    readonly connections: number;
    readonly seconds: number;
    readonly ratio: number;
    readonly peakRssMiB: number;
  };
  /** The 1-minute load average when this size's measurements began (2 cores: above ~1, shared). */
  readonly loadAverageBefore: number;
  /** Share of the machine's CPU time the host took (steal) while each ran; null without /proc/stat. */
  readonly steal: {
    readonly reference: number | null;
    readonly sluice: number | null;
    readonly lanes: number | null;
  };
}

/** CPU seconds (user + system) of a measured process and of the source server meanwhile. */
export interface ProcessCpu {
  readonly process: number;
  readonly server: number;
}
