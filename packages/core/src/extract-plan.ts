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
}
