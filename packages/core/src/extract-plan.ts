import type { TableRef } from "./table-ref.js";

/**
 * Where an extraction stopped: the cursor column's value and the primary key of the
 * last row taken, as the source's canonical text (`2024-05-01 12:00:00.123456`, `42`).
 * The next run resumes strictly after this position. `cursorValue` is null for
 * strategies without a cursor column (id-only keyset).
 */
export interface CursorPosition {
  readonly cursorValue: string | null;
  readonly keyValues: readonly string[];
}

/**
 * An initial snapshot in progress, as the watermark keeps it between runs: the
 * ceiling frozen when the snapshot started (every run of the snapshot reads
 * `cursor < ceiling`) and the primary key of the last row it took.
 */
export interface SnapshotProgress {
  readonly ceiling: string;
  /** Canonical text of the last key taken, one value per key column; null before the first row. */
  readonly afterKey: readonly string[] | null;
  /**
   * A snapshot read in key ranges on parallel connections (`--snapshot-connections`):
   * the ranges still to read, in key order, each resuming after its own last key.
   * The range that ends at the table's end (`throughKey` null) stays listed until the
   * snapshot is complete. Absent: one range, resuming after `afterKey`.
   */
  readonly ranges?: readonly SnapshotRange[];
}

/**
 * One key range of an initial snapshot: the rows with `afterKey < key <= throughKey`
 * (canonical text, one value per key column). Ranges of one snapshot are disjoint and
 * together cover every key.
 */
export interface SnapshotRange {
  /** Resume strictly after this key; null starts from the first key. */
  readonly afterKey: readonly string[] | null;
  /** The last key of the range, inclusive; null runs to the end of the table. */
  readonly throughKey: readonly string[] | null;
}

/**
 * How a cursor strategy's initial snapshot reads: rows with `cursor < ceiling` (the
 * plan's ceiling) in primary-key order, `WHERE k > ? AND cursor < ? ORDER BY k LIMIT n`,
 * a range scan of the clustered index instead of a walk through the cursor index.
 */
export interface SnapshotRead {
  /** The primary key columns the pages are ordered and bounded by. */
  readonly keyColumns: readonly string[];
  /** Resume strictly after this key (canonical text); null starts from the first key. */
  readonly afterKey: readonly string[] | null;
  /**
   * Stop after this key, inclusive (canonical text): the pass reads one range of a
   * snapshot split across connections. Absent or null: to the end of the table.
   */
  readonly throughKey?: readonly string[] | null;
  /**
   * The ranges of a snapshot split across connections, as the watermark keeps them:
   * the pipeline reads each as a plan of its own (`afterKey`/`throughKey` above).
   * Absent: the snapshot is one range.
   */
  readonly ranges?: readonly SnapshotRange[];
}

/**
 * How the source pages through the rows of a plan:
 * - `keyset` (default): `ORDER BY cursor, keys`, each page strictly after the last row
 *   of the previous one (`c > ? OR (c = ? AND k > ?)`), so ties never split wrongly;
 * - `cursor-groups`: `ORDER BY cursor` alone (an index on the cursor is enough); a page
 *   that ends inside a group of equal cursor values is completed by re-reading that
 *   group (`c = ?`) and skipping the keys (`dedupColumns`) already taken, and a run
 *   always ends on a complete group, so the next run starts at `c > ?`.
 */
export type ExtractPaging = "keyset" | "cursor-groups";

/**
 * Rows whose cursor is NULL: `skip` leaves them out (counted in the run report, with a
 * warning); `oldest` takes all of them in a first pass (`c IS NULL`, keyset on the key
 * columns) on every run, because without a value they can never be "after" a watermark.
 */
export type NullCursorPolicy = "skip" | "oldest";

/**
 * What the warehouse does with a run: `merge` upserts by primary key (the default),
 * `append` inserts, `replace` swaps the whole target for the run's rows in one
 * transaction (full snapshots).
 */
export type WriteMode = "merge" | "append" | "replace";

/**
 * What one run will extract, decided by a CDC strategy before any row moves.
 * Rows are taken in (cursorColumn, ...keyColumns) order, strictly after `after`,
 * and — when `ceiling` is set — with cursorColumn strictly below it, so rows written
 * while the run is going wait for the next run instead of being half-seen.
 */
export interface ExtractPlan {
  readonly table: TableRef;
  /** Strategy name as registered, e.g. `hybrid`. */
  readonly strategy: string;
  readonly cursorColumn: string | null;
  /** Primary key columns, tie-breakers after the cursor. */
  readonly keyColumns: readonly string[];
  /** Resume strictly after this position; null on a first run. */
  readonly after: CursorPosition | null;
  /** Exclusive upper bound on cursorColumn (source server time captured at plan time). */
  readonly ceiling: string | null;
  /** Maximum rows this run extracts; null for all. */
  readonly limit: number | null;
  /** Rows per keyset page (one query per page). */
  readonly pageSize: number;
  /**
   * Inclusive upper bound on the key tuple for plans without a cursor column: the
   * largest key when the run was planned (`id`, `full`), so rows inserted during the
   * run wait for the next one and a table under constant inserts still finishes.
   * Absent or null: no bound.
   */
  readonly keyCeiling?: readonly string[] | null;
  /** Absent means `keyset`. */
  readonly paging?: ExtractPaging;
  /** Columns that identify a row for `cursor-groups` de-duplication (the primary key). */
  readonly dedupColumns?: readonly string[];
  /**
   * Policy for NULL cursor values. Absent (plans made before the policy existed): NULL
   * cursors sort first and only a run that starts inside the NULL group sees them.
   */
  readonly nullCursor?: NullCursorPolicy;
  /** Page queries this run issues at most (`--max-chunks`); absent or null for no bound. */
  readonly maxChunks?: number | null;
  /**
   * Read every page inside one `START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY`
   * so the pages together are one point in time (full snapshots). Absent: each page
   * is its own statement and sees what is committed when it runs.
   */
  readonly consistentSnapshot?: boolean;
  /** How the warehouse applies the run; absent means `merge`. */
  readonly writeMode?: WriteMode;
  /**
   * Present when the run is (part of) the strategy's initial snapshot: the ordered pass
   * reads `snapshot.keyColumns > afterKey AND cursorColumn < ceiling` in key order
   * instead of the cursor order described by `paging` (`after` is then null), and the
   * NULL-cursor policy applies as usual. The other fields keep describing the
   * strategy's incremental reads, which follow once the snapshot is complete (index
   * advice is for those). Absent: an incremental run.
   */
  readonly snapshot?: SnapshotRead;
}
