import type { TableRef } from "@sluice/core";
import { formatTableRef } from "@sluice/core";

/**
 * The argv an Airflow task runs for one table. Airflow gets one task per table so a
 * slow or failing table never holds back the others; connection URLs stay in the
 * environment (Airflow connections -> SLUICE_*_URL) so they never land in DAG files.
 * DAG generation proper is a later issue; this is the stable seam it will build on.
 */
export interface TaskCommandOptions {
  readonly mode?: "sync" | "backup-only" | "redshift-only";
  readonly limit?: number;
}

export function taskCommandFor(table: TableRef, options: TaskCommandOptions = {}): readonly string[] {
  const argv = ["sluice", "sync", "--table", formatTableRef(table), "--json"];
  if (options.mode === "backup-only") argv.push("--backup-only");
  if (options.mode === "redshift-only") argv.push("--redshift-only");
  if (options.limit !== undefined) argv.push("--limit", String(options.limit));
  return argv;
}
