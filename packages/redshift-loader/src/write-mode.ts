import { configError, type SluiceError, type WriteMode } from "@sluice/core";
import { err, ok, type Result } from "neverthrow";
import { qualifiedName, quoteIdentifier, type WarehouseTable } from "./sql-text.js";

/**
 * Write modes (`WriteMode` of @sluice/core): `merge` (default) upserts by primary key;
 * `append` inserts every staged row, versions of a key side by side, into a table
 * created without a primary-key constraint; `replace` swaps the target's rows for the
 * run's in one transaction (full snapshots). A table's configured mode wins over the
 * one the strategy wrote into the run manifest. The statements are in replace-sql.ts.
 */

/**
 * A view over an append table keeping the latest row per business key, ordered by a
 * column (`ROW_NUMBER() OVER (PARTITION BY keys ORDER BY orderBy DESC)`). Column names
 * may be given as the source or the warehouse name.
 */
export interface LatestViewOptions {
  /** View name in the target's schema; default `<target>_latest`. */
  readonly name?: string;
  readonly keyColumns: readonly string[];
  readonly orderBy: string;
}

/** The primary key the target table is created with and merged on, per mode. */
export function keyForMode(mode: WriteMode, primaryKey: readonly string[]): readonly string[] {
  return mode === "append" ? [] : primaryKey;
}

export function checkLatestView(
  table: string,
  mode: WriteMode,
  view: LatestViewOptions | undefined,
): Result<void, SluiceError> {
  if (!view) return ok(undefined);
  if (mode !== "append") {
    return err(
      configError(
        `${table}: a latest view keeps the newest row per key of an append table, but the write mode is ${mode}; use --write-mode append, or drop --latest-view-key`,
      ),
    );
  }
  if (view.keyColumns.length === 0) {
    return err(configError(`${table}: the latest view needs at least one key column (--latest-view-key)`));
  }
  return ok(undefined);
}

/** `CREATE VIEW ... AS SELECT <columns> FROM (... ROW_NUMBER() ...) WHERE rank = 1`. */
export function renderLatestView(
  view: WarehouseTable,
  target: WarehouseTable,
  columns: readonly string[],
  keyColumns: readonly string[],
  orderBy: string,
): string {
  const list = columns.map(quoteIdentifier).join(", ");
  const rank = quoteIdentifier("_sluice_rank");
  return [
    `CREATE VIEW ${qualifiedName(view)} AS`,
    `SELECT ${list}`,
    "FROM (",
    `  SELECT ${list},`,
    `    ROW_NUMBER() OVER (PARTITION BY ${keyColumns.map(quoteIdentifier).join(", ")} ORDER BY ${quoteIdentifier(orderBy)} DESC) AS ${rank}`,
    `  FROM ${qualifiedName(target)}`,
    ") AS ranked",
    `WHERE ${rank} = 1`,
  ].join("\n");
}
