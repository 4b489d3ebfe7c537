import type { TableRef } from "@sluice/core";
import { formatTableRef } from "@sluice/core";

/**
 * The argv an Airflow task runs for one table. Airflow gets one task per table so a
 * slow or failing table never holds back the others; connection URLs stay in the
 * environment (Airflow connections -> SLUICE_*_URL) so they never land in DAG files.
 */
export interface TaskCommandOptions {
  readonly mode?: "sync" | "backup-only" | "redshift-only";
  readonly limit?: number;
  /** A pipeline file: the table's settings come from it (`sluice sync -p FILE -t TABLE`). */
  readonly pipelinePath?: string;
  /** Further `sluice sync` flags, appended as given. */
  readonly extraArgs?: readonly string[];
}

export function taskCommandFor(table: TableRef, options: TaskCommandOptions = {}): readonly string[] {
  return ["sluice", ...syncArgsFor(table, options)];
}

/** The same without the program name: what follows the configured sluice command in a DAG. */
export function syncArgsFor(table: TableRef, options: TaskCommandOptions = {}): string[] {
  const argv = ["sync"];
  if (options.pipelinePath !== undefined) argv.push("-p", options.pipelinePath);
  argv.push("--table", formatTableRef(table), "--json");
  if (options.mode === "backup-only") argv.push("--backup-only");
  if (options.mode === "redshift-only") argv.push("--redshift-only");
  if (options.limit !== undefined) argv.push("--limit", String(options.limit));
  argv.push(...(options.extraArgs ?? []));
  return argv;
}
