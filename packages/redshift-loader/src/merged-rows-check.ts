import { sluiceError } from "@sluice/core";
import type pg from "pg";
import { qualifiedName, quoteIdentifier, type WarehouseTable } from "./sql-text.js";

/**
 * After the merge, inside the transaction: the target must have taken one row per
 * distinct key in staging (merge), or every staged row (a table without a primary
 * key is appended to). Fewer means something in the warehouse dropped rows on the
 * way in (a rule, a trigger, a policy): the load is refused and rolled back rather
 * than reported as a success with rows missing.
 */
export async function checkMergedRows(
  client: pg.Client,
  staging: WarehouseTable,
  primaryKey: readonly string[],
  rowsStaged: number,
  rowsInserted: number,
  context: string,
): Promise<void> {
  let expected = rowsStaged;
  if (primaryKey.length > 0) {
    const keys = primaryKey.map(quoteIdentifier).join(", ");
    const counted = await client.query<{ count: string }>(
      `SELECT COUNT(*) AS "count" FROM (SELECT DISTINCT ${keys} FROM ${qualifiedName(staging)}) AS "keys"`,
    );
    expected = Number(counted.rows[0]?.count ?? 0);
  }
  if (rowsInserted !== expected) {
    throw sluiceError(
      "load",
      `${context}: the target took ${rowsInserted} of the ${expected} rows staged${primaryKey.length > 0 ? " (one per key)" : ""}; a rule, trigger or policy on the target table dropped rows; nothing was committed: remove what drops them and rerun`,
    );
  }
}
