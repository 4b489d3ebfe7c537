import { qualifiedName, quoteIdentifier, type WarehouseTable } from "./sql-text.js";

/**
 * The load ledger: one row per loaded file, written in the same transaction as the
 * rows, so the warehouse itself records what it holds (a crash between COMMIT and
 * the watermark update only makes the next run skip work). It lives in its own
 * schema (`sluice` by default) so it never mixes with replicated tables.
 * Redshift does not enforce UNIQUE; there the per-table lock plus the run check
 * inside the transaction keep it exact.
 */
export const ledgerTableName = "sluice_load_ledger";
export const defaultLedgerSchema = "sluice";

export function ledgerTable(schema: string): WarehouseTable {
  return { schema, name: ledgerTableName };
}

export function renderCreateLedger(ledger: WarehouseTable): string {
  const column = quoteIdentifier;
  return [
    `CREATE TABLE IF NOT EXISTS ${qualifiedName(ledger)} (`,
    `  ${column("source_table")} VARCHAR(256) NOT NULL,`,
    `  ${column("target_table")} VARCHAR(256) NOT NULL,`,
    `  ${column("run_id")} VARCHAR(128) NOT NULL,`,
    `  ${column("file_key")} VARCHAR(1024) NOT NULL,`,
    `  ${column("rows")} BIGINT NOT NULL,`,
    `  ${column("loaded_at")} TIMESTAMPTZ NOT NULL,`,
    `  UNIQUE (${column("source_table")}, ${column("target_table")}, ${column("file_key")})`,
    ")",
  ].join("\n");
}

/** A run with no files still needs a ledger row, or it would be offered again forever. */
export function emptyRunFileKey(runId: string): string {
  return `(run ${runId} had no files)`;
}
