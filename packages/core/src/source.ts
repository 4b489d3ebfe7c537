import type { ResultAsync } from "neverthrow";
import type { SluiceError } from "./errors.js";
import type { CursorPosition, ExtractPlan } from "./extract-plan.js";
import type { KeyDigest, KeyInterval, KeyPart, SourceKey } from "./key-interval.js";
import type { Logger } from "./logger.js";
import type { PackedRowBatch } from "./packed-rows.js";
import type { KeyRange, RangeChecksum } from "./range-checksum.js";
import type { RetryHooks, RetryPolicy } from "./retry-policy.js";
import type { RowBatch } from "./row-batch.js";
import type { SqlStatement } from "./sql-dialects.js";
import type { TableRef } from "./table-ref.js";
import type { TableSpec } from "./table-spec.js";

/**
 * The database rows are copied from, seen through one seam: the pipeline plans, reads
 * and verifies through it and never knows the server's kind (ADR 0027). `@sluice/connectors`
 * implements it for MySQL/MariaDB (`createMysqlSource`, `openMysqlSource`); tests use an
 * in-memory one.
 *
 * An instance is opened (and closed) by its caller, who may use it for many runs of one
 * table, one after the other; the pipeline never closes it. Methods are not called
 * concurrently. What an implementer must guarantee:
 * - every value is read in UTC and in the canonical forms of `SourceValue`;
 * - `extract` yields exactly the rows the plan bounds, in the plan's order, each once,
 *   and reports to the observer as documented on {@link ExtractObserver};
 * - a failed call leaves the instance usable: the next call works (reconnecting if the
 *   connection was lost), so a retried run needs no new instance.
 */
export interface Source {
  /** Columns, types, primary key and indexes of a table; `not_found` when it does not exist. */
  describeTable(ref: TableRef): ResultAsync<TableSpec, SluiceError>;
  /**
   * The run's clock ceiling: the server's NOW() in the cursor's clock, less the safety
   * lag, and below every write transaction still open (where the server can tell).
   */
  captureCeiling(request: CeilingRequest): ResultAsync<CapturedCeiling, SluiceError>;
  /** The largest key tuple as canonical text (binary as hex), or null for an empty table. */
  maxKey(spec: TableSpec, keyColumns: readonly string[]): ResultAsync<string[] | null, SluiceError>;
  /** The smallest key tuple as canonical text (binary as hex), or null for an empty table. */
  minKey(spec: TableSpec, keyColumns: readonly string[]): ResultAsync<string[] | null, SluiceError>;
  /**
   * The largest key tuple whose leading column is at most `leadingAtMost` (canonical
   * text of an integer), strictly after `after` when given; null when there is none.
   * Optional: with it, `--snapshot-connections` cuts the snapshot of a composite key
   * whose leading column is an integer (each range ends at a real key tuple); a source
   * without it reads such a snapshot on one connection.
   */
  lastKeyUpTo?(
    spec: TableSpec,
    keyColumns: readonly string[],
    after: readonly string[] | null,
    leadingAtMost: string,
  ): ResultAsync<string[] | null, SluiceError>;
  /** A cheap, approximate row count of the whole table (for progress displays only). */
  estimateRows(ref: TableRef): ResultAsync<number, SluiceError>;
  /** A cheap, approximate count of the rows within the plan's bounds (progress only). */
  estimatePendingRows(spec: TableSpec, plan: ExtractPlan): ResultAsync<number, SluiceError>;
  /** Exact count of rows within the plan's bounds (ignoring its limit); all rows without a plan. */
  countRows(spec: TableSpec, plan?: ExtractPlan): ResultAsync<number, SluiceError>;
  /**
   * The plan's rows, streamed in batches. Iteration throws a `SluiceError` on failure;
   * stopping early (break, throw) leaves the instance usable.
   */
  extract(spec: TableSpec, plan: ExtractPlan, options?: SourceExtractOptions): AsyncIterable<RowBatch>;
  /**
   * Optional: the same rows as `extract`, in the same batches, but a batch may keep its
   * rows packed as they arrived (PackedRowBatch), with only its last row decoded. For a
   * consumer that decodes rows on another thread: the bytes move there in one transfer
   * (docs/adr/0030-packed-rows-to-the-encoding-thread.md). A source without it is read
   * with `extract`.
   */
  extractPacked?(
    spec: TableSpec,
    plan: ExtractPlan,
    options?: SourceExtractOptions,
  ): AsyncIterable<RowBatch | PackedRowBatch>;
  /** Primary-key values cutting the table into ranges of `rowsPerRange` rows (key order). */
  keyBoundaries(spec: TableSpec, rowsPerRange: number): ResultAsync<string[][], SluiceError>;
  /** Row count and checksum of canonical row text per key range (docs/watermarks.md). */
  checksumRanges(spec: TableSpec, ranges: readonly KeyRange[]): ResultAsync<RangeChecksum[], SluiceError>;
  /** Primary-key digests, splits, key lists and lookups for delete reconciliation. */
  keyDigests(spec: TableSpec, options?: KeyDigestOptions): ResultAsync<SourceKeyDigests, SluiceError>;
  close(): Promise<void>;
}

/**
 * How another thread opens a source like this one: a module to import (an absolute
 * `file:` URL, so the thread resolves it wherever the caller's packages live), the
 * name of its factory export, and the one argument to call it with, which must survive
 * a structured clone (no functions, no streams). The pipeline uses it to read key
 * ranges of an initial snapshot on worker threads, each with its own connection.
 * It holds credentials: it stays in memory and is never logged.
 */
export interface SourceRecipe {
  readonly module: string;
  readonly factory: string;
  readonly options: unknown;
}

export interface SourceExtractOptions {
  /** Rows per yielded RowBatch; default 10 000. */
  readonly batchRows?: number;
  /**
   * Approximate value bytes per yielded RowBatch, on top of `batchRows`: bounds the rows
   * held in memory for wide LONGTEXT/BLOB rows. Absent: batches are bounded by rows only.
   */
  readonly batchBytes?: number;
  /** Receives warnings such as rows a cursor cannot see (NULL cursor values). */
  readonly logger?: Logger;
  /** Told every statement issued and the NULL-cursor count, for run reports and tests. */
  readonly observer?: ExtractObserver;
  /**
   * A dropped connection during pages: reconnect and resume after the last row handed
   * on, up to `retry.attempts` times per failure without progress. Absent: no resume.
   */
  readonly retry?: RetryPolicy;
  /** Counts and waits for `retry` (onRetry is told every reconnect). */
  readonly retryHooks?: RetryHooks;
  /**
   * Asked between pages of the ordered pass, never before the first: true ends the
   * pass at that page boundary as `plan.maxChunks` would (the run's time budget,
   * `--max-duration`). The rows handed on so far are the run's.
   */
  readonly stopAtPageBoundary?: () => boolean;
}

/** Watches an extraction: what it asks the server, and what it leaves out. */
export interface ExtractObserver {
  /** Every statement the extraction issues, in order: pages, tie-group reads, NULL passes and counts. */
  query?(statement: SqlStatement): void;
  /**
   * Rows with a NULL cursor: left out by `skip` (null when they could not be counted
   * cheaply: no index leads with the cursor), or taken by the `oldest` NULL pass.
   */
  nullCursorRows?(count: number | null): void;
  /**
   * The ordered pass read every row within the plan's bounds: it ended on a short page
   * or on the key ceiling, not at `--limit`, `--max-chunks` or a page boundary where
   * `stopAtPageBoundary` said stop. Not called otherwise.
   * An initial snapshot is complete only then.
   */
  exhausted?(): void;
  /**
   * An initial snapshot was exhausted: the largest (cursor, key) row below its ceiling,
   * read right after its last page (null when no row with a cursor is below it). The
   * first incremental run starts after it.
   */
  snapshotEnd?(position: CursorPosition | null): void;
}

export interface CeilingRequest {
  /** Fractional second digits of the cursor column (0..6): the ceiling is cut (floored) to them. */
  readonly fsp: number;
  /** `utc` for TIMESTAMP cursors (read in a UTC session); `server` for DATETIME filled by CURRENT_TIMESTAMP. */
  readonly clock: "utc" | "server";
  /** Seconds below NOW() the ceiling stays at least; default 0. */
  readonly safetyLagSeconds?: number;
}

export interface OpenTransaction {
  /** When the transaction started, in the cursor's clock, `YYYY-MM-DD HH:MM:SS`. */
  readonly startedAt: string;
  /** The server's connection id: the one to look at (`SHOW PROCESSLIST`, `KILL`). */
  readonly threadId: string;
}

export interface CapturedCeiling {
  /** The exclusive upper bound for the cursor, at the column's precision. */
  readonly ceiling: string;
  /** NOW(6) in the cursor's clock when the ceiling was captured. */
  readonly now: string;
  /** What set the ceiling: the clock itself, the safety lag, or an open write transaction. */
  readonly boundBy: "clock" | "safety-lag" | "open-transaction";
  readonly safetyLagSeconds: number;
  /** The oldest write transaction open on the server (other than our own), if any. */
  readonly oldestOpenTransaction: OpenTransaction | null;
  /** False when open transactions could not be read (a missing privilege): only the lag protects late commits. */
  readonly openTransactionsChecked: boolean;
}

/**
 * Where the last extraction stopped, for telling extracted keys from pending ones:
 * the position's columns (the cursor first when the strategy has one, then key
 * columns) and their values as the watermark stores them.
 */
export interface ExtractedThrough {
  readonly columns: readonly string[];
  readonly values: readonly string[];
}

export interface KeyDigestOptions {
  /** Null or absent: no key is marked extracted (missing rows are then not judged). */
  readonly extractedThrough?: ExtractedThrough | null;
  /** Told every statement issued, for the reconciliation report. */
  readonly onQuery?: (sql: string) => void;
}

/**
 * The source side of delete reconciliation over one table's primary key. Each method
 * should be one statement (lookups: one per few hundred keys), whatever the number of
 * intervals, so a reconciliation costs a bounded number of round trips.
 */
export interface SourceKeyDigests {
  /** Count and digest of each interval. */
  digest(intervals: readonly KeyInterval[]): ResultAsync<KeyDigest[], SluiceError>;
  /**
   * Each interval cut into at most `parts` parts of about equal row counts, at keys
   * sampled from the source (keyset boundaries, not arithmetic), with each part's
   * digest. The first part starts at the interval's start and the last ends at its
   * end, so keys the target holds beyond the source's last one stay covered.
   */
  split(intervals: readonly KeyInterval[], parts: number): ResultAsync<KeyPart[][], SluiceError>;
  /** The first `limit` keys of each interval in key order (one more when there are more). */
  keys(intervals: readonly KeyInterval[], limit: number): ResultAsync<SourceKey[][], SluiceError>;
  /** Which of these keys exist, as `keyText`s (exact texts: a case-insensitive match is not a match). */
  existing(keys: readonly (readonly string[])[]): ResultAsync<Set<string>, SluiceError>;
}
