import type { ResultAsync } from "neverthrow";
import type { SluiceError } from "./errors.js";
import type { RunManifest } from "./manifest.js";
import type { KeyRange, RangeChecksum } from "./range-checksum.js";
import type { ColumnSpec } from "./table-spec.js";

/**
 * The warehouse a table's runs land in, seen through one seam: load a staged run in
 * one transaction, read the ledger of loaded runs, count and checksum the target.
 * `@sluice/redshift-loader` implements it for Redshift and PostgreSQL (`openLoader`);
 * the pipeline loads, verifies and cleans the lake through it alone (ADR 0027).
 *
 * What an implementer must guarantee:
 * - `loadRun` is all or nothing: the run's rows and its ledger entry commit in one
 *   transaction, and a run the ledger already holds is skipped (`skipped: true`), so a
 *   repeated or concurrent load never applies a run twice;
 * - the target is created or widened to the manifest's columns before rows land, and a
 *   change it cannot make fails with kind `schema`, naming the column and the fix;
 * - `loadedRunIds`/`loadedRuns` read the ledger the loads wrote, committed state only;
 * - `checksumRanges` computes the same canonical row text and checksum as the source
 *   (docs/watermarks.md), so equal data gives equal sums.
 * Tables are named by their source name (`schema.table`); where they land is the
 * implementation's mapping, told by `targetOf`.
 */
export interface Warehouse {
  /** Run ids the ledger records for this source table (`schema.table`) and target. */
  loadedRunIds(table: string): ResultAsync<ReadonlySet<string>, SluiceError>;
  /**
   * Loads one run in one transaction; a run already in the ledger is skipped.
   * `manifestUri`: where the warehouse reads the run's file list (Redshift: the COPY manifest).
   */
  loadRun(manifest: RunManifest, manifestUri: string): ResultAsync<LoadReport, SluiceError>;
  /** Rows in the target of this source table. */
  countRows(table: string): ResultAsync<number, SluiceError>;
  /** What the ledger records per run of this source table: rows, files, when loaded. */
  loadedRuns(table: string): ResultAsync<ReadonlyMap<string, LedgerRun>, SluiceError>;
  /** The warehouse table this source table lands in, `schema.table`. */
  targetOf(table: string): ResultAsync<string, SluiceError>;
  /**
   * Row count and checksum of the canonical row text per key range of the target;
   * `columns` and `primaryKey` are the source's, mapped to warehouse names by the
   * implementation.
   */
  checksumRanges(
    table: string,
    columns: readonly ColumnSpec[],
    primaryKey: readonly string[],
    ranges: readonly KeyRange[],
  ): ResultAsync<RangeChecksum[], SluiceError>;
  close(): Promise<void>;
}

export interface LoadReport {
  /** Source table, `schema.table`. */
  readonly table: string;
  /** Target, `schema.table` in the warehouse. */
  readonly target: string;
  readonly runId: string;
  /** True when the ledger already held the run: nothing was done. */
  readonly skipped: boolean;
  readonly filesLoaded: number;
  readonly rowsStaged: number;
  readonly rowsInserted: number;
  readonly rowsDeleted: number;
  readonly durationMs: number;
  /**
   * What the load changed in the target's shape, one line each (`added email
   * VARCHAR(320)`, `widened qty INTEGER -> BIGINT`, ...); absent or empty when nothing.
   */
  readonly schemaChanges?: readonly string[];
}

/** One loaded run as the ledger records it. */
export interface LedgerRun {
  readonly rows: number;
  readonly files: number;
  readonly loadedAt: string;
}
