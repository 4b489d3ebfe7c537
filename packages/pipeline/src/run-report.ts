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
