import type { Logger, SluiceError, WarehouseTable } from "@sluice/core";
import type { FaultHook } from "@sluice/core/internal";
import type { SqlTableOptions } from "@sluice/redshift-loader";
import type { ResultAsync } from "neverthrow";
import type { WarehouseTarget } from "./sync-options.js";

/** What a step adds to the table's settings for its session: where logs go, spool files, test faults. */
export interface SessionExtras {
  readonly logger?: Logger;
  readonly tempDir?: string;
  readonly faultHook?: FaultHook;
}

/**
 * A session with one table's target, opened from the caller's warehouse with the
 * table's settings, so every step (load, counts, checks, lake cleanup) looks where
 * loads wrote.
 */
export function openTableSession(
  warehouse: WarehouseTarget,
  table: string,
  extras: SessionExtras = {},
): ResultAsync<WarehouseTable, SluiceError> {
  return warehouse.connection.openTable(tableRequest(warehouse, table, extras));
}

/** The table's settings as the warehouse seam takes them. */
export function tableRequest(warehouse: WarehouseTarget, table: string, extras: SessionExtras = {}) {
  const { connection: _opened, ...settings } = warehouse;
  const request: { readonly table: string } & SqlTableOptions &
    Omit<WarehouseTarget, "connection"> &
    SessionExtras = { ...settings, ...extras, table };
  return request;
}
