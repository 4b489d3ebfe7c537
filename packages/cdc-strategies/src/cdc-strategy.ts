import type {
  CursorPosition,
  ExtractPlan,
  NullCursorPolicy,
  SluiceError,
  SnapshotProgress,
  SnapshotRange,
  SourceValue,
  TableSpec,
} from "@sluice/core";
import type { Result } from "neverthrow";

/**
 * What a strategy needs to decide one run. Everything is already known when `plan`
 * is called: the caller (the pipeline) read the table's shape and the watermark and,
 * when the strategy asked for them, captured the ceilings from the source. No I/O.
 */
export interface PlanInput {
  /** Columns, primary key and indexes of the source table, as described by the source. */
  readonly spec: TableSpec;
  /** Where the previous run stopped (the watermark's position); null on a first run. */
  readonly after: CursorPosition | null;
  /**
   * An initial snapshot still in progress (the watermark's phase is `snapshot`): its
   * frozen ceiling and the last key it took. `after` is null then. Strategies that
   * read an initial snapshot (hybrid, timestamp) continue it with the same ceiling;
   * the caller does not capture a new one. Null/absent otherwise.
   */
  readonly snapshot?: SnapshotProgress | null;
  /**
   * False: a table without a position is read in cursor order from the beginning
   * instead of starting with an initial snapshot (`--no-initial-snapshot`). A snapshot
   * already in progress is continued either way. Default true.
   */
  readonly initialSnapshot?: boolean;
  /**
   * Exclusive upper bound for a clock cursor, captured from the source when the
   * strategy says {@link CdcStrategy.needsCeiling}: `NOW()` in the cursor's clock,
   * lowered below the start of the oldest open write transaction and by the safety
   * lag. Null when not captured (first call, or a cursor that is not a clock).
   */
  readonly ceiling: string | null;
  /**
   * Inclusive upper bound on the primary key (canonical text, one value per key
   * column): the largest key when the run was planned, captured when the strategy
   * says {@link CdcStrategy.needsKeyCeiling}. Null/absent when not captured or the
   * table is empty.
   */
  readonly keyCeiling?: readonly string[] | null;
  /** Rows this run may extract at most (`--limit`); null for all. */
  readonly limit: number | null;
  /** Page queries this run may issue at most (`--max-chunks`); null/absent for all. */
  readonly maxChunks?: number | null;
  /** Rows per keyset query (`--page-size`); default {@link defaultPageSize}. */
  readonly pageSize?: number;
  /** Operator override of the detected cursor column (`--cursor-column`). */
  readonly cursorColumn?: string;
  /** Operator policy for NULL cursor values (`--null-cursor`); default `skip`. */
  readonly nullCursor?: NullCursorPolicy;
  /**
   * Free-form settings for custom strategies (`--strategy-option key=value`, repeatable).
   * Built-in strategies ignore them.
   */
  readonly settings?: Readonly<Record<string, string>>;
}

/** How one key range of a snapshot read on parallel connections ended this run. */
export interface SnapshotRangeOutcome {
  readonly range: SnapshotRange;
  /** The last key the run took in the range; null when it took none. */
  readonly lastKey: readonly string[] | null;
  /** True when the range was read to its end (a short page, or nothing left after its last key). */
  readonly exhausted: boolean;
  /** The range that ends at the table's end, when exhausted: the source's snapshot end. */
  readonly snapshotEnd?: CursorPosition | null;
}

/** What {@link CdcStrategy.advance} is told after a run's rows are durable. */
export interface AdvanceInput {
  readonly plan: ExtractPlan;
  readonly spec: TableSpec;
  /**
   * The last row of the ordered pass, in `spec.columns` order, or null when that pass
   * took nothing. Rows of a `nullCursor: "oldest"` NULL pass are not the ordered pass.
   */
  readonly lastRow: readonly SourceValue[] | null;
  /** Rows the run extracted, all passes included. */
  readonly rows: number;
  /**
   * True when the ordered pass read every row within the plan's bounds (it ended on a
   * short page or on the key ceiling), false when `--limit` or `--max-chunks` stopped
   * it. Absent: not known, taken as false. An initial snapshot is complete only then.
   */
  readonly complete?: boolean;
  /**
   * Initial-snapshot runs that are complete: the largest (cursor, key) row below the
   * snapshot's ceiling, read by the source right after the snapshot's last page (null
   * when no row with a cursor is below it). It becomes the position of the first
   * incremental run. Absent on other runs.
   */
  readonly snapshotEnd?: CursorPosition | null;
  /**
   * Initial-snapshot runs read in key ranges (`plan.snapshot.ranges`, or ranges the
   * pipeline cut for `--snapshot-connections`): how each range ended. `lastRow`,
   * `complete` and `snapshotEnd` are then ignored.
   */
  readonly ranges?: readonly SnapshotRangeOutcome[];
}

/**
 * A CDC strategy: decides which rows one run of one table extracts, and where the
 * next run starts. The pipeline calls it like this:
 *
 * 1. `plan(input)` with `ceiling: null` — a draft that names the cursor column (or
 *    refuses the table with a {@link SluiceError} saying what fits instead);
 * 2. if `needsCeiling` and the draft has a clock cursor, the pipeline captures the
 *    clock ceiling; if `needsKeyCeiling`, the largest key; then `plan(input)` again
 *    with them. The second plan is the run's {@link ExtractPlan};
 * 3. the MySQL source renders the plan as index range queries (keyset pages, see
 *    `ExtractPlan.paging`) and streams the rows into Parquet parts;
 * 4. after the parts and the run manifest are durable, `advance(...)` (default:
 *    {@link defaultAdvance}, the position of the last row) gives the watermark the next
 *    run receives as `input.after`. Runs of an initial snapshot (plans with
 *    `snapshot`) are advanced by {@link advanceWatermark} instead: the snapshot's next
 *    key, or, once it is complete, the position at its ceiling.
 *
 * Planning is pure so a strategy can be unit-tested without a database and a data
 * engineer can add one in their own package: export an object of this shape and
 * select it with `sluice sync --strategy-module <path or package> --strategy <name>`
 * (see docs/custom-strategy.md).
 */
export interface CdcStrategy {
  /** The name `--strategy` selects, and what the watermark records: lower-case, `a-z0-9-`. */
  readonly name: string;
  /** One line for `--help` and error messages. */
  readonly description?: string;
  /** True when the plan bounds a clock cursor, so the caller must capture the clock ceiling. */
  readonly needsCeiling: boolean;
  /** True when the plan bounds the primary key, so the caller must capture the largest key. */
  readonly needsKeyCeiling?: boolean;
  /** The run's plan, or why this table cannot be copied this way (and what fits instead). */
  plan(input: PlanInput): Result<ExtractPlan, SluiceError>;
  /**
   * The position the next run starts after; null makes every run start from the
   * beginning (full snapshots). Optional: {@link defaultAdvance} when absent. Not
   * called for initial-snapshot runs (plans with `snapshot`).
   */
  advance?(input: AdvanceInput): CursorPosition | null;
}

export const defaultPageSize = 50_000;
