import type { TableRef } from "@sluice/core";

/**
 * Everything a generated DAG file depends on, as plain data. The CLI builds it from
 * flags (or, once pipeline files land, from a pipeline file); the renderer turns it into
 * Python text. Connection URLs are deliberately not part of it: they never reach a DAG
 * file (tasks read SLUICE_*_URL from their environment).
 */
export interface DagSpec {
  /** Airflow dag_id: letters, digits, `_`, `.`, `-`. */
  readonly dagId: string;
  /** One Airflow task per table, in this order. */
  readonly tables: readonly DagTable[];
  /** The pipeline file each task passes to `sluice sync -p` (relative to the worker's cwd or absolute). */
  readonly pipelinePath?: string;
  /** Airflow `max_active_tasks`: how many tables sync at once (the pipeline's parallelism). */
  readonly maxActiveTasks: number;
  /** Cron expression or Airflow preset (`@hourly`); absent = triggered by hand only. */
  readonly schedule?: string;
  /** First logical date, `YYYY-MM-DD` (UTC). Fixed rather than "now" so regenerating is deterministic. */
  readonly startDate: string;
  /** Airflow retries per task; only used for the exit codes in `retryExitCodes`. */
  readonly retries: number;
  readonly retryDelaySeconds: number;
  /** CLI exit codes worth retrying: 3 transient, 4 another run holds the lease. */
  readonly retryExitCodes: readonly number[];
  /** The argv prefix that runs the CLI on a worker, e.g. `["sluice"]` or `["node", "/opt/sluice/main.js"]`. */
  readonly sluiceCommand: readonly string[];
  /** `sluice sync` flags every table gets (after `--json`). */
  readonly commonArgs: readonly string[];
  /** Environment variable -> Airflow connection id, resolved at run time on the worker (its URI). */
  readonly envFromConnections: Readonly<Record<string, string>>;
  /** Environment variable -> Airflow variable key, resolved at run time on the worker. */
  readonly envFromVariables: Readonly<Record<string, string>>;
  /** Present: one KubernetesPodOperator per table instead of an in-worker task. */
  readonly kubernetes?: KubernetesTaskSettings;
  readonly tags: readonly string[];
}

export interface DagTable {
  readonly table: TableRef;
  /** Tables whose task must succeed before this one starts (e.g. a parent before its children). */
  readonly dependsOn: readonly TableRef[];
  /** `sluice sync` flags for this table only (a pipeline file carries its own per-table settings). */
  readonly extraArgs: readonly string[];
}

export interface KubernetesTaskSettings {
  /** An image with `sluice` on PATH (or `sluiceCommand`) and a POSIX `sh`. */
  readonly image: string;
  readonly namespace?: string;
  /** A Kubernetes secret whose keys (SLUICE_SOURCE_URL, ...) become the pod's environment. */
  readonly envSecret?: string;
}

/** Defaults the CLI applies; a library caller may start from them. */
export const dagDefaults = {
  startDate: "2026-01-01",
  retries: 3,
  retryDelaySeconds: 300,
  retryExitCodes: [3, 4],
  sluiceCommand: ["sluice"],
  tags: ["sluice"],
} as const;
