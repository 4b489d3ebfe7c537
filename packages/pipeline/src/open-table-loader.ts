import type { ObjectStore, SluiceError, Warehouse } from "@sluice/core";
import { openLoader } from "@sluice/redshift-loader";
import type { ResultAsync } from "neverthrow";
import type { WarehouseTarget } from "./sync-options.js";

/**
 * A loader for reading one table's target (counts, ledger, checksums) with the same
 * schema, name and role resolution a sync uses, so checks look where loads wrote.
 */
export function openTableLoader(
  warehouse: WarehouseTarget,
  lake: ObjectStore,
  table: string,
): ResultAsync<Warehouse, SluiceError> {
  return openLoader({
    connection: warehouse.connection,
    lake,
    ...(warehouse.targetSchema ? { targetSchema: warehouse.targetSchema } : {}),
    ...(warehouse.iamRole ? { iamRole: warehouse.iamRole } : {}),
    tables: { [table]: { ...(warehouse.targetName ? { targetName: warehouse.targetName } : {}) } },
  });
}
