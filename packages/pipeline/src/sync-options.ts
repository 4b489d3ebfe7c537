import type { StrategyRegistry } from "@sluice/cdc-strategies";
import type {
  Logger,
  NullCursorPolicy,
  ObjectStore,
  RetryHooks,
  RetryPolicy,
  Source,
  SourceRecipe,
  TableRef,
  Warehouse,
  WriteMode,
} from "@sluice/core";
import type { FaultHook } from "@sluice/core/internal";
import type { SqlTableOptions } from "@sluice/redshift-loader";
import type { ReconcileCadence } from "./reconcile-cadence.js";

/** `sync` moves rows MySQL -> lake -> warehouse; the other two stop or start at the lake. */
export type SyncMode = "sync" | "backup-only" | "redshift-only";

/**
 * Where a table lands: the opened warehouse and this table's settings. The warehouse
 * is opened (and closed) by the caller, e.g. `createWarehouse` of
 * `@sluice/redshift-loader`; the pipeline opens sessions from it per step.
 */
export interface WarehouseTarget extends SqlTableOptions {
  readonly connection: Warehouse<SqlTableOptions>;
  /** Target schema; defaults to the source schema name (folded to lower case, sanitised). */
  readonly targetSchema?: string;
  /** Target table name; defaults to the source table name (folded to lower case, sanitised). */
  readonly targetName?: string;
  /**
   * How runs land: `merge` (default, upsert by primary key), `append` (every version
   * kept, no key constraint), `replace` (the table's rows replaced by each run).
   */
  readonly writeMode?: WriteMode;
}

/**
 * How far a table's run is, for a progress display. `rowsEstimated` is the source
 * optimizer's guess (extract) or the staged runs' row count (load): a display target,
 * never a promise; absent when nothing cheap could say.
 */
export interface SyncProgress {
  readonly table: string;
  readonly stage: "extract" | "load";
  readonly rowsDone: number;
  readonly rowsEstimated?: number;
  /** The stage's last event: `rowsDone` is final. */
  readonly done: boolean;
}

/**
 * An initial snapshot read in key ranges on parallel connections (`--snapshot-connections`).
 * Each range is resumable on its own: a run cut by its time budget records where each
 * range stopped, and later runs go on with the ranges left (with one lane when this
 * is absent).
 */
export interface SnapshotConnections {
  /** Ranges read at once, each on its own connection; 1 reads them one after another. */
  readonly count: number;
  /**
   * How a worker thread opens a source like the run's (e.g. `mysqlSourceRecipe` of
   * `@sluice/connectors`): each lane then reads and encodes on its own thread, so the
   * work spreads over cores. Preferred over `open`.
   */
  readonly recipe?: SourceRecipe;
  /**
   * Opens another source like the run's on this thread (its own connection; the
   * pipeline closes it): lanes share this thread's CPU but not a connection, for
   * sources no other thread can open (one behind an SSH tunnel).
   */
  readonly open?: () => Source;
}

export interface SyncTableOptions {
  readonly table: TableRef;
  readonly mode: SyncMode;
  /**
   * The table's source, opened by the caller (e.g. `createMysqlSource` of
   * `@sluice/connectors`), who also closes it: the pipeline only reads through it.
   * Needed unless mode is `redshift-only`.
   */
  readonly source?: Source;
  readonly lake: ObjectStore;
  /** Needed unless mode is `backup-only`. */
  readonly warehouse?: WarehouseTarget;
  /** CDC strategy name; default `hybrid`. */
  readonly strategy?: string;
  readonly cursorColumn?: string;
  /**
   * `false`: a table without a watermark is read in cursor order from the beginning
   * (hybrid/timestamp), not as an initial snapshot in primary-key order. Default true.
   */
  readonly initialSnapshot?: boolean;
  /** Rows extracted this run at most; the watermark lands on the last row extracted. */
  readonly limit?: number | null;
  /** Plan and report; write nothing anywhere. */
  readonly dryRun?: boolean;
  /** Rows per keyset query. */
  readonly pageSize?: number;
  /** Rows per Parquet file (`_batch_NNNN`); bounds temp disk, not memory. */
  readonly rowsPerFile?: number;
  readonly compression?: "zstd" | "snappy" | "none";
  /**
   * Where Parquet parts are encoded and compressed: `"main"` (default) in line;
   * `"worker"` on a worker thread while this thread reads rows (measured slower: each
   * batch is copied to the worker).
   * Files are byte-identical either way (docs/adr/0017-perf-bytes-bounded-memory.md).
   */
  readonly encodeThread?: "main" | "worker";
  /** Where Parquet parts are written before upload; a fresh directory is made inside. */
  readonly tempDir?: string;
  readonly logger?: Logger;
  readonly strategies?: StrategyRegistry;
  /** Injected clock, for tests; defaults to the system clock. */
  readonly clock?: () => Date;
  /**
   * DECIMAL with precision above 38 (MySQL allows 65): `"fail"` (default) stops before
   * any row is read, naming the column and both fixes; `"text"` carries the exact
   * decimal text (Parquet UTF8, warehouse VARCHAR/text). See docs/types.md.
   */
  readonly wideDecimals?: "fail" | "text";
  /**
   * Text values above Redshift's VARCHAR maximum (65,535 bytes), checked while
   * extracting for a Redshift target: `"fail"` (default) stops naming the row key,
   * the column and the byte length; `"truncate"` cuts them on a UTF-8 character
   * boundary and counts them in the run report (the lake then holds the cut value).
   */
  readonly oversizeText?: "fail" | "truncate";
  /**
   * Zero and impossible dates (`0000-00-00`, `2024-00-15`, `2024-02-30`):
   * `"null"` (default) writes NULL, counted per column in the run report and logged
   * with a sample key; `"fail"` stops naming the column, the row key and the value.
   */
  readonly invalidDates?: "null" | "fail";
  /**
   * U+0000 (NUL) in text values, which neither PostgreSQL nor Redshift text accepts:
   * `"fail"` (default) stops the extraction before anything is committed, naming the
   * column and the row key; `"strip"` removes it; `"replace"` writes U+FFFD for it.
   * Changed values are counted per column in the run report (`extract.nulTextValues`).
   */
  readonly nulInText?: "fail" | "strip" | "replace";
  /**
   * A run holds the table's lease (`_state/<schema.table>/lease.json`) from before
   * planning to the end; a lease not renewed for this long is taken over by the next
   * run. Default 15 minutes.
   */
  readonly leaseTimeoutMs?: number;
  /** Heartbeat period of the lease; default a third of the timeout. */
  readonly leaseRenewEveryMs?: number;
  /** Host and process id recorded as the lease holder; default this host and process. */
  readonly leaseHolder?: { readonly host?: string; readonly pid?: number };
  /** Page queries extracted this run at most (`--max-chunks`); the watermark lands on the last row. */
  readonly maxChunks?: number | null;
  /**
   * Time budget of the extraction in milliseconds (`--max-duration`), counted from its
   * start: once spent, the extraction stops at the next page boundary (never mid-page,
   * never before the first page), commits what it took, and the watermark lands on the
   * last row; the report's `extract.timeBudget` says it stopped. The next run continues.
   * Not applied to a `full` snapshot, which must be whole.
   */
  readonly maxDurationMs?: number | null;
  /** Read an initial snapshot in key ranges on parallel connections; absent: one connection. */
  readonly snapshotConnections?: SnapshotConnections;
  /** Milliseconds on a monotonic clock for `maxDurationMs`; default `performance.now`. Injected by tests. */
  readonly budgetClock?: () => number;
  /** Rows with a NULL cursor: `skip` (default; counted, warned) or `oldest` (re-read every run). */
  readonly nullCursor?: NullCursorPolicy;
  /**
   * Seconds the clock ceiling stays below the source's NOW() (`--safety-lag-seconds`,
   * default 0). Protects late commits when open transactions cannot be seen (no PROCESS
   * privilege) and statements that stamped NOW() before their transaction registered.
   */
  readonly safetyLagSeconds?: number;
  /** Estimated rows above which a table without a fitting index is refused; default 1,000,000. */
  readonly unindexedRowLimit?: number;
  /** Extract a large table without a fitting index anyway (`--force`). */
  readonly force?: boolean;
  /** Settings handed to the strategy as `PlanInput.settings` (`--strategy-option key=value`). */
  readonly strategySettings?: Readonly<Record<string, string>>;
  /**
   * Called at each stage boundary (see `FaultPoint`) so crash-recovery tests can stop
   * the run there; unset in production.
   */
  readonly faultHook?: FaultHook;
  /**
   * After the load, compare row counts and per-key-range checksums of the source and
   * the target; a difference fails the run naming the ranges (docs/watermarks.md).
   */
  readonly verifyData?: boolean;
  /** Rows per compared key range for `verifyData`; default 100,000. */
  readonly verifyRowsPerRange?: number;
  /**
   * When a sync run (mode `sync`) also reconciles deletes by primary key after its load
   * (`--reconcile-deletes`): `off` (default), `every` run, or when the last
   * reconciliation is `everyHours` old. See docs/cdc.md, "Deletes".
   */
  readonly reconcileDeletes?: ReconcileCadence;
  /** How deletes land in the target: `soft` (default: `_sluice_deleted_at` set) or `hard` (DELETE). */
  readonly deleteMode?: "soft" | "hard";
  /** A reconciliation that finds more deletes than this stops without deleting; default 1,000,000. */
  readonly reconcileMaxDeletes?: number;
  /**
   * Completion markers for Airflow under `_markers/<schema.table>/` (docs/airflow.md),
   * written last in every run that is not a dry run. Default true.
   */
  readonly completionMarkers?: boolean;
  /** The pipeline this table runs in (`sync -p`), recorded in its markers. */
  readonly pipeline?: string;
  /**
   * Load only staged runs that started at or after this instant (`--since`); earlier
   * runs the warehouse lacks are left in the lake, unloaded, and reported.
   */
  readonly loadSince?: Date;
  /**
   * Transient faults (dropped connections, timeouts, lock-wait timeouts, deadlocks)
   * retried inside the run with capped exponential backoff and full jitter: MySQL
   * pages resume after the last row read, an extraction that failed before its commit
   * starts over, a warehouse load is rolled back and repeated (the ledger keeps it
   * exactly once). Terminal errors are never retried. Default: no retries (the CLI
   * passes its `--retry-*` settings). The lake's S3 client retries by itself: the CLI
   * gives it the same number of attempts. See docs/retries.md.
   */
  readonly retry?: RetryPolicy;
  /**
   * Rows done per stage as the run goes, at most every `progressEveryMs` (default 250)
   * plus each stage's last event. Unset: no estimate is queried and nothing is timed.
   */
  readonly onProgress?: (progress: SyncProgress) => void;
  readonly progressEveryMs?: number;
  /** Injected wait and randomness for the retry backoff, for tests. */
  readonly retryTiming?: Pick<RetryHooks, "sleep" | "random">;
}

export const defaultPageSize = 50_000;
export const defaultUnindexedRowLimit = 1_000_000;
export const defaultRowsPerFile = 1_000_000;
