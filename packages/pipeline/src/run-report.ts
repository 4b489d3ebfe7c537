import type { CursorPosition } from "@sluice/core";

/** What extraction did (or, on a dry run, would do). */
export interface ExtractReport {
  readonly runId: string | null;
  readonly strategy: string;
  readonly cursorColumn: string | null;
  readonly from: CursorPosition | null;
  readonly to: CursorPosition | null;
  readonly ceiling: string | null;
  readonly rows: number;
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
  /** Zero/invalid dates written as NULL, per column. */
  readonly zeroDates: Readonly<Record<string, number>>;
  /** The first zero/invalid date of each such column and the key of its row. */
  readonly zeroDateSamples?: Readonly<Record<string, { readonly value: string; readonly key: string }>>;
  /** Text values cut to Redshift's VARCHAR maximum (`oversizeText: "truncate"`), per column. */
  readonly truncatedValues?: Readonly<Record<string, number>>;
  readonly durationMs: number;
}

export interface LoadSummary {
  readonly runsLoaded: number;
  readonly runsSkipped: number;
  readonly rowsStaged: number;
  readonly rowsInserted: number;
  readonly rowsDeleted: number;
  readonly target: string | null;
  readonly durationMs: number;
}

/** Everything one `syncTable` call did, for the CLI's text and JSON output. */
export interface RunReport {
  readonly table: string;
  readonly dryRun: boolean;
  readonly extract: ExtractReport | null;
  readonly load: LoadSummary | null;
  /** Human lines for a dry run's plan or notable events (nothing new, skipped runs). */
  readonly notes: readonly string[];
}
