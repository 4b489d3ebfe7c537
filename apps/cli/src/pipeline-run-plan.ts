import { dirname, isAbsolute, resolve } from "node:path";
import { configError, formatTableRef, parseTableRef, type SluiceError, type TableRef } from "@sluice/core";
import {
  loadPipelineFile,
  type PipelineFile,
  type PipelineTableEntry,
  pipelineFilePath,
  selectTables,
} from "@sluice/pipeline";
import { err, ok, type Result } from "neverthrow";
import type { CliIo } from "./cli-io.js";
import { connectionSettingsFromFile } from "./pipeline-connections.js";
import { fileSettingsLayer, type SyncFlagValue } from "./pipeline-file-settings.js";
import type { SyncFlags } from "./sync-flags.js";

/** Where a setting's value came from, for `sluice config` and error messages. */
export interface Provenance {
  readonly source: "flag" | "file" | "env" | "default";
  /** `--page-size`, `pipelines/x.yml:12:5`, `SLUICE_SOURCE_URL`. */
  readonly detail: string;
}

export interface PlannedTable {
  readonly table: TableRef;
  /** The command line laid over the file's defaults and the table's own entry. */
  readonly flags: SyncFlags;
  readonly provenance: ReadonlyMap<string, Provenance>;
  readonly dependsOn: readonly string[];
}

export interface RunPlan {
  readonly pipeline: PipelineFile | null;
  readonly tables: readonly PlannedTable[];
  /** Tables run at once. */
  readonly parallel: number;
  /** Connection and run-wide settings (the same for every table). */
  readonly flags: SyncFlags;
  readonly provenance: ReadonlyMap<string, Provenance>;
  /** The environment with the file's connection extras (S3 region, key passphrases) laid over. */
  readonly env: CliIo["env"];
  readonly warnings: readonly string[];
}

/** `--no-initial-snapshot` and friends: commander fills defaults we must not take for choices. */
export type ExplicitFlag = (key: keyof SyncFlags) => boolean;

/**
 * Settles every setting of every table a `sync` will run: flags win over the table's
 * entry, which wins over the file's `defaults:`, which win over the environment and
 * built-in defaults. Without `-p`, the flags alone (one or more `-t`).
 */
export async function planSyncRun(
  flags: SyncFlags,
  explicit: ExplicitFlag,
  io: CliIo,
): Promise<Result<RunPlan, SluiceError>> {
  const commandLine = explicitFlags(flags, explicit);
  const parallelFlag = parallelOf(flags);
  if (parallelFlag.isErr()) return err(parallelFlag.error);
  if (!flags.pipeline) {
    const names = flags.table ?? [];
    if (names.length === 0) {
      return err(
        configError("name the tables: -t schema.table (repeatable), or -p <pipeline> for a pipeline file"),
      );
    }
    const tables: PlannedTable[] = [];
    for (const name of names) {
      if (/[*?]/.test(name)) {
        return err(configError(`-t ${name}: globs select tables from a pipeline file; add -p <pipeline>`));
      }
      const table = parseTableRef(name);
      if (table.isErr()) return err(table.error);
      tables.push({ table: table.value, flags, provenance: flagProvenance(commandLine), dependsOn: [] });
    }
    return ok({
      pipeline: null,
      tables,
      parallel: parallelFlag.value ?? 1,
      flags,
      provenance: flagProvenance(commandLine),
      env: io.env,
      warnings: [],
    });
  }
  const path = pipelineFilePath(flags.pipeline, io.cwd ?? process.cwd());
  const loaded = await loadPipelineFile(path, io.env);
  if (loaded.isErr()) return err(loaded.error);
  const pipeline = loaded.value;
  const selected = selectTables(pipeline.content.tables, flags.table ?? [], pipeline.path);
  if (selected.isErr()) return err(selected.error);

  const fromFile = connectionSettingsFromFile(pipeline);
  if (fromFile.isErr()) return err(fromFile.error);
  const runWide: Record<string, SyncFlagValue> = { ...fromFile.value.flags };
  const runProvenance = new Map<string, Provenance>(fromFile.value.provenance);
  const retry = pipeline.content.retry;
  const retryFields: [keyof NonNullable<typeof retry>, string][] = [
    ["attempts", "retryAttempts"],
    ["base_delay_ms", "retryBaseDelayMs"],
    ["max_delay_ms", "retryMaxDelayMs"],
  ];
  for (const [field, key] of retryFields) {
    const value = retry?.[field];
    if (value === undefined) continue;
    // Whole numbers already (the file schema checks them and their range).
    runWide[key] = value;
    runProvenance.set(key, { source: "file", detail: pipeline.locate(["retry", field]) });
  }
  if (pipeline.content.strategy_modules) {
    const base = dirname(pipeline.path);
    runWide.strategyModule = pipeline.content.strategy_modules.map((module) =>
      module.startsWith(".") && !isAbsolute(module) ? resolve(base, module) : module,
    );
    runProvenance.set("strategyModule", { source: "file", detail: pipeline.locate(["strategy_modules"]) });
  }
  for (const [key, value] of Object.entries(commandLine)) {
    runWide[key] = value;
    runProvenance.set(key, { source: "flag", detail: `--${kebab(key)}` });
  }
  const runFlags = { ...runWide } as SyncFlags;

  const tables: PlannedTable[] = [];
  const defaults = fileSettingsLayer(pipeline, pipeline.content.defaults, ["defaults"]);
  const problems = [...defaults.problems];
  for (const entry of selected.value) {
    const table = parseTableRef(entry.table);
    if (table.isErr()) return err(configError(`${pipeline.locate(["tables"])}: ${table.error.message}`));
    const own = fileSettingsLayer(pipeline, entry, ["tables", pipeline.content.tables.indexOf(entry)]);
    problems.push(...own.problems);
    const flagsForTable = { ...runWide, ...defaults.flags, ...own.flags, ...commandLine } as SyncFlags;
    const provenance = new Map<string, Provenance>([...defaults.provenance, ...own.provenance]);
    for (const [key, value] of runProvenance)
      if (!provenance.has(key) || key in commandLine) provenance.set(key, value);
    tables.push({ table: table.value, flags: flagsForTable, provenance, dependsOn: entry.depends_on ?? [] });
  }
  // A value the schema let through as text but its flag's parser refuses is a problem
  // of the file, like the schema's own: named where it is written, the run not started.
  if (problems.length > 0) {
    return err(
      configError(
        `pipeline file ${pipeline.path} has ${problems.length} problem(s):\n  ${problems.join("\n  ")}`,
      ),
    );
  }
  const scheduled =
    flags.scheduling === "sequential"
      ? 1
      : (parallelFlag.value ?? pipeline.content.parallel ?? (flags.scheduling === "inter-table" ? 4 : 1));
  return ok({
    pipeline,
    tables,
    parallel: scheduled,
    flags: runFlags,
    provenance: runProvenance,
    env: { ...io.env, ...fromFile.value.env },
    warnings: pipeline.warnings,
  });
}

/** The flags the operator typed: these win over everything in the file. */
function explicitFlags(flags: SyncFlags, explicit: ExplicitFlag): Record<string, SyncFlagValue> {
  const typed: Record<string, SyncFlagValue> = {};
  const runOnly = new Set(["table", "pipeline", "parallel", "maxWorkers", "scheduling"]);
  for (const [key, value] of Object.entries(flags)) {
    if (runOnly.has(key) || value === undefined) continue;
    if (Array.isArray(value) && value.length === 0) continue;
    if (!explicit(key as keyof SyncFlags)) continue;
    typed[key] = value as SyncFlagValue;
  }
  return typed;
}

function flagProvenance(typed: Record<string, SyncFlagValue>): Map<string, Provenance> {
  return new Map(Object.keys(typed).map((key) => [key, { source: "flag", detail: `--${kebab(key)}` }]));
}

export function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}

/** `--parallel` (or its alias `--max-workers`), checked 1 to 64 by commander; `-s sequential` means 1. */
function parallelOf(flags: SyncFlags): Result<number | undefined, SluiceError> {
  const [flag, parallel] =
    flags.parallel !== undefined ? ["--parallel", flags.parallel] : ["--max-workers", flags.maxWorkers];
  if (parallel !== undefined && flags.scheduling === "sequential" && parallel !== 1) {
    return err(configError(`-s sequential runs one table at a time; it contradicts ${flag} ${parallel}`));
  }
  return ok(parallel);
}

export function tableLabel(planned: PlannedTable): string {
  return formatTableRef(planned.table);
}

export type { PipelineTableEntry };
