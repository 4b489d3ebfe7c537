import { resolve } from "node:path";
import { configError, formatTableRef, parseTableRef, type SluiceError, type TableRef } from "@sluice/core";
import { Command } from "commander";
import { err, ok, type Result } from "neverthrow";
import { type DagSpec, type DagTable, dagDefaults } from "../dag-spec.js";
import { generateDag, writeDagFile } from "../generate-dag.js";
import type { BridgeIo } from "./bridge-io.js";
import { pipelineSource, type TableSource } from "./pipeline-source.js";

interface DagFlags {
  pipeline?: string;
  workerPipeline?: string;
  table: string[];
  dependsOn: string[];
  tableArg: string[];
  arg: string[];
  dagId?: string;
  schedule?: string;
  startDate: string;
  maxActiveTasks?: string;
  retries: string;
  retryDelay: string;
  retryExitCodes: string;
  sluiceCommand: string;
  envFromConnection: string[];
  envFromVariable: string[];
  kubernetesImage?: string;
  kubernetesNamespace?: string;
  kubernetesSecret?: string;
  output?: string;
}

/** `sluice-airflow dag`: flags -> DagSpec -> a DAG file (or stdout). */
export function dagCommand(io: BridgeIo, setExitCode: (code: number) => void): Command {
  return new Command("dag")
    .description("generate an Airflow DAG with one task per table")
    .option(
      "-p, --pipeline <name|file>",
      "pipeline file (pipelines/<name>.yml): its tables, parallel and depends_on",
    )
    .option(
      "--worker-pipeline <path>",
      "the pipeline file as the worker's sluice finds it (default: -p as given)",
    )
    .option(
      "-t, --table <schema.table>",
      "a table to sync (repeatable; order kept); with -p: pick tables by name or glob",
      collect,
      [],
    )
    .option(
      "--depends-on <table=upstream,...>",
      "run TABLE only after UPSTREAM succeeded (repeatable)",
      collect,
      [],
    )
    .option(
      "--table-arg <table=flag>",
      "a `sluice sync` flag for one table, e.g. shop.orders=--strategy=id (repeatable)",
      collect,
      [],
    )
    .option(
      "--arg <flag>",
      "a `sluice sync` flag for every table, e.g. --verify-data (repeatable)",
      collect,
      [],
    )
    .option("--dag-id <id>", "Airflow dag_id (default: sluice_<pipeline name>)")
    .option(
      "--schedule <cron|preset>",
      "cron expression or preset such as @hourly (default: none, trigger by hand)",
    )
    .option("--start-date <YYYY-MM-DD>", "first logical date, UTC", dagDefaults.startDate)
    .option(
      "--max-active-tasks <n>",
      "tables synced at once (default: the pipeline's parallel, else the number of tables, at most 4)",
    )
    .option("--retries <n>", "retries of a transient failure (exit 3 or 4)", String(dagDefaults.retries))
    .option("--retry-delay <seconds>", "wait between tries", String(dagDefaults.retryDelaySeconds))
    .option("--retry-exit-codes <codes>", "exit codes worth retrying", dagDefaults.retryExitCodes.join(","))
    .option(
      "--sluice-command <command>",
      "how a worker runs the CLI (split on spaces)",
      dagDefaults.sluiceCommand.join(" "),
    )
    .option(
      "--env-from-connection <VAR=conn_id>",
      "set VAR to an Airflow connection's URI at run time (repeatable)",
      collect,
      [],
    )
    .option(
      "--env-from-variable <VAR=key>",
      "set VAR to an Airflow variable at run time (repeatable)",
      collect,
      [],
    )
    .option("--kubernetes-image <image>", "one KubernetesPodOperator per table, running this image")
    .option("--kubernetes-namespace <namespace>", "namespace of the pods")
    .option(
      "--kubernetes-secret <name>",
      "Kubernetes secret whose keys become the pods' environment (SLUICE_*_URL)",
    )
    .option("-o, --output <dags-folder>", "write <dag_id>.py into this folder (default: print on stdout)")
    .action(async (flags: DagFlags) => {
      const source = flags.pipeline
        ? await pipelineSource(flags.pipeline, flags.table, io.cwd, io.env)
        : flagSource(flags.table);
      if (source.isErr()) return fail(io, setExitCode, source.error);
      const spec = dagSpecFromFlags(flags, source.value);
      if (spec.isErr()) return fail(io, setExitCode, spec.error);
      if (flags.output === undefined) {
        const generated = generateDag(spec.value);
        if (generated.isErr()) return fail(io, setExitCode, generated.error);
        io.stdout(generated.value.source);
        return;
      }
      const written = await writeDagFile(spec.value, resolve(io.cwd, flags.output));
      if (written.isErr()) return fail(io, setExitCode, written.error);
      io.stderr(`${written.value.changed ? "wrote" : "unchanged"} ${written.value.path}\n`);
    });
}

/** The tables of a DAG built from `-t` alone: each named table, no dependencies yet. */
function flagSource(names: readonly string[]): Result<TableSource, SluiceError> {
  if (names.length === 0)
    return err(configError("name at least one table with -t schema.table, or pass -p <pipeline>"));
  return combine(names.map((text) => parseTableRef(text))).map((tables) => ({
    tables: tables.map((table) => ({ table, dependsOn: [], extraArgs: [] })),
  }));
}

/**
 * Flags as typed on top of the tables (from `-t` or the pipeline file) -> a DagSpec.
 * `--depends-on` and `--table-arg` add to what the file says; values checkDagSpec
 * cannot see (malformed pairs) are refused here.
 */
function dagSpecFromFlags(flags: DagFlags, source: TableSource): Result<DagSpec, SluiceError> {
  const dependsOn = pairs(flags.dependsOn, "--depends-on", "table=upstream");
  const tableArgs = pairs(flags.tableArg, "--table-arg", "table=flag");
  const connections = pairs(flags.envFromConnection, "--env-from-connection", "VAR=conn_id");
  const variables = pairs(flags.envFromVariable, "--env-from-variable", "VAR=key");
  if (dependsOn.isErr()) return err(dependsOn.error);
  if (tableArgs.isErr()) return err(tableArgs.error);
  if (connections.isErr()) return err(connections.error);
  if (variables.isErr()) return err(variables.error);
  const entries: DagTable[] = [];
  for (const entry of source.tables) {
    const name = formatTableRef(entry.table);
    const upstreams = combine(
      dependsOn.value
        .filter(([key]) => key === name)
        .flatMap(([, list]) => list.split(","))
        .map((text) => parseTableRef(text.trim())),
    );
    if (upstreams.isErr()) return err(upstreams.error);
    entries.push({
      table: entry.table,
      dependsOn: [...entry.dependsOn, ...upstreams.value],
      extraArgs: [
        ...entry.extraArgs,
        ...tableArgs.value.filter(([key]) => key === name).map(([, flag]) => flag),
      ],
    });
  }
  for (const [key, flag] of [...dependsOn.value, ...tableArgs.value]) {
    if (!entries.some((entry) => formatTableRef(entry.table) === key)) {
      return err(configError(`"${key}=${flag}" names a table that is not in the DAG; add it with -t ${key}`));
    }
  }
  const numbers = {
    maxActiveTasks: flags.maxActiveTasks ?? String(source.maxActiveTasks ?? Math.min(entries.length, 4)),
    retries: flags.retries,
    retryDelaySeconds: flags.retryDelay,
  };
  for (const [name, text] of Object.entries(numbers)) {
    if (!/^\d+$/.test(text)) return err(configError(`${name} "${text}" must be a whole number`));
  }
  const retryExitCodes = flags.retryExitCodes.split(",").map((code) => code.trim());
  if (retryExitCodes.some((code) => !/^\d+$/.test(code))) {
    return err(
      configError(
        `--retry-exit-codes "${flags.retryExitCodes}" must be numbers separated by commas, e.g. 3,4`,
      ),
    );
  }
  const dagId = flags.dagId ?? (source.name !== undefined ? `sluice_${source.name}` : undefined);
  if (dagId === undefined)
    return err(configError("name the DAG with --dag-id (or pass the pipeline file with -p)"));
  const kubernetes = flags.kubernetesImage
    ? {
        image: flags.kubernetesImage,
        ...(flags.kubernetesNamespace ? { namespace: flags.kubernetesNamespace } : {}),
        ...(flags.kubernetesSecret ? { envSecret: flags.kubernetesSecret } : {}),
      }
    : undefined;
  if (!kubernetes && (flags.kubernetesNamespace || flags.kubernetesSecret)) {
    return err(configError("--kubernetes-namespace and --kubernetes-secret need --kubernetes-image"));
  }
  return ok({
    dagId,
    tables: entries,
    ...(flags.pipeline !== undefined ? { pipelinePath: flags.workerPipeline ?? flags.pipeline } : {}),
    maxActiveTasks: Number(numbers.maxActiveTasks),
    ...(flags.schedule !== undefined ? { schedule: flags.schedule } : {}),
    startDate: flags.startDate,
    retries: Number(numbers.retries),
    retryDelaySeconds: Number(numbers.retryDelaySeconds),
    retryExitCodes: retryExitCodes.map(Number),
    sluiceCommand: flags.sluiceCommand.split(/\s+/).filter((part) => part !== ""),
    commonArgs: flags.arg,
    envFromConnections: Object.fromEntries(connections.value),
    envFromVariables: Object.fromEntries(variables.value),
    ...(kubernetes ? { kubernetes } : {}),
    tags: [...dagDefaults.tags],
  });
}

function pairs(
  values: readonly string[],
  flag: string,
  form: string,
): Result<[string, string][], SluiceError> {
  const result: [string, string][] = [];
  for (const value of values) {
    const at = value.indexOf("=");
    if (at <= 0 || at === value.length - 1)
      return err(configError(`${flag} "${value}" must be written ${form}`));
    result.push([value.slice(0, at), value.slice(at + 1)]);
  }
  return ok(result);
}

function combine(results: Result<TableRef, SluiceError>[]): Result<TableRef[], SluiceError> {
  const values: TableRef[] = [];
  for (const result of results) {
    if (result.isErr()) return err(result.error);
    values.push(result.value);
  }
  return ok(values);
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function fail(io: BridgeIo, setExitCode: (code: number) => void, error: SluiceError): void {
  io.stderr(`sluice-airflow: ${error.message}\n`);
  setExitCode(error.kind === "config" ? 2 : 1);
}
