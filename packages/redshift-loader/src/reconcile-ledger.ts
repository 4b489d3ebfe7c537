import { qualifiedName, quoteIdentifier, type WarehouseTable } from "./sql-text.js";

/**
 * The reconciliation ledger: one row per applied reconciliation, written in the same
 * transaction as its deletes, next to the load ledger (schema `sluice`). A reconciliation
 * whose id is already there is not applied again, so a retried apply is a no-op; the
 * newest row says when the target was last reconciled.
 */
export const reconcileLedgerTableName = "sluice_reconcile_ledger";

export function reconcileLedgerTable(schema: string): WarehouseTable {
  return { schema, name: reconcileLedgerTableName };
}

export function renderCreateReconcileLedger(ledger: WarehouseTable): string {
  const column = quoteIdentifier;
  return [
    `CREATE TABLE IF NOT EXISTS ${qualifiedName(ledger)} (`,
    `  ${column("source_table")} VARCHAR(256) NOT NULL,`,
    `  ${column("target_table")} VARCHAR(256) NOT NULL,`,
    `  ${column("reconcile_id")} VARCHAR(128) NOT NULL,`,
    `  ${column("mode")} VARCHAR(8) NOT NULL,`,
    `  ${column("keys_deleted")} BIGINT NOT NULL,`,
    `  ${column("keys_missing")} BIGINT NOT NULL,`,
    `  ${column("reconciled_at")} TIMESTAMPTZ NOT NULL,`,
    `  UNIQUE (${column("source_table")}, ${column("target_table")}, ${column("reconcile_id")})`,
    ")",
  ].join("\n");
}
