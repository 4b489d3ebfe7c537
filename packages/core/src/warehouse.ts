import type { Result, ResultAsync } from "neverthrow";
import type { SluiceError } from "./errors.js";
import type { WriteMode } from "./extract-plan.js";
import type { FaultHook } from "./fault-point.js";
import type { KeyDigest, KeyInterval } from "./key-interval.js";
import type { Logger } from "./logger.js";
import type { RunManifest } from "./manifest.js";
import type { KeyRange, RangeChecksum } from "./range-checksum.js";
import type { ColumnSpec, TableSpec } from "./table-spec.js";

/**
 * The warehouse runs land in, opened by the caller (e.g. `createWarehouse` of
 * `@sluice/redshift-loader`) and closed by it; the pipeline never opens or closes one,
 * and asks it for a session per table (ADR 0027). `TableOptions` are the warehouse's
 * own per-table settings (Redshift: DISTSTYLE/SORTKEY/ENCODE, latest views, IAM role,
 * COPY options), passed through the pipeline untouched.
 *
 * What an implementer must guarantee, beyond each method's contract:
 * - `checkTable` needs no connection and refuses what a load would refuse for the
 *   names and settings alone (an invalid identifier, a latest view without keys), so a
 *   bad setting stops a run before the source is read;
 * - values the warehouse cannot store are stated up front (`maxTextBytes`), so the
 *   extraction can stop or truncate them before anything is committed;
 * - sessions opened for different tables may be used concurrently.
 */
export interface Warehouse<TableOptions extends object = Record<never, never>> {
  /** For messages and reports, without secrets, e.g. `redshift://loader@wh:5439/dw`. */
  readonly displayName: string;
  /** Largest text value in bytes the warehouse stores (Redshift VARCHAR: 65,535); null: no limit that matters. */
  readonly maxTextBytes: number | null;
  /** Checks a table's target names and settings without connecting. */
  checkTable(request: WarehouseTableRequest & TableOptions): Result<void, SluiceError>;
  /** A session for one source table's target: loads, ledger, counts, checksums. */
  openTable(request: WarehouseTableRequest & TableOptions): ResultAsync<WarehouseTable, SluiceError>;
  /** The target side of delete reconciliation for one source table. */
  openKeyReconciler(request: KeyReconcilerRequest): ResultAsync<WarehouseKeyReconciler, SluiceError>;
  /** Ends what the instance holds; sessions it opened must be closed first. */
  close(): Promise<void>;
}

/** Where one source table lands and how its session behaves. */
export interface WarehouseTableRequest {
  /** The source table, `schema.table`. */
  readonly table: string;
  /** Target schema; default the warehouse's, else the source schema name. */
  readonly targetSchema?: string;
  /** Target table name; default the source table name, sanitised. */
  readonly targetName?: string;
  /** merge (default), append or replace. */
  readonly writeMode?: WriteMode;
  readonly logger?: Logger;
  /** Where a load may spool files (PostgreSQL downloads parts); default the OS temp dir. */
  readonly tempDir?: string;
  /** Crash-recovery tests stop loads here; unset in production. */
  readonly faultHook?: FaultHook;
}

/** `soft`: flag rows as deleted; `hard`: DELETE them. */
export type DeleteMode = "soft" | "hard";

export interface KeyReconcilerRequest {
  /** The source table's shape (`schema.table`, columns, primary key). */
  readonly spec: TableSpec;
  readonly mode: DeleteMode;
  readonly targetSchema?: string;
  readonly targetName?: string;
  readonly logger?: Logger;
  /** Told every comparison statement (not the apply), for the reconciliation report. */
  readonly onQuery?: (sql: string) => void;
}

export interface AppliedDeletes {
  /** Rows deleted or newly flagged. */
  readonly rows: number;
  /** True when the ledger already held this reconciliation id: nothing was done. */
  readonly skipped: boolean;
}

/**
 * The warehouse side of delete reconciliation over one target table. Digests must be
 * computed over the same canonical key text as the source's (`SourceKeyDigests`).
 */
export interface WarehouseKeyReconciler {
  /** `schema.table` in the warehouse. */
  readonly target: string;
  /** False when the target table does not exist yet (nothing loaded): nothing to reconcile. */
  readonly exists: boolean;
  digest(intervals: readonly KeyInterval[]): ResultAsync<KeyDigest[], SluiceError>;
  /** The first `limit` keys of each interval in key order (one more when there are more). */
  keys(intervals: readonly KeyInterval[], limit: number): ResultAsync<string[][][], SluiceError>;
  /** Which of these keys the target holds (live rows only in soft mode), as `keyText`s. */
  existing(keys: readonly (readonly string[])[]): ResultAsync<Set<string>, SluiceError>;
  /**
   * Deletes (hard) or flags (soft) the rows of these keys and records the
   * reconciliation in the ledger, in one transaction under the table's load lock.
   */
  applyDeletes(input: {
    readonly reconcileId: string;
    readonly keys: readonly (readonly string[])[];
    readonly keysMissing: number;
    readonly at: Date;
  }): ResultAsync<AppliedDeletes, SluiceError>;
  close(): Promise<void>;
}

/**
 * One source table's session with the warehouse: load a staged run in one transaction,
 * read the ledger of loaded runs, count and checksum the target. Opened by
 * `Warehouse.openTable`; the pipeline loads, verifies and cleans the lake through it.
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
export interface WarehouseTable {
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
