import { formatTableRef, type TableRef } from "@sluice/core";

/**
 * The Airflow task id of a table: `schema.table`, so the Airflow UI, logs and XCom
 * lookups use the name operators already know. MySQL allows `$` in names, Airflow does
 * not in ids; it becomes `_` (a clash this causes is refused by checkDagSpec).
 */
export function taskIdFor(table: TableRef): string {
  return formatTableRef(table).replaceAll("$", "_");
}
