import type { ColumnSpec, LogicalKind, TableSpec } from "@sluice/core";

/**
 * Column names teams commonly give an "last changed" timestamp, best first. Matched
 * case-insensitively; an `ON UPDATE CURRENT_TIMESTAMP` column outranks any name,
 * because the server maintains it and no application code can forget to.
 */
export const cursorColumnNames: readonly string[] = [
  "updated_at",
  "update_time",
  "updated_time",
  "update_at",
  "modified_at",
  "modified_time",
  "modify_time",
  "last_modified",
  "last_modified_at",
  "last_updated",
  "last_updated_at",
  "last_update",
  "updated_on",
  "modified_on",
  "date_modified",
  "date_updated",
  "updated",
  "modified",
  "mtime",
];

/** Types a detected cursor may have: only clock columns are trusted without being asked. */
const detectableKinds: ReadonlySet<LogicalKind> = new Set(["datetime", "timestamp"]);

/**
 * Types an operator may name with `--cursor-column`: anything MySQL orders the way it
 * grows (a DATE, or an integer version counter / epoch stamp), besides clock columns.
 */
export const cursorableKinds: ReadonlySet<LogicalKind> = new Set([
  "datetime",
  "timestamp",
  "date",
  "integer",
  "decimal",
]);

/**
 * The update-timestamp column of a table, or null when none is recognisable.
 * Candidates are DATETIME/TIMESTAMP columns that either carry ON UPDATE
 * CURRENT_TIMESTAMP or have a name from {@link cursorColumnNames}; ON UPDATE wins,
 * then the name's rank, then column order.
 */
export function detectCursorColumn(spec: TableSpec): string | null {
  let best: { column: ColumnSpec; rank: number } | null = null;
  for (const column of spec.columns) {
    if (!detectableKinds.has(column.logical.kind)) continue;
    const nameRank = cursorColumnNames.indexOf(column.name.toLowerCase());
    const onUpdate = column.onUpdateCurrentTimestamp === true;
    if (!onUpdate && nameRank < 0) continue;
    // ON UPDATE columns rank 0..N, name-only columns after all of them.
    const rank =
      (onUpdate ? 0 : cursorColumnNames.length + 1) + (nameRank < 0 ? cursorColumnNames.length : nameRank);
    if (best === null || rank < best.rank) best = { column, rank };
  }
  return best?.column.name ?? null;
}

/** Clock-like columns that were looked at, for the no_cursor message. */
export function describeCandidates(spec: TableSpec): string {
  const clocks = spec.columns.filter((column) => detectableKinds.has(column.logical.kind));
  if (clocks.length === 0) return "it has no DATETIME or TIMESTAMP column";
  return `its DATETIME/TIMESTAMP columns (${clocks.map((column) => column.name).join(", ")}) have neither ON UPDATE CURRENT_TIMESTAMP nor a name like ${cursorColumnNames.slice(0, 4).join("/")}`;
}
