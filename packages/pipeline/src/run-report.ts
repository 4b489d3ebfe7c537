import type { CursorPosition } from "@sluice/core";
import type { ReconcileReport } from "./reconcile-report.js";
import type { RetryCounts } from "./retry-tally.js";
import type { TimeBudgetReport } from "./run-time-budget.js";

/** What extraction did (or, on a dry run, would do). */
export interface ExtractReport {
  readonly runId: string | null;
  readonly strategy: string;
  readonly cursorColumn: string | null;
  readonly from: CursorPosition | null;
  readonly to: CursorPosition | null;
  readonly ceiling: string | null;
  readonly rows: number;
  /** Rows in the parts the run manifest lists (equal to `rows` unless a part went missing). */
  readonly stagedRows?: number;
  readonly files: number;
  readonly bytes: number;
  readonly manifestKey: string | null;
  /** Statements the extraction issued: page queries, tie-group reads, NULL passes and counts. */
  readonly queries: number;
  /**
   * Rows with a NULL cursor: skipped (`--null-cursor skip`) or re-read (`oldest`);
   * null when the plan has no nullable cursor or they could not be counted cheaply.
   */
  readonly nullCursorRows: number | null;
  /** What set the clock ceiling: the clock, the safety lag or an open transaction; null without one. */
  readonly ceilingBoundBy: "clock" | "safety-lag" | "open-transaction" | null;
  /** Inclusive upper bound on the key (id and full strategies); null without one. */
  readonly keyCeiling: readonly string[] | null;
  /** How the warehouse applies the run: merge, append or replace. */
  readonly writeMode: "merge" | "append" | "replace";
  /** `snapshot`: the run read (part of) the initial snapshot in primary-key order. */
  readonly phase: "snapshot" | "incremental";
  /**
   * Where the initial snapshot stands after this run (null for incremental runs and dry
   * runs): its frozen ceiling, the key it continues after, and whether it is complete
   * (then `to` is the largest row below the ceiling, where incremental runs start).
   */
  readonly snapshot: {
    readonly ceiling: string;
    readonly afterKey: readonly string[] | null;
    readonly complete: boolean;
  } | null;
  /** Zero/invalid dates written as NULL, per column. */
  readonly zeroDates: Readonly<Record<string, number>>;
  /** The first zero/invalid date of each such column and the key of its row. */
  readonly zeroDateSamples?: Readonly<Record<string, { readonly value: string; readonly key: string }>>;
  /** Text values cut to Redshift's VARCHAR maximum (`oversizeText: "truncate"`), per column. */
  readonly truncatedValues?: Readonly<Record<string, number>>;
  /** Text values with NUL stripped or replaced (`nulInText: "strip" | "replace"`), per column. */
  readonly nulTextValues?: Readonly<Record<string, number>>;
  /** `--max-duration`: the budget and whether it stopped the extraction; absent without one. */
  readonly timeBudget?: TimeBudgetReport;
  readonly durationMs: number;
}

export interface LoadSummary {
  readonly runsLoaded: number;
  /** The runs this load committed (or found the ledger already holding), oldest first. */
  readonly runIds?: readonly string[];
  /** Rows the manifests of the runs it attempted list (what should have been staged). */
  readonly rowsExpected?: number;
  readonly runsSkipped: number;
  readonly rowsStaged: number;
  readonly rowsInserted: number;
  readonly rowsDeleted: number;
  readonly target: string | null;
  readonly durationMs: number;
}

/** Rows through each stage of one run (the session), never mixed with cumulative counts. */
export interface StageCounts {
  /** Rows read from the source. */
  readonly extracted: number;
  /** Rows in the Parquet parts the run manifest lists. */
  readonly staged: number;
  /** Rows copied into the warehouse and committed (all runs this load took). */
  readonly loaded: number;
  /** Keys new to the target. */
  readonly inserted: number;
  /** Keys already in the target, replaced by their newer version. */
  readonly updated: number;
  /** Target rows removed (0: source deletions are not carried). */
  readonly deleted: number;
}

/** Totals over every run, from the watermark document after this run. */
export interface CumulativeCounts {
  readonly extracted: number;
  readonly loaded: number;
}

/** One key range whose rows differ between source and target. */
export interface RangeMismatch {
  /** Primary-key values where the range starts (inclusive); null: from the first key. */
  readonly from: readonly string[] | null;
  /** Where it ends (exclusive); null: to the last key. */
  readonly to: readonly string[] | null;
  readonly sourceRows: number;
  readonly targetRows: number;
  readonly sourceChecksum: string;
  readonly targetChecksum: string;
}

/** `--verify-data`: counts and per-range checksums of source and target after the load. */
export interface DataVerification {
  readonly target: string;
  readonly sourceRows: number;
  readonly targetRows: number;
  readonly ranges: number;
  /** Columns compared by count only (their text differs between the databases: floats, JSON, TIME). */
  readonly uncheckedColumns: readonly string[];
  readonly mismatches: readonly RangeMismatch[];
}

/** Everything one `syncTable` call did, for the CLI's text and JSON output. */
export interface RunReport {
  readonly table: string;
  readonly dryRun: boolean;
  readonly extract: ExtractReport | null;
  readonly load: LoadSummary | null;
  /** Human lines for a dry run's plan or notable events (nothing new, skipped runs). */
  readonly notes: readonly string[];
  /** This run's rows through each stage. */
  readonly counts?: StageCounts;
  /** Every run's rows together (watermark document); null before any state exists. */
  readonly cumulative?: CumulativeCounts | null;
  readonly verification?: DataVerification;
  /** Set when the run failed after doing work: why (the run ends non-zero). */
  readonly failure?: string;
  /** Delete reconciliation after the load, when `reconcileDeletes` made it due this run. */
  readonly reconcile?: ReconcileReport;
  /** Transient faults retried inside this run, by stage (docs/retries.md). */
  readonly retries?: RetryCounts;
  /** `sync --dry-run --estimate`: what the run would move and how long it would take. */
  readonly estimate?: RunEstimate;
}

/**
 * A dry run's forecast: rows from the source's cheap count or estimate, bytes and time
 * extrapolated from the table's previous runs (their completion markers).
 */
export interface RunEstimate {
  readonly rows: number;
  /** How `rows` was counted (see `WaitingRows` in @sluice/connectors). */
  readonly rowsMethod: "exact" | "index-estimate" | "table-estimate";
  /** Null without a previous run to take bytes per row from. */
  readonly bytes: number | null;
  readonly files: number;
  /** Null without a previous run with a measured extraction rate. */
  readonly seconds: number | null;
  readonly rowsPerSecond: number | null;
  readonly bytesPerRow: number | null;
  /** How many previous runs the rates come from. */
  readonly basedOnRuns: number;
}
