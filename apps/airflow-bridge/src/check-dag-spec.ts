import { configError, formatTableRef, redactSecrets, type SluiceError } from "@sluice/core";
import { err, ok, type Result } from "neverthrow";
import type { DagSpec } from "./dag-spec.js";
import { taskIdFor } from "./task-id.js";

// Airflow's own rule for dag and task ids (airflow.utils.helpers.KEY_REGEX), ASCII only.
const airflowKey = /^[A-Za-z0-9_.-]{1,250}$/;
const envName = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Refuses a spec Airflow would reject at parse time or that would run wrong: a dag
 * that Airflow cannot import is noticed hours later, a refusal here at once.
 */
export function checkDagSpec(spec: DagSpec): Result<DagSpec, SluiceError> {
  if (!airflowKey.test(spec.dagId)) {
    return fail(
      `dag id "${spec.dagId}" may hold only letters, digits, _, . and - (Airflow's rule); pass --dag-id`,
    );
  }
  if (spec.tables.length === 0)
    return fail(`dag "${spec.dagId}" has no tables; name them with -t schema.table`);
  if (!Number.isInteger(spec.maxActiveTasks) || spec.maxActiveTasks < 1) {
    return fail(`max active tasks ${spec.maxActiveTasks} must be a whole number >= 1 (--max-active-tasks)`);
  }
  if (!Number.isInteger(spec.retries) || spec.retries < 0) {
    return fail(`retries ${spec.retries} must be a whole number >= 0 (--retries)`);
  }
  if (!Number.isInteger(spec.retryDelaySeconds) || spec.retryDelaySeconds < 1) {
    return fail(`retry delay ${spec.retryDelaySeconds} must be whole seconds >= 1 (--retry-delay)`);
  }
  for (const code of spec.retryExitCodes) {
    if (!Number.isInteger(code) || code < 1 || code > 255) {
      return fail(`retry exit code ${code} must be between 1 and 255 (--retry-exit-codes, default 3,4)`);
    }
  }
  if (
    !/^\d{4}-\d{2}-\d{2}$/.test(spec.startDate) ||
    Number.isNaN(Date.parse(`${spec.startDate}T00:00:00Z`))
  ) {
    return fail(`start date "${spec.startDate}" must be a date as YYYY-MM-DD (--start-date)`);
  }
  if (spec.schedule !== undefined && (spec.schedule.trim() === "" || /[\r\n]/.test(spec.schedule))) {
    return fail(
      `schedule "${spec.schedule}" must be one cron expression or preset such as @hourly (--schedule)`,
    );
  }
  if (spec.sluiceCommand.length === 0 || spec.sluiceCommand.some((part) => part === "")) {
    return fail(
      `the sluice command is empty; pass --sluice-command, e.g. "sluice" or "node /opt/sluice/main.js"`,
    );
  }
  const checked = checkTables(spec)
    .andThen(() => checkEnvironment(spec))
    .andThen(() => checkNoConnections(spec));
  return checked.map(() => spec);
}

function checkTables(spec: DagSpec): Result<void, SluiceError> {
  const taskIds = new Map<string, string>();
  for (const { table } of spec.tables) {
    const name = formatTableRef(table);
    const taskId = taskIdFor(table);
    const clash = taskIds.get(taskId);
    if (clash !== undefined) {
      return fail(
        clash === name
          ? `table ${name} is listed twice in dag "${spec.dagId}"; list each table once`
          : `tables ${clash} and ${name} both become Airflow task "${taskId}"; rename one or split the dag`,
      );
    }
    taskIds.set(taskId, name);
  }
  for (const { table, dependsOn } of spec.tables) {
    for (const upstream of dependsOn) {
      if (!taskIds.has(taskIdFor(upstream))) {
        return fail(
          `table ${formatTableRef(table)} depends on ${formatTableRef(upstream)}, which is not in dag "${spec.dagId}"; add it with -t or drop the dependency`,
        );
      }
    }
  }
  const cycle = findCycle(spec);
  return cycle
    ? fail(`tables depend on each other in a circle: ${cycle.join(" -> ")}; remove one dependency`)
    : ok();
}

/** A dependency circle as table names (first = last), or undefined. Depth-first, in table order. */
function findCycle(spec: DagSpec): string[] | undefined {
  const upstreams = new Map(
    spec.tables.map((entry) => [formatTableRef(entry.table), entry.dependsOn.map(formatTableRef)]),
  );
  const done = new Set<string>();
  const visit = (name: string, path: string[]): string[] | undefined => {
    if (path.includes(name)) return [...path.slice(path.indexOf(name)), name];
    if (done.has(name)) return undefined;
    for (const upstream of upstreams.get(name) ?? []) {
      const cycle = visit(upstream, [...path, name]);
      if (cycle) return cycle;
    }
    done.add(name);
    return undefined;
  };
  for (const name of upstreams.keys()) {
    const cycle = visit(name, []);
    if (cycle) return cycle;
  }
  return undefined;
}

function checkEnvironment(spec: DagSpec): Result<void, SluiceError> {
  const mappings = [
    ...Object.entries(spec.envFromConnections).map(([name, id]) => ({ name, id, what: "connection" })),
    ...Object.entries(spec.envFromVariables).map(([name, id]) => ({ name, id, what: "variable" })),
  ];
  for (const { name, id, what } of mappings) {
    if (!envName.test(name))
      return fail(`"${name}" is not an environment variable name (--env-from-${what})`);
    if (!airflowKey.test(id))
      return fail(`Airflow ${what} id "${id}" for ${name} may hold only letters, digits, _, . and -`);
  }
  if (spec.kubernetes) {
    if (spec.kubernetes.image.trim() === "")
      return fail("--kubernetes-image is empty; name the image with sluice in it");
    if (mappings.length > 0) {
      // A pod has no access to Airflow's connections: the secret carries the URLs instead.
      return fail(
        "--env-from-connection/--env-from-variable do not reach a Kubernetes pod; put the URLs in a secret and pass --kubernetes-secret",
      );
    }
  }
  return ok();
}

// Flags that carry connection URLs: they belong in the task's environment, never in a
// DAG file (committed, shown in Airflow's UI, readable by everyone with DAG access).
const connectionFlags = /^--(source|target|lake)(=|$)/;

function checkNoConnections(spec: DagSpec): Result<void, SluiceError> {
  const flags = [
    ...spec.commonArgs,
    ...spec.tables.flatMap((entry) => entry.extraArgs),
    ...spec.sluiceCommand,
    ...(spec.pipelinePath !== undefined ? [spec.pipelinePath] : []),
  ];
  for (const flag of flags) {
    const name = connectionFlags.exec(flag)?.[1];
    if (name !== undefined) {
      return fail(
        `--${name} would put a connection URL into the DAG file; set SLUICE_${name.toUpperCase()}_URL in the worker's environment or map it with --env-from-connection/--env-from-variable`,
      );
    }
    if (redactSecrets(flag) !== flag) {
      return fail(
        `"${redactSecrets(flag)}" holds a password in a URL, which would land in the DAG file; pass it through the environment instead`,
      );
    }
  }
  return ok();
}

function fail(message: string): Result<never, SluiceError> {
  return err(configError(message));
}
