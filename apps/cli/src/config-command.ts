import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { configError, formatTableRef, redactSecrets, type SluiceError } from "@sluice/core";
import { parsePipelineFile } from "@sluice/pipeline";
import { Command } from "commander";
import { parse as parseDotenv } from "dotenv";
import type { CliIo } from "./cli-io.js";
import { importLegacyEnv } from "./legacy-env-import.js";
import { type PlannedTable, type Provenance, planSyncRun, type RunPlan } from "./pipeline-run-plan.js";
import { failWith } from "./report-failure.js";
import { syncCommand } from "./sync-command.js";
import type { SyncFlags } from "./sync-flags.js";
import { tableRunOptions } from "./table-run-options.js";

/**
 * `sluice config`: what a pipeline run would use, value by value with where each came
 * from; `config validate` checks a file without connecting; `config import-env` turns
 * the replaced system's `.env` into a pipeline file.
 */
export function configCommand(io: CliIo, setExitCode: (code: number) => void): Command {
  const fail = failWith(io, setExitCode);
  const show = new Command("config").description(
    "print the resolved settings of a pipeline (or of flags), each with its source; secrets redacted; takes every sync flag",
  );
  // The same flags as `sync`, so `config` shows exactly what that command line would run.
  for (const option of syncCommand(io, () => {}).options) show.addOption(option);
  // Its own -p/-t stay before `validate` / `import-env`, which have their own.
  show.enablePositionalOptions();
  show.action(async (flags: SyncFlags, command: Command) => {
    const explicit = (key: keyof SyncFlags) => command.getOptionValueSource(key) === "cli";
    const plan = await planSyncRun(flags, explicit, io);
    if (plan.isErr()) return fail(plan.error);
    const view = resolvedView(plan.value, io.env);
    io.stdout(flags.json ? `${JSON.stringify(view, null, 2)}\n` : `${renderView(view)}\n`);
  });
  show.addCommand(
    new Command("validate")
      .description("check a pipeline file and every table's settings, without connecting anywhere")
      .requiredOption("-p, --pipeline <name-or-path>", "pipeline file: pipelines/<name>.yml, or a path")
      .action(async (flags: { pipeline: string }) => {
        const problem = await validate(flags.pipeline, io);
        if (problem) return fail(problem);
      }),
  );
  show.addCommand(
    new Command("import-env")
      .description("write a pipeline file equivalent to the replaced system's .env (secrets stay in .env)")
      .argument("[env-file]", "the .env to read", ".env")
      .option("-o, --output <path>", "where to write the pipeline file (default: print it)")
      .option("--name <name>", "pipeline name (default: the output file's name, else 'default')")
      .option("-t, --table <schema.table>", "a table the pipeline runs (repeatable)", collect, [])
      .option("--force", "overwrite an existing output file")
      .action(
        async (
          envFile: string,
          flags: { output?: string; name?: string; table: string[]; force?: boolean },
        ) => {
          const problem = await importEnv(envFile, flags, io);
          if (problem) return fail(problem);
        },
      ),
  );
  return show;
}

interface ResolvedSetting {
  readonly value: string | boolean | readonly string[];
  readonly source: Provenance["source"];
  readonly from: string;
}

interface ResolvedView {
  readonly pipeline: { readonly name: string; readonly path: string } | null;
  readonly parallel: number;
  readonly warnings: readonly string[];
  readonly run: Readonly<Record<string, ResolvedSetting>>;
  readonly tables: readonly {
    readonly table: string;
    readonly settings: Readonly<Record<string, ResolvedSetting>>;
  }[];
}

const connectionEnv: Readonly<Record<string, string>> = {
  source: "SLUICE_SOURCE_URL",
  lake: "SLUICE_LAKE_URL",
  target: "SLUICE_TARGET_URL",
  sshBastion: "SLUICE_SSH_BASTION",
  sshKey: "SLUICE_SSH_KEY_PATH",
  sshHostKey: "SLUICE_SSH_HOST_KEY",
  targetSshBastion: "SLUICE_TARGET_SSH_BASTION",
  targetSshKey: "SLUICE_TARGET_SSH_KEY_PATH",
  targetSshHostKey: "SLUICE_TARGET_SSH_HOST_KEY",
};

/** Built-in values shown so an operator sees the whole behaviour, not just overrides. */
function builtInDefaults(table: PlannedTable): Record<string, string> {
  return {
    strategy: "hybrid",
    writeMode: "merge",
    pageSize: "50000",
    rowsPerFile: "1000000",
    leaseTimeout: "15",
    targetSchema: table.table.schema.toLowerCase(),
    targetName: table.table.table.toLowerCase(),
    retryAttempts: "3",
  };
}

const runWideKeys = new Set([
  ...Object.keys(connectionEnv),
  "retryAttempts",
  "retryBaseDelayMs",
  "retryMaxDelayMs",
  "strategyModule",
  "copyOption",
  "iamRole",
]);
const secretVariables = [
  "AWS_SECRET_ACCESS_KEY",
  "SLUICE_SSH_KEY_PASSPHRASE",
  "SLUICE_TARGET_SSH_KEY_PASSPHRASE",
];

function resolvedView(plan: RunPlan, env: CliIo["env"]): ResolvedView {
  const run: Record<string, ResolvedSetting> = {};
  for (const key of Object.keys(connectionEnv)) {
    const value = (plan.flags as Record<string, unknown>)[key];
    const provenance = plan.provenance.get(key);
    if (typeof value === "string" && provenance) {
      run[key] = { value: redactSecrets(value), source: provenance.source, from: provenance.detail };
    } else {
      const name = connectionEnv[key] as string;
      const fromEnv = env[name];
      if (fromEnv) run[key] = { value: redactSecrets(fromEnv), source: "env", from: name };
    }
  }
  for (const [key, provenance] of plan.provenance) {
    if (key in run) continue;
    const value = (plan.flags as Record<string, unknown>)[key] ?? plan.env[key];
    if (value === undefined) continue;
    const secret = secretVariables.includes(key);
    run[key] = {
      value: secret ? "***" : settingText(key, value),
      source: provenance.source,
      from: provenance.detail,
    };
  }
  run.parallel = {
    value: String(plan.parallel),
    source: plan.pipeline?.content.parallel !== undefined ? "file" : "default",
    from:
      plan.pipeline?.content.parallel !== undefined ? plan.pipeline.locate(["parallel"]) : "1 (sequential)",
  };
  const tables = plan.tables.map((planned) => {
    const settings: Record<string, ResolvedSetting> = {};
    for (const [key, value] of Object.entries(builtInDefaults(planned))) {
      settings[key] = { value, source: "default", from: "built-in" };
    }
    for (const [key, provenance] of planned.provenance) {
      if (runWideKeys.has(key) || key in connectionEnv) continue;
      const value = (planned.flags as Record<string, unknown>)[key];
      if (value === undefined) continue;
      settings[key] = {
        value: settingText(key, value),
        source: provenance.source,
        from: provenance.detail,
      };
    }
    return { table: formatTableRef(planned.table), settings };
  });
  return {
    pipeline: plan.pipeline ? { name: plan.pipeline.name, path: plan.pipeline.path } : null,
    parallel: plan.parallel,
    warnings: plan.warnings,
    run,
    tables,
  };
}

function renderView(view: ResolvedView): string {
  const lines: string[] = [];
  lines.push(
    view.pipeline
      ? `pipeline ${view.pipeline.name} (${view.pipeline.path})`
      : "settings from flags and environment",
  );
  for (const warning of view.warnings) lines.push(`warning: ${warning}`);
  const block = (title: string, settings: Readonly<Record<string, ResolvedSetting>>) => {
    lines.push(`${title}:`);
    const entries = Object.entries(settings);
    const width = Math.max(0, ...entries.map(([key]) => kebabCase(key).length));
    const valueWidth = Math.min(60, Math.max(0, ...entries.map(([, s]) => textOf(s.value).length)));
    for (const [key, setting] of entries) {
      lines.push(
        `  ${kebabCase(key).padEnd(width)}  ${textOf(setting.value).padEnd(valueWidth)}  ${setting.source}${setting.source === "default" ? "" : ` ${setting.from}`}`,
      );
    }
  };
  block("run", view.run);
  for (const table of view.tables) block(table.table, table.settings);
  return lines.join("\n");
}

/**
 * A parsed setting as the flag's text (what an operator would type), so `config`
 * shows `--since 2025-09-09T12:00:00.000Z`, not a Date, and the same form whether
 * the value came from a flag or the file.
 */
function settingText(key: string, value: unknown): ResolvedSetting["value"] {
  if (typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") return String(value);
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(String);
  if (key === "reconcileDeletes" && typeof value === "object" && value !== null && "everyHours" in value) {
    return `${String(value.everyHours)}h`;
  }
  if (typeof value === "object" && value !== null) {
    return Object.entries(value).map(([name, setting]) => `${name}=${String(setting)}`);
  }
  return String(value);
}

function textOf(value: ResolvedSetting["value"]): string {
  return Array.isArray(value) ? value.join(" ") : String(value);
}

function kebabCase(key: string): string {
  return key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}

async function validate(pipeline: string, io: CliIo): Promise<SluiceError | null> {
  const plan = await planSyncRun({ pipeline } as SyncFlags, (key) => key === "pipeline", io);
  if (plan.isErr()) return plan.error;
  const problems: string[] = [];
  for (const planned of plan.value.tables) {
    const options = await tableRunOptions(planned.table, planned.flags, io);
    if (options.isErr()) problems.push(`${formatTableRef(planned.table)}: ${options.error.message}`);
  }
  const known = new Set(plan.value.tables.map((planned) => formatTableRef(planned.table).toLowerCase()));
  for (const entry of plan.value.pipeline?.content.tables ?? []) {
    for (const dependency of entry.depends_on ?? []) {
      if (
        !plan.value.pipeline?.content.tables.some(
          (other) => other.table.toLowerCase() === dependency.toLowerCase(),
        )
      ) {
        problems.push(`${entry.table}: depends_on ${dependency}, which is not a table of this pipeline`);
      }
    }
  }
  if (problems.length > 0) {
    return configError(
      `pipeline ${plan.value.pipeline?.path} has ${problems.length} problem(s):\n  ${problems.join("\n  ")}`,
    );
  }
  for (const warning of plan.value.warnings) io.stderr(`sluice: warning: ${warning}\n`);
  io.stdout(
    `${plan.value.pipeline?.path}: valid; ${known.size} table(s) would run, ${plan.value.parallel} at a time\n`,
  );
  return null;
}

async function importEnv(
  envFile: string,
  flags: { output?: string; name?: string; table: string[]; force?: boolean },
  io: CliIo,
): Promise<SluiceError | null> {
  const cwd = io.cwd ?? process.cwd();
  const path = resolve(cwd, envFile);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (thrown) {
    return configError(
      `cannot read ${path} (${(thrown as NodeJS.ErrnoException).code ?? String(thrown)}); pass the replaced system's .env as the argument`,
    );
  }
  if (flags.table.length === 0) {
    return configError(
      "name the tables the pipeline runs: config import-env .env -t schema.table [-t ...] (the replaced system's .env does not list them)",
    );
  }
  const variables = parseDotenv(text);
  const output = flags.output ? resolve(cwd, flags.output) : null;
  const name = flags.name ?? (output ? output.replace(/^.*\//, "").replace(/\.ya?ml$/, "") : "default");
  const imported = importLegacyEnv(variables, { name, tables: flags.table, envFileName: envFile });
  if ("kind" in imported) return imported;
  // The file must load as written, with the .env beside it, before we hand it over.
  // Host-key pins the .env may not have yet are named in the notes; fill them for the check.
  const pins = Object.fromEntries(
    ["SSH_BASTION_HOST_KEY", "REDSHIFT_SSH_BASTION_HOST_KEY"].map((name) => [name, "SHA256:pending"]),
  );
  const check = parsePipelineFile(imported.yaml, output ?? "<output>", { ...pins, ...variables, ...io.env });
  if (check.isErr()) return configError(`the generated pipeline file does not load: ${check.error.message}`);
  for (const note of imported.notes) io.stderr(`sluice: ${note}\n`);
  if (!output) {
    io.stdout(imported.yaml);
    return null;
  }
  if (existsSync(output) && !flags.force) {
    return configError(`${output} exists; pass --force to overwrite it or -o another path`);
  }
  await mkdir(dirname(output), { recursive: true });
  await writeFile(output, imported.yaml);
  io.stdout(
    `wrote ${output} (${flags.table.length} table(s)); check it with: sluice config validate -p ${flags.output}\n`,
  );
  return null;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
